/**
 * Money as an integer count of minor units with an ISO currency (ADR 003). Every function here
 * keeps amounts exact: no float ever holds an amount, products go through BigInt, and every
 * result is checked to be a safe integer.
 */

export type Money = { readonly amountMinor: number; readonly currency: string };

export class MoneyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MoneyError";
  }
}

const exponents = new Map<string, number>();

/** Digits after the decimal point: USD 2, JPY 0, KWD 3 (from CLDR through Intl). */
export function currencyExponent(currency: string): number {
  let exponent = exponents.get(currency);
  if (exponent === undefined) {
    if (!/^[A-Z]{3}$/.test(currency)) throw new MoneyError(`"${currency}" is not an ISO 4217 currency code`);
    exponent = new Intl.NumberFormat("en-US", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
    exponents.set(currency, exponent);
  }
  return exponent;
}

export function checkedMinor(value: number | bigint): number {
  const n = typeof value === "bigint" ? Number(value) : value;
  if (!Number.isSafeInteger(n) || (typeof value === "bigint" && BigInt(n) !== value)) {
    throw new MoneyError(`${String(value)} is not a whole number of minor units within the safe range`);
  }
  return n;
}

export const money = (amountMinor: number, currency: string): Money => {
  currencyExponent(currency);
  return { amountMinor: checkedMinor(amountMinor), currency };
};

function sameCurrency(a: Money, b: Money) {
  if (a.currency !== b.currency) throw new MoneyError(`cannot combine ${a.currency} with ${b.currency}`);
}

export function add(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return { amountMinor: checkedMinor(a.amountMinor + b.amountMinor), currency: a.currency };
}

export function subtract(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return { amountMinor: checkedMinor(a.amountMinor - b.amountMinor), currency: a.currency };
}

/** -1, 0 or 1, like a sort comparator. */
export function compare(a: Money, b: Money): -1 | 0 | 1 {
  sameCurrency(a, b);
  return a.amountMinor < b.amountMinor ? -1 : a.amountMinor > b.amountMinor ? 1 : 0;
}

/** Sum of plain minor-unit amounts, checked. */
export function sumMinor(amounts: Iterable<number>): number {
  let total = 0;
  for (const amount of amounts) total = checkedMinor(total + amount);
  return total;
}

/** n / d rounded half away from zero, in BigInt so large products stay exact. */
export function divideRounded(n: bigint, d: bigint): bigint {
  if (d === 0n) throw new MoneyError("division by zero");
  if (d < 0n) return divideRounded(-n, -d);
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const q = (abs * 2n + d) / (2n * d);
  return negative ? -q : q;
}

/** `bps` basis points of an amount (250 = 2.5 %), rounded half away from zero. */
export function percentOf(amountMinor: number, bps: number): number {
  if (!Number.isInteger(bps)) throw new MoneyError("basis points must be a whole number");
  return checkedMinor(divideRounded(BigInt(checkedMinor(amountMinor)) * BigInt(bps), 10_000n));
}

/** Quantity (in thousandths) times a unit price, rounded to the minor unit. */
export function extendMinor(quantityMilli: number, unitPriceMinor: number): number {
  return checkedMinor(divideRounded(BigInt(checkedMinor(quantityMilli)) * BigInt(checkedMinor(unitPriceMinor)), 1000n));
}

/**
 * Splits an amount into `parts` amounts that differ by at most one minor unit and sum to it.
 * The larger parts come first, so instalments front-load the remainder deterministically.
 */
export function splitEvenly(amountMinor: number, parts: number): number[] {
  if (!Number.isInteger(parts) || parts < 1) throw new MoneyError("parts must be a whole number of at least 1");
  return allocateByWeights(amountMinor, Array.from({ length: parts }, () => 1));
}

/**
 * Splits an amount in proportion to non-negative integer weights (largest-remainder method):
 * parts sum to the amount exactly; leftover units go to the largest remainders, ties to the
 * earliest part.
 */
export function allocateByWeights(amountMinor: number, weights: readonly number[]): number[] {
  checkedMinor(amountMinor);
  if (weights.length === 0) throw new MoneyError("at least one weight is needed");
  if (weights.some((w) => !Number.isSafeInteger(w) || w < 0)) throw new MoneyError("weights must be non-negative whole numbers");
  const total = weights.reduce((s, w) => s + BigInt(w), 0n);
  if (total === 0n) throw new MoneyError("weights must not all be zero");
  const amount = BigInt(amountMinor);
  const sign = amount < 0n ? -1n : 1n;
  const abs = amount * sign;
  const floors = weights.map((w) => (abs * BigInt(w)) / total);
  const remainders = weights.map((w, i) => ({ i, r: (abs * BigInt(w)) % total }));
  let left = abs - floors.reduce((s, f) => s + f, 0n);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left === 0n) break;
    floors[i] = floors[i]! + 1n;
    left -= 1n;
  }
  return floors.map((f) => checkedMinor(f * sign));
}

export type ParseResult = { ok: true; amountMinor: number } | { ok: false; message: string };

let currencyCodes: Set<string> | undefined;
const isoCurrencies = () => (currencyCodes ??= new Set(Intl.supportedValuesOf("currency")));

const currencyMark = (currency: string, currencyDisplay: "symbol" | "narrowSymbol") =>
  new Intl.NumberFormat("en-US", { style: "currency", currency, currencyDisplay }).formatToParts(1).find((part) => part.type === "currency")?.value;

/**
 * Reads an amount as people type it ("1,234.50", "$1234.5", "1234.50 USD", "-20") into minor
 * units of `currency`. The currency's own symbol or code may stand beside the digits; another
 * currency's ("€50" for a USD invoice) is refused by name, never read as dollars. More decimals
 * than the currency has is an error, never a rounding.
 */
export function parseAmount(input: string, currency: string): ParseResult {
  const exponent = currencyExponent(currency);
  let rest = input.trim().replace(new RegExp(`\\b${currency}\\b`, "i"), "");
  const marks = [currencyMark(currency, "symbol"), currencyMark(currency, "narrowSymbol")].filter((m): m is string => Boolean(m)).sort((a, b) => b.length - a.length);
  for (const mark of marks) {
    if (rest.includes(mark)) {
      rest = rest.replace(mark, "");
      break;
    }
  }
  const cleaned = rest.replace(/[\s,]/g, "");
  const match = /^([-+])?(\d+)(?:\.(\d*))?$/.exec(cleaned) ?? /^([-+])?()\.(\d+)$/.exec(cleaned);
  if (!match) {
    const otherCurrency =
      /\p{Sc}/u.test(rest) || /[a-z]\p{Sc}|\p{Sc}[a-z]/iu.test(input) || (input.match(/\b[a-z]{3}\b/gi) ?? []).some((token) => isoCurrencies().has(token.toUpperCase()));
    return { ok: false, message: otherCurrency ? `Enter the amount in ${currency}` : "Enter an amount like 1250.00" };
  }
  const [, sign, whole = "", fraction = ""] = match;
  if (fraction.length > exponent) {
    return {
      ok: false,
      message: exponent === 0 ? `${currency} amounts have no decimals` : `${currency} amounts have at most ${exponent} decimals`,
    };
  }
  const digits = `${whole || "0"}${fraction.padEnd(exponent, "0")}`;
  const value = BigInt(digits) * (sign === "-" ? -1n : 1n);
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    return { ok: false, message: "That amount is too large" };
  }
  return { ok: true, amountMinor: Number(value) };
}

/** Minor units as a plain decimal string ("1234.50", "1235" for JPY): for CSV and inputs. */
export function toDecimalString(amountMinor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const negative = checkedMinor(amountMinor) < 0;
  const digits = String(Math.abs(amountMinor)).padStart(exponent + 1, "0");
  const whole = exponent === 0 ? digits : digits.slice(0, -exponent);
  const fraction = exponent === 0 ? "" : `.${digits.slice(-exponent)}`;
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** "$1,234.50", "¥1,235", "-€20.00": Intl formats the exact decimal string, never a float. */
export function formatMoney(amountMinor: number, currency: string, locale = "en-US"): string {
  const format = new Intl.NumberFormat(locale, { style: "currency", currency });
  return format.format(toDecimalString(amountMinor, currency) as unknown as number);
}

/** Basis points as a percentage string: 2000 -> "20%", 825 -> "8.25%". */
export function formatBps(bps: number): string {
  const whole = Math.trunc(bps / 100);
  const rest = Math.abs(bps % 100);
  return `${bps < 0 && whole === 0 ? "-" : ""}${whole}${rest ? `.${String(rest).padStart(2, "0").replace(/0$/, "")}` : ""}%`;
}

/** "12.5" -> 12500 thousandths; at most three decimals. */
export function parseQuantity(input: string): { ok: true; quantityMilli: number } | { ok: false; message: string } {
  const match = /^\s*(\d+)(?:\.(\d{0,3}))?\s*$/.exec(input);
  if (!match) return { ok: false, message: "Enter a quantity like 1 or 2.5 (up to 3 decimals)" };
  const value = Number(match[1]) * 1000 + Number((match[2] ?? "").padEnd(3, "0"));
  if (!Number.isSafeInteger(value)) return { ok: false, message: "That quantity is too large" };
  return { ok: true, quantityMilli: value };
}

export function formatQuantity(quantityMilli: number): string {
  const whole = Math.trunc(quantityMilli / 1000);
  const rest = quantityMilli % 1000;
  return rest ? `${whole}.${String(rest).padStart(3, "0").replace(/0+$/, "")}` : String(whole);
}

/** "8.25" or "8.25%" -> 825 basis points. */
export function parsePercentToBps(input: string): { ok: true; bps: number } | { ok: false; message: string } {
  const match = /^\s*(\d{1,3})(?:\.(\d{0,2}))?\s*%?\s*$/.exec(input);
  if (!match) return { ok: false, message: "Enter a percentage like 20 or 8.25" };
  const bps = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
  if (bps > 10_000) return { ok: false, message: "A percentage cannot be above 100" };
  return { ok: true, bps };
}
