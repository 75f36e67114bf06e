import type { IsoDate } from "~/utils/dates";

export type InvoiceDisplayStatus = "draft" | "open" | "partially_paid" | "overdue" | "paid" | "void" | "written_off";

type StatusFields = { status: string; dueDate: string | null; totalMinor: number; openMinor: number };

/** The one definition of what an invoice's status reads as, for every page, file and API. */
export function invoiceDisplayStatus(invoice: StatusFields, asOf: IsoDate): InvoiceDisplayStatus {
  if (invoice.status !== "open") return invoice.status as InvoiceDisplayStatus;
  if (invoice.dueDate !== null && invoice.dueDate < asOf) return "overdue";
  return invoice.openMinor < invoice.totalMinor ? "partially_paid" : "open";
}

export const statusLabels: Record<InvoiceDisplayStatus, string> = {
  draft: "Draft",
  open: "Open",
  partially_paid: "Partially paid",
  overdue: "Overdue",
  paid: "Paid",
  void: "Void",
  written_off: "Written off",
};

export const statusTone: Record<InvoiceDisplayStatus, "" | "ok" | "warn" | "danger" | "brand"> = {
  draft: "",
  open: "brand",
  partially_paid: "warn",
  overdue: "danger",
  paid: "ok",
  void: "",
  written_off: "",
};

export const creditNoteKindLabels = { credit_note: "Credit note", discount: "Early-payment discount", write_off: "Write-off" } as const;
