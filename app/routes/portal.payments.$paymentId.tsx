import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requirePortalUser } from "~/auth/portal-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Money } from "~/components/money";
import { portalReceipt } from "~/portal/payments.server";
import { getCompanySettings } from "~/settings/settings.server";
import { formatDate } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? `Receipt for ${formatDate(data.payment.receivedOn)}` : "Receipt"} · Customer portal` }];

const paramsSchema = z.object({ paymentId: z.uuid() });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { customer } = await requirePortalUser(request);
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Payment not found");
  const [receipt, company] = await Promise.all([portalReceipt(parsed.data.paymentId, customer.id), getCompanySettings()]);
  invariantResponse(receipt, "Payment not found");
  return { ...receipt, company: { name: company.companyName, brandColor: company.brandColor, supportEmail: company.supportEmail }, customer: { name: customer.name, accountNumber: customer.accountNumber } };
}

export default function PortalReceipt() {
  const { payment, applied, refunds, creditMinor, company, customer } = useLoaderData<typeof loader>();
  const { currency } = payment;
  return (
    <>
      <div className="page-header no-print">
        <p className="muted">
          <Link to="/portal/payments">Payments</Link> / Receipt
        </p>
        <button type="button" className="button secondary" onClick={() => window.print()}>
          Print
        </button>
      </div>
      <article className="card receipt" aria-labelledby="receipt-title">
        <header className="receipt-head">
          <div>
            <p className="statement-company" style={{ color: company.brandColor }}>
              {company.name}
            </p>
            <h1 id="receipt-title">Payment receipt</h1>
            <p className="muted">
              {customer.name} · Account {customer.accountNumber}
            </p>
          </div>
          <div className="receipt-amount">
            <span className="label">Paid</span>
            <span className="value">
              <Money minor={payment.amountMinor} currency={currency} />
            </span>
            <span className="muted">on {formatDate(payment.receivedOn)}</span>
          </div>
        </header>

        {payment.reversed ? <p className="alert error">This payment was returned by the bank, so it no longer counts towards your invoices.</p> : null}

        <dl className="details receipt-details">
          <dt>Date</dt>
          <dd>{formatDate(payment.receivedOn)}</dd>
          <dt>Paid by</dt>
          <dd>{payment.card ?? payment.method}</dd>
          <dt>Reference</dt>
          <dd className="break">{payment.reference ?? "—"}</dd>
          <dt>Amount</dt>
          <dd>
            <Money minor={payment.amountMinor} currency={currency} />
          </dd>
        </dl>

        <h2>What it paid</h2>
        {applied.length === 0 ? (
          <p className="muted">This payment has not been set against an invoice.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Invoice</th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                </tr>
              </thead>
              <tbody>
                {applied.map((row, i) => (
                  <tr key={`${row.invoiceId}-${i}`}>
                    <td>
                      <Link to={`/portal/invoices/${row.invoiceId}`}>{row.invoiceNumber}</Link>
                    </td>
                    <td className="num">
                      <Money minor={row.amountMinor} currency={currency} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {refunds.length > 0 ? (
          <>
            <h2>Refunded to you</h2>
            <ul className="plain-list">
              {refunds.map((row) => (
                <li key={row.id}>
                  <Money minor={row.amountMinor} currency={currency} /> on {formatDate(row.refundedOn)}
                  {row.status !== "succeeded" ? ` (${row.status})` : ""}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        <p className="receipt-credit">
          {creditMinor > 0 ? (
            <>
              <strong>
                <Money minor={creditMinor} currency={currency} />
              </strong>{" "}
              is left as credit on your account. It already lowers your balance.
            </>
          ) : (
            "Nothing of this payment is left over."
          )}
        </p>
        <p className="muted small-print">
          Thank you for your payment.{company.supportEmail ? ` Questions? Write to ${company.supportEmail}.` : ""}
        </p>
      </article>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
