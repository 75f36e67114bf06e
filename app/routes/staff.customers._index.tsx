import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { SearchForm } from "~/components/search-form";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { requireStaff } from "~/auth/staff-auth.server";
import { listCustomers } from "~/customers/customers.server";
import { formatTerms } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Customers · Settle back office" }];

const searchSchema = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  after: z.string().max(100).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const { q, after } = searchSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return listCustomers({ q: q || undefined, after });
}

export default function CustomerList() {
  const { customers, nextCursor } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const q = params.get("q") ?? "";
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Customers</h1>
          <p>Accounts, their terms and who collects them.</p>
        </div>
      </header>
      <SearchForm name="q" label="Search customers" placeholder="Name, account number or email" defaultValue={q} />
      <div className="card table-wrap" style={{ padding: 0 }}>
        <table>
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Name</th>
              <th scope="col">Terms</th>
              <th scope="col">Currency</th>
              <th scope="col">Collector</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {customers.length === 0 ? (
              <tr>
                <td colSpan={6} className="muted">
                  No customers match “{q}”.
                </td>
              </tr>
            ) : (
              customers.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/staff/customers/${c.id}`}>{c.accountNumber}</Link>
                  </td>
                  <td>{c.name}</td>
                  <td>{formatTerms(c)}</td>
                  <td>{c.currency}</td>
                  <td>{c.collectorName ?? <span className="muted">Unassigned</span>}</td>
                  <td>
                    {c.creditHold ? <span className="badge danger">Credit hold</span> : <span className="badge ok">{c.status}</span>}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label="Pages">
        {params.get("after") ? (
          <Link className="button secondary" to={q ? `?q=${encodeURIComponent(q)}` : "?"}>
            First page
          </Link>
        ) : null}
        {nextCursor ? (
          <Link className="button secondary" to={`?${new URLSearchParams({ ...(q ? { q } : {}), after: nextCursor })}`}>
            Next page
          </Link>
        ) : null}
      </nav>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
