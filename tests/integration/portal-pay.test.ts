import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { creditNotes, disputes, invoiceLines, invoices, paymentAttempts, payments, portalUsers, savedPaymentMethods } from "~db/schema";
import { issueCreditNote } from "~/ledger/credit-notes.server";
import { recordPayment } from "~/ledger/payments.server";
import * as payAttempt from "~/routes/portal.pay.$attemptId";
import * as payReturn from "~/routes/portal.pay.$attemptId.return";
import * as authenticate from "~/routes/portal.pay.$attemptId_.authenticate";
import * as payIndex from "~/routes/portal.pay._index";
import { today } from "~/utils/dates";
import { stripeClient } from "~/payments/stripe-processor.server";
import { deliverDemoEvents } from "~webhooks/stripe/demo-delivery.server";
import { receiveStripeWebhook } from "~webhooks/stripe/receive.server";
import { startFakeStripe, type FakeStripe } from "../fakes/stripe";
import { createContact, createCustomer, issuedInvoice } from "./factories";
import { ledgerFingerprint, ledgerViolations } from "./ledger-invariants";
import { context, cookieFor, get, outcome } from "./route-helpers";

const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context });
const card = { succeeds: "4242 4242 4242 4242", declined: "4000000000000002", secure: "4000002760003184", later: "4000000000000077" };

/** A form post whose fields may repeat (one `invoice` per ticked row). */
function postForm(path: string, fields: [string, string][], cookie: string) {
  return new Request(`http://localhost:3000${path}`, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie },
  });
}

/** A customer with invoices of $300.00 and $200.00, and a signed-in billing contact. */
async function payer() {
  const customer = await createCustomer({ email: "ap@customer.example" });
  const a = await issuedInvoice({ customerId: customer.id, amounts: [30_000] });
  const b = await issuedInvoice({ customerId: customer.id, amounts: [20_000] });
  const contact = await createContact({ customerId: customer.id });
  return { customer, a, b, contact, cookie: await cookieFor({ audience: "portal", portalUserId: contact.id }) };
}

async function pageKeyFor(cookie: string) {
  const loaded = await outcome(() => payIndex.loader(args(get("/portal/pay", cookie))));
  expect(loaded.status).toBe(200);
  return (loaded.data as { formKey: string }).formKey;
}

const payFields = (pageKey: string, rows: [string, string][], extra: [string, string][] = []): [string, string][] => [
  ["pageKey", pageKey],
  ...rows.flatMap(([id, amount]): [string, string][] => [
    ["invoice", id],
    [`amount.${id}`, amount],
  ]),
  ...extra,
];

const send = (fields: [string, string][], cookie: string) => payIndex.action(args(postForm("/portal/pay", fields, cookie)));
const choose = (fields: [string, string][], cookie: string) => outcome(() => send(fields, cookie));
const payCard = (attemptId: string, cardNumber: string, cookie: string) =>
  outcome(() => payAttempt.action(args(postForm(`/portal/pay/${attemptId}`, [["cardNumber", cardNumber], ["expiry", "12 / 39"], ["cvc", "123"]], cookie), { attemptId })));
const attemptsOf = (customerId: string) => getDb().select().from(paymentAttempts).where(eq(paymentAttempts.customerId, customerId));
const paymentsOf = (customerId: string) => getDb().select().from(payments).where(eq(payments.customerId, customerId));
const invoice = async (id: string) => (await getDb().select().from(invoices).where(eq(invoices.id, id)))[0]!;
const deliverToHandler = async (body: string, signature: string) => (await receiveStripeWebhook(body, signature)).status === 200;
const attemptIdFrom = (location: string | null) => /^\/portal\/pay\/([0-9a-f-]{36})$/.exec(location ?? "")?.[1] ?? "";

/** A refused post: its status and what it said, with the books and the attempts unchanged. */
async function refused(run: () => Promise<unknown>) {
  const before = [await ledgerFingerprint(), (await getDb().select().from(paymentAttempts)).length];
  const result = await outcome(run);
  expect([await ledgerFingerprint(), (await getDb().select().from(paymentAttempts)).length]).toEqual(before);
  return result as { status: number; data: { errors: Record<string, string>; message: string | null } };
}

describe("choosing what to pay", () => {
  it("starts one attempt for the server's amounts, and pays it once however often the page and the card form are sent", async () => {
    const { customer, a, b, cookie } = await payer();
    const page = await outcome(() => payIndex.loader(args(get(`/portal/pay?invoice=${b.id}`, cookie))));
    expect(page.data).toMatchObject({ chosen: [b.id], creditMinor: 0, minimumMinor: 1_000, savedMethods: [], processor: "demo" });

    const fields = payFields((page.data as { formKey: string }).formKey, [
      [a.id, "300.00"],
      [b.id, "$50"],
    ]);
    const sent = await choose(fields, cookie);
    const again = await choose(fields, cookie);
    expect(sent.status).toBe(302);
    expect(again).toEqual(sent);
    const [attempt, ...more] = await attemptsOf(customer.id);
    expect(more).toEqual([]);
    expect(sent.location).toBe(`/portal/pay/${attempt!.id}`);
    expect(attempt).toMatchObject({ amountMinor: 35_000, status: "created", allocations: [{ invoiceId: a.id, amountMinor: 30_000 }, { invoiceId: b.id, amountMinor: 5_000 }] });

    const shown = await outcome(() => payAttempt.loader(args(get(`/portal/pay/${attempt!.id}`, cookie), { attemptId: attempt!.id })));
    expect(shown.data).toMatchObject({ view: { status: "created", amountMinor: 35_000, lines: [{ number: a.number, amountMinor: 30_000 }, { number: b.number, amountMinor: 5_000 }] }, stripe: null });

    const paid = await payCard(attempt!.id, card.succeeds, cookie);
    const [payment] = await paymentsOf(customer.id);
    expect(paid).toMatchObject({ status: 302, location: `/portal/payments/${payment!.id}` });
    // A replayed card form, the return page, the choose page again and the webhooks change nothing more.
    expect(await payCard(attempt!.id, card.succeeds, cookie)).toEqual(paid);
    expect(await outcome(() => payReturn.loader(args(get(`/portal/pay/${attempt!.id}/return`, cookie), { attemptId: attempt!.id })))).toMatchObject({ status: 302, location: paid.location });
    expect(await outcome(() => payAttempt.loader(args(get(`/portal/pay/${attempt!.id}`, cookie), { attemptId: attempt!.id })))).toMatchObject({ status: 302, location: paid.location });
    expect(await choose(fields, cookie)).toMatchObject({ status: 302, location: paid.location });
    await deliverDemoEvents(deliverToHandler);
    expect(await paymentsOf(customer.id)).toHaveLength(1);
    expect([(await invoice(a.id)).status, (await invoice(b.id)).openMinor]).toEqual(["paid", 15_000]);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("sent twice at the same moment, the same page makes one attempt and one payment", async () => {
    const { customer, a, b, cookie } = await payer();
    const fields = payFields(await pageKeyFor(cookie), [
      [a.id, "300"],
      [b.id, "200"],
    ]);
    const [first, second] = await Promise.all([choose(fields, cookie), choose(fields, cookie)]);
    expect(first.status).toBe(302);
    expect(second).toEqual(first);
    const attempts = await attemptsOf(customer.id);
    expect(attempts).toHaveLength(1);
    const attemptId = attemptIdFrom(first.location);
    const results = await Promise.all([payCard(attemptId, card.succeeds, cookie), payCard(attemptId, card.succeeds, cookie)]);
    expect(results.map((r) => r.status)).toEqual([302, 302]);
    await deliverDemoEvents(deliverToHandler);
    expect(await paymentsOf(customer.id)).toHaveLength(1);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("preselects what is due now, everything, or one invoice; another customer's invoice is not found", async () => {
    const { cookie, a, b } = await payer();
    const stranger = await createCustomer();
    const theirs = await issuedInvoice({ customerId: stranger.id, amounts: [1_000] });
    const load = (query: string) => outcome(() => payIndex.loader(args(get(`/portal/pay${query}`, cookie))));
    expect((await load("?select=all")).data).toMatchObject({ chosen: [a.id, b.id] });
    expect((await load(`?invoice=${a.id}`)).data).toMatchObject({ chosen: [a.id] });
    expect((await load(`?invoice=${theirs.id}`)).status).toBe(404);
    expect((await load("?invoice=not-an-id")).status).toBe(404);
  });
});

describe("bad input on the pay page", () => {
  it("gets a message naming the invoice and changes nothing", async () => {
    const { a, b, contact, cookie } = await payer();
    const stranger = await createCustomer();
    const theirs = await issuedInvoice({ customerId: stranger.id, amounts: [5_000] });
    const pageKey = await pageKeyFor(cookie);
    const sendRows = (rows: [string, string][], extra: [string, string][] = []) => refused(() => send(payFields(pageKey, rows, extra), cookie));

    const cases: [() => ReturnType<typeof refused>, RegExp][] = [
      [() => sendRows([[a.id, "300.01"]]), new RegExp(`Invoice ${a.number}: at most \\$300\\.00`)],
      [() => sendRows([[a.id, "5.00"]]), new RegExp(`Invoice ${a.number}: a part payment must be at least \\$10\\.00`)],
      [() => sendRows([[a.id, "-20"]]), new RegExp(`Amount for invoice ${a.number} must be more than zero`)],
      [() => sendRows([[a.id, "0"]]), new RegExp(`Amount for invoice ${a.number} must be more than zero`)],
      [() => sendRows([[a.id, "lots"]]), new RegExp(`Amount for invoice ${a.number}: enter an amount like 1250.00`)],
      [() => sendRows([[a.id, "12.345"]]), /USD amounts have at most 2 decimals/],
      [() => sendRows([[a.id, "€50"]]), /amounts are in USD; remove “€”/],
      [() => sendRows([[a.id, "50 EUR"]]), /amounts are in USD; remove “EUR”/],
      [() => sendRows([[a.id, "abc"]]), new RegExp(`Amount for invoice ${a.number}: enter an amount like 1250.00`)],
      [() => sendRows([[a.id, ""]]), new RegExp(`Amount for invoice ${a.number} is required`)],
      [() => sendRows([[theirs.id, "50"]]), /That invoice is not open on your account/],
      [() => sendRows([["00000000-0000-4000-8000-000000000000", "50"]]), /That invoice is not open on your account/],
      [() => sendRows([["not-an-id", "50"]]), /That invoice is not on your account/],
      [() => sendRows([]), /Choose at least one invoice to pay/],
      [() => sendRows([[a.id, "50"], [a.id, "50"]]), /An invoice is listed twice/],
      [() => sendRows([[a.id, "50"]], [["method", "00000000-0000-4000-8000-000000000000"]]), /That saved card is no longer available/],
      [() => sendRows([[a.id, "50"]], [["method", "card-of-someone"]]), /Choose how to pay/],
      [() => sendRows([[a.id, "50"]], [["useCredit", "all of it"]]), /Use my unapplied credit first/],
      [() => refused(() => send(payFields("x", [[a.id, "50"]]), cookie)), /The form expired/],
    ];
    for (const [run, message] of cases) {
      const { status, data } = await run();
      expect([400, 422]).toContain(status);
      expect(data.message).toMatch(message);
    }
    const rowError = await sendRows([
      [a.id, "300.01"],
      [b.id, "abc"],
    ]);
    expect(rowError.data.errors[`amount.${b.id}`]).toMatch(new RegExp(`invoice ${b.number}`));

    // A disputed amount is on hold: the rest of the invoice is payable, not more.
    const [line] = await getDb().select().from(invoiceLines).where(eq(invoiceLines.invoiceId, b.id));
    await getDb().insert(disputes).values({ customerId: a.customerId, invoiceId: b.id, invoiceLineId: line!.id, currency: "USD", amountMinor: 8_000, reason: "damaged", openedBy: contact.id });
    const held = await sendRows([[b.id, "200.00"]]);
    expect(held.data.message).toMatch(new RegExp(`Invoice ${b.number}: at most \\$120\\.00 can be paid \\(\\$80\\.00 is disputed and on hold\\)`));
    expect(await getDb().select().from(payments)).toHaveLength(0);
  });

  it("lets a viewer contact see the page but not pay", async () => {
    const { customer, a } = await payer();
    const viewer = await createContact({ customerId: customer.id });
    await getDb().update(portalUsers).set({ role: "viewer" }).where(eq(portalUsers.id, viewer.id));
    const cookie = await cookieFor({ audience: "portal", portalUserId: viewer.id });
    const page = await outcome(() => payIndex.loader(args(get("/portal/pay", cookie))));
    expect(page.data).toMatchObject({ canPay: false });
    const result = await refused(() => send(payFields((page.data as { formKey: string }).formKey, [[a.id, "300"]]), cookie));
    expect(result.status).toBe(403);
  });
});

describe("unapplied credit first", () => {
  async function withCredit() {
    const setup = await payer();
    const actor = { type: "system" as const, label: "test" };
    const unapplied = await recordPayment({ customerId: setup.customer.id, amountMinor: 10_000, method: "check", receivedOn: today(), idempotencyKey: "check-1" }, actor);
    const note = await issueCreditNote({ customerId: setup.customer.id, lines: [{ description: "Goodwill", amountMinor: 5_000 }], reason: "Goodwill", idempotencyKey: "goodwill" }, actor);
    return { ...setup, unapplied, note };
  }

  it("applies the credit to the chosen invoices, oldest first, and charges only the rest, once when sent twice at once", async () => {
    const { customer, a, b, cookie, unapplied, note } = await withCredit();
    const page = await outcome(() => payIndex.loader(args(get("/portal/pay?select=all", cookie))));
    expect(page.data).toMatchObject({ creditMinor: 15_000 });
    const fields = payFields(
      (page.data as { formKey: string }).formKey,
      [
        [a.id, "300"],
        [b.id, "200"],
      ],
      [["useCredit", "on"]],
    );
    const [first, second] = await Promise.all([choose(fields, cookie), choose(fields, cookie)]);
    expect(first.status).toBe(302);
    expect(second).toEqual(first);
    const [attempt, ...more] = await attemptsOf(customer.id);
    expect(more).toEqual([]);
    expect(attempt).toMatchObject({ amountMinor: 35_000, allocations: [{ invoiceId: a.id, amountMinor: 15_000 }, { invoiceId: b.id, amountMinor: 20_000 }] });
    expect((await getDb().select().from(payments).where(eq(payments.id, unapplied.id)))[0]!.allocatedMinor).toBe(10_000);
    expect((await getDb().select().from(creditNotes).where(eq(creditNotes.id, note.id)))[0]!.allocatedMinor).toBe(5_000);

    const shown = await outcome(() => payAttempt.loader(args(get(`/portal/pay/${attempt!.id}`, cookie), { attemptId: attempt!.id })));
    expect(shown.data).toMatchObject({ view: { credited: [{ invoiceId: a.id, amountMinor: 15_000 }] } });
    const paid = await payCard(attempt!.id, card.succeeds, cookie);
    expect(await choose(fields, cookie)).toMatchObject({ status: 302, location: paid.location });
    expect([(await invoice(a.id)).status, (await invoice(b.id)).status]).toEqual(["paid", "paid"]);
    expect(await paymentsOf(customer.id)).toHaveLength(2);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("charges nothing when the credit covers the choice, and says so", async () => {
    const { customer, a, cookie } = await withCredit();
    const pageKey = await pageKeyFor(cookie);
    const sent = await choose(payFields(pageKey, [[a.id, "120.00"]], [["useCredit", "on"]]), cookie);
    expect(sent).toMatchObject({ status: 302, location: `/portal/pay?credited=${pageKey}` });
    expect(await choose(payFields(pageKey, [[a.id, "120.00"]], [["useCredit", "on"]]), cookie)).toEqual(sent);
    expect(await attemptsOf(customer.id)).toEqual([]);
    expect((await invoice(a.id)).openMinor).toBe(18_000);
    const page = await outcome(() => payIndex.loader(args(get(sent.location!, cookie))));
    expect(page.data).toMatchObject({ credited: [{ invoiceId: a.id, amountMinor: 12_000 }], creditMinor: 3_000 });
    expect(await ledgerViolations()).toEqual([]);
  });
});

describe("paying an attempt", () => {
  async function started(amount = "300.00") {
    const setup = await payer();
    const sent = await choose(payFields(await pageKeyFor(setup.cookie), [[setup.a.id, amount]]), setup.cookie);
    return { ...setup, attemptId: attemptIdFrom(sent.location) };
  }
  const view = async (attemptId: string, cookie: string) => outcome(() => payAttempt.loader(args(get(`/portal/pay/${attemptId}`, cookie), { attemptId })));

  it("shows a decline and lets another card pay the same attempt", async () => {
    const { customer, attemptId, cookie } = await started();
    expect(await payCard(attemptId, card.declined, cookie)).toMatchObject({ status: 302, location: `/portal/pay/${attemptId}` });
    expect((await view(attemptId, cookie)).data).toMatchObject({ view: { status: "failed", failureMessage: "Your card was declined." } });
    expect(await paymentsOf(customer.id)).toHaveLength(0);
    expect((await payCard(attemptId, card.succeeds, cookie)).location).toMatch(/^\/portal\/payments\//);
    expect(await paymentsOf(customer.id)).toHaveLength(1);
  });

  it("does not charge a page whose invoices were paid since in another tab", async () => {
    const { customer, a, cookie } = await payer();
    const first = await choose(payFields(await pageKeyFor(cookie), [[a.id, "300.00"]]), cookie);
    const second = await choose(payFields(await pageKeyFor(cookie), [[a.id, "300.00"]]), cookie);
    expect((await payCard(attemptIdFrom(first.location), card.succeeds, cookie)).location).toMatch(/^\/portal\/payments\//);
    const late = await refused(() => payAttempt.action(args(postForm(second.location!, [["cardNumber", card.succeeds], ["expiry", "12/39"], ["cvc", "123"]], cookie), { attemptId: attemptIdFrom(second.location) })));
    expect(late).toMatchObject({ status: 409, data: { message: /nothing was charged/ } });
    expect((await view(attemptIdFrom(second.location), cookie)).data).toMatchObject({ view: { status: "created", outdated: /has changed/ } });
    expect(await paymentsOf(customer.id)).toHaveLength(1);
  });

  it("refuses a card that is not a test card, and bad expiry or security code, changing nothing", async () => {
    const { attemptId, cookie } = await started();
    const bad = (fields: [string, string][]) => refused(() => payAttempt.action(args(postForm(`/portal/pay/${attemptId}`, fields, cookie), { attemptId })));
    expect((await bad([["cardNumber", "4111 1111 1111 1111"], ["expiry", "12/39"], ["cvc", "123"]])).data.errors.cardNumber).toMatch(/not one of the demo test cards/);
    expect((await bad([["cardNumber", card.succeeds], ["expiry", "01/20"], ["cvc", "123"]])).data.errors.expiry).toMatch(/expired/);
    expect((await bad([["cardNumber", card.succeeds], ["expiry", "13/39"], ["cvc", "12"]])).data.errors).toMatchObject({ expiry: /MM \/ YY/, cvc: /3 or 4 digits/ });
  });

  it("asks for 3-D Secure: approving pays, failing shows why and nothing is charged", async () => {
    const { customer, attemptId, cookie } = await started();
    const asked = await payCard(attemptId, card.secure, cookie);
    expect(asked.location).toBe(`/portal/pay/${attemptId}/authenticate`);
    expect(await view(attemptId, cookie)).toMatchObject({ status: 302, location: asked.location });
    const answer = (value: string) => outcome(() => authenticate.action(args(postForm(asked.location!, [["answer", value]], cookie), { attemptId })));
    expect((await outcome(() => authenticate.loader(args(get(asked.location!, cookie), { attemptId })))).status).toBe(200);

    expect(await answer("fail")).toMatchObject({ status: 302, location: `/portal/pay/${attemptId}` });
    expect((await view(attemptId, cookie)).data).toMatchObject({ view: { status: "failed", failureMessage: "The cardholder did not authenticate the payment." } });
    expect(await outcome(() => authenticate.loader(args(get(asked.location!, cookie), { attemptId })))).toMatchObject({ status: 302, location: `/portal/pay/${attemptId}` });
    expect(await paymentsOf(customer.id)).toHaveLength(0);

    await payCard(attemptId, card.secure, cookie);
    const approved = await answer("approve");
    expect(approved.location).toMatch(/^\/portal\/payments\//);
    expect(await answer("approve")).toEqual(approved);
    expect(await paymentsOf(customer.id)).toHaveLength(1);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("shows a bank-debit-like payment as pending until it settles", async () => {
    const { a, attemptId, cookie } = await started();
    expect(await payCard(attemptId, card.later, cookie)).toMatchObject({ location: `/portal/pay/${attemptId}` });
    expect((await view(attemptId, cookie)).data).toMatchObject({ view: { status: "processing" } });
    expect((await invoice(a.id)).status).toBe("open");
  });

  it("saves the card when asked, and then pays with it in one step", async () => {
    const { customer, a, b, cookie } = await payer();
    const sent = await choose(payFields(await pageKeyFor(cookie), [[a.id, "100.00"]], [["method", "new"], ["saveMethod", "on"]]), cookie);
    expect((await payCard(attemptIdFrom(sent.location), card.succeeds, cookie)).location).toMatch(/^\/portal\/payments\//);
    const [method, ...others] = await getDb().select().from(savedPaymentMethods).where(eq(savedPaymentMethods.customerId, customer.id));
    expect(others).toEqual([]);
    const page = await outcome(() => payIndex.loader(args(get("/portal/pay", cookie))));
    expect(page.data).toMatchObject({ savedMethods: [{ id: method!.id, label: "Visa ending 4242" }] });
    const oneClick = await choose(payFields((page.data as { formKey: string }).formKey, [[b.id, "200.00"]], [["method", method!.id]]), cookie);
    expect(oneClick.location).toMatch(/^\/portal\/payments\//);
    expect((await invoice(b.id)).status).toBe("paid");
    await deliverDemoEvents(deliverToHandler);
    expect(await paymentsOf(customer.id)).toHaveLength(2);
    expect(await ledgerViolations()).toEqual([]);
  });
});

describe("another customer's payment", () => {
  it("is not found on every pay route, and nothing changes", async () => {
    const { attemptId } = await (async () => {
      const owner = await payer();
      const sent = await choose(payFields(await pageKeyFor(owner.cookie), [[owner.a.id, "300"]]), owner.cookie);
      await payCard(attemptIdFrom(sent.location), card.secure, owner.cookie);
      return { attemptId: attemptIdFrom(sent.location) };
    })();
    const { cookie } = await payer();
    const calls = (id: string) => [
      () => payAttempt.loader(args(get(`/portal/pay/${id}`, cookie), { attemptId: id })),
      () => payAttempt.action(args(postForm(`/portal/pay/${id}`, [["cardNumber", card.succeeds], ["expiry", "12/39"], ["cvc", "123"]], cookie), { attemptId: id })),
      () => authenticate.loader(args(get(`/portal/pay/${id}/authenticate`, cookie), { attemptId: id })),
      () => authenticate.action(args(postForm(`/portal/pay/${id}/authenticate`, [["answer", "approve"]], cookie), { attemptId: id })),
      () => payReturn.loader(args(get(`/portal/pay/${id}/return`, cookie), { attemptId: id })),
    ];
    for (const id of [attemptId, "00000000-0000-4000-8000-000000000000", "not-an-id"]) {
      for (const call of calls(id)) expect((await refused(call)).status).toBe(404);
    }
    expect((await getDb().select().from(paymentAttempts).where(eq(paymentAttempts.id, attemptId)))[0]!.status).toBe("requires_action");
  });
});

describe("with Stripe (the real SDK against the local fake)", () => {
  const stripeEnv = ["STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE"] as const;
  const envBefore = Object.fromEntries(stripeEnv.map((key) => [key, process.env[key]]));
  const resetEnvCache = () => delete (globalThis as { __settleEnv?: unknown }).__settleEnv;
  let fake: FakeStripe;

  beforeAll(async () => {
    fake = await startFakeStripe({ webhooks: "queue" });
    Object.assign(process.env, { STRIPE_SECRET_KEY: fake.keys.secretKey, STRIPE_PUBLISHABLE_KEY: fake.keys.publishableKey, STRIPE_WEBHOOK_SECRET: fake.keys.webhookSecret, STRIPE_API_BASE: fake.baseUrl });
    resetEnvCache();
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

  it("gives the Payment Element the attempt's client secret and the publishable key; the return page applies the payment once", async () => {
    const { customer, a, cookie } = await payer();
    const sent = await choose(payFields(await pageKeyFor(cookie), [[a.id, "120.00"]], [["saveMethod", "on"]]), cookie);
    const attemptId = attemptIdFrom(sent.location);
    const [attempt] = await attemptsOf(customer.id);
    expect(attempt).toMatchObject({ processor: "stripe", amountMinor: 12_000, saveMethod: true });
    const page = await outcome(() => payAttempt.loader(args(get(`/portal/pay/${attemptId}`, cookie), { attemptId })));
    expect(page.data).toMatchObject({ stripe: { publishableKey: fake.keys.publishableKey, clientSecret: attempt!.clientSecret }, cards: [] });
    expect(JSON.stringify(page.data)).not.toContain(fake.keys.secretKey);
    // The demo card form and 3-D Secure page are not there with Stripe.
    expect((await payCard(attemptId, card.succeeds, cookie)).status).toBe(404);
    expect((await outcome(() => authenticate.loader(args(get(`/portal/pay/${attemptId}/authenticate`, cookie), { attemptId })))).status).toBe(404);

    // Stripe.js confirms in the browser; here the SDK does, then Stripe sends the customer back.
    await stripeClient(fake.keys.secretKey, fake.baseUrl).paymentIntents.confirm(attempt!.processorIntentId!, { payment_method: "pm_card_visa" });
    const back = () => outcome(() => payReturn.loader(args(get(`/portal/pay/${attemptId}/return`, cookie), { attemptId })));
    const returned = await back();
    expect(returned.location).toMatch(/^\/portal\/payments\//);
    expect(await back()).toEqual(returned);
    await fake.deliverQueued({ to: deliverToHandler, duplicate: true });
    expect(await paymentsOf(customer.id)).toHaveLength(1);
    expect(await getDb().select().from(savedPaymentMethods).where(eq(savedPaymentMethods.customerId, customer.id))).toHaveLength(1);
    expect((await invoice(a.id)).openMinor).toBe(18_000);
    expect(await ledgerViolations()).toEqual([]);
  });
});
