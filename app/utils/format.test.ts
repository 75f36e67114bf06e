import { describe, expect, it } from "vitest";
import { formatMinor } from "./format";

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
