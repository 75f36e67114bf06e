import { and, asc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import { customers, payments, promisesToPay, type PromiseToPay } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import { formatMoney } from "~/money/money";
import { payableInvoices } from "~/payments/payable.server";
import { addDays, today, type IsoDate } from "~/utils/dates";
import { DomainError } from "~/utils/errors";
import { createTask, ensureAccount } from "./tasks.server";

export const PROMISE_MAX_DAYS = 90;

export type NewPromise = { customerId: string; amountMinor: number; promisedOn: IsoDate; note?: string | null; /** The instant to treat as now (simulated clocks). */ now?: Date };

/**
 * Records a promise to pay (by a clerk, or by the customer in the portal). It must be for a
 * day from today to 90 days on, and for no more than the customer can pay now.
 */
export async function recordPromise(input: NewPromise, actor: Actor, db: Db = getDb()): Promise<PromiseToPay> {
  return db.transaction(async (tx) => {
    const [customer] = await tx.select({ id: customers.id, currency: customers.currency, timeZone: customers.timeZone }).from(customers).where(eq(customers.id, input.customerId));
    if (!customer) throw new DomainError("not_found", "No such customer");
    const madeOn = today(customer.timeZone, input.now);
    if (input.promisedOn < madeOn) throw new DomainError("invalid", `The promised date cannot be in the past (today is ${madeOn})`, "promisedOn");
    if (input.promisedOn > addDays(madeOn, PROMISE_MAX_DAYS)) throw new DomainError("invalid", `The promised date must be within ${PROMISE_MAX_DAYS} days`, "promisedOn");
    if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0) throw new DomainError("invalid", "The promised amount must be more than zero", "amount");
    const payable = (await payableInvoices(customer.id, tx)).reduce((sum, i) => sum + i.payableMinor, 0);
    const alreadyPromised = await openPromisedMinor(customer.id, tx);
    if (input.amountMinor > payable - alreadyPromised) {
      const room = Math.max(0, payable - alreadyPromised);
      throw new DomainError("invalid", `The promised amount cannot be more than the balance not yet promised (${formatMoney(room, customer.currency)})`, "amount");
    }
    const [promise] = await tx
      .insert(promisesToPay)
      .values({
        customerId: customer.id,
        currency: customer.currency,
        amountMinor: input.amountMinor,
        promisedOn: input.promisedOn,
        madeOn,
        source: actor.type === "portal" ? "portal" : "staff",
        note: input.note ?? null,
        staffId: actor.type === "staff" ? actor.id : null,
        portalUserId: actor.type === "portal" ? actor.id : null,
      })
      .returning();
    await ensureAccount(customer.id, tx);
    await recordAudit({ actor, action: "collections.promise", entityType: "promise_to_pay", entityId: promise!.id, customerId: customer.id, after: { amountMinor: input.amountMinor, promisedOn: input.promisedOn, source: promise!.source } }, tx);
    return promise!;
  });
}

export async function cancelPromise({ promiseId, customerId, note }: { promiseId: string; customerId: string; note: string }, actor: Actor, db: Db = getDb()) {
  return db.transaction(async (tx) => {
    const [promise] = await tx.select().from(promisesToPay).where(and(eq(promisesToPay.id, promiseId), eq(promisesToPay.customerId, customerId))).for("update");
    if (!promise) throw new DomainError("not_found", "No such promise");
    if (promise.status !== "open") throw new DomainError("conflict", `This promise is already ${promise.status}`);
    await tx.update(promisesToPay).set({ status: "canceled", resolvedAt: new Date() }).where(eq(promisesToPay.id, promiseId));
    await recordAudit({ actor, action: "collections.promise_cancel", entityType: "promise_to_pay", entityId: promiseId, customerId, before: { status: "open" }, after: { status: "canceled", note } }, tx);
  });
}

async function openPromisedMinor(customerId: string, db: Db) {
  const [row] = await db
    .select({ total: sql<string>`coalesce(sum(${promisesToPay.amountMinor}), 0)` })
    .from(promisesToPay)
    .where(and(eq(promisesToPay.customerId, customerId), eq(promisesToPay.status, "open")));
  return Number(row?.total ?? 0);
}

/** Open promises of these customers (what pauses dunning), oldest promised day first. */
export async function openPromises(customerIds: string[], db: Db = getDb()) {
  if (customerIds.length === 0) return [];
  return db
    .select()
    .from(promisesToPay)
    .where(and(inArray(promisesToPay.customerId, customerIds), eq(promisesToPay.status, "open")))
    .orderBy(asc(promisesToPay.promisedOn));
}

export async function listPromises(customerId: string, db: Db = getDb()) {
  return db.select().from(promisesToPay).where(eq(promisesToPay.customerId, customerId)).orderBy(sql`${promisesToPay.createdAt} desc`).limit(50);
}

/**
 * Settles one open promise whose day has passed (the customer's `asOf` is after it): kept if
 * the money received from the day it was made reached the amount, else broken, which opens a
 * follow-up task for the account's collector. Payments count towards one promise at a time,
 * oldest promise first. Safe to run again: a settled promise is left alone.
 */
export async function settlePromise(promise: PromiseToPay, asOf: IsoDate, actor: Actor, db: Db) {
  return db.transaction(async (tx) => {
    const [locked] = await tx.select().from(promisesToPay).where(eq(promisesToPay.id, promise.id)).for("update");
    if (!locked || locked.status !== "open" || locked.promisedOn >= asOf) return null;
    const [received] = await tx
      .select({ total: sql<string>`coalesce(sum(${payments.amountMinor}), 0)` })
      .from(payments)
      .where(and(eq(payments.customerId, locked.customerId), eq(payments.status, "received"), gte(payments.receivedOn, locked.madeOn), lt(payments.receivedOn, asOf)));
    const [earlier] = await tx
      .select({ total: sql<string>`coalesce(sum(${promisesToPay.receivedMinor}), 0)` })
      .from(promisesToPay)
      .where(and(eq(promisesToPay.customerId, locked.customerId), eq(promisesToPay.status, "kept"), gte(promisesToPay.promisedOn, locked.madeOn)));
    const towards = Math.max(0, Number(received?.total ?? 0) - Number(earlier?.total ?? 0));
    const kept = towards >= locked.amountMinor;
    let followUpTaskId: string | null = null;
    if (!kept) {
      const task = await createTask(
        {
          customerId: locked.customerId,
          kind: "promise_broken",
          title: `Promise to pay ${formatMoney(locked.amountMinor, locked.currency)} by ${locked.promisedOn} was broken${towards > 0 ? ` (${formatMoney(towards, locked.currency)} came in)` : ""}`,
          dueOn: asOf,
          sourceKey: `promise-broken:${locked.id}`,
        },
        actor,
        tx,
      );
      followUpTaskId = task?.id ?? null;
    }
    await tx
      .update(promisesToPay)
      .set({ status: kept ? "kept" : "broken", receivedMinor: Math.min(towards, locked.amountMinor), resolvedAt: new Date(), followUpTaskId })
      .where(eq(promisesToPay.id, locked.id));
    await recordAudit({ actor, action: kept ? "collections.promise_kept" : "collections.promise_broken", entityType: "promise_to_pay", entityId: locked.id, customerId: locked.customerId, before: { status: "open" }, after: { status: kept ? "kept" : "broken", receivedMinor: towards } }, tx);
    return kept ? "kept" : "broken";
  });
}
