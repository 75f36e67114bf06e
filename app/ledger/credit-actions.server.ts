import { z } from "zod";
import type { Actor } from "~/audit/audit.server";
import { invalid, runDomain } from "~/utils/action.server";
import { idempotencyKeySchema } from "~/utils/form-schemas";
import { invariantResponse } from "~/utils/responses.server";
import { parseForm } from "~/utils/validation";
import { invoiceNumbersOf, parseAllocationRequest, refundFormSchema, unapplyFormSchema } from "./allocation-form";
import { applyCreditNote } from "./credit-notes.server";
import { listOpenInvoices } from "./invoices.server";
import { allocatePayment, refund, unapplyAllocation } from "./payments.server";

export const creditIntents = ["apply", "unapply", "refund"] as const;
export type CreditIntent = (typeof creditIntents)[number];

const applySchema = z.object({ requestKey: idempotencyKeySchema, applyMode: z.enum(["choose", "auto"], { message: "Choose how to apply the credit" }) });

type Source = { paymentId: string } | { creditNoteId: string };

/**
 * What the payment page and the credit-note page share: apply the unapplied money to invoices,
 * take an application back, refund what is unapplied. Returns the answer for a bad form or a
 * refused operation, or what was done.
 */
export async function handleCreditIntent(
  intent: CreditIntent,
  formData: FormData,
  { source, customerId, currency, applied, actor }: { source: Source; customerId: string; currency: string; applied: { id: string; amountMinor: number }[]; actor: Actor },
) {
  const refused = (response: ReturnType<typeof invalid>) => ({ ok: false as const, response });
  if (intent === "apply") {
    const fields = parseForm(applySchema, formData);
    if (!fields.ok) return refused(invalid(fields.errors));
    const invoiceNumbers = fields.data.applyMode === "choose" ? invoiceNumbersOf(await listOpenInvoices(customerId)) : new Map<string, string | null>();
    const request = parseAllocationRequest(formData, { mode: fields.data.applyMode, currency, invoiceNumbers });
    if (!request.ok) return refused(invalid(request.errors));
    const options = { allocations: request.allocations!, requestKey: fields.data.requestKey };
    const result = await runDomain<unknown>(() =>
      "paymentId" in source ? allocatePayment({ paymentId: source.paymentId, ...options }, actor) : applyCreditNote({ creditNoteId: source.creditNoteId, ...options }, actor),
    );
    return result.ok ? { ok: true as const, done: "applied" } : refused(result.response);
  }
  if (intent === "unapply") {
    const fields = parseForm(unapplyFormSchema, formData);
    if (!fields.ok) return refused(invalid(fields.errors));
    invariantResponse(applied.some((row) => row.id === fields.data.allocationId && row.amountMinor > 0), "Application not found");
    const result = await runDomain(() => unapplyAllocation({ allocationId: fields.data.allocationId, reason: fields.data.reason }, actor));
    return result.ok ? { ok: true as const, done: "unapplied" } : refused(result.response);
  }
  const fields = parseForm(refundFormSchema(currency), formData);
  if (!fields.ok) return refused(invalid(fields.errors));
  const { amount, ...rest } = fields.data;
  const result = await runDomain(() => refund({ source, amountMinor: amount, ...rest }, actor));
  return result.ok ? { ok: true as const, done: "refunded" } : refused(result.response);
}
