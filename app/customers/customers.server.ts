import { and, asc, count, desc, eq, exists, gt, ilike, inArray, isNull, lt, ne, notExists, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { customerBalances, customers, invoices, payments, portalUsers, staffUsers, type Customer } from "~db/schema";
import { getDb, rowsOf, type Db } from "~db/client";
import { listAudit, recordAudit, type Actor } from "~/audit/audit.server";
import { describeAudit } from "~/audit/describe";
import { liftHolds, placeHold } from "~/collections/holds.server";
import { listCreditNotes } from "~/ledger/credit-notes.server";
import { methodLabels } from "~/ledger/payments.server";
import { customerSummary } from "~/ledger/statements.server";
import { invoiceDisplayStatus } from "~/ledger/status";
import { today, type IsoDate } from "~/utils/dates";
import { DomainError } from "~/utils/errors";

export const CUSTOMER_PAGE_SIZE = 25;

export const customerSorts = ["account", "name", "balance", "overdue"] as const;
export type CustomerSort = (typeof customerSorts)[number];
/** "balance": owes something; "credit": has unapplied cash or credits. */
export type CustomerShow = "all" | "balance" | "overdue" | "hold" | "credit";

export type CustomerListQuery = {
  q?: string;
  currency?: string;
  /** A staff user id, or "none" for customers nobody collects. */
  collector?: string;
  show?: CustomerShow;
  sort?: CustomerSort;
  after?: string;
  limit?: number;
  asOf?: IsoDate;
};

function likePattern(q: string) {
  return `%${q.replace(/[\\%_]/g, "\\$&")}%`;
}

const cursorSchema = z.tuple([z.enum(customerSorts), z.union([z.string().max(200), z.number().int()]), z.uuid()]);

function encodeListCursor(sort: CustomerSort, key: string | number, id: string) {
  return Buffer.from(JSON.stringify([sort, key, id])).toString("base64url");
}

/** A cursor made for another sort, or tampered with, reads as "first page". */
function decodeListCursor(cursor: string | undefined, sort: CustomerSort) {
  if (!cursor) return null;
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString()));
    if (!parsed.success || parsed.data[0] !== sort) return null;
    const [, key, id] = parsed.data;
    if ((sort === "account" || sort === "name") !== (typeof key === "string")) return null;
    return { key, id };
  } catch {
    return null;
  }
}

const overdueSql = (asOf: IsoDate) => and(eq(invoices.status, "open"), lt(invoices.dueDate, asOf));

/** What each row of the list shows, whatever the sort. */
const listColumns = {
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
  balanceMinor: sql`${customerBalances.balanceMinor}`.mapWith(Number),
  unappliedMinor: customerBalances.unappliedMinor,
};

/**
 * A page of customers, keyset-paginated on the sort key and id, so page N costs what page 1
 * does at any size, in one query. Balances come from the running totals; overdue amounts from
 * the open invoices (of the page's customers, or of everyone when sorting by it).
 */
export async function listCustomers(
  { q, currency, collector, show = "all", sort = "account", after, limit = CUSTOMER_PAGE_SIZE, asOf = today() }: CustomerListQuery,
  db: Db = getDb(),
) {
  const balance = sql`${customerBalances.balanceMinor}`;
  const descending = sort === "balance" || sort === "overdue";

  const conditions: (SQL | undefined)[] = [];
  if (q) {
    const like = likePattern(q);
    conditions.push(or(ilike(customers.name, like), ilike(customers.accountNumber, like), ilike(customers.email, like), ilike(customers.externalRef, like)));
  }
  if (currency) conditions.push(eq(customers.currency, currency));
  if (collector === "none") conditions.push(isNull(customers.collectorId));
  else if (collector) conditions.push(eq(customers.collectorId, collector));
  if (show === "balance") conditions.push(gt(customerBalances.balanceMinor, 0));
  if (show === "credit") conditions.push(gt(customerBalances.unappliedMinor, 0));
  if (show === "hold") conditions.push(eq(customers.creditHold, true));
  if (show === "overdue" && sort !== "overdue") {
    conditions.push(exists(db.select({ one: sql`1` }).from(invoices).where(and(eq(invoices.customerId, customers.id), overdueSql(asOf)))));
  }
  const cursor = decodeListCursor(after, sort);

  if (sort === "overdue") return listByOverdue({ conditions, cursor, show, limit, asOf }, db);

  const sortKey = { account: sql`${customers.accountNumber}`, name: sql`lower(${customers.name})`, balance }[sort];
  if (cursor) {
    // Account numbers are unique; every other key is made unique by the id.
    if (sort === "account") conditions.push(gt(customers.accountNumber, String(cursor.key)));
    else if (descending) conditions.push(sql`(${sortKey}, ${customers.id}) < (${cursor.key}, ${cursor.id}::uuid)`);
    else conditions.push(sql`(${sortKey}, ${customers.id}) > (${cursor.key}, ${cursor.id}::uuid)`);
  }
  const rows = await db
    .select({
      ...listColumns,
      // Worked out only for the rows of the page (PostgreSQL evaluates it after the limit), from the index alone.
      overdueMinor: sql`(${db
        .select({ sum: sql`coalesce(sum(${invoices.openMinor}), 0)` })
        .from(invoices)
        .where(and(eq(invoices.customerId, customers.id), overdueSql(asOf)))})`.mapWith(Number),
      // The sort key exactly as the database compares it, for the next page's cursor.
      cursorKey: sql`${sortKey}`.mapWith(descending ? Number : String),
    })
    .from(customers)
    .leftJoin(staffUsers, eq(customers.collectorId, staffUsers.id))
    .innerJoin(customerBalances, eq(customerBalances.customerId, customers.id))
    .where(and(...conditions))
    .orderBy(...(sort === "account" ? [asc(customers.accountNumber)] : descending ? [desc(sortKey), desc(customers.id)] : [asc(sortKey), asc(customers.id)]))
    .limit(limit + 1);
  const page = rows.slice(0, limit).map(({ cursorKey: _key, ...row }) => row);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return { customers: page, nextCursor: last ? encodeListCursor(sort, last.cursorKey, last.id) : undefined };
}

/**
 * The list sorted by overdue amount, largest first, in two parts: customers with something
 * overdue, summed from the open invoices' index alone; then, once those run out, everyone else
 * (nothing overdue) by id. Without filters on the customer, only the page's sums are joined to
 * their customers: joining all 100,000 before sorting cost more than the sums themselves.
 */
async function listByOverdue(
  { conditions, cursor, show, limit, asOf }: { conditions: (SQL | undefined)[]; cursor: { key: string | number; id: string } | null; show: CustomerShow; limit: number; asOf: IsoDate },
  db: Db,
) {
  const overdueSum = sql`sum(${invoices.openMinor})`;
  const filtered = conditions.some((c) => c !== undefined);
  // Open amounts are never negative (a database check), so "nothing overdue" is a sum of 0.
  const totals = db
    .select({ customerId: invoices.customerId, overdueMinor: sql<string>`${overdueSum}`.as("overdue_minor") })
    .from(invoices)
    .where(overdueSql(asOf))
    .groupBy(invoices.customerId)
    .having(and(sql`${overdueSum} > 0`, cursor ? sql`(${overdueSum}, ${invoices.customerId}) < (${cursor.key}, ${cursor.id}::uuid)` : undefined))
    .$dynamic();
  const overdueTotals = (filtered ? totals : totals.orderBy(desc(overdueSum), desc(invoices.customerId)).limit(limit + 1)).as("overdue_totals");
  const inZeros = cursor !== null && Number(cursor.key) <= 0;
  const owing = inZeros
    ? []
    : await db.transaction(async (tx) => {
        // The planner would hash every customer's sum, spilling past work_mem at 100,000 customers;
        // invoices_customer_open_idx yields the open invoices customer by customer, so summing them
        // as they come takes half the time. For this transaction only.
        await tx.execute(sql`set local enable_hashagg = off`);
        return tx
          .select({ ...listColumns, overdueMinor: sql`${overdueTotals.overdueMinor}`.mapWith(Number) })
          .from(overdueTotals)
          .innerJoin(customers, eq(customers.id, overdueTotals.customerId))
          .innerJoin(customerBalances, eq(customerBalances.customerId, customers.id))
          .leftJoin(staffUsers, eq(customers.collectorId, staffUsers.id))
          .where(and(...conditions))
          .orderBy(desc(overdueTotals.overdueMinor), desc(customers.id))
          .limit(limit + 1);
      });
  const rest =
    owing.length > limit || show === "overdue"
      ? []
      : await db
          .select({ ...listColumns, overdueMinor: sql<number>`0`.mapWith(Number) })
          .from(customers)
          .innerJoin(customerBalances, eq(customerBalances.customerId, customers.id))
          .leftJoin(staffUsers, eq(customers.collectorId, staffUsers.id))
          .where(
            and(
              ...conditions,
              notExists(db.select({ one: sql`1` }).from(invoices).where(and(eq(invoices.customerId, customers.id), overdueSql(asOf), gt(invoices.openMinor, 0)))),
              inZeros ? lt(customers.id, cursor.id) : undefined,
            ),
          )
          .orderBy(desc(customers.id))
          .limit(limit + 1 - owing.length);
  const rows = [...owing, ...rest];
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return { customers: rows.slice(0, limit), nextCursor: last ? encodeListCursor("overdue", last.overdueMinor, last.id) : undefined };
}

/** The customers list page: a page of customers and the choices its filters offer. */
export async function listCustomerPage(query: CustomerListQuery, db: Db = getDb()) {
  const [page, collectors, currencies] = await Promise.all([listCustomers(query, db), listCollectors(db), listCustomerCurrencies(db)]);
  return { ...page, collectors, currencies };
}

/** Staff who can be given customers to collect: clerks and admins who can still sign in. */
export async function listCollectors(db: Db = getDb()) {
  return db
    .select({ id: staffUsers.id, name: staffUsers.name })
    .from(staffUsers)
    .where(and(inArray(staffUsers.role, ["clerk", "admin"]), isNull(staffUsers.disabledAt)))
    .orderBy(asc(staffUsers.name));
}

/** The currencies customers are billed in, for the list's filter. */
export async function listCustomerCurrencies(db: Db = getDb()) {
  const rows = await db.selectDistinct({ currency: customers.currency }).from(customers).orderBy(asc(customers.currency));
  return rows.map((r) => r.currency);
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

/** Whether the customer has anything in the books; from then on the currency is fixed (ADR 009). */
export async function customerHasBooks(customerId: string, db: Db = getDb()) {
  const [used] = await db.select({ id: invoices.id }).from(invoices).where(eq(invoices.customerId, customerId)).limit(1);
  if (used) return true;
  const [paid] = await db.select({ id: payments.id }).from(payments).where(eq(payments.customerId, customerId)).limit(1);
  return Boolean(paid);
}

/** The customer as the edit form needs it; a collector who can no longer collect stays selectable. */
export async function getCustomerForEdit(customerId: string, db: Db = getDb()) {
  const found = await getCustomer(customerId, db);
  if (!found) return null;
  const [collectors, currencyLocked] = await Promise.all([listCollectors(db), customerHasBooks(customerId, db)]);
  const { collectorId } = found.customer;
  const current = collectorId && !collectors.some((c) => c.id === collectorId) ? [{ id: collectorId, name: found.collectorName ?? "Former collector", inactive: true }] : [];
  return { customer: found.customer, collectors: [...collectors, ...current], currencyLocked };
}

export const OPEN_INVOICES_SHOWN = 10;
export const RECENT_SHOWN = 10;
export const ACTIVITY_PAGE_SIZE = 20;

/** Staff and portal users' names by id, so the timeline says who rather than an email address. */
async function actorNames(entries: { actorType: string; actorId: string | null }[], db: Db) {
  const ids = (type: string) => [...new Set(entries.filter((e) => e.actorType === type && e.actorId).map((e) => e.actorId!))];
  const [staff, portal] = await Promise.all([
    ids("staff").length ? db.select({ id: staffUsers.id, name: staffUsers.name }).from(staffUsers).where(inArray(staffUsers.id, ids("staff"))) : [],
    ids("portal").length ? db.select({ id: portalUsers.id, name: portalUsers.name }).from(portalUsers).where(inArray(portalUsers.id, ids("portal"))) : [],
  ]);
  return new Map([...staff, ...portal].map((u) => [u.id, u.name]));
}

/**
 * Everything a customer's page shows, in a fixed number of queries: the account, its figures,
 * the first open invoices by due date, the latest payments and credits, contacts, and one page of
 * the account's activity in words (newest first, older pages by `activityBefore`).
 */
export async function getCustomerOverview(customerId: string, { activityBefore, asOf = today() }: { activityBefore?: number; asOf?: IsoDate } = {}, db: Db = getDb()) {
  const found = await getCustomer(customerId, db);
  if (!found) return null;
  const { customer } = found;
  const [summary, openInvoices, recentPayments, creditNotes, contacts, audit] = await Promise.all([
    customerSummary(customerId, asOf, db),
    db
      .select({ id: invoices.id, number: invoices.number, status: invoices.status, issueDate: invoices.issueDate, dueDate: invoices.dueDate, totalMinor: invoices.totalMinor, openMinor: invoices.openMinor })
      .from(invoices)
      .where(and(eq(invoices.customerId, customerId), eq(invoices.status, "open")))
      .orderBy(asc(invoices.dueDate), asc(invoices.number))
      .limit(OPEN_INVOICES_SHOWN),
    db
      .select({
        id: payments.id,
        amountMinor: payments.amountMinor,
        allocatedMinor: payments.allocatedMinor,
        refundedMinor: payments.refundedMinor,
        method: payments.method,
        reference: payments.reference,
        receivedOn: payments.receivedOn,
        status: payments.status,
      })
      .from(payments)
      .where(eq(payments.customerId, customerId))
      .orderBy(desc(payments.receivedOn), desc(payments.createdAt))
      .limit(RECENT_SHOWN + 1),
    listCreditNotes({ customerId, limit: RECENT_SHOWN }, db),
    listContacts(customerId, db),
    listAudit({ customerId, before: activityBefore, limit: ACTIVITY_PAGE_SIZE + 1 }, db),
  ]);
  const page = audit.slice(0, ACTIVITY_PAGE_SIZE);
  // An invoice drafted and issued in one go reads as its issue alone.
  const issued = new Set(page.filter((e) => e.action === "invoice.issue").map((e) => e.entityId));
  const entries = page.filter((e) => !(e.action === "invoice.create_draft" && issued.has(e.entityId)));
  const names = await actorNames(entries, db);
  return {
    ...found,
    summary: summary!,
    openInvoices: openInvoices.map((invoice) => ({ ...invoice, displayStatus: invoiceDisplayStatus(invoice, asOf) })),
    payments: recentPayments.slice(0, RECENT_SHOWN).map((p) => ({
      ...p,
      methodLabel: methodLabels[p.method],
      unappliedMinor: p.status === "received" ? p.amountMinor - p.allocatedMinor - p.refundedMinor : 0,
    })),
    morePayments: recentPayments.length > RECENT_SHOWN,
    creditNotes: creditNotes.map((note) => ({
      ...note,
      unappliedMinor: note.voidedAt ? 0 : note.totalMinor - note.allocatedMinor - note.refundedMinor,
    })),
    contacts,
    activity: entries.map((entry) => ({
      id: entry.id,
      at: entry.at,
      text: describeAudit({ ...entry, actorName: entry.actorId ? names.get(entry.actorId) : undefined }, customer.currency),
    })),
    olderActivity: audit.length > ACTIVITY_PAGE_SIZE ? page.at(-1)!.id : undefined,
  };
}

export type CustomerWrite = import("./customer-schema").CustomerInput;

async function nextAccountNumber(db: Db) {
  // Two customers created at once would otherwise both take the same next number.
  await db.execute(sql`select pg_advisory_xact_lock(hashtext('settle:customer-account-number'))`);
  const [row] = rowsOf<{ n: string | null }>(
    await db.execute(sql`select max(substring(account_number from 3)::bigint) as n from customers where account_number ~ '^C-[0-9]+$'`),
  );
  return `C-${Number(row?.n ?? 10000) + 1}`;
}

async function checkUnique(input: CustomerWrite, except: Customer | null, db: Db) {
  const exceptId = except?.id ?? null;
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
  // A collector who has since left keeps the customers they had until someone reassigns them.
  if (input.collectorId && input.collectorId !== except?.collectorId) {
    const [collector] = await db.select({ role: staffUsers.role, disabledAt: staffUsers.disabledAt }).from(staffUsers).where(eq(staffUsers.id, input.collectorId));
    if (!collector || collector.disabledAt || collector.role === "viewer") throw new DomainError("invalid", "Collector must be a clerk or an admin", "collectorId");
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

const HOLD_FROM_START = "On hold from when the account was opened";
const HOLD_ON_EDIT = "Put on hold when the account's details were edited";
const LIFT_ON_EDIT = "Taken off hold when the account's details were edited";

export async function createCustomer(input: CustomerWrite, actor: Actor, db: Db = getDb()): Promise<Customer> {
  return db.transaction(async (tx) => {
    await checkUnique(input, null, tx);
    const accountNumber = input.accountNumber ?? (await nextAccountNumber(tx));
    const { creditHold, ...rest } = columns(input);
    const [created] = await tx.insert(customers).values({ accountNumber, ...rest, creditHold: false }).returning();
    await recordAudit({ actor, action: "customer.create", entityType: "customer", entityId: created!.id, customerId: created!.id, after: { accountNumber, ...columns(input) } }, tx);
    if (!creditHold) return created!;
    // A hold is a row with its reason (app/collections/holds.server.ts); the flag follows it.
    await placeHold({ customerId: created!.id, reason: HOLD_FROM_START, source: "manual" }, actor, tx);
    const [held] = await tx.select().from(customers).where(eq(customers.id, created!.id));
    return held!;
  });
}

/** Edits a customer. The currency is fixed once the customer has anything in the books (ADR 009). */
export async function updateCustomer(customerId: string, input: CustomerWrite, actor: Actor, db: Db = getDb()): Promise<Customer> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(customers).where(eq(customers.id, customerId)).for("update");
    if (!before) throw new DomainError("not_found", "Customer not found");
    const accountNumber = input.accountNumber ?? before.accountNumber;
    await checkUnique({ ...input, accountNumber }, before, tx);
    if (input.currency !== before.currency && (await customerHasBooks(customerId, tx))) {
      throw new DomainError("conflict", `The currency stays ${before.currency}: the customer already has invoices or payments`, "currency");
    }
    const { creditHold, ...next } = { accountNumber, ...columns(input) };
    await tx
      .update(customers)
      .set({ ...next, updatedAt: new Date() })
      .where(eq(customers.id, customerId));
    // Ticking or clearing "On credit hold" places or lifts a manual hold, audited as such, so the
    // account's holds keep their reasons; the flag itself is written only by holds.server.ts.
    if (creditHold && !before.creditHold) await placeHold({ customerId, reason: HOLD_ON_EDIT, source: "manual" }, actor, tx);
    if (!creditHold && before.creditHold) await liftHolds({ customerId, note: LIFT_ON_EDIT }, actor, tx);
    const changed = Object.fromEntries(Object.entries(next).filter(([k, v]) => (before as Record<string, unknown>)[k] !== v));
    const was = Object.fromEntries(Object.keys(changed).map((k) => [k, (before as Record<string, unknown>)[k]]));
    if (Object.keys(changed).length > 0) {
      await recordAudit({ actor, action: "customer.update", entityType: "customer", entityId: customerId, customerId, before: was, after: changed }, tx);
    }
    const [after] = await tx.select().from(customers).where(eq(customers.id, customerId));
    return after!;
  });
}
