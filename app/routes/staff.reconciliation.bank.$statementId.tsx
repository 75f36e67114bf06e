import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Money } from "~/components/money";
import { BankLineCells, NothingHere } from "~/components/reconciliation-ui";
import { getBankStatement } from "~/reconciliation/bank-import.server";
import { formatDateTime } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? `Statement ${data.statement.fileName}` : "Statement"} · Reconciliation · Settle back office` }];

const paramsSchema = z.object({ statementId: z.uuid() });

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Statement not found");
  const detail = await getBankStatement(parsed.data.statementId);
  invariantResponse(detail, "Statement not found");
  const { statement, lines } = detail;
  return {
    statement,
    lines: lines.map((line) => ({
      id: line.id,
      bookingDate: line.bookingDate,
      amountMinor: line.amountMinor,
      currency: line.currency,
      direction: line.direction,
      payerName: line.payerName,
      remittance: line.remittance,
      status: line.status,
      confidence: line.confidence,
      reasons: line.reasons,
      customerId: line.customerId,
      customerName: line.customerName,
      paymentId: line.paymentId,
      payoutId: line.payoutId,
    })),
  };
}

export default function BankStatementPage() {
  const { statement, lines } = useLoaderData<typeof loader>();
  const waiting = lines.filter((line) => line.status === "suggested" || line.status === "unmatched").length;
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/staff/reconciliation/bank">Bank statements</Link> / {statement.fileName}
          </p>
          <h1>{statement.fileName}</h1>
          <p>
            {statement.format === "camt053" ? "camt.053" : "CSV"} · account {statement.accountId}
            {statement.statementRef ? ` · statement ${statement.statementRef}` : ""} · imported {formatDateTime(statement.createdAt)}
          </p>
        </div>
      </header>
      <div className="grid">
        <div className="stat">
          <div className="label">Lines in the file</div>
          <div className="value">{statement.lineCount}</div>
        </div>
        <div className="stat">
          <div className="label">New lines</div>
          <div className="value">{statement.newLineCount}</div>
          {statement.newLineCount < statement.lineCount ? <div className="muted small-print">The rest came in an earlier file</div> : null}
        </div>
        {statement.currency && statement.openingBalanceMinor !== null ? (
          <div className="stat">
            <div className="label">Opening balance</div>
            <div className="value">
              <Money minor={statement.openingBalanceMinor} currency={statement.currency} />
            </div>
          </div>
        ) : null}
        {statement.currency && statement.closingBalanceMinor !== null ? (
          <div className="stat">
            <div className="label">Closing balance</div>
            <div className="value">
              <Money minor={statement.closingBalanceMinor} currency={statement.currency} />
            </div>
          </div>
        ) : null}
      </div>
      {waiting > 0 ? (
        <p className="alert info" role="status">
          {waiting} line{waiting === 1 ? "" : "s"} of this statement wait{waiting === 1 ? "s" : ""} on the <Link to="/staff/reconciliation/exceptions">exceptions queue</Link>.
        </p>
      ) : null}
      <section className="card" aria-labelledby="lines-heading">
        <h2 id="lines-heading">Lines</h2>
        {lines.length === 0 ? (
          <NothingHere>No new lines: everything in this file had been imported before.</NothingHere>
        ) : (
          <div className="table-wrap">
            <table className="bank-lines">
              <thead>
                <tr>
                  <th scope="col">Booked</th>
                  <th scope="col">Payer and reference</th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                  <th scope="col">Decision</th>
                  <th scope="col">Confidence</th>
                  <th scope="col">Why</th>
                  <th scope="col">In the books</th>
                </tr>
              </thead>
              <tbody>
                {lines.map((line) => (
                  <tr key={line.id}>
                    <BankLineCells line={{ ...line, decision: line.status }} />
                    <td>
                      {line.paymentId ? (
                        <Link to={`/staff/payments/${line.paymentId}`}>Payment{line.customerName ? ` from ${line.customerName}` : ""}</Link>
                      ) : line.payoutId ? (
                        <Link to={`/staff/reconciliation/payouts/${line.payoutId}`}>Stripe payout</Link>
                      ) : line.status === "suggested" || line.status === "unmatched" ? (
                        <Link to={`/staff/reconciliation/exceptions?kind=${line.status === "suggested" ? "bank_suggestion" : "bank_unmatched"}`}>On the queue</Link>
                      ) : line.customerId && line.customerName ? (
                        <Link to={`/staff/customers/${line.customerId}`}>{line.customerName}</Link>
                      ) : (
                        <span className="muted">—</span>
                      )}
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
