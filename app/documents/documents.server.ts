import { getCreditNoteDetail } from "~/ledger/credit-notes.server";
import { getInvoiceByToken, getInvoiceDetail } from "~/ledger/invoices.server";
import { invoiceDisplayStatus } from "~/ledger/status";
import { formatBps, formatQuantity } from "~/money/money";
import { getCompanySettings } from "~/settings/settings.server";
import { today } from "~/utils/dates";
import { appUrl } from "~/utils/env.server";
import { addressLines, formatTerms } from "~/utils/format";

type Detail = NonNullable<Awaited<ReturnType<typeof getInvoiceDetail>>>;

/** The customer as a document prints them: nothing internal (limits, collector, processor ids). */
function billTo(customer: Detail["customer"]) {
  return {
    name: customer.name,
    legalName: customer.legalName && customer.legalName !== customer.name ? customer.legalName : null,
    accountNumber: customer.accountNumber,
    addressLines: addressLines(customer),
    email: customer.email,
    taxId: customer.taxId,
  };
}

export type BillTo = ReturnType<typeof billTo>;

async function toInvoiceDocument({ invoice, customer, lines }: Detail) {
  const company = await getCompanySettings();
  const asOf = today();
  const status = invoiceDisplayStatus(invoice, asOf);
  return {
    company,
    number: invoice.number,
    status,
    currency: invoice.currency,
    issueDate: invoice.issueDate,
    dueDate: invoice.dueDate,
    terms: formatTerms(invoice),
    // The early-payment discount is offered only while it can still be taken.
    discountOffer: invoice.status === "open" && invoice.discountDueDate && invoice.discountDueDate >= asOf ? { percent: formatBps(invoice.earlyDiscountBps), until: invoice.discountDueDate } : null,
    poNumber: invoice.poNumber,
    memo: invoice.memo,
    customer: billTo(customer),
    lines: lines.map((line) => ({
      id: line.id,
      description: line.description,
      quantity: formatQuantity(line.quantityMilli),
      unitPriceMinor: line.unitPriceMinor,
      taxRate: formatBps(line.taxRateBps),
      netMinor: line.netMinor,
    })),
    subtotalMinor: invoice.subtotalMinor,
    taxMinor: invoice.taxMinor,
    totalMinor: invoice.totalMinor,
    // What has reduced the total, in the order a reader expects; only what happened.
    adjustments: [
      { label: "Paid", amountMinor: invoice.paidMinor },
      { label: "Credited", amountMinor: invoice.creditedMinor },
      { label: "Early-payment discount", amountMinor: invoice.discountedMinor },
      { label: "Written off", amountMinor: invoice.writtenOffMinor },
    ].filter((a) => a.amountMinor !== 0),
    // A void invoice asks for nothing, whatever its columns still say.
    amountDueMinor: invoice.status === "void" ? 0 : invoice.openMinor,
    viewUrl: invoice.status === "draft" ? null : `${appUrl()}/invoices/${invoice.publicToken}`,
    voidReason: invoice.status === "void" ? invoice.voidReason : null,
  };
}

export type InvoiceDocument = Awaited<ReturnType<typeof toInvoiceDocument>>;

/** An invoice as printed for staff: drafts too (marked as such). */
export async function invoiceDocument(invoiceId: string): Promise<InvoiceDocument | null> {
  const detail = await getInvoiceDetail(invoiceId);
  return detail ? toInvoiceDocument(detail) : null;
}

/** An invoice as its public link shows it; drafts and unknown tokens are simply not there. */
export async function invoiceDocumentByToken(token: string): Promise<InvoiceDocument | null> {
  const detail = await getInvoiceByToken(token);
  return detail ? toInvoiceDocument(detail) : null;
}

const creditKindTitles = { credit_note: "Credit note", discount: "Early-payment discount", write_off: "Write-off" } as const;

export async function creditNoteDocument(creditNoteId: string) {
  const detail = await getCreditNoteDetail(creditNoteId);
  if (!detail) return null;
  const { note, customer, lines, applied, refunds, invoice, availableMinor } = detail;
  return {
    company: await getCompanySettings(),
    title: creditKindTitles[note.kind],
    number: note.number,
    currency: note.currency,
    issueDate: note.issueDate,
    invoiceNumber: invoice?.number ?? null,
    reason: note.reason,
    memo: note.memo,
    voided: note.voidedAt !== null,
    voidReason: note.voidReason,
    customer: billTo(customer),
    lines: lines.map((line) => ({ id: line.id, description: line.description, taxRate: formatBps(line.taxRateBps), netMinor: line.netMinor, taxMinor: line.taxMinor, totalMinor: line.totalMinor })),
    subtotalMinor: note.subtotalMinor,
    taxMinor: note.taxMinor,
    totalMinor: note.totalMinor,
    applied: applied.map((a) => ({ id: a.id, invoiceNumber: a.invoiceNumber, appliedOn: a.appliedOn, amountMinor: a.amountMinor })),
    refunds: refunds.map((r) => ({ id: r.id, refundedOn: r.refundedOn, amountMinor: r.amountMinor })),
    availableMinor: note.voidedAt ? 0 : availableMinor,
  };
}

export type CreditNoteDocument = NonNullable<Awaited<ReturnType<typeof creditNoteDocument>>>;
