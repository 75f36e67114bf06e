import { sql } from "drizzle-orm";
import { bigint, boolean, char, check, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { customers, portalUsers } from "./customers";
import { payments } from "./ledger";

/** Which processor moved the money: Stripe, or the demo processor that stands in for it without keys. */
export const processorName = pgEnum("processor_name", ["stripe", "demo"]);

export const paymentAttemptStatus = pgEnum("payment_attempt_status", ["created", "requires_action", "processing", "succeeded", "failed", "canceled"]);
export const paymentAttemptKind = pgEnum("payment_attempt_kind", ["portal", "instalment"]);

/**
 * One try at charging a customer: what they chose to pay (the server's amounts), the processor's
 * PaymentIntent, and the ledger payment it became. The idempotency key makes a double click, a
 * second tab or a retried job the same attempt.
 */
export const paymentAttempts = pgTable(
  "payment_attempts",
  {
    id: uuid().primaryKey().defaultRandom(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    portalUserId: uuid().references(() => portalUsers.id, { onDelete: "set null" }),
    kind: paymentAttemptKind().notNull().default("portal"),
    planInstalmentId: uuid(),
    currency: char({ length: 3 }).notNull(),
    amountMinor: bigint({ mode: "number" }).notNull(),
    /** [{ invoiceId, amountMinor }]: applied to these invoices when the money arrives. */
    allocations: jsonb().$type<{ invoiceId: string; amountMinor: number }[]>().notNull(),
    idempotencyKey: text().notNull(),
    processor: processorName().notNull(),
    processorIntentId: text(),
    clientSecret: text(),
    paymentMethodId: uuid(),
    saveMethod: boolean().notNull().default(false),
    status: paymentAttemptStatus().notNull().default("created"),
    failureCode: text(),
    failureMessage: text(),
    paymentId: uuid().references(() => payments.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("payment_attempts_idempotency_key").on(t.idempotencyKey),
    uniqueIndex("payment_attempts_intent_key").on(t.processorIntentId),
    index("payment_attempts_customer_idx").on(t.customerId, t.createdAt),
    index("payment_attempts_instalment_idx").on(t.planInstalmentId),
    check("payment_attempts_amount_positive", sql`${t.amountMinor} > 0`),
  ],
);

export const paymentMethodType = pgEnum("payment_method_type", ["card", "us_bank_account"]);

/** A saved way to pay (a processor's PaymentMethod attached to the customer), for autopay and one-click payments. */
export const savedPaymentMethods = pgTable(
  "saved_payment_methods",
  {
    id: uuid().primaryKey().defaultRandom(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    processor: processorName().notNull(),
    processorMethodId: text().notNull(),
    type: paymentMethodType().notNull(),
    brand: text(),
    last4: text(),
    expMonth: integer(),
    expYear: integer(),
    bankName: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    detachedAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex("saved_payment_methods_processor_key").on(t.processorMethodId), index("saved_payment_methods_customer_idx").on(t.customerId)],
);

/**
 * Every webhook event, stored once by its id before anything is done with it (the inbox), then
 * applied; a failure is retried with back-off and shown to staff.
 */
export const processorEvents = pgTable(
  "processor_events",
  {
    id: text().primaryKey(),
    processor: processorName().notNull(),
    type: text().notNull(),
    objectId: text(),
    occurredAt: timestamp({ withTimezone: true }).notNull(),
    payload: jsonb().notNull(),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp({ withTimezone: true }),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }),
    lastError: text(),
  },
  (t) => [index("processor_events_pending_idx").on(t.nextAttemptAt).where(sql`${t.processedAt} is null`), index("processor_events_object_idx").on(t.objectId)],
);

/** The demo processor's own objects (PaymentIntents, SetupIntents, PaymentMethods), as Stripe would keep them. */
export const demoProcessorObjects = pgTable("demo_processor_objects", {
  id: text().primaryKey(),
  type: text().notNull(),
  data: jsonb().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export type PaymentAttempt = typeof paymentAttempts.$inferSelect;
export type SavedPaymentMethod = typeof savedPaymentMethods.$inferSelect;
export type ProcessorEvent = typeof processorEvents.$inferSelect;
