import { and, desc, eq, isNull } from "drizzle-orm";
import { creditHolds, customers, type CreditHold } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import { staffIdOf } from "~/ledger/actor";
import { DomainError } from "~/utils/errors";

/**
 * Places a credit hold with its reason. `customers.credit_hold` is true while any hold is
 * active; a policy hold carries its step's key, so a rerun never places it twice.
 */
export async function placeHold(
  { customerId, reason, source, sourceKey = null }: { customerId: string; reason: string; source: CreditHold["source"]; sourceKey?: string | null },
  actor: Actor,
  db: Db = getDb(),
): Promise<CreditHold | null> {
  return db.transaction(async (tx) => {
    const [customer] = await tx.select({ id: customers.id, creditHold: customers.creditHold }).from(customers).where(eq(customers.id, customerId)).for("update");
    if (!customer) throw new DomainError("not_found", "No such customer");
    const [hold] = await tx
      .insert(creditHolds)
      .values({ customerId, reason, source, sourceKey, placedBy: staffIdOf(actor) })
      .onConflictDoNothing({ target: creditHolds.sourceKey })
      .returning();
    if (!hold) return null;
    if (!customer.creditHold) await tx.update(customers).set({ creditHold: true, updatedAt: new Date() }).where(eq(customers.id, customerId));
    await recordAudit({ actor, action: "collections.hold_place", entityType: "customer", entityId: customerId, customerId, before: { creditHold: customer.creditHold }, after: { creditHold: true, reason, source } }, tx);
    return hold;
  });
}

/** Lifts every active hold on the account, with a note saying why. */
export async function liftHolds({ customerId, note }: { customerId: string; note: string }, actor: Actor, db: Db = getDb()) {
  return db.transaction(async (tx) => {
    const [customer] = await tx.select({ id: customers.id, creditHold: customers.creditHold }).from(customers).where(eq(customers.id, customerId)).for("update");
    if (!customer) throw new DomainError("not_found", "No such customer");
    const lifted = await tx
      .update(creditHolds)
      .set({ liftedAt: new Date(), liftedBy: staffIdOf(actor), liftNote: note })
      .where(and(eq(creditHolds.customerId, customerId), isNull(creditHolds.liftedAt)))
      .returning({ id: creditHolds.id });
    if (!customer.creditHold && lifted.length === 0) return 0;
    await tx.update(customers).set({ creditHold: false, updatedAt: new Date() }).where(eq(customers.id, customerId));
    await recordAudit({ actor, action: "collections.hold_lift", entityType: "customer", entityId: customerId, customerId, before: { creditHold: customer.creditHold }, after: { creditHold: false, note } }, tx);
    return lifted.length;
  });
}

/** The account's active holds, newest first. */
export async function activeHolds(customerId: string, db: Db = getDb()) {
  return db
    .select()
    .from(creditHolds)
    .where(and(eq(creditHolds.customerId, customerId), isNull(creditHolds.liftedAt)))
    .orderBy(desc(creditHolds.placedAt));
}
