import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSubmit } from "@remix-run/react";
import { useEffect, useState, type ReactElement } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { requireStaff } from "~/auth/staff-auth.server";
import { axisDate, compactMoney, Swatch } from "~/components/charts";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert } from "~/components/forms";
import { Money } from "~/components/money";
import { formatMoney } from "~/money/money";
import { collectabilityTable, forecastDefinitions, parseForecastSearch, type AccuracyWeek, type ForecastWeek } from "~/reports/forecast";
import { cashForecast, forecastAccuracy, forecastCurrencies } from "~/reports/forecast.server";
import { today } from "~/utils/dates";
import { formatDate } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Cash forecast · Reports · Settle back office" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const currencies = await forecastCurrencies();
  const { currency, errors } = parseForecastSearch(new URL(request.url).searchParams, currencies);
  const asOf = today();
  const [forecast, accuracy] = await Promise.all([cashForecast({ asOf, currency }), forecastAccuracy({ asOf, currency })]);
  return data({ forecast, accuracy, currencies, errors }, { status: Object.keys(errors).length ? 400 : 200 });
}

const COLORS = { invoices: "#1f5fbf", instalments: "#067647", promises: "#ea8c3a", expected: "#b7c8e6", collected: "#067647" };
const definition = (term: string) => forecastDefinitions.find((d) => d.term === term)?.definition ?? "";

function useMounted() {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return mounted;
}

/** Drawn in the browser only (recharts measures its box there); the same figures are in the tables below. */
function ChartBox({ height, label, testId, children }: { height: number; label: string; testId: string; children: ReactElement }) {
  const mounted = useMounted();
  return (
    <div className="chart" style={{ height }} role="img" aria-label={label} data-testid={testId} data-ready={mounted ? "true" : undefined}>
      {mounted ? (
        <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 320, height }}>
          {children}
        </ResponsiveContainer>
      ) : null}
    </div>
  );
}

const axisTick = { fill: "#5b6472", fontSize: 12 };
const sourceNames: Record<string, string> = { invoices: "Invoices", instalments: "Plan instalments", promises: "Promises", expected: "Expected", collected: "Collected" };

function ForecastChart({ weeks, currency }: { weeks: ForecastWeek[]; currency: string }) {
  const rows = weeks.map((w) => ({ label: axisDate(w.weekStart), invoices: w.invoicesMinor, instalments: w.instalmentsMinor, promises: w.promisesMinor }));
  const words = weeks.map((w) => `week of ${w.weekStart}: ${formatMoney(w.expectedMinor, currency)}`).join("; ");
  return (
    <ChartBox height={280} label={`Expected receipts by week, in ${currency}: ${words}`} testId="forecast-chart">
      <BarChart data={rows} margin={{ top: 12, right: 8, bottom: 0, left: 8 }}>
        <CartesianGrid vertical={false} stroke="#e3e6eb" />
        <XAxis dataKey="label" tick={axisTick} tickLine={false} axisLine={{ stroke: "#e3e6eb" }} interval={0} angle={-30} textAnchor="end" height={48} />
        <YAxis tickFormatter={(v: number) => compactMoney(v, currency)} tick={axisTick} tickLine={false} axisLine={false} width={64} />
        <Tooltip cursor={{ fill: "rgb(31 95 191 / 6%)" }} labelFormatter={(label) => `Week of ${label}`} formatter={(v, name) => [formatMoney(Number(v), currency), sourceNames[String(name)] ?? String(name)]} />
        <Legend formatter={(value: string) => sourceNames[value] ?? value} iconType="square" wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="invoices" stackId="w" fill={COLORS.invoices} isAnimationActive={false} />
        <Bar dataKey="instalments" stackId="w" fill={COLORS.instalments} isAnimationActive={false} />
        <Bar dataKey="promises" stackId="w" fill={COLORS.promises} isAnimationActive={false} radius={[3, 3, 0, 0]} />
      </BarChart>
    </ChartBox>
  );
}

function AccuracyChart({ weeks, currency }: { weeks: AccuracyWeek[]; currency: string }) {
  const rows = weeks.map((w) => ({ label: axisDate(w.weekStart), expected: w.expectedMinor ?? 0, collected: w.collectedMinor }));
  const words = weeks.map((w) => `week of ${w.weekStart}: expected ${w.expectedMinor === null ? "no forecast" : formatMoney(w.expectedMinor, currency)}, collected ${formatMoney(w.collectedMinor, currency)}`).join("; ");
  return (
    <ChartBox height={220} label={`Expected against collected, past weeks, in ${currency}: ${words}`} testId="accuracy-chart">
      <BarChart data={rows} margin={{ top: 12, right: 8, bottom: 0, left: 8 }} barGap={2}>
        <CartesianGrid vertical={false} stroke="#e3e6eb" />
        <XAxis dataKey="label" tick={axisTick} tickLine={false} axisLine={{ stroke: "#e3e6eb" }} interval={0} />
        <YAxis tickFormatter={(v: number) => compactMoney(v, currency)} tick={axisTick} tickLine={false} axisLine={false} width={64} />
        <Tooltip cursor={{ fill: "rgb(31 95 191 / 6%)" }} labelFormatter={(label) => `Week of ${label}`} formatter={(v, name) => [formatMoney(Number(v), currency), sourceNames[String(name)] ?? String(name)]} />
        <Legend formatter={(value: string) => sourceNames[value] ?? value} iconType="square" wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="expected" fill={COLORS.expected} isAnimationActive={false} radius={[3, 3, 0, 0]} />
        <Bar dataKey="collected" fill={COLORS.collected} isAnimationActive={false} radius={[3, 3, 0, 0]} />
      </BarChart>
    </ChartBox>
  );
}

const weekLabel = (w: { weekStart: string; weekEnd: string }) => `${formatDate(w.weekStart)} – ${formatDate(w.weekEnd)}`;

export default function ForecastPage() {
  const { forecast, accuracy, currencies, errors } = useLoaderData<typeof loader>();
  const fieldErrors: Partial<Record<string, string>> = errors;
  const submit = useSubmit();
  const { currency, weeks, beyond } = forecast;
  const lastWeek = weeks.at(-1)!;
  const sum = (key: "invoicesMinor" | "instalmentsMinor" | "promisesMinor") => weeks.reduce((s, w) => s + w[key], 0);
  const pastWithForecast = accuracy.weeks.filter((w) => w.expectedMinor !== null);
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Cash forecast</h1>
          <p data-testid="forecast-subtitle">
            Expected receipts in {currency} for the {weeks.length} weeks from {formatDate(weeks[0]!.weekStart)}, as of {formatDate(forecast.asOf)}
          </p>
        </div>
        <div className="actions">
          <a className="button secondary" href={`/staff/reports/forecast.csv?currency=${currency}`} download>
            Download CSV
          </a>
        </div>
      </header>

      <section className="card report-controls" aria-label="Report options">
        {fieldErrors.currency ? <FormAlert message={`The forecast below is for ${currency}: ${fieldErrors.currency}.`} /> : null}
        <Form method="get" className="report-form" noValidate onChange={(event) => submit(event.currentTarget)}>
          <div className="field">
            <label htmlFor="forecast-currency">Currency</label>
            <select id="forecast-currency" name="currency" defaultValue={currency} key={currency} aria-invalid={fieldErrors.currency ? true : undefined} aria-describedby={fieldErrors.currency ? "forecast-currency-error" : undefined}>
              {currencies.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
            {fieldErrors.currency ? (
              <span className="error" id="forecast-currency-error" role="alert">
                {fieldErrors.currency}
              </span>
            ) : null}
          </div>
          <div className="report-form-actions">
            <button type="submit" className="button">
              Show forecast
            </button>
          </div>
        </Form>
      </section>

      <section className="card" aria-labelledby="forecast-figures-heading">
        <h2 id="forecast-figures-heading" className="visually-hidden">
          Totals
        </h2>
        <div className="forecast-figures" style={{ display: "flex", flexWrap: "wrap", gap: "0.75rem 2.5rem", marginBottom: "1rem" }}>
          <div className="figure" title={definition("Invoices")}>
            <span className="label">Expected in {weeks.length} weeks</span>
            <span className="value" data-testid="forecast-total">
              <Money minor={forecast.totalMinor} currency={currency} />
            </span>
            <span className="small muted">invoices, plan instalments and promises</span>
          </div>
          <div className="figure" title={definition("Beyond the horizon")}>
            <span className="label">Beyond {formatDate(lastWeek.weekEnd)}</span>
            <span className="value">
              <Money minor={beyond.expectedMinor} currency={currency} />
            </span>
            <span className="small muted">expected later</span>
          </div>
          <div className="figure" title={definition("Not expected")}>
            <span className="label">Not expected</span>
            <span className="value">
              <Money minor={forecast.doubtfulMinor} currency={currency} />
            </span>
            <span className="small muted">taken off by the risk grades</span>
          </div>
          <div className="figure" title={definition("Disputed")}>
            <span className="label">Disputed</span>
            <span className="value">
              <Link to="/staff/disputes">
                <Money minor={forecast.disputedMinor} currency={currency} />
              </Link>
            </span>
            <span className="small muted">left out until settled</span>
          </div>
        </div>
        <ForecastChart weeks={weeks} currency={currency} />
        <ul className="chart-legend">
          <li>
            <Swatch color={COLORS.invoices} />
            <span className="legend-label">Invoices</span> <Money minor={sum("invoicesMinor")} currency={currency} />
          </li>
          <li>
            <Swatch color={COLORS.instalments} />
            <span className="legend-label">Plan instalments</span> <Money minor={sum("instalmentsMinor")} currency={currency} />
          </li>
          <li>
            <Swatch color={COLORS.promises} />
            <span className="legend-label">Promises</span> <Money minor={sum("promisesMinor")} currency={currency} />
          </li>
        </ul>
      </section>

      <div className="forecast-columns" style={{ display: "grid", gap: "1.25rem", gridTemplateColumns: "repeat(auto-fit, minmax(min(100%, 44rem), 1fr))", alignItems: "start" }}>
        <section className="card" aria-labelledby="forecast-weeks-heading">
          <h2 id="forecast-weeks-heading">The next {weeks.length} weeks</h2>
          <div className="table-wrap">
            <table data-testid="forecast-weeks">
              <thead>
                <tr>
                  <th scope="col">Week</th>
                  <th scope="col" className="num" title={definition("Invoices")}>
                    Invoices
                  </th>
                  <th scope="col" className="num" title={definition("Plan instalments")}>
                    Plan instalments
                  </th>
                  <th scope="col" className="num" title={definition("Promises")}>
                    Promises
                  </th>
                  <th scope="col" className="num">
                    Expected
                  </th>
                </tr>
              </thead>
              <tbody>
                {weeks.map((w) => (
                  <tr key={w.weekStart}>
                    <td className="nowrap">{weekLabel(w)}</td>
                    <td className="num">
                      <Money minor={w.invoicesMinor} currency={currency} />
                    </td>
                    <td className="num">
                      <Money minor={w.instalmentsMinor} currency={currency} />
                    </td>
                    <td className="num">
                      <Money minor={w.promisesMinor} currency={currency} />
                    </td>
                    <td className="num strong">
                      <Money minor={w.expectedMinor} currency={currency} />
                    </td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">Total</th>
                  <td className="num">
                    <Money minor={sum("invoicesMinor")} currency={currency} />
                  </td>
                  <td className="num">
                    <Money minor={sum("instalmentsMinor")} currency={currency} />
                  </td>
                  <td className="num">
                    <Money minor={sum("promisesMinor")} currency={currency} />
                  </td>
                  <td className="num">
                    <Money minor={forecast.totalMinor} currency={currency} />
                  </td>
                </tr>
                <tr>
                  <th scope="row" title={definition("Beyond the horizon")}>
                    Later
                  </th>
                  <td className="num">
                    <Money minor={beyond.invoicesMinor} currency={currency} />
                  </td>
                  <td className="num">
                    <Money minor={beyond.instalmentsMinor} currency={currency} />
                  </td>
                  <td className="num">
                    <Money minor={beyond.promisesMinor} currency={currency} />
                  </td>
                  <td className="num">
                    <Money minor={beyond.expectedMinor} currency={currency} />
                  </td>
                </tr>
              </tfoot>
            </table>
          </div>
        </section>

        <section className="card" aria-labelledby="forecast-definitions-heading">
          <h2 id="forecast-definitions-heading">How it is worked out</h2>
          <dl className="forecast-definitions" style={{ margin: 0 }}>
            {forecastDefinitions.map((d) => (
              <div key={d.term} style={{ marginBottom: "0.6rem" }}>
                <dt style={{ fontWeight: 600 }}>{d.term}</dt>
                <dd className="small" style={{ margin: 0 }}>
                  {d.definition}
                </dd>
              </div>
            ))}
          </dl>
          <h3>Collectability by risk grade</h3>
          <p className="small muted">
            How much of an invoice the forecast expects, by the customer's grade on the <Link to="/staff/reports/behaviour">payment behaviour</Link> report.
          </p>
          <table className="small" data-testid="collectability">
            <thead>
              <tr>
                <th scope="col">Grade</th>
                <th scope="col">Meaning</th>
                <th scope="col" className="num">
                  Expected
                </th>
              </tr>
            </thead>
            <tbody>
              {collectabilityTable.map((row) => (
                <tr key={row.grade}>
                  <td>{row.grade}</td>
                  <td>{row.label}</td>
                  <td className="num">{row.bps / 100}%</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>

      <section className="card" aria-labelledby="forecast-past-heading">
        <div className="card-head">
          <h2 id="forecast-past-heading">Expected against collected, the last {accuracy.weeks.length} weeks</h2>
          {accuracy.accuracyBps !== null ? (
            <span className="small muted" title="1 − the weeks' differences (either way) ÷ what they expected">
              Accuracy <strong data-testid="forecast-accuracy">{accuracy.accuracyBps / 100}%</strong> over {pastWithForecast.length} week{pastWithForecast.length === 1 ? "" : "s"} with a forecast
            </span>
          ) : null}
        </div>
        {pastWithForecast.length === 0 ? (
          <p className="muted">
            No forecast was saved before these weeks began. A weekly job saves the forecast every Monday; weeks are compared with it once they are over.
          </p>
        ) : (
          <AccuracyChart weeks={accuracy.weeks} currency={currency} />
        )}
        <div className="table-wrap">
          <table data-testid="forecast-past">
            <thead>
              <tr>
                <th scope="col">Week</th>
                <th scope="col" title={definition("Expected (past weeks)")}>
                  Forecast made
                </th>
                <th scope="col" className="num" title={definition("Expected (past weeks)")}>
                  Expected
                </th>
                <th scope="col" className="num" title={definition("Collected")}>
                  Collected
                </th>
                <th scope="col" className="num">
                  Difference
                </th>
              </tr>
            </thead>
            <tbody>
              {accuracy.weeks.map((w) => (
                <tr key={w.weekStart}>
                  <td className="nowrap">{weekLabel(w)}</td>
                  <td className="nowrap">{w.forecastMadeOn ? formatDate(w.forecastMadeOn) : <span className="muted">none</span>}</td>
                  <td className="num">{w.expectedMinor === null ? <span className="muted">—</span> : <Money minor={w.expectedMinor} currency={currency} />}</td>
                  <td className="num">
                    <a href={`/staff/exports/payments.csv?from=${w.weekStart}&to=${w.weekEnd}`} title="The week's payments (CSV, every currency)" download>
                      <Money minor={w.collectedMinor} currency={currency} />
                    </a>
                  </td>
                  <td className="num">{w.differenceMinor === null ? <span className="muted">—</span> : <Money minor={w.differenceMinor} currency={currency} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="small muted">{definition("Collected")}</p>
      </section>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
