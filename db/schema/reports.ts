import { sql } from "drizzle-orm";
import { bigint, bigserial, boolean, char, check, date, index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { customers } from "./customers";
import { journalAccount, journalEntryType } from "./ledger";
import { staffUsers } from "./staff";

// Owned by app/reports (issue 7). Money: bigint minor units of the row's currency (ADR 003).

const money = () => bigint({ mode: "number" });
const day = () => date({ mode: "string" });

/**
 * The journal summed per day, currency, entry type and account: what DSO, CEI, bad-debt and the
 * dashboard's trends read instead of scanning millions of journal lines. The journal trigger
 * appends to `ledger_daily_pending` (no shared row to lock, so money-moving transactions never
 * queue behind each other); `foldLedgerDaily` moves pending rows in here. Readers add both.
 */
export const ledgerDaily = pgTable(
  "ledger_daily",
  {
    day: day().notNull(),
    currency: char({ length: 3 }).notNull(),
    entryType: journalEntryType().notNull(),
    account: journalAccount().notNull(),
    amountMinor: money().notNull(),
    lines: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.currency, t.entryType, t.account] })],
);

export const ledgerDailyPending = pgTable("ledger_daily_pending", {
  id: bigserial({ mode: "number" }).primaryKey(),
  day: day().notNull(),
  currency: char({ length: 3 }).notNull(),
  entryType: journalEntryType().notNull(),
  account: journalAccount().notNull(),
  amountMinor: money().notNull(),
  lines: integer().notNull(),
});

/**
 * Each customer's payment behaviour over paid invoices, recomputed by a nightly job (and on
 * demand): the worklist's score and credit control read the grade from here.
 */
export const customerPaymentStats = pgTable(
  "customer_payment_stats",
  {
    customerId: uuid()
      .primaryKey()
      .references(() => customers.id),
    invoicesPaid: integer().notNull(),
    /** Amount-weighted days from issue to payment, and past due (negative: early). */
    avgDaysToPay: real(),
    avgDaysLate: real(),
    /** Share of paid invoices settled by their due date, in basis points. */
    onTimeBps: integer(),
    /** Average days late over the last 90 days and the 90 before: the trend. */
    recentDaysLate: real(),
    priorDaysLate: real(),
    grade: char({ length: 1 }).notNull(),
    reasons: jsonb().$type<string[]>().notNull(),
    computedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("customer_payment_stats_grade_idx").on(t.grade)],
);

/** What the forecast expected per week when it was made, to compare with what came in. */
export const cashForecastSnapshots = pgTable(
  "cash_forecast_snapshots",
  {
    madeOn: day().notNull(),
    weekStart: day().notNull(),
    currency: char({ length: 3 }).notNull(),
    expectedMinor: money().notNull(),
  },
  (t) => [primaryKey({ columns: [t.madeOn, t.weekStart, t.currency] })],
);

/** A report an admin has asked to be emailed weekly. */
export const reportSchedules = pgTable(
  "report_schedules",
  {
    id: uuid().primaryKey().defaultRandom(),
    report: text().notNull(),
    params: jsonb().$type<Record<string, string>>().notNull().default({}),
    recipients: text().array().notNull(),
    /** 1 = Monday … 7 = Sunday (ISO). */
    weekday: integer().notNull(),
    active: boolean().notNull().default(true),
    lastSentOn: day(),
    createdBy: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("report_schedules_weekday", sql`${t.weekday} between 1 and 7`)],
);

/**
 * Receivable lines summed by the day they count as overdue: the later of their own date and the
 * day after their invoice's due date. Overdue at the end of any day D is then the sum up to D, so
 * "current" receivables at a past period end (for CEI and best possible DSO) need no journal scan.
 * Kept like ledger_daily: the journal trigger appends to the pending table, a fold moves it here.
 */
export const receivableOverdueDaily = pgTable(
  "receivable_overdue_daily",
  {
    day: day().notNull(),
    currency: char({ length: 3 }).notNull(),
    amountMinor: money().notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.currency] })],
);

export const receivableOverduePending = pgTable("receivable_overdue_pending", {
  id: bigserial({ mode: "number" }).primaryKey(),
  day: day().notNull(),
  currency: char({ length: 3 }).notNull(),
  amountMinor: money().notNull(),
});

/**
 * The journal's receivable lines with their invoice's issue and due dates copied on: what the
 * aging report of a past day rolls back, read from one index without visiting a million invoices.
 * Written by the journal trigger in the same statement as the lines (migration 0016); append-only.
 */
export const receivableLines = pgTable(
  "receivable_lines",
  {
    journalLineId: bigint({ mode: "number" }).primaryKey(),
    effectiveDate: day().notNull(),
    invoiceId: uuid().notNull(),
    customerId: uuid().notNull(),
    currency: char({ length: 3 }).notNull(),
    issueDate: day().notNull(),
    dueDate: day().notNull(),
    amountMinor: money().notNull(),
  },
  (t) => [
    index("receivable_lines_date_idx").on(t.effectiveDate, t.customerId, t.currency, t.issueDate, t.dueDate, t.amountMinor),
    // The aging page's own customers: their lines since the day, without reading everyone's.
    index("receivable_lines_customer_idx").on(t.customerId, t.effectiveDate, t.currency, t.issueDate, t.dueDate, t.amountMinor),
  ],
);

/**
 * Receivable lines summed by their invoice's issue and due dates: what is open now on invoices of
 * each (issue, due) pair. The aging's totals for any day are this less the lines dated after it,
 * so they read a few thousand rows and the activity since, not every open invoice. Kept like
 * ledger_daily: the journal trigger appends to the pending table, a fold moves it here.
 */
export const receivableByDates = pgTable(
  "receivable_by_dates",
  {
    issueDate: day().notNull(),
    dueDate: day().notNull(),
    currency: char({ length: 3 }).notNull(),
    amountMinor: money().notNull(),
  },
  (t) => [primaryKey({ columns: [t.issueDate, t.dueDate, t.currency] })],
);

export const receivableByDatesPending = pgTable("receivable_by_dates_pending", {
  id: bigserial({ mode: "number" }).primaryKey(),
  issueDate: day().notNull(),
  dueDate: day().notNull(),
  currency: char({ length: 3 }).notNull(),
  amountMinor: money().notNull(),
});
