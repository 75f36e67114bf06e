import { and, asc, desc, eq, inArray, isNull, lt, lte } from "drizzle-orm";
import { customers, processorEvents, savedPaymentMethods, type ProcessorEvent } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import { DomainError } from "~/utils/errors";
import { rememberMethod } from "~/payments/attempts.server";
import { getProcessor } from "~/payments/processor.server";
import { completePlanSetup } from "~/plans/autopay-setup.server";
import { applyProcessorDispute, applyProcessorPayout, applyProcessorRefund, applyRefundsOfIntent, paymentForIntent, settleProcessorIntent } from "~/reconciliation/processor-money.server";

const actor: Actor = { type: "processor", label: "Stripe webhook" };
const MAX_ATTEMPTS = 12;

type Handler = (object: Record<string, unknown>, db: Db) => Promise<string | void>;

/**
 * What each event type does. PaymentIntent events are not trusted for their state: the current
 * intent is fetched, so duplicates, late and out-of-order deliveries all settle to the same books.
 */
const handlers: Record<string, Handler> = {
  "payment_intent.succeeded": settleCurrentIntent,
  "payment_intent.processing": settleCurrentIntent,
  "payment_intent.payment_failed": settleCurrentIntent,
  "payment_intent.canceled": settleCurrentIntent,
  "payment_intent.requires_action": settleCurrentIntent,
  // A charge's own events only say that its PaymentIntent moved; refunds come as refund.* events.
  "charge.succeeded": settleChargeIntent,
  "charge.pending": settleChargeIntent,
  "charge.failed": settleChargeIntent,
  "charge.refunded": async (object, db) => {
    if (typeof object.payment_intent !== "string") return "A charge without a PaymentIntent: not one of Settle's";
    await applyRefundsOfIntent(object.payment_intent, actor, db);
  },
  "refund.created": currentRefund,
  "refund.updated": currentRefund,
  "refund.failed": currentRefund,
  "charge.refund.updated": currentRefund,
  "charge.dispute.created": currentDispute,
  "charge.dispute.updated": currentDispute,
  "charge.dispute.funds_withdrawn": currentDispute,
  "charge.dispute.funds_reinstated": currentDispute,
  "charge.dispute.closed": currentDispute,
  "payout.created": currentPayout,
  "payout.updated": currentPayout,
  "payout.paid": currentPayout,
  "payout.failed": currentPayout,
  "payout.canceled": currentPayout,
  "payout.reconciliation_completed": currentPayout,
  "setup_intent.succeeded": async (object, db) => {
    const customerId = (object.metadata as Record<string, string> | undefined)?.settle_customer_id;
    const method = object.payment_method as string | null;
    const planId = (object.metadata as Record<string, string> | undefined)?.settle_plan_id;
    if (customerId && method) await rememberMethod(customerId, method, db);
    // A customer who closed the tab before the return page still gets autopay on their plan.
    if (customerId && method && planId) await completePlanSetup({ planId, customerId, setupIntentId: String(object.id) }, actor, db);
  },
  "payment_method.attached": async (object, db) => {
    const [customer] = await db.select({ id: customers.id }).from(customers).where(eq(customers.stripeCustomerId, String(object.customer ?? "")));
    if (customer) await rememberMethod(customer.id, String(object.id), db);
    else return "No customer of ours has this processor customer";
  },
  "payment_method.detached": async (object, db) => {
    await db.update(savedPaymentMethods).set({ detachedAt: new Date() }).where(and(eq(savedPaymentMethods.processorMethodId, String(object.id)), isNull(savedPaymentMethods.detachedAt)));
  },
  // A new expiry or number from the card network: the saved method shows what will be charged.
  "payment_method.automatically_updated": async (object, db) => {
    const method = await (await getProcessor()).retrievePaymentMethod(String(object.id));
    const updated = await db
      .update(savedPaymentMethods)
      .set({ brand: method.brand, last4: method.last4, expMonth: method.expMonth, expYear: method.expYear })
      .where(eq(savedPaymentMethods.processorMethodId, method.id))
      .returning({ id: savedPaymentMethods.id });
    if (updated.length === 0) return "Not a saved payment method of ours";
  },
};

async function settleCurrentIntent(object: Record<string, unknown>, db: Db) {
  return settleProcessorIntent(await (await getProcessor()).retrievePaymentIntent(String(object.id)), actor, db);
}

async function settleChargeIntent(object: Record<string, unknown>, db: Db) {
  const intent = typeof object.payment_intent === "string" ? object.payment_intent : null;
  if (!intent) return "A charge without a PaymentIntent: not one of Settle's";
  await paymentForIntent(intent, actor, db);
}

async function currentRefund(object: Record<string, unknown>, db: Db) {
  return applyProcessorRefund(await (await getProcessor()).retrieveRefund(String(object.id)), actor, db);
}

async function currentDispute(object: Record<string, unknown>, db: Db) {
  return applyProcessorDispute(await (await getProcessor()).retrieveDispute(String(object.id)), actor, db);
}

async function currentPayout(object: Record<string, unknown>, db: Db) {
  return applyProcessorPayout(await (await getProcessor()).retrievePayout(String(object.id)), actor, db);
}

/** Applies one stored event; a failure is kept with its error and retried later with back-off. */
export async function processEvent(event: ProcessorEvent, db: Db = getDb()) {
  const handler = handlers[event.type];
  try {
    const note = handler ? await handler(((event.payload as { data?: { object?: Record<string, unknown> } }).data?.object ?? {}) as Record<string, unknown>, db) : "Not a type Settle acts on";
    await db.update(processorEvents).set({ processedAt: new Date(), attempts: event.attempts + 1, lastError: note ?? null, nextAttemptAt: null }).where(eq(processorEvents.id, event.id));
  } catch (error) {
    const attempts = event.attempts + 1;
    const delaySeconds = Math.min(6 * 3600, 15 * 2 ** attempts);
    await db
      .update(processorEvents)
      .set({ attempts, lastError: String((error as Error).message ?? error), nextAttemptAt: attempts >= MAX_ATTEMPTS ? null : new Date(Date.now() + delaySeconds * 1000) })
      .where(eq(processorEvents.id, event.id));
  }
}

/** How long a claimed event is left to the instance that claimed it before another may try it. */
export const EVENT_LEASE_MS = 60_000;

/**
 * The retry job: events whose next attempt is due, oldest first. Each batch is claimed (SKIP LOCKED,
 * then leased), so several instances share the work without applying one event twice at once.
 */
export async function retryDueEvents(db: Db = getDb(), now = new Date()) {
  const due = await db.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(processorEvents)
      .where(and(isNull(processorEvents.processedAt), lte(processorEvents.nextAttemptAt, now)))
      .orderBy(asc(processorEvents.occurredAt))
      .limit(100)
      .for("update", { skipLocked: true });
    if (rows.length > 0) await tx.update(processorEvents).set({ nextAttemptAt: new Date(now.getTime() + EVENT_LEASE_MS) }).where(inArray(processorEvents.id, rows.map((r) => r.id)));
    return rows;
  });
  for (const event of due) await processEvent(event, db);
  return due.length;
}

export type EventState = "processed" | "note" | "failing" | "given_up";

/** How an event stands, for staff: applied, applied with a note, failing (will retry), or given up. */
export function eventState(event: Pick<ProcessorEvent, "processedAt" | "lastError" | "nextAttemptAt">): EventState {
  if (event.processedAt) return event.lastError ? "note" : "processed";
  return event.nextAttemptAt ? "failing" : "given_up";
}

export const EVENT_PAGE_SIZE = 50;

/** The inbox, newest first; `problems` shows only events that failed or are still waiting. */
export async function listProcessorEvents({ problems = false, type, before }: { problems?: boolean; type?: string; before?: string } = {}, db: Db = getDb()) {
  return db
    .select({ id: processorEvents.id, type: processorEvents.type, objectId: processorEvents.objectId, occurredAt: processorEvents.occurredAt, receivedAt: processorEvents.receivedAt, processedAt: processorEvents.processedAt, attempts: processorEvents.attempts, nextAttemptAt: processorEvents.nextAttemptAt, lastError: processorEvents.lastError })
    .from(processorEvents)
    .where(and(problems ? isNull(processorEvents.processedAt) : undefined, type ? eq(processorEvents.type, type) : undefined, before ? lt(processorEvents.receivedAt, new Date(before)) : undefined))
    .orderBy(desc(processorEvents.receivedAt))
    .limit(EVENT_PAGE_SIZE);
}

export async function getProcessorEvent(id: string, db: Db = getDb()) {
  const [event] = await db.select().from(processorEvents).where(eq(processorEvents.id, id));
  return event ?? null;
}

/**
 * Applies a stored event again, now: safe for any event because every handler reads the object's
 * current state and books only what is missing. Staff use it after fixing what made it fail.
 */
export async function replayEvent(id: string, actor: Extract<Actor, { type: "staff" }>, db: Db = getDb()) {
  const event = await getProcessorEvent(id, db);
  if (!event) throw new DomainError("not_found", "Event not found");
  await db.update(processorEvents).set({ processedAt: null, attempts: 0 }).where(eq(processorEvents.id, id));
  await processEvent({ ...event, attempts: 0 }, db);
  const after = (await getProcessorEvent(id, db))!;
  await recordAudit({ actor, action: "processor_event.replay", entityType: "processor_event", entityId: null, after: { event: id, type: event.type, state: eventState(after), note: after.lastError } }, db);
  return after;
}
