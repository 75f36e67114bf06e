import { daysBetween, type IsoDate } from "~/utils/dates";
import { sumMinor } from "~/money/money";

export type AgingBucket = { key: string; label: string; minDays: number; maxDays: number | null };

/** Days past due: not yet due is "current", then 1–30, 31–60, 61–90 and over 90. */
export const DEFAULT_BUCKETS: AgingBucket[] = [
  { key: "current", label: "Current", minDays: Number.NEGATIVE_INFINITY, maxDays: 0 },
  { key: "d1_30", label: "1–30 days", minDays: 1, maxDays: 30 },
  { key: "d31_60", label: "31–60 days", minDays: 31, maxDays: 60 },
  { key: "d61_90", label: "61–90 days", minDays: 61, maxDays: 90 },
  { key: "d90_plus", label: "Over 90 days", minDays: 91, maxDays: null },
];

export const daysPastDue = (dueDate: IsoDate, asOf: IsoDate) => daysBetween(dueDate, asOf);

export function bucketFor(days: number, buckets: AgingBucket[] = DEFAULT_BUCKETS): number {
  const index = buckets.findIndex((b) => days >= b.minDays && (b.maxDays === null || days <= b.maxDays));
  return index === -1 ? buckets.length - 1 : index;
}

/** Sums open amounts into buckets by days past due on `asOf`. Buckets sum to the total. */
export function ageItems(items: readonly { dueDate: IsoDate; openMinor: number }[], asOf: IsoDate, buckets: AgingBucket[] = DEFAULT_BUCKETS) {
  const amounts = buckets.map(() => 0);
  for (const item of items) {
    const i = bucketFor(daysPastDue(item.dueDate, asOf), buckets);
    amounts[i] = amounts[i]! + item.openMinor;
  }
  return {
    buckets: buckets.map((b, i) => ({ key: b.key, label: b.label, amountMinor: amounts[i]! })),
    totalMinor: sumMinor(amounts),
    overdueMinor: sumMinor(amounts.slice(1)),
  };
}
