import { checkedMinor, divideRounded, extendMinor, percentOf, sumMinor } from "~/money/money";

export type LineInput = { description: string; quantityMilli: number; unitPriceMinor: number; taxRateBps: number };
export type PricedLine = LineInput & { netMinor: number; taxMinor: number; totalMinor: number };

/** Net = quantity x unit price, tax per line on the rounded net: what the printed invoice shows adds up. */
export function priceLine(line: LineInput): PricedLine {
  const netMinor = extendMinor(line.quantityMilli, line.unitPriceMinor);
  const taxMinor = percentOf(netMinor, line.taxRateBps);
  return { ...line, netMinor, taxMinor, totalMinor: checkedMinor(netMinor + taxMinor) };
}

export function invoiceTotals(lines: readonly { netMinor: number; taxMinor: number }[]) {
  const subtotalMinor = sumMinor(lines.map((l) => l.netMinor));
  const taxMinor = sumMinor(lines.map((l) => l.taxMinor));
  return { subtotalMinor, taxMinor, totalMinor: checkedMinor(subtotalMinor + taxMinor) };
}

/** A gross amount taken off a line, split back into net and tax at the line's rate. */
export function splitGross(grossMinor: number, taxRateBps: number) {
  const netMinor = checkedMinor(divideRounded(BigInt(grossMinor) * 10_000n, BigInt(10_000 + taxRateBps)));
  return { netMinor, taxMinor: checkedMinor(grossMinor - netMinor), totalMinor: grossMinor };
}

/** The most an early payment may take off: the terms' percentage of the invoice total. */
export function maxEarlyDiscount(totalMinor: number, earlyDiscountBps: number) {
  return percentOf(totalMinor, earlyDiscountBps);
}
