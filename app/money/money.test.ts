import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  add,
  allocateByWeights,
  compare,
  currencyExponent,
  extendMinor,
  formatBps,
  formatMoney,
  money,
  MoneyError,
  parseAmount,
  parsePercentToBps,
  parseQuantity,
  percentOf,
  splitEvenly,
  subtract,
  toDecimalString,
} from "./money";

const amount = fc.integer({ min: -1_000_000_000_000, max: 1_000_000_000_000 });
const currency = fc.constantFrom("USD", "EUR", "JPY", "KWD", "GBP");

describe("money laws", () => {
  it("adds commutatively and associatively, and subtracting undoes adding", () => {
    fc.assert(
      fc.property(amount, amount, amount, currency, (a, b, c, cur) => {
        const [x, y, z] = [money(a, cur), money(b, cur), money(c, cur)];
        expect(add(x, y)).toEqual(add(y, x));
        expect(add(add(x, y), z)).toEqual(add(x, add(y, z)));
        expect(subtract(add(x, y), y)).toEqual(x);
      }),
    );
  });

  it("compares like the integers it holds", () => {
    fc.assert(
      fc.property(amount, amount, (a, b) => {
        expect(compare(money(a, "USD"), money(b, "USD"))).toBe(Math.sign(a - b) || 0);
      }),
    );
  });

  it("refuses to mix currencies and to leave the safe range", () => {
    expect(() => add(money(1, "USD"), money(1, "EUR"))).toThrow(MoneyError);
    expect(() => add(money(Number.MAX_SAFE_INTEGER, "USD"), money(1, "USD"))).toThrow(MoneyError);
    expect(() => money(0.5, "USD")).toThrow(MoneyError);
  });

  it("splits into parts that sum to the whole and differ by at most one unit, larger first", () => {
    fc.assert(
      fc.property(amount, fc.integer({ min: 1, max: 60 }), (total, n) => {
        const parts = splitEvenly(total, n);
        expect(parts).toHaveLength(n);
        expect(parts.reduce((s, p) => s + p, 0)).toBe(total);
        expect(Math.max(...parts) - Math.min(...parts)).toBeLessThanOrEqual(1);
        const magnitudes = parts.map(Math.abs);
        expect([...magnitudes].sort((a, b) => b - a)).toEqual(magnitudes);
      }),
    );
    expect(splitEvenly(10000, 3)).toEqual([3334, 3333, 3333]);
  });

  it("splits by weights in proportion, deterministically, summing to the whole", () => {
    fc.assert(
      fc.property(amount, fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 20 }).filter((w) => w.some((x) => x > 0)), (total, weights) => {
        const parts = allocateByWeights(total, weights);
        expect(parts.reduce((s, p) => s + p, 0)).toBe(total);
        expect(allocateByWeights(total, weights)).toEqual(parts);
        const weightSum = weights.reduce((s, w) => s + w, 0);
        parts.forEach((part, i) => {
          // Each part is within one unit of its exact share.
          const exact = (total * weights[i]!) / weightSum;
          expect(Math.abs(part - exact)).toBeLessThan(1.000001);
          if (weights[i] === 0) expect(part).toBe(0);
        });
      }),
    );
    expect(allocateByWeights(100, [1, 1, 1])).toEqual([34, 33, 33]);
  });

  it("takes percentages in basis points, rounding half away from zero", () => {
    expect(percentOf(4998, 825)).toBe(412); // 412.335
    expect(percentOf(200, 25)).toBe(1); // 0.5 -> 1
    expect(percentOf(-200, 25)).toBe(-1);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 0, max: 10_000 }), (a, bps) => {
        const p = percentOf(a, bps);
        expect(Math.abs(p * 10_000 - a * bps)).toBeLessThanOrEqual(5_000);
      }),
    );
  });

  it("extends quantity times price exactly even when the product passes 2^53", () => {
    expect(extendMinor(2500, 1999)).toBe(4998); // 4997.5 -> 4998
    expect(extendMinor(999_999_999, 9_000_000)).toBe(8_999_999_991_000);
  });

  it("parses what people type, and round-trips through its decimal string", () => {
    expect(parseAmount("1,234.50", "USD")).toEqual({ ok: true, amountMinor: 123450 });
    expect(parseAmount("$ 1234.5", "USD")).toEqual({ ok: true, amountMinor: 123450 });
    expect(parseAmount(".5", "USD")).toEqual({ ok: true, amountMinor: 50 });
    expect(parseAmount("-20", "EUR")).toEqual({ ok: true, amountMinor: -2000 });
    expect(parseAmount("1235", "JPY")).toEqual({ ok: true, amountMinor: 1235 });
    expect(parseAmount("12.5", "JPY")).toMatchObject({ ok: false, message: "JPY amounts have no decimals" });
    expect(parseAmount("1.005", "USD")).toMatchObject({ ok: false, message: "USD amounts have at most 2 decimals" });
    expect(parseAmount("1.005", "KWD")).toEqual({ ok: true, amountMinor: 1005 });
    expect(parseAmount("abc", "USD").ok).toBe(false);
    expect(parseAmount("1e5", "USD").ok).toBe(false);
    expect(parseAmount("1234.50 USD", "USD")).toEqual({ ok: true, amountMinor: 123450 });
    expect(parseAmount("€50", "EUR")).toEqual({ ok: true, amountMinor: 5000 });
    expect(parseAmount("€50", "USD")).toEqual({ ok: false, message: "Enter the amount in USD" });
    expect(parseAmount("50 EUR", "USD")).toEqual({ ok: false, message: "Enter the amount in USD" });
    expect(parseAmount("CA$5", "USD")).toEqual({ ok: false, message: "Enter the amount in USD" });
    expect(parseAmount("50 dollars", "USD").ok).toBe(false);
    expect(parseAmount("99999999999999999", "USD").ok).toBe(false);
    fc.assert(
      fc.property(amount, currency, (a, cur) => {
        expect(parseAmount(toDecimalString(a, cur), cur)).toEqual({ ok: true, amountMinor: a });
      }),
    );
  });

  it("formats per currency without a float", () => {
    expect(currencyExponent("JPY")).toBe(0);
    expect(currencyExponent("KWD")).toBe(3);
    expect(formatMoney(123450, "USD")).toBe("$1,234.50");
    expect(formatMoney(1235, "JPY")).toBe("¥1,235");
    expect(formatMoney(-2000, "EUR")).toBe("-€20.00");
    expect(formatMoney(9_007_199_254_740_991, "USD")).toBe("$90,071,992,547,409.91");
    expect(formatBps(825)).toBe("8.25%");
    expect(formatBps(2000)).toBe("20%");
  });

  it("parses quantities and percentages", () => {
    expect(parseQuantity("2.5")).toEqual({ ok: true, quantityMilli: 2500 });
    expect(parseQuantity("1.2345").ok).toBe(false);
    expect(parsePercentToBps("8.25%")).toEqual({ ok: true, bps: 825 });
    expect(parsePercentToBps("101").ok).toBe(false);
  });
});
