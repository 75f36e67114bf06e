import { and, eq, inArray, sql } from "drizzle-orm";
import { customers, paymentPlans, planInstalments, type PaymentAttempt, type PlanInstalment } from "~db/schema";
import type { Db } from "~db/client";
import { recordAudit } from "~/audit/audit.server";
import { recipientsFor } from "~/customers/recipients.server";
import { enqueueEmail } from "~/email/outbox.server";
import { formatMoney } from "~/money/money";
import { getCompanySettings, getPortalSettings } from "~/settings/settings.server";
import { addDays, maxDate, today } from "~/utils/dates";
import { appUrl } from "~/utils/env.server";

const system = { type: "system" as const, label: "payment plans" };

/** An instalment's charge succeeded: it is paid, and the plan completes when nothing is left to pay. */
export async function instalmentSucceeded(attempt: PaymentAttempt, db: Db) {
  const [instalment] = await db
    .update(planInstalments)
    .set({ status: "paid", paidMinor: sql`least(${planInstalments.amountMinor}, ${attempt.amountMinor})`, paidAt: new Date(), claimedUntil: null, lastError: null, nextAttemptOn: null })
    .where(eq(planInstalments.id, attempt.planInstalmentId!))
    .returning();
  if (!instalment) return;
  await recordAudit(
    {
      actor: system,
      action: "plan.instalment_paid",
      entityType: "payment_plan",
      entityId: instalment.planId,
      customerId: attempt.customerId,
      after: { seq: instalment.seq, amountMinor: attempt.amountMinor, currency: attempt.currency, attemptId: attempt.id },
    },
    db,
  );
  await completeIfSettled(instalment.planId, db);
}

/**
 * Completes an active plan when every instalment is paid, or when its invoices were settled some
 * other way (the instalments left are canceled). Returns whether it completed.
 */
export async function completeIfSettled(planId: string, db: Db) {
  const [state] = await db
    .select({
      customerId: paymentPlans.customerId,
      // Raw column names: drizzle leaves columns of a single-table query unqualified, which a subquery would capture.
      unpaid: sql<number>`(select count(*) from plan_instalments i where i.plan_id = payment_plans.id and i.status in ('scheduled', 'failed', 'processing'))`.mapWith(Number),
      processing: sql<number>`(select count(*) from plan_instalments i where i.plan_id = payment_plans.id and i.status = 'processing')`.mapWith(Number),
      openInvoices: sql<number>`(select count(*) from plan_invoices pi join invoices v on v.id = pi.invoice_id where pi.plan_id = payment_plans.id and v.status = 'open')`.mapWith(Number),
    })
    .from(paymentPlans)
    .where(and(eq(paymentPlans.id, planId), eq(paymentPlans.status, "active")));
  // A bank debit still on its way decides later, when it settles or fails.
  if (!state || state.processing > 0 || (state.unpaid > 0 && state.openInvoices > 0)) return false;
  await db
    .update(planInstalments)
    .set({ status: "canceled", nextAttemptOn: null, claimedUntil: null })
    .where(and(eq(planInstalments.planId, planId), inArray(planInstalments.status, ["scheduled", "failed"])));
  await db.update(paymentPlans).set({ status: "completed", endedAt: new Date() }).where(eq(paymentPlans.id, planId));
  await recordAudit({ actor: system, action: "plan.complete", entityType: "payment_plan", entityId: planId, customerId: state.customerId, after: { settledElsewhere: state.unpaid > 0 } }, db);
  return true;
}

/**
 * An automatic charge of an instalment failed: count it; below the policy's limit, try again some
 * days after this try and tell the customer; at the limit the plan defaults and its invoices
 * return to collections. A customer paying by hand saw the decline on the page: that is no failure
 * of the plan.
 */
export async function instalmentFailed(attempt: PaymentAttempt, db: Db) {
  if (attempt.portalUserId) return;
  const [instalment] = await db.select().from(planInstalments).where(eq(planInstalments.id, attempt.planInstalmentId!)).for("update");
  if (!instalment || instalment.status === "paid" || instalment.status === "canceled") return;
  const policy = await getPortalSettings(db);
  const failures = instalment.failures + 1;
  const defaulted = failures >= policy.planMaxFailures;
  // Counted from the try that failed, so a schedule run ahead of time (the demo's "as of") keeps its spacing.
  const retryOn = defaulted ? null : addDays(maxDate(today(), instalment.nextAttemptOn ?? instalment.dueDate), policy.planRetryDays);
  await db.update(planInstalments).set({ status: "failed", failures, nextAttemptOn: retryOn, claimedUntil: null, lastError: attempt.failureMessage }).where(eq(planInstalments.id, instalment.id));
  await recordAudit(
    {
      actor: system,
      action: "plan.instalment_failed",
      entityType: "payment_plan",
      entityId: instalment.planId,
      customerId: attempt.customerId,
      after: { seq: instalment.seq, failures, reason: attempt.failureMessage, retryOn },
    },
    db,
  );
  if (defaulted) await defaultPlan(instalment, { reason: attempt.failureMessage ?? "the payment was declined." }, db);
  else await emailInstalmentProblem(instalment, { reason: attempt.failureMessage ?? "the payment was declined.", retryOn, failures }, db);
}

/** The plan is not kept: it ends as defaulted, its scheduled instalments are canceled, and the customer is told. */
export async function defaultPlan(instalment: PlanInstalment, { reason }: { reason: string }, db: Db) {
  const [plan] = await db
    .update(paymentPlans)
    .set({ status: "defaulted", endedAt: new Date() })
    .where(and(eq(paymentPlans.id, instalment.planId), eq(paymentPlans.status, "active")))
    .returning();
  if (!plan) return;
  await db
    .update(planInstalments)
    .set({ status: "canceled", nextAttemptOn: null, claimedUntil: null })
    .where(and(eq(planInstalments.planId, plan.id), eq(planInstalments.status, "scheduled")));
  await db
    .update(planInstalments)
    .set({ nextAttemptOn: null, claimedUntil: null })
    .where(and(eq(planInstalments.planId, plan.id), eq(planInstalments.status, "failed")));
  await recordAudit({ actor: system, action: "plan.default", entityType: "payment_plan", entityId: plan.id, customerId: plan.customerId, after: { seq: instalment.seq, reason } }, db);
  await emailInstalmentProblem(instalment, { reason, retryOn: null, failures: instalment.failures + 1 }, db);
}

async function emailInstalmentProblem(instalment: PlanInstalment, { reason, retryOn, failures }: { reason: string; retryOn: string | null; failures: number }, db: Db) {
  const [row] = await db
    .select({ customer: customers, currency: paymentPlans.currency })
    .from(paymentPlans)
    .innerJoin(customers, eq(customers.id, paymentPlans.customerId))
    .where(eq(paymentPlans.id, instalment.planId));
  if (!row) return;
  for (const to of await recipientsFor(row.customer.id, "reminders", db)) {
    await enqueueEmail(
      {
        template: "instalment-failed",
        to,
        dedupeKey: `instalment-failed:${instalment.id}:${retryOn ? failures : "default"}:${to}`,
        customerId: row.customer.id,
        metadata: { planId: instalment.planId, instalmentId: instalment.id },
        props: {
          brand: await getCompanySettings(db),
          customerName: row.customer.name,
          amount: formatMoney(instalment.amountMinor, row.currency),
          dueDate: instalment.dueDate,
          reason,
          retryOn,
          payUrl: `${appUrl()}/portal/plans/${instalment.planId}`,
        },
      },
      db,
    );
  }
}
