import { and, asc, count, eq, gt, ilike, or, sql } from "drizzle-orm";
import { customers, portalUsers, staffUsers } from "~db/schema";
import { getDb, type Db } from "~db/client";

export const CUSTOMER_PAGE_SIZE = 25;

function likePattern(q: string) {
  return `%${q.replace(/[\\%_]/g, "\\$&")}%`;
}

/** Keyset-paginated by account number, so page N costs the same as page 1 at any size. */
export async function listCustomers(
  { q, after, limit = CUSTOMER_PAGE_SIZE }: { q?: string; after?: string; limit?: number },
  db: Db = getDb(),
) {
  const search = q
    ? or(ilike(customers.name, likePattern(q)), ilike(customers.accountNumber, likePattern(q)), ilike(customers.email, likePattern(q)))
    : undefined;
  const rows = await db
    .select({
      id: customers.id,
      accountNumber: customers.accountNumber,
      name: customers.name,
      email: customers.email,
      currency: customers.currency,
      paymentTermsDays: customers.paymentTermsDays,
      earlyDiscountBps: customers.earlyDiscountBps,
      earlyDiscountDays: customers.earlyDiscountDays,
      creditHold: customers.creditHold,
      status: customers.status,
      collectorName: staffUsers.name,
    })
    .from(customers)
    .leftJoin(staffUsers, eq(customers.collectorId, staffUsers.id))
    .where(and(search, after ? gt(customers.accountNumber, after) : undefined))
    .orderBy(asc(customers.accountNumber))
    .limit(limit + 1);
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit);
  return { customers: page, nextCursor: hasMore ? page.at(-1)?.accountNumber : undefined };
}

export async function countCustomers(db: Db = getDb()) {
  const [row] = await db.select({ value: count() }).from(customers);
  return row?.value ?? 0;
}

export async function getCustomer(id: string, db: Db = getDb()) {
  const [row] = await db
    .select({ customer: customers, collectorName: staffUsers.name })
    .from(customers)
    .leftJoin(staffUsers, eq(customers.collectorId, staffUsers.id))
    .where(eq(customers.id, id));
  return row ?? null;
}

export async function listContacts(customerId: string, db: Db = getDb()) {
  return db
    .select({
      id: portalUsers.id,
      name: portalUsers.name,
      email: portalUsers.email,
      role: portalUsers.role,
      invitedAt: portalUsers.invitedAt,
      lastSignInAt: portalUsers.lastSignInAt,
      disabledAt: portalUsers.disabledAt,
      hasPassword: sql<boolean>`${portalUsers.passwordHash} is not null`,
    })
    .from(portalUsers)
    .where(eq(portalUsers.customerId, customerId))
    .orderBy(asc(portalUsers.name));
}
