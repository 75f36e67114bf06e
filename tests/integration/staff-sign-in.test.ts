import { describe, expect, it, vi } from "vitest";
import { rateLimits } from "~db/schema";
import { getDb } from "~db/client";
import { passwords } from "~/auth/crypto.server";
import { consumeRateLimit } from "~/auth/rate-limit.server";
import { validateSessionToken } from "~/auth/session.server";
import { signInStaff } from "~/auth/staff-auth.server";
import { createStaff, TEST_PASSWORD } from "./factories";

const ip = "203.0.113.7";

describe("staff sign-in", () => {
  it("signs in with the right password and gives a working session token", async () => {
    const staff = await createStaff({ email: "pat@northwind.example" });
    const result = await signInStaff({ email: "pat@northwind.example", password: TEST_PASSWORD, ip });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect((await validateSessionToken(result.token, "staff"))?.user.id).toBe(staff.id);
  });

  it("gives the same answer for a wrong password and an unknown email, and checks a password both times", async () => {
    await createStaff({ email: "pat@northwind.example" });
    const verify = vi.spyOn(passwords, "verify");
    expect(await signInStaff({ email: "pat@northwind.example", password: "wrong", ip })).toEqual({ ok: false, reason: "invalid" });
    expect(await signInStaff({ email: "nobody@northwind.example", password: "wrong", ip })).toEqual({ ok: false, reason: "invalid" });
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it("refuses the 11th wrong password in a minute without checking the password", async () => {
    await createStaff({ email: "pat@northwind.example" });
    const verify = vi.spyOn(passwords, "verify");
    for (let attempt = 1; attempt <= 10; attempt++) {
      const result = await signInStaff({ email: "pat@northwind.example", password: `wrong-${attempt}`, ip });
      expect(result).toEqual({ ok: false, reason: "invalid" });
    }
    expect(verify).toHaveBeenCalledTimes(10);
    // Even the right password is refused now, and it is never looked at.
    const eleventh = await signInStaff({ email: "pat@northwind.example", password: TEST_PASSWORD, ip });
    expect(eleventh).toMatchObject({ ok: false, reason: "rate_limited" });
    expect(verify).toHaveBeenCalledTimes(10);
    // Another account from another address is unaffected.
    await createStaff({ email: "sam@northwind.example" });
    expect((await signInStaff({ email: "sam@northwind.example", password: TEST_PASSWORD, ip: "198.51.100.1" })).ok).toBe(true);
  });

  it("limits one address across many accounts", async () => {
    for (let i = 0; i < 50; i++) {
      await signInStaff({ email: `guess${i}@northwind.example`, password: "x", ip });
    }
    const verify = vi.spyOn(passwords, "verify");
    const refused = await signInStaff({ email: "guess-last@northwind.example", password: "x", ip });
    expect(refused).toMatchObject({ ok: false, reason: "rate_limited" });
    expect(verify).not.toHaveBeenCalled();
  });

  it("clears the account's counter after a successful sign-in", async () => {
    await createStaff({ email: "pat@northwind.example" });
    for (let i = 0; i < 9; i++) await signInStaff({ email: "pat@northwind.example", password: "wrong", ip });
    expect((await signInStaff({ email: "pat@northwind.example", password: TEST_PASSWORD, ip })).ok).toBe(true);
    for (let i = 0; i < 10; i++) {
      expect(await signInStaff({ email: "pat@northwind.example", password: "wrong", ip })).toEqual({ ok: false, reason: "invalid" });
    }
  });
});

describe("rate limit window", () => {
  it("counts within a window and starts again after it", async () => {
    const rule = { limit: 2, windowSeconds: 60 };
    const t0 = new Date("2026-01-01T00:00:00Z");
    expect((await consumeRateLimit("k", rule, { now: t0 })).allowed).toBe(true);
    expect((await consumeRateLimit("k", rule, { now: new Date(t0.getTime() + 10_000) })).allowed).toBe(true);
    const third = await consumeRateLimit("k", rule, { now: new Date(t0.getTime() + 20_000) });
    expect(third).toEqual({ allowed: false, count: 3, retryAfterSeconds: 40 });
    expect((await consumeRateLimit("k", rule, { now: new Date(t0.getTime() + 61_000) })).allowed).toBe(true);
  });

  it("holds under concurrent attempts: exactly the limit gets through", async () => {
    const rule = { limit: 5, windowSeconds: 60 };
    const results = await Promise.all(Array.from({ length: 20 }, () => consumeRateLimit("burst", rule)));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    const rows = await getDb().select().from(rateLimits);
    expect(rows).toEqual([expect.objectContaining({ key: "burst", count: 20 })]);
  });
});
