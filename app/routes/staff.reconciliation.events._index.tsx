import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useId } from "react";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Pager } from "~/components/pager";
import { EventStateBadge, NothingHere } from "~/components/reconciliation-ui";
import { formatDateTime } from "~/utils/format";
import { EVENT_PAGE_SIZE, eventState, listProcessorEvents } from "~/reconciliation/events.server";

export const meta: MetaFunction = () => [{ title: "Stripe events · Reconciliation · Settle back office" }];

const searchSchema = z.object({
  show: z.enum(["all", "problems"]).catch("all").default("all"),
  type: z
    .string()
    .trim()
    .max(100)
    .regex(/^[a-z0-9_.]*$/)
    .optional()
    .catch(undefined),
  before: z.iso.datetime({ offset: true }).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const { show, type, before } = searchSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const rows = await listProcessorEvents({ problems: show === "problems", type: type || undefined, before });
  const last = rows.at(-1);
  return {
    show,
    type: type || null,
    before: before ?? null,
    events: rows.map((event) => ({ ...event, state: eventState(event) })),
    nextBefore: rows.length === EVENT_PAGE_SIZE && last ? new Date(last.receivedAt).toISOString() : null,
  };
}

export default function ProcessorEvents() {
  const { show, type, before, events, nextBefore } = useLoaderData<typeof loader>();
  const typeId = useId();
  const query = (changes: Record<string, string | null>) => {
    const params = new URLSearchParams();
    const merged: Record<string, string | null> = { show: show === "all" ? null : show, type, ...changes };
    for (const [key, value] of Object.entries(merged)) if (value) params.set(key, value);
    const text = params.toString();
    return text ? `?${text}` : "?";
  };
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Stripe events</h1>
          <p>Everything Stripe told Settle, newest first. Each event is stored once and applied to the books; one that failed is retried by itself, and you can replay it once its cause is fixed.</p>
        </div>
      </header>
      <nav className="tabs" aria-label="Which events">
        <Link to={query({ show: null, before: null })} aria-current={show === "all" ? "page" : undefined}>
          All
        </Link>
        <Link to={query({ show: "problems", before: null })} aria-current={show === "problems" ? "page" : undefined}>
          Problems
        </Link>
      </nav>
      <Form method="get" className="filters">
        {show !== "all" ? <input type="hidden" name="show" value={show} /> : null}
        <div className="field">
          <label htmlFor={typeId}>Event type</label>
          <input id={typeId} name="type" defaultValue={type ?? ""} placeholder="payout.paid" autoComplete="off" />
        </div>
        <button type="submit" className="button secondary">
          Filter
        </button>
      </Form>
      <div className="card table-wrap" style={{ padding: 0 }}>
        <table>
          <thead>
            <tr>
              <th scope="col">Received</th>
              <th scope="col">Type</th>
              <th scope="col">Object</th>
              <th scope="col">State</th>
              <th scope="col" className="num">
                Attempts
              </th>
            </tr>
          </thead>
          <tbody>
            {events.length === 0 ? (
              <tr>
                <td colSpan={5}>
                  <NothingHere>{show === "problems" ? "No problems: every event was applied." : "No events from Stripe yet."}</NothingHere>
                </td>
              </tr>
            ) : (
              events.map((event) => (
                <tr key={event.id}>
                  <td className="nowrap">
                    <Link to={`/staff/reconciliation/events/${encodeURIComponent(event.id)}`} aria-label={`Event ${event.type}, received ${formatDateTime(event.receivedAt)}`}>
                      {formatDateTime(event.receivedAt)}
                    </Link>
                  </td>
                  <td>
                    <code>{event.type}</code>
                  </td>
                  <td className="break">{event.objectId ? <code>{event.objectId}</code> : <span className="muted">—</span>}</td>
                  <td>
                    <EventStateBadge state={event.state} />
                    {event.lastError ? <div className="muted small-print">{event.lastError}</div> : null}
                  </td>
                  <td className="num">{event.attempts}</td>
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
