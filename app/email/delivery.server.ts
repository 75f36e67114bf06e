import { eq, sql } from "drizzle-orm";
import { Resend } from "resend";
import { emailOutbox, type OutboxMessage } from "~db/schema";
import { getDb, rowsOf, type Db } from "~db/client";
import type { Env } from "~/utils/env.server";

/** Where outbox messages go: Resend, or nowhere (kept for staff to read at /staff/outbox). */
export type EmailTransport =
  | { kind: "keep" }
  | { kind: "send"; send(message: OutboxMessage, idempotencyKey: string): Promise<{ providerMessageId: string }> };

export function transportFromEnv(env: Env): EmailTransport {
  if (!env.RESEND_API_KEY) return { kind: "keep" };
  const resend = new Resend(env.RESEND_API_KEY, env.RESEND_BASE_URL ? { baseUrl: env.RESEND_BASE_URL } : undefined);
  return {
    kind: "send",
    async send(message, idempotencyKey) {
      const { data, error } = await resend.emails.send(
        {
          from: message.fromAddress,
          to: message.toAddress,
          subject: message.subject,
          html: message.html,
          text: message.text,
          // Stored base64, which is what Resend's API takes; the SDK passes a string through as is.
          ...(message.attachments.length > 0
            ? { attachments: message.attachments.map((a) => ({ filename: a.filename, content: a.contentBase64, contentType: a.contentType })) }
            : {}),
        },
        { idempotencyKey },
      );
      if (error || !data) throw new Error(`Resend: ${error?.name ?? "error"}: ${error?.message ?? "no data"}`);
      return { providerMessageId: data.id };
    },
  };
}

const LEASE_SECONDS = 120;
export const MAX_ATTEMPTS = 8;

/**
 * Claims due messages and delivers them. A claimed message is leased, so no other worker (on
 * any instance) touches it; if this worker dies mid-send, the lease ends and the message is
 * sent again with the same idempotency key, which the provider uses to drop the repeat.
 */
export async function deliverDueEmails(
  { transport, batchSize = 20 }: { transport: EmailTransport; batchSize?: number },
  db: Db = getDb(),
) {
  const claimed = await db.execute<{ id: string }>(sql`
    update email_outbox set status = 'sending', attempts = attempts + 1,
      locked_until = now() + make_interval(secs => ${LEASE_SECONDS})
    where id in (
      select id from email_outbox
      where (status = 'pending' and next_attempt_at <= now())
         or (status = 'sending' and locked_until < now())
      order by next_attempt_at
      limit ${batchSize}
      for update skip locked
    )
    returning id`);
  const ids = rowsOf<{ id: string }>(claimed).map((row) => row.id);
  const results = { sent: 0, kept: 0, retried: 0, failed: 0 };
  for (const id of ids) {
    const [message] = await db.select().from(emailOutbox).where(eq(emailOutbox.id, id));
    if (!message) continue;
    if (transport.kind === "keep") {
      await db.update(emailOutbox).set({ status: "kept", lockedUntil: null }).where(eq(emailOutbox.id, id));
      results.kept++;
      continue;
    }
    try {
      const { providerMessageId } = await transport.send(message, `settle-outbox-${message.id}`);
      await db
        .update(emailOutbox)
        .set({ status: "sent", providerMessageId, sentAt: new Date(), lockedUntil: null, lastError: null })
        .where(eq(emailOutbox.id, id));
      results.sent++;
    } catch (error) {
      const gaveUp = message.attempts >= MAX_ATTEMPTS;
      await db
        .update(emailOutbox)
        .set({
          status: gaveUp ? "failed" : "pending",
          lastError: String(error instanceof Error ? error.message : error).slice(0, 1000),
          lockedUntil: null,
          // 1, 4, 9, 16 ... minutes between attempts.
          nextAttemptAt: new Date(Date.now() + message.attempts * message.attempts * 60_000),
        })
        .where(eq(emailOutbox.id, id));
      if (gaveUp) results.failed++;
      else results.retried++;
    }
  }
  return results;
}
