import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSubmit } from "@remix-run/react";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert } from "~/components/forms";
import { Pager } from "~/components/pager";
import { gradeCounts, listPaymentBehaviour } from "~/reports/behaviour.server";
import {
  behaviourDefinitions,
  behaviourSortOptions,
  behaviourSorts,
  daysLateText,
  daysText,
  mainReason,
  parseBehaviourSearch,
  percentOfBps,
  riskGradeLabels,
  riskGrades,
  riskGradeTones,
  trendLabels,
  type BehaviourSearch,
  type BehaviourSort,
} from "~/reports/risk";

export const meta: MetaFunction = () => [{ title: "Payment behaviour · Reports · Settle back office" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const { search, errors } = parseBehaviourSearch(new URL(request.url).searchParams);
  const [page, counts] = await Promise.all([listPaymentBehaviour(search), gradeCounts()]);
  return data({ ...page, counts, search, errors }, { status: Object.keys(errors).length ? 400 : 200 });
}

/** The list's URL with some options changed; any change but paging starts again at the first page. */
function withSearch(search: BehaviourSearch, changes: Partial<Record<keyof BehaviourSearch, string | undefined>>) {
  const params = new URLSearchParams();
  const merged: Record<string, string | undefined> = { q: search.q, grade: search.grade, sort: search.sort, dir: search.dir, after: undefined, ...changes };
  if (merged.sort === "grade" && merged.dir === behaviourSortOptions.grade.dir) delete merged.sort;
  if (merged.dir === behaviourSortOptions[(merged.sort ?? "grade") as BehaviourSort].dir) delete merged.dir;
  for (const [key, value] of Object.entries(merged)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : "?";
}

function SortHeader({ sort, search, className }: { sort: BehaviourSort; search: BehaviourSearch; className?: string }) {
  const active = search.sort === sort;
  const next = active ? (search.dir === "asc" ? "desc" : "asc") : behaviourSortOptions[sort].dir;
  return (
    <th scope="col" className={className} aria-sort={active ? (search.dir === "asc" ? "ascending" : "descending") : undefined}>
      <Link to={withSearch(search, { sort, dir: next })} preventScrollReset>
        {behaviourSortOptions[sort].label}
        {active ? (search.dir === "asc" ? " ↑" : " ↓") : ""}
      </Link>
    </th>
  );
}

export default function BehaviourReport() {
  const { rows, nextCursor, counts, search, errors } = useLoaderData<typeof loader>();
  const fieldErrors: Partial<Record<string, string>> = errors;
  const submit = useSubmit();
  const total = riskGrades.reduce((s, g) => s + counts[g], 0);
  const filtered = Boolean(search.q || search.grade);
  const csv = withSearch(search, {}).replace(/^\?$/, "");
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Payment behaviour</h1>
          <p>How each customer paid over the last 12 months, and the risk grade the worklist, credit control and the cash forecast use.</p>
        </div>
        <div className="actions">
          <a className="button secondary" href={`/staff/reports/behaviour.csv${csv}`} download>
            Download CSV
          </a>
        </div>
      </header>

      <section className="card" aria-labelledby="grades-heading">
        <h2 id="grades-heading">Customers by grade</h2>
        {total === 0 ? (
          <p className="muted">No customer is graded yet: the nightly refresh grades every customer.</p>
        ) : (
          <ul className="chart-legend" data-testid="grade-counts">
            {riskGrades.map((grade) => (
              <li key={grade}>
                <Link to={withSearch(search, { grade: search.grade === grade ? undefined : grade })} aria-current={search.grade === grade ? "true" : undefined}>
                  <span className={`badge ${riskGradeTones[grade]}`.trim()}>{grade}</span>
                  <span className="legend-label">{riskGradeLabels[grade]}</span>
                  <strong>{counts[grade].toLocaleString("en-US")}</strong>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="card report-controls" aria-label="Find customers">
        {Object.keys(fieldErrors).length ? <FormAlert message="Some options were not understood and were left out; correct the fields marked." /> : null}
        <Form
          method="get"
          className="report-form"
          role="search"
          noValidate
          onChange={(event) => {
            if (event.target instanceof HTMLSelectElement) submit(event.currentTarget);
          }}
        >
          <div className="field">
            <label htmlFor="behaviour-q">Customer</label>
            <input id="behaviour-q" type="search" name="q" defaultValue={search.q ?? ""} key={`q-${search.q ?? ""}`} placeholder="Name or account number" aria-invalid={fieldErrors.q ? true : undefined} />
            {fieldErrors.q ? (
              <span className="error" role="alert">
                {fieldErrors.q}
              </span>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="behaviour-grade">Grade</label>
            <select id="behaviour-grade" name="grade" defaultValue={search.grade ?? ""} key={`grade-${search.grade ?? ""}`} aria-invalid={fieldErrors.grade ? true : undefined}>
              <option value="">All grades</option>
              {riskGrades.map((g) => (
                <option key={g} value={g}>
                  {g}: {riskGradeLabels[g]}
                </option>
              ))}
            </select>
            {fieldErrors.grade ? (
              <span className="error" role="alert">
                {fieldErrors.grade}
              </span>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="behaviour-sort">Sort by</label>
            <select id="behaviour-sort" name="sort" defaultValue={search.sort} key={`sort-${search.sort}`} aria-invalid={fieldErrors.sort ? true : undefined}>
              {behaviourSorts.map((s) => (
                <option key={s} value={s}>
                  {behaviourSortOptions[s].label}
                </option>
              ))}
            </select>
            {fieldErrors.sort ? (
              <span className="error" role="alert">
                {fieldErrors.sort}
              </span>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="behaviour-dir">Order</label>
            <select id="behaviour-dir" name="dir" defaultValue={search.dir} key={`dir-${search.dir}`} aria-invalid={fieldErrors.dir ? true : undefined}>
              <option value="desc">Descending</option>
              <option value="asc">Ascending</option>
            </select>
            {fieldErrors.dir ? (
              <span className="error" role="alert">
                {fieldErrors.dir}
              </span>
            ) : null}
          </div>
          <div className="report-form-actions">
            <button type="submit" className="button">
              Apply
            </button>
            {filtered ? (
              <Link to={withSearch(search, { q: undefined, grade: undefined })} className="button link">
                Clear filters
              </Link>
            ) : null}
          </div>
        </Form>
      </section>

      <section className="card" aria-labelledby="behaviour-list-heading">
        <h2 id="behaviour-list-heading" className="visually-hidden">
          Customers
        </h2>
        {rows.length === 0 ? (
          <p className="muted">{filtered ? "No graded customer matches." : "No customer is graded yet."}</p>
        ) : (
          <div className="table-wrap">
            <table data-testid="behaviour-table">
              <thead>
                <tr>
                  <SortHeader sort="name" search={search} />
                  <SortHeader sort="grade" search={search} />
                  <SortHeader sort="paid" search={search} className="num" />
                  <SortHeader sort="pay" search={search} className="num" />
                  <SortHeader sort="late" search={search} className="num" />
                  <SortHeader sort="ontime" search={search} className="num" />
                  <SortHeader sort="trend" search={search} />
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.customerId}>
                    <td>
                      <Link to={`/staff/customers/${row.customerId}`}>{row.name}</Link>
                      <div className="small muted">{row.accountNumber}</div>
                    </td>
                    <td className="nowrap">
                      <span className={`badge ${riskGradeTones[row.grade]}`.trim()} title={riskGradeLabels[row.grade]}>
                        {row.grade}
                      </span>{" "}
                      <span className="small muted">{row.gradeLabel}</span>
                    </td>
                    <td className="num">{row.invoicesPaid}</td>
                    <td className="num nowrap">{daysText(row.avgDaysToPay)}</td>
                    <td className="num nowrap">{daysLateText(row.avgDaysLate)}</td>
                    <td className="num">{row.onTimeBps === null ? "—" : percentOfBps(row.onTimeBps)}</td>
                    <td className="nowrap">
                      {row.trend ? (
                        <span title={`${daysLateText(row.recentDaysLate)} in the last 90 days, ${daysLateText(row.priorDaysLate)} in the 90 before`}>
                          {row.trend === "worsening" ? "↘ " : row.trend === "improving" ? "↗ " : "→ "}
                          {trendLabels[row.trend]}
                        </span>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td className="small" title={row.reasons.join("\n")}>
                      {mainReason(row.reasons) ?? ""}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager first={search.after ? withSearch(search, {}) : null} next={nextCursor ? withSearch(search, { after: nextCursor }) : null} />
      </section>

      <section className="card" aria-labelledby="behaviour-definitions-heading">
        <h2 id="behaviour-definitions-heading">Definitions</h2>
        <dl style={{ margin: 0 }}>
          {behaviourDefinitions.map((d) => (
            <div key={d.term} style={{ marginBottom: "0.6rem" }}>
              <dt style={{ fontWeight: 600 }}>{d.term}</dt>
              <dd className="small" style={{ margin: 0 }}>
                {d.definition}
              </dd>
            </div>
          ))}
        </dl>
      </section>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
