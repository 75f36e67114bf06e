import { sql } from "drizzle-orm";
import { bigint, boolean, char, check, date, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { customers, portalUsers } from "./customers";
import { invoices } from "./ledger";
import { savedPaymentMethods } from "./online-payments";
import { staffUsers } from "./staff";

export const planStatus = pgEnum("plan_status", ["pending_approval", "active", "completed", "defaulted", "rejected", "canceled"]);
export const planFrequency = pgEnum("plan_frequency", ["weekly", "biweekly", "monthly"]);

/** Chosen invoices paid in instalments on dates; approved at once inside the policy, else by staff. */
export const paymentPlans = pgTable(
  "payment_plans",
  {
    id: uuid().primaryKey().defaultRandom(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    currency: char({ length: 3 }).notNull(),
    status: planStatus().notNull(),
    totalMinor: bigint({ mode: "number" }).notNull(),
    instalmentCount: integer().notNull(),
    frequency: planFrequency().notNull(),
    firstDate: date({ mode: "string" }).notNull(),
    autopay: boolean().notNull().default(false),
    paymentMethodId: uuid().references(() => savedPaymentMethods.id),
    customerMessage: text(),
    /** Why it needs approval, in words (outside which part of the policy). */
    policyNotes: text(),
    decisionNote: text(),
    decidedBy: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    requestedBy: uuid().references(() => portalUsers.id, { onDelete: "set null" }),
    proposedBy: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    activatedAt: timestamp({ withTimezone: true }),
    endedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("payment_plans_customer_idx").on(t.customerId, t.status),
    index("payment_plans_status_idx").on(t.status, t.createdAt),
    check("payment_plans_total_positive", sql`${t.totalMinor} > 0 and ${t.instalmentCount} > 0`),
  ],
);

export const planInvoices = pgTable(
  "plan_invoices",
  {
    planId: uuid()
      .notNull()
      .references(() => paymentPlans.id),
    invoiceId: uuid()
      .notNull()
      .references(() => invoices.id),
    amountMinor: bigint({ mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.planId, t.invoiceId] }), index("plan_invoices_invoice_idx").on(t.invoiceId)],
);

export const instalmentStatus = pgEnum("instalment_status", ["scheduled", "processing", "paid", "failed", "canceled"]);

export const planInstalments = pgTable(
  "plan_instalments",
  {
    id: uuid().primaryKey().defaultRandom(),
    planId: uuid()
      .notNull()
      .references(() => paymentPlans.id),
    seq: integer().notNull(),
    dueDate: date({ mode: "string" }).notNull(),
    amountMinor: bigint({ mode: "number" }).notNull(),
    paidMinor: bigint({ mode: "number" }).notNull().default(0),
    status: instalmentStatus().notNull().default("scheduled"),
    /** Failed charges so far; the plan defaults when it reaches the policy's limit. */
    failures: integer().notNull().default(0),
    nextAttemptOn: date({ mode: "string" }),
    /** A worker's claim: another worker leaves the instalment alone until this passes. */
    claimedUntil: timestamp({ withTimezone: true }),
    lastError: text(),
    paidAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("plan_instalments_seq_key").on(t.planId, t.seq),
    index("plan_instalments_due_idx").on(t.nextAttemptOn).where(sql`${t.status} in ('scheduled', 'failed')`),
    check("plan_instalments_amount_positive", sql`${t.amountMinor} > 0 and ${t.paidMinor} >= 0 and ${t.paidMinor} <= ${t.amountMinor}`),
  ],
);

export type PaymentPlan = typeof paymentPlans.$inferSelect;
export type PlanInstalment = typeof planInstalments.$inferSelect;
