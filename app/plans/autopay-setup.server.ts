import { and, eq, inArray } from "drizzle-orm";
import { paymentPlans } from "~db/schema";
import { getDb, type Db } from "~db/client";
import type { Actor } from "~/audit/audit.server";
import { processorCustomer, rememberMethod } from "~/payments/attempts.server";
import { DemoCardError, demoProcessor } from "~/payments/demo-processor.server";
import { getProcessor } from "~/payments/processor.server";
import { DomainError } from "~/utils/errors";
import { LIVE_PLAN_STATUSES, setPlanAutopay, type PlanRequester } from "./plans.server";

async function livePlan(planId: string, customerId: string, db: Db) {
  const [plan] = await db
    .select()
    .from(paymentPlans)
    .where(and(eq(paymentPlans.id, planId), eq(paymentPlans.customerId, customerId), inArray(paymentPlans.status, [...LIVE_PLAN_STATUSES])));
  if (!plan) throw new DomainError("not_found", "Payment plan not found");
  return plan;
}

/**
 * A SetupIntent to save a card for the plan's autopay, keyed by the page so a reload of the same
 * page reuses it. Its metadata names the plan, so its success can only ever be applied to it.
 */
export async function startPlanSetup({ planId, customerId, pageKey }: { planId: string; customerId: string; pageKey: string }, db: Db = getDb()) {
  await livePlan(planId, customerId, db);
  const processor = await getProcessor();
  return processor.createSetupIntent({
    customer: await processorCustomer(customerId, db),
    metadata: { settle_customer_id: customerId, settle_plan_id: planId },
    idempotencyKey: `plan-setup:${planId}:${pageKey}`,
  });
}

/** A confirmed SetupIntent (the return from Stripe, its webhook, or the demo form): its method becomes the plan's autopay method. */
export async function completePlanSetup({ planId, customerId, setupIntentId }: { planId: string; customerId: string; setupIntentId: string }, actor: Actor, db: Db = getDb()) {
  const setup = await (await getProcessor()).retrieveSetupIntent(setupIntentId).catch(() => null);
  if (!setup || setup.metadata.settle_plan_id !== planId || setup.metadata.settle_customer_id !== customerId) throw new DomainError("not_found", "Card setup not found");
  if (setup.status !== "succeeded" || !setup.paymentMethod) throw new DomainError("invalid", "The card was not saved; try again or use another card", "card");
  const method = await rememberMethod(customerId, setup.paymentMethod, db);
  return setPlanAutopay({ planId, customerId, savedMethodId: method.id }, actor, db);
}

/** The demo processor's "save a card" form: set up, confirm with the test card, and turn autopay on with it. */
export async function saveDemoCardForPlan(
  { planId, customerId, pageKey, cardNumber }: { planId: string; customerId: string; pageKey: string; cardNumber: string },
  actor: PlanRequester,
  db: Db = getDb(),
) {
  if ((await getProcessor()).name !== "demo") throw new DomainError("invalid", "Cards are saved with the processor's own form", "cardNumber");
  const setup = await startPlanSetup({ planId, customerId, pageKey }, db);
  try {
    await demoProcessor.confirmSetup(setup.id, cardNumber, db);
  } catch (error) {
    if (error instanceof DemoCardError) throw new DomainError("invalid", error.message, "cardNumber");
    throw error;
  }
  return completePlanSetup({ planId, customerId, setupIntentId: setup.id }, actor, db);
}
