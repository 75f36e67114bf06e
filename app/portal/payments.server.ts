import { and, desc, eq, gt, isNull, or } from "drizzle-orm";
import { paymentAttempts, payments, refunds, savedPaymentMethods } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { methodLabels } from "~/ledger/payments.server";
import { receiptFor } from "~/payments/receipts.server";
import { afterDay, dayPage, decodeDayCursor } from "./day-cursor.server";
import { invoiceNumbers } from "./invoices.server";
import { savedMethodLabel } from "./profile.server";

// Every read takes the signed-in customer's id: another customer's payment is simply not there.

export const PORTAL_PAYMENT_PAGE_SIZE = 25;

/** The customer's payments, newest first by the day received, with what each applied and what is left as credit. */
export async function listPortalPayments({ customerId, after, limit = PORTAL_PAYMENT_PAGE_SIZE }: { customerId: string; after?: string; limit?: number }, db: Db = getDb()) {
  const rows = await db
    .select({
      id: payments.id,
      receivedOn: payments.receivedOn,
      method: payments.method,
      reference: payments.reference,
      currency: payments.currency,
      amountMinor: payments.amountMinor,
      allocatedMinor: payments.allocatedMinor,
      refundedMinor: payments.refundedMinor,
      status: payments.status,
    })
    .from(payments)
    .where(and(eq(payments.customerId, customerId), afterDay(payments.receivedOn, payments.id, decodeDayCursor(after, "uuid"), "uuid")))
    .orderBy(desc(payments.receivedOn), desc(payments.id))
    .limit(limit + 1);
  const { page, nextCursor } = dayPage(rows, limit, (row) => [row.receivedOn, row.id]);
  return {
    payments: page.map((p) => ({
      id: p.id,
      receivedOn: p.receivedOn,
      method: methodLabels[p.method],
      reference: p.reference,
      currency: p.currency,
      amountMinor: p.amountMinor,
      appliedMinor: p.allocatedMinor,
      refundedMinor: p.refundedMinor,
      creditMinor: p.status === "reversed" ? 0 : p.amountMinor - p.allocatedMinor - p.refundedMinor,
      reversed: p.status === "reversed",
    })),
    nextCursor,
  };
}

/**
 * Online payments that are on their way but not yet money in the books: a bank debit still
 * clearing, or a card payment waiting for the customer to confirm it with their bank.
 */
export async function pendingOnlinePayments(customerId: string, db: Db = getDb()) {
  const attempts = await db
    .select({ id: paymentAttempts.id, status: paymentAttempts.status, currency: paymentAttempts.currency, amountMinor: paymentAttempts.amountMinor, allocations: paymentAttempts.allocations, createdAt: paymentAttempts.createdAt })
    .from(paymentAttempts)
    .where(
      and(
        eq(paymentAttempts.customerId, customerId),
        isNull(paymentAttempts.paymentId),
        // A confirmation left waiting for a day was abandoned; nothing was taken, so it is no longer news.
        or(eq(paymentAttempts.status, "processing"), and(eq(paymentAttempts.status, "requires_action"), gt(paymentAttempts.createdAt, new Date(Date.now() - 86_400_000)))),
      ),
    )
    .orderBy(desc(paymentAttempts.createdAt))
    .limit(20);
  const numbers = await invoiceNumbers(customerId, [...new Set(attempts.flatMap((a) => a.allocations.map((row) => row.invoiceId)))], db);
  return attempts.map(({ allocations, ...attempt }) => ({ ...attempt, invoices: allocations.map((row) => numbers.get(row.invoiceId)).filter((n): n is string => Boolean(n)) }));
}

/** A receipt: what was paid, against which invoices, what is left as credit, how and with what reference. */
export async function portalReceipt(paymentId: string, customerId: string, db: Db = getDb()) {
  const receipt = await receiptFor(paymentId, customerId, db);
  if (!receipt) return null;
  const { payment } = receipt;
  const [[card], refunded] = await Promise.all([
    db
      .select({ type: savedPaymentMethods.type, brand: savedPaymentMethods.brand, last4: savedPaymentMethods.last4, bankName: savedPaymentMethods.bankName })
      .from(paymentAttempts)
      .innerJoin(savedPaymentMethods, eq(savedPaymentMethods.id, paymentAttempts.paymentMethodId))
      .where(and(eq(paymentAttempts.paymentId, payment.id), eq(paymentAttempts.customerId, customerId))),
    db
      .select({ id: refunds.id, refundedOn: refunds.refundedOn, amountMinor: refunds.amountMinor, status: refunds.status })
      .from(refunds)
      .where(and(eq(refunds.paymentId, payment.id), eq(refunds.customerId, customerId))),
  ]);
  return {
    payment: {
      id: payment.id,
      receivedOn: payment.receivedOn,
      currency: payment.currency,
      amountMinor: payment.amountMinor,
      method: methodLabels[payment.method],
      card: card ? savedMethodLabel(card) : null,
      reference: payment.reference,
      reversed: payment.status === "reversed",
    },
    applied: receipt.applied.map((row) => ({ invoiceId: row.invoiceId, invoiceNumber: row.invoiceNumber ?? "", amountMinor: row.amountMinor })),
    refunds: refunded,
    creditMinor: payment.status === "reversed" ? 0 : receipt.creditMinor,
  };
}
