import { asc, eq, or, sql } from "drizzle-orm";
import { emailEvents, emailOutbox } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import { customersOfAddress, suppressAddress } from "./suppressions.server";

const actor: Actor = { type: "processor", label: "Resend" };

/** A delivery event from Resend, already verified and parsed by webhooks/resend. */
export type ResendEmailEvent = {
  /** The webhook message id (svix-id): the same event delivered twice has the same one. */
  providerEventId: string;
  type: string;
  /** Resend's id of the email (data.email_id), which the outbox keeps as providerMessageId. */
  providerMessageId: string | null;
  to: string[];
  bounce: { type: string | null; subType: string | null; message: string | null } | null;
  payload: Record<string, unknown>;
};

/**
 * What an event means for the addresses it names: a bounce (Resend reports only permanent
 * rejections as email.bounced; one marked Transient is kept as a record only) or a spam
 * complaint stops emails to them. Everything else (sent, delivered, delayed, opened) is a record.
 */
function suppressionOf(event: ResendEmailEvent) {
  if (event.type === "email.complained") return { reason: "complained" as const, detail: "Marked as spam by the recipient" };
  if (event.type === "email.bounced" && event.bounce?.type?.toLowerCase() !== "transient") {
    const detail = [event.bounce?.type, event.bounce?.subType].filter(Boolean).join(" / ");
    return { reason: "bounced" as const, detail: [detail, event.bounce?.message].filter(Boolean).join(": ") || null };
  }
  return null;
}

/**
 * Stores a Resend event once by its webhook id, linked to the outbox message it is about, and on
 * a hard bounce or a complaint suppresses each recipient address and notes it on the customer's
 * timeline. A duplicate delivery changes nothing.
 */
export async function recordResendEvent(event: ResendEmailEvent, db: Db = getDb()): Promise<{ duplicate: boolean; suppressed: string[] }> {
  return db.transaction(async (tx) => {
    const [outbox] = event.providerMessageId
      ? await tx
          .select({ id: emailOutbox.id, customerId: emailOutbox.customerId, subject: emailOutbox.subject, template: emailOutbox.template })
          .from(emailOutbox)
          .where(eq(emailOutbox.providerMessageId, event.providerMessageId))
          .limit(1)
      : [];
    const [stored] = await tx
      .insert(emailEvents)
      .values({ providerEventId: event.providerEventId, type: event.type, providerMessageId: event.providerMessageId, outboxId: outbox?.id ?? null, payload: event.payload })
      .onConflictDoNothing({ target: emailEvents.providerEventId })
      .returning({ id: emailEvents.id });
    if (!stored) return { duplicate: true, suppressed: [] };

    const suppression = suppressionOf(event);
    if (!suppression) return { duplicate: false, suppressed: [] };
    const addresses = [...new Set(event.to.map((address) => address.trim().toLowerCase()).filter(Boolean))];
    for (const address of addresses) {
      const { suppression: row, created } = await suppressAddress({ address, reason: suppression.reason, detail: suppression.detail, outboxId: outbox?.id ?? null }, tx);
      const customerIds = await customersOfAddress(address, outbox?.customerId ?? null, tx);
      for (const customerId of customerIds.length > 0 ? customerIds : [null]) {
        await recordAudit(
          {
            actor,
            action: `email.${suppression.reason}`,
            entityType: "email_suppression",
            entityId: row.id,
            customerId,
            after: { address, subject: outbox?.subject ?? null, template: outbox?.template ?? null, detail: suppression.detail, alreadySuppressed: !created },
          },
          tx,
        );
      }
    }
    return { duplicate: false, suppressed: addresses };
  });
}

/** Resend's events about one outbox message, oldest first (also those that arrived before the message knew its Resend id). */
export async function listEmailEvents(message: { id: string; providerMessageId: string | null }, db: Db = getDb()) {
  const rows = await db
    .select({
      id: emailEvents.id,
      type: emailEvents.type,
      // When Resend saw it happen (`at` below); receivedAt is when it reached Settle.
      occurredAt: sql<string | null>`${emailEvents.payload}->>'created_at'`,
      receivedAt: emailEvents.receivedAt,
      bounce: sql<string | null>`${emailEvents.payload}#>>'{data,bounce,message}'`,
    })
    .from(emailEvents)
    .where(message.providerMessageId ? or(eq(emailEvents.outboxId, message.id), eq(emailEvents.providerMessageId, message.providerMessageId)) : eq(emailEvents.outboxId, message.id))
    .orderBy(asc(emailEvents.receivedAt), asc(emailEvents.id));
  return rows.map(({ occurredAt, ...row }) => ({ ...row, at: occurredAt && !Number.isNaN(Date.parse(occurredAt)) ? new Date(occurredAt) : row.receivedAt }));
}
