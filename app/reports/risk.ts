import { z } from "zod";

/**
 * A customer's risk grade, A (pays reliably) to E (poor), from how they paid over the last 12
 * months and how they kept their word. Pure: the facts are computed in SQL by behaviour.server.ts,
 * which stores the grade and its reasons in customer_payment_stats; the worklist's score, credit
 * control, the cash forecast and the behaviour report read them from there.
 *
 * The grade is a sum of risk points, each with its reason in words, so anyone can see why a
 * customer has the grade it has:
 *
 * | fact                                            | points                                    |
 * | ----------------------------------------------- | ----------------------------------------- |
 * | average days late, weighted by amount           | ≤ 2: 0 · 3–10: 10 · 11–30: 20 · 31–60: 35 · over 60: 50 |
 * | share of the amount paid by its due date        | ≥ 90 %: 0 · ≥ 75 %: 5 · ≥ 50 %: 10 · ≥ 25 %: 15 · less: 20 |
 * | trend: last 90 days against the 90 before       | 7+ days later: +10 · 7+ days earlier: −5  |
 * | fewer than 2 invoices paid in 12 months         | 25 instead of the three above (average)   |
 * | promises to pay broken in the last 180 days     | 10 each, at most 30                       |
 * | payment plans defaulted in the last 12 months   | 25 each, at most 50                       |
 *
 * Grades: A below 10 points, B below 25, C below 45, D below 70, E from 70.
 */

export const riskGrades = ["A", "B", "C", "D", "E"] as const;
export type RiskGrade = (typeof riskGrades)[number];

export const riskGradeLabels: Record<RiskGrade, string> = {
  A: "pays reliably",
  B: "mostly on time",
  C: "average",
  D: "often late",
  E: "poor",
};

/** The lowest points of each grade (A from below zero). */
export const gradeFloors: { grade: RiskGrade; from: number }[] = [
  { grade: "E", from: 70 },
  { grade: "D", from: 45 },
  { grade: "C", from: 25 },
  { grade: "B", from: 10 },
  { grade: "A", from: Number.NEGATIVE_INFINITY },
];

/** Paid invoices it takes before a customer's history counts (one invoice says little). */
export const MIN_PAID_INVOICES = 2;
/** Days the recent 90 days must differ from the 90 before to be a trend, not noise. */
export const TREND_DAYS = 7;

/**
 * How much of what a customer owes the cash forecast expects to come in, in basis points, by
 * grade (app/reports/forecast.server.ts weighs each customer's open invoices by it). A customer
 * not graded yet counts as a C.
 */
export const collectabilityBps: Record<RiskGrade, number> = { A: 10_000, B: 9_500, C: 9_000, D: 7_500, E: 5_000 };
export const UNGRADED: RiskGrade = "C";

export type BehaviourFacts = {
  /** Invoices fully paid (by a payment) in the last 12 months. */
  invoicesPaid: number;
  /** Amount-weighted days from issue to being settled. */
  avgDaysToPay: number | null;
  /** Amount-weighted days from the due date to being settled (negative: early). */
  avgDaysLate: number | null;
  /** Share of the amount paid by its due date, in basis points. */
  onTimeBps: number | null;
  /** Amount-weighted days late of invoices settled in the last 90 days, and in the 90 before. */
  recentDaysLate: number | null;
  priorDaysLate: number | null;
  /** Promises to pay broken in the last 180 days. */
  brokenPromises: number;
  /** Payment plans that defaulted in the last 12 months. */
  defaultedPlans: number;
};

export type RiskReason = { label: string; points: number };
export type RiskAssessment = { grade: RiskGrade; points: number; reasons: RiskReason[] };

export type Trend = "improving" | "steady" | "worsening";

/** Later by TREND_DAYS or more is worsening; earlier by as much is improving; null without both periods. */
export function trendOf(recentDaysLate: number | null, priorDaysLate: number | null): Trend | null {
  if (recentDaysLate === null || priorDaysLate === null) return null;
  const change = recentDaysLate - priorDaysLate;
  if (change >= TREND_DAYS) return "worsening";
  if (change <= -TREND_DAYS) return "improving";
  return "steady";
}

export function gradeFor(points: number): RiskGrade {
  return gradeFloors.find((g) => points >= g.from)!.grade;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const days = (n: number) => plural(Math.abs(n), "day");

function latePoints(daysLate: number) {
  if (daysLate <= 2) return 0;
  if (daysLate <= 10) return 10;
  if (daysLate <= 30) return 20;
  if (daysLate <= 60) return 35;
  return 50;
}

function onTimePoints(bps: number) {
  if (bps >= 9_000) return 0;
  if (bps >= 7_500) return 5;
  if (bps >= 5_000) return 10;
  if (bps >= 2_500) return 15;
  return 20;
}

/** "93%" from basis points, rounded to a whole percent. */
export const percentOfBps = (bps: number) => `${Math.round(bps / 100)}%`;

/**
 * The grade and its reasons, the weightiest first. Every fact that was looked at is said, even
 * when it adds nothing, so "why A?" is answered too; the reasons' points add up to the total.
 */
export function assessRisk(facts: BehaviourFacts): RiskAssessment {
  const reasons: RiskReason[] = [];
  const history = facts.invoicesPaid >= MIN_PAID_INVOICES && facts.avgDaysLate !== null && facts.onTimeBps !== null;
  if (history) {
    const late = Math.round(facts.avgDaysLate!);
    const label = late > 0 ? `pays ${days(late)} late on average` : late < 0 ? `pays ${days(late)} early on average` : "pays on the due date on average";
    reasons.push({ label: `${label} over ${plural(facts.invoicesPaid, "invoice")} paid in 12 months`, points: latePoints(late) });
    reasons.push({ label: `${percentOfBps(facts.onTimeBps!)} of the amount paid by its due date`, points: onTimePoints(facts.onTimeBps!) });
    const trend = trendOf(facts.recentDaysLate, facts.priorDaysLate);
    if (trend === "worsening" || trend === "improving") {
      const recent = Math.round(facts.recentDaysLate!);
      const prior = Math.round(facts.priorDaysLate!);
      reasons.push({
        label: `${trend === "worsening" ? "paying later" : "paying sooner"}: ${days(recent)} ${recent < 0 ? "early" : "late"} in the last 90 days against ${days(prior)} ${prior < 0 ? "early" : "late"} in the 90 before`,
        points: trend === "worsening" ? 10 : -5,
      });
    }
  } else {
    reasons.push({
      label: facts.invoicesPaid === 0 ? "no invoices paid in the last 12 months: too little history, counted as average" : `only ${plural(facts.invoicesPaid, "invoice")} paid in the last 12 months: too little history, counted as average`,
      points: 25,
    });
  }
  if (facts.brokenPromises > 0) reasons.push({ label: `${plural(facts.brokenPromises, "promise")} to pay broken in the last 180 days`, points: Math.min(30, 10 * facts.brokenPromises) });
  if (facts.defaultedPlans > 0) reasons.push({ label: `${plural(facts.defaultedPlans, "payment plan")} defaulted in the last 12 months`, points: Math.min(50, 25 * facts.defaultedPlans) });

  const points = reasons.reduce((sum, r) => sum + r.points, 0);
  // Stable: equal points keep the order above.
  const ordered = reasons.map((r, i) => ({ r, i })).sort((a, b) => b.r.points - a.r.points || a.i - b.i).map(({ r }) => r);
  return { grade: gradeFor(points), points, reasons: ordered };
}

/** "pays 12 days late on average … (+20)"; a reason that adds nothing is written without points. */
export function formatRiskReason({ label, points }: RiskReason): string {
  const text = label.charAt(0).toUpperCase() + label.slice(1);
  if (points === 0) return text;
  return `${text} (${points > 0 ? "+" : "−"}${Math.abs(points)})`;
}

/** The reverse of formatRiskReason, for reasons read back from customer_payment_stats.reasons. */
export function parseRiskReason(text: string): RiskReason {
  const match = /^(.*) \(([+−-])(\d+)\)$/.exec(text);
  if (!match) return { label: text, points: 0 };
  return { label: match[1]!, points: (match[2] === "+" ? 1 : -1) * Number(match[3]) };
}

/** Stored reasons (jsonb), read back defensively. */
export function parseStoredReasons(stored: unknown): string[] {
  return Array.isArray(stored) ? stored.filter((r): r is string => typeof r === "string") : [];
}

export const isRiskGrade = (value: unknown): value is RiskGrade => typeof value === "string" && (riskGrades as readonly string[]).includes(value);

/** The weightiest reason without its points, lower-case: what a one-line summary says after the grade. */
export function mainReason(reasons: string[]): string | null {
  const first = reasons[0];
  if (!first) return null;
  const { label } = parseRiskReason(first);
  return label.charAt(0).toLowerCase() + label.slice(1);
}

/** The badge tone of each grade on the staff pages. */
export const riskGradeTones: Record<RiskGrade, "ok" | "" | "warn" | "danger"> = { A: "ok", B: "ok", C: "", D: "warn", E: "danger" };

/** "21.5 days late", "0.8 days early", "on time"; "—" without a figure. */
export function daysLateText(days: number | null): string {
  if (days === null) return "—";
  const rounded = Math.round(days * 10) / 10;
  if (rounded === 0) return "on time";
  const n = Math.abs(rounded);
  return `${n} ${n === 1 ? "day" : "days"} ${rounded > 0 ? "late" : "early"}`;
}

/** "29.3 days"; "—" without a figure. */
export function daysText(days: number | null): string {
  if (days === null) return "—";
  const n = Math.round(days * 10) / 10;
  return `${n} ${n === 1 ? "day" : "days"}`;
}

export const trendLabels: Record<Trend, string> = { improving: "Improving", steady: "Steady", worsening: "Worsening" };

/** The definitions shown beside the behaviour figures (as behaviour.server.ts computes them). */
export const behaviourDefinitions: { term: string; definition: string }[] = [
  { term: "Invoices paid", definition: "Invoices paid in full in the last 12 months, at least partly by a payment; each counts on the day of its latest application still in force." },
  { term: "Average days to pay", definition: "Days from the issue date to that day, averaged over those invoices weighted by their totals (a large invoice counts for more)." },
  { term: "Average days late", definition: "Days from the due date to that day, weighted the same way; negative when they pay early." },
  { term: "On time", definition: "The share of the amount of those invoices settled by its due date." },
  { term: "Trend", definition: `Average days late of invoices settled in the last 90 days against the 90 before; a change of ${TREND_DAYS} days or more is improving or worsening.` },
  {
    term: "Risk grade",
    definition:
      "A to E from risk points: days late (0 to 50), on-time share (0 to 20), the trend (+10 or −5), 10 for each promise broken in 180 days (at most 30), 25 for each plan defaulted in 12 months (at most 50); fewer than 2 invoices paid counts as 25. A below 10 points, B below 25, C below 45, D below 70, E from 70.",
  },
];

// --- The payment behaviour report's options (shared by its page, its CSV and behaviour.server.ts) ---

export const behaviourSorts = ["grade", "late", "pay", "ontime", "trend", "paid", "name"] as const;
export type BehaviourSort = (typeof behaviourSorts)[number];
export type SortDirection = "asc" | "desc";

/** Each sort's label and the direction it starts in: the customers to worry about first. */
export const behaviourSortOptions: Record<BehaviourSort, { label: string; dir: SortDirection }> = {
  grade: { label: "Grade", dir: "desc" },
  late: { label: "Average days late", dir: "desc" },
  pay: { label: "Average days to pay", dir: "desc" },
  ontime: { label: "On time", dir: "asc" },
  trend: { label: "Trend", dir: "desc" },
  paid: { label: "Invoices paid", dir: "desc" },
  name: { label: "Name", dir: "asc" },
};

export type BehaviourSearch = { q?: string; grade?: RiskGrade; sort: BehaviourSort; dir: SortDirection; after?: string };

const behaviourSearchSchema = z.object({
  q: z.string().trim().max(100, "q must be at most 100 characters").optional(),
  grade: z.enum(riskGrades, { message: `grade must be one of ${riskGrades.join(", ")}` }).optional(),
  sort: z.enum(behaviourSorts, { message: `sort must be one of ${behaviourSorts.join(", ")}` }).optional(),
  dir: z.enum(["asc", "desc"], { message: "dir must be asc or desc" }).optional(),
  after: z.string().max(400, "after is not a page of this list").optional(),
});

/** The report's search parameters; a bad one is dropped and named in `errors` (the list still shows). */
export function parseBehaviourSearch(search: URLSearchParams): { search: BehaviourSearch; errors: Record<string, string> } {
  const raw = Object.fromEntries([...search].filter(([key, value]) => value !== "" && key in behaviourSearchSchema.shape));
  const errors: Record<string, string> = {};
  const parsed = behaviourSearchSchema.safeParse(raw);
  let values: z.infer<typeof behaviourSearchSchema> = {};
  if (parsed.success) values = parsed.data;
  else {
    for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
    const kept = Object.fromEntries(Object.entries(raw).filter(([key]) => !(key in errors)));
    values = behaviourSearchSchema.parse(kept);
  }
  const sort = values.sort ?? "grade";
  return { search: { q: values.q || undefined, grade: values.grade, sort, dir: values.dir ?? behaviourSortOptions[sort].dir, after: values.after }, errors };
}
