import { bigserial, index, jsonb, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const actorType = pgEnum("actor_type", ["staff", "portal", "system", "processor"]);

/** Append-only: who did what, when, with the state before and after. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    actorType: actorType().notNull(),
    actorId: uuid(),
    actorLabel: text(),
    action: text().notNull(),
    entityType: text().notNull(),
    entityId: text(),
    customerId: uuid(),
    before: jsonb(),
    after: jsonb(),
    ip: text(),
  },
  (t) => [
    index("audit_log_entity_idx").on(t.entityType, t.entityId),
    index("audit_log_customer_idx").on(t.customerId, t.id),
    index("audit_log_at_idx").on(t.at),
  ],
);

export type AuditEntry = typeof auditLog.$inferSelect;
