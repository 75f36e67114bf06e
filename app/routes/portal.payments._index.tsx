import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requirePortalUser } from "~/auth/portal-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Money } from "~/components/money";
import { Pager } from "~/components/pager";
import { listPortalPayments, pendingOnlinePayments } from "~/portal/payments.server";
import { formatDate } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Payments · Customer portal" }];

const searchSchema = z.object({ after: z.string().max(200).optional().catch(undefined) });

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, customer } = await requirePortalUser(request);
  const { after } = searchSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const [{ payments, nextCursor }, pending] = await Promise.all([listPortalPayments({ customerId: customer.id, after }), after ? [] : pendingOnlinePayments(customer.id)]);
  return { payments, nextCursor, pending, after: after ?? null, canPay: user.role === "billing" };
}

const pendingText = {
  processing: { badge: "Pending", text: "Your bank is still clearing this payment. It usually takes a few working days; the invoices stay open until it does." },
  requires_action: { badge: "Waiting for you", text: "Your bank asked you to confirm this payment, and it has not been confirmed yet. Nothing has been taken." },
} as const;

export default function PortalPayments() {
  const { payments, nextCursor, pending, after, canPay } = useLoaderData<typeof loader>();
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Payments</h1>
          <p>Everything you have paid us, newest first. Open a payment for its receipt.</p>
        </div>
        {canPay ? (
          <Link className="button" to="/portal/pay">
            Make a payment
          </Link>
        ) : null}
      </header>

      {pending.length > 0 ? (
        <section className="card" aria-labelledby="pending-heading">
          <h2 id="pending-heading">On its way</h2>
          <ul className="pending-list">
            {pending.map((attempt) => (
              <li key={attempt.id}>
                <div className="pending-head">
                  <strong>
                    <Money minor={attempt.amountMinor} currency={attempt.currency} />
                  </strong>
                  <span className="badge warn">{pendingText[attempt.status as keyof typeof pendingText].badge}</span>
                  <span className="muted">started {formatDate(attempt.createdAt)}</span>
                </div>
                <p className="muted small-print">
                  {attempt.invoices.length > 0 ? `For ${attempt.invoices.join(", ")}. ` : ""}
                  {pendingText[attempt.status as keyof typeof pendingText].text}
                  {canPay && attempt.status === "requires_action" ? (
                    <>
                      {" "}
                      <Link to={`/portal/pay/${attempt.id}`}>Finish this payment</Link>
                    </>
                  ) : null}
                </p>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <div className="card table-wrap flush">
        <table className="portal-payment-list">
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Method</th>
              <th scope="col">Reference</th>
              <th scope="col" className="num">
                Amount
              </th>
              <th scope="col" className="num">
                Applied to invoices
              </th>
              <th scope="col" className="num">
                Credit left
              </th>
            </tr>
          </thead>
          <tbody>
            {payments.length === 0 ? (
              <tr>
                <td colSpan={6} className="muted empty">
                  No payments yet.
                </td>
              </tr>
            ) : (
              payments.map((payment) => (
                <tr key={payment.id}>
                  <td className="date">
                    <Link to={`/portal/payments/${payment.id}`} aria-label={`Receipt for the payment of ${formatDate(payment.receivedOn)}`}>
                      {formatDate(payment.receivedOn)}
                    </Link>
                    {payment.reversed ? <span className="badge danger">Returned</span> : null}
                  </td>
                  <td className="method">{payment.method}</td>
                  <td className="reference break">{payment.reference ?? <span className="muted">—</span>}</td>
                  <td className="num amount" data-label="Amount">
                    <Money minor={payment.amountMinor} currency={payment.currency} />
                  </td>
                  <td className="num applied" data-label="Applied">
                    <Money minor={payment.appliedMinor} currency={payment.currency} />
                  </td>
                  <td className="num credit" data-label="Credit left">
                    <Money minor={payment.creditMinor} currency={payment.currency} />
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <Pager first={after ? "?" : null} next={nextCursor ? `?after=${nextCursor}` : null} />
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
