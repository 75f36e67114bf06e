import { z } from "zod";
import { paymentMethod } from "~db/schema";
import { customerInputSchema, type CustomerInput } from "~/customers/customer-schema";
import { MAX_INVOICE_LINES, type createIssuedInvoice } from "~/ledger/invoices.server";
import { decodeCursor } from "~/utils/cursor.server";
import { toDecimalString } from "~/money/money";
import { today } from "~/utils/dates";
import { isoDateSchema, quantitySchema } from "~/utils/form-schemas";
import { pageQuerySchema, parseWith } from "./http.server";

/**
 * What the API accepts, field by field in the caller's snake_case names. JSON has types, so a
 * wrong type is refused with the field's name rather than coerced; unknown fields are ignored.
 */

/** Missing and wrong-typed get their own messages, both naming the field. */
const needs = (field: string, what: string) => ({ error: (issue: { input: unknown }) => (issue.input === undefined ? `${field} is required` : `${field} must be ${what}`) });

const id = (field: string) => z.uuid(needs(field, "an id returned by this API"));

const minorUnits = (field: string) => z.number(needs(field, "a whole number of minor units (12.50 is 1250)")).int(`${field} must be a whole number of minor units (12.50 is 1250)`);

const wholeNumber = (field: string, min: number, max: number) =>
  z
    .number(needs(field, "a whole number"))
    .int(`${field} must be a whole number`)
    .min(min, `${field} must be at least ${min}`)
    .max(max, `${field} must be at most ${max}`);

const text = (field: string, max: number) =>
  z
    .string(needs(field, "a string"))
    .trim()
    .max(max, `${field} must be at most ${max} characters`)
    .nullish()
    .transform((value) => value || null);

const flag = (field: string) => z.boolean(needs(field, "true or false"));

const optionalDate = (field: string) => z.string(needs(field, "a date like 2026-01-31")).pipe(isoDateSchema(field)).nullish();

// ---- customers ----

// The string fields: API name -> the shared schema's name.
const customerTextFields = {
  account_number: "accountNumber",
  name: "name",
  legal_name: "legalName",
  email: "email",
  phone: "phone",
  address_line1: "addressLine1",
  address_line2: "addressLine2",
  city: "city",
  region: "region",
  postal_code: "postalCode",
  country: "country",
  currency: "currency",
  tax_id: "taxId",
  external_ref: "externalRef",
  segment: "segment",
  time_zone: "timeZone",
  collector_id: "collectorId",
} as const;

const customerTypes = z.object({
  ...Object.fromEntries(Object.keys(customerTextFields).map((field) => [field, z.string(needs(field, "a string")).nullish()])),
  payment_terms_days: z.number(needs("payment_terms_days", "a whole number of days")).nullish(),
  early_discount_days: z.number(needs("early_discount_days", "a whole number of days")).nullish(),
  early_discount_bps: wholeNumber("early_discount_bps", 0, 10_000).nullish(),
  credit_limit_minor: minorUnits("credit_limit_minor").min(0, "credit_limit_minor cannot be negative").nullish(),
  credit_hold: flag("credit_hold").nullish(),
}) as z.ZodType<Record<string, string | number | boolean | null | undefined>>;

/** The shared schema's field names as the API spells them, for its messages and the domain's. */
export const customerFieldNames: Record<string, string> = {
  ...Object.fromEntries(Object.entries(customerTextFields).map(([api, shared]) => [shared, api])),
  paymentTermsDays: "payment_terms_days",
  earlyDiscountDays: "early_discount_days",
  earlyDiscountPercent: "early_discount_bps",
  creditLimit: "credit_limit_minor",
  creditHold: "credit_hold",
};

function decimalOrUndefined(amountMinor: number, currency: unknown) {
  try {
    return toDecimalString(amountMinor, String(currency).trim().toUpperCase());
  } catch {
    // An unknown currency: the shared schema names that field, and the limit waits for it.
    return undefined;
  }
}

/**
 * Checks JSON types, then hands the customer to the one schema the form and the import use,
 * in the strings it reads: the credit limit in minor units becomes the decimal it expects.
 */
export function parseCustomerBody(body: Record<string, unknown>): CustomerInput {
  const typed = parseWith(customerTypes, body);
  const input: Record<string, unknown> = {};
  for (const [api, shared] of Object.entries(customerTextFields)) input[shared] = typed[api] ?? undefined;
  input.paymentTermsDays = typed.payment_terms_days ?? undefined;
  input.earlyDiscountDays = typed.early_discount_days ?? undefined;
  input.creditHold = typed.credit_hold ?? false;
  const bps = typed.early_discount_bps;
  if (typeof bps === "number") input.earlyDiscountPercent = `${Math.trunc(bps / 100)}.${String(bps % 100).padStart(2, "0")}`;
  const limit = typed.credit_limit_minor;
  if (typeof limit === "number") input.creditLimit = decimalOrUndefined(limit, typed.currency);
  return parseWith(customerInputSchema, input, (field) => customerFieldNames[field] ?? field);
}

export const customerListQuerySchema = pageQuerySchema((cursor) => decodeCursor(cursor) !== null).extend({
  account_number: z.string().trim().max(40, "account_number must be at most 40 characters").optional(),
  external_ref: z.string().trim().max(100, "external_ref must be at most 100 characters").optional(),
});

// ---- invoices ----

const lineSchema = z.object({
  description: z.string(needs("description", "a string")).trim().min(1, "description is required").max(500, "description must be at most 500 characters"),
  // A number is read through its decimal text, so 2.5 and "2.5" are the same thousandths and 0.1 + 0.2 is refused, not rounded.
  quantity: z.preprocess((value) => (typeof value === "number" ? String(value) : value), quantitySchema("quantity")),
  unit_price_minor: minorUnits("unit_price_minor"),
  tax_rate_bps: wholeNumber("tax_rate_bps", 0, 10_000).default(0),
});

export const invoiceBodySchema = z
  .object({
    customer_id: id("customer_id"),
    lines: z
      .array(lineSchema, needs("lines", "a list of lines"))
      .min(1, "lines needs at least one line")
      .max(MAX_INVOICE_LINES, `lines has at most ${MAX_INVOICE_LINES} lines`),
    issue_date: optionalDate("issue_date"),
    due_date: optionalDate("due_date"),
    po_number: text("po_number", 100),
    memo: text("memo", 2000),
    external_ref: text("external_ref", 100),
    number: z
      .string(needs("number", "a string"))
      .trim()
      .min(1, "number cannot be empty")
      .max(40, "number must be at most 40 characters")
      .optional(),
    send_email: flag("send_email").default(true),
    draft: flag("draft").default(false),
  })
  .superRefine((body, ctx) => {
    if (body.draft && body.number) ctx.addIssue({ code: "custom", path: ["number"], message: "number is given when an invoice is issued; leave it out of a draft" });
    if (body.issue_date && body.due_date && body.due_date < body.issue_date) ctx.addIssue({ code: "custom", path: ["due_date"], message: "due_date cannot be before issue_date" });
  });

export type InvoiceBody = z.output<typeof invoiceBodySchema>;

export function invoiceInput(body: InvoiceBody): Parameters<typeof createIssuedInvoice>[0] {
  return {
    customerId: body.customer_id,
    lines: body.lines.map((line) => ({ description: line.description, quantityMilli: line.quantity, unitPriceMinor: line.unit_price_minor, taxRateBps: line.tax_rate_bps })),
    issueDate: body.issue_date ?? undefined,
    dueDate: body.due_date ?? undefined,
    poNumber: body.po_number,
    memo: body.memo,
    externalRef: body.external_ref,
    source: "api",
    number: body.number,
    notify: body.send_email,
  };
}

export const invoiceFieldNames = { customerId: "customer_id", dueDate: "due_date", issueDate: "issue_date" };

export const invoiceListQuerySchema = pageQuerySchema((cursor) => decodeCursor(cursor) !== null).extend({
  customer_id: id("customer_id").optional(),
  status: z.enum(["draft", "open", "overdue", "paid", "void", "written_off"], { message: "status must be one of draft, open, overdue, paid, void, written_off" }).optional(),
});

// ---- payments ----

const allocationList = z
  .array(
    z.object({
      invoice_id: id("invoice_id"),
      amount_minor: minorUnits("amount_minor").positive("amount_minor must be more than zero"),
    }),
    needs("allocations", '"auto" or a list of {"invoice_id", "amount_minor"}'),
  )
  .max(MAX_INVOICE_LINES, `allocations has at most ${MAX_INVOICE_LINES} invoices`);

/** "auto" pays open invoices oldest due first; a list pays those amounts; left out, the payment stays unapplied. */
const allocationsSchema = z.unknown().transform((value, ctx) => {
  if (value === null) return undefined;
  if (value === "auto") return "auto" as const;
  // Parsed apart from "auto" so a bad item is named (`allocations[1].amount_minor`), which a union would not do.
  const parsed = allocationList.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
  return z.NEVER;
});

export const paymentBodySchema = z.object({
  customer_id: id("customer_id"),
  amount_minor: minorUnits("amount_minor").positive("amount_minor must be more than zero"),
  currency: z
    .string(needs("currency", "an ISO code such as USD"))
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{3}$/, "currency must be an ISO code such as USD"),
  method: z.enum(paymentMethod.enumValues, needs("method", `one of ${paymentMethod.enumValues.join(", ")}`)),
  reference: text("reference", 200),
  memo: text("memo", 2000),
  external_ref: text("external_ref", 100),
  received_on: optionalDate("received_on").transform((value) => value ?? today()),
  allocations: allocationsSchema.optional(),
});

export type PaymentBody = z.output<typeof paymentBodySchema>;

export const paymentFieldNames = { customerId: "customer_id", amount: "amount_minor" };

export const paymentListQuerySchema = pageQuerySchema((cursor) => decodeCursor(cursor) !== null).extend({
  customer_id: id("customer_id").optional(),
});
