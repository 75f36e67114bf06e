import { sql } from "drizzle-orm";
import { getDb, rowsOf } from "~db/client";

/**
 * Reads the whole ledger and returns every broken rule, in words (empty when the books hold).
 * Each rule is checked against the rows that move it, not against the totals kept beside them.
 */
export async function ledgerViolations(): Promise<string[]> {
  const db = getDb();
  const q = async (label: string, query: ReturnType<typeof sql>) => rowsOf<Record<string, unknown>>(await db.execute(query)).map((row) => `${label}: ${JSON.stringify(row)}`);
  const checks = await Promise.all([
    q(
      "journal entry does not balance",
      sql`select entry_id, sum(amount_minor) as off from journal_lines group by entry_id having sum(amount_minor) <> 0`,
    ),
    q(
      "payment totals differ from its rows",
      sql`select p.id, p.amount_minor, p.allocated_minor, p.refunded_minor,
                 coalesce((select sum(a.amount_minor) from allocations a where a.payment_id = p.id), 0) as allocated_rows,
                 coalesce((select sum(r.amount_minor) from refunds r where r.payment_id = p.id and r.status <> 'failed'), 0) as refunded_rows
            from payments p
           where p.allocated_minor <> coalesce((select sum(a.amount_minor) from allocations a where a.payment_id = p.id), 0)
              or p.refunded_minor <> coalesce((select sum(r.amount_minor) from refunds r where r.payment_id = p.id and r.status <> 'failed'), 0)
              or p.charged_back_minor <> coalesce((select sum(c.amount_minor) from chargebacks c where c.payment_id = p.id and c.withdrawn_on is not null and c.reinstated_on is null), 0)
              or p.allocated_minor + p.refunded_minor + p.charged_back_minor > p.amount_minor or p.allocated_minor < 0`,
    ),
    q(
      "credit note totals differ from its rows",
      sql`select c.id, c.total_minor, c.allocated_minor,
                 coalesce((select sum(a.amount_minor) from allocations a where a.credit_note_id = c.id), 0) as allocated_rows
            from credit_notes c
           where c.allocated_minor <> coalesce((select sum(a.amount_minor) from allocations a where a.credit_note_id = c.id), 0)
              or c.allocated_minor + c.refunded_minor > c.total_minor`,
    ),
    q(
      "invoice applications exceed its total or differ from its rows",
      sql`select i.id, i.number, i.total_minor, i.open_minor,
                 coalesce((select sum(a.amount_minor) from allocations a where a.invoice_id = i.id), 0) as applied_rows
            from invoices i
           where i.total_minor - coalesce((select sum(a.amount_minor) from allocations a where a.invoice_id = i.id), 0) <> i.open_minor
              or i.open_minor < 0`,
    ),
    q(
      "invoice open amount differs from the journal",
      sql`select i.id, i.number, i.status, i.open_minor, coalesce(j.receivable, 0) as receivable
            from invoices i
            left join (select invoice_id, sum(amount_minor) as receivable from journal_lines where account = 'receivable' group by invoice_id) j on j.invoice_id = i.id
           where i.status <> 'draft' and coalesce(j.receivable, 0) <> case when i.status = 'void' then 0 else i.open_minor end`,
    ),
    q(
      "invoice status does not follow its open amount",
      sql`select id, number, status, open_minor from invoices
           where (status = 'open' and open_minor = 0) or (status in ('paid', 'written_off') and open_minor <> 0)`,
    ),
    q(
      "customer balance differs: running totals, journal, open invoices less unapplied credit",
      sql`with j as (select customer_id, sum(amount_minor) as balance from journal_lines where account in ('receivable', 'customer_credit') group by customer_id),
               inv as (select customer_id, sum(open_minor) as open from invoices where status = 'open' group by customer_id),
               pay as (select customer_id, sum(amount_minor - allocated_minor - refunded_minor - charged_back_minor) as unapplied from payments where status = 'received' group by customer_id),
               cn as (select customer_id, sum(total_minor - allocated_minor - refunded_minor) as unapplied from credit_notes where voided_at is null group by customer_id)
          select c.id, coalesce(b.balance_minor, 0) as kept, coalesce(j.balance, 0) as journal,
                 coalesce(inv.open, 0) - coalesce(pay.unapplied, 0) - coalesce(cn.unapplied, 0) as documents
            from customers c
            left join customer_balances b on b.customer_id = c.id
            left join j on j.customer_id = c.id
            left join inv on inv.customer_id = c.id
            left join pay on pay.customer_id = c.id
            left join cn on cn.customer_id = c.id
           where coalesce(b.balance_minor, 0) <> coalesce(j.balance, 0)
              or coalesce(j.balance, 0) <> coalesce(inv.open, 0) - coalesce(pay.unapplied, 0) - coalesce(cn.unapplied, 0)
              or coalesce(b.receivable_minor, 0) <> coalesce(inv.open, 0)`,
    ),
    q(
      "daily sums differ from the journal",
      sql`with j as (select l.effective_date as day, l.currency, e.type as entry_type, l.account, sum(l.amount_minor) as amount, count(*) as lines
                       from journal_lines l join journal_entries e on e.id = l.entry_id group by 1, 2, 3, 4),
               d as (select day, currency, entry_type, account, sum(amount_minor) as amount, sum(lines) as lines
                       from (select day, currency, entry_type, account, amount_minor, lines from ledger_daily
                             union all select day, currency, entry_type, account, amount_minor, lines from ledger_daily_pending) x
                      group by 1, 2, 3, 4)
          select * from j full join d using (day, currency, entry_type, account)
           where j.amount is distinct from d.amount or j.lines is distinct from d.lines`,
    ),
    q(
      "receivable lines differ from the journal's",
      sql`select coalesce(l.id, r.journal_line_id) as line from (select * from journal_lines where account = 'receivable') l
            left join invoices i on i.id = l.invoice_id
            full join receivable_lines r on r.journal_line_id = l.id
           where l.id is null or r.journal_line_id is null or r.amount_minor <> l.amount_minor or r.effective_date <> l.effective_date
              or r.invoice_id <> l.invoice_id or r.customer_id <> l.customer_id or r.due_date <> i.due_date or r.issue_date <> i.issue_date`,
    ),
    q(
      "sums by issue and due date differ from the journal",
      sql`with j as (select i.issue_date, i.due_date, l.currency, sum(l.amount_minor) as amount
                       from journal_lines l join invoices i on i.id = l.invoice_id where l.account = 'receivable' group by 1, 2, 3),
               d as (select issue_date, due_date, currency, sum(amount_minor) as amount
                       from (select issue_date, due_date, currency, amount_minor from receivable_by_dates
                             union all select issue_date, due_date, currency, amount_minor from receivable_by_dates_pending) x group by 1, 2, 3)
          select * from j full join d using (issue_date, due_date, currency) where coalesce(j.amount, 0) <> coalesce(d.amount, 0)`,
    ),
    q(
      "overdue-by-day sums differ from the journal",
      sql`with j as (select greatest(l.effective_date, i.due_date + 1) as day, l.currency, sum(l.amount_minor) as amount
                       from journal_lines l join invoices i on i.id = l.invoice_id where l.account = 'receivable' group by 1, 2),
               d as (select day, currency, sum(amount_minor) as amount
                       from (select day, currency, amount_minor from receivable_overdue_daily
                             union all select day, currency, amount_minor from receivable_overdue_pending) x group by 1, 2)
          select * from j full join d using (day, currency) where coalesce(j.amount, 0) <> coalesce(d.amount, 0)`,
    ),
  ]);
  return checks.flat();
}

/** A fingerprint of everything money-related, to show that a refused operation changed nothing. */
export async function ledgerFingerprint(): Promise<string> {
  const [row] = rowsOf<Record<string, unknown>>(
    await getDb().execute(sql`
      select (select count(*) from journal_entries) as entries,
             (select count(*) from journal_lines) as lines,
             (select count(*) from allocations) as allocations,
             (select count(*) from payments) as payments,
             (select count(*) from refunds) as refunds,
             (select count(*) from credit_notes) as credit_notes,
             (select count(*) from invoices) as invoices,
             (select coalesce(sum(open_minor), 0) from invoices) as open,
             (select string_agg(status::text, ',' order by id) from invoices) as statuses,
             (select count(*) from write_off_requests) as write_off_requests,
             (select count(*) from email_outbox) as emails`),
  );
  return JSON.stringify(row);
}
