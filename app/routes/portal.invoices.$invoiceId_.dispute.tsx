import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requirePortalUser } from "~/auth/portal-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { Money } from "~/components/money";
import { openDispute, getDisputeForm } from "~/disputes/disputes.server";
import { SelectField, TextAreaField } from "~/disputes/dispute-ui";
import { disputeFormSchema } from "~/disputes/form-schemas.server";
import { DISPUTE_MESSAGE_MAX, disputeReasonLabels, disputeReasons } from "~/disputes/labels";
import { formatMoney, formatQuantity, toDecimalString } from "~/money/money";
import { invalid, newFormKey, runDomain } from "~/utils/action.server";
import { formatDate } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Dispute a charge${data ? ` on invoice ${data.invoice.number}` : ""} · Customer portal` }];

const paramsSchema = z.object({ invoiceId: z.uuid() });
const searchSchema = z.object({ line: z.uuid() });

/** The signed-in customer's invoice line named by the URL; anything else is not found. */
async function requireLine(request: Request, params: unknown) {
  const { user, customer } = await requirePortalUser(request);
  const parsedParams = paramsSchema.safeParse(params);
  const parsedSearch = searchSchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  invariantResponse(parsedParams.success && parsedSearch.success, "Invoice line not found");
  const form = await getDisputeForm({ customerId: customer.id, invoiceId: parsedParams.data.invoiceId, invoiceLineId: parsedSearch.data.line });
  invariantResponse(form, "Invoice line not found");
  return { user, customer, form };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, form } = await requireLine(request, params);
  return { ...form, canDispute: user.role === "billing", formKey: newFormKey() };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, customer, form } = await requireLine(request, params);
  const parsed = parseForm(disputeFormSchema(form.invoice.currency), await request.formData());
  if (!parsed.ok) return invalid(parsed.errors);
  const { amount, reason, message, idempotencyKey } = parsed.data;
  const result = await runDomain(() => openDispute({ customerId: customer.id, invoiceLineId: form.line.id, amountMinor: amount, reason, message, idempotencyKey }, user));
  if (!result.ok) return result.response;
  return redirect(`/portal/disputes/${result.value.id}?opened=1`);
}

export default function DisputeForm() {
  const { invoice, line, maxMinor, disputedMinor, closedReason, openOnLine, canDispute, formKey } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string | undefined> = actionData?.errors ?? {};
  const { currency } = invoice;
  const fieldMessages = new Set(Object.values(errors));
  const pageMessage = actionData?.message && !fieldMessages.has(actionData.message) ? actionData.message : (errors.idempotencyKey ?? null);
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/portal/invoices">Invoices</Link> / <Link to={`/portal/invoices/${invoice.id}`}>{invoice.number}</Link> / Dispute
          </p>
          <h1>Dispute a charge</h1>
          <p>
            Invoice {invoice.number}
            {invoice.dueDate ? ` · due ${formatDate(invoice.dueDate)}` : ""}
          </p>
        </div>
      </header>

      <div className="dispute-form-layout">
        <section className="card dispute-line" aria-labelledby="line-heading">
          <h2 id="line-heading">The charge</h2>
          <p className="dispute-line-description">{line.description}</p>
          <dl className="details">
            <dt>Quantity</dt>
            <dd>{formatQuantity(line.quantityMilli)}</dd>
            <dt>Unit price</dt>
            <dd>
              <Money minor={line.unitPriceMinor} currency={currency} />
            </dd>
            {line.taxMinor !== 0 ? (
              <>
                <dt>Tax</dt>
                <dd>
                  <Money minor={line.taxMinor} currency={currency} />
                </dd>
              </>
            ) : null}
            <dt>Line total</dt>
            <dd>
              <Money minor={line.totalMinor} currency={currency} />
            </dd>
            {disputedMinor > 0 ? (
              <>
                <dt>You dispute</dt>
                <dd>
                  <Money minor={disputedMinor} currency={currency} />
                </dd>
              </>
            ) : null}
            <dt>Open on the invoice</dt>
            <dd>
              <Money minor={invoice.status === "open" ? invoice.openMinor : 0} currency={currency} />
            </dd>
          </dl>
        </section>

        <section className="card" aria-labelledby="dispute-heading">
          <h2 id="dispute-heading">What is wrong?</h2>
          {closedReason ? (
            <>
              <FormAlert tone="info" message={closedReason} />
              {openOnLine.length > 0 ? (
                <ul className="plain-list">
                  {openOnLine.map((id, index) => (
                    <li key={id}>
                      <Link to={`/portal/disputes/${id}`}>{openOnLine.length === 1 ? "See your dispute of this line" : `See dispute ${index + 1} of this line`}</Link>
                    </li>
                  ))}
                </ul>
              ) : null}
              <p>
                <Link className="button secondary" to={`/portal/invoices/${invoice.id}`}>
                  Back to the invoice
                </Link>
              </p>
            </>
          ) : !canDispute ? (
            <FormAlert tone="info" message="Your access to this portal lets you see invoices. A billing contact of your company can dispute this charge." />
          ) : (
            <Form method="post" noValidate className="dispute-form">
              <input type="hidden" name="idempotencyKey" value={formKey} />
              <FormAlert message={pageMessage} />
              {openOnLine.length > 0 ? (
                <p className="muted">
                  You already dispute {formatMoney(disputedMinor, currency)} of this charge (<Link to={`/portal/disputes/${openOnLine[0]}`}>see that dispute</Link>). This form
                  opens another one.
                </p>
              ) : null}
              <Field
                label={`How much do you dispute? (${currency})`}
                name="amount"
                inputMode="decimal"
                autoComplete="off"
                defaultValue={toDecimalString(maxMinor, currency)}
                error={errors.amount}
                hint={`Up to ${formatMoney(maxMinor, currency)}: what is left of this charge that is not already credited or disputed.`}
              />
              <SelectField label="Reason" name="reason" defaultValue="" error={errors.reason}>
                <option value="" disabled>
                  Choose a reason
                </option>
                {disputeReasons.map((reason) => (
                  <option key={reason} value={reason}>
                    {disputeReasonLabels[reason]}
                  </option>
                ))}
              </SelectField>
              <TextAreaField
                label="Tell us what happened"
                name="message"
                maxLength={DISPUTE_MESSAGE_MAX}
                rows={5}
                error={errors.message}
                hint="Our accounts team reads this and answers on the dispute page and by email."
              />
              <div className="dispute-hold-note" role="note">
                <strong>While we look into it, the amount you dispute is on hold.</strong> We won't ask you to pay it. The rest of the invoice is still due.
              </div>
              <div className="actions">
                <SubmitButton>Open dispute</SubmitButton>
                <Link className="button secondary" to={`/portal/invoices/${invoice.id}`}>
                  Cancel
                </Link>
              </div>
            </Form>
          )}
        </section>
      </div>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
