import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { getOutboxMessage } from "~/email/outbox.server";
import { listEmailEvents } from "~/email/resend-events.server";
import { suppressedAddresses } from "~/email/suppressions.server";
import { formatDateTime } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.message.subject ?? "Email"} · Outbox` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const id = z.uuid().safeParse(params.messageId);
  invariantResponse(id.success, "Email not found");
  const message = await getOutboxMessage({ id: id.data, reader: user });
  invariantResponse(message, "Email not found");
  const [events, suppressed] = await Promise.all([listEmailEvents(message), suppressedAddresses([message.toAddress])]);
  return { message, events, suppressed: suppressed.size > 0 };
}

// Resend's delivery events, in words and a badge tone.
const eventLabels: Record<string, { label: string; tone: string }> = {
  "email.sent": { label: "Accepted by Resend", tone: "brand" },
  "email.delivered": { label: "Delivered", tone: "ok" },
  "email.delivery_delayed": { label: "Delivery delayed", tone: "warn" },
  "email.bounced": { label: "Bounced", tone: "danger" },
  "email.complained": { label: "Marked as spam", tone: "danger" },
  "email.failed": { label: "Failed", tone: "danger" },
  "email.suppressed": { label: "Suppressed by Resend", tone: "danger" },
  "email.opened": { label: "Opened", tone: "ok" },
  "email.clicked": { label: "Link clicked", tone: "ok" },
};

const fileSize = (bytes: number) => (bytes < 1024 ? `${bytes} bytes` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / (1024 * 1024)).toFixed(1)} MB`);

export default function OutboxMessage() {
  const { message, events, suppressed } = useLoaderData<typeof loader>();
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/staff/outbox">Outbox</Link> / {message.template}
          </p>
          <h1>{message.subject}</h1>
        </div>
      </header>
      <section className="card">
        <dl className="details">
          <dt>To</dt>
          <dd>{message.toAddress}</dd>
          <dt>From</dt>
          <dd>{message.fromAddress}</dd>
          <dt>Status</dt>
          <dd>
            {message.status}
            {message.sentAt ? ` · sent ${formatDateTime(message.sentAt)}` : ""} · {message.attempts} attempt(s)
          </dd>
          <dt>Created</dt>
          <dd>{formatDateTime(message.createdAt)}</dd>
          {message.lastError ? (
            <>
              <dt>Last error</dt>
              <dd>{message.lastError}</dd>
            </>
          ) : null}
        </dl>
      </section>
      <section className="card" aria-labelledby="events-heading">
        <h2 id="events-heading">Delivery events</h2>
        {suppressed ? (
          <p className="muted">{message.toAddress} bounced or complained before: Settle no longer sends customer emails to it until staff clear it.</p>
        ) : null}
        {events.length === 0 ? (
          <p className="muted">No events from Resend for this email.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">At</th>
                  <th scope="col">Detail</th>
                </tr>
              </thead>
              <tbody>
                {events.map((event) => (
                  <tr key={event.id}>
                    <td>
                      <span className={`badge ${eventLabels[event.type]?.tone ?? "brand"}`}>{eventLabels[event.type]?.label ?? event.type}</span>
                    </td>
                    <td>{formatDateTime(event.at)}</td>
                    <td>{event.bounce ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {message.redacted ? (
        <section className="card">
          <p className="muted">This email holds a working sign-in link for the customer, so only admins can open it.</p>
        </section>
      ) : (
        <>
          <section className="card" aria-labelledby="html-heading">
            <h2 id="html-heading">As the recipient sees it</h2>
            {/* sandbox without allow-scripts: the email's HTML can show, never run. */}
            <iframe className="email-frame" title={`Email: ${message.subject}`} sandbox="allow-popups" srcDoc={message.html} />
          </section>
          <section className="card" aria-labelledby="text-heading">
            <h2 id="text-heading">Plain-text part</h2>
            <pre className="plain" data-testid="email-text">
              {message.text}
            </pre>
          </section>
          {message.attachments.length > 0 ? (
            <section className="card" aria-labelledby="attachments-heading">
              <h2 id="attachments-heading">Attachments</h2>
              <ul style={{ margin: 0, paddingLeft: "1.1rem" }}>
                {message.attachments.map((attachment, i) => (
                  <li key={i}>
                    {/* The file is in the page already (small ones only), so the link needs no route of its own. */}
                    {attachment.contentBase64 ? (
                      <a href={`data:${attachment.contentType};base64,${attachment.contentBase64}`} download={attachment.filename}>
                        {attachment.filename}
                      </a>
                    ) : (
                      attachment.filename
                    )}{" "}
                    <span className="muted">
                      ({fileSize(attachment.bytes)}
                      {attachment.contentBase64 ? "" : ", too large to open here"})
                    </span>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </>
      )}
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
