import { sql } from "drizzle-orm";
import { bigint, bigserial, boolean, char, check, date, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { customers, portalUsers } from "./customers";
import { emailOutbox } from "./email";
import { invoices } from "./ledger";
import { staffUsers } from "./staff";

// Money: bigint minor units of the customer's currency (ADR 003). Owned by app/collections.

const money = () => bigint({ mode: "number" });
const day = () => date({ mode: "string" });
const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

/**
 * A dunning policy: steps relative to each invoice's due date. Steps are a zod-checked jsonb list
 * (app/collections/policy.ts), each with a stable id that `dunning_actions` keys on, so editing a
 * step's wording or day never makes it fire a second time.
 */
export const dunningPolicies = pgTable(
  "dunning_policies",
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    description: text(),
    isDefault: boolean().notNull().default(false),
    /** Customers whose segment is one of these get this policy unless their account names another. */
    segments: text().array().notNull().default(sql`'{}'::text[]`),
    steps: jsonb().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    archivedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("dunning_policies_name_key").on(sql`lower(${t.name})`),
    uniqueIndex("dunning_policies_one_default").on(t.isDefault).where(sql`${t.isDefault} and ${t.archivedAt} is null`),
  ],
);

export const collectionStage = pgEnum("collection_stage", ["none", "upcoming", "reminded", "final_notice", "call", "credit_hold", "agency"]);

/** One row per customer that collections has looked at: its policy, stage, snooze, and cached score. */
export const collectionAccounts = pgTable(
  "collection_accounts",
  {
    customerId: uuid()
      .primaryKey()
      .references(() => customers.id),
    /** Overrides the segment's or the default policy. */
    policyId: uuid().references(() => dunningPolicies.id),
    stage: collectionStage().notNull().default("none"),
    snoozedUntil: day(),
    snoozeReason: text(),
    escalatedAt: timestamp({ withTimezone: true }),
    agency: text(),
    /** The customer's local day the dunning run last finished for this account. */
    lastDunnedOn: day(),
    lastContactAt: timestamp({ withTimezone: true }),
    nextFollowUpOn: day(),
    currency: char({ length: 3 }).notNull(),
    overdueMinor: money().notNull().default(0),
    oldestOverdueDays: integer().notNull().default(0),
    score: integer().notNull().default(0),
    scoreReasons: jsonb().notNull().default([]),
    scoredAt: timestamp({ withTimezone: true }),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("collection_accounts_worklist_idx").on(t.score.desc(), t.customerId).where(sql`${t.overdueMinor} > 0`),
    index("collection_accounts_follow_up_idx").on(t.nextFollowUpOn).where(sql`${t.nextFollowUpOn} is not null`),
    index("collection_accounts_dunned_idx").on(t.lastDunnedOn),
  ],
);

export const dunningRunTrigger = pgEnum("dunning_run_trigger", ["schedule", "manual", "cli"]);
export const dunningRunStatus = pgEnum("dunning_run_status", ["running", "finished", "failed"]);

/** One pass of the dunning job; what it did is in `stats` and in its `dunning_actions`. */
export const dunningRuns = pgTable(
  "dunning_runs",
  {
    id: uuid().primaryKey().defaultRandom(),
    trigger: dunningRunTrigger().notNull(),
    status: dunningRunStatus().notNull().default("running"),
    /** The instant the run treated as now (a simulated clock in tests). */
    asOf: timestamp({ withTimezone: true }).notNull(),
    startedBy: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    worker: text(),
    stats: jsonb().notNull().default({}),
    error: text(),
    startedAt: createdAt(),
    finishedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index("dunning_runs_started_idx").on(t.startedAt)],
);

export const dunningActionKind = pgEnum("dunning_action_kind", ["email", "task", "late_fee", "credit_hold", "escalate"]);
export const dunningActionOutcome = pgEnum("dunning_action_outcome", ["taken", "superseded"]);

/**
 * Each policy step taken (or passed over for a later one) on each invoice, at most once: the
 * unique key is the guarantee, written in the same transaction as the step's effect.
 */
export const dunningActions = pgTable(
  "dunning_actions",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    invoiceId: uuid()
      .notNull()
      .references(() => invoices.id),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    policyId: uuid()
      .notNull()
      .references(() => dunningPolicies.id),
    stepId: text().notNull(),
    /** 0, or the period number of a recurring fee. */
    period: integer().notNull().default(0),
    action: dunningActionKind().notNull(),
    outcome: dunningActionOutcome().notNull(),
    /** The customer's local day it was taken. */
    takenOn: day().notNull(),
    runId: uuid().references(() => dunningRuns.id),
    reason: text().notNull(),
    currency: char({ length: 3 }).notNull(),
    /** The collectible amount it was about, or the fee charged. */
    amountMinor: money(),
    emailId: uuid().references(() => emailOutbox.id, { onDelete: "set null" }),
    taskId: uuid(),
    feeInvoiceId: uuid().references(() => invoices.id),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("dunning_actions_once").on(t.invoiceId, t.stepId, t.period),
    index("dunning_actions_customer_idx").on(t.customerId, t.createdAt),
    index("dunning_actions_run_idx").on(t.runId),
  ],
);

export const taskKind = pgEnum("collection_task_kind", ["call", "follow_up", "promise_broken", "review", "agency", "other"]);
export const taskStatus = pgEnum("collection_task_status", ["open", "done", "canceled"]);

/** Work for a clerk: made by a policy step, a broken promise, or by hand. */
export const collectionTasks = pgTable(
  "collection_tasks",
  {
    id: uuid().primaryKey().defaultRandom(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    invoiceId: uuid().references(() => invoices.id),
    kind: taskKind().notNull(),
    title: text().notNull(),
    dueOn: day().notNull(),
    assigneeId: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    status: taskStatus().notNull().default("open"),
    /** What made it, once (e.g. "promise-broken:<id>"); null for tasks made by hand. */
    sourceKey: text(),
    createdBy: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    completedAt: timestamp({ withTimezone: true }),
    completedBy: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    outcome: text(),
  },
  (t) => [
    uniqueIndex("collection_tasks_source_key").on(t.sourceKey),
    index("collection_tasks_open_idx").on(t.dueOn, t.customerId).where(sql`${t.status} = 'open'`),
    index("collection_tasks_customer_idx").on(t.customerId, t.status),
    index("collection_tasks_assignee_idx").on(t.assigneeId, t.dueOn).where(sql`${t.status} = 'open'`),
  ],
);

export const contactKind = pgEnum("collection_contact_kind", ["call", "note", "email", "escalation", "snooze", "hold"]);
export const callOutcome = pgEnum("call_outcome", ["reached", "voicemail", "wrong_number", "promised", "disputed", "refused"]);

/** The collector's log: calls with their outcome, notes, reminders sent by hand, escalations. */
export const collectionContacts = pgTable(
  "collection_contacts",
  {
    id: uuid().primaryKey().defaultRandom(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    kind: contactKind().notNull(),
    outcome: callOutcome(),
    body: text(),
    promiseId: uuid(),
    staffId: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("collection_contacts_customer_idx").on(t.customerId, t.createdAt)],
);

export const promiseStatus = pgEnum("promise_status", ["open", "kept", "broken", "canceled"]);
export const promiseSource = pgEnum("promise_source", ["staff", "portal"]);

/**
 * A promise to pay an amount by a date. While open it pauses dunning for that much of the
 * customer's oldest overdue amounts; if the money has not come by the date it is broken and
 * a follow-up task opens.
 */
export const promisesToPay = pgTable(
  "promises_to_pay",
  {
    id: uuid().primaryKey().defaultRandom(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    currency: char({ length: 3 }).notNull(),
    amountMinor: money().notNull(),
    promisedOn: day().notNull(),
    /** The day it was made: payments from this day on count towards it. */
    madeOn: day().notNull(),
    status: promiseStatus().notNull().default("open"),
    source: promiseSource().notNull(),
    note: text(),
    staffId: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    portalUserId: uuid().references(() => portalUsers.id, { onDelete: "set null" }),
    /** What had come in towards it when it was settled (kept or broken). */
    receivedMinor: money(),
    followUpTaskId: uuid().references(() => collectionTasks.id),
    createdAt: createdAt(),
    resolvedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("promises_to_pay_customer_idx").on(t.customerId, t.status),
    index("promises_to_pay_open_idx").on(t.promisedOn).where(sql`${t.status} = 'open'`),
    check("promises_to_pay_amount_positive", sql`${t.amountMinor} > 0`),
  ],
);

export const holdSource = pgEnum("credit_hold_source", ["manual", "policy"]);

/** Why an account is on credit hold; `customers.credit_hold` is true while any hold is active. */
export const creditHolds = pgTable(
  "credit_holds",
  {
    id: uuid().primaryKey().defaultRandom(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    reason: text().notNull(),
    source: holdSource().notNull(),
    /** For holds placed by a policy step: the step and invoice, so a rerun never places it twice. */
    sourceKey: text(),
    placedBy: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    placedAt: createdAt(),
    liftedAt: timestamp({ withTimezone: true }),
    liftedBy: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    liftNote: text(),
  },
  (t) => [uniqueIndex("credit_holds_source_key").on(t.sourceKey), index("credit_holds_active_idx").on(t.customerId).where(sql`${t.liftedAt} is null`)],
);

/** Accounts without a collector get the first matching rule's collector (by position). */
export const collectionAssignmentRules = pgTable(
  "collection_assignment_rules",
  {
    id: uuid().primaryKey().defaultRandom(),
    position: integer().notNull(),
    segment: text(),
    currency: char({ length: 3 }),
    minOverdueMinor: money(),
    collectorId: uuid()
      .notNull()
      .references(() => staffUsers.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [index("collection_assignment_rules_position_idx").on(t.position)],
);

export const suppressionReason = pgEnum("email_suppression_reason", ["bounced", "complained"]);

/** Addresses the provider reported as bounced or complaining: not emailed again until cleared. */
export const emailSuppressions = pgTable(
  "email_suppressions",
  {
    id: uuid().primaryKey().defaultRandom(),
    address: text().notNull(),
    reason: suppressionReason().notNull(),
    detail: text(),
    outboxId: uuid().references(() => emailOutbox.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    clearedAt: timestamp({ withTimezone: true }),
    clearedBy: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
  },
  (t) => [uniqueIndex("email_suppressions_active_key").on(sql`lower(${t.address})`).where(sql`${t.clearedAt} is null`)],
);

/** Resend's delivery events, stored once by their webhook message id. */
export const emailEvents = pgTable(
  "email_events",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    providerEventId: text().notNull(),
    type: text().notNull(),
    providerMessageId: text(),
    outboxId: uuid().references(() => emailOutbox.id, { onDelete: "set null" }),
    payload: jsonb().notNull(),
    receivedAt: createdAt(),
  },
  (t) => [uniqueIndex("email_events_provider_event_key").on(t.providerEventId), index("email_events_outbox_idx").on(t.outboxId)],
);

export type DunningPolicyRow = typeof dunningPolicies.$inferSelect;
export type CollectionAccount = typeof collectionAccounts.$inferSelect;
export type CollectionTask = typeof collectionTasks.$inferSelect;
export type PromiseToPay = typeof promisesToPay.$inferSelect;
export type CreditHold = typeof creditHolds.$inferSelect;
