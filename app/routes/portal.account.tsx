import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requirePortalUser, setPortalPassword } from "~/auth/portal-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { getDb } from "~db/client";
import { recordAudit } from "~/audit/audit.server";
import { setEmailPreferences } from "~/customers/recipients.server";
import { portalContacts, removeSavedMethod, savedMethodLabel, savedMethods } from "~/portal/profile.server";
import { getCompanySettings } from "~/settings/settings.server";
import { runDomain } from "~/utils/action.server";
import { formatDateTime } from "~/utils/format";
import { clientIp, forbidden, invariantResponse } from "~/utils/responses.server";
import { newPasswordSchema, parseForm } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Account · Customer portal" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, customer } = await requirePortalUser(request);
  const [contacts, methods, company] = await Promise.all([portalContacts(customer.id), savedMethods(customer.id), getCompanySettings()]);
  return {
    user: { id: user.id, name: user.name, email: user.email, role: user.role, hasPassword: user.passwordHash !== null, lastSignInAt: user.lastSignInAt },
    emails: { invoices: user.emailInvoices, receipts: user.emailReceipts, reminders: user.emailReminders },
    billingEmail: customer.email,
    supportEmail: company.supportEmail,
    contacts,
    methods,
  };
}

const passwordFormSchema = z
  .object({ intent: z.literal("set-password"), password: newPasswordSchema, confirm: z.string() })
  .refine((v) => v.password === v.confirm, { message: "The two passwords do not match", path: ["confirm"] });
const removeMethodSchema = z.object({ methodId: z.uuid() });
// A checkbox is sent only when ticked: absent means "no".
const ticked = z.preprocess((value) => value === "on", z.boolean());
const emailsSchema = z.object({ invoices: ticked, receipts: ticked, reminders: ticked });

type ActionData = { intent: string; errors: Record<string, string | undefined>; message: string | null; notice: string | null };
const answer = (intent: string, fields: Partial<ActionData>, status = 200) => data<ActionData>({ intent, errors: {}, message: null, notice: null, ...fields }, { status });

export async function action({ request, context }: ActionFunctionArgs) {
  const { user, customer } = await requirePortalUser(request);
  const form = await request.formData();
  const ip = clientIp(context);
  switch (form.get("intent")) {
    case "remove-password":
      await setPortalPassword({ user, password: null, ip });
      return answer("password", { notice: "Password removed. Sign in with an emailed link from now on." });
    case "emails": {
      const prefs = emailsSchema.parse(Object.fromEntries(form));
      await getDb().transaction(async (tx) => {
        await setEmailPreferences(user.id, prefs, tx);
        await recordAudit({ actor: { type: "portal", id: user.id, label: user.email }, action: "portal.email_preferences", entityType: "portal_user", entityId: user.id, customerId: customer.id, after: prefs, ip }, tx);
      });
      return answer("emails", { notice: "Saved. Your email choices apply from the next email." });
    }
    case "remove-method": {
      const parsed = removeMethodSchema.safeParse(Object.fromEntries(form));
      invariantResponse(parsed.success, "Payment method not found");
      if (user.role !== "billing") forbidden("Only contacts who pay invoices can remove a payment method.");
      const result = await runDomain(() => removeSavedMethod({ methodId: parsed.data.methodId, customerId: customer.id, ip }, { type: "portal", id: user.id, label: user.email }));
      if (!result.ok) return answer("methods", { message: result.response.data.message }, result.response.init?.status);
      const { method } = result.value;
      return answer("methods", { notice: `${savedMethodLabel(method)} is removed. It will not be charged again.` });
    }
    default: {
      const parsed = parseForm(passwordFormSchema, form);
      if (!parsed.ok) return answer("password", { errors: parsed.errors }, 400);
      await setPortalPassword({ user, password: parsed.data.password, ip });
      return answer("password", { notice: "Password saved. You can now sign in with it, or with an emailed link." });
    }
  }
}

const roleLabels = { billing: "Sees and pays invoices", viewer: "Sees invoices" } as const;

export default function PortalAccount() {
  const { user, emails, billingEmail, supportEmail, contacts, methods } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors = actionData?.intent === "password" ? actionData.errors : {};
  const canManageMethods = user.role === "billing";
  return (
    <div className="portal-account">
      <header className="page-header">
        <div>
          <h1>Account</h1>
          <p>Who you are here, how you sign in, and how you pay.</p>
        </div>
      </header>
      <div className="two-col">
        <div>
          <section className="card" aria-labelledby="you-heading">
            <h2 id="you-heading">You</h2>
            <dl className="details">
              <dt>Name</dt>
              <dd>{user.name}</dd>
              <dt>Email</dt>
              <dd className="break">{user.email}</dd>
              <dt>Access</dt>
              <dd>{roleLabels[user.role]}</dd>
              <dt>Last sign-in</dt>
              <dd>{formatDateTime(user.lastSignInAt)}</dd>
            </dl>
          </section>

          <section className="card" aria-labelledby="methods-heading">
            <h2 id="methods-heading">Saved payment methods</h2>
            {actionData?.intent === "methods" ? (
              <>
                <FormAlert message={actionData.message} />
                <FormAlert tone="ok" message={actionData.notice} />
              </>
            ) : null}
            {methods.length === 0 ? (
              <p className="muted">No saved cards or bank accounts. You can save one when you pay, to pay faster next time or to pay a plan automatically.</p>
            ) : (
              <ul className="method-list">
                {methods.map((method) => (
                  <li key={method.id}>
                    <div>
                      <strong>{method.label}</strong>
                      <span className="muted small-print">
                        {method.expMonth && method.expYear ? `Expires ${String(method.expMonth).padStart(2, "0")}/${method.expYear}` : method.type === "us_bank_account" ? "Bank debit" : ""}
                        {method.usedByPlan ? " · Pays your payment plan" : ""}
                      </span>
                    </div>
                    {canManageMethods && !method.usedByPlan ? (
                      <Form method="post">
                        <input type="hidden" name="methodId" value={method.id} />
                        <SubmitButton className="button secondary small" name="intent" value="remove-method">
                          Remove
                        </SubmitButton>
                      </Form>
                    ) : null}
                  </li>
                ))}
              </ul>
            )}
          </section>


          <section className="card" aria-labelledby="password-heading">
            <h2 id="password-heading">Password (optional)</h2>
            <p className="muted">
              {user.hasPassword
                ? "You have a password. You can also always sign in with an emailed link."
                : "You sign in with emailed links. Set a password if you'd rather type one."}
            </p>
            {actionData?.intent === "password" ? <FormAlert tone="ok" message={actionData.notice} /> : null}
            <Form method="post" noValidate>
              <Field label={user.hasPassword ? "New password" : "Password"} name="password" type="password" autoComplete="new-password" hint="At least 12 characters." error={errors.password} />
              <Field label="Repeat the password" name="confirm" type="password" autoComplete="new-password" error={errors.confirm} />
              <SubmitButton name="intent" value="set-password">
                Save password
              </SubmitButton>
            </Form>
            {user.hasPassword ? (
              <Form method="post" className="after-form">
                <SubmitButton className="button secondary" name="intent" value="remove-password">
                  Remove password
                </SubmitButton>
              </Form>
            ) : null}
          </section>
        </div>

        <div>
          <section className="card" aria-labelledby="contacts-heading">
            <h2 id="contacts-heading">People on this account</h2>
            <p className="muted">Everyone from your company who can sign in here.</p>
            <ul className="contact-list">
              {contacts.map((contact) => (
                <li key={contact.id}>
                  <strong>{contact.name}</strong>
                  {contact.id === user.id ? <span className="badge brand">You</span> : null}
                  <div className="break">{contact.email}</div>
                  <div className="muted small-print">{roleLabels[contact.role]}</div>
                </li>
              ))}
            </ul>
          </section>

          <section className="card" aria-labelledby="emails-heading">
            <h2 id="emails-heading">Emails</h2>
            <p>
              Invoices, payment receipts and reminders always go to your company's billing address{" "}
              {billingEmail ? <strong className="break">{billingEmail}</strong> : "(none on file yet)"}. Sign-in links come to you at {user.email}.
            </p>
            {actionData?.intent === "emails" ? <FormAlert tone="ok" message={actionData.notice} /> : null}
            <Form method="post" className="email-choices">
              <fieldset>
                <legend>Also send to me, at {user.email}:</legend>
                <label className="checkbox">
                  <input type="checkbox" name="invoices" defaultChecked={emails.invoices} /> New invoices
                </label>
                <label className="checkbox">
                  <input type="checkbox" name="receipts" defaultChecked={emails.receipts} /> Payment receipts
                </label>
                <label className="checkbox">
                  <input type="checkbox" name="reminders" defaultChecked={emails.reminders} /> Reminders and payment plan notices
                </label>
              </fieldset>
              <SubmitButton className="button secondary" name="intent" value="emails">
                Save email choices
              </SubmitButton>
            </Form>
            <p className="muted">{supportEmail ? `To change the billing address, write to ${supportEmail}.` : "To change the billing address, reply to any of our emails."}</p>
          </section>


          <section className="card" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">Signed-in devices</h2>
            <p className="muted">Lost a phone, or signed in on a shared computer? Sign out on every device at once.</p>
            <Form method="post" action="/portal/sign-out">
              <input type="hidden" name="scope" value="everywhere" />
              <button type="submit" className="button secondary">
                Sign out everywhere
              </button>
            </Form>
          </section>
        </div>
      </div>
    </div>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
