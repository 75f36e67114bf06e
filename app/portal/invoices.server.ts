import { and, asc, desc, eq, gt, ilike, inArray, isNull, lt, ne, notExists, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { allocations, creditNoteLines, creditNotes, disputes, invoiceLines, invoices, payments } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { invoiceDocument } from "~/documents/documents.server";
import { methodLabels } from "~/ledger/payments.server";
import { invoiceDisplayStatus } from "~/ledger/status";
import { formatBps, formatQuantity } from "~/money/money";
import { payableInvoices } from "~/payments/payable.server";
import { today, type IsoDate } from "~/utils/dates";
import { afterDay, dayPage, decodeDayCursor } from "./day-cursor.server";
import { likePattern } from "~/utils/like";

// Every read here takes the signed-in customer's id and filters by it: another customer's
// invoice, and any draft, is simply not there.

export const portalInvoiceFilters = ["all", "open", "overdue", "paid", "disputed"] as const;
export type PortalInvoiceFilter = (typeof portalInvoiceFilters)[number];
export const PORTAL_INVOICE_PAGE_SIZE = 20;

const visible = (customerId: string) => and(eq(invoices.customerId, customerId), ne(invoices.status, "draft"));

/** What the customer disputes on each invoice, while the dispute is open. */
const openDisputed = (db: Db, customerId: string) =>
  db
    .select({ invoiceId: disputes.invoiceId, disputedMinor: sql<string>`sum(${disputes.amountMinor})`.as("disputed_minor") })
    .from(disputes)
    .where(and(eq(disputes.customerId, customerId), eq(disputes.status, "open")))
    .groupBy(disputes.invoiceId)
    .as("open_disputed");


/** The customer's invoices, newest issue date first (then highest number), keyset-paginated. */
export async function listPortalInvoices(
  { customerId, filter = "all", q, after, limit = PORTAL_INVOICE_PAGE_SIZE, asOf = today() }: { customerId: string; filter?: PortalInvoiceFilter; q?: string; after?: string; limit?: number; asOf?: IsoDate },
  db: Db = getDb(),
) {
  const disputed = openDisputed(db, customerId);
  const conditions: (SQL | undefined)[] = [visible(customerId)];
  if (filter === "open") conditions.push(eq(invoices.status, "open"));
  if (filter === "overdue") conditions.push(eq(invoices.status, "open"), lt(invoices.dueDate, asOf));
  if (filter === "paid") conditions.push(eq(invoices.status, "paid"));
  if (filter === "disputed") conditions.push(sql`${disputed.disputedMinor} is not null`);
  if (q) conditions.push(or(ilike(invoices.number, likePattern(q)), ilike(invoices.poNumber, likePattern(q))));
  conditions.push(afterDay(invoices.issueDate, invoices.number, decodeDayCursor(after, "text"), "text"));
  const rows = await db
    .select({
      id: invoices.id,
      number: invoices.number,
      status: invoices.status,
      currency: invoices.currency,
      issueDate: invoices.issueDate,
      dueDate: invoices.dueDate,
      poNumber: invoices.poNumber,
      totalMinor: invoices.totalMinor,
      openMinor: invoices.openMinor,
      disputedMinor: sql<number>`coalesce(${disputed.disputedMinor}, 0)`.mapWith(Number),
    })
    .from(invoices)
    .leftJoin(disputed, eq(disputed.invoiceId, invoices.id))
    .where(and(...conditions))
    .orderBy(desc(invoices.issueDate), desc(invoices.number))
    .limit(limit + 1);
  const { page, nextCursor } = dayPage(rows, limit, (row) => [row.issueDate!, row.number!]);
  return { invoices: page.map((row) => ({ ...row, number: row.number!, issueDate: row.issueDate!, dueDate: row.dueDate!, displayStatus: invoiceDisplayStatus(row, asOf) })), nextCursor };
}

const reversal = alias(allocations, "reversal");
const applicationLabels = { credit_note: "Credit note", discount: "Early-payment discount", write_off: "Written off" } as const;

/**
 * One invoice as its customer sees it: lines (with what is credited and disputed on each), what
 * has been applied to it (payments and credit documents still standing), and its disputes. Only
 * what the customer may read: no staff names, memos of payments or internal notes.
 */
export async function getPortalInvoice(invoiceId: string, customerId: string, asOf: IsoDate = today(), db: Db = getDb()) {
  const [invoice] = await db.select().from(invoices).where(and(eq(invoices.id, invoiceId), visible(customerId)));
  if (!invoice) return null;
  const [lines, credited, lineDisputes, applied, [payable]] = await Promise.all([
    db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, invoiceId)).orderBy(asc(invoiceLines.position)),
    db
      .select({ invoiceLineId: creditNoteLines.invoiceLineId, creditedMinor: sql<number>`sum(${creditNoteLines.totalMinor})`.mapWith(Number) })
      .from(creditNoteLines)
      .innerJoin(creditNotes, eq(creditNotes.id, creditNoteLines.creditNoteId))
      .innerJoin(invoiceLines, eq(invoiceLines.id, creditNoteLines.invoiceLineId))
      .where(and(eq(invoiceLines.invoiceId, invoiceId), eq(creditNotes.customerId, customerId), isNull(creditNotes.voidedAt)))
      .groupBy(creditNoteLines.invoiceLineId),
    db
      .select({ id: disputes.id, invoiceLineId: disputes.invoiceLineId, amountMinor: disputes.amountMinor, acceptedMinor: disputes.acceptedMinor, reason: disputes.reason, status: disputes.status, createdAt: disputes.createdAt, resolvedAt: disputes.resolvedAt })
      .from(disputes)
      .where(and(eq(disputes.invoiceId, invoiceId), eq(disputes.customerId, customerId)))
      .orderBy(desc(disputes.createdAt)),
    db
      .select({
        id: allocations.id,
        kind: allocations.kind,
        amountMinor: allocations.amountMinor,
        appliedOn: allocations.appliedOn,
        paymentId: allocations.paymentId,
        paymentMethod: payments.method,
        paymentReference: payments.reference,
        paymentReceivedOn: payments.receivedOn,
        creditNoteNumber: creditNotes.number,
      })
      .from(allocations)
      .leftJoin(payments, eq(payments.id, allocations.paymentId))
      .leftJoin(creditNotes, eq(creditNotes.id, allocations.creditNoteId))
      // Standing applications only: one that was taken back (a bounced check, a correction) no longer counts.
      .where(and(eq(allocations.invoiceId, invoiceId), eq(allocations.customerId, customerId), gt(allocations.amountMinor, 0), notExists(db.select({ id: reversal.id }).from(reversal).where(eq(reversal.reversesId, allocations.id)))))
      .orderBy(asc(allocations.appliedOn), asc(allocations.createdAt)),
    invoice.status === "open" ? payableInvoices(customerId, db, [invoiceId]) : Promise.resolve([]),
  ]);
  const creditedByLine = new Map(credited.map((row) => [row.invoiceLineId, row.creditedMinor]));
  const displayStatus = invoiceDisplayStatus(invoice, asOf);
  return {
    invoice: {
      id: invoice.id,
      number: invoice.number!,
      status: invoice.status,
      displayStatus,
      currency: invoice.currency,
      issueDate: invoice.issueDate!,
      dueDate: invoice.dueDate!,
      poNumber: invoice.poNumber,
      memo: invoice.memo,
      subtotalMinor: invoice.subtotalMinor,
      taxMinor: invoice.taxMinor,
      totalMinor: invoice.totalMinor,
      paidMinor: invoice.paidMinor,
      creditedMinor: invoice.creditedMinor,
      discountedMinor: invoice.discountedMinor,
      writtenOffMinor: invoice.writtenOffMinor,
      openMinor: invoice.status === "void" ? 0 : invoice.openMinor,
      discountDueDate: invoice.status === "open" && invoice.discountDueDate && invoice.discountDueDate >= asOf ? invoice.discountDueDate : null,
      earlyDiscount: formatBps(invoice.earlyDiscountBps),
      voidReason: invoice.status === "void" ? invoice.voidReason : null,
    },
    lines: lines.map((line) => {
      const creditedMinor = creditedByLine.get(line.id) ?? 0;
      const disputedMinor = lineDisputes.filter((d) => d.invoiceLineId === line.id && d.status === "open").reduce((sum, d) => sum + d.amountMinor, 0);
      return {
        id: line.id,
        description: line.description,
        quantity: formatQuantity(line.quantityMilli),
        unitPriceMinor: line.unitPriceMinor,
        taxRate: formatBps(line.taxRateBps),
        netMinor: line.netMinor,
        totalMinor: line.totalMinor,
        creditedMinor,
        disputedMinor,
        // Only an open invoice's line can be questioned, and only for what is not already credited or disputed.
        disputableMinor: invoice.status === "open" ? Math.max(0, line.totalMinor - creditedMinor - disputedMinor) : 0,
      };
    }),
    applied: applied.map((row) => ({
      id: row.id,
      date: row.paymentReceivedOn ?? row.appliedOn,
      amountMinor: row.amountMinor,
      paymentId: row.paymentId,
      label: row.kind === "payment" ? `Payment${row.paymentMethod ? ` by ${methodLabels[row.paymentMethod].toLowerCase()}` : ""}` : applicationLabels[row.kind],
      reference: row.kind === "payment" ? row.paymentReference : row.creditNoteNumber,
    })),
    disputes: lineDisputes.map((d) => ({ ...d, lineDescription: lines.find((line) => line.id === d.invoiceLineId)?.description ?? "" })),
    disputedMinor: payable?.disputedMinor ?? 0,
    payableMinor: payable?.payableMinor ?? 0,
  };
}

export type PortalInvoice = NonNullable<Awaited<ReturnType<typeof getPortalInvoice>>>;

/** The invoice PDF, the same document staff print, for the customer's own issued invoices only. */
export async function portalInvoiceDocument(invoiceId: string, customerId: string, db: Db = getDb()) {
  const [owned] = await db.select({ id: invoices.id }).from(invoices).where(and(eq(invoices.id, invoiceId), visible(customerId)));
  return owned ? invoiceDocument(owned.id) : null;
}

/** Invoice numbers of the customer's own invoices, for lists that name them. */
export async function invoiceNumbers(customerId: string, invoiceIds: string[], db: Db = getDb()) {
  if (invoiceIds.length === 0) return new Map<string, string>();
  const rows = await db.select({ id: invoices.id, number: invoices.number }).from(invoices).where(and(inArray(invoices.id, invoiceIds), visible(customerId)));
  return new Map(rows.map((row) => [row.id, row.number ?? ""]));
}
