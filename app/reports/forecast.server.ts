import { stringify } from "csv-stringify/sync";
import { sql } from "drizzle-orm";
import { getDb, rowsOf, type Db } from "~db/client";
import { toDecimalString } from "~/money/money";
import { addDays, today, type IsoDate } from "~/utils/dates";
import {
  ACCURACY_WEEKS,
  accuracyOf,
  assembleForecast,
  FORECAST_WEEKS,
  mondayOf,
  type AccuracyWeek,
  type CashForecast,
  type ForecastAccuracy,
  type ForecastSource,
} from "./forecast";
import { collectabilityBps, riskGrades, UNGRADED } from "./risk";

/**
 * The cash forecast (issue 7): what should come in each of the next 13 weeks, per currency (never
 * summed across currencies), in integer minor units. Three sources, none counted twice:
 *
 * - **Plan instalments** of active plans, what is left of each, on its date (a failed one on its
 *   next try), in full. The invoice amounts a plan covers are left out of the invoices.
 * - **Promises to pay** that are open, on the promised day, in full, up to what the customer has
 *   open. A promise covers the customer's oldest invoices first (as dunning reads it, ADR 015),
 *   and the amounts it covers are left out of the invoices.
 * - **Invoices**: what is left open, less open disputes, expected on the due date moved by the
 *   customer's average days late (customer_payment_stats), never before today, and weighed by the
 *   collectability factor of the customer's grade (app/reports/risk.ts: A 100 %, B 95 %, C 90 %,
 *   D 75 %, E 50 %; not graded yet: as C). The factor is applied to what each week expects from
 *   the customers of one grade together, rounded half up to the minor unit (deterministic, and
 *   one rounding per week and grade rather than one per invoice). What it takes off is reported
 *   as not expected.
 *
 * At a million invoices the big part is one index-only scan of invoices_open_due_idx (open
 * invoices only) hash-joined to each customer's habit (customer_payment_stats) and summed into
 * a few dozen (week, factor) groups; what disputes, plans and promises hold back is subtracted as
 * rows of their own (small sets, found by key), so the open invoices are never grouped per
 * customer. The answer is a few dozen rows.
 */

const factorCase = sql.raw(`case s.grade ${riskGrades.map((g) => `when '${g}' then ${collectabilityBps[g]}`).join(" ")} else ${collectabilityBps[UNGRADED]} end`);

type SumRow = { source: ForecastSource | "disputed"; bucket: number; expected: string | number; doubtful: string | number };

export async function cashForecast({ asOf = today(), currency, weeks = FORECAST_WEEKS }: { asOf?: IsoDate; currency: string; weeks?: number }, db: Db = getDb()): Promise<CashForecast> {
  const week0 = mondayOf(asOf);
  const rows = rowsOf<SumRow>(
    await db.execute(sql`
      with disputed as (
        select invoice_id, sum(amount_minor) as minor
        from disputes
        where status = 'open' and currency = ${currency}
        group by invoice_id
      ),
      planned as (
        select pi.invoice_id, sum(pi.amount_minor) as minor
        from payment_plans p
        join plan_invoices pi on pi.plan_id = p.id
        where p.status = 'active' and p.currency = ${currency}
        group by pi.invoice_id
      ),
      held_invoices as (
        -- As dunning holds them: the disputed part first, then what the plan covers, never more than is open.
        select i.customer_id, i.due_date,
          least(i.open_minor, coalesce(d.minor, 0)) as disputed_minor,
          least(i.open_minor, coalesce(d.minor, 0) + coalesce(pl.minor, 0)) as held_minor
        from invoices i
        left join disputed d on d.invoice_id = i.id
        left join planned pl on pl.invoice_id = i.id
        where i.id in (select invoice_id from disputed union select invoice_id from planned)
          and i.status = 'open' and i.currency = ${currency} and i.open_minor > 0
      ),
      held as (
        select customer_id, due_date, sum(held_minor) as minor
        from held_invoices
        group by customer_id, due_date
      ),
      promised as (
        select customer_id, sum(amount_minor) as minor
        from promises_to_pay
        where status = 'open' and currency = ${currency}
        group by customer_id
      ),
      promised_free as (
        -- What the customers with open promises have open and not held, per due date (invoices_customer_open_idx).
        select o.customer_id, o.due_date, o.open_minor - coalesce(h.minor, 0) as free_minor
        from (
          select i.customer_id, i.due_date, sum(i.open_minor) as open_minor
          from invoices i
          where i.customer_id in (select customer_id from promised) and i.status = 'open' and i.currency = ${currency} and i.open_minor > 0
          group by i.customer_id, i.due_date
        ) o
        left join held h on h.customer_id = o.customer_id and h.due_date = o.due_date
      ),
      covered as (
        -- Promises cover the oldest due amounts first.
        select f.customer_id, f.due_date,
          least(f.free_minor, greatest(0, p.minor - (sum(f.free_minor) over (partition by f.customer_id order by f.due_date) - f.free_minor))) as minor
        from promised_free f
        join promised p on p.customer_id = f.customer_id
      ),
      free_totals as (
        select customer_id, sum(free_minor) as minor
        from promised_free
        group by customer_id
      ),
      habits as not materialized (
        select customer_id, coalesce(round(avg_days_late::numeric)::int, 0) as shift, ${factorCase} as bps
        from customer_payment_stats s
      ),
      held_back as (
        -- What disputes, plans and promises hold back of the open invoices: subtracted on the invoices' own days.
        select customer_id, due_date, minor from held
        union all
        select customer_id, due_date, minor from covered where minor > 0
      ),
      invoice_sums as (
        -- Every open invoice (an index-only scan of invoices_open_due_idx), moved by its customer's habit
        -- (never before today) and summed per week and factor; on its own, so it can run in parallel.
        select bucket, bps, sum(amount) as amount
        from (
          select least(${weeks}::int, (greatest(${asOf}::date, i.due_date + coalesce(h.shift, 0)) - ${week0}::date) / 7) as bucket,
            coalesce(h.bps, ${collectabilityBps[UNGRADED]}) as bps,
            i.open_minor as amount
          from invoices i
          left join habits h on h.customer_id = i.customer_id
          where i.status = 'open' and i.currency = ${currency} and i.open_minor > 0
        ) o
        group by 1, 2
        union all
        select least(${weeks}::int, (greatest(${asOf}::date, b.due_date + coalesce(h.shift, 0)) - ${week0}::date) / 7),
          coalesce(h.bps, ${collectabilityBps[UNGRADED]}),
          -sum(b.minor)
        from held_back b
        left join habits h on h.customer_id = b.customer_id
        group by 1, 2
      ),
      invoice_part as (
        select bucket, bps, sum(amount) as amount
        from invoice_sums
        group by 1, 2
      ),
      promise_part as (
        -- Up to what the customer has open, taken by the earliest promises first.
        select greatest(${asOf}::date, p.promised_on) as on_day,
          least(p.amount_minor, greatest(0, coalesce(t.minor, 0) - (sum(p.amount_minor) over (partition by p.customer_id order by p.promised_on, p.id) - p.amount_minor))) as amount
        from promises_to_pay p
        left join free_totals t on t.customer_id = p.customer_id
        where p.status = 'open' and p.currency = ${currency}
      ),
      instalment_part as (
        select greatest(${asOf}::date, coalesce(ins.next_attempt_on, ins.due_date)) as on_day, ins.amount_minor - ins.paid_minor as amount
        from payment_plans p
        join plan_instalments ins on ins.plan_id = p.id
        where p.status = 'active' and p.currency = ${currency} and ins.status in ('scheduled', 'processing', 'failed') and ins.amount_minor > ins.paid_minor
      ),
      parts as (
        select 'invoices' as source, bucket, round(amount * bps / 10000) as expected, amount as full_amount from invoice_part
        union all
        select 'promises', least(${weeks}::int, (on_day - ${week0}::date) / 7), amount, amount from promise_part where amount > 0
        union all
        select 'instalments', least(${weeks}::int, (on_day - ${week0}::date) / 7), amount, amount from instalment_part
      )
      select source, bucket::int as bucket, sum(expected)::text as expected, sum(full_amount - expected)::text as doubtful
      from parts
      group by 1, 2
      union all
      select 'disputed', -1, coalesce(sum(disputed_minor), 0)::text, '0' from held_invoices
    `),
  );
  const disputed = rows.find((r) => r.source === "disputed");
  const sums = rows
    .filter((r): r is SumRow & { source: ForecastSource } => r.source !== "disputed")
    .map((r) => ({ source: r.source, bucket: Number(r.bucket), expectedMinor: Number(r.expected), doubtfulMinor: Number(r.doubtful) }));
  return assembleForecast({ asOf, currency, weeks }, sums, Number(disputed?.expected ?? 0));
}

/** The currencies customers are billed in, the most customers' first (the page's default): one forecast each. */
export async function forecastCurrencies(db: Db = getDb()): Promise<string[]> {
  const rows = rowsOf<{ currency: string }>(await db.execute(sql`select currency from customers group by currency order by count(*) desc, currency`));
  return rows.map((r) => r.currency);
}

/**
 * Saves the forecast made on `asOf` for every currency, week by week, into
 * cash_forecast_snapshots, so forecastAccuracy can later set it against what came in. Running
 * it again the same day replaces that day's rows with the current forecast (one transaction),
 * so a rerun after a crash or a second instance changes nothing else. A weekly job calls it
 * (on Mondays, so each week is compared with the forecast made as it began).
 */
export async function snapshotForecast(asOf: IsoDate = today(), db: Db = getDb()): Promise<{ madeOn: IsoDate; currencies: string[]; rows: number }> {
  const currencies = await forecastCurrencies(db);
  const forecasts: CashForecast[] = [];
  for (const currency of currencies) forecasts.push(await cashForecast({ asOf, currency }, db));
  const rows = forecasts.flatMap((f) => f.weeks.map((w) => ({ made_on: asOf, week_start: w.weekStart, currency: f.currency, expected_minor: w.expectedMinor })));
  if (rows.length > 0) {
    await db.transaction(async (tx) => {
      await tx.execute(sql`
        insert into cash_forecast_snapshots (made_on, week_start, currency, expected_minor)
        select x.made_on, x.week_start, x.currency, x.expected_minor
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(made_on date, week_start date, currency char(3), expected_minor bigint)
        on conflict (made_on, week_start, currency) do update set expected_minor = excluded.expected_minor
      `);
    });
  }
  return { madeOn: asOf, currencies, rows: rows.length };
}

/**
 * For each of the `weeks` whole weeks before the week of `asOf`: what the latest snapshot made on
 * or before that week's Monday expected for it, and what was collected in it. Collected is the
 * cash side of the journal, summed per day in ledger_daily (plus what is not yet folded into it):
 * payments received, less payments reversed and card chargebacks, plus chargebacks reversed.
 * Refunds are left out (they pay back overpayments, which no forecast expected).
 */
export async function forecastAccuracy({ asOf = today(), currency, weeks = ACCURACY_WEEKS }: { asOf?: IsoDate; currency: string; weeks?: number }, db: Db = getDb()): Promise<ForecastAccuracy> {
  const first = addDays(mondayOf(asOf), -7 * weeks);
  const end = mondayOf(asOf); // exclusive
  const types = sql`entry_type in ('payment_received', 'payment_reversed', 'chargeback', 'chargeback_reversed') and account = 'cash'`;
  const rows = rowsOf<{ week_start: string; made_on: string | null; expected: string | null; collected: string }>(
    await db.execute(sql`
      with weeks as (
        select (${first}::date + 7 * n) as week_start from generate_series(0, ${weeks - 1}::int) n
      ),
      cash as (
        select day, amount_minor from ledger_daily where currency = ${currency} and day >= ${first}::date and day < ${end}::date and ${types}
        union all
        select day, amount_minor from ledger_daily_pending where currency = ${currency} and day >= ${first}::date and day < ${end}::date and ${types}
      ),
      collected as (
        select ${first}::date + 7 * ((day - ${first}::date) / 7) as week_start, sum(amount_minor) as minor
        from cash
        group by 1
      )
      select w.week_start::text as week_start, snap.made_on::text as made_on, snap.expected_minor::text as expected, coalesce(c.minor, 0)::text as collected
      from weeks w
      left join lateral (
        select made_on, expected_minor
        from cash_forecast_snapshots s
        where s.currency = ${currency} and s.week_start = w.week_start and s.made_on <= w.week_start
        order by s.made_on desc
        limit 1
      ) snap on true
      left join collected c on c.week_start = w.week_start
      order by w.week_start
    `),
  );
  const result: AccuracyWeek[] = rows.map((r) => {
    const expectedMinor = r.expected === null ? null : Number(r.expected);
    const collectedMinor = Number(r.collected);
    return {
      weekStart: r.week_start,
      weekEnd: addDays(r.week_start, 6),
      expectedMinor,
      forecastMadeOn: r.made_on,
      collectedMinor,
      differenceMinor: expectedMinor === null ? null : collectedMinor - expectedMinor,
    };
  });
  return { asOf, currency, weeks: result, accuracyBps: accuracyOf(result) };
}

export const forecastCsvColumns = ["part", "week_start", "week_end", "invoices", "plan_instalments", "promises", "expected", "forecast_made_on", "collected", "difference", "currency"];

/** The forecast page as CSV: the past weeks (expected against collected), the weeks ahead, and what lies beyond them. */
export async function forecastCsv({ asOf = today(), currency }: { asOf?: IsoDate; currency: string }, db: Db = getDb()): Promise<string> {
  const [forecast, accuracy] = await Promise.all([cashForecast({ asOf, currency }, db), forecastAccuracy({ asOf, currency }, db)]);
  const m = (minor: number | null) => (minor === null ? "" : toDecimalString(minor, currency));
  const rows = [
    ...accuracy.weeks.map((w) => ["past", w.weekStart, w.weekEnd, "", "", "", m(w.expectedMinor), w.forecastMadeOn ?? "", m(w.collectedMinor), m(w.differenceMinor), currency]),
    ...forecast.weeks.map((w) => ["forecast", w.weekStart, w.weekEnd, m(w.invoicesMinor), m(w.instalmentsMinor), m(w.promisesMinor), m(w.expectedMinor), asOf, "", "", currency]),
    ["beyond", addDays(forecast.weeks.at(-1)!.weekEnd, 1), "", m(forecast.beyond.invoicesMinor), m(forecast.beyond.instalmentsMinor), m(forecast.beyond.promisesMinor), m(forecast.beyond.expectedMinor), asOf, "", "", currency],
    ["not_expected", "", "", m(forecast.doubtfulMinor), "", "", "", asOf, "", "", currency],
    ["disputed", "", "", m(forecast.disputedMinor), "", "", "", asOf, "", "", currency],
  ];
  return `\uFEFF${stringify([forecastCsvColumns, ...rows])}`;
}
