import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { listAudit } from "~/audit/audit.server";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { formatDateTime } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Audit log · Settle back office" }];

const PAGE = 100;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "admin");
  const before = z.coerce.number().int().positive().optional().catch(undefined).parse(new URL(request.url).searchParams.get("before") ?? undefined);
  const entries = await listAudit({ before, limit: PAGE });
  return { entries, nextBefore: entries.length === PAGE ? entries.at(-1)?.id : undefined };
}

export default function AuditLog() {
  const { entries, nextBefore } = useLoaderData<typeof loader>();
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Audit log</h1>
          <p>Every staff action and sign-in, newest first. Entries cannot be changed or deleted.</p>
        </div>
      </header>
      <div className="card table-wrap" style={{ padding: 0 }}>
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Subject</th>
              <th scope="col">IP</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td>{formatDateTime(e.at)}</td>
                <td>
                  {e.actorLabel ?? "—"} <span className="muted">({e.actorType})</span>
                </td>
                <td>{e.action}</td>
                <td>
                  {e.customerId ? <Link to={`/staff/customers/${e.customerId}`}>{e.entityType}</Link> : e.entityType}
                </td>
                <td className="muted">{e.ip ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {nextBefore ? (
        <nav className="pager" aria-label="Pages">
          <Link className="button secondary" to={`?before=${nextBefore}`}>
            Older
          </Link>
        </nav>
      ) : null}
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
