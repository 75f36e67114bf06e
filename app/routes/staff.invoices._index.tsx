import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Pager } from "~/components/pager";
import { Money } from "~/components/money";
import { InvoiceStatusBadge } from "~/components/status-badge";
import { getCustomer } from "~/customers/customers.server";
import { listInvoices, type InvoiceFilter } from "~/ledger/invoices.server";
import { formatDate } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";

export const meta: MetaFunction = () => [{ title: "Invoices · Settle back office" }];

const tabs: { filter: InvoiceFilter; label: string }[] = [
  { filter: "all", label: "All" },
  { filter: "draft", label: "Drafts" },
  { filter: "open", label: "Open" },
  { filter: "overdue", label: "Overdue" },
  { filter: "paid", label: "Paid" },
  { filter: "void", label: "Void" },
  { filter: "written_off", label: "Written off" },
];

const searchSchema = z.object({
  status: z.enum(["all", "draft", "open", "overdue", "paid", "void", "written_off"]).catch("all").default("all"),
  q: z.string().trim().max(100).optional().catch(undefined),
  after: z.string().max(200).optional().catch(undefined),
  customerId: z.string().optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const { status, q, after, customerId } = searchSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  let customer: { id: string; name: string; accountNumber: string } | null = null;
  if (customerId !== undefined) {
    invariantResponse(z.uuid().safeParse(customerId).success, "Customer not found");
    const found = await getCustomer(customerId);
    invariantResponse(found, "Customer not found");
    customer = { id: found.customer.id, name: found.customer.name, accountNumber: found.customer.accountNumber };
  }
  const { invoices, nextCursor } = await listInvoices({ q: q || undefined, filter: status, customerId: customer?.id, after });
  return { invoices, nextCursor, status, q: q ?? "", after: after ?? null, customer, canCreate: hasRole(user, "clerk") };
}

export default function InvoiceList() {
  const { invoices, nextCursor, status, q, after, customer, canCreate } = useLoaderData<typeof loader>();
  const query = (changes: Record<string, string | null>) => {
    const params = new URLSearchParams();
    const merged: Record<string, string | null> = { status: status === "all" ? null : status, q: q || null, customerId: customer?.id ?? null, ...changes };
    for (const [key, value] of Object.entries(merged)) if (value) params.set(key, value);
    const text = params.toString();
    return text ? `?${text}` : "?";
  };
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Invoices</h1>
          <p>{customer ? `Invoices of ${customer.name} (${customer.accountNumber}).` : "Everything billed, newest first."}</p>
        </div>
        {canCreate ? (
          <Link className="button" to={customer ? `/staff/invoices/new?customerId=${customer.id}` : "/staff/invoices/new"}>
            New invoice
          </Link>
        ) : null}
      </header>
      {customer ? (
        <p className="filter-chip">
          Customer: <Link to={`/staff/customers/${customer.id}`}>{customer.name}</Link>
          <Link to={query({ customerId: null, after: null })} className="button secondary small">
            Show all customers
          </Link>
        </p>
      ) : null}
      <nav className="tabs" aria-label="Invoice status">
        {tabs.map((tab) => (
          <Link key={tab.filter} to={query({ status: tab.filter === "all" ? null : tab.filter, after: null })} aria-current={tab.filter === status ? "page" : undefined}>
            {tab.label}
          </Link>
        ))}
      </nav>
      <Form method="get" className="toolbar" role="search">
        {status !== "all" ? <input type="hidden" name="status" value={status} /> : null}
        {customer ? <input type="hidden" name="customerId" value={customer.id} /> : null}
        <div className="field">
          <label htmlFor="invoice-search" className="visually-hidden">
            Search invoices
          </label>
          <input id="invoice-search" type="search" name="q" defaultValue={q} placeholder="Number, customer, external ref or PO" />
        </div>
        <button type="submit" className="button secondary">
          Search
        </button>
      </Form>
      <div className="card table-wrap" style={{ padding: 0 }}>
        <table className="invoice-list">
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Customer</th>
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
                <td colSpan={7} className="muted">
                  {q ? `No invoices match “${q}”.` : "No invoices here."}
                </td>
              </tr>
            ) : (
              invoices.map((invoice) => (
                <tr key={invoice.id}>
                  <td className="number">
                    <Link to={`/staff/invoices/${invoice.id}`}>{invoice.number ?? "Draft"}</Link>
                  </td>
                  <td className="customer">
                    {invoice.customerName}
                    <div className="muted small-print">{invoice.accountNumber}</div>
                  </td>
                  <td className="date issued">{formatDate(invoice.issueDate)}</td>
                  <td className="date due" data-label="Due">
                    {formatDate(invoice.dueDate)}
                  </td>
                  <td className="num total">
                    <Money minor={invoice.totalMinor} currency={invoice.currency} />
                  </td>
                  <td className="num open" data-label="Open">
                    {invoice.status !== "draft" && invoice.status !== "void" ? <Money minor={invoice.openMinor} currency={invoice.currency} /> : <span className="muted">—</span>}
                  </td>
                  <td className="status">
                    <InvoiceStatusBadge status={invoice.displayStatus} />
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
