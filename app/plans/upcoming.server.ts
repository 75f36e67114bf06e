import { and, asc, eq, inArray } from "drizzle-orm";
import { paymentPlans, planInstalments } from "~db/schema";
import type { Db } from "~db/client";

/** The instalments still to pay on the customer's active plans, soonest first (the statement lists them). */
export async function upcomingInstalments(customerId: string, db: Db) {
  return db
    .select({ dueDate: planInstalments.dueDate, amountMinor: planInstalments.amountMinor })
    .from(planInstalments)
    .innerJoin(paymentPlans, eq(paymentPlans.id, planInstalments.planId))
    .where(and(eq(paymentPlans.customerId, customerId), eq(paymentPlans.status, "active"), inArray(planInstalments.status, ["scheduled", "failed", "processing"])))
    .orderBy(asc(planInstalments.dueDate), asc(planInstalments.seq))
    .limit(24);
}
