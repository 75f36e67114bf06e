import { z } from "zod";
import { amountSchema, idempotencyKeySchema, isoDateSchema, optionalText } from "~/utils/form-schemas";
import { fieldErrors, type FieldErrors } from "~/utils/validation";
import { PLAN_LIMITS, planFrequencies, type PlanFrequency } from "./schedule";

/** The plan form as the portal and the back office post it; amounts are typed in the customer's currency. */
function planFormSchema(currency: string) {
  return z.object({
    instalmentCount: z.coerce
      .number({ message: "Number of instalments must be a number" })
      .int("Number of instalments must be a whole number")
      .min(PLAN_LIMITS.minInstalments, `A plan has at least ${PLAN_LIMITS.minInstalments} instalments`)
      .max(PLAN_LIMITS.maxInstalments, `A plan has at most ${PLAN_LIMITS.maxInstalments} instalments`),
    frequency: z.enum(planFrequencies, { message: "Choose how often to pay" }),
    firstDate: isoDateSchema("First payment date"),
    firstAmount: z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? undefined : value), amountSchema(currency, "First payment").optional()),
    payment: z.enum(["autopay", "by_hand"], { message: "Choose how to pay the instalments" }),
    message: optionalText("Message", 1000),
    idempotencyKey: idempotencyKeySchema,
  });
}

export type PlanFormData = {
  invoiceIds: string[];
  instalmentCount: number;
  frequency: PlanFrequency;
  firstDate: string;
  firstAmountMinor: number | null;
  autopay: boolean;
  message: string | null;
  idempotencyKey: string;
};

const invoiceIdsSchema = z.array(z.uuid()).min(1, "Choose at least one invoice for the plan").max(500, "Choose at most 500 invoices");

export function parsePlanForm(formData: FormData, currency: string): { ok: true; data: PlanFormData } | { ok: false; errors: FieldErrors } {
  const fields = planFormSchema(currency).safeParse(Object.fromEntries(formData));
  const invoiceIds = invoiceIdsSchema.safeParse(formData.getAll("invoiceId"));
  const errors: FieldErrors = { ...(fields.success ? {} : fieldErrors(fields.error)) };
  if (!invoiceIds.success)
    errors.invoices = invoiceIds.error.issues[0]?.code === "too_small" ? "Choose at least one invoice for the plan" : "One of the invoices chosen is not on the account; reload the page";
  if (!fields.success || !invoiceIds.success) return { ok: false, errors };
  const { firstAmount, payment, ...rest } = fields.data;
  return { ok: true, data: { ...rest, invoiceIds: invoiceIds.data, firstAmountMinor: firstAmount ?? null, autopay: payment === "autopay" } };
}
