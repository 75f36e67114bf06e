import { sql } from "drizzle-orm";
import { bigint, char, check, index, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { customers, portalUsers } from "./customers";
import { creditNotes, invoiceLines, invoices } from "./ledger";
import { staffUsers } from "./staff";

export const disputeReason = pgEnum("dispute_reason", ["pricing", "quantity", "not_received", "damaged", "duplicate", "other"]);
export const disputeStatus = pgEnum("dispute_status", ["open", "accepted", "rejected", "withdrawn"]);

/**
 * A customer's dispute of part or all of one invoice line. While open, its amount is on hold:
 * out of what is due now and out of reminders; the rest of the invoice stays payable.
 */
export const disputes = pgTable(
  "disputes",
  {
    id: uuid().primaryKey().defaultRandom(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    invoiceId: uuid()
      .notNull()
      .references(() => invoices.id),
    invoiceLineId: uuid()
      .notNull()
      .references(() => invoiceLines.id),
    currency: char({ length: 3 }).notNull(),
    amountMinor: bigint({ mode: "number" }).notNull(),
    reason: disputeReason().notNull(),
    status: disputeStatus().notNull().default("open"),
    /** What was credited when accepted (all or part of the amount). */
    acceptedMinor: bigint({ mode: "number" }),
    resolutionNote: text(),
    creditNoteId: uuid().references(() => creditNotes.id),
    assignedTo: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    openedBy: uuid().references(() => portalUsers.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("disputes_customer_idx").on(t.customerId, t.status),
    index("disputes_invoice_idx").on(t.invoiceId).where(sql`${t.status} = 'open'`),
    index("disputes_status_idx").on(t.status, t.createdAt),
    check("disputes_amount_positive", sql`${t.amountMinor} > 0`),
    check("disputes_accepted_range", sql`${t.acceptedMinor} is null or (${t.acceptedMinor} > 0 and ${t.acceptedMinor} <= ${t.amountMinor})`),
  ],
);

export const messageAuthor = pgEnum("message_author", ["customer", "staff", "system"]);

export const disputeMessages = pgTable(
  "dispute_messages",
  {
    id: uuid().primaryKey().defaultRandom(),
    disputeId: uuid()
      .notNull()
      .references(() => disputes.id),
    author: messageAuthor().notNull(),
    portalUserId: uuid().references(() => portalUsers.id, { onDelete: "set null" }),
    staffUserId: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    body: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("dispute_messages_dispute_idx").on(t.disputeId, t.createdAt)],
);

export type Dispute = typeof disputes.$inferSelect;
export type DisputeMessage = typeof disputeMessages.$inferSelect;
export type DisputeReason = (typeof disputeReason.enumValues)[number];
