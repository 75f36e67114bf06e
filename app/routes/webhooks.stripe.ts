import type { ActionFunctionArgs } from "@remix-run/node";
import { MAX_WEBHOOK_BYTES, receiveStripeWebhook } from "~webhooks/stripe/receive.server";

// Thin: the raw body and its signature go to the processor, which verifies, stores and applies.
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return Response.json({ error: "Use POST" }, { status: 405, headers: { Allow: "POST" } });
  // Refused before reading: a huge body never reaches memory.
  if (Number(request.headers.get("Content-Length") ?? 0) > MAX_WEBHOOK_BYTES) return Response.json({ received: false, error: `Body is over the ${MAX_WEBHOOK_BYTES / 1024} KiB limit` }, { status: 400 });
  const answer = await receiveStripeWebhook(await request.text(), request.headers.get("Stripe-Signature"));
  return Response.json(answer.body, { status: answer.status });
}

export function loader() {
  return Response.json({ error: "Stripe webhooks are POSTed here" }, { status: 405, headers: { Allow: "POST" } });
}
