import { sql } from "drizzle-orm";
import { bigint, char, check, date, foreignKey, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { customers } from "./customers";
import { payments } from "./ledger";
import { staffUsers } from "./staff";

// Reconciliation (issue 5): what Stripe and the bank report, matched against the books. The journal
// itself stays in ledger.ts; these tables record where money came from and whether it landed.

const money = () => bigint({ mode: "number" });
const day = () => date({ mode: "string" });
const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

export const chargebackStatus = pgEnum("chargeback_status", ["open", "won", "lost"]);

/**
 * A card dispute (Stripe's `dispute`): the withdrawal takes the amount back from the payment and
 * reopens its invoices; a won dispute gives it back and re-applies it. `reopened` remembers what the
 * withdrawal took from which invoice, so winning puts each back where it was.
 */
export const chargebacks = pgTable(
  "chargebacks",
  {
    id: uuid().primaryKey().defaultRandom(),
    processorDisputeId: text().notNull(),
    customerId: uuid().notNull(),
    currency: char({ length: 3 }).notNull(),
    paymentId: uuid().notNull(),
    amountMinor: money().notNull(),
    feeMinor: money().notNull().default(0),
    reason: text(),
    status: chargebackStatus().notNull().default("open"),
    withdrawnOn: day(),
    reinstatedOn: day(),
    feeInvoiceId: uuid(),
    reopened: jsonb().$type<{ invoiceId: string; amountMinor: number }[]>().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("chargebacks_dispute_key").on(t.processorDisputeId),
    index("chargebacks_payment_idx").on(t.paymentId),
    foreignKey({ columns: [t.paymentId, t.customerId, t.currency], foreignColumns: [payments.id, payments.customerId, payments.currency], name: "chargebacks_payment_fk" }),
    check("chargebacks_amount_positive", sql`${t.amountMinor} > 0 and ${t.feeMinor} >= 0`),
  ],
);

export const payoutStatus = pgEnum("payout_status", ["pending", "in_transit", "paid", "failed", "canceled"]);
export const payoutReconciliation = pgEnum("payout_reconciliation", ["pending", "balanced", "mismatch"]);

/** A processor payout to the business's bank account, broken down by what it contains. */
export const payouts = pgTable(
  "payouts",
  {
    id: uuid().primaryKey().defaultRandom(),
    processor: text().notNull().default("stripe"),
    processorPayoutId: text().notNull(),
    currency: char({ length: 3 }).notNull(),
    amountMinor: money().notNull(),
    status: payoutStatus().notNull(),
    arrivalDate: day().notNull(),
    failureMessage: text(),
    // The breakdown of its balance transactions; payments - refunds - fees - chargebacks (+ other) = amount when balanced.
    paymentsMinor: money().notNull().default(0),
    refundsMinor: money().notNull().default(0),
    feesMinor: money().notNull().default(0),
    chargebacksMinor: money().notNull().default(0),
    otherMinor: money().notNull().default(0),
    itemCount: integer().notNull().default(0),
    reconciliation: payoutReconciliation().notNull().default("pending"),
    /** The bank statement line the payout arrived as, once matched. */
    bankLineId: uuid(),
    createdAt: createdAt(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("payouts_processor_key").on(t.processorPayoutId), index("payouts_arrival_idx").on(t.arrivalDate), index("payouts_amount_idx").on(t.currency, t.amountMinor)],
);

/** One balance transaction inside a payout, linked to what it is in the books. */
export const payoutItems = pgTable(
  "payout_items",
  {
    id: uuid().primaryKey().defaultRandom(),
    payoutId: uuid()
      .notNull()
      .references(() => payouts.id),
    balanceTransactionId: text().notNull(),
    type: text().notNull(),
    reportingCategory: text().notNull(),
    sourceId: text(),
    grossMinor: money().notNull(),
    feeMinor: money().notNull(),
    netMinor: money().notNull(),
    paymentId: uuid(),
    refundId: uuid(),
    chargebackId: uuid(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("payout_items_txn_key").on(t.payoutId, t.balanceTransactionId), index("payout_items_payment_idx").on(t.paymentId)],
);

export const exceptionKind = pgEnum("reconciliation_exception_kind", [
  "unmatched_payment",
  "amount_mismatch",
  "unknown_customer",
  "overpayment",
  "invoice_not_open",
  "unknown_refund",
  "unknown_chargeback",
  "payout_mismatch",
  "bank_suggestion",
  "bank_unmatched",
]);
export const exceptionStatus = pgEnum("reconciliation_exception_status", ["open", "resolved"]);
export const exceptionResolution = pgEnum("reconciliation_exception_resolution", ["applied", "credit", "refunded", "dismissed"]);

/**
 * Money that could not be applied automatically, waiting for a clerk with its reason. Created once
 * per source (sourceKey), so a redelivered event or a re-imported file never adds a second one.
 */
export const reconciliationExceptions = pgTable(
  "reconciliation_exceptions",
  {
    id: uuid().primaryKey().defaultRandom(),
    kind: exceptionKind().notNull(),
    status: exceptionStatus().notNull().default("open"),
    sourceKey: text().notNull(),
    currency: char({ length: 3 }).notNull(),
    amountMinor: money().notNull(),
    reason: text().notNull(),
    customerId: uuid().references(() => customers.id),
    paymentId: uuid().references(() => payments.id),
    payoutId: uuid().references(() => payouts.id),
    bankLineId: uuid(),
    processorObjectId: text(),
    eventId: text(),
    occurredOn: day().notNull(),
    /** What the matcher proposes: { customerId, allocations, creditMinor, confidence, reasons }. */
    suggestion: jsonb().$type<ExceptionSuggestion | null>(),
    resolution: exceptionResolution(),
    resolutionNote: text(),
    resolvedBy: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    resolvedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("reconciliation_exceptions_source_key").on(t.sourceKey),
    index("reconciliation_exceptions_open_idx").on(t.createdAt).where(sql`${t.status} = 'open'`),
    index("reconciliation_exceptions_day_idx").on(t.occurredOn),
    check("reconciliation_exceptions_resolved", sql`(${t.status} = 'resolved') = (${t.resolution} is not null)`),
  ],
);

export type ExceptionSuggestion = {
  customerId: string | null;
  allocations: { invoiceId: string; invoiceNumber: string; amountMinor: number; discountMinor: number }[];
  creditMinor: number;
  payoutId?: string | null;
  confidence: number;
  reasons: string[];
};

/** A saved column mapping for one bank's CSV export. */
export const bankCsvMappings = pgTable(
  "bank_csv_mappings",
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    mapping: jsonb().notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("bank_csv_mappings_name_key").on(t.name)],
);

export const bankStatements = pgTable(
  "bank_statements",
  {
    id: uuid().primaryKey().defaultRandom(),
    fileName: text().notNull(),
    format: text().notNull(),
    fileSha256: text().notNull(),
    accountId: text().notNull(),
    statementRef: text(),
    currency: char({ length: 3 }),
    openingBalanceMinor: money(),
    closingBalanceMinor: money(),
    lineCount: integer().notNull().default(0),
    newLineCount: integer().notNull().default(0),
    importedBy: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("bank_statements_created_idx").on(t.createdAt)],
);

export const bankLineStatus = pgEnum("bank_line_status", ["applied", "suggested", "unmatched", "payout", "ignored"]);

/** A line of a bank statement; (account, entry reference) is unique, so re-importing a file adds nothing. */
export const bankLines = pgTable(
  "bank_lines",
  {
    id: uuid().primaryKey().defaultRandom(),
    statementId: uuid()
      .notNull()
      .references(() => bankStatements.id),
    accountId: text().notNull(),
    entryRef: text().notNull(),
    bookingDate: day().notNull(),
    valueDate: day(),
    amountMinor: money().notNull(),
    currency: char({ length: 3 }).notNull(),
    direction: text().notNull(),
    payerName: text(),
    payerAccount: text(),
    remittance: text().notNull(),
    bankReference: text(),
    status: bankLineStatus().notNull(),
    confidence: integer().notNull().default(0),
    reasons: jsonb().$type<string[]>().notNull().default([]),
    customerId: uuid().references(() => customers.id),
    paymentId: uuid().references(() => payments.id),
    payoutId: uuid().references(() => payouts.id),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("bank_lines_entry_key").on(t.accountId, t.entryRef),
    index("bank_lines_statement_idx").on(t.statementId),
    index("bank_lines_booking_idx").on(t.bookingDate),
    check("bank_lines_amount_positive", sql`${t.amountMinor} > 0`),
  ],
);

export type Chargeback = typeof chargebacks.$inferSelect;
export type Payout = typeof payouts.$inferSelect;
export type ReconciliationException = typeof reconciliationExceptions.$inferSelect;
export type BankLineRow = typeof bankLines.$inferSelect;
export type BankStatementRow = typeof bankStatements.$inferSelect;
