import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requirePortalUser } from "~/auth/portal-auth.server";
import { DemoCardForm } from "~/components/demo-card-form";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert } from "~/components/forms";
import { Money } from "~/components/money";
import { StripePaymentForm } from "~/components/stripe-payment-form";
import { formatMoney } from "~/money/money";
import { getAttemptForCustomer } from "~/payments/attempts.server";
import { attemptPage, demoCards, demoCardSchema, nextPathFor, payWithDemoCard, portalActor, requirePayer } from "~/payments/portal-pay.server";
import { getCompanySettings } from "~/settings/settings.server";
import { invalid, runDomain } from "~/utils/action.server";
import { getEnv } from "~/utils/env.server";
import { invariantResponse } from "~/utils/responses.server";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Payment · Customer portal" }];

const paramsSchema = z.object({ attemptId: z.uuid() });

async function requireAttempt(request: Request, params: unknown) {
  const session = await requirePortalUser(request);
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Payment not found");
  const attempt = await getAttemptForCustomer(parsed.data.attemptId, session.customer.id);
  invariantResponse(attempt, "Payment not found");
  return { ...session, attempt };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, attempt } = await requireAttempt(request, params);
  const { attempt: current, view } = await attemptPage(attempt, portalActor(user));
  const next = nextPathFor(current);
  if (next !== `/portal/pay/${current.id}`) throw redirect(next);
  const { companyName } = await getCompanySettings();
  const stripe = view.processor === "stripe" && current.clientSecret ? { publishableKey: getEnv().STRIPE_PUBLISHABLE_KEY!, clientSecret: current.clientSecret } : null;
  return { view, companyName, stripe, cards: view.processor === "demo" ? demoCards() : [] };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, attempt } = await requireAttempt(request, params);
  requirePayer(user);
  const parsed = parseForm(demoCardSchema, await request.formData());
  if (!parsed.ok) return invalid(parsed.errors);
  const result = await runDomain(() => payWithDemoCard(attempt, parsed.data.cardNumber, portalActor(user)));
  if (!result.ok) return result.response;
  // A decline comes back to this page, which shows the processor's message from the attempt.
  throw redirect(nextPathFor(result.value));
}

export default function PayAttempt() {
  const { view, companyName, stripe, cards } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const amount = formatMoney(view.amountMinor, view.currency);
  const payable = !view.stale && !view.outdated && (view.status === "created" || view.status === "failed" || view.status === "requires_action");
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/portal/pay">Pay invoices</Link> / Payment
          </p>
          <h1>{payable ? `Pay ${amount}` : `Payment of ${amount}`}</h1>
          <p>To {companyName}</p>
        </div>
      </header>
      <div className="two-col pay-attempt">
        <section className="card" aria-labelledby="pay-heading">
          <h2 id="pay-heading">{view.status === "processing" ? "Thank you" : payable ? "Card details" : "Payment"}</h2>
          {view.stale ? (
            <FormAlert tone="info" message="This payment was started with a payment processor that is no longer in use. Choose what to pay again to start a new one." />
          ) : view.status === "processing" ? (
            <div className="pay-pending" role="status">
              <p>
                <strong>Payment pending: bank debits take a few days.</strong>
              </p>
              <p className="muted">We have your payment of {amount}. It reaches your account when the bank confirms it, and we email you a receipt then. There is nothing more to do.</p>
            </div>
          ) : view.status === "canceled" ? (
            <FormAlert tone="info" message="This payment was cancelled and nothing was charged. Choose what to pay again to start a new one." />
          ) : (
            <FormAlert tone="info" message={view.outdated} />
          )}
          {payable && view.failureMessage ? <FormAlert message={`${view.savedMethod ? `${view.savedMethod}: ` : ""}${view.failureMessage} Nothing was charged. Try again, or use another card.`} /> : null}
          {payable && view.status === "requires_action" && stripe ? <FormAlert tone="info" message="Your bank asked to confirm this payment. Enter the card again to finish." /> : null}
          {payable && stripe ? (
            <StripePaymentForm publishableKey={stripe.publishableKey} clientSecret={stripe.clientSecret} mode="payment" returnUrl={`/portal/pay/${view.id}/return`} amount={amount} />
          ) : payable && view.processor === "demo" ? (
            <DemoCardForm cards={cards} submitLabel={`Pay ${amount}`} errors={actionData?.errors} message={actionData && !actionData.errors.cardNumber ? actionData.message : null} />
          ) : null}
          {view.stale || view.outdated || view.status === "canceled" ? (
            <Link to="/portal/pay" className="button">
              Choose what to pay
            </Link>
          ) : view.status === "processing" ? (
            <Link to="/portal" className="button secondary">
              Back to your account
            </Link>
          ) : null}
        </section>
        <aside className="card" aria-labelledby="paying-heading">
          <h2 id="paying-heading">What you are paying</h2>
          <table className="pay-lines">
            <tbody>
              {view.credited.length > 0 ? (
                <>
                  <tr className="group">
                    <td colSpan={2}>Paid from your credit</td>
                  </tr>
                  {view.credited.map((line) => (
                    <tr key={`credit-${line.invoiceId}`}>
                      <td>Invoice {line.number}</td>
                      <td className="num">
                        <Money minor={line.amountMinor} currency={view.currency} />
                      </td>
                    </tr>
                  ))}
                  <tr className="group">
                    <td colSpan={2}>Charged now</td>
                  </tr>
                </>
              ) : null}
              {view.lines.map((line) => (
                <tr key={line.invoiceId}>
                  <td>Invoice {line.number}</td>
                  <td className="num">
                    <Money minor={line.amountMinor} currency={view.currency} />
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <td>{view.credited.length > 0 ? "Charged now" : "Total"}</td>
                <td className="num">
                  <Money minor={view.amountMinor} currency={view.currency} />
                </td>
              </tr>
            </tfoot>
          </table>
          {payable ? (
            <p className="muted small-print">
              <Link to="/portal/pay">Change what you pay</Link>
            </p>
          ) : null}
        </aside>
      </div>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
