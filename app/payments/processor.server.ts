import type Stripe from "stripe";
import { getEnv, isDemoProcessor } from "~/utils/env.server";

/**
 * What Settle needs from a card and bank-debit processor. Stripe is the real one; the demo
 * processor (no keys) implements the same contract with Stripe-shaped objects and events, so the
 * payment pages, the webhook endpoint and the ledger code are the same in both modes.
 */
export type IntentStatus = "requires_payment_method" | "requires_confirmation" | "requires_action" | "processing" | "succeeded" | "canceled";

export type ProcessorIntent = {
  id: string;
  status: IntentStatus;
  amountMinor: number;
  currency: string;
  clientSecret: string | null;
  customer: string | null;
  paymentMethod: string | null;
  paymentMethodType: "card" | "us_bank_account" | null;
  metadata: Record<string, string>;
  lastError: { code: string; message: string } | null;
};

export type ProcessorSetupIntent = { id: string; status: string; clientSecret: string | null; customer: string | null; paymentMethod: string | null; metadata: Record<string, string> };

export type ProcessorPaymentMethod = {
  id: string;
  type: "card" | "us_bank_account";
  brand: string | null;
  last4: string | null;
  expMonth: number | null;
  expYear: number | null;
  bankName: string | null;
  customer: string | null;
};

export type ProcessorRefund = {
  id: string;
  amountMinor: number;
  currency: string;
  paymentIntent: string | null;
  status: "pending" | "succeeded" | "failed" | "canceled" | "requires_action";
  /** Unix seconds. */
  created: number;
  failureReason: string | null;
  metadata: Record<string, string>;
};

/** A card dispute as it stands now: whether its funds were withdrawn and reinstated, and when. */
export type ProcessorDispute = {
  id: string;
  amountMinor: number;
  currency: string;
  paymentIntent: string | null;
  status: string;
  reason: string | null;
  created: number;
  withdrawn: { at: number; feeMinor: number } | null;
  reinstated: { at: number; feeMinor: number } | null;
};

export type ProcessorPayout = {
  id: string;
  amountMinor: number;
  currency: string;
  status: "pending" | "in_transit" | "paid" | "failed" | "canceled";
  arrivalDate: string;
  failureMessage: string | null;
};

/** One balance transaction of a payout, with the PaymentIntent, refund or dispute it came from. */
export type ProcessorBalanceTransaction = {
  id: string;
  type: string;
  reportingCategory: string;
  amountMinor: number;
  feeMinor: number;
  netMinor: number;
  sourceId: string | null;
  paymentIntent: string | null;
  refundId: string | null;
  disputeId: string | null;
};

export type CreateIntentInput = {
  amountMinor: number;
  currency: string;
  customer: string;
  metadata: Record<string, string>;
  /** Sent to the processor as its idempotency key: a retry gets the same PaymentIntent back. */
  idempotencyKey: string;
  /** Charge this saved method now, without the customer present (autopay). */
  offSessionMethod?: string;
  /** Keep the method the customer enters for later (one-click and autopay). */
  saveMethod?: boolean;
};

export interface Processor {
  readonly name: "stripe" | "demo";
  /** The processor's customer for ours, created once and remembered on the customer row by the caller. */
  createCustomer(input: { name: string; email: string | null; settleCustomerId: string }, idempotencyKey: string): Promise<string>;
  createPaymentIntent(input: CreateIntentInput): Promise<ProcessorIntent>;
  retrievePaymentIntent(id: string): Promise<ProcessorIntent>;
  createSetupIntent(input: { customer: string; metadata: Record<string, string>; idempotencyKey: string }): Promise<ProcessorSetupIntent>;
  retrieveSetupIntent(id: string): Promise<ProcessorSetupIntent>;
  retrievePaymentMethod(id: string): Promise<ProcessorPaymentMethod>;
  detachPaymentMethod(id: string): Promise<void>;
  /** Pays money back to the card or account of a PaymentIntent (exceptions queue, "refund"). */
  createRefund(input: { paymentIntent: string; amountMinor: number; reason: string; idempotencyKey: string; metadata: Record<string, string> }): Promise<ProcessorRefund>;
  retrieveRefund(id: string): Promise<ProcessorRefund>;
  /** Every refund of a PaymentIntent, so they can be booked in the order they were made. */
  listRefunds(paymentIntent: string): Promise<ProcessorRefund[]>;
  retrieveDispute(id: string): Promise<ProcessorDispute>;
  retrievePayout(id: string): Promise<ProcessorPayout>;
  /** Every balance transaction in a payout except the payout's own. */
  listPayoutTransactions(payoutId: string): Promise<ProcessorBalanceTransaction[]>;
}

/** Stripe's amounts are the currency's minor units except for a few currencies it treats specially. */
const stripeSpecial = new Set(["HUF", "TWD", "UGX", "ISK"]);
export function assertStripeCurrency(currency: string) {
  if (stripeSpecial.has(currency)) throw new Error(`${currency} needs Stripe's special amount rules, which Settle does not handle yet`);
}

export function intentFromStripe(intent: Stripe.PaymentIntent): ProcessorIntent {
  const method = intent.payment_method;
  return {
    id: intent.id,
    status: intent.status as IntentStatus,
    amountMinor: intent.amount,
    currency: intent.currency.toUpperCase(),
    clientSecret: intent.client_secret,
    customer: typeof intent.customer === "string" ? intent.customer : (intent.customer?.id ?? null),
    paymentMethod: typeof method === "string" ? method : (method?.id ?? null),
    paymentMethodType: (typeof method === "object" && method ? method.type : intent.payment_method_types?.[0]) === "us_bank_account" ? "us_bank_account" : intent.payment_method ? "card" : null,
    metadata: { ...(intent.metadata ?? {}) },
    lastError: intent.last_payment_error
      ? { code: intent.last_payment_error.decline_code ?? intent.last_payment_error.code ?? "payment_failed", message: intent.last_payment_error.message ?? "The payment failed" }
      : null,
  };
}

let cached: { key: string; processor: Processor } | undefined;

/** The processor this instance runs with: Stripe when keys are set, else the demo processor. */
export async function getProcessor(): Promise<Processor> {
  const env = getEnv();
  const key = `${env.STRIPE_SECRET_KEY ?? "demo"}|${env.STRIPE_API_BASE ?? ""}`;
  if (cached?.key === key) return cached.processor;
  const processor = isDemoProcessor(env)
    ? (await import("./demo-processor.server")).demoProcessor
    : (await import("./stripe-processor.server")).stripeProcessor(env.STRIPE_SECRET_KEY!, env.STRIPE_API_BASE);
  cached = { key, processor };
  return processor;
}
