import { and, asc, eq, gt, sql } from "drizzle-orm";
import { allocations, customers, invoices, payments, savedPaymentMethods, type PaymentAttempt } from "~db/schema";
import type { Db } from "~db/client";
import { recipientsFor } from "~/customers/recipients.server";
import { enqueueEmail } from "~/email/outbox.server";
import { formatMoney } from "~/money/money";
import { getCompanySettings } from "~/settings/settings.server";
import { appUrl, getEnv } from "~/utils/env.server";

/** What was paid against which invoice: the receipt page and the receipt email read this. */
export async function receiptFor(paymentId: string, customerId: string, db: Db) {
  const [payment] = await db.select().from(payments).where(and(eq(payments.id, paymentId), eq(payments.customerId, customerId)));
  if (!payment) return null;
  const applied = await db
    .select({ invoiceId: allocations.invoiceId, invoiceNumber: invoices.number, amountMinor: allocations.amountMinor })
    .from(allocations)
    .innerJoin(invoices, eq(invoices.id, allocations.invoiceId))
    // Applications later taken back are not part of what this payment paid.
    .where(and(eq(allocations.paymentId, paymentId), gt(allocations.amountMinor, 0), sql`not exists (select 1 from ${allocations} r where r.reverses_id = ${allocations.id})`))
    .orderBy(asc(allocations.createdAt));
  return { payment, applied, creditMinor: payment.amountMinor - payment.allocatedMinor - payment.refundedMinor - payment.chargedBackMinor };
}

/** The receipt email, in the transaction that records the payment (so it is sent exactly once). */
export async function sendReceipt(attempt: PaymentAttempt, db: Db) {
  if (!attempt.paymentId) return;
  const [customer] = await db.select().from(customers).where(eq(customers.id, attempt.customerId));
  const receipt = await receiptFor(attempt.paymentId, attempt.customerId, db);
  if (!customer || !receipt) return;
  const [method] = attempt.paymentMethodId ? await db.select().from(savedPaymentMethods).where(eq(savedPaymentMethods.id, attempt.paymentMethodId)) : [];
  const money = (minor: number) => formatMoney(minor, receipt.payment.currency);
  for (const to of await recipientsFor(customer.id, "receipts", db)) {
    await enqueueEmail(
      {
        template: "payment-receipt",
        to,
        dedupeKey: `payment-receipt:${attempt.paymentId}:${to}`,
        customerId: customer.id,
        metadata: { paymentId: attempt.paymentId },
        props: {
          brand: await getCompanySettings(db),
          customerName: customer.name,
          amount: money(receipt.payment.amountMinor),
          paidOn: receipt.payment.receivedOn,
          method: method?.last4 ? `${method.brand ?? "card"} ending ${method.last4}` : receipt.payment.method === "bank_debit" ? "bank debit" : "card",
          reference: receipt.payment.reference ?? receipt.payment.id,
          applied: receipt.applied.map((row) => ({ invoiceNumber: row.invoiceNumber ?? "", amount: money(row.amountMinor) })),
          credit: receipt.creditMinor > 0 ? money(receipt.creditMinor) : null,
          receiptUrl: `${appUrl(getEnv())}/portal/payments/${attempt.paymentId}`,
        },
      },
      db,
    );
  }
}
