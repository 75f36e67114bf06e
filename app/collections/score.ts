import { currencyExponent, formatMoney } from "~/money/money";
import { riskGradeLabels, type RiskGrade } from "~/reports/risk";
import type { IsoDate } from "~/utils/dates";

/**
 * The collector's priority for one account: a sum of points, each with its reason in words, so a
 * clerk can see why an account sits where it does ("$12,400.00 overdue (+28)", "2 broken
 * promises (+20)", "promise of $500.00 due 2026-12-01 (−25)"). Pure: every fact is computed in
 * SQL by worklist.server.ts, which caches the result on collection_accounts.
 *
 * What a collector works first: a lot of money, long overdue, from someone who broke their word.
 * History separates a good payer who is a little late from a chronic late payer of the same size;
 * a fresh promise not yet due puts an account well down (there is nothing to do until its day);
 * small, young amounts are at the bottom. The weights below are chosen so those orders hold
 * (app/collections/score.test.ts has the hand-ranked accounts).
 */

export type ScoreFacts = {
  currency: string;
  /** Collectible overdue: open, less open disputes and amounts in an active plan. */
  overdueMinor: number;
  oldestOverdueDays: number;
  overdueInvoiceCount: number;
  /** Promises broken in the last 180 days. */
  brokenPromises: number;
  /** Open promises whose day has not come yet, and the earliest such day. */
  openPromiseMinor: number;
  openPromiseOn: IsoDate | null;
  /** Plan instalments that failed in the last 180 days (a defaulted plan's included). */
  failedPlanPayments: number;
  openDisputes: number;
  /** Over invoices paid in the last 12 months: mean days late (0 when on time), or null without any. */
  avgDaysLate: number | null;
  /** Of those invoices, the share paid by the due date (0..1), or null without any. */
  paidOnTimeShare: number | null;
  /** How many invoices that history is made of: one invoice says little. */
  paidInvoiceCount: number;
  /**
   * The customer's risk grade from the nightly payment-behaviour refresh (app/reports/risk.ts),
   * if it has run for them. It sums up the history above (and broken promises and defaulted plans
   * over a longer time), so when it is there it speaks instead of the two history reasons.
   */
  riskGrade?: RiskGrade | null;
  snoozedUntil: IsoDate | null;
  asOf: IsoDate;
};

export type ScoreReason = { label: string; points: number };
export type Score = { score: number; reasons: ScoreReason[] };

/** Paid invoices it takes before history counts for or against an account. */
export const MIN_HISTORY = 2;

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Points for the amount, on a log scale of the amount in major units: each tenfold adds 9
 * ($100 → 9, $1,000 → 18, $12,400 → 28, $100,000 → 36), capped at 40. No exchange rates: an
 * amount in yen or euros counts by its own figure, which is close enough for ranking within one
 * business's book (usually one currency) and keeps the score explainable.
 */
export function amountPoints(overdueMinor: number, currency: string) {
  const major = overdueMinor / 10 ** currencyExponent(currency);
  if (major <= 1) return 0;
  return clamp(Math.round(9 * Math.log10(major) - 9), 0, 40);
}

/** Points for the oldest overdue invoice's age: 0.3 a day up to 30 at 100 days (a week late is not yet a worry). */
export const agePoints = (days: number) => clamp(Math.round(0.3 * days), 0, 30);

/**
 * Points for the risk grade, in place of the history reasons: a D or E payer is chased sooner (as
 * much as "usually pays late" at most), an A or B payer later (as "pays on time" did).
 */
export const gradePoints: Record<RiskGrade, number> = { A: -10, B: -5, C: 0, D: 8, E: 15 };
const gradeLabel = (grade: RiskGrade) => `risk grade ${grade} (${riskGradeLabels[grade]})`;

export function scoreAccount(facts: ScoreFacts): Score {
  if (facts.overdueMinor <= 0) return { score: 0, reasons: [] };
  const reasons: ScoreReason[] = [];
  const money = (minor: number) => formatMoney(minor, facts.currency);
  const add = (label: string, points: number) => {
    if (points !== 0) reasons.push({ label, points });
  };

  const invoices = facts.overdueInvoiceCount > 1 ? ` on ${facts.overdueInvoiceCount} invoices` : "";
  reasons.push({ label: `${money(facts.overdueMinor)} overdue${invoices}`, points: amountPoints(facts.overdueMinor, facts.currency) });
  add(`${facts.overdueInvoiceCount > 1 ? "oldest " : ""}${plural(facts.oldestOverdueDays, "day")} overdue`, agePoints(facts.oldestOverdueDays));
  add(plural(facts.brokenPromises, "broken promise"), Math.min(30, 10 * facts.brokenPromises));
  add(plural(facts.failedPlanPayments, "failed plan payment"), Math.min(24, 8 * facts.failedPlanPayments));
  // A dispute is work to do before the rest can be collected, not a reason to chase harder.
  add(plural(facts.openDisputes, "open dispute"), Math.min(12, 4 * facts.openDisputes));
  const history = facts.paidInvoiceCount >= MIN_HISTORY;
  const grade = facts.riskGrade ?? null;
  // A grade is always said, a C with no points too, so the worklist shows every account's grade.
  if (grade && gradePoints[grade] >= 0) reasons.push({ label: gradeLabel(grade), points: gradePoints[grade] });
  if (!grade && history && facts.avgDaysLate !== null && facts.avgDaysLate >= 5) {
    const days = Math.round(facts.avgDaysLate);
    add(`usually pays ${plural(days, "day")} late`, Math.min(15, Math.round(0.3 * facts.avgDaysLate)));
  }

  // What lowers the score lowers it at most to zero, so the reasons always add up to the score.
  let total = reasons.reduce((sum, r) => sum + r.points, 0);
  const subtract = (label: string, points: number) => {
    const taken = Math.min(points, total);
    if (taken <= 0) return;
    reasons.push({ label, points: -taken });
    total -= taken;
  };
  if (facts.openPromiseMinor > 0) {
    // A promise for part of the balance lowers it in proportion, never by less than 5.
    const covered = Math.min(1, facts.openPromiseMinor / facts.overdueMinor);
    subtract(`promise of ${money(facts.openPromiseMinor)}${facts.openPromiseOn ? ` due ${facts.openPromiseOn}` : ""}`, Math.max(5, Math.round(25 * covered)));
  }
  if (grade && gradePoints[grade] < 0) subtract(gradeLabel(grade), -gradePoints[grade]);
  if (!grade && history && facts.paidOnTimeShare !== null && facts.paidOnTimeShare >= 0.75) {
    subtract(`pays on time ${Math.round(facts.paidOnTimeShare * 100)}% of the time`, facts.paidOnTimeShare >= 0.9 ? 10 : 5);
  }
  if (facts.snoozedUntil && facts.snoozedUntil > facts.asOf) subtract(`snoozed until ${facts.snoozedUntil}`, 15);
  return { score: total, reasons };
}

/** "$12,400.00 overdue (+28)", "pays on time 95% of the time (−10)". */
export const formatReason = ({ label, points }: ScoreReason) => `${label} (${points >= 0 ? "+" : "−"}${Math.abs(points)})`;

/** The reasons as stored in collection_accounts.score_reasons (jsonb), read back defensively. */
export function parseReasons(stored: unknown): ScoreReason[] {
  if (!Array.isArray(stored)) return [];
  return stored.filter(
    (r): r is ScoreReason => typeof r === "object" && r !== null && typeof (r as ScoreReason).label === "string" && typeof (r as ScoreReason).points === "number",
  );
}
