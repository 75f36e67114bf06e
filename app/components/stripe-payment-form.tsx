import { Elements, PaymentElement, useElements, useStripe } from "@stripe/react-stripe-js";
import { loadStripe } from "@stripe/stripe-js/pure";
import { useState, type FormEvent } from "react";

type Mode = "payment" | "setup";

/**
 * Stripe's Payment Element for a PaymentIntent (mode "payment": pay) or a SetupIntent (mode
 * "setup": save a card). Card details go from the browser to Stripe only; on success Stripe.js
 * sends the customer to `returnUrl` (resolved against this page), whose loader reads the intent.
 */
export function StripePaymentForm({ publishableKey, clientSecret, mode, returnUrl, amount }: { publishableKey: string; clientSecret: string; mode: Mode; returnUrl: string; amount?: string }) {
  // Loaded once per mounted form; on the server loadStripe resolves to null and nothing is fetched.
  const [stripe] = useState(() => loadStripe(publishableKey));
  return (
    <Elements stripe={stripe} options={{ clientSecret }}>
      <PaymentForm mode={mode} returnUrl={returnUrl} submitLabel={mode === "payment" ? `Pay ${amount ?? ""}`.trim() : "Save card"} />
    </Elements>
  );
}

function PaymentForm({ mode, returnUrl, submitLabel }: { mode: Mode; returnUrl: string; submitLabel: string }) {
  const stripe = useStripe();
  const elements = useElements();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!stripe || !elements || busy) return;
    setBusy(true);
    setError(null);
    const confirmParams = { return_url: new URL(returnUrl, window.location.href).toString() };
    const result = mode === "payment" ? await stripe.confirmPayment({ elements, confirmParams }) : await stripe.confirmSetup({ elements, confirmParams });
    // Only a failure comes back here: on success Stripe.js has already left for the return URL.
    setError(result.error.message ?? "That did not go through. Check the details and try again.");
    setBusy(false);
  }

  return (
    <form onSubmit={submit} className="stripe-form" aria-busy={busy}>
      {error ? (
        <div className="alert error" role="alert">
          {error}
        </div>
      ) : null}
      <PaymentElement />
      <button type="submit" className="button block" disabled={!stripe || !elements || busy}>
        {submitLabel}
      </button>
    </form>
  );
}
