import { z } from "zod";
import { isoDateSchema } from "~/utils/form-schemas";

/** What the exports page offers and the CSV files hold; shared by the page, the routes and the CLI. */
export const exportKinds = ["journal", "payments"] as const;
export type ExportKind = (typeof exportKinds)[number];

export const journalColumns = ["entry_id", "date", "type", "customer_account", "invoice_number", "account", "debit", "credit", "currency", "description", "source_key"];
export const paymentColumns = ["payment_id", "date", "customer_account", "customer_name", "method", "reference", "amount", "applied", "refunded", "unapplied", "currency", "status"];

export const exportRangeSchema = z
  .object({ from: isoDateSchema("From"), to: isoDateSchema("To") })
  .refine((range) => range.from <= range.to, { path: ["to"], message: "To must be on or after From" });
export type ExportRange = z.infer<typeof exportRangeSchema>;
