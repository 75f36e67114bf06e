import { z } from "zod";
import { amountSchema, isoDateSchema, optionalText, quantitySchema, requiredText, taxRateSchema } from "~/utils/form-schemas";
import type { FieldErrors } from "~/utils/validation";
import { formatBps, formatQuantity, toDecimalString } from "~/money/money";
import type { InvoiceDraftInput } from "./invoices.server";
import type { LineInput } from "./invoice-math";

/**
 * The invoice form as typed: every value a string, so a page can show exactly what was sent back
 * after an error. Lines arrive as `lines[0].description` ... and are read in index order.
 */
export type LineValues = { description: string; quantity: string; unitPrice: string; taxRate: string };
export type InvoiceFormValues = { lines: LineValues[]; issueDate: string; dueDate: string; poNumber: string; memo: string };

export const MAX_FORM_LINES = 200;
const lineFields = ["description", "quantity", "unitPrice", "taxRate"] as const;
const LINE_KEY = /^lines\[(\d{1,4})\]\.(description|quantity|unitPrice|taxRate)$/;

export const blankLine = (): LineValues => ({ description: "", quantity: "", unitPrice: "", taxRate: "" });
const isBlank = (line: LineValues) => lineFields.every((field) => line[field].trim() === "");

export function invoiceFormValues(formData: FormData): InvoiceFormValues {
  const byIndex = new Map<number, LineValues>();
  for (const [key, value] of formData) {
    const match = LINE_KEY.exec(key);
    if (!match || typeof value !== "string") continue;
    const index = Number(match[1]);
    const line = byIndex.get(index) ?? blankLine();
    line[match[2] as keyof LineValues] = value;
    byIndex.set(index, line);
  }
  const text = (name: string) => {
    const value = formData.get(name);
    return typeof value === "string" ? value : "";
  };
  return {
    lines: [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, line]) => line),
    issueDate: text("issueDate"),
    dueDate: text("dueDate"),
    poNumber: text("poNumber"),
    memo: text("memo"),
  };
}

/** A stored line as the editor shows it. */
export function lineValues(line: LineInput, currency: string): LineValues {
  return {
    description: line.description,
    quantity: formatQuantity(line.quantityMilli),
    unitPrice: toDecimalString(line.unitPriceMinor, currency),
    taxRate: line.taxRateBps === 0 ? "" : formatBps(line.taxRateBps).replace("%", ""),
  };
}

/** A blank quantity means one, as the form's placeholder shows. */
export const quantityOrOne = (value: string) => value.trim() || "1";

export const lineFieldName = (index: number, field: keyof LineValues) => `lines[${index}].${field}`;

function lineSchema(currency: string, n: number) {
  return z.object({
    description: requiredText(`Line ${n}: Description`, 500),
    quantity: z
      .string()
      .transform(quantityOrOne)
      .pipe(quantitySchema(`Line ${n}: Quantity`)),
    unitPrice: amountSchema(currency, `Line ${n}: Unit price`),
    taxRate: taxRateSchema(`Line ${n}: Tax rate`),
  });
}

const optionalDate = (label: string) =>
  z
    .string()
    .trim()
    .transform((value) => value || null)
    .pipe(isoDateSchema(label).nullable());

/**
 * Form values -> the draft's fields, in the customer's currency. Line errors are keyed by the
 * row as shown (`lines[1].unitPrice`) and name it ("Line 2: Unit price ..."); fully blank rows
 * are left out. Totals are not read from the form at all: the ledger prices the lines.
 */
export function invoiceFormSchema(currency: string) {
  return z
    .object({
      lines: z.array(z.object({ description: z.string(), quantity: z.string(), unitPrice: z.string(), taxRate: z.string() })).transform((rows, ctx) => {
        if (rows.length > MAX_FORM_LINES) {
          ctx.addIssue({ code: "custom", message: `An invoice has at most ${MAX_FORM_LINES} lines` });
          return z.NEVER;
        }
        const lines: LineInput[] = [];
        rows.forEach((row, index) => {
          if (isBlank(row)) return;
          const parsed = lineSchema(currency, index + 1).safeParse(row);
          if (!parsed.success) {
            for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: [index, ...issue.path] });
            return;
          }
          lines.push({ description: parsed.data.description, quantityMilli: parsed.data.quantity, unitPriceMinor: parsed.data.unitPrice, taxRateBps: parsed.data.taxRate });
        });
        if (rows.every(isBlank)) ctx.addIssue({ code: "custom", message: "Add at least one line with a description and a unit price" });
        return lines;
      }),
      issueDate: optionalDate("Issue date"),
      dueDate: optionalDate("Due date"),
      poNumber: optionalText("PO number", 100),
      memo: optionalText("Memo", 2000),
    })
    .refine((form) => !form.issueDate || !form.dueDate || form.dueDate >= form.issueDate, {
      message: "Due date cannot be before the issue date",
      path: ["dueDate"],
      // Checked alongside line errors too, as soon as both dates themselves are valid.
      when: ({ issues }) => !issues.some((issue) => issue.path?.[0] === "issueDate" || issue.path?.[0] === "dueDate"),
    });
}

export type InvoiceFormOutput = Required<Pick<InvoiceDraftInput, "lines" | "issueDate" | "dueDate" | "poNumber" | "memo">>;

/** Field name as the form uses it: ["lines", 1, "unitPrice"] -> "lines[1].unitPrice". */
function fieldName(path: readonly PropertyKey[]) {
  const [head, index, field] = path;
  if (head === "lines" && typeof index === "number" && typeof field === "string") return lineFieldName(index, field as keyof LineValues);
  return String(head ?? "form");
}

export function parseInvoiceForm(values: InvoiceFormValues, currency: string): { ok: true; data: InvoiceFormOutput } | { ok: false; errors: FieldErrors } {
  const result = invoiceFormSchema(currency).safeParse(values);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) errors[fieldName(issue.path)] ??= issue.message;
  return { ok: false, errors };
}
