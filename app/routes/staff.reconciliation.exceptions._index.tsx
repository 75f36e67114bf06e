import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useId } from "react";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Money } from "~/components/money";
import { Pager } from "~/components/pager";
import { ExceptionStatusBadge, NothingHere } from "~/components/reconciliation-ui";
import { EXCEPTION_PAGE_SIZE, exceptionKindLabels, listExceptions, type ExceptionKind } from "~/reconciliation/exceptions.server";
import { formatDate, formatDateTime } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Exceptions · Reconciliation · Settle back office" }];

const kinds = Object.keys(exceptionKindLabels) as [ExceptionKind, ...ExceptionKind[]];

const searchSchema = z.object({
  status: z.enum(["open", "resolved"]).catch("open").default("open"),
  kind: z.enum(kinds).optional().catch(undefined),
  before: z.iso.datetime({ offset: true }).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const { status, kind, before } = searchSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const rows = await listExceptions({ status, kind, cursor: before });
  return {
    status,
    kind: kind ?? null,
    before: before ?? null,
    kinds: kinds.map((value) => ({ value, label: exceptionKindLabels[value] })),
    exceptions: rows.map(({ exception, customerName, accountNumber }) => ({
      id: exception.id,
      kind: exception.kind,
      kindLabel: exceptionKindLabels[exception.kind],
      status: exception.status,
      resolution: exception.resolution,
      reason: exception.reason,
      amountMinor: exception.amountMinor,
      currency: exception.currency,
      occurredOn: exception.occurredOn,
      createdAt: exception.createdAt,
      resolvedAt: exception.resolvedAt,
      customerId: exception.customerId,
      customerName,
      accountNumber,
      suggested: exception.suggestion !== null,
    })),
    nextBefore: rows.nextCursor ?? null,
  };
}

export default function ExceptionQueue() {
  const { status, kind, before, kinds, exceptions, nextBefore } = useLoaderData<typeof loader>();
  const kindId = useId();
  const query = (changes: Record<string, string | null>) => {
    const params = new URLSearchParams();
    const merged: Record<string, string | null> = { status: status === "open" ? null : status, kind, ...changes };
    for (const [key, value] of Object.entries(merged)) if (value) params.set(key, value);
    const text = params.toString();
    return text ? `?${text}` : "?";
  };
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Exceptions</h1>
          <p>Money Settle could not match to an invoice by itself. Open ones are oldest first: each says what happened and what you can do about it.</p>
        </div>
      </header>
      <nav className="tabs" aria-label="Exception status">
        <Link to={query({ status: null, before: null })} aria-current={status === "open" ? "page" : undefined}>
          Open
        </Link>
        <Link to={query({ status: "resolved", before: null })} aria-current={status === "resolved" ? "page" : undefined}>
          Resolved
        </Link>
      </nav>
      <Form method="get" className="filters">
        {status !== "open" ? <input type="hidden" name="status" value={status} /> : null}
        <div className="field">
          <label htmlFor={kindId}>Kind</label>
          <select id={kindId} name="kind" defaultValue={kind ?? ""}>
            <option value="">All kinds</option>
            {kinds.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button secondary">
          Filter
        </button>
      </Form>
      <div className="card table-wrap" style={{ padding: 0 }}>
        <table className="exception-queue">
          <thead>
            <tr>
              <th scope="col">{status === "open" ? "Since" : "Resolved"}</th>
              <th scope="col">What happened</th>
              <th scope="col">Customer</th>
              <th scope="col" className="num">
                Amount
              </th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {exceptions.length === 0 ? (
              <tr>
                <td colSpan={5}>
                  <NothingHere>{status === "open" ? "Nothing to reconcile here: no open exceptions." : "No resolved exceptions here yet."}</NothingHere>
                </td>
              </tr>
            ) : (
              exceptions.map((row) => (
                <tr key={row.id}>
                  <td className="nowrap">
                    <Link to={`/staff/reconciliation/exceptions/${row.id}`} aria-label={`${row.kindLabel}, ${formatDate(row.occurredOn)}`}>
                      {status === "open" ? formatDate(row.occurredOn) : formatDateTime(row.resolvedAt)}
                    </Link>
                  </td>
                  <td>
                    <strong>{row.kindLabel}</strong>
                    {row.suggested && row.status === "open" ? <span className="badge brand">Match suggested</span> : null}
                    <div className="muted small-print">{row.reason}</div>
                  </td>
                  <td>
                    {row.customerId && row.customerName ? (
                      <>
                        <Link to={`/staff/customers/${row.customerId}`}>{row.customerName}</Link>
                        <div className="muted small-print">{row.accountNumber}</div>
                      </>
                    ) : (
                      <span className="muted">Not known</span>
                    )}
                  </td>
                  <td className="num">
                    <Money minor={row.amountMinor} currency={row.currency} />
                  </td>
                  <td>
                    <ExceptionStatusBadge status={row.status} resolution={row.resolution} />
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <Pager first={before ? query({ before: null }) : null} next={nextBefore ? query({ before: nextBefore }) : null} />
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
