import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requirePortalUser } from "~/auth/portal-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Money } from "~/components/money";
import { Pager } from "~/components/pager";
import { InvoiceStatusBadge } from "~/components/status-badge";
import { listPortalInvoices, portalInvoiceFilters, type PortalInvoiceFilter } from "~/portal/invoices.server";
import { formatDate } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Invoices · Customer portal" }];

const tabs: { filter: PortalInvoiceFilter; label: string }[] = [
  { filter: "all", label: "All" },
  { filter: "open", label: "Open" },
  { filter: "overdue", label: "Overdue" },
  { filter: "paid", label: "Paid" },
  { filter: "disputed", label: "Disputed" },
];

const searchSchema = z.object({
  status: z.enum(portalInvoiceFilters).catch("all").default("all"),
  q: z.string().trim().max(100).optional().catch(undefined),
  after: z.string().max(200).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, customer } = await requirePortalUser(request);
  const { status, q, after } = searchSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { invoices, nextCursor } = await listPortalInvoices({ customerId: customer.id, filter: status, q: q || undefined, after });
  return { invoices, nextCursor, status, q: q ?? "", after: after ?? null, canPromise: user.role === "billing" };
}

const emptyText: Record<PortalInvoiceFilter, string> = {
  all: "No invoices yet.",
  open: "Nothing is open. You're all paid up.",
  overdue: "Nothing is overdue.",
  paid: "No paid invoices yet.",
  disputed: "You are not disputing anything.",
};

export default function PortalInvoices() {
  const { invoices, nextCursor, status, q, after, canPromise } = useLoaderData<typeof loader>();
  const query = (changes: Record<string, string | null>) => {
    const params = new URLSearchParams();
    const merged: Record<string, string | null> = { status: status === "all" ? null : status, q: q || null, ...changes };
    for (const [key, value] of Object.entries(merged)) if (value) params.set(key, value);
    const text = params.toString();
    return text ? `?${text}` : "?";
  };
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Invoices</h1>
          <p>Everything we have billed you, newest first. Open one to see its lines, pay it or question a charge.</p>
        </div>
        {canPromise && (status === "open" || status === "overdue") && invoices.length > 0 ? (
          <Link className="button secondary" to="/portal/promise">
            Promise to pay
          </Link>
        ) : null}
      </header>
      <nav className="tabs" aria-label="Show invoices">
        {tabs.map((tab) => (
          <Link key={tab.filter} to={query({ status: tab.filter === "all" ? null : tab.filter, after: null })} aria-current={tab.filter === status ? "page" : undefined}>
            {tab.label}
          </Link>
        ))}
      </nav>
      <Form method="get" className="toolbar" role="search">
        {status !== "all" ? <input type="hidden" name="status" value={status} /> : null}
        <div className="field">
          <label htmlFor="invoice-search" className="visually-hidden">
            Find an invoice
          </label>
          <input id="invoice-search" type="search" name="q" defaultValue={q} placeholder="Invoice number or your PO number" />
        </div>
        <button type="submit" className="button secondary">
          Find
        </button>
        {q ? (
          <Link to={query({ q: null, after: null })} className="button link">
            Clear
          </Link>
        ) : null}
      </Form>
      <div className="card table-wrap flush">
        <table className="portal-invoice-list">
          <thead>
            <tr>
              <th scope="col">Invoice</th>
              <th scope="col">Issued</th>
              <th scope="col">Due</th>
              <th scope="col" className="num">
                Total
              </th>
              <th scope="col" className="num">
                Open
              </th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {invoices.length === 0 ? (
              <tr>
                <td colSpan={6} className="muted empty">
                  {q ? `No invoice matches “${q}”.` : emptyText[status]}
                </td>
              </tr>
            ) : (
              invoices.map((invoice) => (
                <tr key={invoice.id}>
                  <td className="number">
                    <Link to={`/portal/invoices/${invoice.id}`}>{invoice.number}</Link>
                    {invoice.poNumber ? <div className="muted small-print">PO {invoice.poNumber}</div> : null}
                  </td>
                  <td className="date issued">{formatDate(invoice.issueDate)}</td>
                  <td className="date due" data-label="Due">
                    {formatDate(invoice.dueDate)}
                  </td>
                  <td className="num total">
                    <Money minor={invoice.totalMinor} currency={invoice.currency} />
                  </td>
                  <td className="num open" data-label="Open">
                    {invoice.status === "void" ? <span className="muted">—</span> : <Money minor={invoice.openMinor} currency={invoice.currency} />}
                  </td>
                  <td className="status">
                    <span className="badges">
                      <InvoiceStatusBadge status={invoice.displayStatus} />
                      {invoice.disputedMinor > 0 ? (
                        <span className="badge warn" title="This amount is on hold while we look into your dispute">
                          Disputed <Money minor={invoice.disputedMinor} currency={invoice.currency} />
                        </span>
                      ) : null}
                    </span>
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <Pager first={after ? query({ after: null }) : null} next={nextCursor ? query({ after: nextCursor }) : null} />
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
