import { z } from "zod";
import { amountSchema, idempotencyKeySchema, optionalText, paymentMethodSchema, requiredText } from "~/utils/form-schemas";
import type { FieldErrors } from "~/utils/validation";

/**
 * Form fields for applying money, shared by the payment and credit-note pages. Allocation rows
 * arrive as one field per open invoice, named `apply.<invoiceId>`, so a table of any length
 * posts as a flat form; a blank row applies nothing.
 */
export const APPLY_PREFIX = "apply.";
export const applyFieldName = (invoiceId: string) => `${APPLY_PREFIX}${invoiceId}`;

export type AmountRow = { id: string; amountMinor: number };

/**
 * Reads every `<prefix><uuid>` field as an amount in `currency`. Each bad amount is reported on
 * its own field, with a message that names the row (`labelFor` gives "invoice INV-000123").
 */
export function parseAmountRows(
  formData: FormData,
  { prefix, currency, labelFor }: { prefix: string; currency: string; labelFor: (id: string) => string },
): { ok: true; rows: AmountRow[] } | { ok: false; errors: FieldErrors } {
  const rows: AmountRow[] = [];
  const errors: FieldErrors = {};
  for (const [name, value] of formData) {
    if (!name.startsWith(prefix) || typeof value !== "string" || value.trim() === "") continue;
    const id = name.slice(prefix.length);
    if (!z.uuid().safeParse(id).success) {
      errors[name] = "That row is not on this form; reload the page";
      continue;
    }
    const amount = amountSchema(currency, `Amount for ${labelFor(id)}`).safeParse(value);
    if (amount.success) rows.push({ id, amountMinor: amount.data });
    else errors[name] = amount.error.issues[0]?.message;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, rows };
}

export const applyModeSchema = z.enum(["auto", "choose", "none"], { message: "Choose how to apply the payment" });
export type ApplyMode = z.infer<typeof applyModeSchema>;

/**
 * The allocation request of a form: "auto" (oldest due first), the chosen rows, or nothing.
 * Choosing without entering any amount is an error rather than a silent "leave unapplied".
 */
export function parseAllocationRequest(
  formData: FormData,
  { mode, currency, invoiceNumbers }: { mode: ApplyMode; currency: string; invoiceNumbers: Map<string, string | null> },
): { ok: true; allocations: { invoiceId: string; amountMinor: number }[] | "auto" | undefined } | { ok: false; errors: FieldErrors } {
  if (mode === "auto") return { ok: true, allocations: "auto" };
  if (mode === "none") return { ok: true, allocations: undefined };
  const parsed = parseAmountRows(formData, { prefix: APPLY_PREFIX, currency, labelFor: (id) => `invoice ${invoiceNumbers.get(id) ?? "(not open)"}` });
  if (!parsed.ok) return { ok: false, errors: { allocations: "Some amounts need correcting; see the marked rows", ...parsed.errors } };
  if (parsed.rows.length === 0) return { ok: false, errors: { allocations: "Enter an amount for at least one invoice" } };
  return { ok: true, allocations: parsed.rows.map((row) => ({ invoiceId: row.id, amountMinor: row.amountMinor })) };
}

/** A refund from a payment's or a credit note's unapplied amount. */
export const refundFormSchema = (currency: string) =>
  z.object({
    amount: amountSchema(currency, "Refund amount"),
    method: paymentMethodSchema,
    reference: optionalText("Reference", 100),
    reason: requiredText("Reason"),
    idempotencyKey: idempotencyKeySchema,
  });

/** Taking one application back needs the row and a reason for the audit log. */
export const unapplyFormSchema = z.object({ allocationId: z.uuid({ message: "Application not found" }), reason: requiredText("Reason") });

type OpenInvoice = { id: string; number: string | null; issueDate: string | null; dueDate: string | null; openMinor: number; discountDueDate: string | null };

/** Open invoices as the allocation table shows them; `discountFor` is the discount still on offer (0 for none). */
export function openInvoiceRows<T extends OpenInvoice>(invoices: T[], discountFor: (invoice: T) => number = () => 0) {
  return invoices.map((invoice) => {
    const discountMinor = invoice.discountDueDate ? discountFor(invoice) : 0;
    return {
      id: invoice.id,
      number: invoice.number,
      issueDate: invoice.issueDate,
      dueDate: invoice.dueDate,
      openMinor: invoice.openMinor,
      discount: discountMinor > 0 ? { until: invoice.discountDueDate!, amountMinor: discountMinor } : null,
    };
  });
}

export const invoiceNumbersOf = (invoices: { id: string; number: string | null }[]) => new Map(invoices.map((invoice) => [invoice.id, invoice.number]));
