import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Money } from "~/components/money";
import { Pager } from "~/components/pager";
import { listDisputes } from "~/disputes/disputes.server";
import { DisputeStatusBadge } from "~/disputes/dispute-ui";
import { ageLabel, disputeReasonLabels, disputeStatusLabels, type DisputeStatus } from "~/disputes/labels";
import { formatDate } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Disputes · Settle back office" }];

const tabs: { status: DisputeStatus | "all"; label: string }[] = [
  { status: "open", label: "Open" },
  { status: "accepted", label: disputeStatusLabels.accepted },
  { status: "rejected", label: disputeStatusLabels.rejected },
  { status: "withdrawn", label: disputeStatusLabels.withdrawn },
  { status: "all", label: "All" },
];

const searchSchema = z.object({
  status: z.enum(["open", "accepted", "rejected", "withdrawn", "all"]).catch("open").default("open"),
  assigned: z.enum(["anyone", "me", "unassigned"]).catch("anyone").default("anyone"),
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
});

// An open dispute older than this is flagged in the queue.
const STALE_DAYS = 14;

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const { status, assigned, page } = searchSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { disputes, hasMore } = await listDisputes({
    status: status === "all" ? undefined : status,
    assignedTo: assigned === "me" ? user.id : assigned === "unassigned" ? "unassigned" : undefined,
    page,
  });
  return { disputes, hasMore, status, assigned, page };
}

export default function DisputeQueue() {
  const { disputes, hasMore, status, assigned, page } = useLoaderData<typeof loader>();
  const query = (changes: Record<string, string | number | null>) => {
    const params = new URLSearchParams();
    const merged: Record<string, string | number | null> = { status: status === "open" ? null : status, assigned: assigned === "anyone" ? null : assigned, ...changes };
    for (const [key, value] of Object.entries(merged)) if (value) params.set(key, String(value));
    const text = params.toString();
    return text ? `?${text}` : "?";
  };
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Disputes</h1>
          <p>Charges customers have questioned. Open ones first, oldest first; their amounts are on hold until you resolve them.</p>
        </div>
      </header>
      <nav className="tabs" aria-label="Dispute status">
        {tabs.map((tab) => (
          <Link key={tab.status} to={query({ status: tab.status === "open" ? null : tab.status, page: null })} aria-current={tab.status === status ? "page" : undefined}>
            {tab.label}
          </Link>
        ))}
      </nav>
      <Form method="get" className="filters">
        {status !== "open" ? <input type="hidden" name="status" value={status} /> : null}
        <div className="field">
          <label htmlFor="assigned-filter">Assigned to</label>
          <select id="assigned-filter" name="assigned" defaultValue={assigned}>
            <option value="anyone">Anyone</option>
            <option value="me">Me</option>
            <option value="unassigned">Nobody yet</option>
          </select>
        </div>
        <button type="submit" className="button secondary">
          Filter
        </button>
      </Form>
      <div className="card table-wrap" style={{ padding: 0 }}>
        <table className="dispute-queue">
          <thead>
            <tr>
              <th scope="col">Opened</th>
              <th scope="col">Customer</th>
              <th scope="col">Invoice and charge</th>
              <th scope="col">Reason</th>
              <th scope="col" className="num">
                Amount
              </th>
              <th scope="col">Assigned</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {disputes.length === 0 ? (
              <tr>
                <td colSpan={7} className="muted">
                  {status === "open" ? "No open disputes here. Nothing is waiting." : "No disputes here."}
                </td>
              </tr>
            ) : (
              disputes.map((d) => (
                <tr key={d.id}>
                  <td className="opened nowrap">
                    <Link to={`/staff/disputes/${d.id}`} aria-label={`Dispute of invoice ${d.invoiceNumber} by ${d.customerName}, opened ${formatDate(d.createdAt)}`}>
                      {formatDate(d.createdAt)}
                    </Link>
                    <div className="small-print">
                      {d.status === "open" ? (
                        <span className={d.ageDays > STALE_DAYS ? "badge danger" : "muted"}>{d.ageDays === 0 ? "Today" : `${ageLabel(d.ageDays)} old`}</span>
                      ) : (
                        <span className="muted">Closed {formatDate(d.resolvedAt)}</span>
                      )}
                    </div>
                  </td>
                  <td className="customer">
                    <Link to={`/staff/customers/${d.customerId}`}>{d.customerName}</Link>
                    <div className="muted small-print">{d.accountNumber}</div>
                  </td>
                  <td className="charge">
                    <Link to={`/staff/invoices/${d.invoiceId}`}>{d.invoiceNumber}</Link>
                    <div className="muted small-print">{d.lineDescription}</div>
                  </td>
                  <td className="reason">{disputeReasonLabels[d.reason]}</td>
                  <td className="num amount">
                    <Money minor={d.amountMinor} currency={d.currency} />
                  </td>
                  <td className="assignee">{d.assigneeName ?? <span className="muted">Nobody yet</span>}</td>
                  <td className="status">
                    <DisputeStatusBadge status={d.status} />
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <Pager first={page > 1 ? query({ page: null }) : null} next={hasMore ? query({ page: page + 1 }) : null} />
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
