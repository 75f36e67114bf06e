import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { InvoiceFormFields, withBlankRows } from "~/components/invoice-lines-editor";
import { SearchForm } from "~/components/search-form";
import { getCustomer, listCustomers } from "~/customers/customers.server";
import { invoiceFormValues, parseInvoiceForm, type InvoiceFormValues } from "~/ledger/invoice-form";
import { createDraftInvoice, createIssuedInvoice } from "~/ledger/invoices.server";
import { newFormKey, runDomain } from "~/utils/action.server";
import { idempotencyKeySchema } from "~/utils/form-schemas";
import { today } from "~/utils/dates";
import { formatTerms } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";

export const meta: MetaFunction = () => [{ title: "New invoice · Settle back office" }];

const searchSchema = z.object({
  customerId: z.uuid().optional(),
  q: z.string().trim().max(100).optional().catch(undefined),
  after: z.string().max(100).optional().catch(undefined),
});

async function requireCustomer(customerId: string | undefined) {
  invariantResponse(customerId, "Customer not found");
  const found = await getCustomer(customerId);
  invariantResponse(found, "Customer not found");
  return found.customer;
}

function readSearch(request: Request) {
  const parsed = searchSchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  invariantResponse(parsed.success, "Customer not found");
  return parsed.data;
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "clerk");
  const { customerId, q, after } = readSearch(request);
  if (!customerId) return { step: "customer" as const, q: q ?? "", ...(await listCustomers({ q: q || undefined, after })) };
  const customer = await requireCustomer(customerId);
  const values: InvoiceFormValues = { lines: withBlankRows([]), issueDate: "", dueDate: "", poNumber: "", memo: "" };
  return { step: "invoice" as const, customer, today: today(), values, formKey: newFormKey() };
}

const intentSchema = z.enum(["draft", "issue"], { message: "Choose Save draft or Save and issue" });

export async function action({ request }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "clerk");
  const customer = await requireCustomer(readSearch(request).customerId);
  const formData = await request.formData();
  const values = invoiceFormValues(formData);
  const intent = intentSchema.safeParse(formData.get("intent"));
  // The form's key makes a double click or a resubmitted page create one invoice, not two.
  const key = idempotencyKeySchema.safeParse(formData.get("idempotencyKey"));
  if (!key.success) return data({ ok: false as const, errors: { form: key.error.issues[0]!.message }, message: key.error.issues[0]!.message, values }, { status: 400 });
  const parsed = parseInvoiceForm(values, customer.currency);
  if (!intent.success || !parsed.ok) {
    const errors = { ...(parsed.ok ? {} : parsed.errors), ...(intent.success ? {} : { form: intent.error.issues[0]!.message }) };
    return data({ ok: false as const, errors, message: errors.form ?? null, values }, { status: 400 });
  }
  const actor = { type: "staff" as const, id: user.id, label: user.email };
  const input = { customerId: customer.id, ...parsed.data, idempotencyKey: `${intent.data}:${key.data}` };
  const result = await runDomain(() =>
    intent.data === "issue"
      ? createIssuedInvoice({ ...input, issueDate: input.issueDate ?? undefined, dueDate: input.dueDate ?? undefined }, actor)
      : createDraftInvoice(input, actor),
  );
  if (!result.ok) return data({ ...result.response.data, values }, result.response.init ?? undefined);
  return redirect(`/staff/invoices/${result.value.id}`);
}

export default function NewInvoice() {
  const loaded = useLoaderData<typeof loader>();
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/staff/invoices">Invoices</Link> / New
          </p>
          <h1>New invoice</h1>
          <p>{loaded.step === "customer" ? "First choose who the invoice is for." : "Lines, dates and references. Totals are computed when you save."}</p>
        </div>
      </header>
      {loaded.step === "customer" ? <ChooseCustomer {...loaded} /> : <InvoiceStep {...loaded} />}
    </>
  );
}

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;

function ChooseCustomer({ customers, nextCursor, q }: Extract<Loaded, { step: "customer" }>) {
  return (
    <section className="card" aria-labelledby="choose-heading">
      <h2 id="choose-heading">Customer</h2>
      <SearchForm name="q" label="Search customers" placeholder="Name, account number or email" defaultValue={q} button="Find" />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Name</th>
              <th scope="col">Currency</th>
              <th scope="col">Terms</th>
            </tr>
          </thead>
          <tbody>
            {customers.length === 0 ? (
              <tr>
                <td colSpan={4} className="muted">
                  No customers match “{q}”.
                </td>
              </tr>
            ) : (
              customers.map((c) => (
                <tr key={c.id}>
                  <td>{c.accountNumber}</td>
                  <td>
                    <Link to={`?customerId=${c.id}`}>{c.name}</Link> {c.creditHold ? <span className="badge danger">Credit hold</span> : null}
                  </td>
                  <td>{c.currency}</td>
                  <td>{formatTerms(c)}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {nextCursor ? (
        <nav className="pager" aria-label="Pages">
          <Link className="button secondary" to={`?${new URLSearchParams({ ...(q ? { q } : {}), after: nextCursor })}`}>
            More customers
          </Link>
        </nav>
      ) : null}
    </section>
  );
}

function InvoiceStep({ customer, today, values, formKey }: Extract<Loaded, { step: "invoice" }>) {
  const actionData = useActionData<typeof action>();
  return (
    <>
      <section className="card bill-to" aria-label="Bill to">
        <div>
          <span className="muted">Bill to</span>
          <strong>
            <Link to={`/staff/customers/${customer.id}`}>{customer.name}</Link>
          </strong>
          <span className="muted">
            {customer.accountNumber} · {customer.currency} · {formatTerms(customer)}
          </span>
        </div>
        {customer.creditHold ? <span className="badge danger">Credit hold</span> : null}
        <Link to="/staff/invoices/new" className="button secondary small">
          Change customer
        </Link>
      </section>
      <Form method="post" noValidate className="card invoice-form">
        <input type="hidden" name="idempotencyKey" value={formKey} />
        <InvoiceFormFields
          currency={customer.currency}
          terms={customer}
          today={today}
          values={actionData?.values ?? values}
          errors={actionData?.errors ?? {}}
          message={actionData?.message}
        />
      </Form>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
