import { and, eq, lt } from "drizzle-orm";
import { collectionAccounts, collectionContacts, customers, invoices, type StaffRole } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import type { StaffActor } from "~/ledger/actor";
import { requestWriteOff } from "~/ledger/write-offs.server";
import { addDays, today, type IsoDate } from "~/utils/dates";
import { DomainError } from "~/utils/errors";
import { callOutcomes, manualTaskKinds, NOTE_MAX, SNOOZE_MAX_DAYS, TASK_MAX_DAYS, type CallOutcome } from "./account-actions";
import { sendReminderNow } from "./dunning.server";
import { liftHolds, placeHold as placeCreditHold } from "./holds.server";
import { toneLabels, type ReminderTone } from "./policy";
import { cancelPromise as cancelPromiseToPay, recordPromise } from "./promises.server";
import { completeTask as completeCollectionTask, createTask, ensureAccount } from "./tasks.server";
import { refreshScores } from "./worklist.server";

/**
 * What a collector does on one account (issue 6, part 4), one function per action, shared by the
 * account page and the CLI. Each validates its input (a DomainError names the field), writes in
 * one transaction with its audit entry, logs what was a contact with the customer in
 * `collection_contacts`, and then re-scores the account so the worklist shows its new standing.
 */

type Customer = { id: string; currency: string; timeZone: string };

async function requireCustomer(customerId: string, db: Db): Promise<Customer> {
  const [customer] = await db.select({ id: customers.id, currency: customers.currency, timeZone: customers.timeZone }).from(customers).where(eq(customers.id, customerId));
  if (!customer) throw new DomainError("not_found", "No such customer");
  return customer;
}

/** The customer's own day: collections works in each customer's time zone. */
const todayOf = (customer: Customer) => today(customer.timeZone);

function requiredText(value: string | null | undefined, field: string, label: string, max = NOTE_MAX) {
  const text = (value ?? "").trim();
  if (!text) throw new DomainError("invalid", `${label} is required`, field);
  if (text.length > max) throw new DomainError("invalid", `${label} must be at most ${max} characters`, field);
  return text;
}

function optionalText(value: string | null | undefined, field: string, label: string, max = NOTE_MAX) {
  const text = (value ?? "").trim();
  if (text.length > max) throw new DomainError("invalid", `${label} must be at most ${max} characters`, field);
  return text || null;
}

function dayFromToday(day: IsoDate, customer: Customer, { field, label, maxDays, allowToday }: { field: string; label: string; maxDays: number; allowToday: boolean }) {
  const now = todayOf(customer);
  if (allowToday ? day < now : day <= now) throw new DomainError("invalid", `${label} must be ${allowToday ? "today or later" : "after today"} (today is ${now})`, field);
  if (day > addDays(now, maxDays)) throw new DomainError("invalid", `${label} must be within ${maxDays} days`, field);
  return day;
}

async function logContact(
  { customerId, kind, body, outcome = null, promiseId = null, touch = false }: { customerId: string; kind: (typeof collectionContacts.$inferInsert)["kind"]; body: string | null; outcome?: CallOutcome | null; promiseId?: string | null; touch?: boolean },
  actor: Actor,
  db: Db,
) {
  const [contact] = await db
    .insert(collectionContacts)
    .values({ customerId, kind, body, outcome, promiseId, staffId: actor.type === "staff" ? actor.id : null })
    .returning();
  await ensureAccount(customerId, db);
  // Only what reached the customer (a call, an email) counts as the last contact.
  await db
    .update(collectionAccounts)
    .set({ ...(touch ? { lastContactAt: contact!.createdAt } : {}), updatedAt: new Date() })
    .where(eq(collectionAccounts.customerId, customerId));
  return contact!;
}

async function rescore(customer: Customer, db: Db) {
  await refreshScores([customer.id], todayOf(customer), db);
}

// --- Calls and notes -----------------------------------------------------------------------

export type LogCallInput = {
  customerId: string;
  outcome: CallOutcome;
  note?: string | null;
  /** Required when the outcome is "promised": recorded as a promise to pay in the same transaction. */
  promise?: { amountMinor: number; promisedOn: IsoDate } | null;
  /** Opens a follow-up task for that day. */
  followUpOn?: IsoDate | null;
};

export const callOutcomeWords: Record<CallOutcome, string> = {
  reached: "reached",
  voicemail: "left a voicemail",
  wrong_number: "wrong number",
  promised: "promised to pay",
  disputed: "disputes the balance",
  refused: "refused to pay",
};

export async function logCall(input: LogCallInput, actor: Actor, db: Db = getDb()) {
  const customer = await requireCustomer(input.customerId, db);
  if (!callOutcomes.includes(input.outcome)) throw new DomainError("invalid", "Choose how the call went", "outcome");
  if (input.outcome === "promised" && !input.promise) throw new DomainError("invalid", "A promise needs its amount and date", "amount");
  if (input.outcome !== "promised" && input.promise) throw new DomainError("invalid", "Choose “Promised to pay” to record a promise with the call", "outcome");
  const note = optionalText(input.note, "note", "Note");
  const followUpOn = input.followUpOn ? dayFromToday(input.followUpOn, customer, { field: "followUpOn", label: "The follow-up date", maxDays: TASK_MAX_DAYS, allowToday: true }) : null;
  const result = await db.transaction(async (tx) => {
    const promise = input.promise ? await recordPromise({ customerId: customer.id, amountMinor: input.promise.amountMinor, promisedOn: input.promise.promisedOn, note }, actor, tx) : null;
    const contact = await logContact({ customerId: customer.id, kind: "call", outcome: input.outcome, body: note, promiseId: promise?.id ?? null, touch: true }, actor, tx);
    const task = followUpOn
      ? await createTask({ customerId: customer.id, kind: "follow_up", title: `Follow up on the call (${callOutcomeWords[input.outcome]})${note ? `: ${note.slice(0, 120)}` : ""}`, dueOn: followUpOn }, actor, tx)
      : null;
    await recordAudit(
      {
        actor,
        action: "collections.call",
        entityType: "customer",
        entityId: customer.id,
        customerId: customer.id,
        after: { outcome: input.outcome, note, currency: customer.currency, promiseId: promise?.id ?? null, amountMinor: promise?.amountMinor ?? null, promisedOn: promise?.promisedOn ?? null, followUpOn },
      },
      tx,
    );
    return { contact, promise, task };
  });
  await rescore(customer, db);
  return result;
}

export async function addNote({ customerId, body }: { customerId: string; body: string }, actor: Actor, db: Db = getDb()) {
  const customer = await requireCustomer(customerId, db);
  const text = requiredText(body, "body", "Note");
  const contact = await db.transaction(async (tx) => {
    const contact = await logContact({ customerId, kind: "note", body: text }, actor, tx);
    await recordAudit({ actor, action: "collections.note", entityType: "customer", entityId: customerId, customerId, after: { note: text } }, tx);
    return contact;
  });
  await rescore(customer, db);
  return contact;
}

// --- Reminders -------------------------------------------------------------------------------

/** Sends the customer a reminder now, listing everything overdue, in the chosen tone. */
export async function sendReminder({ customerId, tone }: { customerId: string; tone: ReminderTone }, actor: StaffActor, db: Db = getDb()) {
  const customer = await requireCustomer(customerId, db);
  if (!(tone in toneLabels)) throw new DomainError("invalid", "Choose which reminder to send", "tone");
  const outboxId = await db.transaction(async (tx) => {
    // sendReminderNow checks there is something to remind of and someone to send it to, and audits it.
    const id = await sendReminderNow({ customerId, tone }, actor, tx);
    if (!id) throw new DomainError("conflict", `The ${toneLabels[tone].toLowerCase()} was already sent to this customer today`, "tone");
    await logContact({ customerId, kind: "email", body: `${toneLabels[tone]} sent by hand`, touch: true }, actor, tx);
    return id;
  });
  await rescore(customer, db);
  return outboxId;
}

// --- Promises --------------------------------------------------------------------------------

export async function addPromise(input: { customerId: string; amountMinor: number; promisedOn: IsoDate; note?: string | null }, actor: Actor, db: Db = getDb()) {
  const customer = await requireCustomer(input.customerId, db);
  const note = optionalText(input.note, "note", "Note");
  const promise = await recordPromise({ ...input, note }, actor, db);
  await rescore(customer, db);
  return promise;
}

export async function cancelPromise({ customerId, promiseId, note }: { customerId: string; promiseId: string; note: string }, actor: Actor, db: Db = getDb()) {
  const customer = await requireCustomer(customerId, db);
  await cancelPromiseToPay({ customerId, promiseId, note: requiredText(note, "note", "Reason") }, actor, db);
  await rescore(customer, db);
}

// --- Snooze and escalation ----------------------------------------------------------------------

/** Takes the account off the worklist until a day (after today, within 90 days), with the reason. */
export async function snooze({ customerId, until, reason }: { customerId: string; until: IsoDate; reason: string }, actor: Actor, db: Db = getDb()) {
  const customer = await requireCustomer(customerId, db);
  const day = dayFromToday(until, customer, { field: "until", label: "The snooze date", maxDays: SNOOZE_MAX_DAYS, allowToday: false });
  const why = requiredText(reason, "reason", "Reason", 500);
  await db.transaction(async (tx) => {
    await ensureAccount(customerId, tx);
    const [before] = await tx.select({ snoozedUntil: collectionAccounts.snoozedUntil }).from(collectionAccounts).where(eq(collectionAccounts.customerId, customerId)).for("update");
    await tx.update(collectionAccounts).set({ snoozedUntil: day, snoozeReason: why, updatedAt: new Date() }).where(eq(collectionAccounts.customerId, customerId));
    await logContact({ customerId, kind: "snooze", body: `Snoozed until ${day}: ${why}` }, actor, tx);
    await recordAudit({ actor, action: "collections.snooze", entityType: "customer", entityId: customerId, customerId, before: { snoozedUntil: before?.snoozedUntil ?? null }, after: { snoozedUntil: day, reason: why } }, tx);
  });
  await rescore(customer, db);
}

export async function unsnooze({ customerId }: { customerId: string }, actor: Actor, db: Db = getDb()) {
  const customer = await requireCustomer(customerId, db);
  await db.transaction(async (tx) => {
    const [account] = await tx.select({ snoozedUntil: collectionAccounts.snoozedUntil }).from(collectionAccounts).where(eq(collectionAccounts.customerId, customerId)).for("update");
    if (!account?.snoozedUntil || account.snoozedUntil <= todayOf(customer)) throw new DomainError("conflict", "The account is not snoozed");
    await tx.update(collectionAccounts).set({ snoozedUntil: null, snoozeReason: null, updatedAt: new Date() }).where(eq(collectionAccounts.customerId, customerId));
    await logContact({ customerId, kind: "snooze", body: "Snooze ended" }, actor, tx);
    await recordAudit({ actor, action: "collections.unsnooze", entityType: "customer", entityId: customerId, customerId, before: { snoozedUntil: account.snoozedUntil }, after: { snoozedUntil: null } }, tx);
  });
  await rescore(customer, db);
}

/**
 * Hands the account to a collection agency: the stage becomes "agency" and the open items can be
 * exported for the agency (/staff/collections/<id>/agency.csv). Only an account with something
 * overdue goes; escalating again names a different agency.
 */
export async function escalate({ customerId, agency, note }: { customerId: string; agency: string; note?: string | null }, actor: Actor, db: Db = getDb()) {
  const customer = await requireCustomer(customerId, db);
  const name = requiredText(agency, "agency", "Agency", 120);
  const why = optionalText(note, "note", "Note");
  await db.transaction(async (tx) => {
    await ensureAccount(customerId, tx);
    const [account] = await tx.select().from(collectionAccounts).where(eq(collectionAccounts.customerId, customerId)).for("update");
    if (account!.escalatedAt && account!.agency?.toLowerCase() === name.toLowerCase()) throw new DomainError("conflict", `The account is already with ${account!.agency}`, "agency");
    const [overdue] = await tx
      .select({ id: invoices.id })
      .from(invoices)
      .where(and(eq(invoices.customerId, customerId), eq(invoices.status, "open"), lt(invoices.dueDate, todayOf(customer))))
      .limit(1);
    if (!overdue) throw new DomainError("invalid", "Nothing on this account is overdue, so there is nothing to send to an agency", "agency");
    await tx.update(collectionAccounts).set({ escalatedAt: new Date(), agency: name, stage: "agency", updatedAt: new Date() }).where(eq(collectionAccounts.customerId, customerId));
    await logContact({ customerId, kind: "escalation", body: `Escalated to ${name}${why ? `: ${why}` : ""}` }, actor, tx);
    await recordAudit(
      { actor, action: "collections.escalate", entityType: "customer", entityId: customerId, customerId, before: { stage: account!.stage, agency: account!.agency }, after: { stage: "agency", agency: name, note: why } },
      tx,
    );
  });
  await rescore(customer, db);
}

// --- Credit holds ------------------------------------------------------------------------------

export async function placeHold({ customerId, reason }: { customerId: string; reason: string }, actor: Actor, db: Db = getDb()) {
  const customer = await requireCustomer(customerId, db);
  const why = requiredText(reason, "reason", "Reason", 500);
  const hold = await db.transaction(async (tx) => {
    const hold = await placeCreditHold({ customerId, reason: why, source: "manual" }, actor, tx);
    await logContact({ customerId, kind: "hold", body: `Credit hold placed: ${why}` }, actor, tx);
    return hold;
  });
  await rescore(customer, db);
  return hold;
}

export async function liftHold({ customerId, note }: { customerId: string; note: string }, actor: Actor, db: Db = getDb()) {
  const customer = await requireCustomer(customerId, db);
  const why = requiredText(note, "note", "Reason", 500);
  const lifted = await db.transaction(async (tx) => {
    const [row] = await tx.select({ creditHold: customers.creditHold }).from(customers).where(eq(customers.id, customerId));
    if (!row?.creditHold) throw new DomainError("conflict", "The account is not on credit hold", "note");
    const lifted = await liftHolds({ customerId, note: why }, actor, tx);
    await logContact({ customerId, kind: "hold", body: `Credit hold lifted: ${why}` }, actor, tx);
    return lifted;
  });
  await rescore(customer, db);
  return lifted;
}

// --- Write-offs ------------------------------------------------------------------------------

/**
 * Asks to write off an amount of one of the account's open invoices, through the one write-off
 * path (app/ledger/write-offs.server.ts): above the approval threshold it waits for an admin.
 */
export async function requestAccountWriteOff(
  { customerId, invoiceId, amountMinor, reason, idempotencyKey }: { customerId: string; invoiceId: string; amountMinor: number; reason: string; idempotencyKey?: string },
  actor: StaffActor & { role: StaffRole },
  db: Db = getDb(),
) {
  const customer = await requireCustomer(customerId, db);
  const [invoice] = await db.select({ id: invoices.id }).from(invoices).where(and(eq(invoices.id, invoiceId), eq(invoices.customerId, customerId)));
  if (!invoice) throw new DomainError("not_found", "That invoice is not on this account", "invoiceId");
  const outcome = await requestWriteOff({ invoiceId, amountMinor, reason: requiredText(reason, "reason", "Reason", 500), idempotencyKey }, actor, db);
  await rescore(customer, db);
  return outcome;
}

// --- Tasks -----------------------------------------------------------------------------------

export async function addTask(
  { customerId, title, dueOn, kind = "follow_up", assigneeId }: { customerId: string; title: string; dueOn: IsoDate; kind?: (typeof manualTaskKinds)[number]; assigneeId?: string | null },
  actor: Actor,
  db: Db = getDb(),
) {
  const customer = await requireCustomer(customerId, db);
  if (!manualTaskKinds.includes(kind)) throw new DomainError("invalid", "Choose what kind of task it is", "kind");
  const task = await createTask(
    {
      customerId,
      kind,
      title: requiredText(title, "title", "Task", 200),
      dueOn: dayFromToday(dueOn, customer, { field: "dueOn", label: "The due date", maxDays: TASK_MAX_DAYS, allowToday: true }),
      assigneeId,
    },
    actor,
    db,
  );
  await rescore(customer, db);
  return task!;
}

export async function finishTask({ customerId, taskId, outcome, cancel = false }: { customerId: string; taskId: string; outcome?: string | null; cancel?: boolean }, actor: Actor, db: Db = getDb()) {
  const customer = await requireCustomer(customerId, db);
  const task = await completeCollectionTask({ customerId, taskId, outcome: optionalText(outcome, "outcome", "Outcome", 500), cancel }, actor, db);
  await rescore(customer, db);
  return task;
}

