import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { customers } from "./customers";

/** A file sent with a message (a scheduled report's CSV), base64 so the row stays plain JSON. */
export type OutboxAttachment = { filename: string; contentType: string; contentBase64: string };

// pending -> sending -> sent | kept (no provider configured) | failed (gave up)
export const outboxStatus = pgEnum("outbox_status", ["pending", "sending", "sent", "kept", "failed"]);

/** Written in the same transaction as the event that causes the email; delivered by the worker. */
export const emailOutbox = pgTable(
  "email_outbox",
  {
    id: uuid().primaryKey().defaultRandom(),
    // The cause's own key (e.g. "sign-in-token:<id>"): writing the same cause twice is a no-op.
    dedupeKey: text().notNull().unique(),
    template: text().notNull(),
    toAddress: text().notNull(),
    fromAddress: text().notNull(),
    subject: text().notNull(),
    html: text().notNull(),
    text: text().notNull(),
    customerId: uuid().references(() => customers.id, { onDelete: "set null" }),
    metadata: jsonb().notNull().default({}),
    attachments: jsonb().$type<OutboxAttachment[]>().notNull().default([]),
    status: outboxStatus().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lockedUntil: timestamp({ withTimezone: true }),
    lastError: text(),
    providerMessageId: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("email_outbox_due_idx").on(t.nextAttemptAt).where(sql`${t.status} in ('pending', 'sending')`),
    index("email_outbox_created_idx").on(t.createdAt),
    index("email_outbox_to_idx").on(t.toAddress),
    index("email_outbox_provider_message_idx").on(t.providerMessageId),
  ],
);

export type OutboxMessage = typeof emailOutbox.$inferSelect;
