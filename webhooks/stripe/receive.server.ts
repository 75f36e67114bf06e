import Stripe from "stripe";
import { z } from "zod";
import { processorEvents } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { demoWebhookSecret } from "~/payments/demo-processor.server";
import { getEnv, isDemoProcessor } from "~/utils/env.server";
import { EVENT_LEASE_MS, processEvent } from "./process.server";

// Verification needs no API key; this client never calls Stripe.
const verifier = new Stripe("sk_verify_only");

/** Seconds a signature stays valid (Stripe's default): a replayed old delivery is refused. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** Stripe's events are a few kilobytes; anything far larger is not one of them. */
export const MAX_WEBHOOK_BYTES = 512 * 1024;

const eventShape = z.object({
  id: z.string().regex(/^evt_[A-Za-z0-9_]+$/, "id must be an event id (evt_...)"),
  type: z.string().min(1, "type is missing").max(200),
  created: z.number().int("created must be a Unix time"),
  data: z.object({ object: z.record(z.string(), z.unknown()) }, { message: "data.object is missing" }),
});

export type WebhookAnswer = { status: number; body: { received: boolean; duplicate?: boolean; error?: string } };

export async function webhookSecret(db: Db = getDb()) {
  const env = getEnv();
  return isDemoProcessor(env) ? demoWebhookSecret(db) : env.STRIPE_WEBHOOK_SECRET!;
}

/**
 * A Stripe (or demo processor) webhook: verified on the raw body, stored once by its id, then
 * applied. A stored event answers 200 even if applying it fails: it is retried with back-off and
 * shown to staff, so Stripe need not redeliver it.
 */
export async function receiveStripeWebhook(rawBody: string, signature: string | null, db: Db = getDb()): Promise<WebhookAnswer> {
  if (!signature) return { status: 400, body: { received: false, error: "Missing Stripe-Signature header" } };
  if (Buffer.byteLength(rawBody) > MAX_WEBHOOK_BYTES) return { status: 400, body: { received: false, error: `Body is over the ${MAX_WEBHOOK_BYTES / 1024} KiB limit` } };
  let event: Stripe.Event;
  try {
    event = verifier.webhooks.constructEvent(rawBody, signature, await webhookSecret(db), SIGNATURE_TOLERANCE_SECONDS);
  } catch (error) {
    const problem = error instanceof SyntaxError ? `Body is not JSON: ${error.message}` : `Signature check failed: ${(error as Error).message}`;
    return { status: 400, body: { received: false, error: problem } };
  }
  const shape = eventShape.safeParse(event);
  if (!shape.success) return { status: 400, body: { received: false, error: `Not a Stripe event: ${shape.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")}` } };
  const object = (event.data?.object ?? {}) as { id?: string };
  const [stored] = await db
    .insert(processorEvents)
    .values({
      id: event.id,
      processor: event.id.startsWith("evt_demo_") ? "demo" : "stripe",
      type: event.type,
      objectId: typeof object.id === "string" ? object.id : null,
      occurredAt: new Date(event.created * 1000),
      payload: event as unknown as Record<string, unknown>,
      // Leased to this request while it applies the event; if the process dies first, the retry job takes it after the lease.
      nextAttemptAt: new Date(Date.now() + EVENT_LEASE_MS),
    })
    .onConflictDoNothing({ target: processorEvents.id })
    .returning();
  if (!stored) return { status: 200, body: { received: true, duplicate: true } };
  await processEvent(stored, db);
  return { status: 200, body: { received: true } };
}
