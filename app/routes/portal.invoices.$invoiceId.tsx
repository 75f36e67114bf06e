import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Fragment } from "react";
import { z } from "zod";
import { requirePortalUser } from "~/auth/portal-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Money } from "~/components/money";
import { InvoiceStatusBadge } from "~/components/status-badge";
import { DisputeStatusBadge } from "~/disputes/dispute-ui";
import { disputeReasonLabels } from "~/disputes/labels";
import { getPortalInvoice } from "~/portal/invoices.server";
import { formatDate } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? `Invoice ${data.invoice.number}` : "Invoice"} · Customer portal` }];

const paramsSchema = z.object({ invoiceId: z.uuid() });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, customer } = await requirePortalUser(request);
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Invoice not found");
  const detail = await getPortalInvoice(parsed.data.invoiceId, customer.id);
  invariantResponse(detail, "Invoice not found");
  return { ...detail, canAct: user.role === "billing" };
}

export default function PortalInvoice() {
  const { invoice, lines, applied, disputes, disputedMinor, payableMinor, canAct } = useLoaderData<typeof loader>();
  const { currency } = invoice;
  const reductions = [
    { label: "Paid", minor: invoice.paidMinor },
    { label: "Credited", minor: invoice.creditedMinor },
    { label: "Early-payment discount", minor: invoice.discountedMinor },
    { label: "Written off", minor: invoice.writtenOffMinor },
  ].filter((row) => row.minor !== 0);
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/portal/invoices">Invoices</Link> / {invoice.number}
          </p>
          <h1 className="title-with-badge">
            Invoice {invoice.number} <InvoiceStatusBadge status={invoice.displayStatus} />
          </h1>
          <p>
            Issued {formatDate(invoice.issueDate)} · {invoice.status === "open" ? (invoice.displayStatus === "overdue" ? "was due" : "due") : "was due"} {formatDate(invoice.dueDate)}
            {invoice.poNumber ? ` · Your PO ${invoice.poNumber}` : ""}
          </p>
        </div>
        <div className="actions">
          {canAct && payableMinor > 0 ? (
            <Link className="button" to={`/portal/pay?invoice=${invoice.id}`}>
              Pay this invoice
            </Link>
          ) : null}
          <a className="button secondary" href={`/portal/invoices/${invoice.id}/pdf`} download>
            Download PDF
          </a>
        </div>
      </header>

      {invoice.voidReason ? <p className="alert info">This invoice was cancelled ({invoice.voidReason}). Nothing is due on it.</p> : null}
      {invoice.discountDueDate && payableMinor > 0 ? (
        <p className="alert ok">
          Pay in full by {formatDate(invoice.discountDueDate)} and take {invoice.earlyDiscount} off.
        </p>
      ) : null}

      <div className="grid invoice-figures">
        <div className="stat">
          <div className="label">Total</div>
          <div className="value">
            <Money minor={invoice.totalMinor} currency={currency} />
          </div>
        </div>
        <div className={`stat${invoice.displayStatus === "overdue" ? " stat-danger" : ""}`}>
          <div className="label">Still open</div>
          <div className="value">
            <Money minor={invoice.openMinor} currency={currency} />
          </div>
          <p className="hint">{invoice.openMinor === 0 ? "Nothing is left to pay." : invoice.displayStatus === "overdue" ? "Past its due date." : `Due ${formatDate(invoice.dueDate)}.`}</p>
        </div>
        {disputedMinor > 0 ? (
          <div className="stat stat-warn">
            <div className="label">On hold (disputed)</div>
            <div className="value">
              <Money minor={disputedMinor} currency={currency} />
            </div>
            <p className="hint">
              You don't pay this while we look into it. You can pay the other <Money minor={payableMinor} currency={currency} />.
            </p>
          </div>
        ) : null}
      </div>

      <section className="card" aria-labelledby="lines-heading">
        <h2 id="lines-heading">What you were billed for</h2>
        <div className="table-wrap">
          <table className="portal-lines">
            <thead>
              <tr>
                <th scope="col">Description</th>
                <th scope="col" className="num detail">
                  Qty
                </th>
                <th scope="col" className="num detail">
                  Unit price
                </th>
                <th scope="col" className="num detail">
                  Tax
                </th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">
                  <span className="visually-hidden">Questions about this line</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {lines.map((line) => (
                <tr key={line.id}>
                  <td className="description">
                    {line.description}
                    <span className="line-calc">
                      {line.quantity} × <Money minor={line.unitPriceMinor} currency={currency} /> · tax {line.taxRate}
                    </span>
                    {line.creditedMinor > 0 ? (
                      <span className="line-note">
                        Credited <Money minor={line.creditedMinor} currency={currency} />
                      </span>
                    ) : null}
                    {line.disputedMinor > 0 ? (
                      <span className="line-note warn">
                        Disputed <Money minor={line.disputedMinor} currency={currency} />, on hold
                      </span>
                    ) : null}
                  </td>
                  <td className="num detail">{line.quantity}</td>
                  <td className="num detail">
                    <Money minor={line.unitPriceMinor} currency={currency} />
                  </td>
                  <td className="num detail">{line.taxRate}</td>
                  <td className="num">
                    <Money minor={line.netMinor} currency={currency} />
                  </td>
                  <td className="line-action">
                    {canAct && line.disputableMinor > 0 ? (
                      <Link to={`/portal/invoices/${invoice.id}/dispute?line=${line.id}`} aria-label={`Dispute the line “${line.description}”`}>
                        Dispute
                      </Link>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <dl className="details doc-totals">
          <dt>Subtotal</dt>
          <dd>
            <Money minor={invoice.subtotalMinor} currency={currency} />
          </dd>
          <dt>Tax</dt>
          <dd>
            <Money minor={invoice.taxMinor} currency={currency} />
          </dd>
          <dt className="strong">Total</dt>
          <dd className="strong">
            <Money minor={invoice.totalMinor} currency={currency} />
          </dd>
          {reductions.map((row) => (
            <Fragment key={row.label}>
              <dt>{row.label}</dt>
              <dd>
                <Money minor={-row.minor} currency={currency} />
              </dd>
            </Fragment>
          ))}
          <dt className="due">Still open</dt>
          <dd className="due">
            <Money minor={invoice.openMinor} currency={currency} />
          </dd>
        </dl>
        {invoice.memo ? <p className="memo">{invoice.memo}</p> : null}
      </section>

      <div className="two-col">
        <section className="card" aria-labelledby="applied-heading">
          <h2 id="applied-heading">Payments and credits</h2>
          {applied.length === 0 ? (
            <p className="muted">Nothing has been paid or credited on this invoice yet.</p>
          ) : (
            <div className="table-wrap">
              <table className="applied-list">
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    <th scope="col">What</th>
                    <th scope="col">Reference</th>
                    <th scope="col" className="num">
                      Amount
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {applied.map((row) => (
                    <tr key={row.id}>
                      <td className="nowrap date">{formatDate(row.date)}</td>
                      <td className="what">{row.paymentId ? <Link to={`/portal/payments/${row.paymentId}`}>{row.label}</Link> : row.label}</td>
                      <td className="break reference">{row.reference ?? <span className="muted">—</span>}</td>
                      <td className="num amount">
                        <Money minor={row.amountMinor} currency={currency} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>

        <section className="card" aria-labelledby="disputes-heading">
          <h2 id="disputes-heading">Disputes</h2>
          {disputes.length === 0 ? (
            <p className="muted">{canAct && lines.some((line) => line.disputableMinor > 0) ? "Think a line is wrong? Use “Dispute” beside it. What you dispute is put on hold." : "No disputes on this invoice."}</p>
          ) : (
            <ul className="invoice-disputes">
              {disputes.map((dispute) => (
                <li key={dispute.id}>
                  <div>
                    <Link to={`/portal/disputes/${dispute.id}`}>{dispute.lineDescription}</Link>
                    <DisputeStatusBadge status={dispute.status} />
                  </div>
                  <div className="muted small-print">
                    <Money minor={dispute.amountMinor} currency={currency} /> · {disputeReasonLabels[dispute.reason]} · opened {formatDate(dispute.createdAt)}
                    {dispute.acceptedMinor ? (
                      <>
                        {" "}
                        · <Money minor={dispute.acceptedMinor} currency={currency} /> credited
                      </>
                    ) : null}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
