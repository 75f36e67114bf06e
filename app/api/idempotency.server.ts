import { sha256 } from "@oslojs/crypto/sha2";
import { encodeHexLowerCase } from "@oslojs/encoding";
import { getDb, type Db } from "~db/client";
import type { Actor } from "~/audit/audit.server";
import { once } from "~/utils/once.server";

export type ApiResource = "customer" | "invoice" | "payment";

/**
 * Creates something at most once per Idempotency-Key: a retry gets the first result back, and
 * the same key with another request is refused (a fingerprint of the request is kept with it).
 */
export async function createOnce(
  { key, resource, request }: { key: string | null; resource: ApiResource; request: unknown; actor: Actor },
  create: (db: Db) => Promise<{ id: string; customerId?: string }>,
  db: Db = getDb(),
): Promise<{ id: string; created: boolean }> {
  if (!key) return { id: (await create(db)).id, created: true };
  const fingerprint = encodeHexLowerCase(sha256(new TextEncoder().encode(JSON.stringify(request))));
  const { value, created } = await once({ key: `api:${key}`, resource, fingerprint, field: "Idempotency-Key" }, db, create, async (id) => ({ id }));
  return { id: value.id, created };
}
