import { and, eq, lt, sql } from "drizzle-orm";
import { customerBalances, customers, invoices, type CreditHold } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { formatMoney } from "~/money/money";
import { riskGradesOf } from "~/reports/behaviour.server";
import { mainReason, riskGradeLabels, type RiskGrade } from "~/reports/risk";
import { daysBetween, today, type IsoDate } from "~/utils/dates";
import { activeHolds } from "./holds.server";

export type CreditDecision = "ok" | "over_limit" | "on_hold";

export type CreditStanding = {
  customerId: string;
  currency: string;
  /** The customer's own day the figures are for. */
  asOf: IsoDate;
  creditLimitMinor: number | null;
  /** What the customer owes now: open invoices less unapplied cash and credits (may be negative). */
  balanceMinor: number;
  /** Orders placed but not yet invoiced. Settle does not hold orders, so this is always 0. */
  openOrdersMinor: 0;
  /** Limit less balance, never below zero; null without a limit. */
  availableMinor: number | null;
  /** Open on invoices past their due date (disputed amounts included: they are still unpaid). */
  overdueMinor: number;
  oldestOverdueDays: number;
  onHold: boolean;
  /** Newest first; `sinceOn` is the customer's day it was placed. */
  holds: { reason: string; source: CreditHold["source"]; since: Date; sinceOn: IsoDate }[];
  /** The order the caller asked about, if any. */
  orderAmountMinor: number | null;
  decision: CreditDecision;
  /** Why, in words, most important first. */
  reasons: string[];
  /**
   * The customer's risk grade from their payment behaviour (app/reports/risk.ts), A to E, and its
   * reasons; null until the nightly refresh has graded them. It informs, it does not decide: a
   * poor grade is for whoever reads the standing to weigh (a policy step places holds).
   */
  riskGrade: RiskGrade | null;
  riskReasons: string[];
};

/**
 * Whether the business should extend more credit to a customer: on hold → "on_hold"; with a
 * limit, a balance (plus the order asked about) above it → "over_limit"; else "ok". Overdue
 * amounts do not decide by themselves: a policy step puts an account on hold when they should.
 */
export async function creditStanding(
  customerId: string,
  { orderAmountMinor = null, asOf }: { orderAmountMinor?: number | null; asOf?: IsoDate } = {},
  db: Db = getDb(),
): Promise<CreditStanding | null> {
  const [row] = await db
    .select({
      currency: customers.currency,
      timeZone: customers.timeZone,
      creditLimitMinor: customers.creditLimitMinor,
      creditHold: customers.creditHold,
      balanceMinor: customerBalances.balanceMinor,
    })
    .from(customers)
    .leftJoin(customerBalances, eq(customerBalances.customerId, customers.id))
    .where(eq(customers.id, customerId));
  if (!row) return null;
  const day = asOf ?? today(row.timeZone);
  const [[overdue], holds, grades] = await Promise.all([
    db
      .select({ totalMinor: sql<string>`coalesce(sum(${invoices.openMinor}), 0)`, oldestDueDate: sql<string | null>`min(${invoices.dueDate})::text` })
      .from(invoices)
      .where(and(eq(invoices.customerId, customerId), eq(invoices.status, "open"), lt(invoices.dueDate, day))),
    activeHolds(customerId, db),
    riskGradesOf([customerId], db),
  ]);
  const { currency } = row;
  const money = (minor: number) => formatMoney(minor, currency);
  const limit = row.creditLimitMinor;
  const balanceMinor = row.balanceMinor ?? 0;
  const overdueMinor = Number(overdue?.totalMinor ?? 0);
  const oldestOverdueDays = overdue?.oldestDueDate ? daysBetween(overdue.oldestDueDate, day) : 0;
  const order = orderAmountMinor ?? 0;
  const onHold = row.creditHold || holds.length > 0;
  const overLimit = limit !== null && balanceMinor + order > limit;

  const reasons: string[] = [];
  const held = holds.map((hold) => ({ reason: hold.reason, source: hold.source, since: hold.placedAt, sinceOn: today(row.timeZone, hold.placedAt) }));
  for (const hold of held) reasons.push(`On credit hold since ${hold.sinceOn}: ${hold.reason}`);
  // Accounts put on hold before holds carried their reasons have the flag alone.
  if (onHold && holds.length === 0) reasons.push("On credit hold (no reason was recorded)");
  if (limit === null) reasons.push("No credit limit is set");
  else if (overLimit) {
    reasons.push(
      orderAmountMinor === null
        ? `Balance ${money(balanceMinor)} is over the ${money(limit)} credit limit`
        : `Balance ${money(balanceMinor)} and this order of ${money(order)} come to ${money(balanceMinor + order)}, over the ${money(limit)} credit limit`,
    );
  } else {
    reasons.push(
      orderAmountMinor === null
        ? `Balance ${money(balanceMinor)} is within the ${money(limit)} credit limit`
        : `Balance ${money(balanceMinor)} and this order of ${money(order)} come to ${money(balanceMinor + order)}, within the ${money(limit)} credit limit`,
    );
  }
  if (overdueMinor > 0) reasons.push(`${money(overdueMinor)} is overdue, the oldest by ${oldestOverdueDays} day${oldestOverdueDays === 1 ? "" : "s"}`);
  const risk = grades.get(customerId) ?? null;
  if (risk) {
    const why = mainReason(risk.reasons);
    reasons.push(`Risk grade ${risk.grade} (${riskGradeLabels[risk.grade]})${why ? `: ${why}` : ""}`);
  }

  return {
    customerId,
    currency,
    asOf: day,
    creditLimitMinor: limit,
    balanceMinor,
    openOrdersMinor: 0,
    availableMinor: limit === null ? null : Math.max(0, limit - balanceMinor),
    overdueMinor,
    oldestOverdueDays,
    onHold,
    holds: held,
    orderAmountMinor,
    decision: onHold ? "on_hold" : overLimit ? "over_limit" : "ok",
    reasons,
    riskGrade: risk?.grade ?? null,
    riskReasons: risk?.reasons ?? [],
  };
}

/**
 * A hold as the customer reads it in the portal. A clerk's reason is written for colleagues, so
 * the customer sees only what kind of hold it is, never the note itself.
 */
export function holdForCustomer(source: CreditHold["source"] | null): string {
  return source === "policy"
    ? "Some of your invoices are well past their due date. Pay what is overdue, or tell us when you will, and we will look at lifting it."
    : "Our accounts team placed this hold. Please get in touch with us to talk about it.";
}
