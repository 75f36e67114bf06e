import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { customers, portalUsers, settings, staffUsers } from "~db/schema";
import { getDb } from "~db/client";
import { DEMO_PASSWORD, demoPortalEmail, isEmpty, seed } from "~db/seed";
import { passwords } from "~/auth/crypto.server";

async function snapshot() {
  const db = getDb();
  return {
    staff: await db.select().from(staffUsers).orderBy(asc(staffUsers.email)),
    customers: await db.select().from(customers).orderBy(asc(customers.accountNumber)),
    contacts: await db.select().from(portalUsers).orderBy(asc(portalUsers.email)),
    settings: await db.select().from(settings).orderBy(asc(settings.key)),
  };
}

describe("demo data", () => {
  it("creates a believable business, and a second run changes nothing", async () => {
    const db = getDb();
    expect(await isEmpty(db)).toBe(true);
    await seed(db);
    const first = await snapshot();
    expect(first.customers.length).toBeGreaterThanOrEqual(50);
    expect(new Set(first.staff.map((s) => s.role))).toEqual(new Set(["admin", "clerk", "viewer"]));
    expect(first.contacts.length).toBeGreaterThanOrEqual(first.customers.length);
    expect(new Set(first.contacts.map((c) => c.customerId)).size).toBe(first.customers.length);
    expect(new Set(first.customers.map((c) => c.name)).size).toBe(first.customers.length);

    await seed(db);
    expect(await snapshot()).toEqual(first);
  });

  it("gives the demo sign-ins the printed password", async () => {
    await seed(getDb());
    const [admin] = await getDb().select().from(staffUsers).where(eq(staffUsers.role, "admin"));
    expect(await passwords.verify(admin!.passwordHash, DEMO_PASSWORD)).toBe(true);
    const [dana] = await getDb().select().from(portalUsers).where(eq(portalUsers.email, demoPortalEmail));
    expect(await passwords.verify(dana!.passwordHash!, DEMO_PASSWORD)).toBe(true);
  });
});
