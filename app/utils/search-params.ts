import { z } from "zod";
import type { IsoDate } from "./dates";
import { isoDateSchema } from "./form-schemas";

/** An empty field in a query string or form means "not given", so its default applies. */
export const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

/** An optional currency code, upper-cased: "usd" is USD. */
export const currencyParam = () =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .transform((c) => c.toUpperCase())
      .pipe(z.string().regex(/^[A-Z]{3}$/, "Currency must be a three-letter code like USD"))
      .optional(),
  );

/** A day no later than today (a report's as-of or period end); the database has no year 0. */
export const pastDateParam = (label: string, today: IsoDate) =>
  z.preprocess(
    blankToUndefined,
    isoDateSchema(label)
      .refine((d) => d >= "1900-01-01", `${label} must be after 1900`)
      .refine((d) => d <= today, `${label} cannot be in the future`)
      .optional(),
  );
