/**
 * Receivables metrics: their definitions, shown beside each figure, and the formulas, pure so the
 * hand-computed test can check them on their own. Money is integer minor units; a metric is a
 * ratio of two amounts, so it is the one place a float appears, and only for display.
 */

export type MetricKey =
  | "dso"
  | "countback_dso"
  | "best_dso"
  | "add"
  | "cei"
  | "bad_debt_ratio"
  | "dispute_rate"
  | "dispute_days_to_resolve"
  | "promise_kept_rate"
  | "plan_completion_rate"
  | "portal_payment_share"
  | "payment_to_reconciliation_days";

export type MetricUnit = "days" | "percent";

export const metricDefinitions: Record<MetricKey, { label: string; unit: MetricUnit; definition: string; higherIsBetter: boolean }> = {
  dso: {
    label: "Days sales outstanding",
    unit: "days",
    higherIsBetter: false,
    definition: "Receivables at the end of the period ÷ invoices issued in the period (less voids) × days in the period.",
  },
  countback_dso: {
    label: "DSO (countback)",
    unit: "days",
    higherIsBetter: false,
    definition:
      "Receivables at the end of the period, counted back against each month's sales, newest first: whole months it uses up count all their days, the last month its share. Not skewed by a month of unusual sales.",
  },
  best_dso: {
    label: "Best possible DSO",
    unit: "days",
    higherIsBetter: false,
    definition: "Receivables not yet due at the end of the period ÷ sales in the period × days: the DSO if every customer paid on the due date.",
  },
  add: {
    label: "Average days delinquent",
    unit: "days",
    higherIsBetter: false,
    definition: "DSO less best possible DSO: how many days late, on average, the money comes in.",
  },
  cei: {
    label: "Collection effectiveness index",
    unit: "percent",
    higherIsBetter: true,
    definition:
      "(Receivables at the start + sales − receivables at the end) ÷ (receivables at the start + sales − receivables not yet due at the end) × 100: of what could have been collected in the period, the share that was.",
  },
  bad_debt_ratio: {
    label: "Bad-debt ratio",
    unit: "percent",
    higherIsBetter: false,
    definition: "Amounts written off in the period ÷ sales in the period × 100.",
  },
  dispute_rate: {
    label: "Dispute rate",
    unit: "percent",
    higherIsBetter: false,
    definition: "Disputes raised in the period ÷ invoices issued in the period × 100.",
  },
  dispute_days_to_resolve: {
    label: "Days to resolve a dispute",
    unit: "days",
    higherIsBetter: false,
    definition: "Of disputes resolved in the period (accepted, rejected or withdrawn), the average days from raised to resolved.",
  },
  promise_kept_rate: {
    label: "Promises kept",
    unit: "percent",
    higherIsBetter: true,
    definition: "Of promises to pay settled in the period, the share kept (paid in full by the promised day).",
  },
  plan_completion_rate: {
    label: "Plan completion rate",
    unit: "percent",
    higherIsBetter: true,
    definition: "Of payment plans that ended in the period, the share completed rather than defaulted.",
  },
  portal_payment_share: {
    label: "Paid through the portal",
    unit: "percent",
    higherIsBetter: true,
    definition: "Payments received in the period through the customer portal (card or bank debit, including plan instalments) ÷ all payments received, by amount × 100.",
  },
  payment_to_reconciliation_days: {
    label: "Payment to reconciliation",
    unit: "days",
    higherIsBetter: false,
    definition:
      "For payments received in the period that have been reconciled, the average days from the payment's date to the day the money was seen in the bank: the processor payout's arrival, or the bank statement line it was matched to.",
  },
};

/** A ratio rounded to one decimal place, or null where the denominator is nothing. */
export const ratio = (numerator: number, denominator: number, scale = 1): number | null =>
  denominator === 0 ? null : Math.round((numerator / denominator) * scale * 10) / 10;

export type DsoInput = { receivableEndMinor: number; overdueEndMinor: number; receivableStartMinor: number; salesMinor: number; days: number };

export const dso = (f: DsoInput) => ratio(f.receivableEndMinor * f.days, f.salesMinor);
export const bestDso = (f: DsoInput) => ratio((f.receivableEndMinor - f.overdueEndMinor) * f.days, f.salesMinor);
export function averageDaysDelinquent(f: DsoInput) {
  const all = dso(f);
  const best = bestDso(f);
  return all === null || best === null ? null : Math.round((all - best) * 10) / 10;
}
export function collectionEffectiveness(f: DsoInput) {
  const collectable = f.receivableStartMinor + f.salesMinor;
  return ratio(collectable - f.receivableEndMinor, collectable - (f.receivableEndMinor - f.overdueEndMinor), 100);
}

/**
 * Countback DSO: take the receivables at the end and walk back month by month (newest first),
 * subtracting each month's sales; a month used up counts all its days, the month where the
 * receivables run out counts its share. Null when there were no sales to count against.
 */
export function countbackDso(receivableEndMinor: number, monthsNewestFirst: { salesMinor: number; days: number }[]): number | null {
  if (receivableEndMinor <= 0) return 0;
  let left = receivableEndMinor;
  let days = 0;
  for (const month of monthsNewestFirst) {
    if (month.salesMinor <= 0) {
      days += month.days;
      continue;
    }
    if (left <= month.salesMinor) return Math.round((days + (left / month.salesMinor) * month.days) * 10) / 10;
    left -= month.salesMinor;
    days += month.days;
  }
  return monthsNewestFirst.some((m) => m.salesMinor > 0) ? Math.round(days * 10) / 10 : null;
}
