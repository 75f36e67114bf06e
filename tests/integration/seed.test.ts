import { asc, count, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { customers, invoices, journalEntries, payments, portalUsers, settings, staffUsers } from "~db/schema";
import { getDb, rowsOf } from "~db/client";
import { DEMO_PASSWORD, demoPortalEmail, isEmpty, seed } from "~db/seed";
import { passwords } from "~/auth/crypto.server";
import { ledgerViolations } from "./ledger-invariants";

const countOf = (rows: { n: number }[]) => rows[0]?.n ?? 0;

async function snapshot() {
  const db = getDb();
  return {
    staff: await db.select().from(staffUsers).orderBy(asc(staffUsers.email)),
    customers: await db.select().from(customers).orderBy(asc(customers.accountNumber)),
    contacts: await db.select().from(portalUsers).orderBy(asc(portalUsers.email)),
    settings: await db.select().from(settings).orderBy(asc(settings.key)),
    invoices: await db.select({ n: count() }).from(invoices),
    payments: await db.select({ n: count() }).from(payments),
    entries: await db.select({ n: count() }).from(journalEntries),
  };
}

describe("demo data", () => {
  it("creates a believable business with a year of receivables that keep every ledger rule; a second run changes nothing", async () => {
    const db = getDb();
    expect(await isEmpty(db)).toBe(true);
    await seed(db);
    const first = await snapshot();
    expect(first.customers.length).toBeGreaterThanOrEqual(50);
    expect(new Set(first.staff.map((s) => s.role))).toEqual(new Set(["admin", "clerk", "viewer"]));
    expect(first.contacts.length).toBeGreaterThanOrEqual(first.customers.length);
    expect(new Set(first.contacts.map((c) => c.customerId)).size).toBe(first.customers.length);
    expect(new Set(first.customers.map((c) => c.name)).size).toBe(first.customers.length);

    expect(countOf(await db.select({ n: count() }).from(invoices))).toBeGreaterThanOrEqual(2000);
    const statuses = await db.select({ status: invoices.status, n: count() }).from(invoices).groupBy(invoices.status);
    expect(new Set(statuses.map((s) => s.status))).toEqual(new Set(["open", "paid", "written_off"]));
    // Late, partial and missing payments leave money open in every aging bucket, and some is unapplied.
    const [aging] = rowsOf<{ buckets: number; unapplied: number }>(
      await db.execute(sql`
        select (select count(distinct least(4, greatest(0, ceil((current_date - due_date) / 30.0))))::int from invoices where status = 'open') as buckets,
               (select count(*)::int from customer_balances where unapplied_minor > 0) as unapplied`),
    );
    expect(aging).toMatchObject({ buckets: 5 });
    expect(aging!.unapplied).toBeGreaterThan(0);
    expect(await ledgerViolations()).toEqual([]);

    await seed(db);
    expect(await snapshot()).toEqual(first);
  }, 300_000);

  it("gives the demo sign-ins the printed password", async () => {
    await seed(getDb(), { history: false });
    const [admin] = await getDb().select().from(staffUsers).where(eq(staffUsers.role, "admin"));
    expect(await passwords.verify(admin!.passwordHash, DEMO_PASSWORD)).toBe(true);
    const [dana] = await getDb().select().from(portalUsers).where(eq(portalUsers.email, demoPortalEmail));
    expect(await passwords.verify(dana!.passwordHash!, DEMO_PASSWORD)).toBe(true);
  });
});
