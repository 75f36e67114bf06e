import { and, asc, eq, sql } from "drizzle-orm";
import { customerBalances, customers, invoices, type Customer } from "~db/schema";
import { getDb, rowsOf, type Db } from "~db/client";
import { getCompanySettings, type CompanySettings } from "~/settings/settings.server";
import { upcomingInstalments } from "~/plans/upcoming.server";
import { addDays, today, type IsoDate } from "~/utils/dates";
import { formatAddress } from "~/utils/format";
import { ageItems, daysPastDue } from "./aging";

export type StatementLine = {
  date: IsoDate;
  type: string;
  reference: string;
  description: string;
  chargeMinor: number;
  creditMinor: number;
  balanceMinor: number;
};

export type OpenItem = {
  kind: "invoice" | "credit";
  id: string;
  reference: string;
  date: IsoDate;
  dueDate: IsoDate | null;
  originalMinor: number;
  openMinor: number;
  daysPastDue: number | null;
};

export type Statement = {
  kind: "activity" | "open_item";
  company: CompanySettings;
  customer: { id: string; name: string; accountNumber: string; address: string; currency: string; email: string | null };
  from: IsoDate | null;
  to: IsoDate;
  generatedOn: IsoDate;
  openingMinor: number;
  closingMinor: number;
  lines: StatementLine[];
  aging: { key: string; label: string; amountMinor: number }[];
  agingTotalMinor: number;
  unappliedMinor: number;
  openItems: OpenItem[];
  /** Instalments still to pay on an active payment plan, soonest first. */
  planInstalments: { dueDate: IsoDate; amountMinor: number }[];
};

const typeLabels: Record<string, string> = {
  invoice_issued: "Invoice",
  invoice_voided: "Invoice voided",
  payment_received: "Payment",
  payment_reversed: "Payment reversed",
  credit_note_issued: "Credit note",
  credit_note_voided: "Credit voided",
  discount: "Discount",
  write_off: "Write-off",
  refund: "Refund",
  allocation: "Applied",
  allocation_reversed: "Unapplied",
};

/** The customer's balance as of the end of `asOf`: the sum of their side of the journal. */
export async function balanceAsOf(customerId: string, asOf: IsoDate, db: Db = getDb()): Promise<number> {
  const [row] = rowsOf<{ balance: string | null }>(
    await db.execute(sql`
      select sum(amount_minor) as balance from journal_lines
       where customer_id = ${customerId} and account in ('receivable', 'customer_credit') and effective_date <= ${asOf}`),
  );
  return Number(row?.balance ?? 0);
}

/**
 * Open items as the books stood at the end of `asOf`, rebuilt from the journal: invoices with
 * a receivable left, and payments or credits with money not yet applied.
 */
export async function openItemsAsOf(customerId: string, asOf: IsoDate, db: Db = getDb()): Promise<OpenItem[]> {
  const invoiceRows = rowsOf<{ id: string; number: string; issue_date: string; due_date: string; total_minor: string; open: string }>(
    await db.execute(sql`
      select i.id, i.number, i.issue_date::text, i.due_date::text, i.total_minor, o.open
        from (select invoice_id, sum(amount_minor) as open from journal_lines
               where customer_id = ${customerId} and account = 'receivable' and effective_date <= ${asOf}
               group by invoice_id having sum(amount_minor) <> 0) o
        join invoices i on i.id = o.invoice_id
       order by i.due_date, i.number`),
  );
  const creditRows = rowsOf<{ id: string; reference: string; date: string; original: string; open: string }>(
    await db.execute(sql`
      select coalesce(e.payment_id, e.credit_note_id) as id,
             coalesce(cn.number, 'Payment ' || coalesce(p.reference, to_char(p.received_on, 'YYYY-MM-DD'))) as reference,
             coalesce(cn.issue_date, p.received_on)::text as date,
             coalesce(cn.total_minor, p.amount_minor) as original,
             -sum(l.amount_minor) as open
        from journal_lines l
        join journal_entries e on e.id = l.entry_id
        left join payments p on p.id = e.payment_id
        left join credit_notes cn on cn.id = e.credit_note_id and e.payment_id is null
       where l.customer_id = ${customerId} and l.account = 'customer_credit' and l.effective_date <= ${asOf}
       group by 1, 2, 3, 4
      having sum(l.amount_minor) <> 0
       order by 3, 2`),
  );
  return [
    ...invoiceRows.map((r) => ({
      kind: "invoice" as const,
      id: r.id,
      reference: r.number,
      date: r.issue_date,
      dueDate: r.due_date,
      originalMinor: Number(r.total_minor),
      openMinor: Number(r.open),
      daysPastDue: daysPastDue(r.due_date, asOf),
    })),
    ...creditRows.map((r) => ({
      kind: "credit" as const,
      id: r.id,
      reference: r.reference,
      date: r.date,
      dueDate: null,
      originalMinor: -Number(r.original),
      openMinor: 0 - Number(r.open),
      daysPastDue: null,
    })),
  ];
}

function customerHeader(customer: Customer) {
  return { id: customer.id, name: customer.name, accountNumber: customer.accountNumber, address: formatAddress(customer), currency: customer.currency, email: customer.email };
}

async function summaryAsOf(customerId: string, asOf: IsoDate, db: Db) {
  const openItems = await openItemsAsOf(customerId, asOf, db);
  const invoicesOpen = openItems.filter((i) => i.kind === "invoice").map((i) => ({ dueDate: i.dueDate!, openMinor: i.openMinor }));
  const aging = ageItems(invoicesOpen, asOf);
  const unappliedMinor = 0 - openItems.filter((i) => i.kind === "credit").reduce((s, i) => s + i.openMinor, 0);
  return { openItems, aging, unappliedMinor };
}

/** Every movement of the customer's balance in [from, to], with opening and running balances. */
export async function activityStatement({ customerId, from, to }: { customerId: string; from: IsoDate; to: IsoDate }, db: Db = getDb()): Promise<Statement | null> {
  const [customer] = await db.select().from(customers).where(eq(customers.id, customerId));
  if (!customer) return null;
  const [company, openingMinor, rows, summary, planInstalments] = await Promise.all([
    getCompanySettings(db),
    balanceAsOf(customerId, addDays(from, -1), db),
    db.execute(sql`
      select e.id, e.effective_date::text as date, e.type, e.description,
             coalesce(i.number, cn.number, p.reference, '') as reference,
             sum(l.amount_minor) as effect
        from journal_entries e
        join journal_lines l on l.entry_id = e.id and l.account in ('receivable', 'customer_credit')
        left join invoices i on i.id = e.invoice_id and e.type in ('invoice_issued', 'invoice_voided')
        left join credit_notes cn on cn.id = e.credit_note_id
        left join payments p on p.id = e.payment_id
       where e.customer_id = ${customerId} and e.effective_date between ${from} and ${to}
       group by e.id, i.number, cn.number, p.reference
      having sum(l.amount_minor) <> 0
       order by e.effective_date, e.id`),
    summaryAsOf(customerId, to, db),
    upcomingInstalments(customerId, db),
  ]);
  let running = openingMinor;
  const lines = rowsOf<{ date: string; type: string; description: string; reference: string; effect: string }>(rows).map((r) => {
    const effect = Number(r.effect);
    running += effect;
    return {
      date: r.date,
      type: typeLabels[r.type] ?? r.type,
      reference: r.reference,
      description: r.description,
      chargeMinor: effect > 0 ? effect : 0,
      creditMinor: effect < 0 ? -effect : 0,
      balanceMinor: running,
    };
  });
  return {
    kind: "activity",
    company,
    customer: customerHeader(customer),
    from,
    to,
    generatedOn: today(),
    openingMinor,
    closingMinor: running,
    lines,
    aging: summary.aging.buckets,
    agingTotalMinor: summary.aging.totalMinor,
    unappliedMinor: summary.unappliedMinor,
    openItems: summary.openItems,
    planInstalments,
  };
}

/** What is open on `asOf`, item by item and aged: the statement a customer pays from. */
export async function openItemStatement({ customerId, asOf }: { customerId: string; asOf: IsoDate }, db: Db = getDb()): Promise<Statement | null> {
  const [customer] = await db.select().from(customers).where(eq(customers.id, customerId));
  if (!customer) return null;
  const [company, summary, closingMinor, planInstalments] = await Promise.all([getCompanySettings(db), summaryAsOf(customerId, asOf, db), balanceAsOf(customerId, asOf, db), upcomingInstalments(customerId, db)]);
  return {
    kind: "open_item",
    company,
    customer: customerHeader(customer),
    from: null,
    to: asOf,
    generatedOn: today(),
    openingMinor: closingMinor,
    closingMinor,
    lines: [],
    aging: summary.aging.buckets,
    agingTotalMinor: summary.aging.totalMinor,
    unappliedMinor: summary.unappliedMinor,
    openItems: summary.openItems,
    planInstalments,
  };
}

/** The numbers at the top of a customer's page, from the running totals and open invoices. */
export async function customerSummary(customerId: string, asOf: IsoDate = today(), db: Db = getDb()) {
  const [customer] = await db.select().from(customers).where(eq(customers.id, customerId));
  if (!customer) return null;
  const [[totals], open] = await Promise.all([
    db.select().from(customerBalances).where(eq(customerBalances.customerId, customerId)),
    db
      .select({ dueDate: invoices.dueDate, openMinor: invoices.openMinor })
      .from(invoices)
      .where(and(eq(invoices.customerId, customerId), eq(invoices.status, "open")))
      .orderBy(asc(invoices.dueDate)),
  ]);
  const aging = ageItems(open.map((o) => ({ dueDate: o.dueDate!, openMinor: o.openMinor })), asOf);
  const balanceMinor = totals?.balanceMinor ?? 0;
  const limit = customer.creditLimitMinor;
  return {
    currency: customer.currency,
    balanceMinor,
    openMinor: totals?.receivableMinor ?? 0,
    unappliedMinor: totals?.unappliedMinor ?? 0,
    overdueMinor: aging.overdueMinor,
    aging: aging.buckets,
    openInvoiceCount: open.length,
    creditLimitMinor: limit,
    // Whole percent of the limit in use; null without a limit.
    creditUsedPercent: limit ? Math.round((Math.max(balanceMinor, 0) * 100) / limit) : null,
    availableCreditMinor: limit === null ? null : limit - Math.max(balanceMinor, 0),
  };
}
