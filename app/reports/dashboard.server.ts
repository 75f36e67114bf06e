import { sql } from "drizzle-orm";
import { getDb, rowsOf, type Db } from "~db/client";
import { listWorklist } from "~/collections/worklist.server";
import { countOpenExceptions } from "~/reconciliation/exceptions.server";
import { addDays, startOfMonth, type IsoDate } from "~/utils/dates";
import { defaultAgingQuery } from "./aging-params";
import { agingReport } from "./aging.server";
import { periodFigures, receivableCurrencies } from "./ledger-daily.server";
import { dso } from "./metrics";
import { mainCurrency, trendPeriods } from "./metrics.server";

export type DashboardSummary = {
  asOf: IsoDate;
  currency: string;
  currencies: string[];
  receivableMinor: number;
  overdueMinor: number;
  disputedMinor: number;
  inPlansMinor: number;
  unappliedMinor: number;
  dso: number | null;
  dsoTrend: { periodEnd: IsoDate; value: number | null }[];
  aging: { key: string; label: string; amountMinor: number }[];
  collected: { weekMinor: number; monthMinor: number; weekForecastMinor: number | null; monthForecastMinor: number | null; weekStart: IsoDate; monthStart: IsoDate };
  topAccounts: { customerId: string; name: string; accountNumber: string; currency: string; overdueMinor: number; score: number; reason: string | null }[];
  exceptionsOpen: number;
};

export const DASHBOARD_TOP_ACCOUNTS = 5;
export const DSO_WINDOW_DAYS = 90;

/** Monday of the week holding `date` (ISO weeks, as the forecast uses). */
export function weekStart(date: IsoDate): IsoDate {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return addDays(date, -((weekday + 6) % 7));
}

/**
 * What the forecast made before a period expected for it: the latest snapshot made on or before
 * the period's first day, summed over its weeks that start inside the period. Null when no
 * forecast was made by then.
 */
async function forecastFor(currency: string, start: IsoDate, end: IsoDate, db: Db): Promise<number | null> {
  const [row] = rowsOf<{ expected: string | null; made: string | null }>(
    await db.execute(sql`
      with made as (select max(made_on) as made_on from cash_forecast_snapshots where currency = ${currency} and made_on <= ${start}::date)
      select (select sum(expected_minor) from cash_forecast_snapshots s, made m
               where s.currency = ${currency} and s.made_on = m.made_on and s.week_start between ${start}::date and ${end}::date) as expected,
             (select made_on::text from made) as made`),
  );
  return row?.made ? Number(row.expected ?? 0) : null;
}

/**
 * The back office's front page, in one currency, as of a day (today unless asked). Every figure
 * comes from a kept total or an index: receivables and aging from the aging report (the
 * open-invoice index, rolled back for a past day), DSO and cash from the daily sums, unapplied
 * cash from customer_balances (today's), the top accounts from the worklist's cached scores.
 */
export async function dashboardSummary(query: { asOf: IsoDate; currency: string | null }, db: Db = getDb()): Promise<DashboardSummary> {
  const { asOf } = query;
  const currency = query.currency ?? (await mainCurrency(db)) ?? "USD";
  const week = weekStart(asOf);
  const month = startOfMonth(asOf);
  // DSO over the trailing 90 days, at the day and at each of the eleven month ends before it: a
  // calendar month a week old would divide by a week of sales.
  const trend = [...trendPeriods(asOf, "month", 12).slice(0, -1).map((p) => p.end), asOf].map((end) => ({ start: addDays(end, -(DSO_WINDOW_DAYS - 1)), end }));
  const [currencies, balances, aging, figures, cash, weekForecast, monthForecast, worklist, exceptions] = await Promise.all([
    receivableCurrencies(db),
    db.execute(sql`select coalesce(sum(unapplied_minor), 0)::bigint as unapplied from customer_balances where currency = ${currency}`),
    agingReport({ ...defaultAgingQuery(asOf), groupBy: "currency", currency }, db),
    periodFigures(currency, trend, db),
    periodFigures(currency, [{ start: week, end: asOf }, { start: month, end: asOf }], db),
    forecastFor(currency, week, asOf, db),
    forecastFor(currency, month, asOf, db),
    listWorklist({ staffId: "", view: "all", asOf, limit: DASHBOARD_TOP_ACCOUNTS }, db),
    countOpenExceptions(db),
  ]);
  const [balance] = rowsOf<{ unapplied: string }>(balances);
  const totals = aging.totals.find((t) => t.currency === currency);
  const dsoTrend = figures.map((f) => ({ periodEnd: f.end, value: dso(f) }));
  return {
    asOf,
    currency,
    currencies: currencies.length > 0 ? currencies : [currency],
    receivableMinor: totals?.totalMinor ?? 0,
    // Unapplied cash is today's: customer credit is not aged.
    unappliedMinor: Number(balance?.unapplied ?? 0),
    overdueMinor: totals?.overdueMinor ?? 0,
    disputedMinor: totals?.disputedMinor ?? 0,
    inPlansMinor: totals?.plannedMinor ?? 0,
    dso: dsoTrend.at(-1)?.value ?? null,
    dsoTrend,
    aging: aging.columns.map((c, i) => ({ key: c.key, label: c.label, amountMinor: totals?.bucketsMinor[i] ?? 0 })),
    collected: { weekMinor: cash[0]!.collectedMinor, monthMinor: cash[1]!.collectedMinor, weekForecastMinor: weekForecast, monthForecastMinor: monthForecast, weekStart: week, monthStart: month },
    topAccounts: worklist.rows.map((r) => ({
      customerId: r.customerId,
      name: r.name,
      accountNumber: r.accountNumber,
      currency: r.currency,
      overdueMinor: r.overdueMinor,
      score: r.score,
      // The first reason is the overdue amount, shown already; the next says why it ranks here.
      reason: (r.reasons[1] ?? r.reasons[0])?.label ?? null,
    })),
    exceptionsOpen: exceptions.reduce((sum, e) => sum + e.count, 0),
  };
}
