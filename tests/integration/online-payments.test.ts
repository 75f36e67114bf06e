import Stripe from "stripe";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { emailOutbox, invoices, paymentAttempts, payments, processorEvents, reconciliationExceptions, savedPaymentMethods } from "~db/schema";
import { checkPortalAllocations, refreshAttempt, startAttempt } from "~/payments/attempts.server";
import { DEMO_SETTLE_AFTER_MS, demoProcessor, demoWebhookSecret, settleDemoProcessing } from "~/payments/demo-processor.server";
import { deliverDemoEvents } from "~webhooks/stripe/demo-delivery.server";
import { MAX_WEBHOOK_BYTES, receiveStripeWebhook } from "~webhooks/stripe/receive.server";
import { createCustomer, issuedInvoice } from "./factories";
import { ledgerViolations } from "./ledger-invariants";

const actor = { type: "system" as const, label: "test" };
/** Delivers the demo processor's events straight to the webhook handler, as HTTP would. */
const deliverToHandler = async (body: string, signature: string) => (await receiveStripeWebhook(body, signature)).status === 200;

async function setup() {
  const customer = await createCustomer({ email: "ap@customer.example" });
  const a = await issuedInvoice({ customerId: customer.id, amounts: [30_000] });
  const b = await issuedInvoice({ customerId: customer.id, amounts: [20_000] });
  return { customer, a, b };
}

describe("paying through the demo processor", () => {
  it("charges what the server computed, applies it through the webhook once, and emails a receipt", async () => {
    const { customer, a, b } = await setup();
    const chosen = await checkPortalAllocations(customer.id, [
      { invoiceId: a.id, amountMinor: 30_000 },
      { invoiceId: b.id, amountMinor: 5_000 },
    ]);
    const attempt = await startAttempt({ customerId: customer.id, allocations: chosen, idempotencyKey: "page-key-1" });
    expect(attempt).toMatchObject({ amountMinor: 35_000, status: "created", processor: "demo" });
    // A double click or a second tab with the same page key is the same attempt.
    expect((await startAttempt({ customerId: customer.id, allocations: chosen, idempotencyKey: "page-key-1" })).id).toBe(attempt.id);

    await demoProcessor.confirmPayment(attempt.processorIntentId!, "4242 4242 4242 4242");
    expect(await deliverDemoEvents(deliverToHandler)).toBeGreaterThan(0);
    const [settled] = await getDb().select().from(paymentAttempts).where(eq(paymentAttempts.id, attempt.id));
    expect(settled).toMatchObject({ status: "succeeded" });
    const [paidA] = await getDb().select().from(invoices).where(eq(invoices.id, a.id));
    const [partB] = await getDb().select().from(invoices).where(eq(invoices.id, b.id));
    expect([paidA!.status, partB!.openMinor]).toEqual(["paid", 15_000]);

    // The return page, a replayed event and a redelivery change nothing more.
    await refreshAttempt(settled!, actor);
    const [event] = await getDb().select().from(processorEvents).where(eq(processorEvents.type, "payment_intent.succeeded"));
    const secret = await demoWebhookSecret();
    const body = JSON.stringify(event!.payload);
    expect(await receiveStripeWebhook(body, new Stripe("sk_x").webhooks.generateTestHeaderString({ payload: body, secret }))).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(await getDb().select().from(payments)).toHaveLength(1);
    expect((await getDb().select().from(emailOutbox).where(eq(emailOutbox.template, "payment-receipt"))).length).toBe(1);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("records a decline, completes 3-D Secure, and shows a bank debit as pending until it settles", async () => {
    const { customer, a, b } = await setup();
    const declined = await startAttempt({ customerId: customer.id, allocations: [{ invoiceId: a.id, amountMinor: 30_000 }], idempotencyKey: "decline" });
    await demoProcessor.confirmPayment(declined.processorIntentId!, "4000000000000002");
    await deliverDemoEvents(deliverToHandler);
    expect((await getDb().select().from(paymentAttempts).where(eq(paymentAttempts.id, declined.id)))[0]).toMatchObject({ status: "failed", failureCode: "generic_decline" });

    const secure = await startAttempt({ customerId: customer.id, allocations: [{ invoiceId: a.id, amountMinor: 30_000 }], idempotencyKey: "3ds" });
    await demoProcessor.confirmPayment(secure.processorIntentId!, "4000002760003184");
    await deliverDemoEvents(deliverToHandler);
    expect((await getDb().select().from(paymentAttempts).where(eq(paymentAttempts.id, secure.id)))[0]!.status).toBe("requires_action");
    await demoProcessor.completeAuthentication(secure.processorIntentId!, true);
    await deliverDemoEvents(deliverToHandler);
    expect((await getDb().select().from(paymentAttempts).where(eq(paymentAttempts.id, secure.id)))[0]!.status).toBe("succeeded");

    const later = await startAttempt({ customerId: customer.id, allocations: [{ invoiceId: b.id, amountMinor: 20_000 }], idempotencyKey: "later", saveMethod: true });
    await demoProcessor.confirmPayment(later.processorIntentId!, "4000000000000077");
    await deliverDemoEvents(deliverToHandler);
    expect((await getDb().select().from(paymentAttempts).where(eq(paymentAttempts.id, later.id)))[0]!.status).toBe("processing");
    expect((await getDb().select().from(invoices).where(eq(invoices.id, b.id)))[0]!.status).toBe("open");
    await settleDemoProcessing(Date.now() + DEMO_SETTLE_AFTER_MS + 1);
    await deliverDemoEvents(deliverToHandler);
    expect((await getDb().select().from(invoices).where(eq(invoices.id, b.id)))[0]!.status).toBe("paid");
    expect(await getDb().select().from(savedPaymentMethods)).toHaveLength(1);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("charges a saved method off-session, and the same key never charges twice", async () => {
    const { customer, a } = await setup();
    const first = await startAttempt({ customerId: customer.id, allocations: [{ invoiceId: a.id, amountMinor: 1_000 }], idempotencyKey: "save", saveMethod: true });
    await demoProcessor.confirmPayment(first.processorIntentId!, "4242424242424242");
    await deliverDemoEvents(deliverToHandler);
    const [method] = await getDb().select().from(savedPaymentMethods);
    const input = { customerId: customer.id, allocations: [{ invoiceId: a.id, amountMinor: 2_000 }], idempotencyKey: "autopay-1", savedMethodId: method!.id };
    const results = await Promise.allSettled([startAttempt(input), startAttempt(input)]);
    expect(results.some((r) => r.status === "fulfilled")).toBe(true);
    const attempts = await getDb().select().from(paymentAttempts).where(eq(paymentAttempts.idempotencyKey, "autopay-1"));
    expect(attempts).toHaveLength(1);
    await deliverDemoEvents(deliverToHandler);
    expect(await getDb().select().from(payments)).toHaveLength(2);
    expect((await getDb().select().from(invoices).where(eq(invoices.id, a.id)))[0]!.openMinor).toBe(27_000);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("refuses amounts above what is open, below the part-payment minimum, and another customer's invoice", async () => {
    const { customer, a } = await setup();
    const other = await createCustomer();
    const theirs = await issuedInvoice({ customerId: other.id, amounts: [5_000] });
    await expect(checkPortalAllocations(customer.id, [{ invoiceId: a.id, amountMinor: 30_001 }])).rejects.toThrow(/at most \$300\.00/);
    await expect(checkPortalAllocations(customer.id, [{ invoiceId: a.id, amountMinor: 500 }])).rejects.toThrow(/at least \$10\.00/);
    await expect(checkPortalAllocations(customer.id, [{ invoiceId: theirs.id, amountMinor: 5_000 }])).rejects.toThrow(/not open on your account/);
    await expect(checkPortalAllocations(customer.id, [])).rejects.toThrow(/at least one invoice/);
  });
});

describe("the webhook endpoint", () => {
  it("refuses a bad signature, a stale timestamp and a malformed body with 400, storing nothing", async () => {
    const secret = await demoWebhookSecret();
    const signer = new Stripe("sk_x").webhooks;
    const body = JSON.stringify({ id: "evt_demo_1", object: "event", type: "payment_intent.succeeded", created: Math.floor(Date.now() / 1000), data: { object: { id: "pi_x" } } });
    expect((await receiveStripeWebhook(body, signer.generateTestHeaderString({ payload: body, secret: "whsec_wrong" }))).status).toBe(400);
    expect((await receiveStripeWebhook(body, signer.generateTestHeaderString({ payload: body, secret, timestamp: Math.floor(Date.now() / 1000) - 3600 }))).status).toBe(400);
    expect((await receiveStripeWebhook("{not json", signer.generateTestHeaderString({ payload: "{not json", secret }))).status).toBe(400);
    expect((await receiveStripeWebhook(body, null)).status).toBe(400);
    const huge = JSON.stringify({ id: "evt_demo_2", object: "event", type: "payment_intent.succeeded", created: Math.floor(Date.now() / 1000), data: { object: { id: "pi_x", padding: "x".repeat(MAX_WEBHOOK_BYTES) } } });
    const tooBig = await receiveStripeWebhook(huge, signer.generateTestHeaderString({ payload: huge, secret }));
    expect(tooBig).toMatchObject({ status: 400, body: { error: expect.stringContaining("limit") } });
    const shapeless = JSON.stringify({ id: "evt_demo_3", object: "event", created: Math.floor(Date.now() / 1000) });
    const refused = await receiveStripeWebhook(shapeless, signer.generateTestHeaderString({ payload: shapeless, secret }));
    expect(refused).toMatchObject({ status: 400, body: { error: expect.stringMatching(/type.*data/s) } });
    expect(await getDb().select().from(processorEvents)).toHaveLength(0);
  });

  it("puts a payment from an unknown customer on the exceptions queue, never failing the delivery", async () => {
    const secret = await demoWebhookSecret();
    const customer = await createCustomer();
    const intent = await demoProcessor.createPaymentIntent({ amountMinor: 100, currency: "USD", customer: "cus_demo_x", metadata: {}, idempotencyKey: "orphan" });
    await demoProcessor.confirmPayment(intent.id, "4242424242424242");
    expect(await deliverDemoEvents(async (body, signature) => (await receiveStripeWebhook(body, signature)).status === 200)).toBeGreaterThan(0);
    const [event] = await getDb().select().from(processorEvents).where(eq(processorEvents.type, "payment_intent.succeeded"));
    expect(event).toMatchObject({ lastError: "No customer of ours: on the exceptions queue" });
    const [exception] = await getDb().select().from(reconciliationExceptions);
    expect(exception).toMatchObject({ kind: "unknown_customer", status: "open", amountMinor: 100, currency: "USD", processorObjectId: intent.id, paymentId: null });
    expect(secret).toMatch(/^whsec_demo_/);
    expect(customer).toBeTruthy();
  });
});
