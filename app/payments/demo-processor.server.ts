import { encodeHexLowerCase } from "@oslojs/encoding";
import { and, asc, eq, sql } from "drizzle-orm";
import { demoProcessorObjects } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { intentFromStripe, type IntentStatus, type Processor, type ProcessorPaymentMethod, type ProcessorRefund, type ProcessorSetupIntent } from "./processor.server";

/**
 * The demo processor: Stripe's objects and events, kept in this database, so the whole product
 * works with no keys and no network. Test cards choose what happens (see DEMO_CARDS). Every state
 * change writes a Stripe-shaped event that is delivered, signed, to /webhooks/stripe like Stripe's.
 */

export const DEMO_CARDS = [
  { number: "4242424242424242", label: "Succeeds", behaviour: "succeed" },
  { number: "4000000000000002", label: "Declined", behaviour: "decline" },
  { number: "4000000000009995", label: "Declined: insufficient funds", behaviour: "insufficient_funds" },
  { number: "4000002760003184", label: "Asks for 3-D Secure authentication", behaviour: "authenticate" },
  { number: "4000000000000341", label: "Saves, then every charge is declined", behaviour: "decline_after_attach" },
  { number: "4000000000004954", label: "First charge succeeds, later ones are declined (demo only)", behaviour: "succeed_once" },
  { number: "4000000000000077", label: "Settles later, like a bank debit", behaviour: "settle_later" },
] as const;
export type DemoBehaviour = (typeof DEMO_CARDS)[number]["behaviour"];

/** How long a "settles later" payment stays processing before it succeeds. */
export const DEMO_SETTLE_AFTER_MS = 20_000;

const random = (bytes = 12) => encodeHexLowerCase(crypto.getRandomValues(new Uint8Array(bytes)));

type StripeLikeIntent = {
  id: string;
  object: "payment_intent";
  amount: number;
  currency: string;
  status: IntentStatus;
  client_secret: string;
  customer: string | null;
  payment_method: string | null;
  payment_method_types: string[];
  metadata: Record<string, string>;
  last_payment_error: { code: string; decline_code?: string; message: string } | null;
  setup_future_usage: "off_session" | null;
  created: number;
  settle_at?: number;
  amount_refunded?: number;
};
type DemoRefund = { id: string; object: "refund"; amount: number; currency: string; payment_intent: string; status: "succeeded"; failure_reason: null; created: number; metadata: Record<string, string> };

const refundOf = (refund: DemoRefund): ProcessorRefund => ({
  id: refund.id,
  amountMinor: refund.amount,
  currency: refund.currency.toUpperCase(),
  paymentIntent: refund.payment_intent,
  status: refund.status,
  created: refund.created,
  failureReason: null,
  metadata: refund.metadata,
});
type DemoMethod = { id: string; object: "payment_method"; type: "card" | "us_bank_account"; card: { brand: string; last4: string; exp_month: number; exp_year: number }; customer: string | null; behaviour: DemoBehaviour; charges: number };
type DemoSetup = { id: string; object: "setup_intent"; status: string; client_secret: string; customer: string; payment_method: string | null; metadata: Record<string, string>; usage: "off_session" };

async function load<T>(id: string, db: Db): Promise<T | null> {
  const [row] = await db.select().from(demoProcessorObjects).where(eq(demoProcessorObjects.id, id));
  return (row?.data as T) ?? null;
}

async function save(id: string, type: string, data: object, db: Db) {
  await db
    .insert(demoProcessorObjects)
    .values({ id, type, data })
    .onConflictDoUpdate({ target: demoProcessorObjects.id, set: { data, updatedAt: new Date() } });
}

async function emit(type: string, object: object, db: Db) {
  const id = `evt_demo_${random()}`;
  await save(id, "event", { id, object: "event", type, created: Math.floor(Date.now() / 1000), livemode: false, api_version: "demo", data: { object }, delivered: false }, db);
}

const declines: Record<string, { code: string; decline_code?: string; message: string }> = {
  decline: { code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." },
  insufficient_funds: { code: "card_declined", decline_code: "insufficient_funds", message: "Your card has insufficient funds." },
  authentication_required: { code: "authentication_required", message: "This card needs the cardholder to authenticate the payment." },
};

function newMethod(cardNumber: string, customer: string | null): DemoMethod {
  const digits = cardNumber.replace(/\D/g, "");
  const card = DEMO_CARDS.find((c) => c.number === digits);
  if (!card) throw new DemoCardError("That is not one of the demo test cards listed on this page.");
  return {
    id: `pm_demo_${random()}`,
    object: "payment_method",
    type: "card",
    card: { brand: "visa", last4: digits.slice(-4), exp_month: 12, exp_year: new Date().getUTCFullYear() + 3 },
    customer,
    behaviour: card.behaviour,
    charges: 0,
  };
}

export class DemoCardError extends Error {}

/** What a charge with this method does now: the test card decides. */
function outcome(method: DemoMethod, offSession: boolean): { status: IntentStatus; error: keyof typeof declines | null } {
  switch (method.behaviour) {
    case "succeed":
      return { status: "succeeded", error: null };
    case "decline":
      return { status: "requires_payment_method", error: "decline" };
    case "insufficient_funds":
      return { status: "requires_payment_method", error: "insufficient_funds" };
    case "authenticate":
      return offSession ? { status: "requires_payment_method", error: "authentication_required" } : { status: "requires_action", error: null };
    case "decline_after_attach":
      return method.customer && offSession ? { status: "requires_payment_method", error: "decline" } : { status: "succeeded", error: null };
    case "succeed_once":
      return method.charges === 0 ? { status: "succeeded", error: null } : { status: "requires_payment_method", error: "insufficient_funds" };
    case "settle_later":
      return { status: "processing", error: null };
  }
}

const eventFor: Partial<Record<IntentStatus, string>> = {
  succeeded: "payment_intent.succeeded",
  processing: "payment_intent.processing",
  requires_action: "payment_intent.requires_action",
  canceled: "payment_intent.canceled",
};

async function charge(intent: StripeLikeIntent, method: DemoMethod, offSession: boolean, db: Db) {
  const result = outcome(method, offSession);
  intent.payment_method = method.id;
  intent.status = result.status;
  intent.last_payment_error = result.error ? declines[result.error]! : null;
  if (result.status === "processing") intent.settle_at = Date.now() + DEMO_SETTLE_AFTER_MS;
  if (result.status === "succeeded" || result.status === "processing") method.charges += 1;
  if (intent.setup_future_usage && intent.customer && !method.customer && result.status !== "requires_payment_method") {
    method.customer = intent.customer;
    await emit("payment_method.attached", method, db);
  }
  await save(method.id, "payment_method", method, db);
  await save(intent.id, "payment_intent", intent, db);
  await emit(result.error ? "payment_intent.payment_failed" : eventFor[result.status]!, intent, db);
  return intent;
}

export const demoProcessor: Processor & {
  confirmPayment(intentId: string, cardNumber: string, db?: Db): Promise<ReturnType<typeof intentFromStripe>>;
  completeAuthentication(intentId: string, approve: boolean, db?: Db): Promise<ReturnType<typeof intentFromStripe>>;
  confirmSetup(setupIntentId: string, cardNumber: string, db?: Db): Promise<ProcessorSetupIntent>;
} = {
  name: "demo",
  async createCustomer({ name, email, settleCustomerId }) {
    const id = `cus_demo_${random(8)}`;
    await save(id, "customer", { id, object: "customer", name, email, metadata: { settle_customer_id: settleCustomerId } }, getDb());
    return id;
  },
  async createPaymentIntent({ amountMinor, currency, customer, metadata, idempotencyKey, offSessionMethod, saveMethod }) {
    const db = getDb();
    // The idempotency key is the object's id, so a retried create returns the first intent.
    const id = `pi_demo_${encodeHexLowerCase(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(idempotencyKey)))).slice(0, 24)}`;
    const existing = await load<StripeLikeIntent>(id, db);
    if (existing) return intentFromStripe(existing as never);
    const intent: StripeLikeIntent = {
      id,
      object: "payment_intent",
      amount: amountMinor,
      currency: currency.toLowerCase(),
      status: "requires_payment_method",
      client_secret: `${id}_secret_${random(8)}`,
      customer,
      payment_method: null,
      payment_method_types: ["card"],
      metadata,
      last_payment_error: null,
      setup_future_usage: saveMethod ? "off_session" : null,
      created: Math.floor(Date.now() / 1000),
    };
    if (offSessionMethod) {
      const method = await load<DemoMethod>(offSessionMethod, db);
      if (!method) throw new Error(`No such payment method: ${offSessionMethod}`);
      return intentFromStripe((await charge(intent, method, true, db)) as never);
    }
    await save(id, "payment_intent", intent, db);
    return intentFromStripe(intent as never);
  },
  async retrievePaymentIntent(id) {
    const intent = await load<StripeLikeIntent>(id, getDb());
    if (!intent) throw new Error(`No such payment_intent: ${id}`);
    return intentFromStripe(intent as never);
  },
  async createSetupIntent({ customer, metadata, idempotencyKey }) {
    const db = getDb();
    const id = `seti_demo_${idempotencyKey.replace(/[^a-z0-9]/gi, "").slice(0, 40)}`;
    const existing = await load<DemoSetup>(id, db);
    const setup: DemoSetup = existing ?? { id, object: "setup_intent", status: "requires_payment_method", client_secret: `${id}_secret_${random(8)}`, customer, payment_method: null, metadata, usage: "off_session" };
    if (!existing) await save(id, "setup_intent", setup, db);
    return { id, status: setup.status, clientSecret: setup.client_secret, customer, paymentMethod: setup.payment_method, metadata: setup.metadata };
  },
  async retrieveSetupIntent(id) {
    const setup = await load<DemoSetup>(id, getDb());
    if (!setup) throw new Error(`No such setup_intent: ${id}`);
    return { id, status: setup.status, clientSecret: setup.client_secret, customer: setup.customer, paymentMethod: setup.payment_method, metadata: setup.metadata };
  },
  async retrievePaymentMethod(id): Promise<ProcessorPaymentMethod> {
    const method = await load<DemoMethod>(id, getDb());
    if (!method) throw new Error(`No such payment_method: ${id}`);
    return { id, type: method.type, brand: method.card.brand, last4: method.card.last4, expMonth: method.card.exp_month, expYear: method.card.exp_year, bankName: null, customer: method.customer };
  },
  async detachPaymentMethod(id) {
    const db = getDb();
    const method = await load<DemoMethod>(id, db);
    if (!method) return;
    method.customer = null;
    await save(id, "payment_method", method, db);
    await emit("payment_method.detached", method, db);
  },
  async createRefund({ paymentIntent, amountMinor, idempotencyKey, metadata }) {
    return getDb().transaction(async (tx) => {
      const id = `re_demo_${encodeHexLowerCase(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(idempotencyKey)))).slice(0, 24)}`;
      const existing = await load<DemoRefund>(id, tx);
      if (existing) return refundOf(existing);
      const intent = await load<StripeLikeIntent>(paymentIntent, tx);
      if (!intent || intent.status !== "succeeded") throw new Error(`No succeeded payment_intent: ${paymentIntent}`);
      const refundable = intent.amount - (intent.amount_refunded ?? 0);
      if (amountMinor <= 0 || amountMinor > refundable) throw new Error(`Refund amount is greater than the unrefunded amount (${refundable})`);
      intent.amount_refunded = (intent.amount_refunded ?? 0) + amountMinor;
      const refund: DemoRefund = { id, object: "refund", amount: amountMinor, currency: intent.currency, payment_intent: intent.id, status: "succeeded", failure_reason: null, created: Math.floor(Date.now() / 1000), metadata };
      await save(intent.id, "payment_intent", intent, tx);
      await save(id, "refund", refund, tx);
      await emit("refund.created", refund, tx);
      return refundOf(refund);
    });
  },
  async retrieveRefund(id) {
    const refund = await load<DemoRefund>(id, getDb());
    if (!refund) throw new Error(`No such refund: ${id}`);
    return refundOf(refund);
  },
  async listRefunds(paymentIntent) {
    const rows = await getDb()
      .select()
      .from(demoProcessorObjects)
      .where(and(eq(demoProcessorObjects.type, "refund"), sql`${demoProcessorObjects.data}->>'payment_intent' = ${paymentIntent}`));
    return rows.map((row) => refundOf(row.data as DemoRefund));
  },
  // The demo processor pays out and takes no disputes: these objects exist only with Stripe.
  async retrieveDispute(id) {
    throw new Error(`No such dispute: ${id} (the demo processor has no disputes)`);
  },
  async retrievePayout(id) {
    throw new Error(`No such payout: ${id} (the demo processor makes no payouts)`);
  },
  async listPayoutTransactions(id) {
    throw new Error(`No such payout: ${id} (the demo processor makes no payouts)`);
  },

  /** The demo card form's "Pay": what Stripe.js's confirmPayment does with a real card. */
  async confirmPayment(intentId, cardNumber, db = getDb()) {
    return db.transaction(async (tx) => {
      const intent = await load<StripeLikeIntent>(intentId, tx);
      if (!intent) throw new Error(`No such payment_intent: ${intentId}`);
      if (intent.status !== "requires_payment_method" && intent.status !== "requires_confirmation") return intentFromStripe(intent as never);
      const method = newMethod(cardNumber, null);
      return intentFromStripe((await charge(intent, method, false, tx)) as never);
    });
  },

  /** The demo 3-D Secure page's answer. */
  async completeAuthentication(intentId, approve, db = getDb()) {
    return db.transaction(async (tx) => {
      const intent = await load<StripeLikeIntent>(intentId, tx);
      if (!intent) throw new Error(`No such payment_intent: ${intentId}`);
      if (intent.status !== "requires_action") return intentFromStripe(intent as never);
      intent.status = approve ? "succeeded" : "requires_payment_method";
      intent.last_payment_error = approve ? null : { code: "payment_intent_authentication_failure", message: "The cardholder did not authenticate the payment." };
      const method = intent.payment_method ? await load<DemoMethod>(intent.payment_method, tx) : null;
      if (approve && method) {
        method.charges += 1;
        if (intent.setup_future_usage && intent.customer && !method.customer) {
          method.customer = intent.customer;
          await emit("payment_method.attached", method, tx);
        }
        await save(method.id, "payment_method", method, tx);
      }
      await save(intent.id, "payment_intent", intent, tx);
      await emit(approve ? "payment_intent.succeeded" : "payment_intent.payment_failed", intent, tx);
      return intentFromStripe(intent as never);
    });
  },

  /** The demo "save a card" form: a SetupIntent confirmed with a test card. */
  async confirmSetup(setupIntentId, cardNumber, db = getDb()) {
    return db.transaction(async (tx) => {
      const setup = await load<DemoSetup>(setupIntentId, tx);
      if (!setup) throw new Error(`No such setup_intent: ${setupIntentId}`);
      if (setup.status === "succeeded") return { id: setup.id, status: setup.status, clientSecret: setup.client_secret, customer: setup.customer, paymentMethod: setup.payment_method, metadata: setup.metadata };
      const method = newMethod(cardNumber, setup.customer);
      if (method.behaviour === "decline" || method.behaviour === "insufficient_funds") throw new DemoCardError(declines[method.behaviour]!.message);
      setup.status = "succeeded";
      setup.payment_method = method.id;
      await save(method.id, "payment_method", method, tx);
      await save(setup.id, "setup_intent", setup, tx);
      await emit("payment_method.attached", method, tx);
      await emit("setup_intent.succeeded", setup, tx);
      return { id: setup.id, status: setup.status, clientSecret: setup.client_secret, customer: setup.customer, paymentMethod: setup.payment_method, metadata: setup.metadata };
    });
  },
};

/** Moves "settles later" payments whose time has come to succeeded, as a bank would. */
export async function settleDemoProcessing(now = Date.now(), db: Db = getDb()) {
  const due = await db
    .select()
    .from(demoProcessorObjects)
    .where(and(eq(demoProcessorObjects.type, "payment_intent"), sql`${demoProcessorObjects.data}->>'status' = 'processing'`, sql`(${demoProcessorObjects.data}->>'settle_at')::bigint <= ${now}`));
  for (const row of due) {
    await db.transaction(async (tx) => {
      const intent = row.data as StripeLikeIntent;
      intent.status = "succeeded";
      await save(intent.id, "payment_intent", intent, tx);
      await emit("payment_intent.succeeded", intent, tx);
    });
  }
  return due.length;
}

/** Demo events not yet delivered, oldest first. */
export async function pendingDemoEvents(db: Db = getDb(), limit = 50) {
  return db
    .select()
    .from(demoProcessorObjects)
    .where(and(eq(demoProcessorObjects.type, "event"), sql`(${demoProcessorObjects.data}->>'delivered')::boolean = false`))
    .orderBy(asc(demoProcessorObjects.createdAt))
    .limit(limit);
}

export async function markDemoEventDelivered(id: string, db: Db = getDb()) {
  await db.execute(sql`update ${demoProcessorObjects} set data = jsonb_set(data, '{delivered}', 'true') where id = ${id}`);
}

/** The demo webhook signing secret: made once per database, so no one can forge demo events. */
export async function demoWebhookSecret(db: Db = getDb()): Promise<string> {
  const existing = await load<{ secret: string }>("webhook_secret", db);
  if (existing) return existing.secret;
  await db.insert(demoProcessorObjects).values({ id: "webhook_secret", type: "secret", data: { secret: `whsec_demo_${random(24)}` } }).onConflictDoNothing();
  return (await load<{ secret: string }>("webhook_secret", db))!.secret;
}
