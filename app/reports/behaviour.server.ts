import { stringify } from "csv-stringify/sync";
import { sql, type SQL } from "drizzle-orm";
import { getDb, rowsOf, type Db } from "~db/client";
import { addDays, today, type IsoDate } from "~/utils/dates";
import { csvText } from "~/utils/csv";
import { likePattern } from "~/utils/like";
import {
  assessRisk,
  behaviourSortOptions,
  collectabilityBps,
  formatRiskReason,
  isRiskGrade,
  parseStoredReasons,
  riskGradeLabels,
  riskGrades,
  trendOf,
  type BehaviourFacts,
  type BehaviourSort,
  type RiskGrade,
  type SortDirection,
  type Trend,
} from "./risk";

/**
 * Each customer's payment behaviour (issue 7): how long they take to pay, how much they pay on
 * time, whether that is getting better or worse, and the risk grade that sums it up
 * (app/reports/risk.ts). Computed set-based over every paid invoice of the last 12 months and
 * cached in customer_payment_stats by `refreshPaymentStats` (a nightly job, and on demand), so
 * the worklist, credit control, the forecast and the report read one row per customer.
 *
 * Definitions (shown on the report beside the figures):
 * - An invoice counts once it is paid in full with a payment among what settled it, on the day
 *   of its latest application still in force (a payment, or the discount or credit that closed
 *   it); applications taken back do not count. It counts in the 12 months up to the day it
 *   was settled.
 * - Averages are weighted by the invoice total: a $50,000 invoice paid 30 days late says more
 *   than a $50 one paid on time.
 * - Days to pay run from the issue date; days late from the due date (negative: early).
 * - On-time share is the share of that amount settled by its due date.
 * - The trend compares invoices settled in the last 90 days with those settled in the 90 before.
 */

export const HISTORY_DAYS = 365;
export const RECENT_DAYS = 90;
export const BROKEN_PROMISE_DAYS = 180;
export const DEFAULTED_PLAN_DAYS = 365;
/** Customers named in one facts query, and rows written in one statement. */
const ID_BATCH = 1_000;
const WRITE_BATCH = 5_000;

type FactRow = {
  customer_id: string;
  invoices_paid: number;
  avg_days_to_pay: number | null;
  avg_days_late: number | null;
  on_time_bps: number | null;
  recent_days_late: number | null;
  prior_days_late: number | null;
  broken_promises: number;
  defaulted_plans: number;
};

const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/**
 * The facts of these customers (or of every customer: null) in one statement. For all customers
 * it is a few scans and hash joins (allocations, invoices, customers); for named ones it starts
 * from invoices_customer_idx and allocations_invoice_idx.
 */
async function behaviourFacts(customerIds: string[] | null, asOf: IsoDate, db: Db): Promise<(BehaviourFacts & { customerId: string })[]> {
  const since = addDays(asOf, -HISTORY_DAYS);
  const recentSince = addDays(asOf, -RECENT_DAYS);
  const priorSince = addDays(asOf, -2 * RECENT_DAYS);
  const promiseSince = addDays(asOf, -BROKEN_PROMISE_DAYS);
  const planSince = addDays(asOf, -DEFAULTED_PLAN_DAYS);
  const ids = customerIds ? sql.join(customerIds.map((id) => sql`${id}::uuid`), sql`, `) : null;
  const only = (column: SQL) => (ids ? sql`and ${column} in (${ids})` : sql``);
  const recent = sql`settled_on > ${recentSince}::date`;
  const prior = sql`settled_on > ${priorSince}::date and settled_on <= ${recentSince}::date`;
  const rows = rowsOf<FactRow>(
    await db.execute(sql`
      with settled as materialized (
        -- Computed once: left to the planner, each parallel worker would build all of it again.
        select a.invoice_id, max(a.applied_on) as settled_on
        from allocations a
        where a.amount_minor > 0 and a.applied_on > ${since}::date
          ${ids ? sql`and a.invoice_id in (select id from invoices where customer_id in (${ids}))` : sql``}
          and not exists (select 1 from allocations r where r.reverses_id = a.id)
        group by a.invoice_id
        having max(a.applied_on) <= ${asOf}::date and bool_or(a.kind = 'payment')
      ),
      paid as (
        select i.customer_id, i.total_minor::numeric as w, s.settled_on - i.issue_date as to_pay, s.settled_on - i.due_date as late, s.settled_on
        from settled s
        join invoices i on i.id = s.invoice_id
        where i.status = 'paid' and i.total_minor > 0
      ),
      history as (
        select customer_id,
          count(*) as invoices_paid,
          sum(w * to_pay) / sum(w) as avg_days_to_pay,
          sum(w * late) / sum(w) as avg_days_late,
          round(10000 * coalesce(sum(w) filter (where late <= 0), 0) / sum(w)) as on_time_bps,
          sum(w * late) filter (where ${recent}) / nullif(sum(w) filter (where ${recent}), 0) as recent_days_late,
          sum(w * late) filter (where ${prior}) / nullif(sum(w) filter (where ${prior}), 0) as prior_days_late
        from paid
        group by customer_id
      ),
      broken as (
        select customer_id, count(*) as n
        from promises_to_pay
        where status = 'broken' and promised_on > ${promiseSince}::date and promised_on <= ${asOf}::date ${only(sql`customer_id`)}
        group by customer_id
      ),
      defaulted as (
        select customer_id, count(*) as n
        from payment_plans
        where status = 'defaulted' and coalesce(ended_at, created_at) >= ${planSince}::date and coalesce(ended_at, created_at) < ${asOf}::date + 1 ${only(sql`customer_id`)}
        group by customer_id
      )
      select c.id as customer_id,
        coalesce(h.invoices_paid, 0)::int as invoices_paid,
        h.avg_days_to_pay::float8 as avg_days_to_pay,
        h.avg_days_late::float8 as avg_days_late,
        h.on_time_bps::int as on_time_bps,
        h.recent_days_late::float8 as recent_days_late,
        h.prior_days_late::float8 as prior_days_late,
        coalesce(b.n, 0)::int as broken_promises,
        coalesce(d.n, 0)::int as defaulted_plans
      from customers c
      left join history h on h.customer_id = c.id
      left join broken b on b.customer_id = c.id
      left join defaulted d on d.customer_id = c.id
      ${ids ? sql`where c.id in (${ids})` : sql``}
      order by c.id
    `),
  );
  return rows.map((r) => ({
    customerId: r.customer_id,
    invoicesPaid: Number(r.invoices_paid),
    avgDaysToPay: num(r.avg_days_to_pay),
    avgDaysLate: num(r.avg_days_late),
    onTimeBps: num(r.on_time_bps),
    recentDaysLate: num(r.recent_days_late),
    priorDaysLate: num(r.prior_days_late),
    brokenPromises: Number(r.broken_promises),
    defaultedPlans: Number(r.defaulted_plans),
  }));
}

/** The float4 columns hold what the row will read back; rounding here keeps a test's hand figures exact. */
const round2 = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);

function statsRow(f: BehaviourFacts & { customerId: string }) {
  const { grade, reasons } = assessRisk(f);
  return {
    customer_id: f.customerId,
    invoices_paid: f.invoicesPaid,
    avg_days_to_pay: round2(f.avgDaysToPay),
    avg_days_late: round2(f.avgDaysLate),
    on_time_bps: f.onTimeBps,
    recent_days_late: round2(f.recentDaysLate),
    prior_days_late: round2(f.priorDaysLate),
    grade,
    reasons: reasons.map(formatRiskReason),
  };
}

async function writeStats(rows: ReturnType<typeof statsRow>[], db: Db) {
  for (let i = 0; i < rows.length; i += WRITE_BATCH) {
    const batch = rows.slice(i, i + WRITE_BATCH);
    // One statement per batch; rows in id order so two refreshes lock in the same order.
    await db.execute(sql`
      insert into customer_payment_stats as s (customer_id, invoices_paid, avg_days_to_pay, avg_days_late, on_time_bps, recent_days_late, prior_days_late, grade, reasons, computed_at)
      select x.customer_id, x.invoices_paid, x.avg_days_to_pay, x.avg_days_late, x.on_time_bps, x.recent_days_late, x.prior_days_late, x.grade, x.reasons, now()
      from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as x(customer_id uuid, invoices_paid int, avg_days_to_pay real, avg_days_late real, on_time_bps int, recent_days_late real, prior_days_late real, grade char(1), reasons jsonb)
      order by x.customer_id
      on conflict (customer_id) do update set
        invoices_paid = excluded.invoices_paid,
        avg_days_to_pay = excluded.avg_days_to_pay,
        avg_days_late = excluded.avg_days_late,
        on_time_bps = excluded.on_time_bps,
        recent_days_late = excluded.recent_days_late,
        prior_days_late = excluded.prior_days_late,
        grade = excluded.grade,
        reasons = excluded.reasons,
        computed_at = excluded.computed_at
    `);
  }
}

export type RefreshResult = { customers: number; grades: Record<RiskGrade, number> };

/**
 * Recomputes the payment behaviour and risk grade of these customers, or of every customer when
 * none are named: one set-based statement reads the facts of all of them (or one per 1,000 named
 * customers), the grades are worked out in risk.ts, and the rows are written 5,000 to a
 * statement. Every customer gets a row, those without history too (graded as average), so the
 * readers never need a fallback. The nightly job calls it with no ids.
 */
export async function refreshPaymentStats({ customerIds, asOf = today() }: { customerIds?: string[]; asOf?: IsoDate } = {}, db: Db = getDb()): Promise<RefreshResult> {
  const grades = Object.fromEntries(riskGrades.map((g) => [g, 0])) as Record<RiskGrade, number>;
  const batches = customerIds ? chunk([...new Set(customerIds)].sort(), ID_BATCH) : [null];
  let count = 0;
  for (const batch of batches) {
    if (batch && batch.length === 0) continue;
    const rows = (await behaviourFacts(batch, asOf, db)).map(statsRow);
    await writeStats(rows, db);
    for (const row of rows) grades[row.grade]++;
    count += rows.length;
  }
  return { customers: count, grades };
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export type PaymentBehaviour = {
  customerId: string;
  invoicesPaid: number;
  avgDaysToPay: number | null;
  avgDaysLate: number | null;
  onTimeBps: number | null;
  recentDaysLate: number | null;
  priorDaysLate: number | null;
  trend: Trend | null;
  grade: RiskGrade;
  gradeLabel: string;
  reasons: string[];
  /** What the cash forecast expects of what this customer owes, in basis points. */
  collectabilityBps: number;
  /** When it was stored; null when worked out just now because the nightly job has not run yet. */
  computedAt: Date | null;
};

type StatsRow = {
  customer_id: string;
  invoices_paid: number;
  avg_days_to_pay: number | null;
  avg_days_late: number | null;
  on_time_bps: number | null;
  recent_days_late: number | null;
  prior_days_late: number | null;
  grade: string;
  reasons: unknown;
  computed_at: Date | string | null;
};

function fromStats(row: StatsRow): PaymentBehaviour {
  const grade = isRiskGrade(row.grade) ? row.grade : "C";
  const recentDaysLate = num(row.recent_days_late);
  const priorDaysLate = num(row.prior_days_late);
  return {
    customerId: row.customer_id,
    invoicesPaid: Number(row.invoices_paid),
    avgDaysToPay: num(row.avg_days_to_pay),
    avgDaysLate: num(row.avg_days_late),
    onTimeBps: num(row.on_time_bps),
    recentDaysLate,
    priorDaysLate,
    trend: trendOf(recentDaysLate, priorDaysLate),
    grade,
    gradeLabel: riskGradeLabels[grade],
    reasons: parseStoredReasons(row.reasons),
    collectabilityBps: collectabilityBps[grade],
    computedAt: row.computed_at === null ? null : new Date(row.computed_at),
  };
}

// The real (float4) columns are read as they print (29.67), not widened to float8 (29.6700000762939).
const statsColumns = sql`s.customer_id, s.invoices_paid, s.avg_days_to_pay, s.avg_days_late, s.on_time_bps, s.recent_days_late, s.prior_days_late, s.grade, s.reasons, s.computed_at`;

/**
 * One customer's behaviour as stored by the last refresh; if there is none yet (a new install
 * before its first nightly run), it is worked out now, without storing it. Null for no customer.
 */
export async function paymentBehaviour(customerId: string, db: Db = getDb(), { asOf = today() }: { asOf?: IsoDate } = {}): Promise<PaymentBehaviour | null> {
  const [stored] = rowsOf<StatsRow>(await db.execute(sql`select ${statsColumns} from customer_payment_stats s where s.customer_id = ${customerId}::uuid`));
  if (stored) return fromStats(stored);
  const [facts] = await behaviourFacts([customerId], asOf, db);
  if (!facts) return null;
  const row = statsRow(facts);
  return fromStats({ ...row, computed_at: null });
}

/** The stored grades of these customers (one query), for the worklist and credit control. */
export async function riskGradesOf(customerIds: string[], db: Db = getDb()): Promise<Map<string, { grade: RiskGrade; reasons: string[] }>> {
  if (customerIds.length === 0) return new Map();
  const ids = sql.join(customerIds.map((id) => sql`${id}::uuid`), sql`, `);
  const rows = rowsOf<{ customer_id: string; grade: string; reasons: unknown }>(await db.execute(sql`select customer_id, grade, reasons from customer_payment_stats where customer_id in (${ids})`));
  return new Map(rows.filter((r) => isRiskGrade(r.grade)).map((r) => [r.customer_id, { grade: r.grade as RiskGrade, reasons: parseStoredReasons(r.reasons) }]));
}

// --- The report: every graded customer, searchable and sortable ----------------------------------

/**
 * Each sort's expression, its SQL type (to read a cursor's key back exactly) and whether it can be
 * null (customers without the figure go last, whichever way). The non-null sorts are in the order
 * of an index (see the report's note on customer_payment_stats (grade, customer_id)), so the first
 * page is read from the index, not sorted from every row.
 */
const sortColumns: Record<BehaviourSort, { expr: SQL; type: SQL; nullable: boolean }> = {
  grade: { expr: sql`s.grade`, type: sql`bpchar`, nullable: false },
  late: { expr: sql`s.avg_days_late`, type: sql`real`, nullable: true },
  pay: { expr: sql`s.avg_days_to_pay`, type: sql`real`, nullable: true },
  ontime: { expr: sql`s.on_time_bps`, type: sql`int`, nullable: true },
  // Getting worse fastest first.
  trend: { expr: sql`(s.recent_days_late - s.prior_days_late)`, type: sql`real`, nullable: true },
  paid: { expr: sql`s.invoices_paid`, type: sql`int`, nullable: false },
  name: { expr: sql`lower(c.name)`, type: sql`text`, nullable: false },
};

export const BEHAVIOUR_PAGE_SIZE = 50;

export type BehaviourListQuery = {
  q?: string;
  grade?: RiskGrade;
  sort?: BehaviourSort;
  dir?: SortDirection;
  after?: string;
  limit?: number;
};

export type BehaviourListRow = PaymentBehaviour & { accountNumber: string; name: string; currency: string };

type Cursor = { sort: BehaviourSort; dir: SortDirection; isNull: boolean; key: string | number | null; id: string };

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify([c.sort, c.dir, c.isNull ? 1 : 0, c.key, c.id])).toString("base64url");

/** A cursor of another sort, or tampered with, reads as "first page". */
function decodeCursor(after: string | undefined, sort: BehaviourSort, dir: SortDirection): Cursor | null {
  if (!after) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(after, "base64url").toString());
    if (!Array.isArray(parsed) || parsed.length !== 5) return null;
    const [s, d, isNull, key, id] = parsed as unknown[];
    if (s !== sort || d !== dir || (isNull !== 0 && isNull !== 1) || typeof id !== "string" || !/^[0-9a-f-]{36}$/i.test(id)) return null;
    if (isNull === 0 && typeof key !== "string" && typeof key !== "number") return null;
    return { sort, dir, isNull: isNull === 1, key: key as string | number | null, id };
  } catch {
    return null;
  }
}

/**
 * A page of graded customers, filtered by grade and a search of name or account number, in
 * the chosen order (customers without the figure last, whichever way), keyset-paged on the sort
 * key and id so every page costs the same.
 */
export async function listPaymentBehaviour(query: BehaviourListQuery, db: Db = getDb()) {
  const sort = query.sort ?? "grade";
  const dir = query.dir ?? behaviourSortOptions[sort].dir;
  const limit = query.limit ?? BEHAVIOUR_PAGE_SIZE;
  const { expr, type, nullable } = sortColumns[sort];
  // Ties are broken by the id of the table the sort key is in, so an index can hold both.
  const id = sort === "name" ? sql`c.id` : sql`s.customer_id`;
  const op = sql.raw(dir === "asc" ? ">" : "<");
  const order = sql.raw(dir);
  const cursor = decodeCursor(query.after, sort, dir);
  const conditions: SQL[] = [];
  if (query.grade) conditions.push(sql`s.grade = ${query.grade}`);
  if (query.q) {
    const like = likePattern(query.q);
    conditions.push(sql`(c.name ilike ${like} or c.account_number ilike ${like})`);
  }
  if (cursor) {
    const after = sql`(${expr}, ${id}) ${op} (${String(cursor.key)}::${type}, ${cursor.id}::uuid)`;
    conditions.push(!nullable ? after : cursor.isNull ? sql`${expr} is null and ${id} ${op} ${cursor.id}::uuid` : sql`(${expr} is null or ${after})`);
  }
  const where = conditions.length ? sql`where ${sql.join(conditions, sql` and `)}` : sql``;
  const orderBy = sql`order by ${expr} ${order}${nullable ? sql.raw(" nulls last") : sql``}, ${id} ${order}`;
  // Without a search of the customers' names, the page is taken from customer_payment_stats
  // alone and only its rows are joined to customers (every stats row has its customer).
  const statsOnly = !query.q && sort !== "name";
  const rows = rowsOf<StatsRow & { account_number: string; name: string; currency: string; sort_key: string | number | null }>(
    await db.execute(
      statsOnly
        ? sql`
          select ${statsColumns}, c.account_number, c.name, c.currency, s.sort_key
          from (select s.*, ${expr} as sort_key from customer_payment_stats s ${where} ${orderBy} limit ${limit + 1}) s
          join customers c on c.id = s.customer_id
          ${orderBy}`
        : sql`
          select ${statsColumns}, c.account_number, c.name, c.currency, ${expr} as sort_key
          from customer_payment_stats s
          join customers c on c.id = s.customer_id
          ${where}
          ${orderBy}
          limit ${limit + 1}`,
    ),
  );
  const page = rows.slice(0, limit);
  const last = rows.length > limit ? page.at(-1) : undefined;
  return {
    rows: page.map((r): BehaviourListRow => ({ ...fromStats(r), accountNumber: r.account_number, name: r.name, currency: r.currency })),
    nextCursor: last ? encodeCursor({ sort, dir, isNull: last.sort_key === null, key: last.sort_key === null ? null : typeof last.sort_key === "number" ? last.sort_key : String(last.sort_key), id: last.customer_id }) : undefined,
    sort,
    dir,
  };
}

/** How many customers have each grade (an index-only count on customer_payment_stats_grade_idx). */
export async function gradeCounts(db: Db = getDb()): Promise<Record<RiskGrade, number>> {
  const rows = rowsOf<{ grade: string; n: number | string }>(await db.execute(sql`select grade, count(*) as n from customer_payment_stats group by grade`));
  const counts = Object.fromEntries(riskGrades.map((g) => [g, 0])) as Record<RiskGrade, number>;
  for (const row of rows) if (isRiskGrade(row.grade)) counts[row.grade] = Number(row.n);
  return counts;
}

export const behaviourCsvColumns = [
  "account_number",
  "name",
  "currency",
  "grade",
  "grade_meaning",
  "invoices_paid_12_months",
  "avg_days_to_pay",
  "avg_days_late",
  "on_time_percent",
  "recent_90_days_late",
  "prior_90_days_late",
  "trend",
  "reasons",
  "computed_at",
];

/** The report as CSV, every page of it in the list's order, read 5,000 rows at a time. */
export async function* behaviourCsv(query: Omit<BehaviourListQuery, "after" | "limit">, db: Db = getDb()): AsyncGenerator<string> {
  // The byte-order mark tells Excel the file is UTF-8.
  yield `\uFEFF${stringify([behaviourCsvColumns])}`;
  let after: string | undefined;
  const fixed = (value: number | null) => (value === null ? "" : value.toFixed(1));
  for (;;) {
    const page = await listPaymentBehaviour({ ...query, after, limit: WRITE_BATCH }, db);
    if (page.rows.length > 0) {
      yield stringify(
        page.rows.map((r) => [
          csvText(r.accountNumber),
          csvText(r.name),
          r.currency,
          r.grade,
          r.gradeLabel,
          r.invoicesPaid,
          fixed(r.avgDaysToPay),
          fixed(r.avgDaysLate),
          r.onTimeBps === null ? "" : (r.onTimeBps / 100).toFixed(2),
          fixed(r.recentDaysLate),
          fixed(r.priorDaysLate),
          r.trend ?? "",
          csvText(r.reasons.join("; ")),
          r.computedAt ? r.computedAt.toISOString() : "",
        ]),
      );
    }
    if (!page.nextCursor) return;
    after = page.nextCursor;
  }
}
