/**
 * The floors: each measured answer again, by the plainest hand-written SQL over the same tables,
 * run on the same connection in the same bench run. A measurement's time over its floor's is what
 * Settle's code adds (round trips, the ORM, work in JavaScript) to what the database itself must do.
 *
 * Each floor answers in the same comparable shape as its measurement (bench/measurements.ts), so
 * the bench can check once that both found the same rows and figures.
 */
import { sql, type SQL } from "drizzle-orm";
import { rowsOf, type Db } from "~db/client";
import { addDays, type IsoDate } from "~/utils/dates";

export type StatementAnswer = { openingMinor: number; closingMinor: number; lines: number; openItems: number; openItemsMinor: number };

/** An activity statement: opening balance, every movement in the period, and what is open at its end. */
export async function statementFloor(db: Db, { customerId, from, to }: { customerId: string; from: IsoDate; to: IsoDate }): Promise<StatementAnswer> {
  const [opening, lines, open] = await Promise.all([
    db.execute(sql`
      select coalesce(sum(amount_minor), 0) as opening from journal_lines
       where customer_id = ${customerId} and account in ('receivable', 'customer_credit') and effective_date < ${from}::date`),
    db.execute(sql`
      select m.entry_id, m.date, e.type, e.description, coalesce(i.number, cn.number, p.reference, '') as reference, m.effect
        from (select entry_id, min(effective_date) as date, sum(amount_minor) as effect
                from journal_lines
               where customer_id = ${customerId} and account in ('receivable', 'customer_credit') and effective_date between ${from}::date and ${to}::date
               group by entry_id
              having sum(amount_minor) <> 0) m
        join journal_entries e on e.id = m.entry_id
        left join invoices i on i.id = e.invoice_id and e.type in ('invoice_issued', 'invoice_voided')
        left join credit_notes cn on cn.id = e.credit_note_id
        left join payments p on p.id = e.payment_id
       order by m.date, m.entry_id`),
    db.execute(sql`
      select i.id, i.number as reference, i.due_date, o.open
        from (select invoice_id, sum(amount_minor) as open from journal_lines
               where customer_id = ${customerId} and account = 'receivable' and effective_date <= ${to}::date
               group by invoice_id having sum(amount_minor) <> 0) o
        join invoices i on i.id = o.invoice_id
      union all
      select coalesce(e.payment_id, e.credit_note_id), coalesce(cn.number, p.reference), null, sum(l.amount_minor)
        from journal_lines l
        join journal_entries e on e.id = l.entry_id
        left join payments p on p.id = e.payment_id
        left join credit_notes cn on cn.id = e.credit_note_id and e.payment_id is null
       where l.customer_id = ${customerId} and l.account = 'customer_credit' and l.effective_date <= ${to}::date
       group by 1, 2
      having sum(l.amount_minor) <> 0
       order by 3, 2`),
  ]);
  const openingMinor = Number(rowsOf<{ opening: string }>(opening)[0]!.opening);
  const moves = rowsOf<{ effect: string }>(lines);
  const items = rowsOf<{ open: string }>(open);
  return {
    openingMinor,
    closingMinor: moves.reduce((sum, m) => sum + Number(m.effect), openingMinor),
    lines: moves.length,
    openItems: items.length,
    openItemsMinor: items.reduce((sum, i) => sum + Number(i.open), 0),
  };
}

/** A list row as the bench compares it: who, in order, with the figures shown. */
export const listRowKey = (r: { id: string; balanceMinor: number | string; overdueMinor: number | string }) => `${r.id} ${Number(r.balanceMinor)} ${Number(r.overdueMinor)}`;

const customerColumns = sql`c.id, c.account_number, c.name, c.email, c.currency, c.payment_terms_days, c.early_discount_bps, c.early_discount_days,
  c.credit_hold, c.status, s.name as collector_name, b.balance_minor, b.unapplied_minor`;

/** The first page of the staff customer list, by account number, balance, overdue amount, or a search. */
export async function customerListFloor(
  db: Db,
  { order, q, asOf, limit = 25 }: { order: "account" | "balance" | "overdue"; q?: string; asOf: IsoDate; limit?: number },
): Promise<string[]> {
  const overdueOf = sql`(select coalesce(sum(i.open_minor), 0) from invoices i where i.customer_id = c.id and i.status = 'open' and i.due_date < ${asOf}::date)`;
  const like = q ? `%${q.replace(/[\\%_]/g, "\\$&")}%` : "";
  const search: SQL = q ? sql`where c.name ilike ${like} or c.account_number ilike ${like} or c.email ilike ${like} or c.external_ref ilike ${like}` : sql``;
  const query =
    order === "overdue"
      ? sql`
        select ${customerColumns}, o.overdue as overdue_minor
          from (select customer_id, sum(open_minor) as overdue from invoices
                 where status = 'open' and due_date < ${asOf}::date
                 group by customer_id order by 2 desc, 1 desc limit ${limit}) o
          join customers c on c.id = o.customer_id
          join customer_balances b on b.customer_id = c.id
          left join staff_users s on s.id = c.collector_id
         order by o.overdue desc, c.id desc`
      : sql`
        select ${customerColumns}, ${overdueOf} as overdue_minor
          from customers c
          join customer_balances b on b.customer_id = c.id
          left join staff_users s on s.id = c.collector_id
          ${search}
         order by ${order === "balance" ? sql`b.balance_minor desc, c.id desc` : sql`c.account_number`}
         limit ${limit}`;
  return rowsOf<{ id: string; balance_minor: string; overdue_minor: string }>(await db.execute(query)).map((r) =>
    listRowKey({ id: r.id, balanceMinor: r.balance_minor, overdueMinor: r.overdue_minor }),
  );
}

export const worklistRowKey = (r: { customerId: string; overdueMinor: number | string; openTasks: number | string; promisedMinor: number | string | null }) =>
  `${r.customerId} ${Number(r.overdueMinor)} ${Number(r.openTasks)} ${Number(r.promisedMinor ?? 0)}`;

/** The worklist's first page: every overdue account by its cached score, or one collector's with due follow-ups first. */
export async function worklistFloor(db: Db, { view, staffId, asOf, limit = 25 }: { view: "all" | "mine"; staffId: string; asOf: IsoDate; limit?: number }): Promise<string[]> {
  const followUpDue = sql`(case when a.next_follow_up_on <= ${asOf}::date then 1 else 0 end)`;
  const rows = rowsOf<{ customer_id: string; overdue_minor: string; open_tasks: string; promised_minor: string | null }>(
    await db.execute(sql`
      select a.customer_id, c.name, c.account_number, s.name as collector_name, a.currency, a.overdue_minor, a.oldest_overdue_days, a.stage,
             a.score, a.score_reasons, a.next_follow_up_on, a.snoozed_until, c.credit_hold, ${followUpDue} as follow_up_due,
             (select count(*) from collection_tasks t where t.customer_id = a.customer_id and t.status = 'open') as open_tasks,
             (select sum(p.amount_minor) from promises_to_pay p where p.customer_id = a.customer_id and p.status = 'open') as promised_minor
        from collection_accounts a
        join customers c on c.id = a.customer_id
        left join staff_users s on s.id = c.collector_id
       where (a.snoozed_until is null or a.snoozed_until <= ${asOf}::date)
         and ${view === "mine" ? sql`c.collector_id = ${staffId} and (a.overdue_minor > 0 or a.next_follow_up_on <= ${asOf}::date)` : sql`a.overdue_minor > 0`}
       order by ${view === "mine" ? sql`${followUpDue} desc,` : sql``} a.score desc nulls last, a.customer_id
       limit ${limit}`),
  );
  return rows.map((r) => worklistRowKey({ customerId: r.customer_id, overdueMinor: r.overdue_minor, openTasks: r.open_tasks, promisedMinor: r.promised_minor }));
}

export type AgingAnswer = { rows: string[]; totals: string };
export const agingRowKey = (key: string, bucketsMinor: (number | string)[], totalMinor: number | string) => `${key} ${bucketsMinor.map(Number).join("/")} = ${Number(totalMinor)}`;

/**
 * Aging by customer as of a day, from the journal alone: each invoice's receivable lines up to
 * that day summed, aged by days past due into current, 1–30, 31–60, 61–90 and over 90, summed per
 * customer; the largest first, and the totals over everyone.
 */
export async function agingFloor(db: Db, { asOf, limit }: { asOf: IsoDate; limit: number }): Promise<AgingAnswer> {
  const rows = rowsOf<Record<string, string>>(
    await db.execute(sql`
      with open_then as (
        select invoice_id, sum(amount_minor) as open
          from journal_lines
         where account = 'receivable' and effective_date <= ${asOf}::date
         group by invoice_id
        having sum(amount_minor) <> 0
      ),
      per_customer as (
        select i.customer_id, i.currency,
               coalesce(sum(o.open) filter (where ${asOf}::date - i.due_date <= 0), 0) as b0,
               coalesce(sum(o.open) filter (where ${asOf}::date - i.due_date between 1 and 30), 0) as b1,
               coalesce(sum(o.open) filter (where ${asOf}::date - i.due_date between 31 and 60), 0) as b2,
               coalesce(sum(o.open) filter (where ${asOf}::date - i.due_date between 61 and 90), 0) as b3,
               coalesce(sum(o.open) filter (where ${asOf}::date - i.due_date > 90), 0) as b4,
               sum(o.open) as total
          from open_then o
          join invoices i on i.id = o.invoice_id
         group by i.customer_id, i.currency
      )
      (select 'row' as kind, p.customer_id::text as key, p.b0, p.b1, p.b2, p.b3, p.b4, p.total
         from per_customer p join customers c on c.id = p.customer_id
        order by p.total desc, c.name, p.customer_id::text
        limit ${limit})
      union all
      (select 'total', currency::text, sum(b0), sum(b1), sum(b2), sum(b3), sum(b4), sum(total) from per_customer group by currency order by currency)`),
  );
  const key = (r: Record<string, string>) => agingRowKey(r.key!, [r.b0!, r.b1!, r.b2!, r.b3!, r.b4!], r.total!);
  return { rows: rows.filter((r) => r.kind === "row").map(key), totals: rows.filter((r) => r.kind === "total").map(key).join("; ") };
}

/** The journal export's rows for a range, in its order, in one query (the CSV writing is left out). */
export async function journalExportFloor(db: Db, { from, to }: { from: IsoDate; to: IsoDate }): Promise<number> {
  const rows = rowsOf<unknown>(
    await db.execute(sql`
      select e.id, e.effective_date, e.type, c.account_number, i.number, l.account, l.amount_minor, l.currency, e.description, e.source_key
        from journal_entries e
        join journal_lines l on l.entry_id = e.id
        join customers c on c.id = e.customer_id
        left join invoices i on i.id = coalesce(l.invoice_id, e.invoice_id)
       where e.effective_date between ${from}::date and ${to}::date
       order by e.effective_date, e.id, l.id`),
  );
  return rows.length;
}

export type DashboardAnswer = {
  receivableMinor: number;
  overdueMinor: number;
  aging: number[];
  disputedMinor: number;
  inPlansMinor: number;
  unappliedMinor: number;
  dso: number | null;
  collectedWeekMinor: number;
  collectedMonthMinor: number;
  topAccounts: string[];
  exceptionsOpen: number;
};

/**
 * The dashboard's headline figures as of today, each straight from the base tables: receivables,
 * overdue and aging from the open invoices, disputed and planned amounts capped at what is open,
 * unapplied cash, DSO over the trailing window and this week's and month's cash from the journal, the five
 * highest-scored accounts and the open exceptions. (Not the 12-month DSO trend: its plain SQL is a
 * pass over the whole journal, which is why the app keeps daily sums.)
 */
export async function dashboardFloor(
  db: Db,
  { asOf, currency, weekStart, monthStart, dsoWindowDays, top }: { asOf: IsoDate; currency: string; weekStart: IsoDate; monthStart: IsoDate; dsoWindowDays: number; top: number },
): Promise<DashboardAnswer> {
  const days = sql`(${asOf}::date - i.due_date)`;
  const dsoStart = addDays(asOf, -(dsoWindowDays - 1));
  const from = dsoStart < monthStart ? dsoStart : monthStart;
  const [open, held, unapplied, month, accounts, exceptions] = await Promise.all([
    db.execute(sql`
      select coalesce(sum(open_minor), 0) as receivable,
             coalesce(sum(open_minor) filter (where ${days} > 0), 0) as overdue,
             coalesce(sum(open_minor) filter (where ${days} <= 0), 0) as b0,
             coalesce(sum(open_minor) filter (where ${days} between 1 and 30), 0) as b1,
             coalesce(sum(open_minor) filter (where ${days} between 31 and 60), 0) as b2,
             coalesce(sum(open_minor) filter (where ${days} between 61 and 90), 0) as b3,
             coalesce(sum(open_minor) filter (where ${days} > 90), 0) as b4
        from invoices i
       where i.status = 'open' and i.currency = ${currency} and i.issue_date <= ${asOf}::date`),
    db.execute(sql`
      select (select coalesce(sum(least(d.amount, i.open_minor)), 0)
                from (select invoice_id, sum(amount_minor) as amount from disputes where resolved_at is null group by invoice_id) d
                join invoices i on i.id = d.invoice_id
               where i.status = 'open' and i.currency = ${currency}) as disputed,
             (select coalesce(sum(least(p.amount, i.open_minor)), 0)
                from (select pi.invoice_id, sum(pi.amount_minor) as amount from plan_invoices pi join payment_plans pp on pp.id = pi.plan_id
                       where pp.activated_at is not null and pp.ended_at is null group by pi.invoice_id) p
                join invoices i on i.id = p.invoice_id
               where i.status = 'open' and i.currency = ${currency}) as planned`),
    db.execute(sql`select coalesce(sum(unapplied_minor), 0) as unapplied from customer_balances where currency = ${currency}`),
    db.execute(sql`
      select coalesce(sum(l.amount_minor) filter (where l.account = 'receivable' and e.type in ('invoice_issued', 'late_fee', 'invoice_voided') and l.effective_date >= ${dsoStart}::date), 0) as sales,
             coalesce(sum(l.amount_minor) filter (where l.account = 'cash' and e.type in ('payment_received', 'payment_reversed') and l.effective_date >= ${weekStart}::date), 0) as week,
             coalesce(sum(l.amount_minor) filter (where l.account = 'cash' and e.type in ('payment_received', 'payment_reversed') and l.effective_date >= ${monthStart}::date), 0) as month
        from journal_lines l
        join journal_entries e on e.id = l.entry_id
       where l.currency = ${currency} and l.account in ('receivable', 'cash') and l.effective_date between ${from}::date and ${asOf}::date`),
    db.execute(sql`
      select customer_id from collection_accounts
       where overdue_minor > 0 and (snoozed_until is null or snoozed_until <= ${asOf}::date)
       order by score desc nulls last, customer_id limit ${top}`),
    db.execute(sql`select count(*) as n from reconciliation_exceptions where status = 'open'`),
  ]);
  const o = rowsOf<Record<string, string>>(open)[0]!;
  const h = rowsOf<Record<string, string>>(held)[0]!;
  const m = rowsOf<Record<string, string>>(month)[0]!;
  const receivableMinor = Number(o.receivable);
  const sales = Number(m.sales);
  return {
    receivableMinor,
    overdueMinor: Number(o.overdue),
    aging: [o.b0, o.b1, o.b2, o.b3, o.b4].map(Number),
    disputedMinor: Number(h.disputed),
    inPlansMinor: Number(h.planned),
    unappliedMinor: Number(rowsOf<{ unapplied: string }>(unapplied)[0]!.unapplied),
    // As the app rounds it (app/reports/metrics.ts): days to one decimal.
    dso: sales === 0 ? null : Math.round(((receivableMinor * dsoWindowDays) / sales) * 10) / 10,
    collectedWeekMinor: Number(m.week),
    collectedMonthMinor: Number(m.month),
    topAccounts: rowsOf<{ customer_id: string }>(accounts).map((r) => r.customer_id),
    exceptionsOpen: Number(rowsOf<{ n: string }>(exceptions)[0]!.n),
  };
}
