import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requirePortalUser } from "~/auth/portal-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { Money } from "~/components/money";
import { TextAreaField } from "~/disputes/dispute-ui";
import { formatMoney, toDecimalString } from "~/money/money";
import { requirePayer } from "~/payments/portal-pay.server";
import { promiseFromPortal, promisePage } from "~/portal/promises.server";
import { invalid, runDomain } from "~/utils/action.server";
import { amountSchema, isoDateSchema, optionalText } from "~/utils/form-schemas";
import { formatDate } from "~/utils/format";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Promise to pay · Customer portal" }];

const NOTE_MAX = 500;

const promiseFormSchema = (currency: string) =>
  z.object({
    amount: amountSchema(currency, "Amount"),
    promisedOn: isoDateSchema("Date"),
    note: optionalText("Note", NOTE_MAX),
  });

const searchSchema = z.object({ made: z.uuid().optional().catch(undefined) });

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, customer } = await requirePortalUser(request);
  const { made } = searchSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const page = await promisePage(customer);
  return {
    ...page,
    currency: customer.currency,
    canPromise: user.role === "billing",
    // Only one of this customer's own promises can be the one just made.
    made: page.promises.find((promise) => promise.id === made) ?? null,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, customer } = await requirePortalUser(request);
  requirePayer(user);
  const parsed = parseForm(promiseFormSchema(customer.currency), await request.formData());
  if (!parsed.ok) return invalid(parsed.errors);
  const { amount, promisedOn, note } = parsed.data;
  const result = await runDomain(() => promiseFromPortal({ customer, user, amountMinor: amount, promisedOn, note }));
  if (!result.ok) return result.response;
  throw redirect(`/portal/promise?made=${result.value.id}`);
}

const statusLabels = { open: "Open", kept: "Kept", broken: "Not kept", canceled: "Canceled" } as const;
const statusTones = { open: "brand", kept: "ok", broken: "danger", canceled: "" } as const;

export default function PromiseToPay() {
  const { currency, today, lastDay, payableMinor, promisedMinor, roomMinor, suggestedMinor, promises, canPromise, made } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string | undefined> = actionData?.errors ?? {};
  const fieldMessages = new Set(Object.values(errors));
  const pageMessage = actionData?.message && !fieldMessages.has(actionData.message) ? actionData.message : null;
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Promise to pay</h1>
          <p>Tell us how much you will pay and by when. Until that day we send no reminders for that amount.</p>
        </div>
      </header>
      {made ? (
        <FormAlert
          tone="ok"
          message={`Thank you. You promised ${formatMoney(made.amountMinor, currency)} by ${formatDate(made.promisedOn)}. We have emailed you a confirmation.`}
        />
      ) : null}

      <div className="two-col">
        <section className="card" aria-labelledby="promise-heading">
          <h2 id="promise-heading">Make a promise</h2>
          {!canPromise ? (
            <FormAlert tone="info" message="Your access to this portal lets you see invoices. A billing contact of your company can promise a payment." />
          ) : roomMinor <= 0 ? (
            <>
              <p>{payableMinor > 0 ? "Your open promises already cover everything you owe us now." : "There is nothing to pay right now, so nothing to promise."}</p>
              <p>
                <Link className="button secondary" to="/portal">
                  Back to your account
                </Link>
              </p>
            </>
          ) : (
            <Form method="post" noValidate key={`${promisedMinor}:${suggestedMinor}`}>
              <FormAlert message={pageMessage} />
              <Field
                label={`Amount (${currency})`}
                name="amount"
                inputMode="decimal"
                autoComplete="off"
                required
                defaultValue={toDecimalString(suggestedMinor, currency)}
                error={errors.amount}
                hint={`Up to ${formatMoney(roomMinor, currency)}: what you owe now${promisedMinor > 0 ? ", less what you have already promised" : ""}.`}
              />
              <Field
                label="Pay by"
                name="promisedOn"
                type="date"
                required
                min={today}
                max={lastDay}
                error={errors.promisedOn}
                hint={`Any day from today to ${formatDate(lastDay)}.`}
              />
              <TextAreaField
                label="Note (optional)"
                name="note"
                maxLength={NOTE_MAX}
                rows={3}
                error={errors.note}
                hint="Anything our accounts team should know, such as how you will pay."
              />
              <div className="actions">
                <SubmitButton>Promise to pay</SubmitButton>
                <Link className="button secondary" to="/portal">
                  Cancel
                </Link>
              </div>
            </Form>
          )}
        </section>

        <section className="card promise-owed" aria-labelledby="owed-heading">
          <h2 id="owed-heading">What you owe</h2>
          <dl className="details">
            <dt>You owe now</dt>
            <dd>
              <Money minor={payableMinor} currency={currency} />
            </dd>
            <dt>Already promised</dt>
            <dd>
              <Money minor={promisedMinor} currency={currency} />
            </dd>
          </dl>
          <p className="muted">
            Rather pay now? <Link to="/portal/pay?select=due">Pay what is due</Link>. Need longer? <Link to="/portal/plans/new">Set up a payment plan</Link>.
          </p>
        </section>
      </div>

      <section className="card" aria-labelledby="promises-heading">
        <h2 id="promises-heading">Your promises</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Amount</th>
                <th scope="col">By</th>
                <th scope="col">Made on</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {promises.length === 0 ? (
                <tr>
                  <td colSpan={4} className="empty">
                    You have made no promises to pay.
                  </td>
                </tr>
              ) : (
                promises.map((promise) => (
                  <tr key={promise.id}>
                    <td>
                      <Money minor={promise.amountMinor} currency={currency} />
                    </td>
                    <td className="date">{formatDate(promise.promisedOn)}</td>
                    <td className="date">
                      {formatDate(promise.madeOn)}
                      {promise.source === "staff" ? <span className="muted"> with our team</span> : null}
                    </td>
                    <td>
                      <span className={`badge ${statusTones[promise.status]}`.trim()}>{statusLabels[promise.status]}</span>
                      {promise.status === "broken" && promise.receivedMinor ? (
                        <span className="muted">
                          {" "}
                          (<Money minor={promise.receivedMinor} currency={currency} /> came in)
                        </span>
                      ) : null}
                    </td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
