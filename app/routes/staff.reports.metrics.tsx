import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireStaff } from "~/auth/staff-auth.server";
import { axisDate, Sparkline } from "~/components/charts";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert } from "~/components/forms";
import { metricDefinitions, type MetricUnit } from "~/reports/metrics";
import { parseMetricsSearch, receivablesMetrics, type Metric, type MetricsQuery } from "~/reports/metrics.server";
import { today } from "~/utils/dates";
import { formatDate } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Metrics · Settle back office" }];

type FormValues = { end: string; period: string; currency: string };

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const search = new URL(request.url).searchParams;
  const now = today();
  const parsed = parseMetricsSearch(search, now);
  if (!parsed.ok) {
    // The default report, with the form as typed and a message on each bad field.
    const report = await receivablesMetrics({ periodEnd: now, period: "month", currency: null });
    const values: FormValues = { end: search.get("end") ?? now, period: search.get("period") ?? "month", currency: search.get("currency") ?? "" };
    return data({ report, values, errors: parsed.errors, today: now }, { status: 400 });
  }
  const report = await receivablesMetrics(parsed.query);
  return { report, values: { end: parsed.query.periodEnd, period: parsed.query.period, currency: report.currency }, errors: {}, today: now };
}

/** A metric's value as people read it: "42.5 days", "87.5%". */
function formatMetric(value: number | null, unit: MetricUnit): string {
  if (value === null) return "—";
  const number = value.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return unit === "percent" ? `${number}%` : `${number} ${value === 1 ? "day" : "days"}`;
}

const shortUnit = (unit: MetricUnit) => (unit === "percent" ? "points" : "days");

function metricsSearch(query: Pick<MetricsQuery, "periodEnd" | "period" | "currency">): string {
  return new URLSearchParams({ end: query.periodEnd, period: query.period, ...(query.currency ? { currency: query.currency } : {}) }).toString();
}

export default function MetricsPage() {
  const { report, values, errors, today: now } = useLoaderData<typeof loader>();
  const fieldErrors: Partial<Record<string, string>> = errors;
  const hasErrors = Object.keys(fieldErrors).length > 0;
  const periodWord = report.period === "month" ? "month" : "quarter";
  const trendCount = report.metrics[0]?.trend.length ?? 0;
  const partial = report.periodEnd === now;
  const csvSearch = metricsSearch({ periodEnd: report.periodEnd, period: report.period, currency: report.currency });

  return (
    <>
      <header className="page-header">
        <div>
          <h1>Metrics</h1>
          <p data-testid="metrics-period">
            {report.currency} · the {periodWord} {formatDate(report.periodStart)} to {formatDate(report.periodEnd)}
            {partial ? ` (${periodWord} to date)` : ""} · trend over {trendCount} {periodWord}s
          </p>
        </div>
        <div className="actions">
          <a className="button secondary" href={`/staff/reports/metrics.csv?${csvSearch}`} download>
            Download CSV
          </a>
        </div>
      </header>

      <section className="card report-controls" aria-label="Report options">
        {hasErrors ? <FormAlert message="Some options were not understood; the metrics below use the defaults. Correct the fields marked and show them again." /> : null}
        <Form method="get" className="report-form" noValidate>
          <div className="field">
            <label htmlFor="metrics-end">Period ending</label>
            <input
              id="metrics-end"
              type="date"
              name="end"
              max={now}
              defaultValue={values.end}
              key={`end-${values.end}`}
              aria-invalid={fieldErrors.end ? true : undefined}
              aria-describedby={fieldErrors.end ? "metrics-end-error" : undefined}
            />
            {fieldErrors.end ? (
              <span className="error" id="metrics-end-error" role="alert">
                {fieldErrors.end}
              </span>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="metrics-period">Period</label>
            <select id="metrics-period" name="period" defaultValue={values.period} key={`period-${values.period}`} aria-invalid={fieldErrors.period ? true : undefined}>
              <option value="month">Month</option>
              <option value="quarter">Quarter</option>
            </select>
            {fieldErrors.period ? (
              <span className="error" role="alert">
                {fieldErrors.period}
              </span>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="metrics-currency">Currency</label>
            <select id="metrics-currency" name="currency" defaultValue={report.currencies.includes(values.currency) ? values.currency : report.currency} key={`currency-${values.currency}`} aria-invalid={fieldErrors.currency ? true : undefined}>
              {report.currencies.map((c) => (
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
          <div className="report-form-actions">
            <button type="submit" className="button">
              Show metrics
            </button>
            <Link to="/staff/reports/metrics" className="button link">
              Reset
            </Link>
          </div>
        </Form>
      </section>

      <p className="muted metrics-meta small">Each figure is for the {periodWord} shown; the line beside it is the same figure for each of the {trendCount} {periodWord}s up to it. Hover a line for its values, or open “Values by {periodWord}”.</p>

      <div className="metric-grid">
        {report.metrics.map((metric) => (
          <MetricCard key={metric.key} metric={metric} periodWord={periodWord} />
        ))}
      </div>
    </>
  );
}

function MetricCard({ metric, periodWord }: { metric: Metric; periodWord: string }) {
  const format = (value: number) => formatMetric(value, metric.unit);
  const previous = metric.trend.length > 1 ? metric.trend[metric.trend.length - 2]!.value : null;
  const change = metric.value !== null && previous !== null ? Math.round((metric.value - previous) * 10) / 10 : null;
  const higherIsBetter = metricDefinitions[metric.key]?.higherIsBetter ?? true;
  const better = change === null || change === 0 ? null : change > 0 === higherIsBetter;
  const headingId = `metric-${metric.key}`;
  return (
    <section className="card metric-card" aria-labelledby={headingId} data-testid={`metric-${metric.key}`}>
      <div>
        <h2 id={headingId}>{metric.label}</h2>
        <div className={metric.value === null ? "metric-value none" : "metric-value"} data-testid="metric-value">
          {metric.value === null ? "No data" : format(metric.value)}
        </div>
        {metric.value === null ? null : (
          <div className={["metric-change", better === null ? "" : better ? "better" : "worse"].join(" ").trim()}>
            {change === null ? `no figure for the ${periodWord} before` : change === 0 ? `same as the ${periodWord} before` : `${change > 0 ? "▲" : "▼"} ${Math.abs(change).toLocaleString("en-US")} ${shortUnit(metric.unit)} on the ${periodWord} before`}
          </div>
        )}
        {metric.trend.some((t) => t.value !== null) ? (
          <Sparkline points={metric.trend} format={format} label={`${metric.label} by ${periodWord}: ${metric.trend.map((t) => `${formatDate(t.periodEnd)} ${t.value === null ? "no data" : format(t.value)}`).join(", ")}`} />
        ) : (
          <p className="muted small no-trend">Nothing to measure in these {periodWord}s yet.</p>
        )}
      </div>
      <div className="definition">
        <p>{metric.definition}</p>
        {metric.detail ? <p className="detail">This {periodWord}: {metric.detail}.</p> : null}
        <details>
          <summary>Values by {periodWord}</summary>
          <table>
            <thead>
              <tr>
                <th scope="col">{periodWord === "month" ? "Month" : "Quarter"} ending</th>
                <th scope="col" className="num">
                  Value
                </th>
              </tr>
            </thead>
            <tbody>
              {[...metric.trend].reverse().map((t) => (
                <tr key={t.periodEnd}>
                  <td>{axisDate(t.periodEnd)}, {t.periodEnd.slice(0, 4)}</td>
                  <td className="num">{formatMetric(t.value, metric.unit)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </div>
    </section>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
