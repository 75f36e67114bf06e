import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { AgingBarChart, bucketColor, CollectedChart, Swatch, TrendChart } from "~/components/charts";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert } from "~/components/forms";
import { Money } from "~/components/money";
import { agingSearchString } from "~/reports/aging-params";
import { dashboardSummary } from "~/reports/dashboard.server";
import reportStyles from "~/styles/reports.css?url";
import { today } from "~/utils/dates";
import { formatDate } from "~/utils/format";
import { currencyParam, pastDateParam } from "~/utils/search-params";
import { fieldErrors } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Dashboard · Settle back office" }];

export const links: LinksFunction = () => [{ rel: "stylesheet", href: reportStyles }];

function searchSchema(now: string) {
  return z.object({ as_of: pastDateParam("As-of date", now), currency: currencyParam() });
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const now = today();
  const search = new URL(request.url).searchParams;
  const parsed = searchSchema(now).safeParse(Object.fromEntries(search));
  const firstName = user.name.split(" ")[0] ?? user.name;
  if (!parsed.success) {
    // Today's dashboard, with the form as typed and the message on the bad field.
    const summary = await dashboardSummary({ asOf: now, currency: null });
    return data({ firstName, summary, today: now, errors: fieldErrors(parsed.error), typed: { as_of: search.get("as_of") ?? "", currency: search.get("currency") ?? "" } }, { status: 400 });
  }
  const summary = await dashboardSummary({ asOf: parsed.data.as_of ?? now, currency: parsed.data.currency ?? null });
  return { firstName, summary, today: now, errors: {}, typed: null };
}

const formatDays = (value: number | null) => (value === null ? "—" : `${value.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 })} days`);
const percentOf = (part: number, whole: number | null) => (whole && whole > 0 ? Math.round((part / whole) * 100) : null);

export default function StaffDashboard() {
  const { firstName, summary: s, today: now, errors, typed } = useLoaderData<typeof loader>();
  const fieldErrors: Partial<Record<string, string>> = errors;
  const pastDate = s.asOf !== now;
  const manyCurrencies = s.currencies.length > 1;
  // Lists behind the figures show one currency when the books hold several, like the figure.
  const inCurrency = manyCurrencies ? `&currency=${s.currency}` : "";
  const agingHref = `/staff/reports/aging?${agingSearchString({ asOf: s.asOf, currency: manyCurrencies ? s.currency : null })}`;
  const metricsHref = `/staff/reports/metrics?${new URLSearchParams({ end: s.asOf, ...(manyCurrencies ? { currency: s.currency } : {}) })}`;
  const agingTotal = s.aging.reduce((sum, b) => sum + b.amountMinor, 0);
  const overdueShare = percentOf(s.overdueMinor, agingTotal);

  return (
    <div className="dashboard">
      <header className="page-header">
        <div>
          <h1>Good to see you, {firstName}</h1>
          <p data-testid="dashboard-as-of">
            Receivables in {s.currency} {pastDate ? `as they stood at the end of ${formatDate(s.asOf)}` : `today, ${formatDate(s.asOf)}`}.
          </p>
        </div>
        <Form method="get" aria-label="Dashboard date and currency" noValidate>
          <div className="field">
            <label htmlFor="dashboard-as-of">As of</label>
            <input
              id="dashboard-as-of"
              type="date"
              name="as_of"
              max={now}
              defaultValue={typed?.as_of ?? s.asOf}
              key={`as_of-${typed?.as_of ?? s.asOf}`}
              aria-invalid={fieldErrors.as_of ? true : undefined}
              aria-describedby={fieldErrors.as_of ? "dashboard-as-of-error" : undefined}
            />
          </div>
          {manyCurrencies || fieldErrors.currency ? (
            <div className="field">
              <label htmlFor="dashboard-currency">Currency</label>
              <select id="dashboard-currency" name="currency" defaultValue={s.currency} key={`currency-${s.currency}`} aria-invalid={fieldErrors.currency ? true : undefined}>
                {s.currencies.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <button type="submit" className="button secondary">
            Show
          </button>
          {pastDate ? (
            <Link to={manyCurrencies ? `/staff?currency=${s.currency}` : "/staff"} className="button link">
              Today
            </Link>
          ) : null}
        </Form>
      </header>
      {fieldErrors.as_of ? (
        <div className="alert error" role="alert" id="dashboard-as-of-error">
          {fieldErrors.as_of}. Showing today’s figures.
        </div>
      ) : null}
      <FormAlert message={fieldErrors.currency ? `${fieldErrors.currency}. Showing ${s.currency}.` : null} />

      <nav className="dash-tiles" aria-label="Receivables">
        <Tile to={`/staff/customers?show=balance&sort=balance${inCurrency}`} label="Total receivables" testId="tile-receivables" note="open invoices">
          <Money minor={s.receivableMinor} currency={s.currency} />
        </Tile>
        <Tile to={`/staff/customers?show=overdue&sort=overdue${inCurrency}`} label="Overdue" tone="danger" testId="tile-overdue" note={overdueShare === null ? "past the due date" : `${overdueShare}% of open invoices`}>
          <Money minor={s.overdueMinor} currency={s.currency} />
        </Tile>
        <Tile to="/staff/disputes" label="Disputed" tone="warn" testId="tile-disputed" note="on hold while disputed">
          <Money minor={s.disputedMinor} currency={s.currency} />
        </Tile>
        <Tile to="/staff/plans" label="In payment plans" tone="muted-tile" testId="tile-plans" note="in plans in good standing">
          <Money minor={s.inPlansMinor} currency={s.currency} />
        </Tile>
        <Tile to={`/staff/customers?show=credit${inCurrency}`} label="Unapplied cash" tone="ok" testId="tile-unapplied" note={pastDate ? "today’s; credit is not aged" : "received, not yet applied"}>
          <Money minor={s.unappliedMinor} currency={s.currency} />
        </Tile>
        <Tile to="/staff/reconciliation/exceptions" label="Exceptions waiting" tone={s.exceptionsOpen > 0 ? "warn" : "ok"} testId="tile-exceptions" note={pastDate ? "today, all currencies" : "reconciliation, all currencies"}>
          {s.exceptionsOpen.toLocaleString("en-US")}
        </Tile>
      </nav>

      <div className="dash-row">
        <section className="card" aria-labelledby="aging-heading">
          <div className="card-head">
            <h2 id="aging-heading">Aging</h2>
            <Link to={agingHref}>Aging report</Link>
          </div>
          <AgingBarChart buckets={s.aging} currency={s.currency} href={agingHref} />
          <ul className="chart-legend" aria-label="Open invoices by age">
            {s.aging.map((b, i) => (
              <li key={b.key}>
                <Link to={agingHref}>
                  <Swatch color={bucketColor(i, s.aging.length)} />
                  <span className="legend-label">{b.label}</span>
                  <Money minor={b.amountMinor} currency={s.currency} />
                </Link>
              </li>
            ))}
          </ul>
        </section>

        <section className="card" aria-labelledby="dso-heading">
          <div className="card-head">
            <h2 id="dso-heading">Days sales outstanding</h2>
            <Link to={metricsHref}>All metrics</Link>
          </div>
          <div className="dso-figure">
            <Link to={metricsHref} data-testid="dashboard-dso">
              {formatDays(s.dso)}
            </Link>
            <span className="muted small">over the last 90 days</span>
          </div>
          <TrendChart
            points={s.dsoTrend}
            format={(v) => formatDays(v)}
            axisFormat={(v) => `${Math.round(v)}`}
            label={`DSO over the 90 days to each month end: ${s.dsoTrend.map((p) => `${formatDate(p.periodEnd)} ${formatDays(p.value)}`).join(", ")}`}
            height={190}
          />
        </section>
      </div>

      <div className="dash-row">
        <section className="card" aria-labelledby="top-heading">
          <div className="card-head">
            <h2 id="top-heading">
              Top of the worklist{pastDate ? <span className="muted small"> as it stands today</span> : null}
            </h2>
            <Link to="/staff/collections">Worklist</Link>
          </div>
          {s.topAccounts.length === 0 ? (
            <p className="muted">No account is overdue.</p>
          ) : (
            <table className="top-accounts">
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col" className="num">
                    Overdue
                  </th>
                  <th scope="col" className="num">
                    Score
                  </th>
                </tr>
              </thead>
              <tbody>
                {s.topAccounts.map((a) => (
                  <tr key={a.customerId}>
                    <td>
                      <Link to={`/staff/collections/${a.customerId}`}>{a.name}</Link>
                      <div className="reason">{[a.accountNumber, a.reason].filter(Boolean).join(" · ")}</div>
                    </td>
                    <td className="num">
                      <Link to={`/staff/collections/${a.customerId}`} className="overdue">
                        <Money minor={a.overdueMinor} currency={a.currency} />
                      </Link>
                    </td>
                    <td className="num score">{a.score}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>

        <section className="card" aria-labelledby="cash-heading">
          <div className="card-head">
            <h2 id="cash-heading">Cash collected</h2>
            <Link to="/staff/reports/forecast">Cash forecast</Link>
          </div>
          <div className="cash-figures">
            <CashFigure label={`This week, since ${formatDate(s.collected.weekStart)}`} collected={s.collected.weekMinor} forecast={s.collected.weekForecastMinor} currency={s.currency} testId="collected-week" />
            <CashFigure label={`This month, since ${formatDate(s.collected.monthStart)}`} collected={s.collected.monthMinor} forecast={s.collected.monthForecastMinor} currency={s.currency} testId="collected-month" />
          </div>
          <CollectedChart
            currency={s.currency}
            rows={[
              { label: "This week", collectedMinor: s.collected.weekMinor, forecastMinor: s.collected.weekForecastMinor },
              { label: "This month", collectedMinor: s.collected.monthMinor, forecastMinor: s.collected.monthForecastMinor },
            ]}
          />
        </section>
      </div>
    </div>
  );
}

function Tile({ to, label, note, tone, testId, children }: { to: string; label: string; note: string; tone?: string; testId: string; children: React.ReactNode }) {
  return (
    <Link to={to} className={["tile", tone ?? ""].join(" ").trim()} data-testid={testId} prefetch="intent">
      <span className="label">{label}</span>
      <span className="value">{children}</span>
      <span className="sub">{note}</span>
    </Link>
  );
}

function CashFigure({ label, collected, forecast, currency, testId }: { label: string; collected: number; forecast: number | null; currency: string; testId: string }) {
  const share = percentOf(collected, forecast);
  return (
    <div data-testid={testId}>
      <span className="muted small">{label}</span>
      <Link to="/staff/payments">
        <span className="value">
          <Money minor={collected} currency={currency} />
        </span>
      </Link>
      <span className="muted small">
        {forecast === null ? (
          "no forecast made before it began"
        ) : (
          <>
            {share === null ? "" : `${share}% of `}
            <Link to="/staff/reports/forecast">
              <Money minor={forecast} currency={currency} /> forecast
            </Link>
          </>
        )}
      </span>
      {share !== null ? (
        <div className="meter" aria-hidden="true">
          <span style={{ width: `${Math.min(100, share)}%` }} />
        </div>
      ) : null}
    </div>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
