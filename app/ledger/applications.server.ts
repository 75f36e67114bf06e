import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import { allocations, creditNotes, invoices, operationKeys, payments, type Allocation, type CreditNote, type Invoice, type Payment } from "~db/schema";
import type { Db } from "~db/client";
import type { Actor } from "~/audit/audit.server";
import { DomainError } from "~/utils/errors";
import { formatMoney } from "~/money/money";
import { staffIdOf } from "./actor";
import { postEntry } from "./journal.server";

export type ApplicationSource =
  | { kind: "payment"; payment: Pick<Payment, "id" | "customerId" | "currency"> }
  | { kind: "credit_note" | "discount" | "write_off"; creditNote: Pick<CreditNote, "id" | "customerId" | "currency" | "number"> };

/** Locks invoices in id order, so two transactions never wait on each other in a circle. */
export async function lockInvoices(invoiceIds: string[], db: Db): Promise<Map<string, Invoice>> {
  if (invoiceIds.length === 0) return new Map();
  const rows = await db
    .select()
    .from(invoices)
    .where(inArray(invoices.id, [...new Set(invoiceIds)]))
    .orderBy(asc(invoices.id))
    .for("update");
  return new Map(rows.map((row) => [row.id, row]));
}

/**
 * Claims a request's idempotency key inside its transaction. False means the request was
 * already carried out: the caller does nothing, whatever the books look like now.
 */
export async function claimOperationKey(key: string, db: Db): Promise<boolean> {
  const [row] = await db.insert(operationKeys).values({ key }).onConflictDoNothing().returning({ key: operationKeys.key });
  return Boolean(row);
}

/**
 * The one way money is applied to an invoice: an allocation row (whose trigger moves the
 * totals and whose constraints refuse over-application) and the journal entry that moves
 * the amount from the customer's credit to the invoice's receivable.
 */
export async function applyToInvoice(
  {
    source,
    invoice,
    amountMinor,
    appliedOn,
    sourceKey,
    actor,
  }: { source: ApplicationSource; invoice: Invoice; amountMinor: number; appliedOn: string; sourceKey: string; actor: Actor },
  db: Db,
): Promise<Allocation | null> {
  if (amountMinor <= 0) throw new DomainError("invalid", "An amount to apply must be more than zero", "amount");
  if (invoice.status !== "open") throw new DomainError("conflict", `Invoice ${invoice.number ?? ""} is ${invoice.status.replace("_", " ")}; nothing can be applied to it`.replace("  ", " "));
  if (amountMinor > invoice.openMinor) {
    throw new DomainError("invalid", `Only ${formatMoney(invoice.openMinor, invoice.currency)} is open on invoice ${invoice.number}`, "amount");
  }
  const sourceCustomer = source.kind === "payment" ? source.payment.customerId : source.creditNote.customerId;
  if (sourceCustomer !== invoice.customerId) throw new DomainError("invalid", `Invoice ${invoice.number} belongs to another customer`, "invoiceId");
  const [row] = await db
    .insert(allocations)
    .values({
      customerId: invoice.customerId,
      currency: invoice.currency,
      invoiceId: invoice.id,
      kind: source.kind,
      paymentId: source.kind === "payment" ? source.payment.id : null,
      creditNoteId: source.kind === "payment" ? null : source.creditNote.id,
      amountMinor,
      appliedOn: appliedOn < invoice.issueDate! ? invoice.issueDate! : appliedOn,
      sourceKey,
      createdBy: staffIdOf(actor),
    })
    .onConflictDoNothing({ target: allocations.sourceKey })
    .returning();
  if (!row) return null;
  await postAllocationEntry(row, invoice, actor, db);
  // Keep the caller's copy current for the next application in the same transaction.
  Object.assign(invoice, await reloadInvoice(invoice.id, db));
  return row;
}

async function reloadInvoice(id: string, db: Db) {
  const [row] = await db.select().from(invoices).where(eq(invoices.id, id));
  return row!;
}

async function postAllocationEntry(row: Allocation, invoice: Pick<Invoice, "id" | "number">, actor: Actor, db: Db) {
  const reversing = row.amountMinor < 0;
  await postEntry(
    {
      sourceKey: `allocation:${row.id}`,
      type: reversing ? "allocation_reversed" : "allocation",
      customerId: row.customerId,
      currency: row.currency,
      effectiveDate: row.appliedOn,
      description: `${reversing ? "Unapplied from" : "Applied to"} invoice ${invoice.number}`,
      invoiceId: row.invoiceId,
      paymentId: row.paymentId,
      creditNoteId: row.creditNoteId,
      allocationId: row.id,
      actor,
      lines: [
        { account: "customer_credit", amountMinor: row.amountMinor },
        { account: "receivable", amountMinor: -row.amountMinor, invoiceId: row.invoiceId },
      ],
    },
    db,
  );
}

/** Takes one application back, in full: a negative row naming it, and the reverse entry. */
export async function reverseApplication({ allocation, appliedOn, actor }: { allocation: Allocation; appliedOn: string; actor: Actor }, db: Db) {
  if (allocation.amountMinor <= 0) throw new DomainError("invalid", "That is already a reversal");
  const [invoice] = await db.select().from(invoices).where(eq(invoices.id, allocation.invoiceId)).for("update");
  const [row] = await db
    .insert(allocations)
    .values({
      customerId: allocation.customerId,
      currency: allocation.currency,
      invoiceId: allocation.invoiceId,
      kind: allocation.kind,
      paymentId: allocation.paymentId,
      creditNoteId: allocation.creditNoteId,
      amountMinor: -allocation.amountMinor,
      appliedOn: appliedOn < allocation.appliedOn ? allocation.appliedOn : appliedOn,
      reversesId: allocation.id,
      sourceKey: `allocation:${allocation.id}:reversed`,
      createdBy: staffIdOf(actor),
    })
    .onConflictDoNothing({ target: allocations.sourceKey })
    .returning();
  if (row) await postAllocationEntry(row, invoice!, actor, db);
  return row ?? null;
}

/** Applications of a payment or credit document that are still in force (not taken back). */
export async function activeApplications(where: { paymentId?: string; creditNoteId?: string; invoiceId?: string }, db: Db) {
  const reversal = sql`exists (select 1 from ${allocations} r where r.reverses_id = ${allocations.id})`;
  return db
    .select()
    .from(allocations)
    .where(
      and(
        where.paymentId ? eq(allocations.paymentId, where.paymentId) : undefined,
        where.creditNoteId ? eq(allocations.creditNoteId, where.creditNoteId) : undefined,
        where.invoiceId ? eq(allocations.invoiceId, where.invoiceId) : undefined,
        isNull(allocations.reversesId),
        sql`not ${reversal}`,
      ),
    )
    .orderBy(asc(allocations.createdAt));
}

export type AllocationRequest = { invoiceId: string; amountMinor: number }[] | "auto";

/**
 * The invoices a request may touch, locked, oldest due first: every open invoice of the
 * customer for "auto", only the named ones otherwise (a customer may have thousands open).
 */
export async function lockCandidates(customerId: string, request: AllocationRequest, db: Db): Promise<Invoice[]> {
  const ids =
    request === "auto"
      ? (
          await db
            .select({ id: invoices.id })
            .from(invoices)
            .where(and(eq(invoices.customerId, customerId), eq(invoices.status, "open")))
        ).map((row) => row.id)
      : request.map((item) => item.invoiceId);
  const locked = [...(await lockInvoices(ids, db)).values()];
  // Re-read under the lock: an invoice may have been paid between the query and the lock.
  return locked
    .filter((invoice) => invoice.customerId === customerId && invoice.status === "open")
    .sort((a, b) => (a.dueDate ?? "").localeCompare(b.dueDate ?? "") || (a.issueDate ?? "").localeCompare(b.issueDate ?? "") || (a.number ?? "").localeCompare(b.number ?? ""));
}

/**
 * Turns "auto" into amounts, oldest due first, and checks explicit amounts against what is
 * open and what is available. `discountFor` lets a payment settle an invoice for less.
 */
export function planAllocations(
  request: AllocationRequest,
  available: number,
  openInvoices: Invoice[],
  discountFor: (invoice: Invoice) => number = () => 0,
): { invoice: Invoice; amountMinor: number }[] {
  if (request === "auto") {
    const plan: { invoice: Invoice; amountMinor: number }[] = [];
    let left = available;
    for (const invoice of openInvoices) {
      if (left <= 0) break;
      const settleFor = invoice.openMinor - discountFor(invoice);
      const amountMinor = left >= settleFor ? Math.min(left, invoice.openMinor) : left;
      plan.push({ invoice, amountMinor });
      left -= amountMinor;
    }
    return plan;
  }
  const byId = new Map(openInvoices.map((i) => [i.id, i]));
  let total = 0;
  const seen = new Set<string>();
  const plan = request.map(({ invoiceId, amountMinor }) => {
    const invoice = byId.get(invoiceId);
    if (!invoice) throw new DomainError("invalid", "That invoice is not open for this customer", "allocations");
    if (seen.has(invoiceId)) throw new DomainError("invalid", `Invoice ${invoice.number} is listed twice`, "allocations");
    seen.add(invoiceId);
    if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) throw new DomainError("invalid", `The amount for invoice ${invoice.number} must be more than zero`, "allocations");
    if (amountMinor > invoice.openMinor) {
      throw new DomainError("invalid", `Invoice ${invoice.number} has only ${formatMoney(invoice.openMinor, invoice.currency)} open`, "allocations");
    }
    total += amountMinor;
    return { invoice, amountMinor };
  });
  if (total > available) {
    const currency = openInvoices[0]?.currency ?? "USD";
    throw new DomainError("invalid", `That applies ${formatMoney(total, currency)}, but only ${formatMoney(available, currency)} is available`, "allocations");
  }
  return plan;
}

export async function lockPayment(paymentId: string, db: Db) {
  const [payment] = await db.select().from(payments).where(eq(payments.id, paymentId)).for("update");
  if (!payment) throw new DomainError("not_found", "Payment not found");
  return payment;
}

export async function lockCreditNote(creditNoteId: string, db: Db) {
  const [note] = await db.select().from(creditNotes).where(eq(creditNotes.id, creditNoteId)).for("update");
  if (!note) throw new DomainError("not_found", "Credit note not found");
  return note;
}

export const paymentAvailable = (p: Pick<Payment, "amountMinor" | "allocatedMinor" | "refundedMinor" | "chargedBackMinor" | "status">) =>
  p.status === "received" ? p.amountMinor - p.allocatedMinor - p.refundedMinor - p.chargedBackMinor : 0;

export const creditAvailable = (c: Pick<CreditNote, "totalMinor" | "allocatedMinor" | "refundedMinor" | "voidedAt">) =>
  c.voidedAt ? 0 : c.totalMinor - c.allocatedMinor - c.refundedMinor;
