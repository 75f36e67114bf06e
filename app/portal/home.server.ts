import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { customerBalances, paymentPlans, planInstalments } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { creditStanding, holdForCustomer } from "~/collections/credit.server";
import { openPromises } from "~/collections/promises.server";
import { sumMinor } from "~/money/money";
import { payableInvoices } from "~/payments/payable.server";
import { today, type IsoDate } from "~/utils/dates";

/**
 * The figures on the portal's home page. "Due now" and "overdue" are what the customer can pay:
 * an amount they dispute is on hold and counted apart, never as due.
 */
export async function portalOverview(customerId: string, asOf: IsoDate = today(), db: Db = getDb()) {
  const [[totals], open, [plan], [nextInstalment]] = await Promise.all([
    db.select().from(customerBalances).where(eq(customerBalances.customerId, customerId)),
    payableInvoices(customerId, db),
    db
      .select({ id: paymentPlans.id, status: paymentPlans.status })
      .from(paymentPlans)
      .where(and(eq(paymentPlans.customerId, customerId), inArray(paymentPlans.status, ["active", "pending_approval"])))
      .orderBy(asc(paymentPlans.createdAt))
      .limit(1),
    db
      .select({ planId: paymentPlans.id, dueDate: planInstalments.dueDate, nextAttemptOn: planInstalments.nextAttemptOn, amountMinor: sql<number>`${planInstalments.amountMinor} - ${planInstalments.paidMinor}`.mapWith(Number), autopay: paymentPlans.autopay })
      .from(planInstalments)
      .innerJoin(paymentPlans, eq(paymentPlans.id, planInstalments.planId))
      .where(and(eq(paymentPlans.customerId, customerId), eq(paymentPlans.status, "active"), inArray(planInstalments.status, ["scheduled", "failed", "processing"])))
      .orderBy(asc(sql`coalesce(${planInstalments.nextAttemptOn}, ${planInstalments.dueDate})`), asc(planInstalments.seq))
      .limit(1),
  ]);
  const dueNow = open.filter((invoice) => invoice.dueDate !== null && invoice.dueDate <= asOf && invoice.payableMinor > 0);
  const overdue = dueNow.filter((invoice) => invoice.dueDate! < asOf);
  const nextDue = open.find((invoice) => invoice.dueDate !== null && invoice.dueDate > asOf && invoice.payableMinor > 0);
  const onHold = open.filter((invoice) => invoice.openMinor > invoice.payableMinor);
  return {
    balanceMinor: totals?.balanceMinor ?? 0,
    unappliedMinor: totals?.unappliedMinor ?? 0,
    openInvoiceCount: open.length,
    dueNowMinor: sumMinor(dueNow.map((invoice) => invoice.payableMinor)),
    dueNowCount: dueNow.length,
    dueNowInvoices: dueNow.slice(0, 5).map((invoice) => ({ id: invoice.id, number: invoice.number ?? "", dueDate: invoice.dueDate!, payableMinor: invoice.payableMinor, overdue: invoice.dueDate! < asOf })),
    overdueMinor: sumMinor(overdue.map((invoice) => invoice.payableMinor)),
    overdueCount: overdue.length,
    onHoldMinor: sumMinor(onHold.map((invoice) => invoice.openMinor - invoice.payableMinor)),
    onHoldCount: onHold.length,
    payableMinor: sumMinor(open.map((invoice) => invoice.payableMinor)),
    // payableInvoices comes oldest due first, so the first one due later is the next one due.
    nextDue: nextDue ? { id: nextDue.id, number: nextDue.number ?? "", dueDate: nextDue.dueDate!, payableMinor: nextDue.payableMinor } : null,
    plan: plan ?? null,
    nextInstalment: nextInstalment ? { planId: nextInstalment.planId, date: nextInstalment.nextAttemptOn ?? nextInstalment.dueDate, amountMinor: nextInstalment.amountMinor, autopay: nextInstalment.autopay } : null,
  };
}

/**
 * "Your standing" on the portal's home page: the credit limit and what is left of it, a hold in
 * words meant for the customer (never a clerk's note), and the promises to pay still open.
 */
export async function portalStanding(customerId: string, db: Db = getDb()) {
  const [standing, promises] = await Promise.all([creditStanding(customerId, {}, db), openPromises([customerId], db)]);
  if (!standing) return null;
  // The oldest active hold is when the account went on hold.
  const first = standing.holds.at(-1) ?? null;
  return {
    creditLimitMinor: standing.creditLimitMinor,
    availableMinor: standing.availableMinor,
    onHold: standing.onHold,
    holdSince: first?.sinceOn ?? null,
    holdWords: standing.onHold ? holdForCustomer(standing.holds.some((hold) => hold.source === "policy") ? "policy" : first ? "manual" : null) : null,
    promises: promises.map((promise) => ({ id: promise.id, amountMinor: promise.amountMinor, promisedOn: promise.promisedOn })),
  };
}
