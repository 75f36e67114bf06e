import { useId } from "react";
import { lineDetail, statementTitle } from "~/documents/statement-params";
import type { Statement } from "~/ledger/statements.server";
import { formatDate } from "~/utils/format";
import { Money } from "./money";

/**
 * A statement as a page shows it: the same Statement the PDF and CSV are made from, so every
 * figure matches. Plain markup with no router or session, so the back office and the portal
 * can both render it; `invoiceHref` links open invoices where the viewer may open them.
 */
export function StatementView({ statement, invoiceHref }: { statement: Statement; invoiceHref?: (invoiceId: string) => string }) {
  const id = useId();
  const { customer, company } = statement;
  const currency = customer.currency;
  const period = statement.from ? `${formatDate(statement.from)} to ${formatDate(statement.to)}` : `As of ${formatDate(statement.to)}`;
  return (
    <article className="statement" aria-labelledby={`${id}-title`}>
      <header className="statement-head">
        <div>
          <p className="statement-company" style={{ color: company.brandColor }}>
            {company.companyName}
          </p>
          <h2 id={`${id}-title`}>{statementTitle(statement.kind)}</h2>
          <p className="muted">{period}</p>
        </div>
        <div className="statement-due">
          <span className="label">Balance due</span>
          <span className="value">
            <Money minor={statement.closingMinor} currency={currency} />
          </span>
          <span className="muted">as of {formatDate(statement.to)}</span>
        </div>
      </header>

      <div className="statement-parties">
        <div>
          <p className="doc-label">Account</p>
          <p className="statement-customer">{customer.name}</p>
          {customer.address ? <p>{customer.address}</p> : null}
          {customer.email ? <p className="muted">{customer.email}</p> : null}
        </div>
        <dl className="details">
          <dt>Account number</dt>
          <dd>{customer.accountNumber}</dd>
          <dt>Currency</dt>
          <dd>{currency}</dd>
          <dt>Statement date</dt>
          <dd>{formatDate(statement.generatedOn)}</dd>
          {statement.kind === "activity" ? (
            <>
              <dt>Opening balance</dt>
              <dd>
                <Money minor={statement.openingMinor} currency={currency} />
              </dd>
            </>
          ) : null}
        </dl>
      </div>

      {statement.kind === "activity" ? (
        <section aria-labelledby={`${id}-activity`}>
          <h3 id={`${id}-activity`}>Account activity</h3>
          <div className="table-wrap">
            <table className="statement-lines">
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Reference</th>
                  <th scope="col">Description</th>
                  <th scope="col" className="num">
                    Charges
                  </th>
                  <th scope="col" className="num">
                    Credits
                  </th>
                  <th scope="col" className="num">
                    Balance
                  </th>
                </tr>
              </thead>
              <tbody>
                <tr className="statement-edge">
                  <td className="nowrap">{formatDate(statement.from)}</td>
                  <th scope="row" colSpan={4}>
                    Opening balance
                  </th>
                  <td className="num">
                    <Money minor={statement.openingMinor} currency={currency} />
                  </td>
                </tr>
                {statement.lines.map((line, i) => (
                  <tr key={i}>
                    <td className="nowrap">{formatDate(line.date)}</td>
                    <td className="nowrap">{line.reference}</td>
                    <td>
                      {line.type}
                      {lineDetail(line) ? <span className="statement-detail">{lineDetail(line)}</span> : null}
                    </td>
                    <td className="num">{line.chargeMinor ? <Money minor={line.chargeMinor} currency={currency} /> : null}</td>
                    <td className="num">{line.creditMinor ? <Money minor={line.creditMinor} currency={currency} /> : null}</td>
                    <td className="num">
                      <Money minor={line.balanceMinor} currency={currency} />
                    </td>
                  </tr>
                ))}
                {statement.lines.length === 0 ? (
                  <tr>
                    <td />
                    <td colSpan={5} className="muted">
                      No activity in this period.
                    </td>
                  </tr>
                ) : null}
              </tbody>
              <tfoot>
                <tr>
                  <td className="nowrap">{formatDate(statement.to)}</td>
                  <th scope="row" colSpan={4}>
                    Closing balance
                  </th>
                  <td className="num">
                    <Money minor={statement.closingMinor} currency={currency} />
                  </td>
                </tr>
              </tfoot>
            </table>
          </div>
        </section>
      ) : null}

      <section aria-labelledby={`${id}-aging`}>
        <h3 id={`${id}-aging`}>Aging</h3>
        <div className="table-wrap">
          <table className="statement-aging">
            <thead>
              <tr>
                {statement.aging.map((bucket) => (
                  <th scope="col" className="num" key={bucket.key}>
                    {bucket.label}
                  </th>
                ))}
                <th scope="col" className="num">
                  Open invoices
                </th>
                <th scope="col" className="num">
                  Unapplied
                </th>
                <th scope="col" className="num">
                  Balance due
                </th>
              </tr>
            </thead>
            <tbody>
              <tr>
                {statement.aging.map((bucket) => (
                  <td className="num" key={bucket.key}>
                    <Money minor={bucket.amountMinor} currency={currency} />
                  </td>
                ))}
                <td className="num">
                  <Money minor={statement.agingTotalMinor} currency={currency} />
                </td>
                <td className="num">
                  <Money minor={-statement.unappliedMinor} currency={currency} />
                </td>
                <td className="num">
                  <strong>
                    <Money minor={statement.closingMinor} currency={currency} />
                  </strong>
                </td>
              </tr>
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby={`${id}-open`}>
        <h3 id={`${id}-open`}>Open items</h3>
        {statement.openItems.length === 0 ? (
          <p className="muted">Nothing is open on this account.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Reference</th>
                  <th scope="col">Date</th>
                  <th scope="col">Due date</th>
                  <th scope="col" className="num">
                    Days past due
                  </th>
                  <th scope="col" className="num">
                    Original
                  </th>
                  <th scope="col" className="num">
                    Open
                  </th>
                </tr>
              </thead>
              <tbody>
                {statement.openItems.map((item) => (
                  <tr key={`${item.kind}-${item.id}`}>
                    <td>{item.kind === "invoice" && invoiceHref ? <a href={invoiceHref(item.id)}>{item.reference}</a> : item.reference}</td>
                    <td>{formatDate(item.date)}</td>
                    <td>{item.dueDate ? formatDate(item.dueDate) : ""}</td>
                    <td className="num">{item.daysPastDue === null ? "" : item.daysPastDue > 0 ? <span className="badge danger">{item.daysPastDue}</span> : "Not due"}</td>
                    <td className="num">
                      <Money minor={item.originalMinor} currency={currency} />
                    </td>
                    <td className="num">
                      <strong>
                        <Money minor={item.openMinor} currency={currency} />
                      </strong>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {statement.planInstalments.length > 0 ? (
        <section aria-labelledby={`${id}-plan`}>
          <h3 id={`${id}-plan`}>Payment plan</h3>
          <p className="muted">Instalments still to pay on your payment plan.</p>
          <ul className="statement-plan">
            {statement.planInstalments.map((instalment, i) => (
              <li key={i}>
                <span>{formatDate(instalment.dueDate)}</span>
                <Money minor={instalment.amountMinor} currency={currency} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </article>
  );
}
