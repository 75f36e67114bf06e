import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import Stripe from "stripe";

/**
 * A local, in-memory Stripe for the endpoints Settle calls, spoken to by the real `stripe` SDK
 * (STRIPE_API_BASE) and, through the browser tests' routing of api.stripe.com, by the Stripe.js
 * stand-in (./stripe-js.ts). Like Stripe it keys POSTs by Idempotency-Key, answers declines with
 * 402 and the PaymentIntent, and sends every change as a signed event to the webhook URL (or
 * queues it for a test to deliver in any order, twice). Test payment methods and card numbers
 * behave as Stripe's do (TEST_CARDS). Run it as a process with `tsx tests/fakes/stripe.ts`.
 *
 * Money after the payment, as Stripe keeps it: every attempt has a Charge, every movement of the
 * balance a balance transaction (fees exact in minor units: processingFee), refunds (pending ones
 * too), disputes and automatic payouts that sweep the balance, each listable by payout. Control
 * methods on the returned object (and POST /_fake/... for the browser tests) make what only the
 * outside world makes: chargebacks, payouts, Dashboard payments, card updates, late days (advanceTime).
 */

export const FAKE_STRIPE_KEYS = {
  secretKey: "sk_test_settle_fake",
  publishableKey: "pk_test_settle_fake",
  webhookSecret: "whsec_settle_fake_signing_secret",
} as const;

/** Where the browser tests run the fake (playwright.config.ts starts it; the specs drive it here). */
export const E2E_FAKE_STRIPE_PORT = 3221;

type Behaviour = "succeed" | "decline" | "insufficient_funds" | "authenticate" | "authenticate_on_setup" | "charge_customer_fail" | "bank_success" | "bank_failure";

/** Stripe's test cards and PaymentMethods (https://docs.stripe.com/testing), as far as Settle needs them. */
export const TEST_CARDS = [
  { number: "4242424242424242", token: "pm_card_visa", brand: "visa", behaviour: "succeed" },
  { number: "5555555555554444", token: "pm_card_mastercard", brand: "mastercard", behaviour: "succeed" },
  { number: "4000000000000002", token: "pm_card_chargeDeclined", brand: "visa", behaviour: "decline" },
  { number: "4000000000009995", token: "pm_card_chargeDeclinedInsufficientFunds", brand: "visa", behaviour: "insufficient_funds" },
  { number: "4000002760003184", token: "pm_card_authenticationRequired", brand: "visa", behaviour: "authenticate" },
  { number: "4000002500003155", token: "pm_card_authenticationRequiredOnSetup", brand: "visa", behaviour: "authenticate_on_setup" },
  { number: "4000000000000341", token: "pm_card_chargeCustomerFail", brand: "visa", behaviour: "charge_customer_fail" },
] as const satisfies ReadonlyArray<{ number: string; token: string; brand: string; behaviour: Behaviour }>;

/** Stripe's test bank accounts: debits stay processing until settle() (the fake's stand-in for days passing). */
const TEST_BANK_ACCOUNTS: Record<string, Behaviour> = { "000123456789": "bank_success", "000111111113": "bank_failure" };
/** The fake's own names for test bank accounts as PaymentMethods. */
const BANK_TOKENS: Record<string, string> = { pm_usBankAccount_success: "000123456789", pm_usBankAccount_accountClosed: "000111111113" };

/** Stripe's minimum charge per currency, in minor units (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts). */
const MINIMUM_CHARGE: Record<string, number> = { usd: 50, eur: 50, cad: 50, aud: 50, nzd: 50, chf: 50, sgd: 50, gbp: 30, jpy: 50, sek: 300, nok: 300, dkk: 250, mxn: 1000 };

type Params = Record<string, unknown>;
type StripeErrorBody = {
  type: string;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  payment_intent?: Stripe.PaymentIntent;
  setup_intent?: Stripe.SetupIntent;
  payment_method?: Stripe.PaymentMethod;
};

export type FakeEvent = {
  id: string;
  object: "event";
  api_version: string;
  created: number;
  data: { object: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
};

/** A Charge, with the fields of Stripe's that the fake keeps (ids never expanded in storage). */
export type FakeCharge = Pick<
  Stripe.Charge,
  "id" | "object" | "amount" | "amount_captured" | "amount_refunded" | "captured" | "created" | "currency" | "description" | "disputed" | "failure_code" | "failure_message" | "livemode" | "metadata" | "paid" | "refunded" | "status"
> & { balance_transaction: string | null; customer: string | null; payment_intent: string; payment_method: string | null };

/** A balance transaction. Which payout swept it is the fake's own record (Stripe's object has no such field). */
export type FakeBalanceTransaction = Pick<
  Stripe.BalanceTransaction,
  "id" | "object" | "amount" | "available_on" | "created" | "currency" | "description" | "fee" | "fee_details" | "net" | "reporting_category" | "status" | "type"
> & { source: string };

export type FakeRefund = Omit<Stripe.Refund, "failure_reason" | "failure_balance_transaction" | "balance_transaction" | "charge" | "payment_intent"> & {
  balance_transaction: string;
  charge: string;
  payment_intent: string;
  failure_reason: string | null;
  failure_balance_transaction: string | null;
};

export type FakeDispute = Pick<Stripe.Dispute, "id" | "object" | "amount" | "created" | "currency" | "is_charge_refundable" | "livemode" | "metadata" | "reason" | "status"> & {
  charge: string;
  payment_intent: string;
  /** Expanded, as Stripe sends them: the withdrawal, then the reinstatement if the dispute is won. */
  balance_transactions: FakeBalanceTransaction[];
  evidence_details: Pick<Stripe.Dispute.EvidenceDetails, "due_by" | "has_evidence" | "past_due" | "submission_count">;
};

export type FakePayout = Pick<
  Stripe.Payout,
  "id" | "object" | "amount" | "arrival_date" | "automatic" | "created" | "currency" | "description" | "failure_code" | "failure_message" | "livemode" | "metadata" | "method" | "reconciliation_status" | "status" | "type"
> & { balance_transaction: string; failure_balance_transaction: string | null };

/** Charge events for PaymentIntents and refunds; off unless `chargeEvents: true` (older tests assert the exact event sequences). */
const CHARGE_LIFECYCLE_EVENTS = new Set(["charge.succeeded", "charge.pending", "charge.failed", "charge.refunded"]);

const DAY = 86_400;
/** Stripe's dispute fee, charged on withdrawal and returned when the dispute is won (same figure in every currency here). */
const DISPUTE_FEE = 1500;

/** Stripe's standard pricing, exact in minor units: cards 2.9% + 30 (half up), ACH debits 0.8% (half up) capped at 500. */
export function processingFee(methodType: string, amount: number): number {
  if (methodType === "us_bank_account") return Math.min(Math.floor((amount * 8 + 500) / 1000), 500);
  return Math.floor((amount * 29 + 500) / 1000) + 30;
}

/** An amount as Stripe writes it in messages: $12.34. */
function money(amount: number, currency: string) {
  const format = new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
}

export type LoggedRequest = { method: string; path: string; idempotencyKey: string | null; params: Params; status: number; replayed: boolean };

/** Where a queued event goes: true when the receiver took it (a 2xx). */
export type Deliver = (body: string, signature: string) => Promise<boolean>;

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
  }
}

const invalid = (message: string, param?: string, code?: string) => new ApiError(400, { type: "invalid_request_error", message, ...(param ? { param } : {}), ...(code ? { code } : {}) });
const missing = (kind: string, id: string, param = "id") => new ApiError(404, { type: "invalid_request_error", code: "resource_missing", param, message: `No such ${kind}: '${id}'` });

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;
const snapshot = <T>(value: T): T => structuredClone(value);

/** Stripe's form encoding, as the SDK and Stripe.js send it: `metadata[key]=v`, `expand[0]=x`, `expand[]=x`. */
export function parseStripeForm(text: string): Params {
  const root: Params = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const [head, ...rest] = key.split("[");
    const path = [head!, ...rest.map((segment) => segment.replace(/\]$/, ""))];
    let node = root;
    path.forEach((segment, index) => {
      const name = segment === "" ? String(Object.keys(node).length) : segment;
      if (index === path.length - 1) node[name] = value;
      else node = (node[name] ??= {}) as Params;
    });
  }
  return arraysFromIndexes(root) as Params;
}

function arraysFromIndexes(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value as Params).map(([k, v]) => [k, arraysFromIndexes(v)] as const);
  if (entries.length > 0 && entries.every(([k]) => /^\d+$/.test(k))) return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v);
  return Object.fromEntries(entries);
}

const luhn = (digits: string) =>
  [...digits].reverse().reduce((sum, char, index) => {
    const d = Number(char) * (index % 2 ? 2 : 1);
    return sum + (d > 9 ? d - 9 : d);
  }, 0) %
    10 ===
  0;

function text(params: Params, name: string, { required = false, max = 5000 } = {}): string | undefined {
  const value = params[name];
  if (value === undefined || value === "") {
    if (required) throw invalid(`Missing required param: ${name}.`, name, "parameter_missing");
    return undefined;
  }
  if (typeof value !== "string") throw invalid(`Invalid string: ${name} must be a string.`, name);
  if (value.length > max) throw invalid(`Invalid string: ${name} must be at most ${max} characters.`, name);
  return value;
}

function integer(params: Params, name: string, { required = false } = {}): number | undefined {
  const value = text(params, name, { required });
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw invalid(`Invalid integer: ${value}`, name);
  return Number(value);
}

function flag(params: Params, name: string): boolean {
  const value = text(params, name);
  if (value === undefined) return false;
  if (value !== "true" && value !== "false") throw invalid(`Invalid boolean: ${value}`, name);
  return value === "true";
}

function metadataOf(params: Params): Record<string, string> {
  const value = params.metadata;
  if (value === undefined || value === "") return {};
  if (typeof value !== "object" || Array.isArray(value)) throw invalid("Invalid object", "metadata");
  const entries = Object.entries(value as Params);
  if (entries.length > 50) throw invalid("You can specify up to 50 keys.", "metadata");
  for (const [key, v] of entries) {
    if (key.length > 40) throw invalid(`Metadata keys must be at most 40 characters: ${key}`, `metadata[${key}]`);
    if (typeof v !== "string" || v.length > 500) throw invalid("Metadata values must be strings of at most 500 characters.", `metadata[${key}]`);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

const stringList = (params: Params, name: string): string[] | undefined => {
  const value = params[name];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw invalid(`Invalid array`, name);
  return value as string[];
};

type Auth = "secret" | "publishable";
type Call = { method: string; path: string; params: Params; auth: Auth; requestId: string; idempotencyKey: string | null };
type Route = { method: string; pattern: RegExp; publishable?: boolean; run: (call: Call, ...ids: string[]) => unknown };

export type FakeStripeOptions = {
  port?: number;
  host?: string;
  secretKey?: string;
  publishableKey?: string;
  webhookSecret?: string;
  /** The app's /webhooks/stripe. Without it, events are queued. */
  webhookUrl?: string | null;
  /** "send": POST each event as it happens (retried like Stripe); "queue": keep for deliverQueued(). */
  webhooks?: "send" | "queue";
  /**
   * Emit charge.succeeded / charge.pending / charge.failed / charge.refunded (Charges and their balance
   * transactions exist either way). Off by default: the older tests assert the exact event sequences.
   */
  chargeEvents?: boolean;
};

export async function startFakeStripe(options: FakeStripeOptions = {}) {
  const keys = {
    secretKey: options.secretKey ?? FAKE_STRIPE_KEYS.secretKey,
    publishableKey: options.publishableKey ?? FAKE_STRIPE_KEYS.publishableKey,
    webhookSecret: options.webhookSecret ?? FAKE_STRIPE_KEYS.webhookSecret,
  };
  const webhookUrl = options.webhookUrl ?? null;
  const webhookMode = options.webhooks ?? "send";
  const signer = new Stripe(keys.secretKey);
  const chargeEvents = options.chargeEvents ?? false;
  /** Simulated time: advanceTime() moves every clock of the fake (created, due_by, arrival_date) forward. */
  let clockOffset = 0;
  let lastEventAt = 0;
  const now = () => Math.floor(Date.now() / 1000) + clockOffset;

  const customers = new Map<string, Stripe.Customer>();
  const intents = new Map<string, Stripe.PaymentIntent>();
  const setups = new Map<string, Stripe.SetupIntent>();
  const methods = new Map<string, Stripe.PaymentMethod>();
  const refunds = new Map<string, FakeRefund>();
  const charges = new Map<string, FakeCharge>();
  const balanceTransactions = new Map<string, FakeBalanceTransaction>();
  const disputes = new Map<string, FakeDispute>();
  const payouts = new Map<string, FakePayout>();
  /** The payout that holds each balance transaction now (internal: Stripe's object has no such field). */
  const txnPayout = new Map<string, string>();
  /** The transactions each payout took (for ?payout= listings; a failed payout keeps its list). */
  const payoutTxnIds = new Map<string, string[]>();
  /** How many of the next POST /v1/refunds stay pending (holdNextRefunds). */
  let heldRefunds = 0;
  /** What each PaymentMethod does when charged; not part of Stripe's object. */
  const behaviours = new Map<string, { behaviour: Behaviour; authenticatedOnSetup: boolean }>();
  const idempotent = new Map<string, { fingerprint: string; status: number; body: unknown }>();
  const events: FakeEvent[] = [];
  const queued: FakeEvent[] = [];
  const requests: LoggedRequest[] = [];
  let failures: { count: number; when: "before" | "after" } = { count: 0, when: "before" };
  let closed = false;
  let deliveries = Promise.resolve();
  let call: Call | null = null;

  // ---- events and webhooks -------------------------------------------------------------------

  function emit(type: string, object: object) {
    if (!chargeEvents && CHARGE_LIFECYCLE_EVENTS.has(type)) return;
    lastEventAt = Math.max(lastEventAt, now());
    const event: FakeEvent = {
      id: newId("evt"),
      object: "event",
      api_version: Stripe.API_VERSION,
      created: lastEventAt,
      data: { object: snapshot(object) as Record<string, unknown> },
      livemode: false,
      pending_webhooks: 1,
      request: { id: call?.requestId ?? null, idempotency_key: call?.idempotencyKey ?? null },
      type,
    };
    events.push(event);
    if (webhookMode === "send" && webhookUrl) deliveries = deliveries.then(() => sendWithRetries(event));
    else queued.push(event);
  }

  function sign(payload: string, timestamp?: number) {
    return signer.webhooks.generateTestHeaderString({ payload, secret: keys.webhookSecret, ...(timestamp ? { timestamp } : {}) });
  }

  const postToWebhook: Deliver = async (body, signature) => {
    if (!webhookUrl) throw new Error("The fake Stripe has no webhook URL");
    const response = await fetch(webhookUrl, { method: "POST", headers: { "Content-Type": "application/json", "Stripe-Signature": signature }, body });
    return response.ok;
  };

  /** Like Stripe: a delivery that is not answered 2xx is tried again later, a few times. */
  async function sendWithRetries(event: FakeEvent) {
    const body = JSON.stringify(event, null, 2);
    for (let attempt = 0; attempt < 6 && !closed; attempt++) {
      if (await postToWebhook(body, sign(body)).catch(() => false)) {
        event.pending_webhooks = 0;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
    }
  }

  // ---- objects ----------------------------------------------------------------------------------

  function getCustomer(id: string, param = "customer") {
    const customer = customers.get(id);
    if (!customer) throw missing("customer", id, param);
    return customer;
  }

  function getIntent(id: string) {
    const intent = intents.get(id);
    if (!intent) throw missing("payment_intent", id, "intent");
    return intent;
  }

  function getSetup(id: string) {
    const setup = setups.get(id);
    if (!setup) throw missing("setup_intent", id, "intent");
    return setup;
  }

  function getMethod(id: string, param = "payment_method") {
    const method = methods.get(id);
    if (!method) throw missing("payment_method", id, param);
    return method;
  }

  /** A publishable key may read and confirm an intent only with its client secret, as in Stripe.js. */
  function checkClientSecret(object: { client_secret: string | null }, params: Params) {
    if (call?.auth !== "publishable") return;
    if (params.client_secret !== object.client_secret) throw invalid("The client_secret provided does not match the client_secret associated with this object.", "client_secret");
  }

  /** Any object of the fake by its id, for expand. */
  function findObject(id: string): object | undefined {
    const stores: Map<string, object>[] = [customers, intents, setups, methods, refunds, charges, balanceTransactions, disputes, payouts];
    for (const store of stores) {
      const found = store.get(id);
      if (found) return found;
    }
    return undefined;
  }

  /** expand[]=field or a dotted path (data.source on a list): each id on the path becomes its object. */
  function expandPath(node: unknown, path: string[], full: string) {
    if (Array.isArray(node)) {
      for (const item of node) expandPath(item, path, full);
      return;
    }
    if (typeof node !== "object" || node === null) return;
    const record = node as Record<string, unknown>;
    const [head, ...rest] = path;
    const value = record[head!];
    if (rest.length > 0) return expandPath(value, rest, full);
    if (typeof value !== "string") return;
    const found = findObject(value);
    if (!found) throw invalid(`This property cannot be expanded (${full}).`, "expand");
    record[head!] = snapshot(found);
  }

  function expand<T extends object>(object: T, params: Params): T {
    const wanted = stringList(params, "expand") ?? [];
    const copy = snapshot(object) as Record<string, unknown>;
    for (const field of wanted) expandPath(copy, field.split("."), field);
    return copy as T;
  }

  function newCard(number: string, behaviour: Behaviour, brand: string, card: Params = {}): Stripe.PaymentMethod {
    const expMonth = integer(card, "exp_month") ?? 12;
    const expYear = integer(card, "exp_year") ?? new Date().getUTCFullYear() + 3;
    const method: Stripe.PaymentMethod = {
      id: newId("pm"),
      object: "payment_method",
      allow_redisplay: "unspecified",
      billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
      card: {
        brand,
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: card.cvc ? "pass" : null },
        country: "US",
        display_brand: brand,
        exp_month: expMonth,
        exp_year: expYear,
        fingerprint: number.slice(-8),
        funding: "credit",
        generated_from: null,
        last4: number.slice(-4),
        networks: { available: [brand], preferred: null },
        regulated_status: "unregulated",
        three_d_secure_usage: { supported: true },
        wallet: null,
      },
      created: now(),
      customer: null,
      customer_account: null,
      livemode: false,
      metadata: {},
      type: "card",
    };
    methods.set(method.id, method);
    behaviours.set(method.id, { behaviour, authenticatedOnSetup: false });
    return method;
  }

  function newBankAccount(accountNumber: string, routingNumber = "110000000"): Stripe.PaymentMethod {
    const behaviour = TEST_BANK_ACCOUNTS[accountNumber];
    if (!behaviour) throw invalid("Use a test account number, such as 000123456789.", "payment_method_data[us_bank_account][account_number]");
    const method: Stripe.PaymentMethod = {
      id: newId("pm"),
      object: "payment_method",
      allow_redisplay: "unspecified",
      billing_details: { address: null, email: null, name: "Test Account Holder", phone: null, tax_id: null },
      created: now(),
      customer: null,
      customer_account: null,
      livemode: false,
      metadata: {},
      type: "us_bank_account",
      us_bank_account: {
        account_holder_type: "company",
        account_type: "checking",
        bank_name: "STRIPE TEST BANK",
        financial_connections_account: null,
        fingerprint: accountNumber.slice(-8),
        last4: accountNumber.slice(-4),
        networks: { preferred: "ach", supported: ["ach"] },
        routing_number: routingNumber,
        status_details: null,
      },
    };
    methods.set(method.id, method);
    behaviours.set(method.id, { behaviour, authenticatedOnSetup: false });
    return method;
  }

  /** payment_method (an id or a test token like pm_card_visa) or payment_method_data, as Stripe accepts on confirm. */
  function methodFrom(params: Params): Stripe.PaymentMethod | null {
    const id = text(params, "payment_method");
    if (id) {
      const card = TEST_CARDS.find((c) => c.token === id);
      if (card) return newCard(card.number, card.behaviour, card.brand);
      if (BANK_TOKENS[id]) return newBankAccount(BANK_TOKENS[id]);
      return getMethod(id);
    }
    const data = params.payment_method_data as Params | undefined;
    if (!data) return null;
    return createMethod(data, "payment_method_data");
  }

  function createMethod(data: Params, prefix: string): Stripe.PaymentMethod {
    const type = text(data, "type", { required: true });
    if (type === "card") {
      const card = (data.card ?? {}) as Params;
      const number = (text(card, "number", { required: true }) ?? "").replace(/\D/g, "");
      if (number.length < 12 || !luhn(number)) throw new ApiError(402, { type: "card_error", code: "incorrect_number", param: `${prefix}[card][number]`, message: "Your card number is incorrect." });
      const test = TEST_CARDS.find((c) => c.number === number);
      if (!test) {
        throw new ApiError(402, {
          type: "card_error",
          code: "card_declined",
          decline_code: "test_mode_live_card",
          message: "Your card was declined. Your request was in test mode, but used a non test card. For a list of valid test cards, visit: https://stripe.com/docs/testing.",
        });
      }
      return newCard(number, test.behaviour, test.brand, card);
    }
    if (type === "us_bank_account") {
      const bank = (data.us_bank_account ?? {}) as Params;
      return newBankAccount(text(bank, "account_number", { required: true })!, text(bank, "routing_number"));
    }
    throw invalid(`The payment method type "${type}" is not supported by this fake.`, `${prefix}[type]`);
  }

  function attach(method: Stripe.PaymentMethod, customer: string) {
    if (method.customer === customer) return;
    if (method.customer) throw invalid("The payment method you provided has already been attached to a customer.", "payment_method");
    method.customer = customer;
    emit("payment_method.attached", method);
  }

  // ---- balance transactions and charges -------------------------------------------------------

  function newTxn(fields: {
    amount: number;
    fee: number;
    currency: string;
    type: Stripe.BalanceTransaction.Type;
    reporting_category: string;
    source: string;
    description?: string | null;
    feeDescription?: string;
  }): FakeBalanceTransaction {
    const created = now();
    const txn: FakeBalanceTransaction = {
      id: newId("txn"),
      object: "balance_transaction",
      amount: fields.amount,
      available_on: created,
      created,
      currency: fields.currency,
      description: fields.description ?? null,
      fee: fields.fee,
      fee_details:
        fields.fee === 0 ? [] : [{ amount: fields.fee, application: null, currency: fields.currency, description: fields.feeDescription ?? "Stripe processing fees", type: "stripe_fee" }],
      net: fields.amount - fields.fee,
      reporting_category: fields.reporting_category,
      source: fields.source,
      status: "available",
      type: fields.type,
    };
    balanceTransactions.set(txn.id, txn);
    return txn;
  }

  function getCharge(id: string, param = "id") {
    const charge = charges.get(id);
    if (!charge) throw missing("charge", id, param);
    return charge;
  }

  /** A charge for the intent's attempt (Stripe copies the intent's metadata and description onto it). */
  function newCharge(intent: Stripe.PaymentIntent, method: Stripe.PaymentMethod): FakeCharge {
    const charge: FakeCharge = {
      id: newId("ch"),
      object: "charge",
      amount: intent.amount,
      amount_captured: 0,
      amount_refunded: 0,
      balance_transaction: null,
      captured: false,
      created: now(),
      currency: intent.currency,
      customer: typeof intent.customer === "string" ? intent.customer : null,
      description: intent.description,
      disputed: false,
      failure_code: null,
      failure_message: null,
      livemode: false,
      metadata: { ...intent.metadata },
      paid: false,
      payment_intent: intent.id,
      payment_method: method.id,
      refunded: false,
      status: "pending",
    };
    charges.set(charge.id, charge);
    return charge;
  }

  /** The intent's bank debit charge still waiting to settle, if it has one. */
  function pendingChargeOf(intent: Stripe.PaymentIntent) {
    const charge = typeof intent.latest_charge === "string" ? charges.get(intent.latest_charge) : undefined;
    return charge?.status === "pending" ? charge : undefined;
  }

  function chargeSucceeded(charge: FakeCharge, method: Stripe.PaymentMethod) {
    const txn = newTxn({
      amount: charge.amount,
      fee: processingFee(method.type, charge.amount),
      currency: charge.currency,
      type: method.type === "card" ? "charge" : "payment",
      reporting_category: "charge",
      source: charge.id,
      description: charge.description,
    });
    Object.assign(charge, { status: "succeeded", paid: true, captured: true, amount_captured: charge.amount, balance_transaction: txn.id });
    emit("charge.succeeded", charge);
  }

  // ---- charging ---------------------------------------------------------------------------------

  function succeed(intent: Stripe.PaymentIntent, method: Stripe.PaymentMethod) {
    const charge = pendingChargeOf(intent) ?? newCharge(intent, method);
    Object.assign(intent, { status: "succeeded", amount_received: intent.amount, latest_charge: charge.id, last_payment_error: null, next_action: null, payment_method: method.id });
    if (intent.setup_future_usage && typeof intent.customer === "string") attach(method, intent.customer);
    chargeSucceeded(charge, method);
    emit("payment_intent.succeeded", intent);
    return intent;
  }

  /** A decline: the intent wants a new method, and the API answers 402 with the intent, as Stripe does. */
  function decline(intent: Stripe.PaymentIntent, method: Stripe.PaymentMethod, error: { code: string; decline_code?: string; message: string; type?: string }): never {
    const lastError: Stripe.PaymentIntent.LastPaymentError = {
      type: "card_error",
      ...error,
      payment_method: snapshot(method),
      payment_method_type: method.type,
    } as Stripe.PaymentIntent.LastPaymentError;
    const charge = pendingChargeOf(intent) ?? newCharge(intent, method);
    Object.assign(charge, {
      status: "failed",
      paid: false,
      failure_code: method.type === "us_bank_account" ? (error.decline_code ?? error.code) : error.code,
      failure_message: error.message,
    });
    emit("charge.failed", charge);
    Object.assign(intent, { status: "requires_payment_method", payment_method: null, next_action: null, latest_charge: charge.id, last_payment_error: lastError });
    emit("payment_intent.payment_failed", intent);
    throw new ApiError(402, {
      type: lastError.type,
      code: error.code,
      message: error.message,
      ...(error.decline_code ? { decline_code: error.decline_code } : {}),
      payment_intent: snapshot(intent),
      payment_method: snapshot(method),
    });
  }

  const declines = {
    generic: { code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." },
    insufficient: { code: "card_declined", decline_code: "insufficient_funds", message: "Your card has insufficient funds." },
    authentication: { code: "authentication_required", decline_code: "authentication_required", message: "Your card was declined. This transaction requires authentication." },
  };

  function charge(intent: Stripe.PaymentIntent, method: Stripe.PaymentMethod, offSession: boolean) {
    if (!intent.payment_method_types.includes(method.type)) throw invalid(`The PaymentMethod provided (${method.type}) is not allowed for this PaymentIntent.`, "payment_method");
    if (method.customer && method.customer !== intent.customer) throw invalid("The provided PaymentMethod belongs to another customer.", "payment_method");
    const { behaviour, authenticatedOnSetup } = behaviours.get(method.id)!;
    switch (behaviour) {
      case "succeed":
        return succeed(intent, method);
      case "decline":
      case "charge_customer_fail":
        return decline(intent, method, declines.generic);
      case "insufficient_funds":
        return decline(intent, method, declines.insufficient);
      case "authenticate_on_setup":
        if (authenticatedOnSetup && offSession) return succeed(intent, method);
      // falls through: a card not set up asks for authentication like any 3-D Secure card
      case "authenticate":
        if (offSession) return decline(intent, method, declines.authentication);
        Object.assign(intent, {
          status: "requires_action",
          payment_method: method.id,
          last_payment_error: null,
          next_action: { type: "use_stripe_sdk", use_stripe_sdk: { type: "three_d_secure_redirect", source: method.id, stripe_js: `/_fake/payment_intents/${intent.id}/authenticate` } },
        });
        emit("payment_intent.requires_action", intent);
        return intent;
      case "bank_success":
      case "bank_failure": {
        const pending = newCharge(intent, method);
        Object.assign(intent, { status: "processing", payment_method: method.id, latest_charge: pending.id, last_payment_error: null, next_action: null });
        if (intent.setup_future_usage && typeof intent.customer === "string") attach(method, intent.customer);
        emit("charge.pending", pending);
        emit("payment_intent.processing", intent);
        return intent;
      }
    }
  }

  function confirmIntent(intent: Stripe.PaymentIntent, params: Params, offSession: boolean) {
    // Like Stripe, an intent waiting for 3-D Secure may be confirmed again (a new card, a new challenge).
    if (intent.status !== "requires_payment_method" && intent.status !== "requires_confirmation" && intent.status !== "requires_action") {
      throw new ApiError(400, {
        type: "invalid_request_error",
        code: "payment_intent_unexpected_state",
        message:
          intent.status === "succeeded"
            ? "You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed."
            : `You cannot confirm this PaymentIntent because it has a status of ${intent.status}.`,
        payment_intent: snapshot(intent),
      });
    }
    const method = methodFrom(params) ?? (typeof intent.payment_method === "string" ? getMethod(intent.payment_method) : null);
    if (!method) throw invalid("You cannot confirm this PaymentIntent because it's missing a payment method.", "payment_method", "payment_intent_unexpected_state");
    const sfu = text(params, "setup_future_usage");
    if (sfu === "off_session" || sfu === "on_session") intent.setup_future_usage = sfu;
    return charge(intent, method, offSession);
  }

  function createIntent({ params }: Call) {
    const amount = integer(params, "amount", { required: true })!;
    const currency = text(params, "currency", { required: true })!;
    if (!/^[a-z]{3}$/.test(currency)) throw invalid(`Invalid currency: ${currency}. Stripe currencies are three lowercase letters.`, "currency");
    if (amount < (MINIMUM_CHARGE[currency] ?? 50)) throw invalid(`Amount must be at least ${MINIMUM_CHARGE[currency] ?? 50} ${currency} minor units.`, "amount", "amount_too_small");
    if (amount > 99_999_999) throw invalid("Amount must be no more than 999,999.99.", "amount", "amount_too_large");
    const customer = text(params, "customer");
    if (customer) getCustomer(customer);
    const sfu = text(params, "setup_future_usage");
    if (sfu && sfu !== "off_session" && sfu !== "on_session") throw invalid(`Invalid setup_future_usage: ${sfu}`, "setup_future_usage");
    const offSession = flag(params, "off_session");
    const confirm = flag(params, "confirm");
    if (offSession && !confirm) throw invalid("off_session can only be used with confirm=true.", "off_session");
    const id = newId("pi");
    const intent: Stripe.PaymentIntent = {
      id,
      object: "payment_intent",
      allowed_payment_method_types: null,
      amount,
      amount_capturable: 0,
      amount_received: 0,
      application: null,
      application_fee_amount: null,
      automatic_payment_methods: null,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: "automatic_async",
      client_secret: `${id}_secret_${randomBytes(12).toString("hex")}`,
      confirmation_method: "automatic",
      created: now(),
      currency,
      customer: customer ?? null,
      customer_account: null,
      description: text(params, "description") ?? null,
      excluded_payment_method_types: null,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      managed_payments: null,
      metadata: metadataOf(params),
      next_action: null,
      on_behalf_of: null,
      payment_method: null,
      payment_method_configuration_details: null,
      payment_method_options: null,
      payment_method_types: stringList(params, "payment_method_types") ?? ["card"],
      payment_record: null,
      processing: null,
      receipt_email: text(params, "receipt_email") ?? null,
      review: null,
      setup_future_usage: (sfu as Stripe.PaymentIntent.SetupFutureUsage | undefined) ?? null,
      shipping: null,
      source: null,
      statement_descriptor: null,
      statement_descriptor_suffix: null,
      status: "requires_payment_method",
      transfer_group: null,
    };
    const method = methodFrom(params);
    if (method) Object.assign(intent, { payment_method: method.id, status: "requires_confirmation" });
    intents.set(id, intent);
    emit("payment_intent.created", intent);
    if (confirm) confirmIntent(intent, {}, offSession);
    return expand(intent, params);
  }

  function authenticateIntent(intent: Stripe.PaymentIntent, approve: boolean) {
    if (intent.status !== "requires_action") throw invalid(`This PaymentIntent's status is ${intent.status}; nothing to authenticate.`, "intent", "payment_intent_unexpected_state");
    const method = getMethod(intent.payment_method as string);
    if (approve) return succeed(intent, method);
    Object.assign(intent, {
      status: "requires_payment_method",
      payment_method: null,
      next_action: null,
      last_payment_error: {
        type: "invalid_request_error",
        code: "payment_intent_authentication_failure",
        message: "We are unable to authenticate your payment method. Please choose a different payment method and try again.",
        payment_method: snapshot(method),
        payment_method_type: method.type,
      },
    });
    emit("payment_intent.payment_failed", intent);
    return intent;
  }

  /** Days pass for a bank debit: it succeeds, or fails as its test account says. */
  function settleIntent(intent: Stripe.PaymentIntent) {
    if (intent.status !== "processing") throw invalid(`This PaymentIntent's status is ${intent.status}, not processing.`, "intent");
    const method = getMethod(intent.payment_method as string);
    if (behaviours.get(method.id)!.behaviour === "bank_failure") {
      return decline(intent, method, {
        type: "invalid_request_error",
        code: "payment_method_provider_decline",
        decline_code: "account_closed",
        message: "The customer's bank account has been closed.",
      });
    }
    return succeed(intent, method);
  }

  // ---- setup intents ----------------------------------------------------------------------------

  function setupSucceeded(setup: Stripe.SetupIntent, method: Stripe.PaymentMethod) {
    Object.assign(setup, { status: "succeeded", payment_method: method.id, next_action: null, last_setup_error: null });
    if (typeof setup.customer === "string") attach(method, setup.customer);
    emit("setup_intent.succeeded", setup);
    return setup;
  }

  function confirmSetup(setup: Stripe.SetupIntent, params: Params) {
    if (setup.status !== "requires_payment_method" && setup.status !== "requires_confirmation") {
      throw new ApiError(400, {
        type: "invalid_request_error",
        code: "setup_intent_unexpected_state",
        message: `This SetupIntent's status is ${setup.status}, which does not allow confirmation.`,
        setup_intent: snapshot(setup),
      });
    }
    const method = methodFrom(params) ?? (typeof setup.payment_method === "string" ? getMethod(setup.payment_method) : null);
    if (!method) throw invalid("You cannot confirm this SetupIntent because it's missing a payment method.", "payment_method", "setup_intent_unexpected_state");
    const { behaviour } = behaviours.get(method.id)!;
    if (behaviour === "decline" || behaviour === "insufficient_funds") {
      const error = behaviour === "decline" ? declines.generic : declines.insufficient;
      Object.assign(setup, {
        status: "requires_payment_method",
        payment_method: null,
        last_setup_error: { type: "card_error", ...error, payment_method: snapshot(method), payment_method_type: method.type },
      });
      emit("setup_intent.setup_failed", setup);
      throw new ApiError(402, { type: "card_error", ...error, setup_intent: snapshot(setup), payment_method: snapshot(method) });
    }
    if (behaviour === "authenticate" || behaviour === "authenticate_on_setup") {
      Object.assign(setup, {
        status: "requires_action",
        payment_method: method.id,
        next_action: { type: "use_stripe_sdk", use_stripe_sdk: { type: "three_d_secure_redirect", source: method.id, stripe_js: `/_fake/setup_intents/${setup.id}/authenticate` } },
      });
      emit("setup_intent.requires_action", setup);
      return setup;
    }
    return setupSucceeded(setup, method);
  }

  function authenticateSetup(setup: Stripe.SetupIntent, approve: boolean) {
    if (setup.status !== "requires_action") throw invalid(`This SetupIntent's status is ${setup.status}; nothing to authenticate.`, "intent", "setup_intent_unexpected_state");
    const method = getMethod(setup.payment_method as string);
    if (approve) {
      behaviours.get(method.id)!.authenticatedOnSetup = true;
      return setupSucceeded(setup, method);
    }
    Object.assign(setup, {
      status: "requires_payment_method",
      payment_method: null,
      next_action: null,
      last_setup_error: {
        type: "invalid_request_error",
        code: "setup_intent_authentication_failure",
        message: "We are unable to authenticate your payment method. Please choose a different payment method and try again.",
        payment_method: snapshot(method),
        payment_method_type: method.type,
      },
    });
    emit("setup_intent.setup_failed", setup);
    return setup;
  }

  function createSetup({ params }: Call) {
    const customer = text(params, "customer");
    if (customer) getCustomer(customer);
    const id = newId("seti");
    const setup: Stripe.SetupIntent = {
      id,
      object: "setup_intent",
      allowed_payment_method_types: null,
      application: null,
      automatic_payment_methods: null,
      cancellation_reason: null,
      client_secret: `${id}_secret_${randomBytes(12).toString("hex")}`,
      created: now(),
      customer: customer ?? null,
      description: text(params, "description") ?? null,
      excluded_payment_method_types: null,
      last_setup_error: null,
      latest_attempt: null,
      livemode: false,
      mandate: null,
      metadata: metadataOf(params),
      next_action: null,
      on_behalf_of: null,
      payment_method: null,
      payment_method_configuration_details: null,
      payment_method_options: null,
      payment_method_types: stringList(params, "payment_method_types") ?? ["card"],
      single_use_mandate: null,
      status: "requires_payment_method",
      usage: text(params, "usage") ?? "off_session",
    };
    setups.set(id, setup);
    emit("setup_intent.created", setup);
    if (flag(params, "confirm")) confirmSetup(setup, params);
    return setup;
  }

  // ---- refunds ----------------------------------------------------------------------------------

  function getRefund(id: string, param = "id") {
    const refund = refunds.get(id);
    if (!refund) throw missing("refund", id, param);
    return refund;
  }

  /** The charge a refund (or dispute) is for: payment_intent's latest charge, or charge. */
  function refundableCharge(intentId: string | undefined, chargeId: string | undefined): FakeCharge {
    if (chargeId) {
      const charge = getCharge(chargeId, "charge");
      if (intentId && charge.payment_intent !== intentId) throw invalid(`Charge ${chargeId} does not belong to PaymentIntent ${intentId}.`, "charge");
      return charge;
    }
    if (!intentId) throw invalid("One of payment_intent or charge is required.", "payment_intent", "parameter_missing");
    const intent = intents.get(intentId);
    if (!intent) throw missing("payment_intent", intentId, "payment_intent");
    if (intent.status !== "succeeded") throw invalid(`This PaymentIntent has no successful charge to refund (status ${intent.status}).`, "payment_intent", "charge_not_refundable");
    return getCharge(intent.latest_charge as string, "payment_intent");
  }

  function refundCharge(charge: FakeCharge, options: { amount?: number; reason?: string; metadata?: Record<string, string>; pending?: boolean }): FakeRefund {
    if (charge.status !== "succeeded") throw invalid(`Charge ${charge.id} has a status of ${charge.status} and cannot be refunded.`, "charge", "charge_not_refundable");
    if (charge.disputed) throw invalid(`Charge ${charge.id} has been charged back; cannot issue a refund.`, "charge", "charge_disputed");
    const remaining = charge.amount_captured - charge.amount_refunded;
    if (remaining === 0) throw invalid(`Charge ${charge.id} has already been refunded.`, "charge", "charge_already_refunded");
    const amount = options.amount ?? remaining;
    if (!Number.isSafeInteger(amount) || amount <= 0) throw invalid("Invalid positive integer", "amount");
    if (amount > remaining) {
      throw invalid(`Refund amount (${money(amount, charge.currency)}) is greater than unrefunded amount on charge (${money(remaining, charge.currency)})`, "amount", "amount_too_large");
    }
    if (options.reason && !["duplicate", "fraudulent", "requested_by_customer"].includes(options.reason)) throw invalid(`Invalid reason: ${options.reason}`, "reason");
    const method = charge.payment_method ? methods.get(charge.payment_method) : undefined;
    const bank = method?.type === "us_bank_account";
    const id = newId("re");
    // The money leaves the balance when the refund is made, pending or not; a failure brings it back.
    const txn = newTxn({ amount: -amount, fee: 0, currency: charge.currency, type: bank ? "payment_refund" : "refund", reporting_category: "refund", source: id, description: "REFUND FOR CHARGE" });
    const refund: FakeRefund = {
      id,
      object: "refund",
      amount,
      balance_transaction: txn.id,
      charge: charge.id,
      created: now(),
      currency: charge.currency,
      customer: charge.customer,
      customer_account: null,
      failure_balance_transaction: null,
      failure_reason: null,
      metadata: options.metadata ?? {},
      payment_intent: charge.payment_intent,
      payment_method: charge.payment_method,
      reason: (options.reason as Stripe.Refund.Reason | undefined) ?? null,
      receipt_number: null,
      source_transfer_reversal: null,
      // Bank debit refunds take days, as at Stripe; card refunds are done at once unless held.
      status: options.pending || bank ? "pending" : "succeeded",
      transfer_reversal: null,
    };
    refunds.set(id, refund);
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount_captured;
    emit("refund.created", refund);
    if (refund.status === "succeeded") emit("charge.refunded", charge);
    return refund;
  }

  function createRefund({ params }: Call) {
    const charge = refundableCharge(text(params, "payment_intent"), text(params, "charge"));
    const pending = heldRefunds > 0;
    const refund = refundCharge(charge, { amount: integer(params, "amount"), reason: text(params, "reason"), metadata: metadataOf(params), pending });
    if (pending) heldRefunds--;
    return refund;
  }

  /** A pending refund succeeds, or a pending or succeeded one fails and its money comes back to the balance. */
  function finishRefund(refund: FakeRefund, outcome: "succeeded" | "failed", failureReason = "expired_or_canceled_card") {
    const charge = getCharge(refund.charge);
    if (outcome === "succeeded") {
      if (refund.status !== "pending") throw invalid(`Refund ${refund.id} has a status of ${refund.status}, not pending.`, "refund");
      refund.status = "succeeded";
      emit("refund.updated", refund);
      emit("charge.refunded", charge);
      return refund;
    }
    if (refund.status !== "pending" && refund.status !== "succeeded") throw invalid(`Refund ${refund.id} has a status of ${refund.status} and cannot fail.`, "refund");
    const txn = newTxn({ amount: refund.amount, fee: 0, currency: refund.currency, type: "refund_failure", reporting_category: "refund_failure", source: refund.id, description: "REFUND FAILURE" });
    Object.assign(refund, { status: "failed", failure_reason: failureReason, failure_balance_transaction: txn.id });
    charge.amount_refunded -= refund.amount;
    charge.refunded = charge.amount_refunded === charge.amount_captured && charge.amount_captured > 0;
    emit("refund.updated", refund);
    emit("refund.failed", refund);
    return refund;
  }

  // ---- disputes ---------------------------------------------------------------------------------

  function getDispute(id: string, param = "id") {
    const dispute = disputes.get(id);
    if (!dispute) throw missing("dispute", id, param);
    return dispute;
  }

  function openDispute(intentId: string, { amount, reason = "fraudulent" }: { amount?: number; reason?: string } = {}): FakeDispute {
    const intent = getIntent(intentId);
    const charge = typeof intent.latest_charge === "string" ? charges.get(intent.latest_charge) : undefined;
    if (!charge || charge.status !== "succeeded") throw invalid(`PaymentIntent ${intentId} has no successful charge to dispute.`, "payment_intent");
    if (charge.disputed) throw invalid(`Charge ${charge.id} already has a dispute.`, "charge");
    const disputed = amount ?? charge.amount_captured - charge.amount_refunded;
    if (!Number.isSafeInteger(disputed) || disputed <= 0 || disputed > charge.amount_captured) throw invalid(`A dispute's amount must be between 1 and ${charge.amount_captured}.`, "amount");
    const created = now();
    const dispute: FakeDispute = {
      id: newId("du"),
      object: "dispute",
      amount: disputed,
      balance_transactions: [],
      charge: charge.id,
      created,
      currency: charge.currency,
      evidence_details: { due_by: created + 7 * DAY, has_evidence: false, past_due: false, submission_count: 0 },
      is_charge_refundable: false,
      livemode: false,
      metadata: {},
      payment_intent: intent.id,
      reason,
      status: "needs_response",
    };
    disputes.set(dispute.id, dispute);
    charge.disputed = true;
    emit("charge.dispute.created", dispute);
    const withdrawal = newTxn({
      amount: -disputed,
      fee: DISPUTE_FEE,
      currency: charge.currency,
      type: "adjustment",
      reporting_category: "dispute",
      source: dispute.id,
      description: `Chargeback withdrawal for ${charge.id}`,
      feeDescription: "Dispute fee",
    });
    dispute.balance_transactions.push(snapshot(withdrawal));
    emit("charge.dispute.funds_withdrawn", dispute);
    return dispute;
  }

  const isOpen = (dispute: FakeDispute) => dispute.status === "needs_response" || dispute.status === "under_review";

  /** Evidence is sent: the dispute goes to the bank for review. */
  function submitEvidence(dispute: FakeDispute) {
    if (!isOpen(dispute)) throw invalid(`This dispute is already closed (${dispute.status}).`, "dispute");
    dispute.status = "under_review";
    Object.assign(dispute.evidence_details, { has_evidence: true, submission_count: dispute.evidence_details.submission_count + 1 });
    emit("charge.dispute.updated", dispute);
    return dispute;
  }

  function closeDispute(dispute: FakeDispute, outcome: "won" | "lost") {
    if (!isOpen(dispute)) throw invalid(`This dispute is already closed (${dispute.status}).`, "dispute");
    dispute.status = outcome;
    if (outcome === "won") {
      const reinstatement = newTxn({
        amount: dispute.amount,
        fee: -DISPUTE_FEE,
        currency: dispute.currency,
        type: "adjustment",
        reporting_category: "dispute_reversal",
        source: dispute.id,
        description: `Chargeback reversal for ${dispute.charge}`,
        feeDescription: "Dispute fee refund",
      });
      dispute.balance_transactions.push(snapshot(reinstatement));
      emit("charge.dispute.funds_reinstated", dispute);
    }
    emit("charge.dispute.closed", dispute);
    return dispute;
  }

  // ---- payouts ----------------------------------------------------------------------------------

  /** Balance transactions of a currency that no payout holds: the balance a payout would sweep. */
  const unpaid = (currency: string) =>
    [...balanceTransactions.values()].filter((t) => t.currency === currency && !txnPayout.has(t.id) && t.type !== "payout" && t.type !== "payout_failure");

  function makePayout({ currency, arrivalDate, fail = false }: { currency: string; arrivalDate?: number; fail?: boolean }): FakePayout | null {
    const swept = unpaid(currency);
    const amount = swept.reduce((sum, t) => sum + t.net, 0);
    if (amount <= 0) return null;
    const id = newId("po");
    const own = newTxn({ amount: -amount, fee: 0, currency, type: "payout", reporting_category: "payout", source: id, description: "STRIPE PAYOUT" });
    const created = now();
    const payout: FakePayout = {
      id,
      object: "payout",
      amount,
      arrival_date: arrivalDate ?? created + 2 * DAY,
      automatic: true,
      balance_transaction: own.id,
      created,
      currency,
      description: "STRIPE PAYOUT",
      failure_balance_transaction: null,
      failure_code: null,
      failure_message: null,
      livemode: false,
      metadata: {},
      method: "standard",
      reconciliation_status: "in_progress",
      status: "pending",
      type: "bank_account",
    };
    payouts.set(id, payout);
    for (const t of [...swept, own]) txnPayout.set(t.id, id);
    payoutTxnIds.set(id, [...swept.map((t) => t.id), own.id]);
    emit("payout.created", payout);
    if (fail) {
      // The money comes back: a payout_failure transaction cancels the payout's, and what it swept is in the balance again.
      const back = newTxn({ amount, fee: 0, currency, type: "payout_failure", reporting_category: "payout_reversal", source: id, description: "STRIPE PAYOUT FAILURE" });
      txnPayout.set(back.id, id);
      for (const t of swept) txnPayout.delete(t.id);
      Object.assign(payout, {
        status: "failed",
        failure_code: "account_closed",
        failure_message: "The bank account has been closed.",
        failure_balance_transaction: back.id,
        reconciliation_status: "completed",
      });
      emit("payout.failed", payout);
      return payout;
    }
    payout.status = "paid";
    emit("payout.paid", payout);
    payout.reconciliation_status = "completed";
    emit("payout.reconciliation_completed", payout);
    return payout;
  }

  // ---- payments made outside Settle -------------------------------------------------------------

  /** A payment taken in the Stripe Dashboard: created and confirmed at once, no settle_attempt_id. */
  function chargeDirect({ amount, currency, customer, metadata = {}, paymentMethod = "pm_card_visa" }: { amount: number; currency: string; customer?: string; metadata?: Record<string, string>; paymentMethod?: string }) {
    const bank = paymentMethod in BANK_TOKENS || methods.get(paymentMethod)?.type === "us_bank_account";
    const params: Params = {
      amount: String(amount),
      currency,
      ...(customer ? { customer } : {}),
      metadata,
      payment_method: paymentMethod,
      payment_method_types: [bank ? "us_bank_account" : "card"],
      confirm: "true",
    };
    try {
      const created = createIntent({ method: "POST", path: "/v1/payment_intents", params, auth: "secret", requestId: newId("req"), idempotencyKey: null });
      return snapshot(getIntent(created.id));
    } catch (error) {
      if (error instanceof ApiError && error.body.payment_intent) return error.body.payment_intent;
      throw error;
    }
  }

  // ---- the API ----------------------------------------------------------------------------------

  /** Stripe's list shape and cursor pagination (starting_after / ending_before an id), newest first as given. */
  const list = <T extends { id: string }>(items: T[], url: string, params: Params) => {
    const limit = integer(params, "limit") ?? 10;
    if (limit < 1 || limit > 100) throw invalid("Invalid limit: must be between 1 and 100", "limit");
    const cursor = (name: string) => {
      const id = text(params, name);
      if (id === undefined) return undefined;
      const index = items.findIndex((item) => item.id === id);
      if (index < 0) throw missing("object", id, name);
      return index;
    };
    const after = cursor("starting_after");
    const before = cursor("ending_before");
    if (before !== undefined) {
      const start = Math.max(0, before - limit);
      return { object: "list", data: items.slice(start, before), has_more: start > 0, url };
    }
    const start = after === undefined ? 0 : after + 1;
    return { object: "list", data: items.slice(start, start + limit), has_more: start + limit < items.length, url };
  };

  const routes: Route[] = [
    {
      method: "POST",
      pattern: /^\/v1\/customers$/,
      run: ({ params }) => {
        const customer: Stripe.Customer = {
          id: newId("cus"),
          object: "customer",
          balance: 0,
          created: now(),
          default_source: null,
          description: text(params, "description") ?? null,
          email: text(params, "email", { max: 512 }) ?? null,
          invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
          livemode: false,
          metadata: metadataOf(params),
          name: text(params, "name", { max: 256 }) ?? null,
          shipping: null,
        };
        customers.set(customer.id, customer);
        emit("customer.created", customer);
        return customer;
      },
    },
    { method: "GET", pattern: /^\/v1\/customers\/([^/]+)$/, run: (_c, id) => getCustomer(id!, "id") },
    {
      method: "GET",
      pattern: /^\/v1\/customers\/([^/]+)\/payment_methods$/,
      run: ({ params, path }, id) => {
        getCustomer(id!, "customer");
        const type = text(params, "type");
        return list([...methods.values()].filter((m) => m.customer === id && (!type || m.type === type)).reverse(), path, params);
      },
    },
    { method: "POST", pattern: /^\/v1\/payment_intents$/, run: createIntent },
    {
      method: "GET",
      pattern: /^\/v1\/payment_intents$/,
      run: ({ params, path }) => {
        const customer = text(params, "customer");
        return list([...intents.values()].filter((i) => !customer || i.customer === customer).reverse(), path, params);
      },
    },
    {
      method: "GET",
      pattern: /^\/v1\/payment_intents\/([^/]+)$/,
      publishable: true,
      run: ({ params }, id) => {
        const intent = getIntent(id!);
        checkClientSecret(intent, params);
        return expand(intent, params);
      },
    },
    {
      method: "POST",
      pattern: /^\/v1\/payment_intents\/([^/]+)\/confirm$/,
      publishable: true,
      run: ({ params }, id) => {
        const intent = getIntent(id!);
        checkClientSecret(intent, params);
        return expand(confirmIntent(intent, params, flag(params, "off_session")), params);
      },
    },
    {
      method: "POST",
      pattern: /^\/v1\/payment_intents\/([^/]+)\/cancel$/,
      run: ({ params }, id) => {
        const intent = getIntent(id!);
        if (intent.status === "succeeded" || intent.status === "canceled" || intent.status === "processing") {
          throw new ApiError(400, {
            type: "invalid_request_error",
            code: "payment_intent_unexpected_state",
            message: `You cannot cancel this PaymentIntent because it has a status of ${intent.status}.`,
            payment_intent: snapshot(intent),
          });
        }
        Object.assign(intent, { status: "canceled", canceled_at: now(), cancellation_reason: text(params, "cancellation_reason") ?? null, next_action: null });
        emit("payment_intent.canceled", intent);
        return intent;
      },
    },
    { method: "POST", pattern: /^\/v1\/setup_intents$/, run: createSetup },
    {
      method: "GET",
      pattern: /^\/v1\/setup_intents$/,
      run: ({ params, path }) => {
        const customer = text(params, "customer");
        return list([...setups.values()].filter((i) => !customer || i.customer === customer).reverse(), path, params);
      },
    },
    {
      method: "GET",
      pattern: /^\/v1\/setup_intents\/([^/]+)$/,
      publishable: true,
      run: ({ params }, id) => {
        const setup = getSetup(id!);
        checkClientSecret(setup, params);
        return expand(setup, params);
      },
    },
    {
      method: "POST",
      pattern: /^\/v1\/setup_intents\/([^/]+)\/confirm$/,
      publishable: true,
      run: ({ params }, id) => {
        const setup = getSetup(id!);
        checkClientSecret(setup, params);
        return expand(confirmSetup(setup, params), params);
      },
    },
    { method: "POST", pattern: /^\/v1\/payment_methods$/, publishable: true, run: ({ params }) => createMethod(params, "") },
    { method: "GET", pattern: /^\/v1\/payment_methods\/([^/]+)$/, run: (_c, id) => getMethod(id!, "id") },
    {
      method: "POST",
      pattern: /^\/v1\/payment_methods\/([^/]+)\/attach$/,
      run: ({ params }, id) => {
        const method = getMethod(id!, "id");
        attach(method, getCustomer(text(params, "customer", { required: true })!).id);
        return method;
      },
    },
    {
      method: "POST",
      pattern: /^\/v1\/payment_methods\/([^/]+)\/detach$/,
      run: (_c, id) => {
        const method = getMethod(id!, "id");
        if (!method.customer) throw invalid("The payment method you provided is not attached to a customer so detachment is impossible.", "payment_method");
        method.customer = null;
        emit("payment_method.detached", method);
        return method;
      },
    },
    { method: "POST", pattern: /^\/v1\/refunds$/, run: createRefund },
    { method: "GET", pattern: /^\/v1\/refunds\/([^/]+)$/, run: ({ params }, id) => expand(getRefund(id!), params) },
    {
      method: "GET",
      pattern: /^\/v1\/refunds$/,
      run: ({ params, path }) => {
        const intent = text(params, "payment_intent");
        const charge = text(params, "charge");
        const items = [...refunds.values()].filter((r) => (!intent || r.payment_intent === intent) && (!charge || r.charge === charge)).reverse();
        return expand(list(items, path, params), params);
      },
    },
    { method: "GET", pattern: /^\/v1\/charges\/([^/]+)$/, run: ({ params }, id) => expand(getCharge(id!), params) },
    {
      method: "GET",
      pattern: /^\/v1\/charges$/,
      run: ({ params, path }) => {
        const intent = text(params, "payment_intent");
        const customer = text(params, "customer");
        const items = [...charges.values()].filter((c) => (!intent || c.payment_intent === intent) && (!customer || c.customer === customer)).reverse();
        return expand(list(items, path, params), params);
      },
    },
    {
      method: "GET",
      pattern: /^\/v1\/balance_transactions\/([^/]+)$/,
      run: ({ params }, id) => {
        const txn = balanceTransactions.get(id!);
        if (!txn) throw missing("balance transaction", id!);
        return expand(txn, params);
      },
    },
    {
      method: "GET",
      pattern: /^\/v1\/balance_transactions$/,
      run: ({ params, path }) => {
        const payout = text(params, "payout");
        const type = text(params, "type");
        const source = text(params, "source");
        const currency = text(params, "currency");
        let items: FakeBalanceTransaction[];
        if (payout) {
          const ids = payoutTxnIds.get(payout);
          if (!ids) throw missing("payout", payout, "payout");
          items = ids.map((id) => balanceTransactions.get(id)!);
        } else items = [...balanceTransactions.values()];
        items = items.filter((t) => (!type || t.type === type) && (!source || t.source === source) && (!currency || t.currency === currency)).reverse();
        return expand(list(items, path, params), params);
      },
    },
    { method: "GET", pattern: /^\/v1\/disputes\/([^/]+)$/, run: ({ params }, id) => expand(getDispute(id!), params) },
    {
      method: "GET",
      pattern: /^\/v1\/disputes$/,
      run: ({ params, path }) => {
        const intent = text(params, "payment_intent");
        const charge = text(params, "charge");
        const items = [...disputes.values()].filter((d) => (!intent || d.payment_intent === intent) && (!charge || d.charge === charge)).reverse();
        return expand(list(items, path, params), params);
      },
    },
    {
      // Evidence and metadata; submit=true sends the evidence (the dispute goes under review).
      method: "POST",
      pattern: /^\/v1\/disputes\/([^/]+)$/,
      run: ({ params }, id) => {
        const dispute = getDispute(id!);
        if (!isOpen(dispute)) throw invalid(`This dispute is already closed (${dispute.status}).`, "dispute");
        const metadata = metadataOf(params);
        if (Object.keys(metadata).length > 0) dispute.metadata = { ...dispute.metadata, ...metadata };
        if (flag(params, "submit")) return submitEvidence(dispute);
        emit("charge.dispute.updated", dispute);
        return dispute;
      },
    },
    { method: "POST", pattern: /^\/v1\/disputes\/([^/]+)\/close$/, run: (_c, id) => closeDispute(getDispute(id!), "lost") },
    {
      method: "GET",
      pattern: /^\/v1\/payouts\/([^/]+)$/,
      run: ({ params }, id) => {
        const payout = payouts.get(id!);
        if (!payout) throw missing("payout", id!);
        return expand(payout, params);
      },
    },
    {
      method: "GET",
      pattern: /^\/v1\/payouts$/,
      run: ({ params, path }) => {
        const status = text(params, "status");
        return expand(list([...payouts.values()].filter((p) => !status || p.status === status).reverse(), path, params), params);
      },
    },
  ];

  function authOf(req: IncomingMessage, params: Params): Auth {
    const header = req.headers.authorization ?? "";
    const bearer = header.match(/^Bearer (.+)$/)?.[1];
    const basic = header.match(/^Basic (.+)$/)?.[1];
    const key = bearer ?? (basic ? Buffer.from(basic, "base64").toString().split(":")[0] : undefined) ?? (typeof params.key === "string" ? params.key : undefined);
    if (!key) throw new ApiError(401, { type: "invalid_request_error", message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth." });
    if (key === keys.secretKey) return "secret";
    if (key === keys.publishableKey) return "publishable";
    throw new ApiError(401, { type: "invalid_request_error", message: `Invalid API Key provided: ${key.slice(0, 8)}${"*".repeat(Math.max(0, key.length - 12))}${key.slice(-4)}` });
  }

  function apiCall(req: IncomingMessage, url: URL, params: Params, requestId: string): { status: number; body: unknown; replayed: boolean } {
    const method = req.method ?? "GET";
    const idempotencyKey = (req.headers["idempotency-key"] as string | undefined) ?? null;
    const auth = authOf(req, params);
    const match = routes.map((route) => ({ route, ids: route.method === method ? url.pathname.match(route.pattern) : null })).find((m) => m.ids);
    if (!match) throw new ApiError(404, { type: "invalid_request_error", message: `Unrecognized request URL (${method}: ${url.pathname}).` });
    if (auth === "publishable" && !match.route.publishable)
      throw new ApiError(403, { type: "invalid_request_error", message: "This API call cannot be made with a publishable API key. Please use a secret API key." });
    // Like Stripe: the same key with the same parameters replays the first answer; other parameters are refused.
    const fingerprint = `${method} ${url.pathname} ${JSON.stringify(params)}`;
    const scope = `${auth}:${idempotencyKey}`;
    const seen = method === "POST" && idempotencyKey ? idempotent.get(scope) : undefined;
    if (seen && seen.fingerprint !== fingerprint) {
      throw new ApiError(400, {
        type: "idempotency_error",
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
      });
    }
    if (seen) return { status: seen.status, body: seen.body, replayed: true };
    call = { method, path: url.pathname, params, auth, requestId, idempotencyKey };
    let answer: { status: number; body: unknown };
    try {
      answer = { status: 200, body: match.route.run(call, ...match.ids!.slice(1).map(decodeURIComponent)) };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      answer = { status: error.status, body: { error: { ...error.body, request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}` } } };
    } finally {
      call = null;
    }
    if (method === "POST" && idempotencyKey) idempotent.set(scope, { fingerprint, ...answer });
    return { ...answer, replayed: false };
  }

  /** The test's handle on the fake over HTTP (the browser tests run it as another process). */
  async function control(req: IncomingMessage, url: URL, params: Params): Promise<unknown> {
    const path = url.pathname;
    if (path === "/_fake/health") return { ok: true };
    if (path === "/_fake/requests") return requests;
    if (path === "/_fake/events") return events;
    if (path === "/_fake/objects")
      return {
        customers: [...customers.values()],
        payment_intents: [...intents.values()],
        setup_intents: [...setups.values()],
        payment_methods: [...methods.values()],
        refunds: [...refunds.values()],
        charges: [...charges.values()],
        balance_transactions: [...balanceTransactions.values()],
        disputes: [...disputes.values()],
        payouts: [...payouts.values()],
      };
    if (req.method !== "POST") throw new ApiError(405, { type: "invalid_request_error", message: "Use POST" });
    if (path === "/_fake/fail-next") {
      fake.failNextRequests(integer(params, "count") ?? 1, text(params, "when") === "after" ? "after" : "before");
      return { ok: true };
    }
    if (path === "/_fake/advance-time") return { now: fake.advanceTime(integer(params, "seconds", { required: true })!) };
    if (path === "/_fake/hold-refunds") {
      fake.holdNextRefunds(integer(params, "count") ?? 1);
      return { ok: true };
    }
    if (path === "/_fake/charge-direct") {
      return fake.chargeDirect({
        amount: integer(params, "amount", { required: true })!,
        currency: text(params, "currency", { required: true })!,
        customer: text(params, "customer"),
        metadata: metadataOf(params),
        paymentMethod: text(params, "payment_method"),
      });
    }
    if (path === "/_fake/payouts") {
      return fake.payout({ currency: text(params, "currency", { required: true })!, arrivalDate: integer(params, "arrival_date"), fail: flag(params, "fail") });
    }
    if (path === "/_fake/refunds") {
      const charge = refundableCharge(text(params, "payment_intent"), text(params, "charge"));
      return snapshot(refundCharge(charge, { amount: integer(params, "amount"), reason: text(params, "reason"), metadata: metadataOf(params), pending: flag(params, "pending") }));
    }
    const extra = path.match(/^\/_fake\/(payment_intents|disputes|refunds|payment_methods)\/([^/]+)\/(dispute|close|submit|succeed|fail|update-card)$/);
    if (extra) {
      const [, kind, id, action] = extra;
      if (kind === "payment_intents" && action === "dispute") return fake.dispute(id!, { amount: integer(params, "amount"), reason: text(params, "reason") });
      if (kind === "disputes" && action === "close") return fake.closeDispute(id!, text(params, "outcome") === "lost" ? "lost" : "won");
      if (kind === "disputes" && action === "submit") return fake.submitDisputeEvidence(id!);
      if (kind === "refunds" && (action === "succeed" || action === "fail")) return fake.finishRefund(id!, action === "succeed" ? "succeeded" : "failed", text(params, "failure_reason"));
      if (kind === "payment_methods" && action === "update-card") {
        return fake.updateCard(id!, { expMonth: integer(params, "exp_month", { required: true })!, expYear: integer(params, "exp_year", { required: true })!, last4: text(params, "last4") });
      }
    }
    const match = path.match(/^\/_fake\/(payment_intents|setup_intents)\/([^/]+)\/(authenticate|settle)$/);
    if (!match) throw new ApiError(404, { type: "invalid_request_error", message: `Unrecognized request URL (POST: ${path}).` });
    const [, kind, id, action] = match;
    // The 3-D Secure page is opened by Stripe.js with the intent's client secret.
    const object = kind === "payment_intents" ? getIntent(id!) : getSetup(id!);
    if (params.client_secret !== undefined && params.client_secret !== object.client_secret) throw invalid("The client_secret provided does not match.", "client_secret");
    const approve = text(params, "approve") !== "false";
    if (action === "settle") return settleIntent(getIntent(id!));
    return kind === "payment_intents" ? authenticateIntent(getIntent(id!), approve) : authenticateSetup(getSetup(id!), approve);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const url = new URL(req.url ?? "/", "http://fake-stripe");
    // Stripe answers browsers (Stripe.js calls it with the publishable key) with open CORS.
    const headers: Record<string, string> = { "Content-Type": "application/json", "Access-Control-Allow-Origin": "*", "Stripe-Version": Stripe.API_VERSION };
    if (req.method === "OPTIONS") {
      res.writeHead(204, { ...headers, "Access-Control-Allow-Methods": "GET, POST, DELETE", "Access-Control-Allow-Headers": "Authorization, Content-Type, Idempotency-Key, Stripe-Version" }).end();
      return;
    }
    const requestId = newId("req");
    let params: Params;
    try {
      params = parseStripeForm(req.method === "POST" ? raw : url.search.slice(1));
    } catch {
      params = {};
    }
    let answer: { status: number; body: unknown; replayed: boolean };
    try {
      if (url.pathname.startsWith("/_fake/")) {
        res.writeHead(200, headers).end(JSON.stringify(await control(req, url, params)));
        return;
      }
      if (failures.count > 0 && failures.when === "before") {
        failures.count--;
        answer = { status: 500, body: { error: { type: "api_error", message: "The fake Stripe had an outage (before processing)." } }, replayed: false };
      } else {
        answer = apiCall(req, url, params, requestId);
        if (failures.count > 0) {
          failures.count--;
          // The work is done and kept under its idempotency key; only the answer is lost.
          answer = { status: 500, body: { error: { type: "api_error", message: "The fake Stripe had an outage (after processing)." } }, replayed: false };
        }
      }
    } catch (error) {
      if (!(error instanceof ApiError)) {
        res.writeHead(500, headers).end(JSON.stringify({ error: { type: "api_error", message: String((error as Error).stack ?? error) } }));
        return;
      }
      answer = { status: error.status, body: { error: error.body }, replayed: false };
    }
    const idempotencyKey = (req.headers["idempotency-key"] as string | undefined) ?? null;
    requests.push({ method: req.method ?? "GET", path: url.pathname, idempotencyKey, params, status: answer.status, replayed: answer.replayed });
    res
      .writeHead(answer.status, {
        ...headers,
        "Request-Id": requestId,
        ...(idempotencyKey ? { "Idempotency-Key": idempotencyKey } : {}),
        ...(answer.replayed ? { "Idempotent-Replayed": "true" } : {}),
      })
      .end(JSON.stringify(answer.body));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const fake = {
    baseUrl: `http://127.0.0.1:${port}`,
    keys,
    /** Every API request that reached the fake (control calls excluded), replays included. */
    requests,
    /** Every event, in the order things happened. */
    events,
    customers,
    paymentIntents: intents,
    setupIntents: setups,
    paymentMethods: methods,
    refunds,
    /** The next `count` API requests answer 500: "before" doing anything, or "after" doing the work (the answer is lost). */
    failNextRequests(count: number, when: "before" | "after" = "before") {
      failures = { count, when };
    },
    /** Events waiting for deliverQueued (in "queue" mode or without a webhook URL). */
    queued,
    /** Signs a payload as Stripe would for this endpoint's secret (a timestamp in seconds makes an old signature). */
    sign,
    /** Delivers the queued events, in the order asked, each twice if asked; returns how many were taken. */
    async deliverQueued({ to = postToWebhook, order = "as-sent", duplicate = false }: { to?: Deliver; order?: "as-sent" | "reverse" | "shuffle"; duplicate?: boolean } = {}) {
      const batch = queued.splice(0).flatMap((event) => (duplicate ? [event, event] : [event]));
      if (order === "reverse") batch.reverse();
      if (order === "shuffle") {
        for (let i = batch.length - 1; i > 0; i--) {
          const j = Math.floor(Math.random() * (i + 1));
          [batch[i], batch[j]] = [batch[j]!, batch[i]!];
        }
      }
      let taken = 0;
      for (const event of batch) {
        const body = JSON.stringify(event, null, 2);
        if (await to(body, sign(body))) taken++;
      }
      return taken;
    },
    /** The customer passes (or fails) the 3-D Secure challenge of an intent in requires_action. */
    authenticate(intentId: string, approve = true) {
      return snapshot(authenticateIntent(getIntent(intentId), approve));
    },
    authenticateSetup(setupIntentId: string, approve = true) {
      return snapshot(authenticateSetup(getSetup(setupIntentId), approve));
    },
    /** A processing bank debit settles (or fails, for the failing test account). */
    settle(intentId: string) {
      try {
        return snapshot(settleIntent(getIntent(intentId)));
      } catch (error) {
        if (error instanceof ApiError && error.body.payment_intent) return error.body.payment_intent;
        throw error;
      }
    },
    charges,
    balanceTransactions,
    disputes,
    payouts,
    /** The payout that holds a balance transaction now, or null (the fake's own record; not on Stripe's object). */
    payoutOf(txnId: string): string | null {
      return txnPayout.get(txnId) ?? null;
    },
    /** Every event so far, in the order they were made (copies: deliver them with deliver() as you like). */
    eventsLog(afterEventId?: string): FakeEvent[] {
      const start = afterEventId ? events.findIndex((e) => e.id === afterEventId) + 1 : 0;
      return snapshot(events.slice(start));
    },
    /** Signs and delivers the given events in the given order (each twice if asked); returns how many were taken. */
    async deliver(batch: FakeEvent[], { to = postToWebhook, duplicate = false }: { to?: Deliver; duplicate?: boolean } = {}) {
      let taken = 0;
      for (const event of batch.flatMap((e) => (duplicate ? [e, e] : [e]))) {
        const body = JSON.stringify(event, null, 2);
        if (await to(body, sign(body))) taken++;
      }
      return taken;
    },
    /** Moves the fake's clock forward: later objects and events are created that much later. Returns the new now (unix seconds). */
    advanceTime(seconds: number) {
      if (!Number.isSafeInteger(seconds) || seconds < 0) throw new Error("advanceTime takes a whole number of seconds, not negative");
      clockOffset += seconds;
      return now();
    },
    /** The fake's current time, unix seconds. */
    now,
    /** A payment as if taken in the Stripe Dashboard (no settle_attempt_id): created, confirmed, charged. Returns the PaymentIntent. */
    chargeDirect(options: { amount: number; currency: string; customer?: string; metadata?: Record<string, string>; paymentMethod?: string }) {
      return chargeDirect(options);
    },
    /** A refund made outside the API (e.g. the Dashboard); `pending: true` keeps it pending until finishRefund(). */
    refund(paymentIntentOrChargeId: string, options: { amount?: number; reason?: string; metadata?: Record<string, string>; pending?: boolean } = {}) {
      const charge = paymentIntentOrChargeId.startsWith("ch_") ? refundableCharge(undefined, paymentIntentOrChargeId) : refundableCharge(paymentIntentOrChargeId, undefined);
      return snapshot(refundCharge(charge, options));
    },
    /** The next `count` refunds made through POST /v1/refunds stay pending (card ones included). */
    holdNextRefunds(count = 1) {
      heldRefunds = count;
    },
    /** A pending refund succeeds (refund.updated, charge.refunded), or a pending/succeeded one fails (refund.updated, refund.failed). */
    finishRefund(refundId: string, outcome: "succeeded" | "failed", failureReason?: string) {
      return snapshot(finishRefund(getRefund(refundId), outcome, failureReason));
    },
    /** A chargeback on the intent's charge: charge.dispute.created, then charge.dispute.funds_withdrawn. */
    dispute(paymentIntentId: string, options: { amount?: number; reason?: string } = {}) {
      return snapshot(openDispute(paymentIntentId, options));
    },
    /** Evidence sent: needs_response → under_review (charge.dispute.updated). */
    submitDisputeEvidence(disputeId: string) {
      return snapshot(submitEvidence(getDispute(disputeId)));
    },
    /** won: charge.dispute.funds_reinstated then charge.dispute.closed; lost: charge.dispute.closed. */
    closeDispute(disputeId: string, outcome: "won" | "lost") {
      return snapshot(closeDispute(getDispute(disputeId), outcome));
    },
    /** The balance a payout of this currency would take now: the sum of net of transactions no payout holds. */
    balance(currency: string) {
      return unpaid(currency).reduce((sum, t) => sum + t.net, 0);
    },
    /**
     * An automatic payout of everything in the balance of a currency (null when that is not above 0):
     * payout.created, then payout.paid and payout.reconciliation_completed, or payout.failed (account_closed).
     */
    payout(options: { currency: string; arrivalDate?: number; fail?: boolean }) {
      const payout = makePayout(options);
      return payout && snapshot(payout);
    },
    /** The card's network updated it: payment_method.automatically_updated. */
    updateCard(paymentMethodId: string, { expMonth, expYear, last4 }: { expMonth: number; expYear: number; last4?: string }) {
      const method = getMethod(paymentMethodId, "id");
      if (!method.card) throw invalid(`PaymentMethod ${paymentMethodId} is not a card.`, "payment_method");
      if (last4 !== undefined && !/^\d{4}$/.test(last4)) throw invalid("last4 must be four digits.", "last4");
      Object.assign(method.card, { exp_month: expMonth, exp_year: expYear, ...(last4 ? { last4 } : {}) });
      emit("payment_method.automatically_updated", method);
      return snapshot(method);
    },
    close() {
      closed = true;
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

export type FakeStripe = Awaited<ReturnType<typeof startFakeStripe>>;

// As a process (the browser tests' web server): FAKE_STRIPE_PORT, FAKE_STRIPE_WEBHOOK_URL and the app's three Stripe keys.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const fake = await startFakeStripe({
    port: Number(process.env.FAKE_STRIPE_PORT ?? 12111),
    secretKey: process.env.STRIPE_SECRET_KEY,
    publishableKey: process.env.STRIPE_PUBLISHABLE_KEY,
    webhookSecret: process.env.STRIPE_WEBHOOK_SECRET,
    webhookUrl: process.env.FAKE_STRIPE_WEBHOOK_URL ?? null,
    chargeEvents: process.env.FAKE_STRIPE_CHARGE_EVENTS === "true",
  });
  console.log(`Fake Stripe at ${fake.baseUrl}, webhooks to ${process.env.FAKE_STRIPE_WEBHOOK_URL ?? "(queued)"}`);
  const stop = () => void fake.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
