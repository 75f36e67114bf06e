import { and, asc, count, eq, gt, inArray, isNotNull, isNull, lt, lte, or, sql } from "drizzle-orm";
import { paymentAttempts, paymentPlans, planInstalments, planInvoices, savedPaymentMethods, type PaymentAttempt, type PlanInstalment } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit } from "~/audit/audit.server";
import type { StaffActor } from "~/ledger/actor";
import { refreshAttempt, startAttempt, type AttemptAllocation } from "~/payments/attempts.server";
import { payableInvoices } from "~/payments/payable.server";
import { getProcessor } from "~/payments/processor.server";
import { getPortalSettings } from "~/settings/settings.server";
import { addDays, today, type IsoDate } from "~/utils/dates";
import { DomainError } from "~/utils/errors";
import { completeIfSettled, defaultPlan } from "./instalment-outcomes.server";

const autopay = { type: "system" as const, label: "autopay" };
/** How long a worker owns an instalment it is charging; after a crash another worker takes it over. */
const CLAIM_LEASE = sql`now() + interval '10 minutes'`;
/** A customer paying an instalment by hand keeps autopay away from it this long. */
const BY_HAND_HOLD_MS = 60 * 60_000;
const UNFINISHED: PaymentAttempt["status"][] = ["created", "requires_action", "processing"];

/** What an instalment charges: up to what it still owes, over the plan's invoices still payable, oldest due first. */
async function instalmentAllocations(instalment: PlanInstalment, customerId: string, db: Db) {
  const covered = await db.select({ invoiceId: planInvoices.invoiceId }).from(planInvoices).where(eq(planInvoices.planId, instalment.planId));
  const payable = await payableInvoices(
    customerId,
    db,
    covered.map((c) => c.invoiceId),
  );
  let left = instalment.amountMinor - instalment.paidMinor;
  const allocations: AttemptAllocation[] = [];
  for (const invoice of payable) {
    const amountMinor = Math.min(left, invoice.payableMinor);
    if (amountMinor <= 0) continue;
    allocations.push({ invoiceId: invoice.id, amountMinor });
    left -= amountMinor;
  }
  return allocations;
}

/**
 * The customer pays an instalment now (by hand, or ahead of autopay): an attempt for what it owes,
 * paid on the pay page. A double click or a second tab gets the same attempt; a failed one is
 * followed by a new one.
 */
export async function startInstalmentPayment({ planId, instalmentId, customerId, portalUserId }: { planId: string; instalmentId: string; customerId: string; portalUserId: string }, db: Db = getDb()) {
  const [row] = await db
    .select({ instalment: planInstalments, planStatus: paymentPlans.status })
    .from(planInstalments)
    .innerJoin(paymentPlans, eq(paymentPlans.id, planInstalments.planId))
    .where(and(eq(planInstalments.id, instalmentId), eq(planInstalments.planId, planId), eq(paymentPlans.customerId, customerId)));
  if (!row) throw new DomainError("not_found", "Instalment not found");
  const { instalment } = row;
  if (instalment.status === "paid" || instalment.status === "canceled") throw new DomainError("conflict", `This instalment is ${instalment.status}`);
  if (instalment.status === "processing") throw new DomainError("conflict", "A payment of this instalment is on its way; it shows as paid when it clears");
  if (row.planStatus !== "active") throw new DomainError("conflict", "Only instalments of an active plan can be paid here");
  const [first] = await db
    .select({ seq: planInstalments.seq, dueDate: planInstalments.dueDate })
    .from(planInstalments)
    .where(and(eq(planInstalments.planId, planId), inArray(planInstalments.status, ["scheduled", "failed"])))
    .orderBy(asc(planInstalments.seq))
    .limit(1);
  if (first && first.seq !== instalment.seq) throw new DomainError("conflict", `Pay the instalment due ${first.dueDate} first`);
  if (instalment.claimedUntil && instalment.claimedUntil > new Date()) throw new DomainError("conflict", "Autopay is charging this instalment right now; refresh the page in a minute");
  const byHand = and(eq(paymentAttempts.planInstalmentId, instalment.id), isNotNull(paymentAttempts.portalUserId));
  const [unfinished] = await db
    .select()
    .from(paymentAttempts)
    .where(and(byHand, inArray(paymentAttempts.status, UNFINISHED)))
    .orderBy(asc(paymentAttempts.createdAt))
    .limit(1);
  // Another request may have made it a moment ago and still be creating its PaymentIntent.
  if (unfinished) return unfinished.processorIntentId ? unfinished : startAttempt({ customerId, allocations: unfinished.allocations, idempotencyKey: unfinished.idempotencyKey }, db);
  const allocations = await instalmentAllocations(instalment, customerId, db);
  if (allocations.length === 0) throw new DomainError("conflict", "Nothing is left to pay on this plan's invoices");
  // Numbered by the tries that failed before it, so two requests at once name the same attempt.
  const [{ tries }] = (await db
    .select({ tries: count() })
    .from(paymentAttempts)
    .where(and(byHand, inArray(paymentAttempts.status, ["failed", "canceled"])))) as [{ tries: number }];
  return startAttempt({ customerId, allocations, idempotencyKey: `instalment:${instalment.id}:hand:${tries}`, portalUserId, planInstalmentId: instalment.id }, db);
}

/** Active plans whose invoices were all settled another way complete, and their other instalments are canceled. */
async function completePlansPaidElsewhere(db: Db) {
  const candidates = await db
    .select({ id: paymentPlans.id })
    .from(paymentPlans)
    .where(and(eq(paymentPlans.status, "active"), sql`not exists (select 1 from plan_invoices pi join invoices v on v.id = pi.invoice_id where pi.plan_id = payment_plans.id and v.status = 'open')`));
  let completed = 0;
  for (const plan of candidates) if (await db.transaction((tx) => completeIfSettled(plan.id, tx))) completed += 1;
  return completed;
}

/**
 * A plan paid by hand defaults when an instalment stays unpaid as long as autopay would keep
 * retrying one (the policy's retries times their spacing), so a plan cannot hold off collections
 * for ever.
 */
async function defaultLapsedPlans(asOf: IsoDate, db: Db) {
  const { planMaxFailures, planRetryDays } = await getPortalSettings(db);
  const lapsedBefore = addDays(asOf, -planMaxFailures * planRetryDays);
  const lapsed = await db
    .selectDistinctOn([planInstalments.planId], { instalment: planInstalments })
    .from(planInstalments)
    .innerJoin(paymentPlans, eq(paymentPlans.id, planInstalments.planId))
    .leftJoin(
      savedPaymentMethods,
      and(eq(savedPaymentMethods.id, paymentPlans.paymentMethodId), eq(savedPaymentMethods.processor, (await getProcessor()).name), isNull(savedPaymentMethods.detachedAt)),
    )
    .where(
      and(eq(paymentPlans.status, "active"), or(eq(paymentPlans.autopay, false), isNull(savedPaymentMethods.id)), eq(planInstalments.status, "scheduled"), lt(planInstalments.dueDate, lapsedBefore)),
    )
    .orderBy(planInstalments.planId, asc(planInstalments.seq));
  for (const { instalment } of lapsed) {
    await db.transaction((tx) => defaultPlan(instalment, { reason: `it was not paid within ${planMaxFailures * planRetryDays} days of its due date.` }, tx));
  }
  return lapsed.length;
}

/**
 * Claims the autopay instalments due by `asOf` (scheduled ones on or after their date, failed ones
 * on their retry date) for this worker. The claim is one UPDATE, committed before anything is
 * charged: another worker, or this one's next run, skips a claimed instalment until its lease
 * runs out, which only happens if the claimer crashed.
 */
async function claimDueInstalments(asOf: IsoDate, db: Db) {
  const processor = (await getProcessor()).name;
  const unclaimed = or(isNull(planInstalments.claimedUntil), lt(planInstalments.claimedUntil, sql`now()`));
  const due = db
    .select({ id: planInstalments.id })
    .from(planInstalments)
    .innerJoin(paymentPlans, eq(paymentPlans.id, planInstalments.planId))
    .innerJoin(savedPaymentMethods, and(eq(savedPaymentMethods.id, paymentPlans.paymentMethodId), eq(savedPaymentMethods.processor, processor), isNull(savedPaymentMethods.detachedAt)))
    .where(
      and(
        eq(paymentPlans.status, "active"),
        eq(paymentPlans.autopay, true),
        or(and(eq(planInstalments.status, "scheduled"), lte(planInstalments.dueDate, asOf)), and(eq(planInstalments.status, "failed"), lte(planInstalments.nextAttemptOn, asOf))),
        unclaimed,
      ),
    )
    .orderBy(asc(planInstalments.dueDate), asc(planInstalments.seq))
    .limit(100)
    .for("update", { of: planInstalments, skipLocked: true });
  return db
    .update(planInstalments)
    .set({ claimedUntil: CLAIM_LEASE })
    .where(and(inArray(planInstalments.id, due), unclaimed))
    .returning();
}

type ChargeResult = "succeeded" | "failed" | "processing" | "skipped";

/** Charges one claimed instalment with the plan's saved method; the outcome reaches the plan through settleIntent. */
async function chargeInstalment(instalment: PlanInstalment, db: Db): Promise<ChargeResult> {
  const [plan] = await db.select().from(paymentPlans).where(eq(paymentPlans.id, instalment.planId));
  const release = (lastError: string) => db.update(planInstalments).set({ claimedUntil: null, lastError }).where(eq(planInstalments.id, instalment.id));
  const recentByHand = await db
    .select({ id: paymentAttempts.id })
    .from(paymentAttempts)
    .where(
      and(
        eq(paymentAttempts.planInstalmentId, instalment.id),
        isNotNull(paymentAttempts.portalUserId),
        inArray(paymentAttempts.status, UNFINISHED),
        gt(paymentAttempts.createdAt, new Date(Date.now() - BY_HAND_HOLD_MS)),
      ),
    )
    .limit(1);
  if (recentByHand.length > 0) {
    await release("The customer is paying this instalment by hand");
    return "skipped";
  }
  // The key is the instalment and its failures so far: after a crash the rerun finds the same
  // attempt (and the processor the same PaymentIntent), so nothing is charged twice.
  const idempotencyKey = `instalment:${instalment.id}:${instalment.failures}`;
  const [resumed] = await db.select({ id: paymentAttempts.id }).from(paymentAttempts).where(eq(paymentAttempts.idempotencyKey, idempotencyKey));
  const allocations = resumed ? [] : await instalmentAllocations(instalment, plan!.customerId, db);
  if (!resumed && allocations.length === 0) {
    if (await db.transaction((tx) => completeIfSettled(plan!.id, tx))) return "skipped";
    await release("Nothing on the plan's invoices can be charged now (the rest is disputed)");
    return "skipped";
  }
  let attempt = await startAttempt({ customerId: plan!.customerId, allocations, idempotencyKey, savedMethodId: plan!.paymentMethodId!, planInstalmentId: instalment.id }, db);
  // A run that crashed after the charge left the attempt unsettled: the processor's answer settles it now.
  if (attempt.status === "created") attempt = await refreshAttempt(attempt, autopay, db);
  if (attempt.status === "succeeded") return "succeeded";
  if (attempt.status === "failed" || attempt.status === "canceled") return "failed";
  if (attempt.status === "processing") {
    await db
      .update(planInstalments)
      .set({ status: "processing", claimedUntil: null, lastError: null })
      .where(and(eq(planInstalments.id, instalment.id), inArray(planInstalments.status, ["scheduled", "failed"])));
    return "processing";
  }
  await release("The bank asked the customer to confirm the payment");
  return "skipped";
}

export type ChargeRun = { asOf: IsoDate; charged: number; succeeded: number; failed: number; processing: number; skipped: number; errors: number; completed: number; defaulted: number };

/**
 * The autopay job: completes plans settled another way, defaults plans paid by hand that lapsed,
 * then charges every autopay instalment due by `asOf`, each exactly once however many workers run
 * it and whenever one crashes.
 */
export async function chargeDueInstalments(asOf: IsoDate = today(), db: Db = getDb()): Promise<ChargeRun> {
  const run: ChargeRun = { asOf, charged: 0, succeeded: 0, failed: 0, processing: 0, skipped: 0, errors: 0, completed: 0, defaulted: 0 };
  run.completed = await completePlansPaidElsewhere(db);
  run.defaulted = await defaultLapsedPlans(asOf, db);
  for (const instalment of await claimDueInstalments(asOf, db)) {
    try {
      const result = await chargeInstalment(instalment, db);
      run[result] += 1;
      if (result !== "skipped") run.charged += 1;
    } catch (error) {
      // Left claimed: the lease spaces out the next try; the processor being down is no failure of the customer's.
      run.errors += 1;
      await db
        .update(planInstalments)
        .set({ lastError: String((error as Error).message ?? error).slice(0, 500) })
        .where(eq(planInstalments.id, instalment.id));
      console.error(`[autopay] instalment ${instalment.id} could not be charged:`, error);
    }
  }
  return run;
}

/**
 * An admin's "charge due instalments now". Only the demo processor may run ahead of the calendar
 * (`asOf` later than today), so a demo or a browser test can walk through a schedule; real cards
 * are never charged before their date.
 */
export async function chargeDueInstalmentsNow({ asOf }: { asOf: IsoDate | null }, actor: StaffActor, db: Db = getDb()) {
  if (asOf !== null && asOf !== today()) {
    if ((await getProcessor()).name !== "demo") throw new DomainError("invalid", "A date other than today can only be used with the demo processor", "asOf");
    if (asOf < today()) throw new DomainError("invalid", "As of cannot be in the past", "asOf");
  }
  const run = await chargeDueInstalments(asOf ?? today(), db);
  await recordAudit({ actor, action: "plan.charge_run", entityType: "payment_plan", after: run }, db);
  return run;
}
