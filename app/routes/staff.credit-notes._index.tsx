import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Pager } from "~/components/pager";
import { Money } from "~/components/money";
import { getCustomer } from "~/customers/customers.server";
import { creditAvailable } from "~/ledger/applications.server";
import { CREDIT_NOTE_PAGE_SIZE, listCreditNotes } from "~/ledger/credit-notes.server";
import { formatDate } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";

export const meta: MetaFunction = () => [{ title: "Credit notes · Settle back office" }];

const kinds = [
  { kind: "credit_note", label: "Credit notes" },
  { kind: "discount", label: "Discounts" },
  { kind: "write_off", label: "Write-offs" },
] as const;

const searchSchema = z.object({
  kind: z.enum(["credit_note", "discount", "write_off"]).catch("credit_note"),
  // Numbers of one series sort in issue order, so the last number shown is the page cursor.
  before: z.string().max(40).optional().catch(undefined),
  customerId: z.uuid().optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const parsed = searchSchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  invariantResponse(parsed.success, "Customer not found");
  const { kind, before, customerId } = parsed.data;
  const customer = customerId ? await getCustomer(customerId) : null;
  invariantResponse(!customerId || customer, "Customer not found");
  const rows = await listCreditNotes({ kind, customerId, before, limit: CREDIT_NOTE_PAGE_SIZE + 1 });
  const page = rows.slice(0, CREDIT_NOTE_PAGE_SIZE);
  return {
    kind,
    notes: page.map((note) => ({ ...note, availableMinor: creditAvailable(note) })),
    nextBefore: rows.length > CREDIT_NOTE_PAGE_SIZE ? page.at(-1)?.number : undefined,
    customer: customer ? { id: customer.customer.id, name: customer.customer.name } : null,
    canIssue: hasRole(user, "clerk"),
  };
}

function noteStatus(note: { voidedAt: Date | null; availableMinor: number; totalMinor: number; refundedMinor: number }) {
  if (note.voidedAt) return <span className="badge">Void</span>;
  if (note.availableMinor === 0) return <span className="badge ok">{note.refundedMinor > 0 ? "Used" : "Applied"}</span>;
  if (note.availableMinor < note.totalMinor) return <span className="badge warn">Part applied</span>;
  return <span className="badge brand">Available</span>;
}

export default function CreditNoteList() {
  const { kind, notes, nextBefore, customer, canIssue } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const withParams = (extra: Record<string, string>) => `?${new URLSearchParams({ ...(customer ? { customerId: customer.id } : {}), ...extra })}`;
  return (
    <>
      <header className="page-header">
        <div>
          {customer ? (
            <p className="muted">
              <Link to={`/staff/customers/${customer.id}`}>{customer.name}</Link> / Credit notes
            </p>
          ) : null}
          <h1>Credit notes</h1>
          <p>Credits issued to customers, early-payment discounts taken and amounts written off.</p>
        </div>
        {canIssue ? (
          <Link to={customer ? `/staff/credit-notes/new?customerId=${customer.id}` : "/staff/credit-notes/new"} className="button">
            Issue a credit note
          </Link>
        ) : null}
      </header>
      <nav className="tabs" aria-label="Kind">
        {kinds.map((tab) => (
          <Link key={tab.kind} to={withParams({ kind: tab.kind })} aria-current={tab.kind === kind ? "page" : undefined}>
            {tab.label}
          </Link>
        ))}
        {customer ? (
          <Link to={`/staff/credit-notes?kind=${kind}`} className="tab-aside">
            All customers
          </Link>
        ) : null}
      </nav>
      <div className="card table-wrap" style={{ padding: 0 }}>
        <table>
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Issued</th>
              <th scope="col">Customer</th>
              <th scope="col">Invoice</th>
              <th scope="col">Reason</th>
              <th scope="col" className="num">
                Total
              </th>
              <th scope="col" className="num">
                Available
              </th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {notes.length === 0 ? (
              <tr>
                <td colSpan={8} className="muted">
                  Nothing here yet.
                </td>
              </tr>
            ) : (
              notes.map((note) => (
                <tr key={note.id}>
                  <td className="nowrap">
                    <Link to={`/staff/credit-notes/${note.id}`}>{note.number}</Link>
                  </td>
                  <td className="nowrap">{formatDate(note.issueDate)}</td>
                  <td>{note.customerName}</td>
                  <td className="nowrap">{note.invoiceId ? <Link to={`/staff/invoices/${note.invoiceId}`}>{note.invoiceNumber}</Link> : <span className="muted">Account credit</span>}</td>
                  <td className="reason-cell" title={note.reason}>
                    {note.reason}
                  </td>
                  <td className="num">
                    <Money minor={note.totalMinor} currency={note.currency} />
                  </td>
                  <td className="num">{note.availableMinor > 0 ? <Money minor={note.availableMinor} currency={note.currency} /> : <span className="muted">—</span>}</td>
                  <td>{noteStatus(note)}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <Pager first={params.get("before") ? withParams({ kind }) : null} next={nextBefore ? withParams({ kind, before: nextBefore }) : null} />
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
