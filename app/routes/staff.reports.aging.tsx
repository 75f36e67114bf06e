import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireStaff } from "~/auth/staff-auth.server";
import { AgingRowsChart, AgingStackBar, bucketColor, Swatch } from "~/components/charts";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert } from "~/components/forms";
import { Money } from "~/components/money";
import { Pager } from "~/components/pager";
import { agingGroups, agingSearchString, agingSorts, defaultAgingQuery, parseAgingSearch, type AgingQuery, type AgingSort } from "~/reports/aging-params";
import { agingReport, type AgingRow, type AgingTotals } from "~/reports/aging.server";
import { today } from "~/utils/dates";
import { formatDate } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Aging report · Settle back office" }];

/** The form's fields as typed, so a bad value comes back in its field with its message. */
type FormValues = { as_of: string; basis: string; buckets: string; group: string; currency: string; q: string; sort: string };

function valuesOf(query: AgingQuery): FormValues {
  return { as_of: query.asOf, basis: query.basis, buckets: query.edges.join(","), group: query.groupBy, currency: query.currency ?? "", q: query.search ?? "", sort: query.sort };
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const search = new URL(request.url).searchParams;
  const now = today();
  const parsed = parseAgingSearch(search, now);
  if (!parsed.ok) {
    // The default report, with the form as typed and a message on each bad field.
    const typed = valuesOf(defaultAgingQuery(now));
    for (const key of Object.keys(typed) as (keyof FormValues)[]) typed[key] = search.get(key) ?? typed[key];
    const report = await agingReport(defaultAgingQuery(now));
    return data({ report, values: typed, errors: parsed.errors, today: now }, { status: 400 });
  }
  const report = await agingReport(parsed.query);
  return { report, values: valuesOf(parsed.query), errors: {}, today: now };
}

const sortLabels: Record<AgingSort, string> = { total: "Total, highest first", overdue: "Overdue, highest first", name: "Name" };

export default function AgingReportPage() {
  const { report, values, errors, today: now } = useLoaderData<typeof loader>();
  const fieldErrors: Partial<Record<string, string>> = errors;
  const { query, columns, totals, rows } = report;
  const exportSearch = agingSearchString({ ...query, page: 1 });
  const currencies = [...new Set([...totals.map((t) => t.currency), ...(query.currency ? [query.currency] : [])])].sort();
  const manyCurrencies = totals.length > 1;
  const groupLabel = agingGroups[query.groupBy];
  const pages = Math.max(1, Math.ceil(report.rowCount / report.pageSize));
  const firstRow = (query.page - 1) * report.pageSize + 1;
  const pageLink = (page: number) => `?${agingSearchString({ ...query, page })}`;
  // The chart shows the largest rows of this page in the currency most of them are in (amounts in two currencies do not add).
  const chartCurrency = mostCommon(rows.map((r) => r.currency));
  const chartRows = chartCurrency
    ? rows
        .filter((r) => r.currency === chartCurrency)
        .sort((a, b) => b.totalMinor - a.totalMinor)
        .slice(0, 10)
    : [];
  const hasErrors = Object.keys(fieldErrors).length > 0;

  return (
    <>
      <header className="page-header">
        <div>
          <h1>Aging report</h1>
          <p data-testid="aging-subtitle">
            As of {formatDate(query.asOf)} · aged by {query.basis === "due" ? "due date" : "invoice date"} · by {groupLabel.toLowerCase()}
            {query.currency ? ` · ${query.currency} only` : ""}
            {query.search ? ` · matching “${query.search}”` : ""}
          </p>
        </div>
        <div className="actions">
          <a className="button secondary" href={`/staff/reports/aging.csv?${exportSearch}`} download>
            Download CSV
          </a>
          <a className="button secondary" href={`/staff/reports/aging.pdf?${exportSearch}`} download>
            Download PDF
          </a>
        </div>
      </header>

      <section className="card report-controls" aria-label="Report options">
        {hasErrors ? <FormAlert message="Some options were not understood; the report below uses the defaults. Correct the fields marked and show it again." /> : null}
        <Form method="get" className="report-form" noValidate>
          <div className="field">
            <label htmlFor="aging-as-of">As of</label>
            <input
              id="aging-as-of"
              type="date"
              name="as_of"
              max={now}
              defaultValue={values.as_of}
              key={`as_of-${values.as_of}`}
              aria-invalid={fieldErrors.as_of ? true : undefined}
              aria-describedby={fieldErrors.as_of ? "aging-as-of-error" : undefined}
            />
            {fieldErrors.as_of ? (
              <span className="error" id="aging-as-of-error" role="alert">
                {fieldErrors.as_of}
              </span>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="aging-basis">Age by</label>
            <select id="aging-basis" name="basis" defaultValue={values.basis} key={`basis-${values.basis}`} aria-invalid={fieldErrors.basis ? true : undefined}>
              <option value="due">Due date</option>
              <option value="invoice">Invoice date</option>
            </select>
            {fieldErrors.basis ? (
              <span className="error" role="alert">
                {fieldErrors.basis}
              </span>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="aging-buckets">Buckets (days)</label>
            <input
              id="aging-buckets"
              name="buckets"
              defaultValue={values.buckets}
              key={`buckets-${values.buckets}`}
              inputMode="numeric"
              placeholder="30,60,90"
              aria-invalid={fieldErrors.buckets ? true : undefined}
              aria-describedby={fieldErrors.buckets ? "aging-buckets-error" : "aging-buckets-hint"}
            />
            {fieldErrors.buckets ? (
              <span className="error" id="aging-buckets-error" role="alert">
                {fieldErrors.buckets}
              </span>
            ) : (
              <span className="hint" id="aging-buckets-hint">
                Upper edges, like 30,60,90
              </span>
            )}
          </div>
          <div className="field">
            <label htmlFor="aging-group">Group by</label>
            <select id="aging-group" name="group" defaultValue={values.group} key={`group-${values.group}`} aria-invalid={fieldErrors.group ? true : undefined}>
              {Object.entries(agingGroups).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
            {fieldErrors.group ? (
              <span className="error" role="alert">
                {fieldErrors.group}
              </span>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="aging-currency">Currency</label>
            <select id="aging-currency" name="currency" defaultValue={currencies.includes(values.currency) ? values.currency : ""} key={`currency-${values.currency}`} aria-invalid={fieldErrors.currency ? true : undefined}>
              <option value="">All currencies</option>
              {currencies.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
            {fieldErrors.currency ? (
              <span className="error" role="alert">
                {fieldErrors.currency}
              </span>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="aging-q">Customer</label>
            <input id="aging-q" type="search" name="q" defaultValue={values.q} key={`q-${values.q}`} placeholder="Name or account number" aria-invalid={fieldErrors.q ? true : undefined} />
            {fieldErrors.q ? (
              <span className="error" role="alert">
                {fieldErrors.q}
              </span>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="aging-sort">Sort by</label>
            <select id="aging-sort" name="sort" defaultValue={values.sort} key={`sort-${values.sort}`} aria-invalid={fieldErrors.sort ? true : undefined}>
              {agingSorts.map((sort) => (
                <option key={sort} value={sort}>
                  {sortLabels[sort]}
                </option>
              ))}
            </select>
            {fieldErrors.sort ? (
              <span className="error" role="alert">
                {fieldErrors.sort}
              </span>
            ) : null}
          </div>
          <div className="report-form-actions">
            <button type="submit" className="button">
              Show report
            </button>
            <Link to="/staff/reports/aging" className="button link">
              Reset
            </Link>
          </div>
        </Form>
        {fieldErrors.page ? <FormAlert message={fieldErrors.page} /> : null}
      </section>

      <section aria-labelledby="aging-totals-heading">
        <h2 id="aging-totals-heading" className="section-title">
          Totals
        </h2>
        {totals.length === 0 ? (
          <div className="card">
            <p className="muted empty-state">Nothing was open on {formatDate(query.asOf)}{query.search || query.currency ? " for these filters" : ""}.</p>
          </div>
        ) : (
          <div className={manyCurrencies ? "aging-totals-grid" : undefined}>
            {totals.map((t) => (
              <CurrencyTotals key={t.currency} totals={t} columns={columns} />
            ))}
          </div>
        )}
      </section>

      {chartRows.length > 1 && chartCurrency ? (
        <section className="card" aria-labelledby="aging-chart-heading">
          <h2 id="aging-chart-heading">
            Largest {chartRows.length} on this page{manyCurrencies ? `, in ${chartCurrency}` : ""}
          </h2>
          <AgingRowsChart rows={chartRows} columns={columns} currency={chartCurrency} />
        </section>
      ) : null}

      <section className="card table-wrap aging-table-card" aria-labelledby="aging-rows-heading">
        <h2 id="aging-rows-heading">
          By {groupLabel.toLowerCase()}{" "}
          <span className="muted count">
            {report.rowCount === 0
              ? "· no rows"
              : `· ${report.rowCount > rows.length ? `${firstRow.toLocaleString("en-US")}–${(firstRow + rows.length - 1).toLocaleString("en-US")} of ` : ""}${report.rowCount.toLocaleString("en-US")} ${report.rowCount === 1 ? "row" : "rows"}`}
          </span>
        </h2>
        <table className="aging-table" data-testid="aging-table">
          <thead>
            <tr>
              <th scope="col">{groupLabel}</th>
              {columns.map((c, i) => (
                <th scope="col" className="num" key={c.key}>
                  <Swatch color={bucketColor(i, columns.length)} />
                  {c.label}
                </th>
              ))}
              <th scope="col" className="num">
                Total
              </th>
              <th scope="col" className="num">
                Overdue
              </th>
              <th scope="col" className="num apart">
                Disputed
              </th>
              <th scope="col" className="num apart">
                In plans
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={columns.length + 5} className="muted empty">
                  No rows for these filters.
                </td>
              </tr>
            ) : (
              rows.map((row) => <AgingTableRow key={`${row.key}-${row.currency}`} row={row} />)
            )}
          </tbody>
          {totals.length > 0 ? (
            <tfoot>
              {totals.map((t) => (
                <tr key={t.currency}>
                  <th scope="row">{manyCurrencies ? `Total ${t.currency}` : "Total"}</th>
                  <Figures row={t} />
                </tr>
              ))}
            </tfoot>
          ) : null}
        </table>
        <p className="muted footnote">
          Disputed and in-plan amounts are part of the buckets and the total, and shown apart because reminders pass them by. Collector and segment are the customer’s current ones.
          {pages > 1 ? ` Page ${query.page} of ${pages}.` : ""}
        </p>
      </section>
      <Pager first={query.page > 1 ? pageLink(1) : null} next={query.page < pages ? pageLink(query.page + 1) : null} />
    </>
  );
}

function mostCommon(values: string[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
}

function CurrencyTotals({ totals: t, columns }: { totals: AgingTotals; columns: { key: string; label: string }[] }) {
  const shareOf = (minor: number) => (t.totalMinor > 0 ? `${Math.round((minor / t.totalMinor) * 100)}%` : "—");
  return (
    <div className="card aging-totals" data-testid={`aging-totals-${t.currency}`}>
      <div className="aging-totals-figures">
        <div className="figure">
          <span className="label">Total {t.currency}</span>
          <span className="value" data-testid={`aging-total-${t.currency}`}>
            <Money minor={t.totalMinor} currency={t.currency} />
          </span>
        </div>
        <div className="figure">
          <span className="label">Overdue</span>
          <span className="value overdue">
            <Money minor={t.overdueMinor} currency={t.currency} />
          </span>
          <span className="muted small">{shareOf(t.overdueMinor)} of the total</span>
        </div>
        <div className="figure">
          <span className="label">Disputed</span>
          <span className="value">
            <Money minor={t.disputedMinor} currency={t.currency} />
          </span>
        </div>
        <div className="figure">
          <span className="label">In plans</span>
          <span className="value">
            <Money minor={t.plannedMinor} currency={t.currency} />
          </span>
        </div>
      </div>
      <AgingStackBar columns={columns} bucketsMinor={t.bucketsMinor} currency={t.currency} />
      <ul className="chart-legend" aria-label={`${t.currency} by age`}>
        {columns.map((c, i) => (
          <li key={c.key}>
            <Swatch color={bucketColor(i, columns.length)} />
            <span className="legend-label">{c.label}</span>
            <Money minor={t.bucketsMinor[i] ?? 0} currency={t.currency} />
            <span className="muted">{shareOf(t.bucketsMinor[i] ?? 0)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function AgingTableRow({ row }: { row: AgingRow }) {
  return (
    <tr>
      <th scope="row" className="row-label">
        {row.href ? <Link to={row.href}>{row.label}</Link> : row.label}
        {row.detail ? <span className="muted small">{row.detail}</span> : null}
      </th>
      <Figures row={row} />
    </tr>
  );
}

/** A row's bucket amounts, total, overdue, and the disputed and planned amounts shown apart. */
function Figures({ row }: { row: AgingTotals }) {
  const amount = (minor: number, className?: string) => (minor === 0 ? <span className="muted">—</span> : <Money minor={minor} currency={row.currency} className={className} />);
  return (
    <>
      {row.bucketsMinor.map((minor, i) => (
        <td className="num" key={i}>
          {amount(minor)}
        </td>
      ))}
      <td className="num strong">{amount(row.totalMinor)}</td>
      <td className="num">{amount(row.overdueMinor, "overdue")}</td>
      <td className="num apart">{amount(row.disputedMinor)}</td>
      <td className="num apart">{amount(row.plannedMinor)}</td>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
