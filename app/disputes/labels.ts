import type { DisputeReason } from "~db/schema";

// Shared by the pages (client code) and the emails, so this file holds no server code.

export const disputeReasons = ["pricing", "quantity", "not_received", "damaged", "duplicate", "other"] as const satisfies readonly DisputeReason[];

/** Each reason as the customer picks it. */
export const disputeReasonLabels: Record<DisputeReason, string> = {
  pricing: "The price is wrong",
  quantity: "The quantity is wrong",
  not_received: "We did not receive it",
  damaged: "It arrived damaged or faulty",
  duplicate: "We were charged twice",
  other: "Something else",
};

export type DisputeStatus = "open" | "accepted" | "rejected" | "withdrawn";

export const disputeStatusLabels: Record<DisputeStatus, string> = {
  open: "Open",
  accepted: "Accepted",
  rejected: "Not accepted",
  withdrawn: "Withdrawn",
};

export const disputeStatusTone: Record<DisputeStatus, "" | "ok" | "warn" | "danger" | "brand"> = {
  open: "warn",
  accepted: "ok",
  rejected: "danger",
  withdrawn: "",
};

/** The longest message in a dispute's thread, and the longest reason for a decision. */
export const DISPUTE_MESSAGE_MAX = 4000;

/** "3 days", "Under a day": how long a dispute has been open, in whole days. */
export function ageLabel(days: number) {
  if (days <= 0) return "Under a day";
  return `${days} day${days === 1 ? "" : "s"}`;
}
