import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Money } from "~/components/money";
import { NothingHere, PayoutReconciliationBadge, PayoutStatusBadge } from "~/components/reconciliation-ui";
import { formatMoney } from "~/money/money";
import { getPayoutDetail } from "~/reconciliation/processor-money.server";
import { formatDate, formatDateTime } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? `Payout ${formatMoney(data.payout.amountMinor, data.payout.currency)}` : "Payout"} · Reconciliation · Settle back office` }];

const paramsSchema = z.object({ payoutId: z.uuid() });

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Payout not found");
  const detail = await getPayoutDetail(parsed.data.payoutId);
  invariantResponse(detail, "Payout not found");
  const { payout, items } = detail;
  const computedMinor = payout.paymentsMinor - payout.refundsMinor - payout.feesMinor - payout.chargebacksMinor + payout.otherMinor;
  return {
    payout,
    computedMinor,
    items: items.map(({ item, customerName, customerId, reference }) => ({ ...item, customerName, customerId, reference })),
  };
}

export default function PayoutPage() {
  const { payout, computedMinor, items } = useLoaderData<typeof loader>();
  const { currency } = payout;
  const differs = computedMinor !== payout.amountMinor;
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/staff/reconciliation/payouts">Payouts</Link> / {payout.processorPayoutId}
          </p>
          <h1 className="title-with-badge">
            Payout of <Money minor={payout.amountMinor} currency={currency} /> <PayoutStatusBadge status={payout.status} />
          </h1>
          <p>
            Arrives {formatDate(payout.arrivalDate)} · <PayoutReconciliationBadge state={payout.reconciliation} /> · {payout.bankLineId ? "seen on a bank statement" : "not seen on a bank statement yet"}
          </p>
        </div>
      </header>
      {payout.failureMessage ? <p className="alert error">The payout failed: {payout.failureMessage}</p> : null}
      <div className="two-col">
        <section className="card" aria-labelledby="breakdown-heading">
          <h2 id="breakdown-heading">Breakdown</h2>
          <p className="muted small-print">Payments − refunds − fees − chargebacks (± other adjustments) = the amount paid out.</p>
          <table className="payout-breakdown">
            <caption className="visually-hidden">How the payout adds up</caption>
            <tbody>
              <tr>
                <th scope="row">Payments</th>
                <td className="num">
                  <Money minor={payout.paymentsMinor} currency={currency} />
                </td>
              </tr>
              <tr>
                <th scope="row">− Refunds</th>
                <td className="num">
                  <Money minor={payout.refundsMinor} currency={currency} />
                </td>
              </tr>
              <tr>
                <th scope="row">− Fees</th>
                <td className="num">
                  <Money minor={payout.feesMinor} currency={currency} />
                </td>
              </tr>
              <tr>
                <th scope="row">− Chargebacks</th>
                <td className="num">
                  <Money minor={payout.chargebacksMinor} currency={currency} />
                </td>
              </tr>
              <tr>
                <th scope="row">± Other</th>
                <td className="num">
                  <Money minor={payout.otherMinor} currency={currency} />
                </td>
              </tr>
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">= Paid out</th>
                <td className="num">
                  <Money minor={payout.amountMinor} currency={currency} />
                </td>
              </tr>
            </tfoot>
          </table>
          {differs ? (
            <p className="alert error" role="status">
              The parts add up to <Money minor={computedMinor} currency={currency} />, <Money minor={payout.amountMinor - computedMinor} currency={currency} /> away from what was paid out.
            </p>
          ) : null}
        </section>
        <section className="card" aria-labelledby="details-heading">
          <h2 id="details-heading">Details</h2>
          <dl className="details">
            <dt>Stripe payout</dt>
            <dd className="break">
              <code>{payout.processorPayoutId}</code>
            </dd>
            <dt>Items</dt>
            <dd>{payout.itemCount.toLocaleString("en-US")}</dd>
            <dt>Arrival</dt>
            <dd>{formatDate(payout.arrivalDate)}</dd>
            <dt>Last update</dt>
            <dd>{formatDateTime(payout.updatedAt)}</dd>
          </dl>
        </section>
      </div>
      <section className="card" aria-labelledby="items-heading">
        <h2 id="items-heading">What it contains</h2>
        {items.length === 0 ? (
          <NothingHere>Stripe has not listed this payout's items yet.</NothingHere>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Customer</th>
                  <th scope="col">In the books</th>
                  <th scope="col" className="num">
                    Gross
                  </th>
                  <th scope="col" className="num">
                    Fee
                  </th>
                  <th scope="col" className="num">
                    Net
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((item) => (
                  <tr key={item.id}>
                    <td>
                      {item.reportingCategory.replaceAll("_", " ")}
                      <div className="muted small-print">
                        <code>{item.sourceId ?? item.balanceTransactionId}</code>
                      </div>
                    </td>
                    <td>{item.customerId && item.customerName ? <Link to={`/staff/customers/${item.customerId}`}>{item.customerName}</Link> : <span className="muted">—</span>}</td>
                    <td>
                      {item.paymentId ? (
                        <Link to={`/staff/payments/${item.paymentId}`}>Payment{item.reference ? ` ${item.reference}` : ""}</Link>
                      ) : item.refundId ? (
                        "A refund"
                      ) : item.chargebackId ? (
                        "A chargeback"
                      ) : (
                        <span className="muted">Not linked</span>
                      )}
                    </td>
                    <td className="num">
                      <Money minor={item.grossMinor} currency={currency} />
                    </td>
                    <td className="num">
                      <Money minor={item.feeMinor} currency={currency} />
                    </td>
                    <td className="num">
                      <Money minor={item.netMinor} currency={currency} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
