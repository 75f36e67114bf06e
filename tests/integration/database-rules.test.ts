import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, customers } from "~db/schema";
import { getDb, rowsOf } from "~db/client";
import { recordAudit } from "~/audit/audit.server";
import { createCustomer, createStaff } from "./factories";

/** Drizzle wraps the server's error; the reason is in its cause. */
async function expectDatabaseError(query: PromiseLike<unknown>, reason: RegExp) {
  const error = await Promise.resolve(query).then(
    () => undefined,
    (e: unknown) => e as { cause?: { message?: string } },
  );
  expect(error?.cause?.message).toMatch(reason);
}

describe("rules the database holds itself", () => {
  it("keeps the audit log append-only", async () => {
    await recordAudit({ actor: { type: "system", label: "test" }, action: "test.happened", entityType: "test" });
    await expectDatabaseError(getDb().update(auditLog).set({ action: "rewritten" }), /audit_log is append-only: UPDATE/);
    await expectDatabaseError(getDb().delete(auditLog), /audit_log is append-only: DELETE/);
    const rows = await getDb().select().from(auditLog);
    expect(rows.map((r) => r.action)).toEqual(["test.happened"]);
  });

  it("refuses a lower-case or malformed currency, a negative credit limit, and a duplicate email in another case", async () => {
    await expect(createCustomer({ currency: "usd" })).rejects.toThrow();
    await expect(createCustomer({ creditLimitMinor: -1 })).rejects.toThrow();
    await createStaff({ email: "pat@northwind.example" });
    await expect(createStaff({ email: "PAT@northwind.example" })).rejects.toThrow();
    expect(await getDb().select().from(customers)).toHaveLength(0);
  });

  it("stores money as bigint and reads it back exactly", async () => {
    const big = Number.MAX_SAFE_INTEGER;
    const customer = await createCustomer({ creditLimitMinor: big });
    expect(customer.creditLimitMinor).toBe(big);
    const [row] = rowsOf<{ t: string }>(await getDb().execute(sql`select pg_typeof(credit_limit_minor)::text as t from customers`));
    expect(row!.t).toBe("bigint");
  });
});
