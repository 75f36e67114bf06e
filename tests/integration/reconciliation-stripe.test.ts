import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { chargebacks, creditNotes, invoices, journalEntries, payments, payouts, processorEvents, reconciliationExceptions, refunds } from "~db/schema";
import { startAttempt } from "~/payments/attempts.server";
import { stripeClient } from "~/payments/stripe-processor.server";
import { resolveException } from "~/reconciliation/exceptions.server";
import { receiveStripeWebhook } from "~webhooks/stripe/receive.server";
import { startFakeStripe, type FakeStripe } from "../fakes/stripe";
import { createCustomer, createStaff, issuedInvoice } from "./factories";
import { ledgerViolations } from "./ledger-invariants";

/**
 * What Stripe reports after a payment, through signed events into the webhook handler: refunds
 * (partial, pending then failed), disputes won and lost, payouts broken down, and money Settle
 * cannot place, which waits on the exceptions queue until a clerk resolves it.
 */

const stripeEnv = ["STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE"] as const;
const envBefore = Object.fromEntries(stripeEnv.map((key) => [key, process.env[key]]));
const resetEnvCache = () => delete (globalThis as { __settleEnv?: unknown }).__settleEnv;

let fake: FakeStripe;
let stripe: ReturnType<typeof stripeClient>;
const toHandler = async (body: string, signature: string) => (await receiveStripeWebhook(body, signature)).status === 200;

// A Stripe account of its own for each test: a payout sweeps everything in the account's balance.
beforeEach(async () => {
  fake = await startFakeStripe({ webhooks: "queue", chargeEvents: true });
  Object.assign(process.env, { STRIPE_SECRET_KEY: fake.keys.secretKey, STRIPE_PUBLISHABLE_KEY: fake.keys.publishableKey, STRIPE_WEBHOOK_SECRET: fake.keys.webhookSecret, STRIPE_API_BASE: fake.baseUrl });
  resetEnvCache();
  stripe = stripeClient(fake.keys.secretKey, fake.baseUrl);
});

afterEach(async () => {
  await fake.close();
});

afterAll(() => {
  for (const key of stripeEnv) {
    if (envBefore[key] === undefined) delete process.env[key];
    else process.env[key] = envBefore[key];
  }
  resetEnvCache();
});

const invoiceRow = async (id: string) => (await getDb().select().from(invoices).where(eq(invoices.id, id)))[0]!;
const paymentFor = async (intentId: string) => (await getDb().select().from(payments).where(eq(payments.reference, intentId)))[0]!;

/** A customer with two invoices paid in one card payment, its events delivered. */
async function paidCustomer(amounts = [30_000, 20_000]) {
  const customer = await createCustomer({ email: "ap@customer.example" });
  const owed = [];
  for (const amount of amounts) owed.push(await issuedInvoice({ customerId: customer.id, amounts: [amount] }));
  const attempt = await startAttempt({ customerId: customer.id, allocations: owed.map((i) => ({ invoiceId: i.id, amountMinor: i.totalMinor })), idempotencyKey: `page-${customer.id}` });
  await stripe.paymentIntents.confirm(attempt.processorIntentId!, { payment_method: "pm_card_visa" });
  await fake.deliverQueued({ to: toHandler });
  return { customer, invoices: owed, intentId: attempt.processorIntentId! };
}

describe("refunds reported by Stripe", () => {
  it("books partial refunds once, reopening the invoices newest first, and gives back a refund that fails", async () => {
    const { invoices: [a, b], intentId } = await paidCustomer();
    expect((await invoiceRow(b!.id)).status).toBe("paid");
    const first = fake.refund(intentId, { amount: 5_000 });
    fake.holdNextRefunds(1);
    const held = await stripe.refunds.create({ payment_intent: intentId, amount: 2_500 });
    await fake.deliverQueued({ to: toHandler, duplicate: true });

    const rows = await getDb().select().from(refunds);
    expect(rows.map((r) => [r.reference, r.amountMinor, r.status]).sort()).toEqual([[first.id, 5_000, "succeeded"], [held.id, 2_500, "pending"]].sort());
    // The payment paid A then B: B, applied last, gives back what the refunds took.
    expect([(await invoiceRow(a!.id)).openMinor, (await invoiceRow(b!.id)).openMinor]).toEqual([0, 7_500]);

    fake.finishRefund(held.id, "failed");
    await fake.deliverQueued({ to: toHandler, order: "reverse", duplicate: true });
    expect((await getDb().select().from(refunds).where(eq(refunds.reference, held.id)))[0]!.status).toBe("failed");
    const payment = await paymentFor(intentId);
    expect(payment.refundedMinor).toBe(5_000);
    expect(payment.amountMinor - payment.allocatedMinor - payment.refundedMinor).toBe(2_500);
    expect((await getDb().select().from(journalEntries).where(eq(journalEntries.type, "refund_failed"))).length).toBe(1);
    expect(await ledgerViolations()).toEqual([]);
  });
});

describe("disputes (chargebacks)", () => {
  it("a lost dispute takes the money back, reopens the invoices and invoices the fee", async () => {
    const { customer, invoices: [a, b], intentId } = await paidCustomer();
    const dispute = fake.dispute(intentId, { amount: 50_000 });
    fake.closeDispute(dispute.id, "lost");
    await fake.deliverQueued({ to: toHandler, order: "shuffle", duplicate: true });

    expect([(await invoiceRow(a!.id)).status, (await invoiceRow(b!.id)).status]).toEqual(["open", "open"]);
    const [chargeback] = await getDb().select().from(chargebacks);
    expect(chargeback).toMatchObject({ processorDisputeId: dispute.id, status: "lost", amountMinor: 50_000, feeMinor: 1_500 });
    const fee = await invoiceRow(chargeback!.feeInvoiceId!);
    expect(fee).toMatchObject({ customerId: customer.id, totalMinor: 1_500, status: "open" });
    expect((await paymentFor(intentId)).chargedBackMinor).toBe(50_000);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("a won dispute puts the money back on the same invoices and credits the fee", async () => {
    const { invoices: [a, b], intentId } = await paidCustomer();
    const dispute = fake.dispute(intentId, { amount: 25_000 });
    await fake.deliverQueued({ to: toHandler });
    // The newest application (B, 20,000) and 5,000 of A's were taken back.
    expect([(await invoiceRow(a!.id)).openMinor, (await invoiceRow(b!.id)).openMinor]).toEqual([5_000, 20_000]);
    fake.closeDispute(dispute.id, "won");
    await fake.deliverQueued({ to: toHandler, duplicate: true });
    expect([(await invoiceRow(a!.id)).status, (await invoiceRow(b!.id)).status]).toEqual(["paid", "paid"]);
    const [chargeback] = await getDb().select().from(chargebacks);
    expect(chargeback).toMatchObject({ status: "won" });
    expect((await invoiceRow(chargeback!.feeInvoiceId!)).openMinor).toBe(0);
    expect(await getDb().select().from(creditNotes).where(eq(creditNotes.invoiceId, chargeback!.feeInvoiceId!))).toHaveLength(1);
    expect((await paymentFor(intentId)).chargedBackMinor).toBe(0);
    expect(await ledgerViolations()).toEqual([]);
  });
});

describe("payouts", () => {
  it("marks each payment deposited with its fee, and the breakdown adds up to the payout", async () => {
    const one = await paidCustomer([10_000]);
    const two = await paidCustomer([40_000]);
    fake.refund(two.intentId, { amount: 4_000 });
    const payout = fake.payout({ currency: "usd" })!;
    // The payout's events first: it brings the refund into the books itself.
    const payoutEvents = fake.queued.filter((e) => e.type.startsWith("payout."));
    fake.queued.splice(0, fake.queued.length, ...payoutEvents, ...fake.queued.filter((e) => !e.type.startsWith("payout.")));
    await fake.deliverQueued({ to: toHandler });

    const [row] = await getDb().select().from(payouts);
    const fees = 30 + Math.round(10_000 * 0.029) + 30 + Math.round(40_000 * 0.029);
    expect(row).toMatchObject({ processorPayoutId: payout.id, status: "paid", reconciliation: "balanced", paymentsMinor: 50_000, refundsMinor: 4_000, feesMinor: fees, amountMinor: 50_000 - 4_000 - fees });
    expect((await paymentFor(one.intentId))).toMatchObject({ payoutId: row!.id, processorFeeMinor: 30 + 290 });
    expect(await getDb().select().from(reconciliationExceptions)).toEqual([]);
  });
});

describe("money Settle cannot place", () => {
  it("queues a payment from no known customer, and a clerk applies it to two invoices", async () => {
    const customer = await createCustomer();
    const a = await issuedInvoice({ customerId: customer.id, amounts: [6_000] });
    const b = await issuedInvoice({ customerId: customer.id, amounts: [4_000] });
    const intent = fake.chargeDirect({ amount: 10_000, currency: "usd" });
    fake.refund(intent.id, { amount: 1_000 });
    await fake.deliverQueued({ to: toHandler, duplicate: true });
    const queue = await getDb().select().from(reconciliationExceptions);
    expect(queue.map((e) => e.kind).sort()).toEqual(["unknown_customer", "unknown_refund"]);
    expect((await getDb().select().from(processorEvents)).every((e) => e.processedAt !== null)).toBe(true);

    const clerk = await createStaff({ role: "clerk" });
    const payment = queue.find((e) => e.kind === "unknown_customer")!;
    const resolved = await resolveException(payment.id, { action: "apply", customerId: customer.id, allocations: [{ invoiceId: a.id, amountMinor: 6_000 }, { invoiceId: b.id, amountMinor: 3_000 }] }, { type: "staff", id: clerk.id, label: clerk.name });
    expect(resolved).toMatchObject({ status: "resolved", resolution: "applied", customerId: customer.id });
    expect([(await invoiceRow(a.id)).status, (await invoiceRow(b.id)).openMinor]).toEqual(["paid", 1_000]);
    // The same money arriving again (a redelivery) is the same payment.
    await fake.deliverQueued({ to: toHandler });
    expect(await getDb().select().from(payments)).toHaveLength(1);
    await expect(resolveException(payment.id, { action: "dismiss", note: "again" }, { type: "staff", id: clerk.id, label: clerk.name })).rejects.toThrow(/already resolved/);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("queues an overpayment's rest when an invoice was paid another way meanwhile, and refunds it through Stripe", async () => {
    const customer = await createCustomer();
    const a = await issuedInvoice({ customerId: customer.id, amounts: [8_000] });
    const attempt = await startAttempt({ customerId: customer.id, allocations: [{ invoiceId: a.id, amountMinor: 8_000 }], idempotencyKey: "over-1" });
    const other = await startAttempt({ customerId: customer.id, allocations: [{ invoiceId: a.id, amountMinor: 8_000 }], idempotencyKey: "over-2" });
    await stripe.paymentIntents.confirm(attempt.processorIntentId!, { payment_method: "pm_card_visa" });
    await stripe.paymentIntents.confirm(other.processorIntentId!, { payment_method: "pm_card_visa" });
    await fake.deliverQueued({ to: toHandler });
    const [exception] = await getDb().select().from(reconciliationExceptions);
    expect(exception).toMatchObject({ kind: "invoice_not_open", amountMinor: 8_000, customerId: customer.id });

    const clerk = await createStaff({ role: "clerk" });
    await resolveException(exception!.id, { action: "refund", note: "Paid twice by mistake" }, { type: "staff", id: clerk.id, label: clerk.name });
    const refunded = [...fake.refunds.values()];
    expect(refunded.map((r) => [r.payment_intent, r.amount])).toEqual([[exception!.processorObjectId, 8_000]]);
    await fake.deliverQueued({ to: toHandler, duplicate: true });
    expect((await getDb().select().from(refunds)).map((r) => r.amountMinor)).toEqual([8_000]);
    expect(await ledgerViolations()).toEqual([]);
  });
});
