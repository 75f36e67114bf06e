import { z } from "zod";
import { divideRounded } from "~/money/money";
import { addDays, daysBetween, type IsoDate } from "~/utils/dates";
import { collectabilityBps, riskGradeLabels, riskGrades, UNGRADED } from "./risk";

/**
 * The cash forecast's pure parts: weeks, weights and the words beside the figures. The SQL is in
 * forecast.server.ts; the page and its CSV show what is defined here.
 */

export const FORECAST_WEEKS = 13;
export const ACCURACY_WEEKS = 8;

/** The Monday on or before a day (weeks run Monday to Sunday, as ISO 8601 has them). */
export function mondayOf(day: IsoDate): IsoDate {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(day, -((weekday + 6) % 7));
}

/** The first day of each of `weeks` weeks, from the week that holds `asOf`. */
export const weekStarts = (asOf: IsoDate, weeks: number): IsoDate[] => Array.from({ length: weeks }, (_, i) => addDays(mondayOf(asOf), 7 * i));

/** Which of the forecast's weeks a day falls in (0: the week of asOf); `weeks` or more is beyond it. */
export const weekIndex = (asOf: IsoDate, day: IsoDate) => Math.floor(daysBetween(mondayOf(asOf), day) / 7);

/**
 * `bps` basis points of an amount, rounded to the nearest minor unit, halves away from zero:
 * what PostgreSQL's round(numeric) does in forecast.server.ts, for the hand computations.
 */
export const weigh = (amountMinor: number, bps: number) => Number(divideRounded(BigInt(amountMinor) * BigInt(bps), 10_000n));

export type ForecastAmounts = { invoicesMinor: number; instalmentsMinor: number; promisesMinor: number; expectedMinor: number };
export type ForecastWeek = ForecastAmounts & { weekStart: IsoDate; weekEnd: IsoDate };

export type CashForecast = {
  asOf: IsoDate;
  currency: string;
  weeks: ForecastWeek[];
  /** Expected, but after the last week. */
  beyond: ForecastAmounts;
  /** Expected within the weeks shown. */
  totalMinor: number;
  /** What the collectability factors take off what is open: not expected to come in at all. */
  doubtfulMinor: number;
  /** Open amounts under dispute, left out of the forecast until the dispute is settled. */
  disputedMinor: number;
};

export const emptyAmounts = (): ForecastAmounts => ({ invoicesMinor: 0, instalmentsMinor: 0, promisesMinor: 0, expectedMinor: 0 });

export type ForecastSource = "invoices" | "instalments" | "promises";
const sourceKey: Record<ForecastSource, keyof ForecastAmounts> = { invoices: "invoicesMinor", instalments: "instalmentsMinor", promises: "promisesMinor" };

/** Puts the SQL's sums (per source and week index, `weeks` meaning beyond) into the weeks. */
export function assembleForecast(
  { asOf, currency, weeks }: { asOf: IsoDate; currency: string; weeks: number },
  sums: { source: ForecastSource; bucket: number; expectedMinor: number; doubtfulMinor: number }[],
  disputedMinor: number,
): CashForecast {
  const rows: ForecastWeek[] = weekStarts(asOf, weeks).map((weekStart) => ({ weekStart, weekEnd: addDays(weekStart, 6), ...emptyAmounts() }));
  const beyond = emptyAmounts();
  let doubtfulMinor = 0;
  for (const sum of sums) {
    const target = sum.bucket >= weeks ? beyond : rows[Math.max(0, sum.bucket)]!;
    target[sourceKey[sum.source]] += sum.expectedMinor;
    target.expectedMinor += sum.expectedMinor;
    doubtfulMinor += sum.doubtfulMinor;
  }
  return { asOf, currency, weeks: rows, beyond, totalMinor: rows.reduce((s, w) => s + w.expectedMinor, 0), doubtfulMinor, disputedMinor };
}

export type AccuracyWeek = {
  weekStart: IsoDate;
  weekEnd: IsoDate;
  /** What the latest forecast made on or before the week's Monday expected for it; null without one. */
  expectedMinor: number | null;
  forecastMadeOn: IsoDate | null;
  /** Payments received that week, less payments reversed and card chargebacks (net of their reversals). */
  collectedMinor: number;
  /** Collected less expected. */
  differenceMinor: number | null;
};

export type ForecastAccuracy = {
  asOf: IsoDate;
  currency: string;
  weeks: AccuracyWeek[];
  /** Over the weeks that had a forecast: 1 − |collected − expected| summed ÷ expected summed, in basis points (10,000 is exact). */
  accuracyBps: number | null;
};

/** Weighted absolute accuracy over the weeks that had a forecast (a week with nothing expected counts its collections as error). */
export function accuracyOf(weeks: AccuracyWeek[]): number | null {
  const forecast = weeks.filter((w) => w.expectedMinor !== null);
  const expected = forecast.reduce((s, w) => s + w.expectedMinor!, 0);
  if (forecast.length === 0 || expected === 0) return null;
  const error = forecast.reduce((s, w) => s + Math.abs(w.collectedMinor - w.expectedMinor!), 0);
  return Math.max(0, 10_000 - Number(divideRounded(BigInt(error) * 10_000n, BigInt(expected))));
}

/** The collectability factor of each grade, for the page's table. */
export const collectabilityTable = [...riskGrades.map((grade) => ({ grade, label: riskGradeLabels[grade], bps: collectabilityBps[grade] })), { grade: "–", label: `not graded yet (as ${UNGRADED})`, bps: collectabilityBps[UNGRADED] }];

/** The words shown beside the forecast's figures. */
export const forecastDefinitions: { term: string; definition: string }[] = [
  {
    term: "Invoices",
    definition:
      "Each open invoice's amount, less what is disputed, what an active payment plan covers and what an open promise covers, expected on its due date moved by the customer's average days late (never before today), times the collectability factor of the customer's risk grade. The factor is applied to each week's total from the customers of one grade, rounded to the nearest minor unit.",
  },
  {
    term: "Plan instalments",
    definition: "What is left to pay on each scheduled, processing or failed instalment of an active payment plan, on its due date (a failed one on its next try), in full.",
  },
  {
    term: "Promises",
    definition: "Each open promise to pay, on its promised date (today if it has passed and is not settled yet), in full, up to what the customer has open; it covers their oldest invoices first, which are then left out of Invoices.",
  },
  { term: "Beyond the horizon", definition: "Expected after the last week shown: invoices of slow payers due late, later instalments and promises." },
  { term: "Not expected", definition: "What the collectability factors take off open invoices: the part of what is owed the forecast does not expect to be collected at all." },
  { term: "Disputed", definition: "Open amounts under dispute, left out until the dispute is settled (an accepted dispute becomes a credit note, a rejected one is due again)." },
  {
    term: "Collected",
    definition:
      "For a past week: payments received that week in this currency, less payments reversed (bounced) and card chargebacks that week, plus chargebacks won back. Refunds of overpayments are not deducted: the forecast never expected overpayments either.",
  },
  { term: "Expected (past weeks)", definition: "What the latest forecast saved on or before that week's Monday expected for the week (a weekly job saves one every Monday)." },
];

/**
 * The forecast page's and CSV's search parameters. A currency no customer is billed in is
 * refused, naming the field; without one the first currency is shown.
 */
export function parseForecastSearch(search: URLSearchParams, currencies: string[]): { currency: string; errors: Record<string, string> } {
  const fallback = currencies[0] ?? "USD";
  const schema = z.object({
    currency: z
      .string()
      .trim()
      .regex(/^[A-Za-z]{3}$/, "currency must be a three-letter ISO code, like USD")
      .transform((c) => c.toUpperCase())
      .refine((c) => currencies.includes(c), { message: `currency must be one that customers are billed in (${currencies.join(", ") || "none yet"})` })
      .optional(),
  });
  const raw = search.get("currency");
  const parsed = schema.safeParse({ currency: raw === null || raw === "" ? undefined : raw });
  if (parsed.success) return { currency: parsed.data.currency ?? fallback, errors: {} };
  return { currency: fallback, errors: { currency: parsed.error.issues[0]!.message } };
}
