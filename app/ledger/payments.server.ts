import { and, asc, desc, eq, ilike, or, sql, type SQL } from "drizzle-orm";
import { allocations, creditNotes, customers, invoices, payments, refunds, type Invoice, type Payment, type PaymentMethod } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import { formatMoney } from "~/money/money";
import { today, type IsoDate } from "~/utils/dates";
import { DomainError } from "~/utils/errors";
import { staffIdOf } from "./actor";
import {
  activeApplications,
  applyToInvoice,
  creditAvailable,
  claimOperationKey,
  lockCreditNote,
  lockCandidates,
  lockPayment,
  paymentAvailable,
  planAllocations,
  reverseApplication,
  type AllocationRequest,
} from "./applications.server";
import { issueCreditNote, voidCreditNote } from "./credit-notes.server";
import { afterCursor, cursorKey, decodeCursor, pageOf } from "~/utils/cursor.server";
import { maxEarlyDiscount } from "./invoice-math";
import { postEntry } from "./journal.server";

export type RecordPaymentInput = {
  customerId: string;
  amountMinor: number;
  /** If given, must be the customer's currency. */
  currency?: string;
  method: PaymentMethod;
  reference?: string | null;
  receivedOn: IsoDate;
  memo?: string | null;
  /** Recording with the same key again returns the first payment and changes nothing. */
  idempotencyKey: string;
  allocations?: AllocationRequest;
  externalRef?: string | null;
  source?: "settle" | "import" | "api";
};

/** What an early payment may still take off this invoice, if `receivedOn` is inside its window. */
export function earlyDiscountAvailable(invoice: Invoice, receivedOn: IsoDate) {
  if (invoice.earlyDiscountBps === 0 || !invoice.discountDueDate || receivedOn > invoice.discountDueDate) return 0;
  return Math.max(0, maxEarlyDiscount(invoice.totalMinor, invoice.earlyDiscountBps) - invoice.discountedMinor);
}

/**
 * Applies a payment to invoices per the plan; where a payment inside the discount window
 * leaves no more than the early-payment discount open, the discount settles the rest.
 */
async function applyPaymentPlan(payment: Payment, plan: { invoice: Invoice; amountMinor: number }[], keyFor: (invoiceId: string) => string, appliedOn: IsoDate, actor: Actor, db: Db) {
  for (const { invoice, amountMinor } of plan) {
    const allocation = await applyToInvoice({ source: { kind: "payment", payment }, invoice, amountMinor, appliedOn, sourceKey: keyFor(invoice.id), actor }, db);
    if (!allocation) continue;
    const shortfall = invoice.openMinor;
    if (shortfall > 0 && shortfall <= earlyDiscountAvailable(invoice, payment.receivedOn)) {
      await issueCreditNote(
        {
          customerId: invoice.customerId,
          invoiceId: invoice.id,
          kind: "discount",
          lines: [{ description: `Early-payment discount on invoice ${invoice.number}`, amountMinor: shortfall }],
          reason: `Paid by ${invoice.discountDueDate}, inside the early-payment window`,
          issueDate: appliedOn,
          applyToInvoice: true,
          // Keyed by the payment application, so reversing that application can find it.
          idempotencyKey: `discount:${allocation.id}`,
        },
        actor,
        db,
      );
    }
  }
}

export async function recordPayment(input: RecordPaymentInput, actor: Actor, db: Db = getDb()): Promise<Payment> {
  return db.transaction(async (tx) => {
    const sourceKey = `payment:${input.idempotencyKey}`;
    const [existing] = await tx.select().from(payments).where(eq(payments.sourceKey, sourceKey));
    if (existing) return existing;
    const [customer] = await tx.select().from(customers).where(eq(customers.id, input.customerId));
    if (!customer) throw new DomainError("not_found", "Customer not found", "customerId");
    if (input.currency && input.currency !== customer.currency) {
      throw new DomainError("invalid", `${customer.name} is billed in ${customer.currency}; a ${input.currency} payment cannot be recorded`, "currency");
    }
    if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0) throw new DomainError("invalid", "The amount must be more than zero", "amount");
    if (input.externalRef) {
      const [taken] = await tx.select({ id: payments.id }).from(payments).where(eq(payments.externalRef, input.externalRef));
      if (taken) throw new DomainError("conflict", `External reference ${input.externalRef} is already used by another payment`, "externalRef");
    }
    const [payment] = await tx
      .insert(payments)
      .values({
        customerId: customer.id,
        currency: customer.currency,
        amountMinor: input.amountMinor,
        method: input.method,
        reference: input.reference || null,
        receivedOn: input.receivedOn,
        memo: input.memo || null,
        source: input.source ?? "settle",
        sourceKey,
        externalRef: input.externalRef ?? null,
        createdBy: staffIdOf(actor),
      })
      .onConflictDoNothing({ target: payments.sourceKey })
      .returning();
    if (!payment) {
      const [raced] = await tx.select().from(payments).where(eq(payments.sourceKey, sourceKey));
      return raced!;
    }
    await postEntry(
      {
        sourceKey: `payment:${payment.id}:received`,
        type: "payment_received",
        customerId: customer.id,
        currency: customer.currency,
        effectiveDate: payment.receivedOn,
        description: `Payment received${payment.reference ? ` (${methodLabels[payment.method]} ${payment.reference})` : ` (${methodLabels[payment.method]})`}`,
        paymentId: payment.id,
        actor,
        lines: [
          { account: "cash", amountMinor: payment.amountMinor },
          { account: "customer_credit", amountMinor: -payment.amountMinor },
        ],
      },
      tx,
    );
    await recordAudit(
      {
        actor,
        action: "payment.record",
        entityType: "payment",
        entityId: payment.id,
        customerId: customer.id,
        after: { amountMinor: payment.amountMinor, currency: payment.currency, method: payment.method, reference: payment.reference, receivedOn: payment.receivedOn },
      },
      tx,
    );
    if (input.allocations && (input.allocations === "auto" || input.allocations.length > 0)) {
      await allocateLocked(payment, input.allocations, `payment-apply:${payment.id}:initial`, payment.receivedOn, actor, tx);
    }
    const [fresh] = await tx.select().from(payments).where(eq(payments.id, payment.id));
    return fresh!;
  });
}

async function allocateLocked(payment: Payment, request: AllocationRequest, requestKey: string, appliedOn: IsoDate, actor: Actor, db: Db) {
  if (!(await claimOperationKey(requestKey, db))) return [];
  if (payment.status !== "received") throw new DomainError("conflict", "This payment was reversed; nothing can be applied from it");
  const keyFor = (invoiceId: string) => `${requestKey}:${invoiceId}`;
  const candidates = await lockCandidates(payment.customerId, request, db);
  const plan = planAllocations(request, paymentAvailable(payment), candidates, (invoice) => earlyDiscountAvailable(invoice, payment.receivedOn));
  await applyPaymentPlan(payment, plan, keyFor, appliedOn, actor, db);
  if (plan.length > 0) {
    await recordAudit(
      {
        actor,
        action: "payment.apply",
        entityType: "payment",
        entityId: payment.id,
        customerId: payment.customerId,
        after: plan.map((p) => ({ invoice: p.invoice.number, amountMinor: p.amountMinor })),
      },
      db,
    );
  }
  return plan;
}

/** Applies a payment's unapplied amount to open invoices: chosen amounts, or oldest due first. */
export async function allocatePayment(
  { paymentId, allocations: request, requestKey, appliedOn }: { paymentId: string; allocations: AllocationRequest; requestKey: string; appliedOn?: IsoDate },
  actor: Actor,
  db: Db = getDb(),
) {
  return db.transaction(async (tx) => {
    const payment = await lockPayment(paymentId, tx);
    await allocateLocked(payment, request, `payment-apply:${requestKey}`, appliedOn ?? today(), actor, tx);
    return lockPayment(paymentId, tx);
  });
}

/**
 * Takes one application back (a payment or a credit put on the wrong invoice). A discount the
 * application earned goes with it.
 */
export async function unapplyAllocation({ allocationId, reason, onDate }: { allocationId: string; reason: string; onDate?: IsoDate }, actor: Actor, db: Db = getDb()) {
  return db.transaction(async (tx) => {
    const [allocation] = await tx.select().from(allocations).where(eq(allocations.id, allocationId));
    if (!allocation) throw new DomainError("not_found", "Application not found");
    if (allocation.paymentId) await lockPayment(allocation.paymentId, tx);
    else await lockCreditNote(allocation.creditNoteId!, tx);
    const [already] = await tx.select({ id: allocations.id }).from(allocations).where(eq(allocations.reversesId, allocationId));
    if (already) return null;
    if (allocation.kind === "discount" || allocation.kind === "write_off") {
      throw new DomainError("conflict", "Void the discount or write-off itself instead of unapplying it");
    }
    const day = onDate ?? today();
    const reversal = await reverseApplication({ allocation, appliedOn: day, actor }, tx);
    const [discount] = await tx.select().from(creditNotes).where(eq(creditNotes.sourceKey, `credit:discount:${allocation.id}`));
    if (discount) await voidCreditNote({ creditNoteId: discount.id, reason: "The payment that earned it was unapplied", voidDate: day }, actor, tx);
    await recordAudit(
      { actor, action: "allocation.unapply", entityType: allocation.paymentId ? "payment" : "credit_note", entityId: allocation.paymentId ?? allocation.creditNoteId, customerId: allocation.customerId, before: { invoiceId: allocation.invoiceId, amountMinor: allocation.amountMinor }, after: { reason } },
      tx,
    );
    return reversal;
  });
}

export type RefundInput = {
  source: { paymentId: string } | { creditNoteId: string };
  amountMinor: number;
  method: PaymentMethod;
  reference?: string | null;
  reason: string;
  refundedOn?: IsoDate;
  idempotencyKey: string;
};

/** Pays unapplied money back to the customer, from a payment or a credit note. */
export async function refund(input: RefundInput, actor: Actor, db: Db = getDb()) {
  return db.transaction(async (tx) => {
    const sourceKey = `refund:${input.idempotencyKey}`;
    const [existing] = await tx.select().from(refunds).where(eq(refunds.sourceKey, sourceKey));
    if (existing) return existing;
    const fromPayment = "paymentId" in input.source;
    const owner = fromPayment ? await lockPayment((input.source as { paymentId: string }).paymentId, tx) : await lockCreditNote((input.source as { creditNoteId: string }).creditNoteId, tx);
    const available = fromPayment ? paymentAvailable(owner as Payment) : creditAvailable(owner as Parameters<typeof creditAvailable>[0]);
    if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0) throw new DomainError("invalid", "The refund must be more than zero", "amount");
    if (input.amountMinor > available) {
      throw new DomainError("invalid", `Only ${formatMoney(available, owner.currency)} is unapplied and can be refunded; unapply it from invoices first`, "amount");
    }
    if (!input.reason.trim()) throw new DomainError("invalid", "Give a reason for the refund", "reason");
    const refundedOn = input.refundedOn ?? today();
    const [row] = await tx
      .insert(refunds)
      .values({
        customerId: owner.customerId,
        currency: owner.currency,
        paymentId: fromPayment ? owner.id : null,
        creditNoteId: fromPayment ? null : owner.id,
        amountMinor: input.amountMinor,
        method: input.method,
        reference: input.reference || null,
        refundedOn,
        reason: input.reason.trim(),
        sourceKey,
        createdBy: staffIdOf(actor),
      })
      .returning();
    await postEntry(
      {
        sourceKey: `refund:${row!.id}`,
        type: "refund",
        customerId: owner.customerId,
        currency: owner.currency,
        effectiveDate: refundedOn,
        description: `Refund${row!.reference ? ` (${row!.reference})` : ""}: ${row!.reason}`,
        paymentId: row!.paymentId,
        creditNoteId: row!.creditNoteId,
        refundId: row!.id,
        actor,
        lines: [
          { account: "customer_credit", amountMinor: row!.amountMinor },
          { account: fromPayment ? "cash" : "cash", amountMinor: -row!.amountMinor },
        ],
      },
      tx,
    );
    await recordAudit(
      { actor, action: "refund.create", entityType: fromPayment ? "payment" : "credit_note", entityId: owner.id, customerId: owner.customerId, after: { amountMinor: row!.amountMinor, reason: row!.reason, method: row!.method } },
      tx,
    );
    return row!;
  });
}

/**
 * A payment that bounced (returned check, recalled transfer): every application is taken back,
 * so its invoices reopen, and the receipt is reversed.
 */
export async function reversePayment({ paymentId, reason, reversedOn }: { paymentId: string; reason: string; reversedOn?: IsoDate }, actor: Actor, db: Db = getDb()) {
  return db.transaction(async (tx) => {
    const payment = await lockPayment(paymentId, tx);
    if (payment.status === "reversed") return payment;
    if (payment.refundedMinor > 0) throw new DomainError("conflict", "Part of this payment was refunded; it cannot be reversed");
    if (!reason.trim()) throw new DomainError("invalid", "Give a reason for the reversal", "reason");
    const day = reversedOn ?? today();
    const effectiveDate = day < payment.receivedOn ? payment.receivedOn : day;
    for (const allocation of await activeApplications({ paymentId }, tx)) {
      await reverseApplication({ allocation, appliedOn: effectiveDate, actor }, tx);
      const [discount] = await tx.select().from(creditNotes).where(eq(creditNotes.sourceKey, `credit:discount:${allocation.id}`));
      if (discount) await voidCreditNote({ creditNoteId: discount.id, reason: "The payment that earned it was reversed", voidDate: effectiveDate }, actor, tx);
    }
    const [reversed] = await tx.update(payments).set({ status: "reversed", reversedAt: new Date(), reversalReason: reason.trim() }).where(eq(payments.id, paymentId)).returning();
    await postEntry(
      {
        sourceKey: `payment:${paymentId}:reversed`,
        type: "payment_reversed",
        customerId: payment.customerId,
        currency: payment.currency,
        effectiveDate,
        description: `Payment reversed${payment.reference ? ` (${payment.reference})` : ""}: ${reason.trim()}`,
        paymentId,
        actor,
        lines: [
          { account: "customer_credit", amountMinor: payment.amountMinor },
          { account: "cash", amountMinor: -payment.amountMinor },
        ],
      },
      tx,
    );
    await recordAudit(
      { actor, action: "payment.reverse", entityType: "payment", entityId: paymentId, customerId: payment.customerId, before: { status: payment.status, allocatedMinor: payment.allocatedMinor }, after: { status: "reversed", reason: reason.trim() } },
      tx,
    );
    return reversed!;
  });
}

export const methodLabels: Record<PaymentMethod, string> = {
  check: "Check",
  wire: "Wire transfer",
  ach: "ACH",
  cash: "Cash",
  card: "Card",
  bank_debit: "Bank debit",
  other: "Other",
};

export const PAYMENT_PAGE_SIZE = 25;

export async function listPayments(
  { q, customerId, after, limit = PAYMENT_PAGE_SIZE, unappliedOnly }: { q?: string; customerId?: string; after?: string; limit?: number; unappliedOnly?: boolean },
  db: Db = getDb(),
) {
  const conditions: (SQL | undefined)[] = [customerId ? eq(payments.customerId, customerId) : undefined];
  if (q) {
    const like = `%${q.replace(/[\\%_]/g, "\\$&")}%`;
    conditions.push(or(ilike(payments.reference, like), ilike(customers.name, like), ilike(customers.accountNumber, like)));
  }
  if (unappliedOnly) conditions.push(sql`${payments.status} = 'received' and ${payments.amountMinor} > ${payments.allocatedMinor} + ${payments.refundedMinor} + ${payments.chargedBackMinor}`);
  conditions.push(afterCursor(payments.createdAt, payments.id, decodeCursor(after)));
  const rows = await db
    .select({
      id: payments.id,
      customerId: payments.customerId,
      customerName: customers.name,
      accountNumber: customers.accountNumber,
      currency: payments.currency,
      amountMinor: payments.amountMinor,
      allocatedMinor: payments.allocatedMinor,
      refundedMinor: payments.refundedMinor,
      chargedBackMinor: payments.chargedBackMinor,
      method: payments.method,
      reference: payments.reference,
      receivedOn: payments.receivedOn,
      status: payments.status,
      createdAt: payments.createdAt,
      cursorAt: cursorKey(payments.createdAt),
    })
    .from(payments)
    .innerJoin(customers, eq(customers.id, payments.customerId))
    .where(and(...conditions))
    .orderBy(desc(payments.createdAt), desc(payments.id))
    .limit(limit + 1);
  const { page, nextCursor } = pageOf(rows, limit);
  return { payments: page, nextCursor };
}

export async function getPaymentDetail(paymentId: string, db: Db = getDb()) {
  const [row] = await db.select({ payment: payments, customer: customers }).from(payments).innerJoin(customers, eq(customers.id, payments.customerId)).where(eq(payments.id, paymentId));
  if (!row) return null;
  const [applied, refundRows] = await Promise.all([
    db
      .select({
        id: allocations.id,
        invoiceId: allocations.invoiceId,
        invoiceNumber: invoices.number,
        amountMinor: allocations.amountMinor,
        appliedOn: allocations.appliedOn,
        reversesId: allocations.reversesId,
        reversed: sql<boolean>`exists (select 1 from ${allocations} r where r.reverses_id = ${allocations.id})`,
      })
      .from(allocations)
      .innerJoin(invoices, eq(invoices.id, allocations.invoiceId))
      .where(eq(allocations.paymentId, paymentId))
      .orderBy(asc(allocations.createdAt)),
    db.select().from(refunds).where(eq(refunds.paymentId, paymentId)).orderBy(asc(refunds.createdAt)),
  ]);
  return { payment: row.payment, customer: row.customer, applied, refunds: refundRows, availableMinor: paymentAvailable(row.payment) };
}
