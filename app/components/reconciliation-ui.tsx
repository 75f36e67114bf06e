import { Link, NavLink } from "@remix-run/react";
import type { ReactNode } from "react";
import { Money } from "~/components/money";
import { formatDate } from "~/utils/format";

// Badges and small pieces shared by the reconciliation pages. Labels live here (not in the
// *.server.ts domain modules) so the browser bundle can use them.

const tabs = [
  { label: "Overview", to: "/staff/reconciliation", end: true },
  { label: "Exceptions", to: "/staff/reconciliation/exceptions" },
  { label: "Bank statements", to: "/staff/reconciliation/bank" },
  { label: "Payouts", to: "/staff/reconciliation/payouts" },
  { label: "Stripe events", to: "/staff/reconciliation/events" },
];

/** The sub-navigation every reconciliation page shows; NavLink marks the current one with aria-current. */
export function ReconciliationTabs() {
  return (
    <nav className="tabs reconciliation-tabs" aria-label="Reconciliation">
      {tabs.map((tab) => (
        <NavLink key={tab.to} to={tab.to} end={tab.end} prefetch="intent">
          {tab.label}
        </NavLink>
      ))}
    </nav>
  );
}

export function Badge({ tone, children }: { tone?: "ok" | "warn" | "danger" | "brand"; children: ReactNode }) {
  return <span className={`badge ${tone ?? ""}`.trim()}>{children}</span>;
}

export type ExceptionResolutionName = "applied" | "credit" | "refunded" | "dismissed";
export const resolutionLabels: Record<ExceptionResolutionName, string> = {
  applied: "Applied to invoices",
  credit: "Left as credit",
  refunded: "Refunded",
  dismissed: "Dismissed",
};

export function ExceptionStatusBadge({ status, resolution }: { status: "open" | "resolved"; resolution: ExceptionResolutionName | null }) {
  if (status === "open") return <Badge tone="warn">Open</Badge>;
  return <Badge tone={resolution === "dismissed" ? undefined : "ok"}>{resolution ? resolutionLabels[resolution] : "Resolved"}</Badge>;
}

export type PayoutReconciliationState = "pending" | "balanced" | "mismatch";
const payoutReconciliationText: Record<PayoutReconciliationState, { label: string; tone?: "ok" | "danger" }> = {
  pending: { label: "Not checked yet" },
  balanced: { label: "Adds up", tone: "ok" },
  mismatch: { label: "Does not add up", tone: "danger" },
};
export function PayoutReconciliationBadge({ state }: { state: PayoutReconciliationState }) {
  const { label, tone } = payoutReconciliationText[state];
  return <Badge tone={tone}>{label}</Badge>;
}

export type PayoutStatusName = "pending" | "in_transit" | "paid" | "failed" | "canceled";
const payoutStatusText: Record<PayoutStatusName, { label: string; tone?: "ok" | "danger" | "brand" }> = {
  pending: { label: "Pending" },
  in_transit: { label: "On its way", tone: "brand" },
  paid: { label: "Paid out", tone: "ok" },
  failed: { label: "Failed", tone: "danger" },
  canceled: { label: "Canceled" },
};
export function PayoutStatusBadge({ status }: { status: PayoutStatusName }) {
  const { label, tone } = payoutStatusText[status];
  return <Badge tone={tone}>{label}</Badge>;
}

export type EventStateName = "processed" | "note" | "failing" | "given_up";
export const eventStateText: Record<EventStateName, { label: string; tone?: "ok" | "warn" | "danger"; explain: string }> = {
  processed: { label: "Processed", tone: "ok", explain: "Applied to the books." },
  note: { label: "Processed, with a note", explain: "Handled; Settle left a note on what it did or why nothing was needed." },
  failing: { label: "Failing, will retry", tone: "warn", explain: "Applying it failed; Settle retries by itself with growing pauses." },
  given_up: { label: "Gave up", tone: "danger", explain: "Applying it failed too often and Settle stopped retrying. Fix the cause, then replay it." },
};
export function EventStateBadge({ state }: { state: EventStateName }) {
  const { label, tone } = eventStateText[state];
  return <Badge tone={tone}>{label}</Badge>;
}

export type BankDecisionName = "applied" | "suggested" | "unmatched" | "payout" | "ignored" | "duplicate";
export const bankDecisionText: Record<BankDecisionName, { label: string; tone?: "ok" | "warn" | "danger" | "brand" }> = {
  applied: { label: "Applied", tone: "ok" },
  suggested: { label: "Suggested match", tone: "warn" },
  unmatched: { label: "No match", tone: "danger" },
  payout: { label: "Stripe payout", tone: "brand" },
  ignored: { label: "Ignored" },
  duplicate: { label: "Already imported" },
};
export function BankDecisionBadge({ decision }: { decision: BankDecisionName }) {
  const { label, tone } = bankDecisionText[decision];
  return <Badge tone={tone}>{label}</Badge>;
}

/** A matcher's confidence (0–100) as a number and a word, so it is not read by colour alone. */
export function Confidence({ value }: { value: number }) {
  const word = value >= 90 ? "high" : value >= 60 ? "medium" : value > 0 ? "low" : "none";
  return (
    <span className={`confidence confidence-${word}`}>
      {value}% <span className="muted">({word})</span>
    </span>
  );
}

export function Reasons({ reasons }: { reasons: string[] }) {
  if (reasons.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="reasons">
      {reasons.map((reason, i) => (
        <li key={i}>{reason}</li>
      ))}
    </ul>
  );
}

/** The empty state every reconciliation list shows when there is nothing to do. */
export type BankLineView = {
  bookingDate: string;
  payerName: string | null;
  remittance: string;
  direction: string;
  amountMinor: number;
  currency: string;
  decision: BankDecisionName;
  confidence: number;
  reasons: string[];
};

/** The cells every table of bank lines starts with: when, who and why, how much, and the decision with its reasons. */
export function BankLineCells({ line }: { line: BankLineView }) {
  return (
    <>
      <td className="nowrap">{formatDate(line.bookingDate)}</td>
      <td className="break">
        {line.payerName || <span className="muted">No payer name</span>}
        <div className="muted small-print">{line.remittance || "—"}</div>
      </td>
      <td className="num">
        <Money minor={line.direction === "debit" ? -line.amountMinor : line.amountMinor} currency={line.currency} />
      </td>
      <td>
        <BankDecisionBadge decision={line.decision} />
      </td>
      <td>
        <Confidence value={line.confidence} />
      </td>
      <td>
        <Reasons reasons={line.reasons} />
      </td>
    </>
  );
}

export function NothingHere({ children }: { children: ReactNode }) {
  return <p className="muted empty-state">{children}</p>;
}

export type PayoutRow = {
  id: string;
  processorPayoutId: string;
  currency: string;
  amountMinor: number;
  status: PayoutStatusName;
  arrivalDate: string;
  itemCount: number;
  reconciliation: PayoutReconciliationState;
  bankLineId: string | null;
};

/** Payouts with where they stand; also used by the payouts page. */
export function PayoutsTable({ payouts }: { payouts: PayoutRow[] }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Arrives</th>
            <th scope="col">Payout</th>
            <th scope="col" className="num">
              Amount
            </th>
            <th scope="col" className="num">
              Items
            </th>
            <th scope="col">Status</th>
            <th scope="col">Breakdown</th>
            <th scope="col">In the bank</th>
          </tr>
        </thead>
        <tbody>
          {payouts.map((payout) => (
            <tr key={payout.id}>
              <td className="nowrap">{formatDate(payout.arrivalDate)}</td>
              <td>
                <Link to={`/staff/reconciliation/payouts/${payout.id}`}>
                  <code>{payout.processorPayoutId}</code>
                </Link>
              </td>
              <td className="num">
                <Money minor={payout.amountMinor} currency={payout.currency} />
              </td>
              <td className="num">{payout.itemCount.toLocaleString("en-US")}</td>
              <td>
                <PayoutStatusBadge status={payout.status} />
              </td>
              <td>
                <PayoutReconciliationBadge state={payout.reconciliation} />
              </td>
              <td>{payout.bankLineId ? <span className="badge ok">Matched</span> : <span className="muted">Not seen yet</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
