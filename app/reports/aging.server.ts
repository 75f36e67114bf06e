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
  invoiceCount: number;
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

/**
 * Open receivables as they stood at the end of `asOf`, bucketed and grouped.
 *
 * What is open today is an index-only scan of open invoices (invoices_open_due_idx). A past date
 * is rebuilt from the journal by rolling back what moved each invoice's receivable after that
 * day: open then = open now − the receivable lines dated later. So the work grows with activity
 * since `asOf`, not with the whole history, and last quarter's aging is reproducible after any
 * later payment, credit or write-off. Disputed and planned amounts are those open at `asOf`
 * (disputes raised by then and not yet resolved; plans active then), capped at what was open.
 *
 * Collector and segment are the customer's current ones: the journal does not record who
 * collected an account in the past.
 */
async function agingRows(query: AgingQuery, page: { limit: number; offset: number }, db: Db) {
  const { asOf } = query;
  const endOfDay = `${addDays(asOf, 1)}T00:00:00Z`;
  const days = query.basis === "due" ? sql`(${asOf}::date - i.due_date)` : sql`(${asOf}::date - i.issue_date)`;
  const bucket = bucketCase(days, query);
  const overdue = sql`(i.due_date < ${asOf}::date)`;
  const currency = query.currency ? sql`and i.currency = ${query.currency}` : sql``;
  const openThen = sql`(case when i.status = 'open' then i.open_minor else 0 end - coalesce(l.later_minor, 0))`;
  const columnCount = agingColumns(query.edges, query.basis).length;
  const bucketSums = sql.join(
    Array.from({ length: columnCount }, (_, k) => sql.raw(`coalesce(sum(amount) filter (where b = ${k}), 0)::bigint as b${k}`)),
    sql`, `,
  );
  const bucketTotals = sql.join(
    Array.from({ length: columnCount }, (_, k) => sql.raw(`sum(b${k})::bigint as b${k}`)),
    sql`, `,
  );
  const search = query.search
    ? sql`and (c.name ilike ${likePattern(query.search)} or c.account_number ilike ${likePattern(query.search)})`
    : sql``;
  const group = {
    customer: { key: sql`c.id::text`, label: sql`min(c.name)`, detail: sql`min(c.account_number)` },
    collector: { key: sql`coalesce(c.collector_id::text, '')`, label: sql`coalesce(min(s.name), 'Unassigned')`, detail: sql`min(s.email)` },
    currency: { key: sql`pc.currency::text`, label: sql`pc.currency::text`, detail: sql`null::text` },
    segment: { key: sql`coalesce(c.segment, '')`, label: sql`coalesce(min(c.segment), 'No segment')`, detail: sql`null::text` },
  }[query.groupBy];
  const order = {
    total: sql`total desc, label, key`,
    overdue: sql`overdue desc, total desc, label, key`,
    name: sql`label, key`,
  }[query.sort];

  const result = await db.execute(sql`
    with later as materialized (
      select invoice_id, sum(amount_minor)::bigint as later_minor
        from journal_lines
       where account = 'receivable' and effective_date > ${asOf}::date
       group by invoice_id
    ),
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
      -- open now, as the index holds it
      select i.currency, i.customer_id, ${bucket} as b, ${overdue} as od, i.open_minor as amount, 1 as n, 0::bigint as disputed, 0::bigint as planned
        from invoices i
       where i.status = 'open' and i.issue_date <= ${asOf}::date ${currency}
      union all
      -- rolled back: what moved after asOf, and whether that changes the invoice's count
      select i.currency, i.customer_id, ${bucket}, ${overdue}, -l.later_minor,
             (case when ${openThen} <> 0 then 1 else 0 end) - (case when i.status = 'open' then 1 else 0 end), 0, 0
        from later l join invoices i on i.id = l.invoice_id
       where i.issue_date <= ${asOf}::date ${currency}
      union all
      select i.currency, i.customer_id, 0, false, 0, 0, least(d.amount, greatest(${openThen}, 0)), 0
        from disputed d join invoices i on i.id = d.invoice_id left join later l on l.invoice_id = i.id
       where i.issue_date <= ${asOf}::date ${currency}
      union all
      select i.currency, i.customer_id, 0, false, 0, 0, 0, least(p.amount, greatest(${openThen}, 0))
        from planned p join invoices i on i.id = p.invoice_id left join later l on l.invoice_id = i.id
       where i.issue_date <= ${asOf}::date ${currency}
    ),
    per_customer as (
      select currency, customer_id, ${bucketSums},
             coalesce(sum(amount), 0)::bigint as total,
             coalesce(sum(amount) filter (where od), 0)::bigint as overdue,
             sum(disputed)::bigint as disputed, sum(planned)::bigint as planned, sum(n)::bigint as n
        from parts
       group by currency, customer_id
      having sum(n) > 0
    ),
    grouped as materialized (
      select ${group.key} as key, ${group.label} as label, ${group.detail} as detail, pc.currency::text as currency,
             ${bucketTotals}, sum(total)::bigint as total, sum(overdue)::bigint as overdue,
             sum(disputed)::bigint as disputed, sum(planned)::bigint as planned, sum(n)::bigint as n
        from per_customer pc
        join customers c on c.id = pc.customer_id
        left join staff_users s on s.id = c.collector_id
       where true ${search}
       group by 1, pc.currency
    )
    (select 'row' as kind, * from grouped order by ${order}, currency limit ${page.limit} offset ${page.offset})
    union all
    (select 'total' as kind, count(*)::text, null, null, currency, ${bucketTotals}, sum(total)::bigint, sum(overdue)::bigint,
            sum(disputed)::bigint, sum(planned)::bigint, sum(n)::bigint
       from grouped group by currency order by currency)
  `);
  const raw = rowsOf<Record<string, string | number | null>>(result);
  const num = (value: unknown) => Number(value ?? 0);
  const figures = (r: Record<string, unknown>): AgingTotals => ({
    currency: String(r.currency),
    bucketsMinor: Array.from({ length: columnCount }, (_, k) => num(r[`b${k}`])),
    totalMinor: num(r.total),
    overdueMinor: num(r.overdue),
    disputedMinor: num(r.disputed),
    plannedMinor: num(r.planned),
    invoiceCount: num(r.n),
  });
  const rows: AgingRow[] = raw
    .filter((r) => r.kind === "row")
    .map((r) => ({ key: String(r.key), label: String(r.label), detail: r.detail === null ? null : String(r.detail), href: rowHref(query, String(r.key)), ...figures(r) }));
  const totalRows = raw.filter((r) => r.kind === "total");
  return { rows, totals: totalRows.map(figures), rowCount: totalRows.reduce((sum, r) => sum + num(r.key), 0) };
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
  const groupLabel = agingGroups[report.query.groupBy].toLowerCase();
  const columns = ["record_type", groupLabel, "detail", "currency", ...report.columns.map((c) => c.label), "total", "overdue", "disputed", "in_plans", "invoices", "as_of", "aged_by"];
  const line = (recordType: string, label: string, detail: string | null, r: AgingTotals) => {
    const amount = (minor: number) => toDecimalString(minor, r.currency);
    return {
      record_type: recordType,
      [groupLabel]: csvText(label),
      detail: csvText(detail),
      currency: r.currency,
      ...Object.fromEntries(report.columns.map((c, i) => [c.label, amount(r.bucketsMinor[i] ?? 0)])),
      total: amount(r.totalMinor),
      overdue: amount(r.overdueMinor),
      disputed: amount(r.disputedMinor),
      in_plans: amount(r.plannedMinor),
      invoices: r.invoiceCount,
      as_of: report.query.asOf,
      aged_by: report.query.basis === "due" ? "due date" : "invoice date",
    };
  };
  return toCsv([...report.rows.map((r) => line("row", r.label, r.detail, r)), ...report.totals.map((t) => line("total", "Total", null, t))], columns);
}
