import { describe, expect, it } from "vitest";
import { formatAddress, formatMinor, formatTerms } from "./format";

describe("formatMinor", () => {
  it.each([
    [123456, "USD", "$1,234.56"],
    [5, "USD", "$0.05"],
    [-1999, "EUR", "-€19.99"],
    [1235, "JPY", "¥1,235"],
    [1234567, "KWD", "KWD 1,234.567"],
    [Number.MAX_SAFE_INTEGER, "USD", "$90,071,992,547,409.91"],
  ])("%i %s -> %s", (minor, currency, expected) => {
    expect(formatMinor(minor, currency).replace(/\u00a0/g, " ")).toBe(expected);
  });
});

describe("formatTerms", () => {
  it.each([
    [{ paymentTermsDays: 30, earlyDiscountBps: 0, earlyDiscountDays: 0 }, "Net 30"],
    [{ paymentTermsDays: 30, earlyDiscountBps: 200, earlyDiscountDays: 10 }, "2/10 net 30"],
    [{ paymentTermsDays: 60, earlyDiscountBps: 150, earlyDiscountDays: 15 }, "1.5/15 net 60"],
    [{ paymentTermsDays: 45, earlyDiscountBps: 125, earlyDiscountDays: 7 }, "1.25/7 net 45"],
  ])("%o -> %s", (terms, expected) => {
    expect(formatTerms(terms)).toBe(expected);
  });
});

describe("formatAddress", () => {
  const base = { addressLine1: "8022 Industrial Way", addressLine2: null, region: null };
  it("puts the US postal code after the state", () => {
    expect(formatAddress({ ...base, city: "Portland", region: "OR", postalCode: "97201", country: "US" })).toBe("8022 Industrial Way, Portland, OR 97201, US");
  });
  it("puts a European postal code before the city", () => {
    expect(formatAddress({ ...base, city: "Rotterdam", postalCode: "3011 AA", country: "NL" })).toBe("8022 Industrial Way, 3011 AA Rotterdam, NL");
  });
});
