import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { getOutboxMessage } from "~/email/outbox.server";
import { formatDateTime } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.message.subject ?? "Email"} · Outbox` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const id = z.uuid().safeParse(params.messageId);
  invariantResponse(id.success, "Email not found");
  const message = await getOutboxMessage({ id: id.data, reader: user });
  invariantResponse(message, "Email not found");
  return { message };
}

export default function OutboxMessage() {
  const { message } = useLoaderData<typeof loader>();
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
        </>
      )}
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
