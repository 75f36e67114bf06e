import { eq } from "drizzle-orm";
import { operationKeys } from "~db/schema";
import type { Db } from "~db/client";
import { DomainError } from "./errors";

/**
 * Creates something at most once per idempotency key: the key is claimed in the creating
 * transaction, so a concurrent retry waits for the first and then gets its result; a refused
 * first attempt leaves no key behind. With a fingerprint, reusing a key for a different request
 * is refused.
 */
export async function once<T extends { id: string }>(
  { key, resource, fingerprint, field = "idempotencyKey" }: { key: string; resource: string; fingerprint?: string; field?: string },
  db: Db,
  create: (tx: Db) => Promise<T>,
  load: (id: string, tx: Db) => Promise<T>,
): Promise<{ value: T; created: boolean }> {
  return db.transaction(async (tx) => {
    const [claimed] = await tx.insert(operationKeys).values({ key, resource, fingerprint }).onConflictDoNothing().returning({ key: operationKeys.key });
    if (!claimed) {
      const [first] = await tx.select().from(operationKeys).where(eq(operationKeys.key, key));
      if (!first?.resourceId || first.resource !== resource || (fingerprint !== undefined && first.fingerprint !== fingerprint)) {
        throw new DomainError("conflict", `This ${field === "idempotencyKey" ? "idempotency key" : field} was already used for a different request`, field);
      }
      return { value: await load(first.resourceId, tx), created: false };
    }
    const value = await create(tx);
    await tx.update(operationKeys).set({ resourceId: value.id }).where(eq(operationKeys.key, key));
    return { value, created: true };
  });
}
