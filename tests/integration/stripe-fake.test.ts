import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processingFee, startFakeStripe, type FakeStripe } from "../fakes/stripe";

/**
 * The fake Stripe's money after the payment (charges, balance transactions, refunds, disputes,
 * payouts), spoken to by the real `stripe` SDK as Settle's server speaks to Stripe. Each test keeps
 * to a currency of its own where balances matter, since the fake is shared by the file.
 */

let fake: FakeStripe;
let stripe: Stripe;

beforeAll(async () => {
  fake = await startFakeStripe({ webhooks: "queue", chargeEvents: true });
  const base = new URL(fake.baseUrl);
  stripe = new Stripe(fake.keys.secretKey, { host: base.hostname, port: Number(base.port), protocol: "http", maxNetworkRetries: 0 });
});

afterAll(() => fake.close());

const mark = () => fake.events.length;
const typesSince = (from: number) => fake.events.slice(from).map((e) => e.type);
const pay = (amount: number, currency = "usd", extra: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
  stripe.paymentIntents.create({ amount, currency, payment_method: "pm_card_visa", confirm: true, ...extra });
/** A bank debit (payment_method_types is sent as Settle sends it; the SDK's types for this API version leave it out). */
const debit = (amount: number, paymentMethod: string) =>
  stripe.paymentIntents.create({ amount, currency: "usd", payment_method_types: ["us_bank_account"], payment_method: paymentMethod, confirm: true } as Stripe.PaymentIntentCreateParams);
const chargeOf = async (intent: Stripe.PaymentIntent) => stripe.charges.retrieve(intent.latest_charge as string);
const rejection = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as Stripe.errors.StripeError;
  }
  throw new Error("expected the call to be refused");
};

describe("fees", () => {
  it("are Stripe's standard pricing, rounded half up, exact in minor units", () => {
    expect(processingFee("card", 10_000)).toBe(320);
    expect(processingFee("card", 500)).toBe(45); // 14.5 rounds up
    expect(processingFee("card", 1_017)).toBe(59); // 29.493 rounds down
    expect(processingFee("us_bank_account", 10_000)).toBe(80);
    expect(processingFee("us_bank_account", 62_499)).toBe(500); // 499.992 rounds to 500
    expect(processingFee("us_bank_account", 1_000_000)).toBe(500); // capped
  });
});

describe("charges and balance transactions", () => {
  it("a card payment makes a succeeded charge with its fee in a balance transaction", async () => {
    const from = mark();
    const intent = await pay(10_000, "usd", { metadata: { settle_attempt_id: "att_1" }, description: "Invoice 7" });
    expect(typesSince(from)).toEqual(["payment_intent.created", "charge.succeeded", "payment_intent.succeeded"]);
    expect(intent.latest_charge).toMatch(/^ch_/);

    const charge = await stripe.charges.retrieve(intent.latest_charge as string, { expand: ["balance_transaction"] });
    expect(charge).toMatchObject({
      object: "charge",
      amount: 10_000,
      amount_captured: 10_000,
      amount_refunded: 0,
      currency: "usd",
      payment_intent: intent.id,
      payment_method: intent.payment_method,
      status: "succeeded",
      paid: true,
      refunded: false,
      disputed: false,
      livemode: false,
      metadata: { settle_attempt_id: "att_1" },
    });
    const txn = charge.balance_transaction as Stripe.BalanceTransaction;
    expect(txn).toMatchObject({ object: "balance_transaction", amount: 10_000, fee: 320, net: 9_680, currency: "usd", type: "charge", reporting_category: "charge", source: charge.id, status: "available" });
    expect(txn.id).toMatch(/^txn_/);
    // The payout link is the fake's own: Stripe's object has no such field.
    expect(await stripe.balanceTransactions.retrieve(txn.id)).not.toHaveProperty("payout");

    const event = fake.events.slice(from).find((e) => e.type === "charge.succeeded")!;
    expect(event.data.object).toMatchObject({ id: charge.id, status: "succeeded", balance_transaction: txn.id });
  });

  it("a declined card makes a failed charge with no balance transaction", async () => {
    const from = mark();
    const error = await rejection(stripe.paymentIntents.create({ amount: 2_000, currency: "usd", payment_method: "pm_card_chargeDeclined", confirm: true }));
    expect(error.code).toBe("card_declined");
    expect(typesSince(from)).toEqual(["payment_intent.created", "charge.failed", "payment_intent.payment_failed"]);
    const chargeId = fake.events.at(-1)!.data.object.latest_charge as string;
    expect(await stripe.charges.retrieve(chargeId)).toMatchObject({ status: "failed", paid: false, failure_code: "card_declined", balance_transaction: null, amount_captured: 0 });
  });

  it("a bank debit's charge is pending until it settles, then has the ACH fee; a failing one fails", async () => {
    const from = mark();
    const intent = await debit(100_000, "pm_usBankAccount_success");
    expect(intent.status).toBe("processing");
    expect(await chargeOf(intent)).toMatchObject({ status: "pending", paid: false, balance_transaction: null });
    fake.settle(intent.id);
    expect(typesSince(from)).toEqual(["payment_intent.created", "charge.pending", "payment_intent.processing", "charge.succeeded", "payment_intent.succeeded"]);
    const charge = await stripe.charges.retrieve(intent.latest_charge as string, { expand: ["balance_transaction"] });
    expect(charge.id).toBe(intent.latest_charge);
    expect(charge.balance_transaction).toMatchObject({ amount: 100_000, fee: 500, net: 99_500, type: "payment", reporting_category: "charge" });

    const failing = await debit(5_000, "pm_usBankAccount_accountClosed");
    const before = mark();
    fake.settle(failing.id);
    expect(typesSince(before)).toEqual(["charge.failed", "payment_intent.payment_failed"]);
    expect(await chargeOf(failing)).toMatchObject({ status: "failed", failure_code: "account_closed", balance_transaction: null });
  });

  it("charge events stay off unless asked for, so older event sequences hold", async () => {
    const plain = await startFakeStripe({ webhooks: "queue" });
    try {
      const base = new URL(plain.baseUrl);
      const client = new Stripe(plain.keys.secretKey, { host: base.hostname, port: Number(base.port), protocol: "http", maxNetworkRetries: 0 });
      const intent = await client.paymentIntents.create({ amount: 1_000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
      await client.refunds.create({ payment_intent: intent.id, amount: 100 });
      expect(plain.events.map((e) => e.type)).toEqual(["payment_intent.created", "payment_intent.succeeded", "refund.created"]);
      expect(plain.charges.get(intent.latest_charge as string)).toMatchObject({ status: "succeeded", amount_refunded: 100 });
    } finally {
      await plain.close();
    }
  });
});

describe("refunds", () => {
  it("a partial refund, then a second for the rest; replays by Idempotency-Key; nothing left after", async () => {
    const intent = await pay(5_000);
    const from = mark();
    const first = await stripe.refunds.create({ payment_intent: intent.id, amount: 2_000, reason: "requested_by_customer", metadata: { settle_refund_id: "r1" } }, { idempotencyKey: "refund-1" });
    const replay = await stripe.refunds.create({ payment_intent: intent.id, amount: 2_000, reason: "requested_by_customer", metadata: { settle_refund_id: "r1" } }, { idempotencyKey: "refund-1" });
    expect(replay.id).toBe(first.id);
    expect(first).toMatchObject({ object: "refund", amount: 2_000, currency: "usd", charge: intent.latest_charge, payment_intent: intent.id, status: "succeeded", failure_reason: null, failure_balance_transaction: null, metadata: { settle_refund_id: "r1" } });
    expect(await chargeOf(intent)).toMatchObject({ amount_refunded: 2_000, refunded: false });

    const second = await stripe.refunds.create({ charge: intent.latest_charge as string });
    expect(second.amount).toBe(3_000);
    expect(typesSince(from)).toEqual(["refund.created", "charge.refunded", "refund.created", "charge.refunded"]);
    const refundedEvents = fake.events.slice(from).filter((e) => e.type === "charge.refunded");
    expect(refundedEvents.map((e) => [e.data.object.amount_refunded, e.data.object.refunded])).toEqual([
      [2_000, false],
      [5_000, true],
    ]);
    expect(await stripe.balanceTransactions.retrieve(second.balance_transaction as string)).toMatchObject({ amount: -3_000, fee: 0, net: -3_000, type: "refund", reporting_category: "refund", source: second.id });
    expect((await stripe.refunds.retrieve(first.id)).amount).toBe(2_000);
    expect((await rejection(stripe.refunds.create({ payment_intent: intent.id }))).code).toBe("charge_already_refunded");
  });

  it("refuses more than the charge has left, as Stripe words it, and makes nothing", async () => {
    const intent = await pay(1_000);
    await stripe.refunds.create({ payment_intent: intent.id, amount: 400 });
    const refundsBefore = fake.refunds.size;
    const error = await rejection(stripe.refunds.create({ payment_intent: intent.id, amount: 700 }));
    expect(error).toMatchObject({ statusCode: 400, rawType: "invalid_request_error", code: "amount_too_large", param: "amount" });
    expect(error.message).toBe("Refund amount ($7.00) is greater than unrefunded amount on charge ($6.00)");
    expect(fake.refunds.size).toBe(refundsBefore);
    expect((await chargeOf(intent)).amount_refunded).toBe(400);
  });

  it("a held refund stays pending, then fails and its money comes back", async () => {
    const intent = await pay(3_000, "usd");
    fake.holdNextRefunds(1);
    const from = mark();
    const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 1_200 });
    expect(refund.status).toBe("pending");
    expect(typesSince(from)).toEqual(["refund.created"]);
    expect((await chargeOf(intent)).amount_refunded).toBe(1_200);

    const failed = fake.finishRefund(refund.id, "failed");
    expect(typesSince(from)).toEqual(["refund.created", "refund.updated", "refund.failed"]);
    const fetched = await stripe.refunds.retrieve(refund.id);
    expect(fetched).toMatchObject({ status: "failed", failure_reason: "expired_or_canceled_card", failure_balance_transaction: failed.failure_balance_transaction });
    expect(await stripe.balanceTransactions.retrieve(fetched.failure_balance_transaction as string)).toMatchObject({
      amount: 1_200,
      fee: 0,
      net: 1_200,
      type: "refund_failure",
      reporting_category: "refund_failure",
      source: refund.id,
    });
    expect((await chargeOf(intent)).amount_refunded).toBe(0);

    // Only one was held: the next is done at once.
    expect((await stripe.refunds.create({ payment_intent: intent.id, amount: 100 })).status).toBe("succeeded");
  });

  it("a pending refund made outside the API succeeds later: refund.updated, charge.refunded", async () => {
    const intent = await pay(3_000);
    const from = mark();
    const refund = fake.refund(intent.id, { pending: true, amount: 500 });
    expect(refund.status).toBe("pending");
    fake.finishRefund(refund.id, "succeeded");
    expect(typesSince(from)).toEqual(["refund.created", "refund.updated", "charge.refunded"]);
    expect(fake.events.at(-2)!.data.object).toMatchObject({ id: refund.id, status: "succeeded" });
    expect(() => fake.finishRefund(refund.id, "succeeded")).toThrow(/not pending/);
  });
});

describe("disputes", () => {
  it("won: withdrawn with the fee, then reinstated with the fee back", async () => {
    const intent = await pay(8_000, "cad");
    const from = mark();
    const opened = fake.dispute(intent.id);
    expect(opened).toMatchObject({ object: "dispute", amount: 8_000, currency: "cad", charge: intent.latest_charge, payment_intent: intent.id, reason: "fraudulent", status: "needs_response", is_charge_refundable: false });
    expect(opened.evidence_details.due_by).toBeGreaterThan(opened.created);
    expect(typesSince(from)).toEqual(["charge.dispute.created", "charge.dispute.funds_withdrawn"]);
    expect(fake.events.at(-2)!.data.object.balance_transactions).toEqual([]);
    expect(fake.events.at(-1)!.data.object.balance_transactions).toMatchObject([{ amount: -8_000, fee: 1_500, net: -9_500, type: "adjustment", reporting_category: "dispute", source: opened.id }]);
    expect((await chargeOf(intent)).disputed).toBe(true);
    expect((await rejection(stripe.refunds.create({ payment_intent: intent.id }))).code).toBe("charge_disputed");

    await stripe.disputes.update(opened.id, { submit: true, evidence: { uncategorized_text: "Delivered" } });
    expect((await stripe.disputes.retrieve(opened.id)).status).toBe("under_review");
    fake.closeDispute(opened.id, "won");
    expect(typesSince(from)).toEqual(["charge.dispute.created", "charge.dispute.funds_withdrawn", "charge.dispute.updated", "charge.dispute.funds_reinstated", "charge.dispute.closed"]);
    const won = await stripe.disputes.retrieve(opened.id);
    expect(won.status).toBe("won");
    expect(won.balance_transactions.map((t) => [t.amount, t.fee, t.net, t.reporting_category])).toEqual([
      [-8_000, 1_500, -9_500, "dispute"],
      [8_000, -1_500, 9_500, "dispute_reversal"],
    ]);
    expect(fake.events.at(-1)!.data.object).toMatchObject({ status: "won" });
    expect(() => fake.closeDispute(opened.id, "lost")).toThrow(/already closed/);
  });

  it("lost: accepted through the API, closed with the money gone", async () => {
    const intent = await pay(6_000, "cad");
    const from = mark();
    const opened = fake.dispute(intent.id, { amount: 3_000, reason: "product_not_received" });
    const closed = await stripe.disputes.close(opened.id);
    expect(closed).toMatchObject({ status: "lost", amount: 3_000, reason: "product_not_received" });
    expect(closed.balance_transactions).toHaveLength(1);
    expect(typesSince(from)).toEqual(["charge.dispute.created", "charge.dispute.funds_withdrawn", "charge.dispute.closed"]);
    expect(fake.events.at(-1)!.data.object).toMatchObject({ id: opened.id, status: "lost" });
  });
});

describe("payouts", () => {
  it("sweeps the balance; its transactions, listed by the SDK two at a time with sources expanded, sum to it", async () => {
    // In euros only here: 10,000 (fee 320), 2,550 (fee 104), 777 (fee 53); a refund of 1,000;
    // a lost dispute of 777 (fee 1,500); a refund of 300 that failed (−300 then +300).
    const a = await pay(10_000, "eur");
    await pay(2_550, "eur");
    const c = await pay(777, "eur");
    await stripe.refunds.create({ payment_intent: a.id, amount: 1_000 });
    fake.closeDispute(fake.dispute(c.id).id, "lost");
    fake.holdNextRefunds(1);
    fake.finishRefund((await stripe.refunds.create({ payment_intent: a.id, amount: 300 })).id, "failed");
    const expected = 10_000 - 320 + (2_550 - 104) + (777 - 53) - 1_000 - (777 + 1_500) - 300 + 300;
    expect(fake.balance("eur")).toBe(expected);

    const from = mark();
    const payout = fake.payout({ currency: "eur" })!;
    expect(payout).toMatchObject({ object: "payout", amount: expected, currency: "eur", status: "paid", reconciliation_status: "completed", automatic: true, failure_code: null });
    expect(typesSince(from)).toEqual(["payout.created", "payout.paid", "payout.reconciliation_completed"]);
    expect(fake.events.at(-3)!.data.object).toMatchObject({ status: "pending", reconciliation_status: "in_progress" });
    expect(await stripe.payouts.retrieve(payout.id)).toMatchObject({ id: payout.id, amount: expected, arrival_date: payout.arrival_date, balance_transaction: payout.balance_transaction });

    const requestsBefore = fake.requests.length;
    const listed: Stripe.BalanceTransaction[] = [];
    for await (const txn of stripe.balanceTransactions.list({ payout: payout.id, limit: 2, expand: ["data.source"] })) listed.push(txn);
    const pages = fake.requests.slice(requestsBefore).filter((r) => r.path === "/v1/balance_transactions");
    expect(pages.length).toBe(Math.ceil(listed.length / 2));
    expect(pages.every((r) => JSON.stringify(r.params.expand) === JSON.stringify(["data.source"]))).toBe(true);

    // 3 charges, 2 refunds, 1 refund failure, 1 dispute withdrawal, and the payout's own.
    expect(listed).toHaveLength(8);
    expect(new Set(listed.map((t) => t.id)).size).toBe(8);
    const own = listed.filter((t) => t.type === "payout");
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({ id: payout.balance_transaction, amount: -expected, net: -expected, reporting_category: "payout" });
    expect((own[0]!.source as Stripe.Payout).id).toBe(payout.id);
    const swept = listed.filter((t) => t.type !== "payout");
    expect(swept.reduce((sum, t) => sum + t.net, 0)).toBe(payout.amount);
    expect(swept.map((t) => t.reporting_category).sort()).toEqual(["charge", "charge", "charge", "dispute", "refund", "refund", "refund_failure"]);
    for (const txn of swept) {
      const source = txn.source as { id: string; object: string };
      expect(typeof source).toBe("object");
      expect(source.object).toBe({ charge: "charge", refund: "refund", refund_failure: "refund", dispute: "dispute" }[txn.reporting_category]);
      expect(source.id).toMatch(/^(ch|re|du)_/);
    }

    expect(fake.balance("eur")).toBe(0);
    expect(fake.payout({ currency: "eur" })).toBeNull();
    // What is left after the payout goes in the next one only.
    const d = await pay(1_000, "eur");
    const next = fake.payout({ currency: "eur" })!;
    expect(next.amount).toBe(1_000 - 59);
    const nextListed = (await stripe.balanceTransactions.list({ payout: next.id, limit: 100 })).data;
    expect(nextListed.map((t) => t.source)).toEqual([next.id, d.latest_charge]);
  });

  it("a failed payout gives its money back to the balance for the next payout", async () => {
    const intent = await pay(5_000, "gbp");
    const from = mark();
    const failed = fake.payout({ currency: "gbp", fail: true })!;
    expect(failed).toMatchObject({ amount: 5_000 - 175, status: "failed", failure_code: "account_closed", failure_message: "The bank account has been closed." });
    expect(typesSince(from)).toEqual(["payout.created", "payout.failed"]);
    expect(await stripe.balanceTransactions.retrieve(failed.failure_balance_transaction!)).toMatchObject({ amount: 4_825, net: 4_825, type: "payout_failure", source: failed.id });
    expect(fake.balance("gbp")).toBe(4_825);

    const retried = fake.payout({ currency: "gbp" })!;
    expect(retried).toMatchObject({ amount: 4_825, status: "paid" });
    const listed = (await stripe.balanceTransactions.list({ payout: retried.id, limit: 100 })).data;
    expect(listed.map((t) => [t.type, t.net])).toEqual([
      ["payout", -4_825],
      ["charge", 4_825],
    ]);
    expect(listed[1]!.source).toBe(intent.latest_charge);
    expect(fake.payoutOf(listed[1]!.id)).toBe(retried.id);
    expect(fake.balance("gbp")).toBe(0);
  });
});

describe("outside Settle", () => {
  it("chargeDirect is a Dashboard payment: usual events, no settle_attempt_id, no API request", async () => {
    const customer = await stripe.customers.create({ email: "ap@example.com" });
    const requestsBefore = fake.requests.length;
    const from = mark();
    const intent = fake.chargeDirect({ amount: 4_200, currency: "usd", customer: customer.id, metadata: { note: "phone order" } });
    expect(intent).toMatchObject({ status: "succeeded", amount: 4_200, customer: customer.id, metadata: { note: "phone order" } });
    expect(intent.metadata).not.toHaveProperty("settle_attempt_id");
    expect(typesSince(from)).toEqual(["payment_intent.created", "charge.succeeded", "payment_intent.succeeded"]);
    expect(fake.events.slice(from).every((e) => e.request.id === null)).toBe(true);
    expect(fake.requests.length).toBe(requestsBefore);
    const charge = await stripe.charges.retrieve(intent.latest_charge as string, { expand: ["balance_transaction"] });
    expect(charge).toMatchObject({ customer: customer.id, amount: 4_200, status: "succeeded" });
    expect((charge.balance_transaction as Stripe.BalanceTransaction).fee).toBe(processingFee("card", 4_200));
  });

  it("a card updated by its network: payment_method.automatically_updated", async () => {
    const intent = await pay(1_000);
    const from = mark();
    fake.updateCard(intent.payment_method as string, { expMonth: 4, expYear: 2031, last4: "1881" });
    expect(typesSince(from)).toEqual(["payment_method.automatically_updated"]);
    expect((await stripe.paymentMethods.retrieve(intent.payment_method as string)).card).toMatchObject({ exp_month: 4, exp_year: 2031, last4: "1881" });
  });

  it("events are logged in order with created moving with the fake's clock", async () => {
    const last = fake.events.at(-1)!;
    const before = fake.now();
    fake.advanceTime(3 * 86_400);
    const intent = await pay(1_500);
    const log = fake.eventsLog(last.id);
    expect(log.map((e) => e.type)).toEqual(["payment_intent.created", "charge.succeeded", "payment_intent.succeeded"]);
    expect(log[0]!.created).toBeGreaterThanOrEqual(before + 3 * 86_400);
    expect(log.every((e, i) => i === 0 || e.created >= log[i - 1]!.created)).toBe(true);
    expect(intent.created).toBeGreaterThanOrEqual(before + 3 * 86_400);
    // Late events are still signed now, so a receiver accepts them.
    const received: string[] = [];
    const taken = await fake.deliver([...log].reverse(), {
      to: async (body, signature) => {
        const event = await stripe.webhooks.constructEventAsync(body, signature, fake.keys.webhookSecret);
        received.push(event.type);
        return true;
      },
    });
    expect(taken).toBe(3);
    expect(received).toEqual(["payment_intent.succeeded", "charge.succeeded", "payment_intent.created"]);
  });
});
