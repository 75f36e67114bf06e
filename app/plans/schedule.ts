import { currencyExponent, formatMoney, splitEvenly } from "~/money/money";
import type { PortalSettings } from "~/settings/settings.server";
import { addDays, addMonths, type IsoDate } from "~/utils/dates";

/**
 * A payment plan's terms, schedule and policy, as pure functions: the server decides with them and
 * the plan form previews with the very same code, so what the customer sees is what is created.
 */

export const planFrequencies = ["weekly", "biweekly", "monthly"] as const;
export type PlanFrequency = (typeof planFrequencies)[number];
export const frequencyLabels: Record<PlanFrequency, string> = { weekly: "Every week", biweekly: "Every two weeks", monthly: "Every month" };

/** Outside these a plan is refused outright; inside them but outside the policy, staff decide. */
export const PLAN_LIMITS = { minInstalments: 2, maxInstalments: 60, maxMonths: 60 } as const;

export type PlanTerms = {
  totalMinor: number;
  instalmentCount: number;
  frequency: PlanFrequency;
  firstDate: IsoDate;
  /** A larger first payment; the rest is split evenly over the other instalments. */
  firstAmountMinor: number | null;
};

export type ScheduledInstalment = { seq: number; dueDate: IsoDate; amountMinor: number };

/** Counted from the first date each time, so monthly dates keep their day (31st -> 30th -> 31st). */
export function instalmentDate(firstDate: IsoDate, frequency: PlanFrequency, index: number): IsoDate {
  if (frequency === "monthly") return addMonths(firstDate, index);
  return addDays(firstDate, index * (frequency === "weekly" ? 7 : 14));
}

/** Amounts sum to the total exactly (splitEvenly puts the remainder first). */
export function buildSchedule(terms: PlanTerms): ScheduledInstalment[] {
  const { totalMinor, instalmentCount, firstAmountMinor } = terms;
  const amounts = firstAmountMinor === null ? splitEvenly(totalMinor, instalmentCount) : [firstAmountMinor, ...splitEvenly(totalMinor - firstAmountMinor, instalmentCount - 1)];
  return amounts.map((amountMinor, i) => ({ seq: i + 1, dueDate: instalmentDate(terms.firstDate, terms.frequency, i), amountMinor }));
}

/** What makes a plan impossible, whoever would approve it: the field and the message, or null. */
export function termsProblem(terms: PlanTerms, currency: string, today: IsoDate): { field: string; message: string } | null {
  const { totalMinor, instalmentCount: n, firstAmountMinor: first } = terms;
  if (!Number.isInteger(n) || n < PLAN_LIMITS.minInstalments) return { field: "instalmentCount", message: `A plan has at least ${PLAN_LIMITS.minInstalments} instalments` };
  if (n > PLAN_LIMITS.maxInstalments) return { field: "instalmentCount", message: `A plan has at most ${PLAN_LIMITS.maxInstalments} instalments` };
  if (terms.firstDate < today) return { field: "firstDate", message: "The first payment date cannot be in the past" };
  const last = instalmentDate(terms.firstDate, terms.frequency, n - 1);
  if (last > addMonths(today, PLAN_LIMITS.maxMonths)) return { field: "firstDate", message: `A plan must end within ${PLAN_LIMITS.maxMonths / 12} years; the last instalment would be on ${last}` };
  if (!Number.isSafeInteger(totalMinor) || totalMinor < n) return { field: "invoices", message: `The invoices chosen are too small to split into ${n} instalments` };
  if (first !== null) {
    if (!Number.isSafeInteger(first) || first <= 0) return { field: "firstAmount", message: "First payment must be more than zero" };
    if (totalMinor - first < n - 1) return { field: "firstAmount", message: `First payment must leave something for the other ${n - 1} instalments (less than ${formatMoney(totalMinor, currency)})` };
  }
  return null;
}

export type PlanPolicy = Pick<PortalSettings, "planMaxInstalments" | "planMaxMonths" | "planMinFirstPercent" | "planMaxTotal">;
/** The customer's other plans: an active one or a defaulted one means a person decides. */
export type PlanStanding = { activePlan: boolean; defaultedPlan: boolean };

/** Why a plan needs a person's approval, in words the customer and staff both read; empty inside the policy. */
export function policyBreaches({ terms, currency, policy, standing, today }: { terms: PlanTerms; currency: string; policy: PlanPolicy; standing: PlanStanding; today: IsoDate }): string[] {
  const schedule = buildSchedule(terms);
  const money = (minor: number) => formatMoney(minor, currency);
  const notes: string[] = [];
  if (terms.instalmentCount > policy.planMaxInstalments) notes.push(`${terms.instalmentCount} instalments is more than the ${policy.planMaxInstalments} we can agree to at once`);
  const last = schedule.at(-1)!.dueDate;
  if (last > addMonths(today, policy.planMaxMonths)) notes.push(`The last instalment (${last}) is more than ${policy.planMaxMonths} months from today`);
  const first = schedule[0]!.amountMinor;
  // Integer percent test: first / total >= pct / 100.
  if (first * 100 < terms.totalMinor * policy.planMinFirstPercent) notes.push(`The first instalment of ${money(first)} is less than ${policy.planMinFirstPercent}% of the total`);
  const maxTotal = policy.planMaxTotal * 10 ** currencyExponent(currency);
  if (terms.totalMinor > maxTotal) notes.push(`The total of ${money(terms.totalMinor)} is more than the ${money(maxTotal)} we can agree to at once`);
  if (standing.activePlan) notes.push("The account already has an active payment plan");
  if (standing.defaultedPlan) notes.push("An earlier payment plan on the account was not kept up");
  return notes;
}

export const planStatusLabels = {
  pending_approval: "Waiting for approval",
  active: "Active",
  completed: "Completed",
  defaulted: "Defaulted",
  rejected: "Not approved",
  canceled: "Canceled",
} as const;
export const planStatusTone = { pending_approval: "warn", active: "brand", completed: "ok", defaulted: "danger", rejected: "", canceled: "" } as const;

export const instalmentStatusLabels = { scheduled: "Scheduled", processing: "Processing", paid: "Paid", failed: "Failed", canceled: "Canceled" } as const;
export const instalmentStatusTone = { scheduled: "", processing: "warn", paid: "ok", failed: "danger", canceled: "" } as const;
