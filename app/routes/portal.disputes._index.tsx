import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requirePortalUser } from "~/auth/portal-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Money } from "~/components/money";
import { Pager } from "~/components/pager";
import { listDisputes, openDisputeTotals } from "~/disputes/disputes.server";
import { DisputeStatusBadge } from "~/disputes/dispute-ui";
import { disputeReasonLabels } from "~/disputes/labels";
import { formatDate } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Disputes · Customer portal" }];

const searchSchema = z.object({ page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1) });

export async function loader({ request }: LoaderFunctionArgs) {
  const { customer } = await requirePortalUser(request);
  const { page } = searchSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const [{ disputes, hasMore }, totals] = await Promise.all([listDisputes({ customerId: customer.id, page }), openDisputeTotals(customer.id)]);
  return {
    currency: customer.currency,
    totals,
    page,
    hasMore,
    disputes: disputes.map((d) => ({
      id: d.id,
      status: d.status,
      reason: d.reason,
      currency: d.currency,
      amountMinor: d.amountMinor,
      acceptedMinor: d.acceptedMinor,
      createdAt: d.createdAt,
      invoiceId: d.invoiceId,
      invoiceNumber: d.invoiceNumber ?? "",
      lineDescription: d.lineDescription,
    })),
  };
}

export default function PortalDisputes() {
  const { currency, totals, page, hasMore, disputes } = useLoaderData<typeof loader>();
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Disputes</h1>
          <p>Charges you have questioned. While a dispute is open, its amount is on hold and we won't ask you to pay it.</p>
        </div>
        <Link className="button secondary" to="/portal/invoices">
          Dispute a charge
        </Link>
      </header>

      <div className="grid dispute-stats">
        <div className="stat">
          <div className="label">On hold</div>
          <div className="value">
            <Money minor={totals.onHoldMinor} currency={currency} />
          </div>
          <div className="muted small-print">
            {totals.count === 0 ? "No open disputes" : `In ${totals.count} open dispute${totals.count === 1 ? "" : "s"}`}
          </div>
        </div>
      </div>

      {disputes.length === 0 && page === 1 ? (
        <section className="card empty-state">
          <h2>No disputes</h2>
          <p className="muted">
            If a charge looks wrong, open the invoice and choose <strong>Dispute</strong> next to the line. We put that amount on hold while we look into it.
          </p>
          <Link className="button" to="/portal/invoices">
            See your invoices
          </Link>
        </section>
      ) : (
        <div className="card table-wrap" style={{ padding: 0 }}>
          <table className="dispute-list">
            <thead>
              <tr>
                <th scope="col">Invoice</th>
                <th scope="col">Charge</th>
                <th scope="col">Reason</th>
                <th scope="col">Opened</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {disputes.map((d) => (
                <tr key={d.id}>
                  <td className="invoice nowrap">
                    <Link to={`/portal/disputes/${d.id}`} aria-label={`Dispute of invoice ${d.invoiceNumber}: ${d.lineDescription}`}>
                      {d.invoiceNumber}
                    </Link>
                  </td>
                  <td className="line">{d.lineDescription}</td>
                  <td className="reason">{disputeReasonLabels[d.reason]}</td>
                  <td className="date opened" data-label="Opened">
                    {formatDate(d.createdAt)}
                  </td>
                  <td className="num amount">
                    <Money minor={d.amountMinor} currency={d.currency} />
                    {d.status === "accepted" && d.acceptedMinor !== null && d.acceptedMinor !== d.amountMinor ? (
                      <div className="muted small-print">
                        <Money minor={d.acceptedMinor} currency={d.currency} /> credited
                      </div>
                    ) : null}
                  </td>
                  <td className="status">
                    <DisputeStatusBadge status={d.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager first={page > 1 ? "?" : null} next={hasMore ? `?page=${page + 1}` : null} />
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
