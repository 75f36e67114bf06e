import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  char,
  check,
  date,
  foreignKey,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { actorType } from "./audit";
import { customers } from "./customers";
import { staffUsers } from "./staff";

// Every amount is bigint minor units of the row's `currency` (ADR 003); a row's currency is its
// customer's (ADR 009). Totals that other rows move (paid, credited, allocated, refunded) are kept
// by triggers on the rows that move them (migration 0003), so the database itself holds the
// invariants: nothing is allocated beyond a payment, nothing applied beyond an invoice.

const money = (name?: string) => (name ? bigint(name, { mode: "number" }) : bigint({ mode: "number" }));
const day = () => date({ mode: "string" });
const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

/** Gapless document numbers: taken with a row lock inside the issuing transaction. */
export const numberSeries = pgTable("number_series", {
  key: text().primaryKey(),
  prefix: text().notNull(),
  nextValue: bigint({ mode: "number" }).notNull().default(1),
  padding: integer().notNull().default(6),
});

export const invoiceStatus = pgEnum("invoice_status", ["draft", "open", "paid", "void", "written_off"]);
export const documentSource = pgEnum("document_source", ["settle", "import", "api"]);
/** Fees are invoices of their own (issue 6): paying the principal never takes a fee with it. */
export const invoiceKind = pgEnum("invoice_kind", ["standard", "late_fee", "interest"]);

export const invoices = pgTable(
  "invoices",
  {
    id: uuid().primaryKey().defaultRandom(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    number: text(),
    status: invoiceStatus().notNull().default("draft"),
    source: documentSource().notNull().default("settle"),
    kind: invoiceKind().notNull().default("standard"),
    /** For a fee: the invoice it is charged on, and which period of a recurring fee (null: by hand). */
    feeForInvoiceId: uuid(),
    feePeriod: integer(),
    currency: char({ length: 3 }).notNull(),
    issueDate: day(),
    dueDate: day(),
    // Terms as they were when the invoice was issued; later changes to the customer do not move them.
    paymentTermsDays: integer().notNull(),
    earlyDiscountBps: integer().notNull().default(0),
    earlyDiscountDays: integer().notNull().default(0),
    discountDueDate: day(),
    poNumber: text(),
    memo: text(),
    subtotalMinor: money().notNull().default(0),
    taxMinor: money().notNull().default(0),
    totalMinor: money().notNull().default(0),
    paidMinor: money().notNull().default(0),
    creditedMinor: money().notNull().default(0),
    discountedMinor: money().notNull().default(0),
    writtenOffMinor: money().notNull().default(0),
    openMinor: bigint({ mode: "number" })
      .notNull()
      .generatedAlwaysAs(
        sql`total_minor - paid_minor - credited_minor - discounted_minor - written_off_minor`,
      ),
    externalRef: text(),
    publicToken: text().notNull(),
    issuedAt: timestamp({ withTimezone: true }),
    voidedAt: timestamp({ withTimezone: true }),
    voidReason: text(),
    createdBy: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("invoices_number_key").on(t.number),
    uniqueIndex("invoices_external_ref_key").on(t.externalRef),
    uniqueIndex("invoices_public_token_key").on(t.publicToken),
    unique("invoices_id_customer_currency_key").on(t.id, t.customerId, t.currency),
    index("invoices_customer_idx").on(t.customerId, t.issueDate),
    // Covers the aging report and overdue totals as of today: an index-only scan of what is open.
    index("invoices_open_due_idx").on(t.dueDate, t.customerId, t.issueDate, t.currency, t.openMinor).where(sql`${t.status} = 'open'`),
    index("invoices_customer_open_idx").on(t.customerId, t.dueDate).where(sql`${t.status} = 'open'`),
    // Aging by customer on a past day takes off what is open on invoices issued since (app/reports/aging).
    index("invoices_open_issue_idx").on(t.issueDate, t.customerId, t.openMinor).where(sql`${t.status} = 'open'`),
    index("invoices_status_issue_idx").on(t.status, t.issueDate),
    index("invoices_issue_date_idx").on(t.issueDate, t.id),
    uniqueIndex("invoices_fee_period_key").on(t.feeForInvoiceId, t.kind, t.feePeriod),
    foreignKey({ columns: [t.feeForInvoiceId], foreignColumns: [t.id], name: "invoices_fee_for_invoice_fk" }),
    check("invoices_currency_upper", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check("invoices_amounts_nonnegative", sql`${t.subtotalMinor} >= 0 and ${t.totalMinor} >= 0 and ${t.paidMinor} >= 0 and ${t.creditedMinor} >= 0 and ${t.discountedMinor} >= 0 and ${t.writtenOffMinor} >= 0`),
    check("invoices_total_is_sum", sql`${t.totalMinor} = ${t.subtotalMinor} + ${t.taxMinor}`),
    check("invoices_not_overapplied", sql`${t.totalMinor} - ${t.paidMinor} - ${t.creditedMinor} - ${t.discountedMinor} - ${t.writtenOffMinor} >= 0`),
    check("invoices_issued_has_number", sql`${t.status} = 'draft' or (${t.number} is not null and ${t.issueDate} is not null and ${t.dueDate} is not null)`),
    check("invoices_due_after_issue", sql`${t.dueDate} is null or ${t.issueDate} is null or ${t.dueDate} >= ${t.issueDate}`),
    check("invoices_terms_range", sql`${t.paymentTermsDays} >= 0 and ${t.earlyDiscountDays} >= 0 and ${t.earlyDiscountBps} between 0 and 10000`),
  ],
);

export const invoiceLines = pgTable(
  "invoice_lines",
  {
    id: uuid().primaryKey().defaultRandom(),
    invoiceId: uuid()
      .notNull()
      .references(() => invoices.id, { onDelete: "cascade" }),
    position: integer().notNull(),
    description: text().notNull(),
    // Thousandths, so 2.5 hours is 2500: no float ever holds a quantity.
    quantityMilli: bigint({ mode: "number" }).notNull(),
    unitPriceMinor: money().notNull(),
    taxRateBps: integer().notNull().default(0),
    netMinor: money().notNull(),
    taxMinor: money().notNull(),
    totalMinor: money().notNull(),
  },
  (t) => [
    uniqueIndex("invoice_lines_position_key").on(t.invoiceId, t.position),
    check("invoice_lines_quantity_positive", sql`${t.quantityMilli} > 0`),
    check("invoice_lines_tax_range", sql`${t.taxRateBps} between 0 and 10000`),
    check("invoice_lines_total_is_sum", sql`${t.totalMinor} = ${t.netMinor} + ${t.taxMinor}`),
  ],
);

export const paymentMethod = pgEnum("payment_method", ["check", "wire", "ach", "cash", "card", "bank_debit", "other"]);
export const paymentStatus = pgEnum("payment_status", ["received", "reversed"]);

export const payments = pgTable(
  "payments",
  {
    id: uuid().primaryKey().defaultRandom(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    currency: char({ length: 3 }).notNull(),
    amountMinor: money().notNull(),
    method: paymentMethod().notNull(),
    reference: text(),
    receivedOn: day().notNull(),
    status: paymentStatus().notNull().default("received"),
    allocatedMinor: money().notNull().default(0),
    refundedMinor: money().notNull().default(0),
    /** Taken back by card disputes and not (yet) reinstated: money the payment no longer has. */
    chargedBackMinor: money().notNull().default(0),
    /** The processor's fee on it and the payout it was deposited in (issue 5), once known. */
    processorFeeMinor: money(),
    payoutId: uuid(),
    memo: text(),
    source: documentSource().notNull().default("settle"),
    /** The caller's idempotency key: recording the same payment twice records it once. */
    sourceKey: text().notNull(),
    externalRef: text(),
    reversedAt: timestamp({ withTimezone: true }),
    reversalReason: text(),
    createdBy: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("payments_source_key").on(t.sourceKey),
    uniqueIndex("payments_external_ref_key").on(t.externalRef),
    unique("payments_id_customer_currency_key").on(t.id, t.customerId, t.currency),
    index("payments_customer_idx").on(t.customerId, t.receivedOn),
    index("payments_received_on_idx").on(t.receivedOn, t.id),
    check("payments_currency_upper", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check("payments_amount_positive", sql`${t.amountMinor} > 0`),
    check("payments_not_overallocated", sql`${t.allocatedMinor} >= 0 and ${t.refundedMinor} >= 0 and ${t.chargedBackMinor} >= 0 and ${t.allocatedMinor} + ${t.refundedMinor} + ${t.chargedBackMinor} <= ${t.amountMinor}`),
    check("payments_reversed_is_empty", sql`${t.status} = 'received' or (${t.allocatedMinor} = 0 and ${t.refundedMinor} = 0)`),
  ],
);

export const creditNoteKind = pgEnum("credit_note_kind", ["credit_note", "discount", "write_off"]);

/**
 * A credit to the customer's account. Besides credit notes proper, early-payment discounts and
 * write-offs are credit documents too (ADR 009), so every reduction of an invoice other than a
 * payment is one kind of document applied the one way.
 */
export const creditNotes = pgTable(
  "credit_notes",
  {
    id: uuid().primaryKey().defaultRandom(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    kind: creditNoteKind().notNull().default("credit_note"),
    number: text().notNull(),
    invoiceId: uuid().references(() => invoices.id),
    currency: char({ length: 3 }).notNull(),
    issueDate: day().notNull(),
    reason: text().notNull(),
    memo: text(),
    subtotalMinor: money().notNull(),
    taxMinor: money().notNull(),
    totalMinor: money().notNull(),
    allocatedMinor: money().notNull().default(0),
    refundedMinor: money().notNull().default(0),
    sourceKey: text().notNull(),
    publicToken: text().notNull(),
    voidedAt: timestamp({ withTimezone: true }),
    voidReason: text(),
    createdBy: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("credit_notes_number_key").on(t.number),
    uniqueIndex("credit_notes_source_key").on(t.sourceKey),
    uniqueIndex("credit_notes_public_token_key").on(t.publicToken),
    unique("credit_notes_id_customer_currency_key").on(t.id, t.customerId, t.currency),
    index("credit_notes_customer_idx").on(t.customerId, t.issueDate),
    index("credit_notes_invoice_idx").on(t.invoiceId),
    check("credit_notes_amount_positive", sql`${t.totalMinor} > 0 and ${t.totalMinor} = ${t.subtotalMinor} + ${t.taxMinor}`),
    check("credit_notes_not_overapplied", sql`${t.allocatedMinor} >= 0 and ${t.refundedMinor} >= 0 and ${t.allocatedMinor} + ${t.refundedMinor} <= ${t.totalMinor}`),
    check("credit_notes_void_is_empty", sql`${t.voidedAt} is null or (${t.allocatedMinor} = 0 and ${t.refundedMinor} = 0)`),
  ],
);

export const creditNoteLines = pgTable(
  "credit_note_lines",
  {
    id: uuid().primaryKey().defaultRandom(),
    creditNoteId: uuid()
      .notNull()
      .references(() => creditNotes.id),
    position: integer().notNull(),
    invoiceLineId: uuid().references(() => invoiceLines.id),
    description: text().notNull(),
    taxRateBps: integer().notNull().default(0),
    netMinor: money().notNull(),
    taxMinor: money().notNull(),
    totalMinor: money().notNull(),
  },
  (t) => [
    uniqueIndex("credit_note_lines_position_key").on(t.creditNoteId, t.position),
    index("credit_note_lines_invoice_line_idx").on(t.invoiceLineId),
    check("credit_note_lines_positive", sql`${t.totalMinor} > 0 and ${t.totalMinor} = ${t.netMinor} + ${t.taxMinor}`),
  ],
);

export const allocationKind = pgEnum("allocation_kind", ["payment", "credit_note", "discount", "write_off"]);

/**
 * Money applied to an invoice, from a payment or a credit document. Append-only: taking an
 * application back is a new row with the negative amount that names the row it undoes.
 */
export const allocations = pgTable(
  "allocations",
  {
    id: uuid().primaryKey().defaultRandom(),
    customerId: uuid().notNull(),
    currency: char({ length: 3 }).notNull(),
    invoiceId: uuid().notNull(),
    kind: allocationKind().notNull(),
    paymentId: uuid(),
    creditNoteId: uuid(),
    amountMinor: money().notNull(),
    appliedOn: day().notNull(),
    reversesId: uuid(),
    sourceKey: text().notNull(),
    createdBy: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("allocations_source_key").on(t.sourceKey),
    uniqueIndex("allocations_reverses_key").on(t.reversesId),
    index("allocations_invoice_idx").on(t.invoiceId),
    index("allocations_payment_idx").on(t.paymentId),
    index("allocations_credit_note_idx").on(t.creditNoteId),
    // Same customer and currency on both sides, held by the keys themselves.
    foreignKey({ columns: [t.invoiceId, t.customerId, t.currency], foreignColumns: [invoices.id, invoices.customerId, invoices.currency], name: "allocations_invoice_fk" }),
    foreignKey({ columns: [t.paymentId, t.customerId, t.currency], foreignColumns: [payments.id, payments.customerId, payments.currency], name: "allocations_payment_fk" }),
    foreignKey({ columns: [t.creditNoteId, t.customerId, t.currency], foreignColumns: [creditNotes.id, creditNotes.customerId, creditNotes.currency], name: "allocations_credit_note_fk" }),
    foreignKey({ columns: [t.reversesId], foreignColumns: [t.id], name: "allocations_reverses_fk" }),
    check("allocations_nonzero", sql`${t.amountMinor} <> 0`),
    check("allocations_one_source", sql`(${t.kind} = 'payment') = (${t.paymentId} is not null) and (${t.kind} <> 'payment') = (${t.creditNoteId} is not null)`),
    check("allocations_negative_reverses", sql`(${t.amountMinor} < 0) = (${t.reversesId} is not null)`),
  ],
);

export const refundStatus = pgEnum("refund_status", ["pending", "succeeded", "failed"]);

export const refunds = pgTable(
  "refunds",
  {
    id: uuid().primaryKey().defaultRandom(),
    customerId: uuid().notNull(),
    currency: char({ length: 3 }).notNull(),
    paymentId: uuid(),
    creditNoteId: uuid(),
    amountMinor: money().notNull(),
    method: paymentMethod().notNull(),
    reference: text(),
    refundedOn: day().notNull(),
    status: refundStatus().notNull().default("succeeded"),
    reason: text().notNull(),
    sourceKey: text().notNull(),
    createdBy: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("refunds_source_key").on(t.sourceKey),
    index("refunds_payment_idx").on(t.paymentId),
    index("refunds_customer_idx").on(t.customerId, t.refundedOn),
    foreignKey({ columns: [t.paymentId, t.customerId, t.currency], foreignColumns: [payments.id, payments.customerId, payments.currency], name: "refunds_payment_fk" }),
    foreignKey({ columns: [t.creditNoteId, t.customerId, t.currency], foreignColumns: [creditNotes.id, creditNotes.customerId, creditNotes.currency], name: "refunds_credit_note_fk" }),
    check("refunds_amount_positive", sql`${t.amountMinor} > 0`),
    check("refunds_one_source", sql`(${t.paymentId} is null) <> (${t.creditNoteId} is null)`),
  ],
);

export const journalEntryType = pgEnum("journal_entry_type", [
  "invoice_issued",
  "invoice_voided",
  "payment_received",
  "payment_reversed",
  "allocation",
  "allocation_reversed",
  "credit_note_issued",
  "credit_note_voided",
  "discount",
  "write_off",
  "refund",
  "refund_failed",
  "chargeback",
  "chargeback_reversed",
  "late_fee",
]);

/**
 * The books' accounts. `receivable` (per invoice) and `customer_credit` (unapplied cash and
 * credits) are the customer's; the rest are the business's side of each entry.
 */
export const journalAccount = pgEnum("journal_account", [
  "receivable",
  "customer_credit",
  "cash",
  "revenue",
  "tax_payable",
  "sales_returns",
  "discounts_allowed",
  "bad_debt",
  "fee_income",
]);

/** Append-only (migration 0003): corrections are new entries. Each source is posted once. */
export const journalEntries = pgTable(
  "journal_entries",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    sourceKey: text().notNull(),
    type: journalEntryType().notNull(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    currency: char({ length: 3 }).notNull(),
    effectiveDate: day().notNull(),
    description: text().notNull(),
    invoiceId: uuid(),
    paymentId: uuid(),
    creditNoteId: uuid(),
    refundId: uuid(),
    allocationId: uuid(),
    actorType: actorType().notNull(),
    actorId: uuid(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("journal_entries_source_key").on(t.sourceKey),
    index("journal_entries_customer_idx").on(t.customerId, t.effectiveDate, t.id),
    index("journal_entries_effective_idx").on(t.effectiveDate, t.id),
    index("journal_entries_invoice_idx").on(t.invoiceId),
  ],
);

/** Debits positive, credits negative; each entry's lines sum to zero (checked by trigger). */
export const journalLines = pgTable(
  "journal_lines",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    entryId: bigint({ mode: "number" })
      .notNull()
      .references(() => journalEntries.id),
    customerId: uuid().notNull(),
    currency: char({ length: 3 }).notNull(),
    account: journalAccount().notNull(),
    invoiceId: uuid(),
    amountMinor: money().notNull(),
    effectiveDate: day().notNull(),
  },
  (t) => [
    index("journal_lines_entry_idx").on(t.entryId),
    index("journal_lines_customer_idx").on(t.customerId, t.effectiveDate),
    index("journal_lines_invoice_idx").on(t.invoiceId, t.effectiveDate).where(sql`${t.invoiceId} is not null`),
    check("journal_lines_receivable_has_invoice", sql`(${t.account} = 'receivable') = (${t.invoiceId} is not null)`),
    check("journal_lines_nonzero", sql`${t.amountMinor} <> 0`),
  ],
);

/**
 * Each customer's running totals, kept by a trigger on journal_lines in the same transaction
 * (migration 0003), so lists sort by balance at any size without summing the journal. Every
 * customer has its row from the start (migration 0007), so lists join it without a coalesce.
 */
export const customerBalances = pgTable(
  "customer_balances",
  {
    customerId: uuid()
      .primaryKey()
      .references(() => customers.id),
    currency: char({ length: 3 }).notNull(),
    /** Sum of the receivable account: what is open on invoices. */
    receivableMinor: money().notNull().default(0),
    /** Unapplied cash and credits, as a positive amount. */
    unappliedMinor: money().notNull().default(0),
    balanceMinor: money().notNull().default(0),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("customer_balances_balance_idx").on(t.balanceMinor, t.customerId),
    // Today's aging by customer pages through the largest open receivables (app/reports/aging).
    index("customer_balances_receivable_idx").on(t.receivableMinor.desc(), t.customerId).where(sql`${t.receivableMinor} > 0`),
    check("customer_balances_sum", sql`${t.balanceMinor} = ${t.receivableMinor} - ${t.unappliedMinor}`),
  ],
);

export const approvalStatus = pgEnum("approval_status", ["pending", "approved", "rejected"]);

/** A write-off above the approval threshold waits here for an admin. */
export const writeOffRequests = pgTable(
  "write_off_requests",
  {
    id: uuid().primaryKey().defaultRandom(),
    invoiceId: uuid()
      .notNull()
      .references(() => invoices.id),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    currency: char({ length: 3 }).notNull(),
    amountMinor: money().notNull(),
    reason: text().notNull(),
    status: approvalStatus().notNull().default("pending"),
    requestedBy: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    requestedAt: createdAt(),
    decidedBy: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    decidedAt: timestamp({ withTimezone: true }),
    decisionNote: text(),
    creditNoteId: uuid().references(() => creditNotes.id),
  },
  (t) => [
    index("write_off_requests_status_idx").on(t.status, t.requestedAt),
    uniqueIndex("write_off_requests_one_pending").on(t.invoiceId).where(sql`${t.status} = 'pending'`),
    check("write_off_requests_amount_positive", sql`${t.amountMinor} > 0`),
  ],
);

export type Invoice = typeof invoices.$inferSelect;
export type InvoiceLine = typeof invoiceLines.$inferSelect;
export type Payment = typeof payments.$inferSelect;
export type CreditNote = typeof creditNotes.$inferSelect;
export type CreditNoteLine = typeof creditNoteLines.$inferSelect;
export type Allocation = typeof allocations.$inferSelect;
export type Refund = typeof refunds.$inferSelect;
export type JournalEntry = typeof journalEntries.$inferSelect;
export type JournalLine = typeof journalLines.$inferSelect;
export type JournalAccount = (typeof journalAccount.enumValues)[number];
export type JournalEntryType = (typeof journalEntryType.enumValues)[number];
export type PaymentMethod = (typeof paymentMethod.enumValues)[number];
export type CreditNoteKind = (typeof creditNoteKind.enumValues)[number];

/**
 * Requests that have been carried out, by the caller's idempotency key, for operations that
 * have no row of their own to carry the key (applying money to invoices). Written in the
 * operation's transaction: a refused request leaves no key behind.
 */
export const operationKeys = pgTable("operation_keys", {
  key: text().primaryKey(),
  /** What the request created, and a hash of the request, where a replay must return it (API POSTs). */
  resource: text(),
  resourceId: text(),
  fingerprint: text(),
  createdAt: createdAt(),
});
