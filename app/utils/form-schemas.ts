import { z } from "zod";
import { parseAmount, parsePercentToBps, parseQuantity } from "~/money/money";
import { isIsoDate } from "./dates";

/**
 * Field schemas shared by forms, the API and imports, so one input gets one message wherever it
 * arrives. Each message names the field.
 */

/** An amount typed by a person ("1,250.00") as minor units of `currency`; more than zero unless `allowZero`. */
export function amountSchema(currency: string, label = "Amount", { allowZero = false } = {}) {
  return z
    .string({ message: `${label} is required` })
    .trim()
    .min(1, `${label} is required`)
    .transform((value, ctx) => {
      const parsed = parseAmount(value, currency);
      if (!parsed.ok) {
        ctx.addIssue({ code: "custom", message: `${label}: ${parsed.message}` });
        return z.NEVER;
      }
      if (parsed.amountMinor < 0 || (!allowZero && parsed.amountMinor === 0)) {
        ctx.addIssue({ code: "custom", message: `${label} must be more than zero` });
        return z.NEVER;
      }
      return parsed.amountMinor;
    });
}

export function isoDateSchema(label = "Date") {
  return z
    .string({ message: `${label} is required` })
    .trim()
    .refine(isIsoDate, `${label} must be a date like 2026-01-31`);
}

export const optionalText = (label: string, max = 500) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be at most ${max} characters`)
    .optional()
    .transform((value) => (value ? value : null));

export const requiredText = (label: string, max = 500) =>
  z.string({ message: `${label} is required` }).trim().min(1, `${label} is required`).max(max, `${label} must be at most ${max} characters`);

export const quantitySchema = (label = "Quantity") =>
  z
    .string({ message: `${label} is required` })
    .transform((value, ctx) => {
      const parsed = parseQuantity(value);
      if (!parsed.ok || parsed.quantityMilli === 0) {
        ctx.addIssue({ code: "custom", message: `${label}: ${parsed.ok ? "must be more than zero" : parsed.message}` });
        return z.NEVER;
      }
      return parsed.quantityMilli;
    });

export const taxRateSchema = (label = "Tax rate") =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === "") return 0;
      const parsed = parsePercentToBps(value);
      if (!parsed.ok) {
        ctx.addIssue({ code: "custom", message: `${label}: ${parsed.message}` });
        return z.NEVER;
      }
      return parsed.bps;
    });

/** The hidden key a form carries so a double submit, a retry or the back button does it once. */
export const idempotencyKeySchema = z.string({ message: "The form expired; reload the page and try again" }).regex(/^[A-Za-z0-9_-]{8,100}$/, "The form expired; reload the page and try again");

export const paymentMethodSchema = z.enum(["check", "wire", "ach", "cash", "card", "bank_debit", "other"], { message: "Choose how the payment was made" });
