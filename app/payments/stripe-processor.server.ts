import Stripe from "stripe";
import { assertStripeCurrency, intentFromStripe, type Processor, type ProcessorSetupIntent } from "./processor.server";

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
  };
}
