import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { listAudit } from "~/audit/audit.server";
import { inviteContact } from "~/auth/invitations.server";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { getCustomer, listContacts } from "~/customers/customers.server";
import { DomainError } from "~/utils/errors";
import { formatAddress, formatDateTime, formatMinor, formatTerms } from "~/utils/format";
import { clientIp, invariantResponse } from "~/utils/responses.server";
import { emailSchema, parseForm } from "~/utils/validation";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.customer.name ?? "Customer"} · Settle back office` }];

const paramsSchema = z.object({ customerId: z.uuid() });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Customer not found");
  const found = await getCustomer(parsed.data.customerId);
  invariantResponse(found, "Customer not found");
  const [contacts, activity] = await Promise.all([listContacts(found.customer.id), listAudit({ customerId: found.customer.id, limit: 20 })]);
  return { ...found, contacts, activity, canInvite: hasRole(user, "clerk") };
}

const inviteSchema = z.object({
  name: z.string({ message: "Name is required" }).trim().min(1, "Name is required").max(120, "Name must be at most 120 characters"),
  email: emailSchema,
});

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "clerk");
  const parsedParams = paramsSchema.safeParse(params);
  invariantResponse(parsedParams.success, "Customer not found");
  const parsed = parseForm(inviteSchema, await request.formData());
  if (!parsed.ok) return data({ errors: parsed.errors, message: null, invited: null }, { status: 400 });
  try {
    const contact = await inviteContact({ customerId: parsedParams.data.customerId, ...parsed.data, invitedBy: user, ip: clientIp(context) });
    return { errors: {}, message: null, invited: contact.email };
  } catch (error) {
    if (error instanceof DomainError) {
      invariantResponse(error.code !== "not_found", error.message);
      return data({ errors: error.field ? { [error.field]: error.message } : {}, message: error.field ? null : error.message, invited: null }, { status: error.status });
    }
    throw error;
  }
}

export default function CustomerPage() {
  const { customer, collectorName, contacts, activity, canInvite } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string | undefined> = actionData?.errors ?? {};
  const address = formatAddress(customer);
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/staff/customers">Customers</Link> / {customer.accountNumber}
          </p>
          <h1>{customer.name}</h1>
          <p>
            {customer.creditHold ? <span className="badge danger">Credit hold</span> : <span className="badge ok">{customer.status}</span>}{" "}
            {customer.segment ? <span className="badge">{customer.segment}</span> : null}
          </p>
        </div>
      </header>
      <section className="card" aria-labelledby="account-heading">
        <h2 id="account-heading">Account</h2>
        <dl className="details">
          <dt>Account number</dt>
          <dd>{customer.accountNumber}</dd>
          <dt>Billing email</dt>
          <dd>{customer.email ?? "—"}</dd>
          <dt>Currency</dt>
          <dd>{customer.currency}</dd>
          <dt>Terms</dt>
          <dd>
            {formatTerms(customer)}
          </dd>
          <dt>Credit limit</dt>
          <dd>{customer.creditLimitMinor === null ? "None" : formatMinor(customer.creditLimitMinor, customer.currency)}</dd>
          <dt>Collector</dt>
          <dd>{collectorName ?? "Unassigned"}</dd>
          <dt>Address</dt>
          <dd>{address || "—"}</dd>
          <dt>Tax ID</dt>
          <dd>{customer.taxId ?? "—"}</dd>
          <dt>External reference</dt>
          <dd>{customer.externalRef ?? "—"}</dd>
          <dt>Time zone</dt>
          <dd>{customer.timeZone}</dd>
        </dl>
      </section>
      <section className="card" aria-labelledby="contacts-heading">
        <h2 id="contacts-heading">Portal contacts</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Invited</th>
                <th scope="col">Last sign-in</th>
              </tr>
            </thead>
            <tbody>
              {contacts.map((contact) => (
                <tr key={contact.id}>
                  <td>{contact.name}</td>
                  <td>{contact.email}</td>
                  <td>{contact.role}</td>
                  <td>{formatDateTime(contact.invitedAt)}</td>
                  <td>{formatDateTime(contact.lastSignInAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {canInvite ? (
          <Form method="post" noValidate style={{ marginTop: "1.25rem" }} aria-labelledby="invite-heading">
            <h3 id="invite-heading">Invite a contact to the portal</h3>
            <FormAlert message={actionData?.message} />
            <FormAlert tone="ok" message={actionData?.invited ? `Invitation sent to ${actionData.invited}.` : null} />
            <div className="form-row">
              <Field label="Name" name="name" autoComplete="off" required error={errors.name} />
              <Field label="Email" name="email" type="email" autoComplete="off" required error={errors.email} />
              <SubmitButton>Send invitation</SubmitButton>
            </div>
          </Form>
        ) : (
          <p className="muted" style={{ marginTop: "1rem" }}>
            Inviting contacts needs the clerk role.
          </p>
        )}
      </section>
      <section className="card" aria-labelledby="activity-heading">
        <h2 id="activity-heading">Activity</h2>
        {activity.length === 0 ? (
          <p className="muted">Nothing has happened on this account yet.</p>
        ) : (
          <ul style={{ margin: 0, paddingLeft: "1.2rem" }}>
            {activity.map((entry) => (
              <li key={entry.id}>
                <span className="muted">{formatDateTime(entry.at)}</span> · {entry.actorLabel ?? entry.actorType} · {entry.action}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
