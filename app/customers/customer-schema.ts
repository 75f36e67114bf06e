import { z } from "zod";
import { currencyExponent, parseAmount, parsePercentToBps } from "~/money/money";

/**
 * One customer, as the back-office form, the JSON API and the CSV import all receive it: every
 * field a string or absent, every message naming the field. Amounts come in the customer's
 * currency as people write them ("25,000.00").
 */

const blank = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const text = (label: string, max = 200) =>
  z.preprocess(blank, z.string({ message: `${label} must be text` }).trim().max(max, `${label} must be at most ${max} characters`).optional());

function isTimeZone(value: string) {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function isCurrency(value: string) {
  try {
    currencyExponent(value);
    new Intl.NumberFormat("en-US", { style: "currency", currency: value });
    return true;
  } catch {
    return false;
  }
}

const wholeNumber = (label: string, min: number, max: number) =>
  z.preprocess(
    blank,
    z.coerce
      .number({ message: `${label} must be a whole number` })
      .int(`${label} must be a whole number`)
      .min(min, `${label} must be at least ${min}`)
      .max(max, `${label} must be at most ${max}`)
      .optional(),
  );

export const customerInputSchema = z
  .object({
    accountNumber: z.preprocess(
      blank,
      z
        .string()
        .trim()
        .max(40, "Account number must be at most 40 characters")
        .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "Account number may use letters, digits, dots, dashes and underscores")
        .optional(),
    ),
    name: z.preprocess(blank, z.string({ message: "Name is required" }).trim().min(1, "Name is required").max(200, "Name must be at most 200 characters")),
    legalName: text("Legal name"),
    email: z.preprocess(blank, z.email({ message: "Billing email must be an email address" }).max(254).transform((e) => e.toLowerCase()).optional()),
    phone: text("Phone", 40),
    addressLine1: text("Address line 1"),
    addressLine2: text("Address line 2"),
    city: text("City", 100),
    region: text("Region", 100),
    postalCode: text("Postal code", 20),
    country: z.preprocess(
      (v) => (typeof blank(v) === "string" ? (v as string).trim().toUpperCase() : blank(v)),
      z.string().regex(/^[A-Z]{2}$/, "Country must be a two-letter code such as US or GB").optional(),
    ),
    currency: z.preprocess(
      (v) => (typeof v === "string" ? v.trim().toUpperCase() : v),
      z.string({ message: "Currency is required" }).refine((v) => /^[A-Z]{3}$/.test(v) && isCurrency(v), "Currency must be an ISO code such as USD or EUR"),
    ),
    paymentTermsDays: wholeNumber("Payment terms", 0, 365).transform((v) => v ?? 30),
    earlyDiscountPercent: z.preprocess(blank, z.string().optional()),
    earlyDiscountDays: wholeNumber("Discount days", 0, 365).transform((v) => v ?? 0),
    creditLimit: z.preprocess(blank, z.string().optional()),
    creditHold: z.preprocess((v) => v === "on" || v === "true" || v === true || v === "1" || v === "yes", z.boolean()),
    taxId: text("Tax ID", 50),
    externalRef: text("External reference", 100),
    segment: text("Segment", 60),
    timeZone: z.preprocess(blank, z.string().refine(isTimeZone, "Time zone must be an IANA name such as America/New_York").optional()),
    collectorId: z.preprocess(blank, z.uuid({ message: "Collector must be one of the staff" }).optional()),
  })
  .transform((input, ctx) => {
    let earlyDiscountBps = 0;
    if (input.earlyDiscountPercent !== undefined) {
      const parsed = parsePercentToBps(input.earlyDiscountPercent);
      if (!parsed.ok) ctx.addIssue({ code: "custom", path: ["earlyDiscountPercent"], message: `Early-payment discount: ${parsed.message}` });
      else earlyDiscountBps = parsed.bps;
    }
    if (earlyDiscountBps > 0 && input.earlyDiscountDays === 0) {
      ctx.addIssue({ code: "custom", path: ["earlyDiscountDays"], message: "Discount days are required with an early-payment discount" });
    }
    if (earlyDiscountBps > 0 && input.earlyDiscountDays > input.paymentTermsDays) {
      ctx.addIssue({ code: "custom", path: ["earlyDiscountDays"], message: "Discount days cannot be longer than the payment terms" });
    }
    let creditLimitMinor: number | null = null;
    if (input.creditLimit !== undefined && /^[A-Z]{3}$/.test(input.currency)) {
      const parsed = parseAmount(input.creditLimit, input.currency);
      if (!parsed.ok) ctx.addIssue({ code: "custom", path: ["creditLimit"], message: `Credit limit: ${parsed.message}` });
      else if (parsed.amountMinor < 0) ctx.addIssue({ code: "custom", path: ["creditLimit"], message: "Credit limit cannot be negative" });
      else creditLimitMinor = parsed.amountMinor;
    }
    const { earlyDiscountPercent: _p, creditLimit: _c, ...rest } = input;
    return {
      ...rest,
      earlyDiscountBps,
      earlyDiscountDays: earlyDiscountBps > 0 ? input.earlyDiscountDays : 0,
      creditLimitMinor,
      timeZone: input.timeZone ?? "UTC",
    };
  });

export type CustomerInput = z.output<typeof customerInputSchema>;
