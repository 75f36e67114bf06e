import Stripe from "stripe";
import { assertStripeCurrency, intentFromStripe, type Processor, type ProcessorBalanceTransaction, type ProcessorRefund, type ProcessorSetupIntent } from "./processor.server";
import { dayOfUnixTime } from "~/utils/dates";

export function stripeClient(secretKey: string, apiBase?: string) {
  const base = apiBase ? new URL(apiBase) : null;
  return new Stripe(secretKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    ...(base ? { host: base.hostname, port: Number(base.port || (base.protocol === "https:" ? 443 : 80)), protocol: base.protocol.replace(":", "") as "http" | "https" } : {}),
  });
}

const setupFromStripe = (intent: Stripe.SetupIntent): ProcessorSetupIntent => ({
  id: intent.id,
  status: intent.status,
  clientSecret: intent.client_secret,
  customer: typeof intent.customer === "string" ? intent.customer : (intent.customer?.id ?? null),
  paymentMethod: typeof intent.payment_method === "string" ? intent.payment_method : (intent.payment_method?.id ?? null),
  metadata: { ...(intent.metadata ?? {}) },
});

const idOf = (value: string | { id: string } | null | undefined) => (typeof value === "string" ? value : (value?.id ?? null));

const refundFromStripe = (refund: Stripe.Refund): ProcessorRefund => ({
  id: refund.id,
  amountMinor: refund.amount,
  currency: refund.currency.toUpperCase(),
  paymentIntent: idOf(refund.payment_intent),
  status: (refund.status ?? "pending") as ProcessorRefund["status"],
  created: refund.created,
  failureReason: refund.failure_reason ?? null,
  metadata: { ...(refund.metadata ?? {}) },
});


/** A balance transaction's origin: a charge's PaymentIntent, a refund, or a dispute (expanded as data.source). */
function transactionFromStripe(txn: Stripe.BalanceTransaction): ProcessorBalanceTransaction {
  const source = txn.source as (Stripe.Charge | Stripe.Refund | Stripe.Dispute | { id: string; object: string }) | string | null;
  const object = typeof source === "object" && source ? source : null;
  const kind = object?.object;
  return {
    id: txn.id,
    type: txn.type,
    reportingCategory: txn.reporting_category,
    amountMinor: txn.amount,
    feeMinor: txn.fee,
    netMinor: txn.net,
    sourceId: idOf(source as string | { id: string } | null),
    paymentIntent: object && "payment_intent" in object ? idOf(object.payment_intent as string | { id: string } | null) : null,
    refundId: kind === "refund" ? object!.id : null,
    disputeId: kind === "dispute" ? object!.id : null,
  };
}

/** Stripe through its own SDK. Every create carries an idempotency key, so retries never double. */
export function stripeProcessor(secretKey: string, apiBase?: string): Processor {
  const stripe = stripeClient(secretKey, apiBase);
  return {
    name: "stripe",
    async createCustomer({ name, email, settleCustomerId }, idempotencyKey) {
      const customer = await stripe.customers.create({ name, email: email ?? undefined, metadata: { settle_customer_id: settleCustomerId } }, { idempotencyKey });
      return customer.id;
    },
    async createPaymentIntent({ amountMinor, currency, customer, metadata, idempotencyKey, offSessionMethod, saveMethod }) {
      assertStripeCurrency(currency);
      try {
        const intent = await stripe.paymentIntents.create(
          {
            amount: amountMinor,
            currency: currency.toLowerCase(),
            customer,
            metadata,
            ...(offSessionMethod
              ? { payment_method: offSessionMethod, off_session: true, confirm: true }
              : {
                  payment_method_types: currency === "USD" ? ["card", "us_bank_account"] : ["card"],
                  ...(saveMethod ? { setup_future_usage: "off_session" as const } : {}),
                }),
          },
          { idempotencyKey },
        );
        return intentFromStripe(intent);
      } catch (error) {
        // An off-session decline comes back as an error that carries the PaymentIntent.
        const declined = (error as { raw?: { payment_intent?: Stripe.PaymentIntent } }).raw?.payment_intent;
        if (offSessionMethod && declined) return intentFromStripe(declined);
        throw error;
      }
    },
    async retrievePaymentIntent(id) {
      return intentFromStripe(await stripe.paymentIntents.retrieve(id, { expand: ["payment_method"] }));
    },
    async createSetupIntent({ customer, metadata, idempotencyKey }) {
      return setupFromStripe(await stripe.setupIntents.create({ customer, metadata, usage: "off_session" }, { idempotencyKey }));
    },
    async retrieveSetupIntent(id) {
      return setupFromStripe(await stripe.setupIntents.retrieve(id));
    },
    async retrievePaymentMethod(id) {
      const method = await stripe.paymentMethods.retrieve(id);
      return {
        id: method.id,
        type: method.type === "us_bank_account" ? "us_bank_account" : "card",
        brand: method.card?.brand ?? null,
        last4: method.card?.last4 ?? method.us_bank_account?.last4 ?? null,
        expMonth: method.card?.exp_month ?? null,
        expYear: method.card?.exp_year ?? null,
        bankName: method.us_bank_account?.bank_name ?? null,
        customer: typeof method.customer === "string" ? method.customer : (method.customer?.id ?? null),
      };
    },
    async detachPaymentMethod(id) {
      await stripe.paymentMethods.detach(id);
    },
    async createRefund({ paymentIntent, amountMinor, reason, idempotencyKey, metadata }) {
      return refundFromStripe(await stripe.refunds.create({ payment_intent: paymentIntent, amount: amountMinor, reason: "requested_by_customer", metadata: { ...metadata, settle_reason: reason.slice(0, 400) } }, { idempotencyKey }));
    },
    async retrieveRefund(id) {
      return refundFromStripe(await stripe.refunds.retrieve(id));
    },
    async listRefunds(paymentIntent) {
      const all: ProcessorRefund[] = [];
      for await (const refund of stripe.refunds.list({ payment_intent: paymentIntent, limit: 100 })) all.push(refundFromStripe(refund));
      return all;
    },
    async retrieveDispute(id) {
      const dispute = await stripe.disputes.retrieve(id);
      const withdrawal = dispute.balance_transactions.find((t) => t.amount < 0);
      const reinstatement = dispute.balance_transactions.find((t) => t.amount > 0);
      return {
        id: dispute.id,
        amountMinor: dispute.amount,
        currency: dispute.currency.toUpperCase(),
        paymentIntent: idOf(dispute.payment_intent),
        status: dispute.status,
        reason: dispute.reason ?? null,
        created: dispute.created,
        withdrawn: withdrawal ? { at: withdrawal.created, feeMinor: withdrawal.fee } : null,
        reinstated: reinstatement ? { at: reinstatement.created, feeMinor: reinstatement.fee } : null,
      };
    },
    async retrievePayout(id) {
      const payout = await stripe.payouts.retrieve(id);
      return {
        id: payout.id,
        amountMinor: payout.amount,
        currency: payout.currency.toUpperCase(),
        status: payout.status as "pending" | "in_transit" | "paid" | "failed" | "canceled",
        arrivalDate: dayOfUnixTime(payout.arrival_date),
        failureMessage: payout.failure_message ?? null,
      };
    },
    async listPayoutTransactions(payoutId) {
      const transactions: ProcessorBalanceTransaction[] = [];
      for await (const txn of stripe.balanceTransactions.list({ payout: payoutId, limit: 100, expand: ["data.source"] })) {
        if (txn.type !== "payout") transactions.push(transactionFromStripe(txn));
      }
      return transactions;
    },
  };
}
