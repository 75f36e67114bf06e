import { and, desc, eq } from "drizzle-orm";
import { customers } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { getCustomer } from "~/customers/customers.server";
import { customerSummary } from "~/ledger/statements.server";
import { afterCursor, cursorKey, decodeCursor, pageOf } from "~/utils/cursor.server";

/** Customers as the API lists them: newest first, keyset-paginated on (created_at, id). */
export async function listCustomersPage(
  { after, limit, accountNumber, externalRef }: { after?: string; limit: number; accountNumber?: string; externalRef?: string },
  db: Db = getDb(),
) {
  const rows = await db
    .select({ customer: customers, id: customers.id, cursorAt: cursorKey(customers.createdAt) })
    .from(customers)
    .where(
      and(
        accountNumber ? eq(customers.accountNumber, accountNumber) : undefined,
        externalRef ? eq(customers.externalRef, externalRef) : undefined,
        afterCursor(customers.createdAt, customers.id, decodeCursor(after)),
      ),
    )
    .orderBy(desc(customers.createdAt), desc(customers.id))
    .limit(limit + 1);
  const { page, nextCursor } = pageOf(rows, limit);
  return { customers: page.map((row) => row.customer), nextCursor };
}

/** A customer with what they owe today. */
export async function getCustomerWithBalance(customerId: string, db: Db = getDb()) {
  const [found, summary] = await Promise.all([getCustomer(customerId, db), customerSummary(customerId, undefined, db)]);
  return found ? { customer: found.customer, summary } : null;
}
