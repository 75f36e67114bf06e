import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { SearchForm } from "~/components/search-form";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { listOutbox, OUTBOX_PAGE_SIZE } from "~/email/outbox.server";
import { getEnv } from "~/utils/env.server";
import { formatDateTime } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Outbox · Settle back office" }];

const searchSchema = z.object({
  to: z.string().trim().max(254).optional().catch(undefined),
  before: z.iso.datetime().optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const { to, before } = searchSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const messages = await listOutbox({ to: to || undefined, before: before ? new Date(before) : undefined });
  return {
    messages,
    delivering: Boolean(getEnv().RESEND_API_KEY),
    nextBefore: messages.length === OUTBOX_PAGE_SIZE ? messages.at(-1)?.createdAt.toISOString() : undefined,
  };
}

const tone = { sent: "ok", kept: "brand", pending: "warn", sending: "warn", failed: "danger" } as const;

export default function Outbox() {
  const { messages, delivering, nextBefore } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const to = params.get("to") ?? "";
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Outbox</h1>
          <p>
            {delivering
              ? "Every email Settle sends, delivered through Resend."
              : "No RESEND_API_KEY is set, so emails are kept here instead of being sent. Open one to read it."}
          </p>
        </div>
      </header>
      <SearchForm name="to" label="Recipient" placeholder="Recipient email" defaultValue={to} button="Filter" />
      <div className="card table-wrap" style={{ padding: 0 }}>
        <table>
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">To</th>
              <th scope="col">Subject</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {messages.length === 0 ? (
              <tr>
                <td colSpan={4} className="muted">
                  No emails yet.
                </td>
              </tr>
            ) : (
              messages.map((m) => (
                <tr key={m.id}>
                  <td>{formatDateTime(m.createdAt)}</td>
                  <td>{m.toAddress}</td>
                  <td>
                    <Link to={`/staff/outbox/${m.id}`}>{m.subject}</Link>
                  </td>
                  <td>
                    <span className={`badge ${tone[m.status]}`}>{m.status}</span>
                    {m.lastError ? <div className="muted" style={{ fontSize: "0.8rem" }}>{m.lastError}</div> : null}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {nextBefore ? (
        <nav className="pager" aria-label="Pages">
          <Link className="button secondary" to={`?${new URLSearchParams({ ...(to ? { to } : {}), before: nextBefore })}`}>
            Older
          </Link>
        </nav>
      ) : null}
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
