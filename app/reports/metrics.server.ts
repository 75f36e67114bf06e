import { sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, rowsOf, type Db } from "~db/client";
import { csvText, toCsv } from "~/utils/csv";
import { addDays, addMonths, endOfMonth, startOfMonth, type IsoDate } from "~/utils/dates";
import { blankToUndefined, currencyParam, pastDateParam } from "~/utils/search-params";
import { fieldErrors, type FieldErrors } from "~/utils/validation";
import { periodFigures, receivableCurrencies, type Period, type PeriodFigures } from "./ledger-daily.server";
import { averageDaysDelinquent, bestDso, collectionEffectiveness, countbackDso, dso, metricDefinitions, ratio, type MetricKey, type MetricUnit } from "./metrics";

export type { MetricKey } from "./metrics";
export type Metric = { key: MetricKey; label: string; unit: MetricUnit; value: number | null; definition: string; detail: string | null; trend: { periodEnd: IsoDate; value: number | null }[] };
export type MetricsPeriod = "month" | "quarter";
export type MetricsQuery = { periodEnd: IsoDate; period: MetricsPeriod; currency: string | null; trendPeriods?: number };
export type MetricsReport = { currency: string; currencies: string[]; period: MetricsPeriod; periodStart: IsoDate; periodEnd: IsoDate; metrics: Metric[] };


export function metricsSearchSchema(today: IsoDate) {
  return z.object({
    end: pastDateParam("Period end", today),
    period: z.preprocess(blankToUndefined, z.enum(["month", "quarter"], { message: "Period must be month or quarter" }).default("month")),
    currency: currencyParam(),
  });
}

export function parseMetricsSearch(search: URLSearchParams, today: IsoDate): { ok: true; query: MetricsQuery } | { ok: false; errors: FieldErrors } {
  const parsed = metricsSearchSchema(today).safeParse(Object.fromEntries(search));
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  // By default the last whole month: a month a few days old has too few sales for DSO to mean much.
  return { ok: true, query: { periodEnd: parsed.data.end ?? addDays(startOfMonth(today), -1), period: parsed.data.period, currency: parsed.data.currency ?? null } };
}

const startOfQuarter = (date: IsoDate) => {
  const month = Number(date.slice(5, 7));
  return `${date.slice(0, 4)}-${String(month - ((month - 1) % 3)).padStart(2, "0")}-01`;
};

/** Calendar periods ending with the one holding `end` (which runs only to `end`), oldest first. */
export function trendPeriods(end: IsoDate, period: MetricsPeriod, count: number): Period[] {
  const months = period === "month" ? 1 : 3;
  const firstOf = period === "month" ? startOfMonth : startOfQuarter;
  const current = firstOf(end);
  return Array.from({ length: count }, (_, i) => {
    const start = addMonths(current, -months * (count - 1 - i));
    return { start, end: i === count - 1 ? end : addDays(addMonths(start, months), -1) };
  });
}

/** The currency a report shows when none is asked for: the one the books hold most entries in. */
export async function mainCurrency(db: Db = getDb()): Promise<string | null> {
  const [row] = rowsOf<{ currency: string }>(
    await db.execute(sql`select currency from ledger_daily group by currency order by sum(lines) desc, currency limit 1`),
  );
  if (row) return row.currency.trim();
  const [pending] = rowsOf<{ currency: string }>(await db.execute(sql`select currency from ledger_daily_pending group by currency order by count(*) desc limit 1`));
  return pending?.currency.trim() ?? null;
}

type Counted = { period: number; numerator: number; denominator: number };

/** Per-period counts from the smaller tables (disputes, promises, plans, portal payments, reconciliation). */
async function activityByPeriod(currency: string, periods: Period[], db: Db) {
  const starts = periods.map((p) => p.start);
  const ends = periods.map((p) => p.end);
  // As array literals: drizzle spreads a JS array into a list of parameters.
  const dates = (list: IsoDate[]) => `{${list.join(",")}}`;
  const within = (column: string) => sql.raw(`${column} between p.start and p.finish`);
  const periodsSql = sql`(select ordinality - 1 as period, start, finish from unnest(${dates(starts)}::date[], ${dates(ends)}::date[]) with ordinality as p(start, finish, ordinality)) p`;
  const utcDay = (column: string) => `(${column} at time zone 'UTC')::date`;
  const read = async (query: ReturnType<typeof sql>) =>
    new Map(rowsOf<Counted>(await db.execute(query)).map((r) => [Number(r.period), { numerator: Number(r.numerator ?? 0), denominator: Number(r.denominator ?? 0) }]));
  const [disputesRaised, disputeDays, promises, plans, portal, reconciliation] = await Promise.all([
    read(sql`select p.period, count(d.id) as numerator, 0 as denominator from ${periodsSql}
               join disputes d on d.currency = ${currency} and ${within(utcDay("d.created_at"))} group by p.period`),
    read(sql`select p.period, sum(extract(epoch from d.resolved_at - d.created_at) / 86400.0) as numerator, count(*) as denominator from ${periodsSql}
               join disputes d on d.currency = ${currency} and d.resolved_at is not null and ${within(utcDay("d.resolved_at"))} group by p.period`),
    read(sql`select p.period, count(*) filter (where t.status = 'kept') as numerator, count(*) as denominator from ${periodsSql}
               join promises_to_pay t on t.currency = ${currency} and t.status in ('kept', 'broken') and ${within("t.promised_on")} group by p.period`),
    read(sql`select p.period, count(*) filter (where pl.status = 'completed') as numerator, count(*) as denominator from ${periodsSql}
               join payment_plans pl on pl.currency = ${currency} and pl.status in ('completed', 'defaulted') and ${within(utcDay("pl.ended_at"))} group by p.period`),
    // Both start from the rows that say "portal" or "reconciled", not from every payment.
    read(sql`select p.period, sum(pay.amount_minor) as numerator, 0 as denominator from ${periodsSql}
               join (select distinct a.payment_id from payment_attempts a where a.status = 'succeeded' and a.payment_id is not null and a.currency = ${currency}) a on true
               join payments pay on pay.id = a.payment_id and ${within("pay.received_on")}
              group by p.period`),
    read(sql`with seen as (
               select pi.payment_id, po.arrival_date as seen_on
                 from payout_items pi join payouts po on po.id = pi.payout_id
                where po.status = 'paid' and pi.payment_id is not null and po.arrival_date >= ${starts[0]}::date
               union all
               select bl.payment_id, bl.booking_date from bank_lines bl where bl.payment_id is not null and bl.booking_date >= ${starts[0]}::date
             ),
             first_seen as (select payment_id, min(seen_on) as seen_on from seen group by payment_id)
             select p.period, sum(greatest(f.seen_on - pay.received_on, 0)) as numerator, count(*) as denominator
               from ${periodsSql}
               join payments pay on pay.currency = ${currency} and ${within("pay.received_on")}
               join first_seen f on f.payment_id = pay.id
              group by p.period`),
  ]);
  return { disputesRaised, disputeDays, promises, plans, portal, reconciliation };
}

export async function receivablesMetrics(query: MetricsQuery, db: Db = getDb()): Promise<MetricsReport> {
  const currencies = await receivableCurrencies(db);
  const currency = query.currency ?? (await mainCurrency(db)) ?? "USD";
  const count = query.trendPeriods ?? (query.period === "month" ? 12 : 8);
  const periods = trendPeriods(query.periodEnd, query.period, count);
  // Months for the countback: two years back from each period's end is as far as anyone counts.
  const months = trendPeriods(query.periodEnd, "month", count * (query.period === "month" ? 1 : 3) + 24);
  const [figures, monthFigures, activity] = await Promise.all([periodFigures(currency, periods, db), periodFigures(currency, months, db), activityByPeriod(currency, periods, db)]);

  const countback = (f: PeriodFigures) =>
    countbackDso(
      f.receivableEndMinor,
      monthFigures.filter((m) => m.end <= f.end).reverse().map((m) => ({ salesMinor: m.salesMinor, days: m.days })),
    );
  const fromActivity = (map: Map<number, { numerator: number; denominator: number }>, i: number, scale = 100) => {
    const a = map.get(i);
    return a ? ratio(a.numerator, a.denominator, scale) : null;
  };
  const values: Record<MetricKey, (f: PeriodFigures, i: number) => number | null> = {
    dso,
    countback_dso: countback,
    best_dso: bestDso,
    add: averageDaysDelinquent,
    cei: collectionEffectiveness,
    bad_debt_ratio: (f) => ratio(f.writtenOffMinor, f.salesMinor, 100),
    dispute_rate: (f, i) => ratio(activity.disputesRaised.get(i)?.numerator ?? 0, f.invoicesIssued, 100),
    dispute_days_to_resolve: (_, i) => fromActivity(activity.disputeDays, i, 1),
    promise_kept_rate: (_, i) => fromActivity(activity.promises, i),
    plan_completion_rate: (_, i) => fromActivity(activity.plans, i),
    portal_payment_share: (f, i) => ratio(activity.portal.get(i)?.numerator ?? 0, f.collectedMinor, 100),
    payment_to_reconciliation_days: (_, i) => fromActivity(activity.reconciliation, i, 1),
  };
  const last = figures.length - 1;
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const detail = (key: MetricKey): string | null => {
    const counted = (map: Map<number, { numerator: number; denominator: number }>, one: string, many: string) => plural(map.get(last)?.denominator ?? 0, one, many);
    switch (key) {
      case "dispute_rate":
        return `${plural(activity.disputesRaised.get(last)?.numerator ?? 0, "dispute", "disputes")}, ${plural(figures[last]!.invoicesIssued, "invoice", "invoices")}`;
      case "dispute_days_to_resolve":
        return counted(activity.disputeDays, "dispute resolved", "disputes resolved");
      case "promise_kept_rate":
        return counted(activity.promises, "promise settled", "promises settled");
      case "plan_completion_rate":
        return counted(activity.plans, "plan ended", "plans ended");
      case "payment_to_reconciliation_days":
        return counted(activity.reconciliation, "payment reconciled", "payments reconciled");
      default:
        return null;
    }
  };
  const metrics = (Object.keys(metricDefinitions) as MetricKey[]).map((key) => {
    const trend = figures.map((f, i) => ({ periodEnd: f.end, value: values[key](f, i) }));
    const { label, unit, definition } = metricDefinitions[key];
    return { key, label, unit, definition, value: trend[last]!.value, detail: detail(key), trend };
  });
  return { currency, currencies: currencies.length > 0 ? currencies : [currency], period: query.period, periodStart: periods[last]!.start, periodEnd: query.periodEnd, metrics };
}

export function metricsCsv(report: MetricsReport): string {
  const columns = ["metric", "unit", ...report.metrics[0]!.trend.map((t) => t.periodEnd), "definition"];
  return toCsv(
    report.metrics.map((m) => ({
      metric: m.label,
      unit: m.unit,
      ...Object.fromEntries(m.trend.map((t) => [t.periodEnd, t.value === null ? "" : String(t.value)])),
      definition: csvText(m.definition),
    })),
    columns,
  );
}
