import { and, desc, eq, lt, sql } from "drizzle-orm";
import { emailOutbox, type OutboxAttachment, type StaffUser } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { hasRole } from "~/auth/roles";
import { getEnv } from "~/utils/env.server";
import { renderEmail, type TemplateName, type TemplateProps } from "./templates.server";

/** A file sent with a message; a string is taken as UTF-8 text (a CSV). Stored base64 in the row. */
export type EmailAttachmentInput = { filename: string; contentType: string; content: string | Buffer };

export type EnqueueEmail<N extends TemplateName> = {
  template: N;
  props: TemplateProps<N>;
  to: string;
  /** The cause's own key: enqueuing the same cause twice writes one message. */
  dedupeKey: string;
  customerId?: string | null;
  metadata?: Record<string, unknown>;
  attachments?: EmailAttachmentInput[];
};

const toStoredAttachment = ({ filename, contentType, content }: EmailAttachmentInput): OutboxAttachment => ({
  filename,
  contentType,
  contentBase64: (typeof content === "string" ? Buffer.from(content, "utf8") : content).toString("base64"),
});

/**
 * Writes an email to the outbox. Call it with the transaction of the event that causes the
 * email, so that the email exists exactly when the event does.
 */
export async function enqueueEmail<N extends TemplateName>(input: EnqueueEmail<N>, db: Db = getDb()) {
  const rendered = await renderEmail(input.template, input.props);
  const [row] = await db
    .insert(emailOutbox)
    .values({
      dedupeKey: input.dedupeKey,
      template: input.template,
      toAddress: input.to,
      fromAddress: getEnv().EMAIL_FROM,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      customerId: input.customerId ?? null,
      metadata: input.metadata ?? {},
      attachments: (input.attachments ?? []).map(toStoredAttachment),
    })
    .onConflictDoNothing({ target: emailOutbox.dedupeKey })
    .returning({ id: emailOutbox.id });
  return row?.id ?? null;
}

export const OUTBOX_PAGE_SIZE = 50;

export async function listOutbox(
  { to, before }: { to?: string; before?: Date } = {},
  db: Db = getDb(),
) {
  return db
    .select({
      id: emailOutbox.id,
      template: emailOutbox.template,
      toAddress: emailOutbox.toAddress,
      subject: emailOutbox.subject,
      status: emailOutbox.status,
      attempts: emailOutbox.attempts,
      createdAt: emailOutbox.createdAt,
      sentAt: emailOutbox.sentAt,
      lastError: emailOutbox.lastError,
    })
    .from(emailOutbox)
    .where(
      and(
        to ? sql`${emailOutbox.toAddress} ilike ${`%${to.replace(/[\\%_]/g, "\\$&")}%`}` : undefined,
        before ? lt(emailOutbox.createdAt, before) : undefined,
      ),
    )
    .orderBy(desc(emailOutbox.createdAt))
    .limit(OUTBOX_PAGE_SIZE);
}

// Their body is a working sign-in link: reading it is signing in as the customer (ADR 007).
const SIGN_IN_TEMPLATES = new Set<string>(["sign-in-link", "contact-invitation"] satisfies TemplateName[]);

// Up to this size an attachment comes with the message for the outbox page to offer as a download;
// a bigger one is only named (a scheduled report's CSV is at most 5 MB, and its email links the report).
const INLINE_ATTACHMENT_BYTES = 1024 * 1024;

export type OutboxAttachmentSummary = { filename: string; contentType: string; bytes: number; contentBase64: string | null };

function summarise(attachment: OutboxAttachment): OutboxAttachmentSummary {
  const { filename, contentType, contentBase64 } = attachment;
  const bytes = Buffer.byteLength(contentBase64, "base64");
  return { filename, contentType, bytes, contentBase64: bytes <= INLINE_ATTACHMENT_BYTES ? contentBase64 : null };
}

/** One message as a staff member may see it: sign-in emails are readable by admins only. */
export async function getOutboxMessage({ id, reader }: { id: string; reader: Pick<StaffUser, "role"> }, db: Db = getDb()) {
  const [row] = await db.select().from(emailOutbox).where(eq(emailOutbox.id, id));
  if (!row) return null;
  if (SIGN_IN_TEMPLATES.has(row.template) && !hasRole(reader, "admin")) return { ...row, html: "", text: "", attachments: [] as OutboxAttachmentSummary[], redacted: true };
  return { ...row, attachments: row.attachments.map(summarise), redacted: false };
}

export async function countOutbox(db: Db = getDb()) {
  const rows = await db
    .select({ status: emailOutbox.status, n: sql<number>`count(*)::int` })
    .from(emailOutbox)
    .groupBy(emailOutbox.status);
  const by = Object.fromEntries(rows.map((r) => [r.status, r.n]));
  return { pending: (by.pending ?? 0) + (by.sending ?? 0), kept: by.kept ?? 0, sent: by.sent ?? 0, failed: by.failed ?? 0 };
}
