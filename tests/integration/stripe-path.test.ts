import { eq } from "drizzle-orm";
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { customers, emailOutbox, invoices, paymentAttempts, payments, processorEvents, savedPaymentMethods } from "~db/schema";
import { refreshAttempt, startAttempt } from "~/payments/attempts.server";
import { getProcessor } from "~/payments/processor.server";
import { stripeClient } from "~/payments/stripe-processor.server";
import { action as webhookAction } from "~/routes/webhooks.stripe";
import { MAX_WEBHOOK_BYTES, receiveStripeWebhook } from "~webhooks/stripe/receive.server";
import { startFakeStripe, type FakeStripe } from "../fakes/stripe";
import { createCustomer, issuedInvoice } from "./factories";
import { ledgerViolations } from "./ledger-invariants";

/**
 * The Stripe path end to end on the server: the real `stripe` SDK against the local fake, signed
 * Stripe-shaped events into the webhook handler, and the books after every order of delivery.
 */

const actor = { type: "system" as const, label: "test" };
const stripeEnv = ["STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE"] as const;
const envBefore = Object.fromEntries(stripeEnv.map((key) => [key, process.env[key]]));
const resetEnvCache = () => delete (globalThis as { __settleEnv?: unknown }).__settleEnv;

let fake: FakeStripe;
/** The SDK as Settle's server uses it; tests confirm with it where Stripe.js would in a browser. */
let stripe: ReturnType<typeof stripeClient>;
const deliverToHandler = async (body: string, signature: string) => (await receiveStripeWebhook(body, signature)).status === 200;

beforeAll(async () => {
  fake = await startFakeStripe({ webhooks: "queue" });
  Object.assign(process.env, {
    STRIPE_SECRET_KEY: fake.keys.secretKey,
    STRIPE_PUBLISHABLE_KEY: fake.keys.publishableKey,
    STRIPE_WEBHOOK_SECRET: fake.keys.webhookSecret,
    STRIPE_API_BASE: fake.baseUrl,
  });
  resetEnvCache();
  stripe = stripeClient(fake.keys.secretKey, fake.baseUrl);
});

afterAll(async () => {
  // Integration files share a worker: leave the demo processor as the others expect it.
  for (const key of stripeEnv) {
    if (envBefore[key] === undefined) delete process.env[key];
    else process.env[key] = envBefore[key];
  }
  resetEnvCache();
  await fake.close();
});

beforeEach(() => {
  fake.queued.splice(0);
  fake.failNextRequests(0);
});

async function setup() {
  const customer = await createCustomer({ email: "ap@customer.example" });
  const a = await issuedInvoice({ customerId: customer.id, amounts: [30_000] });
  const b = await issuedInvoice({ customerId: customer.id, amounts: [20_000] });
  return { customer, a, b };
}

const attemptRow = async (id: string) => (await getDb().select().from(paymentAttempts).where(eq(paymentAttempts.id, id)))[0]!;
const invoiceRow = async (id: string) => (await getDb().select().from(invoices).where(eq(invoices.id, id)))[0]!;
const allPayments = () => getDb().select().from(payments);

/** The customer's Stripe customer made ahead, so a test's first API call is the one it is about. */
async function withStripeCustomer(customerId: string) {
  const processor = await getProcessor();
  const id = await processor.createCustomer({ name: "Test", email: null, settleCustomerId: customerId }, `customer:${customerId}:test`);
  await getDb().update(customers).set({ stripeCustomerId: id }).where(eq(customers.id, customerId));
  return id;
}

/** A card saved the way the portal saves one: a SetupIntent confirmed, its events delivered. */
async function savedCard(customerId: string, card: string, { authenticate = false } = {}) {
  const stripeCustomer = await withStripeCustomer(customerId);
  const setup = await (await getProcessor()).createSetupIntent({ customer: stripeCustomer, metadata: { settle_customer_id: customerId }, idempotencyKey: `setup:${customerId}:${card}` });
  const confirmed = await stripe.setupIntents.confirm(setup.id, { payment_method: card });
  if (authenticate) {
    expect(confirmed.status).toBe("requires_action");
    fake.authenticateSetup(setup.id);
  } else expect(confirmed.status).toBe("succeeded");
  await fake.deliverQueued({ to: deliverToHandler });
  const [method] = await getDb().select().from(savedPaymentMethods).where(eq(savedPaymentMethods.customerId, customerId));
  return method!;
}

describe("paying through Stripe (the real SDK against the fake)", () => {
  it("creates the PaymentIntent for the attempt, and the signed webhook applies it once", async () => {
    const { customer, a, b } = await setup();
    const firstEvent = fake.events.length;
    const allocations = [
      { invoiceId: a.id, amountMinor: 30_000 },
      { invoiceId: b.id, amountMinor: 5_000 },
    ];
    const attempt = await startAttempt({ customerId: customer.id, allocations, idempotencyKey: "page-key-1", saveMethod: true });
    expect(attempt).toMatchObject({ processor: "stripe", status: "created", amountMinor: 35_000 });
    expect(attempt.processorIntentId).toMatch(/^pi_/);
    expect(attempt.clientSecret).toMatch(new RegExp(`^${attempt.processorIntentId}_secret_`));
    // A double click or a second tab is the same attempt and the same PaymentIntent.
    expect((await startAttempt({ customerId: customer.id, allocations, idempotencyKey: "page-key-1" })).processorIntentId).toBe(attempt.processorIntentId);
    expect(fake.paymentIntents.size).toBe(1);

    const intent = fake.paymentIntents.get(attempt.processorIntentId!)!;
    const stripeCustomer = (await getDb().select().from(customers).where(eq(customers.id, customer.id)))[0]!.stripeCustomerId;
    expect(intent).toMatchObject({
      amount: 35_000,
      currency: "usd",
      customer: stripeCustomer,
      setup_future_usage: "off_session",
      payment_method_types: ["card", "us_bank_account"],
      metadata: { settle_attempt_id: attempt.id, settle_customer_id: customer.id, settle_invoices: `${a.id},${b.id}` },
    });
    expect(fake.requests.find((r) => r.method === "POST" && r.path === "/v1/payment_intents")!.idempotencyKey).toBe(`attempt:${attempt.id}:${stripeCustomer}`);
    expect(fake.requests.find((r) => r.method === "POST" && r.path === "/v1/customers")!.idempotencyKey).toBe(`customer:${customer.id}:stripe`);

    // What Stripe.js does in the browser: confirm with the publishable key and the client secret.
    const confirmed = await fetch(`${fake.baseUrl}/v1/payment_intents/${intent.id}/confirm`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ key: fake.keys.publishableKey, client_secret: attempt.clientSecret!, "payment_method_data[type]": "card", "payment_method_data[card][number]": "4242424242424242" }),
    });
    expect(((await confirmed.json()) as { status: string }).status).toBe("succeeded");
    expect(fake.queued.map((e) => e.type)).toEqual(["customer.created", "payment_intent.created", "payment_method.attached", "payment_intent.succeeded"]);
    await fake.deliverQueued({ to: deliverToHandler });

    expect(await attemptRow(attempt.id)).toMatchObject({ status: "succeeded" });
    expect([(await invoiceRow(a.id)).status, (await invoiceRow(b.id)).openMinor]).toEqual(["paid", 15_000]);
    expect(await allPayments()).toMatchObject([{ amountMinor: 35_000, method: "card", reference: intent.id }]);
    expect(await getDb().select().from(savedPaymentMethods)).toMatchObject([{ processor: "stripe", type: "card", brand: "visa", last4: "4242" }]);

    // The return page, a replayed delivery and every event again, twice, in any order: nothing more.
    await refreshAttempt(await attemptRow(attempt.id), actor);
    const succeeded = fake.events.find((e) => e.type === "payment_intent.succeeded")!;
    const body = JSON.stringify(succeeded);
    expect(await receiveStripeWebhook(body, fake.sign(body))).toMatchObject({ status: 200, body: { duplicate: true } });
    fake.queued.push(...fake.events.slice(firstEvent));
    await fake.deliverQueued({ to: deliverToHandler, order: "shuffle", duplicate: true });
    expect(await allPayments()).toHaveLength(1);
    expect(await getDb().select().from(emailOutbox).where(eq(emailOutbox.template, "payment-receipt"))).toHaveLength(1);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("applies the intent on the return page when it comes before the webhook, once", async () => {
    const { customer, a } = await setup();
    const attempt = await startAttempt({ customerId: customer.id, allocations: [{ invoiceId: a.id, amountMinor: 30_000 }], idempotencyKey: "return-first" });
    await stripe.paymentIntents.confirm(attempt.processorIntentId!, { payment_method: "pm_card_visa" });
    expect(await refreshAttempt(attempt, actor)).toMatchObject({ status: "succeeded" });
    expect((await invoiceRow(a.id)).status).toBe("paid");
    await fake.deliverQueued({ to: deliverToHandler });
    expect(await refreshAttempt(await attemptRow(attempt.id), actor)).toMatchObject({ status: "succeeded" });
    expect(await allPayments()).toHaveLength(1);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("gives the same books when a bank debit's processing event arrives after its success, twice", async () => {
    const { customer, b } = await setup();
    const attempt = await startAttempt({ customerId: customer.id, allocations: [{ invoiceId: b.id, amountMinor: 20_000 }], idempotencyKey: "bank" });
    expect((await stripe.paymentIntents.confirm(attempt.processorIntentId!, { payment_method: "pm_usBankAccount_success" })).status).toBe("processing");
    expect(await refreshAttempt(attempt, actor)).toMatchObject({ status: "processing" });
    expect((await invoiceRow(b.id)).status).toBe("open");

    fake.settle(attempt.processorIntentId!);
    expect(fake.queued.map((e) => e.type).slice(-2)).toEqual(["payment_intent.processing", "payment_intent.succeeded"]);
    await fake.deliverQueued({ to: deliverToHandler, order: "reverse", duplicate: true });
    expect(await attemptRow(attempt.id)).toMatchObject({ status: "succeeded" });
    expect(await allPayments()).toMatchObject([{ amountMinor: 20_000, method: "bank_debit" }]);
    expect((await invoiceRow(b.id)).status).toBe("paid");
    expect(await ledgerViolations()).toEqual([]);
  });

  it("records a decline and pays nothing; the same intent then takes another card", async () => {
    const { customer, a } = await setup();
    const attempt = await startAttempt({ customerId: customer.id, allocations: [{ invoiceId: a.id, amountMinor: 30_000 }], idempotencyKey: "decline" });
    const declined = await stripe.paymentIntents.confirm(attempt.processorIntentId!, { payment_method: "pm_card_chargeDeclined" }).catch((error: unknown) => error);
    expect(declined).toMatchObject({
      type: "StripeCardError",
      statusCode: 402,
      code: "card_declined",
      decline_code: "generic_decline",
      raw: { payment_intent: { status: "requires_payment_method" } },
    });
    await fake.deliverQueued({ to: deliverToHandler });
    expect(await attemptRow(attempt.id)).toMatchObject({ status: "failed", failureCode: "generic_decline", failureMessage: "Your card was declined." });
    expect(await allPayments()).toHaveLength(0);
    expect((await invoiceRow(a.id)).openMinor).toBe(30_000);

    await stripe.paymentIntents.confirm(attempt.processorIntentId!, { payment_method: "pm_card_visa" });
    await fake.deliverQueued({ to: deliverToHandler });
    expect(await attemptRow(attempt.id)).toMatchObject({ status: "succeeded", failureCode: null });
    expect((await invoiceRow(a.id)).status).toBe("paid");
    expect(await ledgerViolations()).toEqual([]);
  });

  it("waits for 3-D Secure, pays once authenticated, and records a failed authentication", async () => {
    const { customer, a, b } = await setup();
    const attempt = await startAttempt({ customerId: customer.id, allocations: [{ invoiceId: a.id, amountMinor: 30_000 }], idempotencyKey: "3ds" });
    const intent = await stripe.paymentIntents.confirm(attempt.processorIntentId!, { payment_method: "pm_card_authenticationRequired" });
    expect(intent).toMatchObject({ status: "requires_action", next_action: { type: "use_stripe_sdk" } });
    await fake.deliverQueued({ to: deliverToHandler });
    expect((await attemptRow(attempt.id)).status).toBe("requires_action");
    expect(await allPayments()).toHaveLength(0);
    fake.authenticate(intent.id);
    await fake.deliverQueued({ to: deliverToHandler });
    expect((await attemptRow(attempt.id)).status).toBe("succeeded");
    expect((await invoiceRow(a.id)).status).toBe("paid");

    const refused = await startAttempt({ customerId: customer.id, allocations: [{ invoiceId: b.id, amountMinor: 20_000 }], idempotencyKey: "3ds-refused" });
    await stripe.paymentIntents.confirm(refused.processorIntentId!, { payment_method: "pm_card_authenticationRequired" });
    fake.authenticate(refused.processorIntentId!, false);
    await fake.deliverQueued({ to: deliverToHandler });
    expect(await attemptRow(refused.id)).toMatchObject({ status: "failed", failureCode: "payment_intent_authentication_failure" });
    expect(await allPayments()).toHaveLength(1);
    expect(await ledgerViolations()).toEqual([]);
  });
});

describe("autopay: a saved method charged off-session", () => {
  it("saves a card through a SetupIntent and charges it without the customer, once per key, even at the same time", async () => {
    const { customer, a } = await setup();
    const method = await savedCard(customer.id, "pm_card_visa");
    expect(method).toMatchObject({ processor: "stripe", type: "card", last4: "4242" });
    expect(method.processorMethodId).toMatch(/^pm_/);

    const input = { customerId: customer.id, allocations: [{ invoiceId: a.id, amountMinor: 10_000 }], idempotencyKey: "autopay-1", savedMethodId: method.id };
    const results = await Promise.allSettled([startAttempt(input), startAttempt(input)]);
    expect(results.some((r) => r.status === "fulfilled")).toBe(true);
    const attempts = await getDb().select().from(paymentAttempts).where(eq(paymentAttempts.idempotencyKey, "autopay-1"));
    expect(attempts).toMatchObject([{ status: "succeeded" }]);
    const charge = fake.requests.find((r) => r.method === "POST" && r.path === "/v1/payment_intents" && r.params.off_session === "true")!;
    expect(charge.params).toMatchObject({ confirm: "true", payment_method: method.processorMethodId, customer: fake.paymentMethods.get(method.processorMethodId)!.customer });
    expect([...fake.paymentIntents.values()].filter((i) => i.metadata.settle_attempt_id === attempts[0]!.id)).toHaveLength(1);

    await fake.deliverQueued({ to: deliverToHandler, order: "shuffle", duplicate: true });
    expect(await allPayments()).toMatchObject([{ amountMinor: 10_000, method: "card" }]);
    expect((await invoiceRow(a.id)).openMinor).toBe(20_000);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("records a saved card that declines off-session as failed, and charges a card authenticated when saved", async () => {
    const { customer, a, b } = await setup();
    const failing = await savedCard(customer.id, "pm_card_chargeCustomerFail");
    const failed = await startAttempt({ customerId: customer.id, allocations: [{ invoiceId: a.id, amountMinor: 30_000 }], idempotencyKey: "autopay-fail", savedMethodId: failing.id });
    expect(failed).toMatchObject({ status: "failed", failureCode: "generic_decline" });
    await fake.deliverQueued({ to: deliverToHandler });
    expect(await allPayments()).toHaveLength(0);

    const other = await createCustomer();
    const invoice = await issuedInvoice({ customerId: other.id, amounts: [7_500] });
    const authenticated = await savedCard(other.id, "pm_card_authenticationRequiredOnSetup", { authenticate: true });
    const paid = await startAttempt({ customerId: other.id, allocations: [{ invoiceId: invoice.id, amountMinor: 7_500 }], idempotencyKey: "autopay-3ds", savedMethodId: authenticated.id });
    expect(paid).toMatchObject({ status: "succeeded" });
    expect((await invoiceRow(invoice.id)).status).toBe("paid");
    expect((await invoiceRow(b.id)).status).toBe("open");
    expect(await ledgerViolations()).toEqual([]);
  });
});

describe("Stripe outages", () => {
  it("replaces a remembered customer that Stripe no longer knows, once", async () => {
    const { customer, a } = await setup();
    await getDb().update(customers).set({ stripeCustomerId: "cus_forgotten" }).where(eq(customers.id, customer.id));
    const attempt = await startAttempt({ customerId: customer.id, allocations: [{ invoiceId: a.id, amountMinor: 10_000 }], idempotencyKey: "forgotten" });
    expect(attempt.processorIntentId).toMatch(/^pi_/);
    const [row] = await getDb().select().from(customers).where(eq(customers.id, customer.id));
    expect(row!.stripeCustomerId).toMatch(/^cus_/);
    expect(row!.stripeCustomerId).not.toBe("cus_forgotten");
    expect(fake.paymentIntents.get(attempt.processorIntentId!)!.customer).toBe(row!.stripeCustomerId);
  });

  it("retries a lost answer with the same key, and a failed start resumes into the same PaymentIntent", async () => {
    const { customer, a } = await setup();
    await withStripeCustomer(customer.id);
    // Stripe did the work but the answer was lost: the SDK retries with the same key and gets the first result.
    fake.failNextRequests(1, "after");
    const attempt = await startAttempt({ customerId: customer.id, allocations: [{ invoiceId: a.id, amountMinor: 10_000 }], idempotencyKey: "flaky" });
    const creates = fake.requests.filter((r) => r.method === "POST" && r.idempotencyKey?.startsWith(`attempt:${attempt.id}:`));
    expect(creates.map((r) => [r.path, r.status, r.replayed])).toEqual([
      ["/v1/payment_intents", 500, false],
      ["/v1/payment_intents", 200, true],
    ]);
    expect([...fake.paymentIntents.values()].filter((i) => i.metadata.settle_attempt_id === attempt.id)).toHaveLength(1);

    // Every try fails: the page's next submit finds the same attempt and Stripe's same intent.
    fake.failNextRequests(3, "after");
    const input = { customerId: customer.id, allocations: [{ invoiceId: a.id, amountMinor: 20_000 }], idempotencyKey: "down" };
    await expect(startAttempt(input)).rejects.toThrow(/outage/);
    const resumed = await startAttempt(input);
    expect(resumed.processorIntentId).toMatch(/^pi_/);
    expect([...fake.paymentIntents.values()].filter((i) => i.metadata.settle_attempt_id === resumed.id)).toHaveLength(1);
    expect(await getDb().select().from(paymentAttempts)).toHaveLength(2);
  });
});

describe("the webhook endpoint in Stripe mode", () => {
  it("applies a webhook, its duplicate and the return page arriving at once as one payment", async () => {
    const { customer, a } = await setup();
    const attempt = await startAttempt({ customerId: customer.id, allocations: [{ invoiceId: a.id, amountMinor: 30_000 }], idempotencyKey: "race" });
    await stripe.paymentIntents.confirm(attempt.processorIntentId!, { payment_method: "pm_card_visa" });
    const body = JSON.stringify(fake.queued.find((e) => e.type === "payment_intent.succeeded"));
    const post = () => webhookAction({ request: new Request("http://localhost/webhooks/stripe", { method: "POST", body, headers: { "Stripe-Signature": fake.sign(body) } }), params: {}, context: {} });
    const answers = await Promise.all([post(), post(), refreshAttempt(attempt, actor), post()]);
    expect(answers.filter((r): r is Response => r instanceof Response).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await allPayments()).toHaveLength(1);
    expect(await getDb().select().from(processorEvents)).toHaveLength(1);
    expect((await invoiceRow(a.id)).status).toBe("paid");
    expect(await ledgerViolations()).toEqual([]);
  });

  it("answers 400 to a bad signature, a stale timestamp, a tampered, malformed or oversized body, and stores nothing", async () => {
    const { customer, a } = await setup();
    const attempt = await startAttempt({ customerId: customer.id, allocations: [{ invoiceId: a.id, amountMinor: 30_000 }], idempotencyKey: "forged" });
    await stripe.paymentIntents.confirm(attempt.processorIntentId!, { payment_method: "pm_card_visa" });
    const body = JSON.stringify(fake.queued.find((e) => e.type === "payment_intent.succeeded"));
    const send = (payload: string, signature: string | null, headers: Record<string, string> = {}) =>
      webhookAction({
        request: new Request("http://localhost/webhooks/stripe", { method: "POST", body: payload, headers: { ...(signature ? { "Stripe-Signature": signature } : {}), ...headers } }),
        params: {},
        context: {},
      });
    // Over the limit, signed or not: refused by its declared length before reading, or by its real one.
    const huge = JSON.stringify({ ...JSON.parse(body), padding: "x".repeat(MAX_WEBHOOK_BYTES) });
    const refused = [
      await send(body, new Stripe("sk_test_x").webhooks.generateTestHeaderString({ payload: body, secret: "whsec_someone_else" })),
      await send(body, fake.sign(body, Math.floor(Date.now() / 1000) - 3600)),
      await send(body.replace('"amount":30000', '"amount":1'), fake.sign(body)),
      await send("{not json", fake.sign("{not json")),
      await send(body, null),
      await send(huge, fake.sign(huge), { "Content-Length": String(Buffer.byteLength(huge)) }),
      await send(huge, fake.sign(huge)),
    ];
    expect(refused.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400, 400]);
    expect(await refused.at(-1)!.json()).toMatchObject({ error: expect.stringContaining("512 KiB") });
    expect(await getDb().select().from(processorEvents)).toHaveLength(0);
    expect(await allPayments()).toHaveLength(0);
    expect((await invoiceRow(a.id)).status).toBe("open");
  });
});

describe("the fake keeps Stripe's rules that Settle relies on", () => {
  it("refuses a reused idempotency key with other parameters, a publishable key on a secret call, and a wrong client secret", async () => {
    const body = (extra: Record<string, string>) => new URLSearchParams({ amount: "1000", currency: "usd", ...extra });
    const call = (path: string, key: string, params: URLSearchParams, headers: Record<string, string> = {}) =>
      fetch(`${fake.baseUrl}${path}`, { method: "POST", headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/x-www-form-urlencoded", ...headers }, body: params });
    expect((await call("/v1/payment_intents", fake.keys.secretKey, body({}), { "Idempotency-Key": "k1" })).status).toBe(200);
    const reused = await call("/v1/payment_intents", fake.keys.secretKey, body({ amount: "2000" }), { "Idempotency-Key": "k1" });
    expect([reused.status, ((await reused.json()) as { error: { type: string } }).error.type]).toEqual([400, "idempotency_error"]);
    expect((await call("/v1/payment_intents", fake.keys.publishableKey, body({}))).status).toBe(403);
    const intent = [...fake.paymentIntents.values()].at(-1)!;
    expect((await call(`/v1/payment_intents/${intent.id}/confirm`, fake.keys.publishableKey, new URLSearchParams({ client_secret: "pi_x_secret_y", payment_method: "pm_card_visa" }))).status).toBe(
      400,
    );
    expect((await call("/v1/payment_intents", fake.keys.secretKey, body({ amount: "20" }))).status).toBe(400);
    const refund = await stripe.refunds.create({
      payment_intent: (await stripe.paymentIntents.create({ amount: 1000, currency: "usd", payment_method: "pm_card_visa", confirm: true })).id,
      amount: 400,
    });
    expect(refund).toMatchObject({ object: "refund", amount: 400, status: "succeeded" });
    await expect(stripe.refunds.create({ payment_intent: refund.payment_intent as string, amount: 700 })).rejects.toMatchObject({ code: "amount_too_large" });
  });
});
