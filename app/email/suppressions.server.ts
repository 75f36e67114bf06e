import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { customers, emailOutbox, emailSuppressions, portalUsers } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit } from "~/audit/audit.server";
import type { StaffActor } from "~/ledger/actor";
import { DomainError } from "~/utils/errors";

export type EmailSuppression = typeof emailSuppressions.$inferSelect;

const lowered = (addresses: string[]) => [...new Set(addresses.map((address) => address.trim().toLowerCase()).filter(Boolean))];

/** Which of these addresses Settle must not email (bounced or complained, not cleared), lower-cased. */
export async function suppressedAddresses(addresses: string[], db: Db = getDb()): Promise<Set<string>> {
  const wanted = lowered(addresses);
  if (wanted.length === 0) return new Set();
  const rows = await db
    .select({ address: sql<string>`lower(${emailSuppressions.address})` })
    .from(emailSuppressions)
    .where(and(isNull(emailSuppressions.clearedAt), inArray(sql`lower(${emailSuppressions.address})`, wanted)));
  return new Set(rows.map((row) => row.address));
}

/**
 * Stops emails to an address. One active suppression per address (a partial unique index), so
 * a second bounce, or the same event twice, returns the one already there with `created: false`.
 */
export async function suppressAddress(
  { address, reason, detail = null, outboxId = null }: { address: string; reason: EmailSuppression["reason"]; detail?: string | null; outboxId?: string | null },
  db: Db = getDb(),
): Promise<{ suppression: EmailSuppression; created: boolean }> {
  const normal = address.trim().toLowerCase();
  const [created] = await db.insert(emailSuppressions).values({ address: normal, reason, detail, outboxId }).onConflictDoNothing().returning();
  if (created) return { suppression: created, created: true };
  const [existing] = await db
    .select()
    .from(emailSuppressions)
    .where(and(isNull(emailSuppressions.clearedAt), eq(sql`lower(${emailSuppressions.address})`, normal)));
  return { suppression: existing!, created: false };
}

/**
 * The customers an address belongs to: its billing address, any of its portal contacts, and the
 * customer of the message that bounced. Audit entries about the address go on each one's timeline.
 */
export async function customersOfAddress(address: string, outboxCustomerId: string | null, db: Db = getDb()): Promise<string[]> {
  const normal = address.trim().toLowerCase();
  const [billing, contacts] = await Promise.all([
    db.select({ id: customers.id }).from(customers).where(eq(sql`lower(${customers.email})`, normal)),
    db.select({ id: portalUsers.customerId }).from(portalUsers).where(eq(sql`lower(${portalUsers.email})`, normal)),
  ]);
  const ids = [outboxCustomerId, ...billing.map((row) => row.id), ...contacts.map((row) => row.id)].filter((id): id is string => Boolean(id));
  return [...new Set(ids)];
}

export type CustomerSuppression = Pick<EmailSuppression, "id" | "address" | "reason" | "detail" | "createdAt" | "outboxId">;

/** The customer's addresses (billing and every contact) that Settle no longer emails, newest first. */
export async function listSuppressionsForCustomer(customerId: string, db: Db = getDb()): Promise<CustomerSuppression[]> {
  const [[customer], contacts] = await Promise.all([
    db.select({ email: customers.email }).from(customers).where(eq(customers.id, customerId)),
    db.select({ email: portalUsers.email }).from(portalUsers).where(eq(portalUsers.customerId, customerId)),
  ]);
  const addresses = lowered([customer?.email, ...contacts.map((c) => c.email)].filter((email): email is string => Boolean(email)));
  if (addresses.length === 0) return [];
  return db
    .select({
      id: emailSuppressions.id,
      address: emailSuppressions.address,
      reason: emailSuppressions.reason,
      detail: emailSuppressions.detail,
      createdAt: emailSuppressions.createdAt,
      outboxId: emailSuppressions.outboxId,
    })
    .from(emailSuppressions)
    .where(and(isNull(emailSuppressions.clearedAt), inArray(sql`lower(${emailSuppressions.address})`, addresses)))
    .orderBy(desc(emailSuppressions.createdAt));
}

/**
 * Staff say an address works again (the mailbox was fixed, the complaint withdrawn): Settle
 * emails it again. Audited on the timeline of every customer the address belongs to.
 */
export async function clearSuppression(id: string, actor: StaffActor, db: Db = getDb()): Promise<EmailSuppression> {
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(emailSuppressions).where(eq(emailSuppressions.id, id)).for("update");
    if (!row) throw new DomainError("not_found", "No such suppressed address", "suppressionId");
    if (row.clearedAt) throw new DomainError("conflict", `${row.address} was already cleared`, "suppressionId");
    const [cleared] = await tx
      .update(emailSuppressions)
      .set({ clearedAt: new Date(), clearedBy: actor.id })
      .where(eq(emailSuppressions.id, id))
      .returning();
    const [outbox] = row.outboxId ? await tx.select({ customerId: emailOutbox.customerId }).from(emailOutbox).where(eq(emailOutbox.id, row.outboxId)) : [];
    const customerIds = await customersOfAddress(row.address, outbox?.customerId ?? null, tx);
    for (const customerId of customerIds.length > 0 ? customerIds : [null]) {
      await recordAudit(
        {
          actor,
          action: "email_suppression.clear",
          entityType: "email_suppression",
          entityId: id,
          customerId,
          before: { address: row.address, reason: row.reason, detail: row.detail },
          after: { address: row.address, cleared: true },
        },
        tx,
      );
    }
    return cleared!;
  });
}
