import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert, SubmitButton } from "~/components/forms";
import { EventStateBadge, eventStateText } from "~/components/reconciliation-ui";
import { runDomain } from "~/utils/action.server";
import { formatDateTime } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";
import { eventState, getProcessorEvent, replayEvent } from "~/reconciliation/events.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? `Event ${data.event.type}` : "Event"} · Reconciliation · Settle back office` }];

// Stripe event ids look like evt_1Nx…; the demo processor's are similar. Anything else is not one.
const paramsSchema = z.object({ eventId: z.string().min(1).max(255).regex(/^[A-Za-z0-9_-]+$/) });

async function requireEvent(params: unknown) {
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Event not found");
  const event = await getProcessorEvent(parsed.data.eventId);
  invariantResponse(event, "Event not found");
  return event;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const event = await requireEvent(params);
  return {
    event: { id: event.id, processor: event.processor, type: event.type, objectId: event.objectId, occurredAt: event.occurredAt, receivedAt: event.receivedAt, processedAt: event.processedAt, attempts: event.attempts, nextAttemptAt: event.nextAttemptAt, lastError: event.lastError },
    state: eventState(event),
    payload: JSON.stringify(event.payload, null, 2),
    canReplay: hasRole(user, "clerk"),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "clerk");
  const event = await requireEvent(params);
  const intent = (await request.formData()).get("intent");
  if (intent !== "replay") return data({ ok: false as const, errors: { intent: "Unknown action" }, message: "Unknown action" }, { status: 400 });
  const result = await runDomain(() => replayEvent(event.id, { type: "staff", id: user.id, label: user.email }));
  if (!result.ok) return result.response;
  throw redirect(`/staff/reconciliation/events/${encodeURIComponent(event.id)}?done=replayed`);
}

export default function ProcessorEventPage() {
  const { event, state, payload, canReplay } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const replayed = params.get("done") === "replayed";
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/staff/reconciliation/events">Stripe events</Link> / {event.id}
          </p>
          <h1 className="title-with-badge">
            <code>{event.type}</code> <EventStateBadge state={state} />
          </h1>
          <p>{eventStateText[state].explain}</p>
        </div>
      </header>
      <FormAlert tone={state === "processed" || state === "note" ? "ok" : "info"} message={replayed ? `Replayed. It is now: ${eventStateText[state].label.toLowerCase()}.` : null} />
      <FormAlert message={actionData && !actionData.ok ? actionData.message : null} />
      <div className="two-col">
        <section className="card" aria-labelledby="payload-heading">
          <h2 id="payload-heading">What Stripe sent</h2>
          <pre className="plain payload" tabIndex={0} aria-label="Event payload as JSON">
            {payload}
          </pre>
        </section>
        <div>
          <section className="card" aria-labelledby="details-heading">
            <h2 id="details-heading">Details</h2>
            <dl className="details">
              <dt>Event id</dt>
              <dd className="break">
                <code>{event.id}</code>
              </dd>
              <dt>Object</dt>
              <dd className="break">{event.objectId ? <code>{event.objectId}</code> : "—"}</dd>
              <dt>Happened</dt>
              <dd>{formatDateTime(event.occurredAt)}</dd>
              <dt>Received</dt>
              <dd>{formatDateTime(event.receivedAt)}</dd>
              <dt>Processed</dt>
              <dd>{event.processedAt ? formatDateTime(event.processedAt) : "Not yet"}</dd>
              <dt>Attempts</dt>
              <dd>{event.attempts}</dd>
              <dt>Next attempt</dt>
              <dd>{event.nextAttemptAt ? formatDateTime(event.nextAttemptAt) : state === "given_up" ? "None: Settle stopped retrying" : "—"}</dd>
              <dt>{state === "note" ? "Note" : "Last error"}</dt>
              <dd className="break pre-line">{event.lastError ?? "—"}</dd>
            </dl>
          </section>
          {canReplay ? (
            <section className="card" aria-labelledby="replay-heading">
              <h2 id="replay-heading">Replay</h2>
              <p className="muted">Applies the event again now. It is safe to repeat: Settle reads the object's current state from Stripe and books only what is missing.</p>
              <Form method="post">
                <SubmitButton name="intent" value="replay" className="button secondary">
                  Replay event
                </SubmitButton>
              </Form>
            </section>
          ) : (
            <p className="muted">Replaying events needs the clerk role.</p>
          )}
        </div>
      </div>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
