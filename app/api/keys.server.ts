import { and, desc, eq, isNull, lt, or } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { apiKeys, staffUsers, type ApiKey } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import { generateToken, hashToken } from "~/auth/crypto.server";
import type { StaffActor } from "~/ledger/actor";
import { DomainError } from "~/utils/errors";

export const API_KEY_PREFIX = "sk_settle_";
// Enough of the secret to tell keys apart in a list, far too little to guess the rest.
const SHOWN_CHARS = 6;
const TOUCH_INTERVAL_MS = 60_000;

/** Creates a key. The secret is returned once, here; only its hash is stored. */
export async function createApiKey({ name }: { name: string }, actor: StaffActor, db: Db = getDb()) {
  const secret = `${API_KEY_PREFIX}${generateToken()}`;
  return db.transaction(async (tx) => {
    const [key] = await tx
      .insert(apiKeys)
      .values({ name, prefix: secret.slice(0, API_KEY_PREFIX.length + SHOWN_CHARS), tokenHash: hashToken(secret), createdBy: actor.id })
      .returning();
    await recordAudit({ actor, action: "api_key.create", entityType: "api_key", entityId: key!.id, after: { name, prefix: key!.prefix } }, tx);
    return { key: key!, secret };
  });
}

export async function listApiKeys(db: Db = getDb()) {
  const creator = alias(staffUsers, "creator");
  const revoker = alias(staffUsers, "revoker");
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
      createdByName: creator.name,
      revokedByName: revoker.name,
    })
    .from(apiKeys)
    .leftJoin(creator, eq(creator.id, apiKeys.createdBy))
    .leftJoin(revoker, eq(revoker.id, apiKeys.revokedBy))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

/** Revoked keys stay listed, so the list tells what once had access. Revoking twice changes nothing. */
export async function revokeApiKey(keyId: string, actor: StaffActor, db: Db = getDb()): Promise<ApiKey> {
  return db.transaction(async (tx) => {
    const [key] = await tx.select().from(apiKeys).where(eq(apiKeys.id, keyId)).for("update");
    if (!key) throw new DomainError("not_found", "API key not found");
    if (key.revokedAt) return key;
    const [revoked] = await tx.update(apiKeys).set({ revokedAt: new Date(), revokedBy: actor.id }).where(eq(apiKeys.id, keyId)).returning();
    await recordAudit({ actor, action: "api_key.revoke", entityType: "api_key", entityId: keyId, before: { name: key.name, prefix: key.prefix }, after: { revokedAt: revoked!.revokedAt } }, tx);
    return revoked!;
  });
}

/** The key a secret belongs to, revoked or not; null for anything else. */
export async function findApiKey(secret: string, db: Db = getDb()) {
  if (!secret.startsWith(API_KEY_PREFIX)) return null;
  const [key] = await db.select().from(apiKeys).where(eq(apiKeys.tokenHash, hashToken(secret)));
  return key ?? null;
}

/**
 * Notes that a key was used, at most once a minute: writing on every request would turn each
 * read into a write. The condition keeps concurrent requests from writing twice.
 */
export async function touchApiKey(key: ApiKey, now = new Date(), db: Db = getDb()) {
  if (key.lastUsedAt && now.getTime() - key.lastUsedAt.getTime() < TOUCH_INTERVAL_MS) return;
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(and(eq(apiKeys.id, key.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(now.getTime() - TOUCH_INTERVAL_MS)))));
}

/** Who did it, in the audit log, when a key did it. */
export const apiActor = (key: Pick<ApiKey, "name" | "prefix">): Actor => ({ type: "system", label: `API key ${key.name} (${key.prefix}…)` });
