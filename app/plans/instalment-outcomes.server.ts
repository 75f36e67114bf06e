import { and, eq, ne } from "drizzle-orm";
import { customers, paymentPlans, planInstalments, type PaymentAttempt } from "~db/schema";
import type { Db } from "~db/client";
import { recordAudit } from "~/audit/audit.server";
import { enqueueEmail } from "~/email/outbox.server";
import { formatMoney } from "~/money/money";
import { getCompanySettings, getPortalSettings } from "~/settings/settings.server";
import { addDays, today } from "~/utils/dates";
import { appUrl, getEnv } from "~/utils/env.server";

const system = { type: "system" as const, label: "payment plans" };

/** An instalment's charge succeeded: it is paid, and the plan is complete when none is left. */
export async function instalmentSucceeded(attempt: PaymentAttempt, db: Db) {
  const [instalment] = await db
    .update(planInstalments)
    .set({ status: "paid", paidMinor: attempt.amountMinor, paidAt: new Date(), claimedUntil: null, lastError: null, nextAttemptOn: null })
    .where(eq(planInstalments.id, attempt.planInstalmentId!))
    .returning();
  if (!instalment) return;
  const [unpaid] = await db.select({ id: planInstalments.id }).from(planInstalments).where(and(eq(planInstalments.planId, instalment.planId), ne(planInstalments.status, "paid"), ne(planInstalments.status, "canceled"))).limit(1);
  if (!unpaid) {
    await db.update(paymentPlans).set({ status: "completed", endedAt: new Date() }).where(and(eq(paymentPlans.id, instalment.planId), eq(paymentPlans.status, "active")));
    await recordAudit({ actor: system, action: "plan.complete", entityType: "payment_plan", entityId: instalment.planId, customerId: attempt.customerId }, db);
  }
}

/**
 * An instalment's charge failed: count it; below the policy's limit, try again in some days and
 * tell the customer; at the limit the plan defaults and its invoices return to collections.
 */
export async function instalmentFailed(attempt: PaymentAttempt, db: Db) {
  const [instalment] = await db.select().from(planInstalments).where(eq(planInstalments.id, attempt.planInstalmentId!)).for("update");
  if (!instalment || instalment.status === "paid") return;
  const policy = await getPortalSettings(db);
  const failures = instalment.failures + 1;
  const defaulted = failures >= policy.planMaxFailures;
  const retryOn = defaulted ? null : addDays(today(), policy.planRetryDays);
  await db
    .update(planInstalments)
    .set({ status: "failed", failures, nextAttemptOn: retryOn, claimedUntil: null, lastError: attempt.failureMessage })
    .where(eq(planInstalments.id, instalment.id));
  if (defaulted) {
    await db.update(paymentPlans).set({ status: "defaulted", endedAt: new Date() }).where(and(eq(paymentPlans.id, instalment.planId), eq(paymentPlans.status, "active")));
    await db.update(planInstalments).set({ status: "canceled", nextAttemptOn: null }).where(and(eq(planInstalments.planId, instalment.planId), eq(planInstalments.status, "scheduled")));
  }
  await recordAudit(
    { actor: system, action: defaulted ? "plan.default" : "plan.instalment_failed", entityType: "payment_plan", entityId: instalment.planId, customerId: attempt.customerId, after: { seq: instalment.seq, failures, reason: attempt.failureMessage, retryOn } },
    db,
  );
  const [customer] = await db.select().from(customers).where(eq(customers.id, attempt.customerId));
  if (!customer?.email) return;
  await enqueueEmail(
    {
      template: "instalment-failed",
      to: customer.email,
      dedupeKey: `instalment-failed:${instalment.id}:${failures}`,
      customerId: customer.id,
      metadata: { planId: instalment.planId, instalmentId: instalment.id },
      props: {
        brand: await getCompanySettings(db),
        customerName: customer.name,
        amount: formatMoney(instalment.amountMinor, attempt.currency),
        dueDate: instalment.dueDate,
        reason: attempt.failureMessage ?? "the payment was declined.",
        retryOn,
        payUrl: `${appUrl(getEnv())}/portal/plans`,
      },
    },
    db,
  );
}
