import { sql } from "drizzle-orm";
import { getDb, rowsOf, type Db } from "~db/client";
import { addDays, type IsoDate } from "~/utils/dates";

/** Moves what the journal trigger appended into the daily sums; safe to run anywhere, any time. */
export async function foldLedgerDaily(db: Db = getDb()): Promise<number> {
  const [row] = rowsOf<{ moved: number }>(await db.execute(sql`select settle_fold_ledger_daily() as moved`));
  return Number(row?.moved ?? 0);
}

export type Period = { start: IsoDate; end: IsoDate };

/** What the books say about one period, in one currency. All amounts in minor units. */
export type PeriodFigures = Period & {
  days: number;
  /** Receivables (the receivable account) at the end of the day before `start`, and at the end of `end`. */
  receivableStartMinor: number;
  receivableEndMinor: number;
  /** Of those, what was past its due date. */
  overdueStartMinor: number;
  overdueEndMinor: number;
  /** Invoices and fees issued, less invoices voided. */
  salesMinor: number;
  invoicesIssued: number;
  /** Payments received, less payments reversed. */
  collectedMinor: number;
  /** Credit notes written as bad debt, less those voided. */
  writtenOffMinor: number;
};

type DailyRow = { day: string; ar: number; sales: number; issued: number; collected: number; bad_debt: number; overdue: number };

/**
 * The period figures for several periods at once, from the daily sums: one read of a few
 * thousand rows (one per day and currency) however large the journal is.
 */
export async function periodFigures(currency: string, periods: Period[], db: Db = getDb()): Promise<PeriodFigures[]> {
  if (periods.length === 0) return [];
  const last = periods.reduce((max, p) => (p.end > max ? p.end : max), periods[0]!.end);
  const result = await db.execute(sql`
    with d as (
      select day, entry_type, account, amount_minor, lines from ledger_daily where currency = ${currency} and day <= ${last}::date
      union all
      select day, entry_type, account, amount_minor, lines from ledger_daily_pending where currency = ${currency} and day <= ${last}::date
    ),
    o as (
      select day, amount_minor from receivable_overdue_daily where currency = ${currency} and day <= ${last}::date
      union all
      select day, amount_minor from receivable_overdue_pending where currency = ${currency} and day <= ${last}::date
    ),
    per_day as (
      select day,
             coalesce(sum(amount_minor) filter (where account = 'receivable'), 0) as ar,
             coalesce(sum(amount_minor) filter (where account = 'receivable' and entry_type in ('invoice_issued', 'late_fee', 'invoice_voided')), 0) as sales,
             coalesce(sum(lines) filter (where account = 'receivable' and entry_type = 'invoice_issued'), 0) as issued,
             coalesce(sum(amount_minor) filter (where account = 'cash' and entry_type in ('payment_received', 'payment_reversed')), 0) as collected,
             coalesce(sum(amount_minor) filter (where account = 'bad_debt'), 0) as bad_debt,
             0::bigint as overdue
        from d group by day
      union all
      select day, 0, 0, 0, 0, 0, sum(amount_minor) from o group by day
    )
    select day::text as day, sum(ar)::bigint as ar, sum(sales)::bigint as sales, sum(issued)::bigint as issued,
           sum(collected)::bigint as collected, sum(bad_debt)::bigint as bad_debt, sum(overdue)::bigint as overdue
      from per_day group by day order by day
  `);
  const days = rowsOf<DailyRow>(result).map((r) => ({
    day: r.day,
    ar: Number(r.ar),
    sales: Number(r.sales),
    issued: Number(r.issued),
    collected: Number(r.collected),
    badDebt: Number(r.bad_debt),
    overdue: Number(r.overdue),
  }));
  const upTo = (date: IsoDate, pick: (d: (typeof days)[number]) => number) => days.reduce((sum, d) => (d.day <= date ? sum + pick(d) : sum), 0);
  const within = (p: Period, pick: (d: (typeof days)[number]) => number) => days.reduce((sum, d) => (d.day >= p.start && d.day <= p.end ? sum + pick(d) : sum), 0);
  return periods.map((p) => ({
    ...p,
    days: Math.round((Date.parse(p.end) - Date.parse(p.start)) / 86_400_000) + 1,
    receivableStartMinor: upTo(addDays(p.start, -1), (d) => d.ar),
    receivableEndMinor: upTo(p.end, (d) => d.ar),
    overdueStartMinor: upTo(addDays(p.start, -1), (d) => d.overdue),
    overdueEndMinor: upTo(p.end, (d) => d.overdue),
    salesMinor: within(p, (d) => d.sales),
    invoicesIssued: within(p, (d) => d.issued),
    collectedMinor: within(p, (d) => d.collected),
    writtenOffMinor: within(p, (d) => d.badDebt),
  }));
}

/** The currencies the books have ever moved, for the reports' currency choice. */
export async function receivableCurrencies(db: Db = getDb()): Promise<string[]> {
  const rows = rowsOf<{ currency: string }>(
    await db.execute(sql`select currency from (select distinct currency from ledger_daily union select distinct currency from ledger_daily_pending) c order by currency`),
  );
  return rows.map((r) => r.currency.trim());
}
