import { and, asc, count, eq, gt, ilike, ne, or, sql } from "drizzle-orm";
import { customers, invoices, payments, portalUsers, staffUsers, type Customer } from "~db/schema";
import { getDb, rowsOf, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import { DomainError } from "~/utils/errors";

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

export type CustomerWrite = import("./customer-schema").CustomerInput;

async function nextAccountNumber(db: Db) {
  const [row] = rowsOf<{ n: string | null }>(
    await db.execute(sql`select max(substring(account_number from 3)::bigint) as n from customers where account_number ~ '^C-[0-9]+$'`),
  );
  return `C-${Number(row?.n ?? 10000) + 1}`;
}

async function checkUnique(input: CustomerWrite, exceptId: string | null, db: Db) {
  const clash = await db
    .select({ id: customers.id, accountNumber: customers.accountNumber, externalRef: customers.externalRef })
    .from(customers)
    .where(
      and(
        or(input.accountNumber ? eq(customers.accountNumber, input.accountNumber) : undefined, input.externalRef ? eq(customers.externalRef, input.externalRef) : undefined),
        exceptId ? ne(customers.id, exceptId) : undefined,
      ),
    );
  for (const row of clash) {
    if (input.accountNumber && row.accountNumber === input.accountNumber) throw new DomainError("conflict", `Account number ${input.accountNumber} is already used`, "accountNumber");
    if (input.externalRef && row.externalRef === input.externalRef) throw new DomainError("conflict", `External reference ${input.externalRef} is already used`, "externalRef");
  }
  if (input.collectorId) {
    const [collector] = await db.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.id, input.collectorId));
    if (!collector) throw new DomainError("invalid", "Collector must be one of the staff", "collectorId");
  }
}

function columns(input: CustomerWrite) {
  return {
    name: input.name,
    legalName: input.legalName ?? null,
    email: input.email ?? null,
    phone: input.phone ?? null,
    addressLine1: input.addressLine1 ?? null,
    addressLine2: input.addressLine2 ?? null,
    city: input.city ?? null,
    region: input.region ?? null,
    postalCode: input.postalCode ?? null,
    country: input.country ?? null,
    currency: input.currency,
    paymentTermsDays: input.paymentTermsDays,
    earlyDiscountBps: input.earlyDiscountBps,
    earlyDiscountDays: input.earlyDiscountDays,
    creditLimitMinor: input.creditLimitMinor,
    creditHold: input.creditHold,
    taxId: input.taxId ?? null,
    externalRef: input.externalRef ?? null,
    segment: input.segment ?? null,
    timeZone: input.timeZone,
    collectorId: input.collectorId ?? null,
  };
}

export async function createCustomer(input: CustomerWrite, actor: Actor, db: Db = getDb()): Promise<Customer> {
  return db.transaction(async (tx) => {
    await checkUnique(input, null, tx);
    const accountNumber = input.accountNumber ?? (await nextAccountNumber(tx));
    const [customer] = await tx.insert(customers).values({ accountNumber, ...columns(input) }).returning();
    await recordAudit({ actor, action: "customer.create", entityType: "customer", entityId: customer!.id, customerId: customer!.id, after: columns(input) }, tx);
    return customer!;
  });
}

/** Edits a customer. The currency is fixed once the customer has anything in the books (ADR 009). */
export async function updateCustomer(customerId: string, input: CustomerWrite, actor: Actor, db: Db = getDb()): Promise<Customer> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(customers).where(eq(customers.id, customerId)).for("update");
    if (!before) throw new DomainError("not_found", "Customer not found");
    await checkUnique({ ...input, accountNumber: input.accountNumber ?? before.accountNumber }, customerId, tx);
    if (input.currency !== before.currency) {
      const [used] = await tx.select({ id: invoices.id }).from(invoices).where(eq(invoices.customerId, customerId)).limit(1);
      const [paid] = await tx.select({ id: payments.id }).from(payments).where(eq(payments.customerId, customerId)).limit(1);
      if (used || paid) throw new DomainError("conflict", `The currency stays ${before.currency}: the customer already has invoices or payments`, "currency");
    }
    const [after] = await tx
      .update(customers)
      .set({ accountNumber: input.accountNumber ?? before.accountNumber, ...columns(input), updatedAt: new Date() })
      .where(eq(customers.id, customerId))
      .returning();
    const changed = Object.fromEntries(Object.entries(columns(input)).filter(([k, v]) => (before as Record<string, unknown>)[k] !== v));
    const was = Object.fromEntries(Object.keys(changed).map((k) => [k, (before as Record<string, unknown>)[k]]));
    if (Object.keys(changed).length > 0) {
      await recordAudit({ actor, action: "customer.update", entityType: "customer", entityId: customerId, customerId, before: was, after: changed }, tx);
    }
    return after!;
  });
}
