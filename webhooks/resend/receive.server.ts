import { Resend } from "resend";
import { z } from "zod";
import { getDb, type Db } from "~db/client";
import { recordResendEvent } from "~/email/resend-events.server";
import { getEnv } from "~/utils/env.server";

// Verification needs no API key; this client never calls Resend. Its verifier is the Svix
// scheme Resend signs with: HMAC-SHA256 over "<svix-id>.<svix-timestamp>.<body>" with the
// secret after "whsec_", compared in constant time, refused when the timestamp is more than
// five minutes from now.
const verifier = new Resend("re_verify_only");

/** Resend's delivery events are a few kilobytes; anything far larger is not one of them. */
export const MAX_RESEND_WEBHOOK_BYTES = 256 * 1024;

const address = z.string().trim().min(1).max(320);

/** The part of an event Settle reads; the rest is kept as it came. */
const eventSchema = z.object({
  type: z.string().min(1, "type is missing").max(100),
  created_at: z.string().min(1, "created_at is missing").max(100),
  data: z.looseObject({
    email_id: z.string().min(1).max(200).optional(),
    // Resend sends a list; a single address is taken as a list of one.
    to: z.union([address, z.array(address).max(100)]).optional(),
    bounce: z.looseObject({ type: z.string().max(100).optional(), subType: z.string().max(100).optional(), message: z.string().max(2000).optional() }).optional(),
  }),
});

export type ResendSignature = { id: string | null; timestamp: string | null; signature: string | null };
export type ResendWebhookAnswer = { status: number; body: { received: boolean; duplicate?: boolean; error?: string } };

/**
 * A Resend webhook: refused with 404 unless RESEND_WEBHOOK_SECRET is set; verified on the raw
 * body; stored once by its svix-id (a duplicate answers 200 and changes nothing); a hard bounce
 * or a spam complaint stops emails to the address.
 */
export async function receiveResendWebhook(rawBody: string, headers: ResendSignature, db: Db = getDb()): Promise<ResendWebhookAnswer> {
  const secret = getEnv().RESEND_WEBHOOK_SECRET;
  if (!secret) return { status: 404, body: { received: false, error: "Resend webhooks are not configured here (RESEND_WEBHOOK_SECRET is unset)" } };
  if (!headers.id || !headers.timestamp || !headers.signature) return { status: 400, body: { received: false, error: "Missing svix-id, svix-timestamp or svix-signature header" } };
  if (Buffer.byteLength(rawBody) > MAX_RESEND_WEBHOOK_BYTES) return { status: 400, body: { received: false, error: `Body is over the ${MAX_RESEND_WEBHOOK_BYTES / 1024} KiB limit` } };
  let payload: unknown;
  try {
    payload = verifier.webhooks.verify({ payload: rawBody, headers: { id: headers.id, timestamp: headers.timestamp, signature: headers.signature }, webhookSecret: secret });
  } catch (error) {
    const problem = error instanceof SyntaxError ? `Body is not JSON: ${error.message}` : `Signature check failed: ${(error as Error).message}`;
    return { status: 400, body: { received: false, error: problem } };
  }
  const event = eventSchema.safeParse(payload);
  if (!event.success) return { status: 400, body: { received: false, error: `Not a Resend event: ${event.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")}` } };
  const { type, data } = event.data;
  if (type.startsWith("email.") && !data.email_id) return { status: 400, body: { received: false, error: "Not a Resend event: data.email_id is missing" } };
  const result = await recordResendEvent({
    providerEventId: headers.id,
    type,
    providerMessageId: data.email_id ?? null,
    to: data.to === undefined ? [] : typeof data.to === "string" ? [data.to] : data.to,
    bounce: data.bounce ? { type: data.bounce.type ?? null, subType: data.bounce.subType ?? null, message: data.bounce.message ?? null } : null,
    payload: payload as Record<string, unknown>,
  }, db);
  return { status: 200, body: result.duplicate ? { received: true, duplicate: true } : { received: true } };
}
