import { formatMoney } from "~/money/money";

/** An amount as people read it, right-aligned digits; negative amounts are marked, not just signed. */
export function Money({ minor, currency, className }: { minor: number; currency: string; className?: string }) {
  return <span className={["money", minor < 0 ? "negative" : "", className ?? ""].join(" ").trim()}>{formatMoney(minor, currency)}</span>;
}
