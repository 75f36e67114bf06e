import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sessions, staffUsers } from "~db/schema";
import { getDb } from "~db/client";
import { hashToken } from "~/auth/crypto.server";
import { createSession, invalidateAllSessions, sessionLifetime, validateSessionToken } from "~/auth/session.server";
import { createContact, createCustomer, createStaff } from "./factories";

describe("sessions", () => {
  it("stores only the SHA-256 of the token, and the token validates", async () => {
    const staff = await createStaff();
    const { token, session } = await createSession({ audience: "staff", staffUserId: staff.id });
    expect(session.id).toBe(hashToken(token));
    expect(session.id).not.toContain(token);
    const rows = await getDb().select().from(sessions);
    expect(rows.map((r) => r.id)).toEqual([hashToken(token)]);
    const found = await validateSessionToken(token, "staff");
    expect(found?.user.id).toBe(staff.id);
  });

  it("refuses a stolen database row used as a cookie", async () => {
    const staff = await createStaff();
    await createSession({ audience: "staff", staffUserId: staff.id });
    const [row] = await getDb().select().from(sessions);
    expect(await validateSessionToken(row!.id, "staff")).toBeNull();
  });

  it("does not let a portal token open the back office, or the reverse", async () => {
    const customer = await createCustomer();
    const contact = await createContact({ customerId: customer.id });
    const staff = await createStaff();
    const portal = await createSession({ audience: "portal", portalUserId: contact.id });
    const back = await createSession({ audience: "staff", staffUserId: staff.id });
    expect(await validateSessionToken(portal.token, "staff")).toBeNull();
    expect(await validateSessionToken(back.token, "portal")).toBeNull();
    expect((await validateSessionToken(portal.token, "portal"))?.customer.id).toBe(customer.id);
  });

  it("deletes an expired session and extends one used in the second half of its life", async () => {
    const staff = await createStaff();
    const db = getDb();
    const expired = await createSession({ audience: "staff", staffUserId: staff.id });
    await db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.id, expired.session.id));
    expect(await validateSessionToken(expired.token, "staff")).toBeNull();
    expect(await db.select().from(sessions).where(eq(sessions.id, expired.session.id))).toHaveLength(0);

    const ageing = await createSession({ audience: "staff", staffUserId: staff.id });
    const soon = new Date(Date.now() + 60_000);
    await db.update(sessions).set({ expiresAt: soon }).where(eq(sessions.id, ageing.session.id));
    const renewed = await validateSessionToken(ageing.token, "staff");
    expect(renewed!.session.expiresAt.getTime()).toBeGreaterThan(Date.now() + sessionLifetime.staff - 60_000);
    const [stored] = await db.select().from(sessions).where(eq(sessions.id, ageing.session.id));
    expect(stored!.expiresAt.getTime()).toBe(renewed!.session.expiresAt.getTime());
  });

  it("signs a person out everywhere and leaves other people signed in", async () => {
    const alice = await createStaff();
    const bob = await createStaff();
    const a1 = await createSession({ audience: "staff", staffUserId: alice.id });
    const a2 = await createSession({ audience: "staff", staffUserId: alice.id });
    const b1 = await createSession({ audience: "staff", staffUserId: bob.id });
    expect(await invalidateAllSessions({ audience: "staff", staffUserId: alice.id })).toBe(2);
    expect(await validateSessionToken(a1.token, "staff")).toBeNull();
    expect(await validateSessionToken(a2.token, "staff")).toBeNull();
    expect(await validateSessionToken(b1.token, "staff")).not.toBeNull();
  });

  it("ends the sessions of a disabled user", async () => {
    const staff = await createStaff();
    const { token } = await createSession({ audience: "staff", staffUserId: staff.id });
    await getDb().update(staffUsers).set({ disabledAt: new Date() }).where(eq(staffUsers.id, staff.id));
    expect(await validateSessionToken(token, "staff")).toBeNull();
  });
});
