import { describe, expect, it } from "vitest";
import { auditLog, staffUsers } from "~db/schema";
import { getDb } from "~db/client";
import { signInStaff } from "~/auth/staff-auth.server";
import { createStaffUser } from "~/auth/staff-users.server";
import { DomainError } from "~/utils/errors";

const cli = { type: "system", label: "cli" } as const;

describe("creating staff users", () => {
  it("creates a user who can sign in, and audits it", async () => {
    const user = await createStaffUser({ email: " Ana@Example.com", name: "Ana Ruiz", role: "admin", password: "a-long-enough-password" }, cli);
    expect(user).toMatchObject({ email: "ana@example.com", role: "admin" });
    expect((await signInStaff({ email: "ana@example.com", password: "a-long-enough-password", ip: "127.0.0.1" })).ok).toBe(true);
    const [entry] = await getDb().select().from(auditLog);
    expect(entry).toMatchObject({ action: "staff_user.created", actorType: "system", actorLabel: "cli", entityId: user.id });
  });

  it("refuses a taken email in another case, a short password and an unknown role, and writes nothing", async () => {
    await createStaffUser({ email: "ana@example.com", name: "Ana", role: "clerk", password: "a-long-enough-password" }, cli);
    await expect(createStaffUser({ email: "ANA@example.com", name: "Other", role: "clerk", password: "a-long-enough-password" }, cli)).rejects.toThrowError(DomainError);
    await expect(createStaffUser({ email: "b@example.com", name: "B", role: "clerk", password: "short" }, cli)).rejects.toThrow(/at least 12 characters/);
    await expect(createStaffUser({ email: "c@example.com", name: "C", role: "owner" as never, password: "a-long-enough-password" }, cli)).rejects.toThrow(/Role must be admin, clerk or viewer/);
    expect(await getDb().select().from(staffUsers)).toHaveLength(1);
  });
});
