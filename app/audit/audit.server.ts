import { and, desc, eq, lt } from "drizzle-orm";
import { auditLog } from "~db/schema";
import { getDb, type Db } from "~db/client";

export type Actor =
  | { type: "staff"; id: string; label: string }
  | { type: "portal"; id: string; label: string }
  | { type: "system"; label: string }
  | { type: "processor"; label: string };

export type AuditInput = {
  actor: Actor;
  action: string;
  entityType: string;
  entityId?: string | null;
  customerId?: string | null;
  before?: unknown;
  after?: unknown;
  ip?: string | null;
};

/** Records one audited action; call it inside the transaction that makes the change. */
export async function recordAudit(input: AuditInput, db: Db = getDb()) {
  await db.insert(auditLog).values({
    actorType: input.actor.type,
    actorId: "id" in input.actor ? input.actor.id : null,
    actorLabel: input.actor.label,
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId ?? null,
    customerId: input.customerId ?? null,
    before: input.before ?? null,
    after: input.after ?? null,
    ip: input.ip ?? null,
  });
}

export async function listAudit(
  { customerId, entityType, entityId, before, limit = 50 }: { customerId?: string; entityType?: string; entityId?: string; before?: number; limit?: number },
  db: Db = getDb(),
) {
  const conditions = [
    customerId ? eq(auditLog.customerId, customerId) : undefined,
    entityType ? eq(auditLog.entityType, entityType) : undefined,
    entityId ? eq(auditLog.entityId, entityId) : undefined,
    before ? lt(auditLog.id, before) : undefined,
  ];
  return db
    .select()
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.id))
    .limit(limit);
}
