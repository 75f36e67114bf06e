import { Fragment } from "react";
import type { InvoiceDocument } from "~/documents/documents.server";
import { formatDate } from "~/utils/format";
import { Money } from "./money";
import { InvoiceStatusBadge } from "./status-badge";

/** An invoice laid out as the paper it stands for; the PDF draws the same fields. */
export function InvoiceDocumentView({ doc, headingLevel: Heading = "h2" }: { doc: InvoiceDocument; headingLevel?: "h1" | "h2" }) {
  const { customer, currency } = doc;
  return (
    <article className="invoice-doc" aria-labelledby="invoice-doc-title">
      <header className="doc-head">
        <p className="doc-company" style={{ color: doc.company.brandColor }}>
          {doc.company.companyName}
        </p>
        <div className="doc-title">
          <Heading id="invoice-doc-title">
            Invoice <span className="doc-number">{doc.number ?? "draft"}</span>
          </Heading>
          <InvoiceStatusBadge status={doc.status} />
        </div>
      </header>

      <div className="doc-parties">
        <div>
          <p className="doc-label">Bill to</p>
          <p className="doc-customer">{customer.name}</p>
          {customer.legalName ? <p>{customer.legalName}</p> : null}
          <address>
            {customer.addressLines.map((line) => (
              <span key={line}>{line}</span>
            ))}
          </address>
          {customer.email ? <p className="muted">{customer.email}</p> : null}
          {customer.taxId ? <p className="muted">Tax ID {customer.taxId}</p> : null}
        </div>
        <dl className="details doc-meta">
          <dt>Invoice number</dt>
          <dd>{doc.number ?? "—"}</dd>
          <dt>Issue date</dt>
          <dd>{formatDate(doc.issueDate)}</dd>
          <dt>Due date</dt>
          <dd>{formatDate(doc.dueDate)}</dd>
          <dt>Terms</dt>
          <dd>{doc.terms}</dd>
          {doc.poNumber ? (
            <>
              <dt>PO number</dt>
              <dd>{doc.poNumber}</dd>
            </>
          ) : null}
          <dt>Account</dt>
          <dd>{customer.accountNumber}</dd>
        </dl>
      </div>

      <div className="table-wrap">
        <table className="doc-lines">
          <thead>
            <tr>
              <th scope="col">Description</th>
              <th scope="col" className="num">
                Qty
              </th>
              <th scope="col" className="num">
                Unit price
              </th>
              <th scope="col" className="num">
                Tax
              </th>
              <th scope="col" className="num">
                Amount
              </th>
            </tr>
          </thead>
          <tbody>
            {doc.lines.map((line) => (
              <tr key={line.id}>
                <td>{line.description}</td>
                <td className="num">{line.quantity}</td>
                <td className="num">
                  <Money minor={line.unitPriceMinor} currency={currency} />
                </td>
                <td className="num">{line.taxRate}</td>
                <td className="num">
                  <Money minor={line.netMinor} currency={currency} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <dl className="details doc-totals">
        <dt>Subtotal</dt>
        <dd>
          <Money minor={doc.subtotalMinor} currency={currency} />
        </dd>
        <dt>Tax</dt>
        <dd>
          <Money minor={doc.taxMinor} currency={currency} />
        </dd>
        <dt className="strong">Total</dt>
        <dd className="strong">
          <Money minor={doc.totalMinor} currency={currency} />
        </dd>
        {doc.adjustments.map(({ label, amountMinor }) => (
          <Fragment key={label}>
            <dt>{label}</dt>
            <dd>
              <Money minor={-amountMinor} currency={currency} />
            </dd>
          </Fragment>
        ))}
        <dt className="due">Amount due</dt>
        <dd className="due">
          <Money minor={doc.amountDueMinor} currency={currency} />
        </dd>
      </dl>

      {doc.voidReason ? <p className="alert error">This invoice is void: {doc.voidReason}</p> : null}
      {doc.memo ? (
        <section className="doc-notes">
          <h3>Notes</h3>
          <p>{doc.memo}</p>
        </section>
      ) : null}
      {doc.amountDueMinor > 0 && doc.viewUrl ? (
        <section className="doc-notes doc-howto">
          <h3>How to pay</h3>
          {doc.discountOffer ? (
            <p>
              Take {doc.discountOffer.percent} off when paid by {formatDate(doc.discountOffer.until)}.
            </p>
          ) : null}
          <p>
            Pay online at <a href={doc.viewUrl}>{doc.viewUrl}</a>, or by bank transfer or check quoting invoice {doc.number}.
          </p>
        </section>
      ) : null}
    </article>
  );
}
