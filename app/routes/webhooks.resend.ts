import type { ActionFunctionArgs } from "@remix-run/node";
import { MAX_RESEND_WEBHOOK_BYTES, receiveResendWebhook } from "~webhooks/resend/receive.server";

// Thin: the raw body and its Svix headers go to the processor, which verifies and stores.
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return Response.json({ error: "Use POST" }, { status: 405, headers: { Allow: "POST" } });
  // Refused before reading: a huge body never reaches memory.
  if (Number(request.headers.get("Content-Length") ?? 0) > MAX_RESEND_WEBHOOK_BYTES) return Response.json({ received: false, error: `Body is over the ${MAX_RESEND_WEBHOOK_BYTES / 1024} KiB limit` }, { status: 400 });
  const answer = await receiveResendWebhook(await request.text(), {
    id: request.headers.get("svix-id"),
    timestamp: request.headers.get("svix-timestamp"),
    signature: request.headers.get("svix-signature"),
  });
  return Response.json(answer.body, { status: answer.status });
}

export function loader() {
  return Response.json({ error: "Resend webhooks are POSTed here" }, { status: 405, headers: { Allow: "POST" } });
}
