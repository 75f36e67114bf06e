import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSubmit } from "@remix-run/react";
import { z } from "zod";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Pager } from "~/components/pager";
import { Money } from "~/components/money";
import { listCustomerPage, type CustomerShow, type CustomerSort } from "~/customers/customers.server";
import { formatTerms } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Customers · Settle back office" }];

const showLabels: Record<CustomerShow, string> = {
  all: "All customers",
  balance: "With a balance",
  overdue: "Overdue",
  hold: "On credit hold",
  credit: "With unapplied credit",
};

const sortLabels: Record<CustomerSort, string> = {
  account: "Account number",
  name: "Name",
  balance: "Balance, highest first",
  overdue: "Overdue, highest first",
};

const customerShows = Object.keys(showLabels) as [CustomerShow, ...CustomerShow[]];
const customerSorts = Object.keys(sortLabels) as [CustomerSort, ...CustomerSort[]];

// A filter the URL gets wrong is dropped rather than refused: the list still shows.
const searchSchema = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  currency: z.string().regex(/^[A-Z]{3}$/).optional().catch(undefined),
  collector: z.union([z.literal("none"), z.uuid()]).optional().catch(undefined),
  show: z.enum(customerShows).optional().catch(undefined),
  sort: z.enum(customerSorts).optional().catch(undefined),
  after: z.string().max(400).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const query = searchSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const page = await listCustomerPage({ ...query, q: query.q || undefined });
  return { ...page, query, canCreate: hasRole(user, "clerk") };
}

/** The form's fields that hold a value, so the URL says only what was chosen. */
function filledIn(form: HTMLFormElement) {
  const params = new URLSearchParams();
  for (const [key, value] of new FormData(form)) if (typeof value === "string" && value.trim()) params.set(key, value.trim());
  return params;
}

function withParams(query: Record<string, string | undefined>, changes: Record<string, string | undefined>) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...query, ...changes })) if (value) params.set(key, value);
  const search = params.toString();
  return search ? `?${search}` : "?";
}

export default function CustomerList() {
  const { customers, nextCursor, collectors, currencies, query, canCreate } = useLoaderData<typeof loader>();
  const submit = useSubmit();
  const filtered = Boolean(query.q || query.currency || query.collector || (query.show && query.show !== "all"));
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Customers</h1>
          <p>Accounts, what they owe and who collects them.</p>
        </div>
        {canCreate ? (
          <Link className="button" to="/staff/customers/new">
            New customer
          </Link>
        ) : null}
      </header>
      <Form
        method="get"
        className="filters customer-filters"
        role="search"
        aria-label="Find customers"
        onChange={(event) => {
          // Choosing from a list applies it at once; the search box waits for Enter or Apply.
          if (event.target instanceof HTMLSelectElement) submit(filledIn(event.currentTarget));
        }}
        onSubmit={(event) => {
          event.preventDefault();
          submit(filledIn(event.currentTarget));
        }}
      >
        <div className="filter-search">
          <div className="field">
            <label htmlFor="customer-q">Search</label>
            <input id="customer-q" type="search" name="q" defaultValue={query.q ?? ""} placeholder="Name, account number, email or reference" />
          </div>
          <button type="submit" className="button secondary">
            Apply
          </button>
          {filtered ? (
            <Link to={withParams({}, { sort: query.sort })} className="button link">
              Clear filters
            </Link>
          ) : null}
        </div>
        <div className="filter-selects">
          <div className="field">
            <label htmlFor="customer-show">Show</label>
            <select id="customer-show" name="show" defaultValue={query.show ?? "all"}>
              {customerShows.map((show) => (
                <option key={show} value={show}>
                  {showLabels[show]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="customer-currency">Currency</label>
            <select id="customer-currency" name="currency" defaultValue={query.currency ?? ""}>
              <option value="">Any</option>
              {currencies.map((currency) => (
                <option key={currency} value={currency}>
                  {currency}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="customer-collector">Collector</label>
            <select id="customer-collector" name="collector" defaultValue={query.collector ?? ""}>
              <option value="">Anyone</option>
              <option value="none">Unassigned</option>
              {collectors.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="customer-sort">Sort by</label>
            <select id="customer-sort" name="sort" defaultValue={query.sort ?? "account"}>
              {customerSorts.map((sort) => (
                <option key={sort} value={sort}>
                  {sortLabels[sort]}
                </option>
              ))}
            </select>
          </div>
        </div>
      </Form>
      <div className="card table-wrap customer-table-card">
        <table className="customer-table">
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Name</th>
              <th scope="col" className="wide-only">
                Collector
              </th>
              <th scope="col" className="wide-only">
                Terms
              </th>
              <th scope="col" className="num">
                Balance
              </th>
              <th scope="col" className="num">
                Overdue
              </th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {customers.length === 0 ? (
              <tr>
                <td colSpan={7} className="muted empty">
                  {filtered ? "No customers match these filters." : "No customers yet."}
                </td>
              </tr>
            ) : (
              customers.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/staff/customers/${c.id}`}>{c.accountNumber}</Link>
                  </td>
                  <td>{c.name}</td>
                  <td className="wide-only">{c.collectorName ?? <span className="muted">Unassigned</span>}</td>
                  <td className="nowrap wide-only">{formatTerms(c)}</td>
                  <td className="num">
                    <Money minor={c.balanceMinor} currency={c.currency} />
                  </td>
                  <td className="num">{c.overdueMinor > 0 ? <Money minor={c.overdueMinor} currency={c.currency} className="overdue" /> : <span className="muted">—</span>}</td>
                  <td className="badges">
                    {c.creditHold ? <span className="badge danger">Credit hold</span> : null}
                    {c.status === "inactive" ? <span className="badge">Inactive</span> : null}
                    {c.unappliedMinor > 0 ? (
                      <span className="badge brand" title="Unapplied cash or credits">
                        Credit <Money minor={c.unappliedMinor} currency={c.currency} />
                      </span>
                    ) : null}
                    {!c.creditHold && c.status !== "inactive" && c.unappliedMinor <= 0 ? <span className="badge ok">Active</span> : null}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <Pager first={query.after ? withParams(query, { after: undefined }) : null} next={nextCursor ? withParams(query, { after: nextCursor }) : null} />
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
