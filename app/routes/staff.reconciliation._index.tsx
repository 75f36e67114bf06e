import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Money } from "~/components/money";
import { NothingHere, PayoutsTable } from "~/components/reconciliation-ui";
import { reconciliationOverview } from "~/reconciliation/bank-import.server";
import { countOpenExceptions, exceptionKindLabels } from "~/reconciliation/exceptions.server";
import { addDays, today } from "~/utils/dates";
import { formatDate } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Reconciliation · Settle back office" }];

const DAYS_SHOWN = 14;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const to = today();
  const from = addDays(to, -(DAYS_SHOWN - 1));
  const [counts, overview] = await Promise.all([countOpenExceptions(), reconciliationOverview({ from, to })]);
  return {
    from,
    to,
    openByKind: counts.map((row) => ({ ...row, label: exceptionKindLabels[row.kind] })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label)),
    // A day is out of line when what Stripe received is not all applied or waiting on the queue.
    // "Applied" counts every payment's applications that day (checks, transfers, older credit too),
    // so only a shortfall is a warning; more applied than received is ordinary.
    days: overview.days.map((day) => ({ ...day, gapMinor: day.receivedMinor - day.appliedMinor - day.exceptionMinor })),
    payouts: overview.payouts.slice(0, 10),
    openExceptions: overview.openExceptions,
  };
}

export default function ReconciliationOverview() {
  const { from, to, openByKind, days, payouts, openExceptions } = useLoaderData<typeof loader>();
  const outOfLine = days.filter((day) => day.gapMinor > 0).length;
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Reconciliation</h1>
          <p>Where the money Stripe and the bank report meets the books. Anything Settle could not match by itself waits on the exceptions queue for you.</p>
        </div>
        <div className="actions">
          <Link className="button" to="/staff/reconciliation/exceptions">
            Work the queue ({openExceptions})
          </Link>
          <Link className="button secondary" to="/staff/reconciliation/bank">
            Import a bank statement
          </Link>
        </div>
      </header>

      <section className="card" aria-labelledby="open-heading">
        <h2 id="open-heading">Open exceptions</h2>
        {openByKind.length === 0 ? (
          <NothingHere>Nothing to reconcile: every payment, refund and bank line is matched.</NothingHere>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">What</th>
                  <th scope="col" className="num">
                    Count
                  </th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                </tr>
              </thead>
              <tbody>
                {openByKind.map((row) => (
                  <tr key={`${row.kind}-${row.currency}`}>
                    <td>
                      <Link to={`/staff/reconciliation/exceptions?kind=${row.kind}`}>{row.label}</Link>
                    </td>
                    <td className="num">{row.count.toLocaleString("en-US")}</td>
                    <td className="num">
                      <Money minor={row.amountMinor} currency={row.currency} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="days-heading">
        <h2 id="days-heading">
          Day by day, {formatDate(from)} – {formatDate(to)}
        </h2>
        <p className="muted small-print">
          Received: card and bank-debit payments Stripe took. Deposited: what reached the bank (payouts and matched transfers). Applied: money put on invoices. Waiting: open exceptions from that day. A day is marked when what Stripe received is more than what was applied plus what waits; applied can be more than received, since it also counts checks, transfers and older credit.
        </p>
        {days.length === 0 ? (
          <NothingHere>No money moved in these {DAYS_SHOWN} days.</NothingHere>
        ) : (
          <>
            {outOfLine > 0 ? (
              <p className="alert info" role="status">
                {outOfLine === 1 ? "On one day" : `On ${outOfLine} days`} Stripe received more than was applied or is waiting as an exception. That money is usually unapplied credit on a customer's account: check the day's payments.
              </p>
            ) : null}
            <div className="table-wrap">
              <table className="reconciliation-days">
                <thead>
                  <tr>
                    <th scope="col">Day</th>
                    <th scope="col" className="num">
                      Received (Stripe)
                    </th>
                    <th scope="col" className="num">
                      Deposited (bank)
                    </th>
                    <th scope="col" className="num">
                      Applied to invoices
                    </th>
                    <th scope="col" className="num">
                      Waiting as exceptions
                    </th>
                    <th scope="col">Check</th>
                  </tr>
                </thead>
                <tbody>
                  {days.map((day) => (
                    <tr key={`${day.day}-${day.currency}`} className={day.gapMinor > 0 ? "out-of-line" : undefined}>
                      <th scope="row" className="nowrap">
                        {formatDate(day.day)} <span className="muted small-print">{day.currency}</span>
                      </th>
                      <td className="num">
                        <Money minor={day.receivedMinor} currency={day.currency} />
                      </td>
                      <td className="num">
                        <Money minor={day.depositedMinor} currency={day.currency} />
                      </td>
                      <td className="num">
                        <Money minor={day.appliedMinor} currency={day.currency} />
                      </td>
                      <td className="num">
                        <Money minor={day.exceptionMinor} currency={day.currency} />
                        {day.exceptionCount > 0 ? <div className="muted small-print">{day.exceptionCount} open</div> : null}
                      </td>
                      <td>
                        {day.gapMinor > 0 ? (
                          <span className="badge warn">
                            <Money minor={day.gapMinor} currency={day.currency} /> not applied or waiting
                          </span>
                        ) : day.gapMinor === 0 ? (
                          <span className="badge ok">Adds up</span>
                        ) : (
                          <span className="muted small-print">Also other payments</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>

      <section className="card" aria-labelledby="payouts-heading">
        <h2 id="payouts-heading">Recent payouts</h2>
        {payouts.length === 0 ? (
          <NothingHere>No Stripe payouts in this period.</NothingHere>
        ) : (
          <PayoutsTable payouts={payouts} />
        )}
        <p>
          <Link to="/staff/reconciliation/payouts">All payouts</Link>
        </p>
      </section>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
