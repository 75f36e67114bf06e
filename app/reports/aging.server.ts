import { sql, type SQL } from "drizzle-orm";
import { getDb, rowsOf, type Db } from "~db/client";
import { toDecimalString } from "~/money/money";
import { csvText, toCsv } from "~/utils/csv";
import { addDays } from "~/utils/dates";
import { likePattern } from "~/utils/like";
import { agingColumns, agingGroups, type AgingQuery } from "./aging-params";

export type AgingColumn = { key: string; label: string };
export type AgingRow = {
  key: string;
  label: string;
  detail: string | null;
  href: string | null;
  currency: string;
  bucketsMinor: number[];
  totalMinor: number;
  overdueMinor: number;
  disputedMinor: number;
  plannedMinor: number;
};
export type AgingTotals = Omit<AgingRow, "key" | "label" | "detail" | "href">;
export type AgingReport = { query: AgingQuery; columns: AgingColumn[]; totals: AgingTotals[]; rows: AgingRow[]; rowCount: number; pageSize: number };

export const AGING_PAGE_SIZE = 50;
/** A CSV or PDF of every row stops here; a bigger book is exported in parts (by currency or search). */
export const AGING_EXPORT_LIMIT = 200_000;

/**
 * Days into the first bucket, and so on: `case when days <= 0 then 0 when days <= 30 then 1 …`.
 * Edges are whole numbers already checked by the query's schema, so they are written in as text.
 */
function bucketCase(days: SQL, query: AgingQuery) {
  const limits = query.basis === "due" ? [0, ...query.edges] : query.edges;
  const whens = limits.map((limit, i) => sql`when ${days} <= ${sql.raw(String(Math.trunc(limit)))} then ${sql.raw(String(i))}`);
  return sql`(case ${sql.join(whens, sql` `)} else ${sql.raw(String(limits.length))} end)`;
}

type Page = { limit: number; offset: number };

/**
 * Open receivables as they stood at the end of `asOf`, bucketed and grouped (ADR 016).
 *
 * What is open today is an index-only scan of open invoices (invoices_open_due_idx). A past day
 * is rebuilt from the journal by rolling back what moved receivables after it: open then = open
 * now − the receivable lines dated later (receivable_lines, the journal's receivable lines with
 * their invoice's dates). So the work grows with the activity since `asOf`, not with the whole
 * history, and last quarter's aging is the same after any later payment, credit or write-off.
 * Disputed and planned amounts are those open at `asOf` (disputes raised by then and not yet
 * resolved; plans active then), capped at what was open on their invoice.
 *
 * Collector and segment are the customer's current ones: the journal does not record who
 * collected an account in the past.
 */
/** Which customers: a subquery of ids, a list of ids, or everyone (null). */
type CustomerScope = SQL | string[] | null;

function agingParts(query: AgingQuery, customerScope: CustomerScope, { byCustomer }: { byCustomer: boolean }) {
  const { asOf } = query;
  const dayColumns = query.basis === "due" ? sql`due_date` : sql`issue_date, due_date`;
  const endOfDay = `${addDays(asOf, 1)}T00:00:00Z`;
  const daysOf = (t: string) => (query.basis === "due" ? sql`(${asOf}::date - ${sql.raw(t)}.due_date)` : sql`(${asOf}::date - ${sql.raw(t)}.issue_date)`);
  const currency = (t: string) => (query.currency ? sql`and ${sql.raw(t)}.currency = ${query.currency}` : sql``);
  const scope = (t: string) =>
    customerScope === null
      ? sql``
      : Array.isArray(customerScope)
        ? sql`and ${sql.raw(t)}.customer_id = any(${`{${customerScope.join(",")}}`}::uuid[])`
        : sql`and ${sql.raw(t)}.customer_id in (${customerScope})`;
  // An invoice's open amount at asOf, for the few invoices with a dispute or a plan.
  const openThen = sql`(case when i.status = 'open' then i.open_minor else 0 end
    - coalesce((select sum(jl.amount_minor) from journal_lines jl where jl.invoice_id = i.id and jl.account = 'receivable' and jl.effective_date > ${asOf}::date), 0))`;
  return sql`
    disputed as (
      select invoice_id, sum(amount_minor)::bigint as amount
        from disputes
       where created_at < ${endOfDay}::timestamptz and (resolved_at is null or resolved_at >= ${endOfDay}::timestamptz)
       group by invoice_id
    ),
    planned as (
      select pi.invoice_id, sum(pi.amount_minor)::bigint as amount
        from plan_invoices pi join payment_plans p on p.id = pi.plan_id
       where p.activated_at < ${endOfDay}::timestamptz and (p.ended_at is null or p.ended_at >= ${endOfDay}::timestamptz)
       group by pi.invoice_id
    ),
    parts as (
      ${
        byCustomer || customerScope !== null
          ? sql`-- open now, as the index holds it
      select i.currency, i.customer_id, i.issue_date, i.due_date, i.open_minor as amount, 0::bigint as disputed, 0::bigint as planned
        from invoices i
       where i.status = 'open' and i.issue_date <= ${asOf}::date ${currency("i")} ${scope("i")}`
          : sql`-- open now, from the sums by issue and due date (a few thousand rows) kept beside the journal
      select d.currency, null::uuid as customer_id, d.issue_date, d.due_date, sum(d.amount_minor)::bigint as amount, 0::bigint as disputed, 0::bigint as planned
        from (select issue_date, due_date, currency, amount_minor from receivable_by_dates
              union all
              select issue_date, due_date, currency, amount_minor from receivable_by_dates_pending) d
       where d.issue_date <= ${asOf}::date ${currency("d")}
       group by d.currency, d.issue_date, d.due_date`
      }
      union all
      -- rolled back: what moved receivables after asOf
      select r.currency, r.customer_id, r.issue_date, r.due_date, -r.amount_minor, 0, 0
        from receivable_lines r
       where r.effective_date > ${asOf}::date and r.issue_date <= ${asOf}::date ${currency("r")} ${scope("r")}
      union all
      select i.currency, i.customer_id, i.issue_date, i.due_date, 0, least(d.amount, greatest(${openThen}, 0)), 0
        from disputed d join invoices i on i.id = d.invoice_id
       where i.issue_date <= ${asOf}::date ${currency("i")} ${scope("i")}
      union all
      select i.currency, i.customer_id, i.issue_date, i.due_date, 0, 0, least(p.amount, greatest(${openThen}, 0))
        from planned p join invoices i on i.id = p.invoice_id
       where i.issue_date <= ${asOf}::date ${currency("i")} ${scope("i")}
    ),
    ${
      byCustomer
        ? sql`bucketed as (
      select currency, customer_id, ${bucketCase(daysOf("parts"), query)} as b, (parts.due_date < ${asOf}::date) as od, amount, disputed, planned
        from parts`
        : sql`-- Summed by day first (a few thousand days, not hundreds of thousands of invoices), then bucketed.
    by_day as (
      select currency, ${dayColumns}, sum(amount) as amount, sum(disputed) as disputed, sum(planned) as planned
        from parts group by currency, ${dayColumns}
    ),
    bucketed as (
      select currency, ${bucketCase(daysOf("by_day"), query)} as b, (by_day.due_date < ${asOf}::date) as od, amount, disputed, planned
        from by_day`
    }
    )`;
}

const sums = (columnCount: number, from: (k: number) => string) =>
  sql.join(
    Array.from({ length: columnCount }, (_, k) => sql.raw(`${from(k)} as b${k}`)),
    sql`, `,
  );

type Figures = { currency: string } & Record<string, unknown>;

function figuresOf(r: Figures, columnCount: number): AgingTotals {
  const num = (value: unknown) => Number(value ?? 0);
  return {
    currency: String(r.currency).trim(),
    bucketsMinor: Array.from({ length: columnCount }, (_, k) => num(r[`b${k}`])),
    totalMinor: num(r.total),
    overdueMinor: num(r.overdue),
    disputedMinor: num(r.disputed),
    plannedMinor: num(r.planned),
  };
}

/** Report queries sort and hash a few hundred thousand rows: give them room, and skip JIT (its compile time is more than it saves here). */
async function reportTransaction<T>(db: Db, run: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local work_mem = '64MB'`);
    await tx.execute(sql`set local jit = off`);
    return run(tx);
  });
}

function customersMatching(query: AgingQuery): SQL | null {
  if (!query.search) return null;
  const like = likePattern(query.search);
  return sql`select id from customers where name ilike ${like} or account_number ilike ${like}`;
}

async function agingTotals(query: AgingQuery, db: Db): Promise<AgingTotals[]> {
  const columnCount = agingColumns(query.edges, query.basis).length;
  const result = await db.execute(sql`
    with ${agingParts(query, customersMatching(query), { byCustomer: false })}
    select currency::text, ${sums(columnCount, (k) => `coalesce(sum(amount) filter (where b = ${k}), 0)::bigint`)},
           coalesce(sum(amount), 0)::bigint as total, coalesce(sum(amount) filter (where od), 0)::bigint as overdue,
           sum(disputed)::bigint as disputed, sum(planned)::bigint as planned
      from bucketed group by currency having sum(amount) <> 0 or sum(disputed) <> 0 or sum(planned) <> 0 order by currency`);
  return rowsOf<Figures>(result).map((r) => figuresOf(r, columnCount));
}

/** Every group's figures, sorted and paged; the general path, for any day, group and order. */
async function agingGroupRows(query: AgingQuery, page: Page, customerScope: CustomerScope, db: Db) {
  const columnCount = agingColumns(query.edges, query.basis).length;
  const group = {
    customer: { key: sql`c.id::text`, label: sql`min(c.name)`, detail: sql`min(c.account_number)` },
    collector: { key: sql`coalesce(c.collector_id::text, '')`, label: sql`coalesce(min(s.name), 'Unassigned')`, detail: sql`min(s.email)` },
    currency: { key: sql`pc.currency::text`, label: sql`pc.currency::text`, detail: sql`null::text` },
    segment: { key: sql`coalesce(c.segment, '')`, label: sql`coalesce(min(c.segment), 'No segment')`, detail: sql`null::text` },
  }[query.groupBy];
  const order = {
    total: sql`total desc, key`,
    overdue: sql`overdue desc, total desc, key`,
    name: sql`label, key`,
  }[query.sort];
  const result = await db.execute(sql`
    with ${agingParts(query, customerScope, { byCustomer: true })},
    per_customer as (
      select currency, customer_id, ${sums(columnCount, (k) => `coalesce(sum(amount) filter (where b = ${k}), 0)::bigint`)},
             coalesce(sum(amount), 0)::bigint as total, coalesce(sum(amount) filter (where od), 0)::bigint as overdue,
             sum(disputed)::bigint as disputed, sum(planned)::bigint as planned
        from bucketed
       group by currency, customer_id
      having sum(amount) <> 0 or sum(disputed) <> 0 or sum(planned) <> 0
    ),
    grouped as materialized (
      select ${group.key} as key, ${group.label} as label, ${group.detail} as detail, pc.currency::text as currency,
             ${sums(columnCount, (k) => `sum(b${k})::bigint`)}, sum(total)::bigint as total, sum(overdue)::bigint as overdue,
             sum(disputed)::bigint as disputed, sum(planned)::bigint as planned
        from per_customer pc
        join customers c on c.id = pc.customer_id
        left join staff_users s on s.id = c.collector_id
       group by 1, pc.currency
    )
    select *, count(*) over () as row_count from grouped order by ${order}, currency limit ${page.limit} offset ${page.offset}
  `);
  const raw = rowsOf<Figures>(result);
  return {
    rows: raw.map((r): AgingRow => ({ key: String(r.key), label: String(r.label), detail: r.detail === null ? null : String(r.detail), href: rowHref(query, String(r.key)), ...figuresOf(r, columnCount) })),
    rowCount: Number(raw[0]?.row_count ?? 0),
  };
}

/**
 * The aging by customer, largest total or by name, on any day, without bucketing every customer:
 * a customer's total at `asOf` is its kept receivable (customer_balances) less what is open on
 * invoices issued since (invoices_open_issue_idx) less the receivable lines dated since on older
 * invoices (receivable_lines). Both grow with the activity since `asOf`, and are empty for today.
 * Only the page's customers are then bucketed.
 */
async function customerPage(query: AgingQuery, page: Page, db: Db) {
  const { asOf } = query;
  const currency = query.currency ? sql`and b.currency = ${query.currency}` : sql``;
  const matching = customersMatching(query);
  const search = matching ? sql`and b.customer_id in (${matching})` : sql``;
  const order = query.sort === "name" ? sql`c.name, c.id` : sql`t.total desc, t.customer_id`;
  const rows = rowsOf<{ id: string | null; row_count: string }>(
    await db.execute(sql`
      with moved as (
        select customer_id, sum(open_minor) as amount from invoices where status = 'open' and issue_date > ${asOf}::date group by customer_id
        union all
        select customer_id, sum(amount_minor) from receivable_lines where effective_date > ${asOf}::date and issue_date <= ${asOf}::date group by customer_id
      ),
      moved_by_customer as (select customer_id, sum(amount) as amount from moved group by customer_id),
      totals as materialized (
        select b.customer_id, b.receivable_minor - coalesce(m.amount, 0) as total
          from customer_balances b left join moved_by_customer m on m.customer_id = b.customer_id
         where (b.receivable_minor > 0 or m.customer_id is not null) ${currency} ${search}
      ),
      shown as (select * from totals where total > 0)
      (select t.customer_id::text as id, null as row_count from shown t ${query.sort === "name" ? sql`join customers c on c.id = t.customer_id` : sql``}
        order by ${order} limit ${page.limit} offset ${page.offset})
      union all
      select null, count(*)::text from shown`),
  );
  const ids = rows.flatMap((r) => (r.id ? [r.id] : []));
  const rowCount = Number(rows.find((r) => r.id === null)?.row_count ?? 0);
  if (ids.length === 0) return { rows: [], rowCount };
  const { rows: figures } = await agingGroupRows(query, { limit: ids.length, offset: 0 }, ids, db);
  const byId = new Map(figures.map((r) => [r.key, r]));
  return { rows: ids.flatMap((id) => byId.get(id) ?? []), rowCount };
}

async function agingRows(query: AgingQuery, page: Page, db: Db) {
  // Totals and rows are two statements on two connections, so the two cores share the work.
  const [totals, grouped] = await Promise.all([
    reportTransaction(db, (tx) => agingTotals(query, tx)),
    query.groupBy === "currency"
      ? null
      : reportTransaction(db, (tx) =>
          query.groupBy === "customer" && query.sort !== "overdue" ? customerPage(query, page, tx) : agingGroupRows(query, page, customersMatching(query), tx),
        ),
  ]);
  const byOrder = {
    total: (a: AgingTotals, b: AgingTotals) => b.totalMinor - a.totalMinor || a.currency.localeCompare(b.currency),
    overdue: (a: AgingTotals, b: AgingTotals) => b.overdueMinor - a.overdueMinor || b.totalMinor - a.totalMinor || a.currency.localeCompare(b.currency),
    name: (a: AgingTotals, b: AgingTotals) => a.currency.localeCompare(b.currency),
  }[query.sort];
  const rows =
    grouped?.rows ??
    [...totals]
      .sort(byOrder)
      .slice(page.offset, page.offset + page.limit)
      .map((t) => ({ key: t.currency, label: t.currency, detail: null, href: null, ...t }));
  return { rows, totals, rowCount: grouped?.rowCount ?? totals.length };
}

function rowHref(query: AgingQuery, key: string): string | null {
  if (query.groupBy === "customer") return `/staff/customers/${key}`;
  if (query.groupBy === "collector") return `/staff/collections?collector=${key || "none"}`;
  return null;
}

export async function agingReport(query: AgingQuery, db: Db = getDb()): Promise<AgingReport> {
  const { rows, totals, rowCount } = await agingRows(query, { limit: AGING_PAGE_SIZE, offset: (query.page - 1) * AGING_PAGE_SIZE }, db);
  return { query, columns: agingColumns(query.edges, query.basis), totals, rows, rowCount, pageSize: AGING_PAGE_SIZE };
}

/** Every row of the report, for the CSV and the PDF. */
export async function agingReportAllRows(query: AgingQuery, db: Db = getDb()): Promise<AgingReport> {
  const { rows, totals, rowCount } = await agingRows(query, { limit: AGING_EXPORT_LIMIT, offset: 0 }, db);
  return { query, columns: agingColumns(query.edges, query.basis), totals, rows, rowCount, pageSize: AGING_EXPORT_LIMIT };
}

/** One line per group and currency, then a total line per currency; amounts as decimals of their currency. */
export function agingCsv(report: AgingReport): string {
  // Grouped by currency, the currency column is the group.
  const groupColumns = report.query.groupBy === "currency" ? [] : [agingGroups[report.query.groupBy].toLowerCase(), "detail"];
  const columns = ["record_type", ...groupColumns, "currency", ...report.columns.map((c) => c.label), "total", "overdue", "disputed", "in_plans", "as_of", "aged_by"];
  const line = (recordType: string, label: string, detail: string | null, r: AgingTotals) => {
    const amount = (minor: number) => toDecimalString(minor, r.currency);
    return {
      record_type: recordType,
      ...(groupColumns.length > 0 ? { [groupColumns[0]!]: csvText(label), detail: csvText(detail) } : {}),
      currency: r.currency,
      ...Object.fromEntries(report.columns.map((c, i) => [c.label, amount(r.bucketsMinor[i] ?? 0)])),
      total: amount(r.totalMinor),
      overdue: amount(r.overdueMinor),
      disputed: amount(r.disputedMinor),
      in_plans: amount(r.plannedMinor),
      as_of: report.query.asOf,
      aged_by: report.query.basis === "due" ? "due date" : "invoice date",
    };
  };
  return toCsv([...report.rows.map((r) => line("row", r.label, r.detail, r)), ...report.totals.map((t) => line("total", "Total", null, t))], columns);
}
