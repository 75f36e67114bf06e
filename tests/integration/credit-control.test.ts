import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { auditLog, creditHolds, customers } from "~db/schema";
import { createApiKey } from "~/api/keys.server";
import { listAudit } from "~/audit/audit.server";
import { creditStanding } from "~/collections/credit.server";
import { liftHolds, placeHold } from "~/collections/holds.server";
import { recordPayment } from "~/ledger/payments.server";
import * as creditRoute from "~/routes/api.v1.customers.$customerId_.credit";
import * as editCustomer from "~/routes/staff.customers.$customerId_.edit";
import * as newCustomer from "~/routes/staff.customers.new";
import { addDays, today } from "~/utils/dates";
import { createCustomer, createStaff, issuedInvoice, staffActor } from "./factories";
import { context, cookieFor, outcome, post } from "./route-helpers";

const system = { type: "system" as const, label: "test" };
const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

/** A customer with a $10,000.00 limit who owes `owes` (one invoice, due 30 days ago). */
async function customerOwing(owes: number, overrides: Partial<typeof customers.$inferInsert> = {}) {
  const customer = await createCustomer({ name: "Initech Supplies", creditLimitMinor: 1_000_000, ...overrides });
  if (owes > 0) await issuedInvoice({ customerId: customer.id, amounts: [owes], issueDate: addDays(today(), -60), dueDate: addDays(today(), -30) });
  return customer;
}

describe("credit standing", () => {
  it("is ok within the limit, with the available credit and what is overdue", async () => {
    const customer = await customerOwing(300_000);
    await issuedInvoice({ customerId: customer.id, amounts: [100_000], dueDate: addDays(today(), 20) });
    const standing = await creditStanding(customer.id);
    expect(standing).toMatchObject({
      currency: "USD",
      creditLimitMinor: 1_000_000,
      balanceMinor: 400_000,
      openOrdersMinor: 0,
      availableMinor: 600_000,
      overdueMinor: 300_000,
      oldestOverdueDays: 30,
      onHold: false,
      holds: [],
      decision: "ok",
      reasons: ["Balance $4,000.00 is within the $10,000.00 credit limit", "$3,000.00 is overdue, the oldest by 30 days"],
    });
  });

  it("is over_limit when the balance is above the limit, and counts unapplied cash against it", async () => {
    const customer = await customerOwing(1_200_000);
    expect(await creditStanding(customer.id)).toMatchObject({
      balanceMinor: 1_200_000,
      availableMinor: 0,
      decision: "over_limit",
      reasons: ["Balance $12,000.00 is over the $10,000.00 credit limit", "$12,000.00 is overdue, the oldest by 30 days"],
    });
    // Money on account lowers the balance, whether or not it is applied yet.
    await recordPayment({ customerId: customer.id, amountMinor: 500_000, method: "wire", receivedOn: today(), idempotencyKey: "credit-wire" }, system);
    expect(await creditStanding(customer.id)).toMatchObject({ balanceMinor: 700_000, availableMinor: 300_000, decision: "ok" });
  });

  it("weighs an order on top of the balance", async () => {
    const customer = await customerOwing(900_000);
    expect(await creditStanding(customer.id, { orderAmountMinor: 100_000 })).toMatchObject({
      decision: "ok",
      orderAmountMinor: 100_000,
      reasons: expect.arrayContaining(["Balance $9,000.00 and this order of $1,000.00 come to $10,000.00, within the $10,000.00 credit limit"]),
    });
    expect(await creditStanding(customer.id, { orderAmountMinor: 200_000 })).toMatchObject({
      decision: "over_limit",
      reasons: expect.arrayContaining(["Balance $9,000.00 and this order of $2,000.00 come to $11,000.00, over the $10,000.00 credit limit"]),
    });
  });

  it("without a limit is ok however much is owed, unless on hold", async () => {
    const customer = await customerOwing(5_000_000, { creditLimitMinor: null });
    expect(await creditStanding(customer.id, { orderAmountMinor: 99_999_999 })).toMatchObject({ creditLimitMinor: null, availableMinor: null, decision: "ok" });
    expect((await creditStanding(customer.id))!.reasons[0]).toBe("No credit limit is set");
  });

  it("is on_hold while a hold is active, with each hold's reason and day, and still says what else is wrong", async () => {
    const customer = await customerOwing(1_200_000);
    const clerk = await createStaff({ role: "clerk" });
    await placeHold({ customerId: customer.id, reason: "60 days overdue (policy Standard)", source: "policy", sourceKey: "policy-step:test" }, system);
    const held = await creditStanding(customer.id);
    expect(held).toMatchObject({ onHold: true, decision: "on_hold", holds: [{ reason: "60 days overdue (policy Standard)", source: "policy", sinceOn: today() }] });
    // Both things that are wrong are said, the hold first.
    expect(held!.reasons.slice(0, 2)).toEqual([`On credit hold since ${today()}: 60 days overdue (policy Standard)`, "Balance $12,000.00 is over the $10,000.00 credit limit"]);

    await liftHolds({ customerId: customer.id, note: "Paid by wire" }, staffActor(clerk));
    expect(await creditStanding(customer.id)).toMatchObject({ onHold: false, holds: [], decision: "over_limit" });
  });

  it("says so when the flag is set without a recorded hold", async () => {
    const customer = await createCustomer({ creditHold: true });
    expect(await creditStanding(customer.id)).toMatchObject({ decision: "on_hold", holds: [], reasons: expect.arrayContaining(["On credit hold (no reason was recorded)"]) });
  });

  it("is null for an unknown customer", async () => {
    expect(await creditStanding(UNKNOWN_ID)).toBeNull();
  });
});

type Answer = { status: number; body: any };

async function getCredit(customerId: string, { secret, query = "", method = "GET" }: { secret?: string; query?: string; method?: string } = {}): Promise<Answer> {
  const request = new Request(`http://localhost:3000/api/v1/customers/${customerId}/credit${query}`, { method, headers: secret ? { Authorization: `Bearer ${secret}` } : {} });
  const route = method === "GET" ? creditRoute.loader : creditRoute.action;
  const response = await route({ request, params: { customerId }, context } as never);
  return { status: response.status, body: await response.json() };
}

describe("GET /api/v1/customers/{id}/credit", () => {
  async function key() {
    const admin = await createStaff({ role: "admin" });
    return (await createApiKey({ name: "Order system" }, staffActor(admin))).secret;
  }

  it("answers the standing in snake_case with amounts in minor units", async () => {
    const secret = await key();
    const customer = await customerOwing(1_200_000);
    await placeHold({ customerId: customer.id, reason: "Cheque bounced twice", source: "manual" }, system);
    const answer = await getCredit(customer.id, { secret });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      object: "credit_standing",
      customer_id: customer.id,
      as_of: today(),
      currency: "USD",
      decision: "on_hold",
      reasons: [`On credit hold since ${today()}: Cheque bounced twice`, "Balance $12,000.00 is over the $10,000.00 credit limit", "$12,000.00 is overdue, the oldest by 30 days"],
      credit_limit: { amount_minor: 1_000_000, currency: "USD" },
      balance: { amount_minor: 1_200_000, currency: "USD" },
      available: { amount_minor: 0, currency: "USD" },
      order_amount: null,
      overdue: { amount_minor: 1_200_000, currency: "USD" },
      oldest_overdue_days: 30,
      on_hold: true,
      holds: [{ reason: "Cheque bounced twice", source: "manual", since: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) }],
      // Not graded yet: the nightly payment-behaviour refresh has not run for this customer.
      risk_grade: null,
      risk_reasons: [],
    });
  });

  it("weighs order_amount_minor, in the customer's currency's minor units", async () => {
    const secret = await key();
    const customer = await customerOwing(0, { currency: "JPY", creditLimitMinor: 100_000 });
    const ok = await getCredit(customer.id, { secret, query: "?order_amount_minor=100000" });
    expect(ok).toMatchObject({ status: 200, body: { decision: "ok", order_amount: { amount_minor: 100_000, currency: "JPY" }, available: { amount_minor: 100_000, currency: "JPY" } } });
    const over = await getCredit(customer.id, { secret, query: "?order_amount_minor=100001" });
    expect(over).toMatchObject({ status: 200, body: { decision: "over_limit", reasons: ["Balance ¥0 and this order of ¥100,001 come to ¥100,001, over the ¥100,000 credit limit"] } });
  });

  it("refuses a bad order_amount_minor with 422 naming it", async () => {
    const secret = await key();
    const customer = await customerOwing(0);
    for (const value of ["12.50", "-100", "lots", "", "1e5", "9999999999999999"]) {
      const answer = await getCredit(customer.id, { secret, query: `?order_amount_minor=${encodeURIComponent(value)}` });
      expect(answer, `order_amount_minor=${value}`).toEqual({
        status: 422,
        body: { error: { code: "invalid", message: "order_amount_minor must be a whole number of minor units (12.50 is 1250)", fields: { order_amount_minor: "order_amount_minor must be a whole number of minor units (12.50 is 1250)" } } },
      });
    }
  });

  it("answers 404 for an unknown or malformed id, 401 without a key and 405 to a POST", async () => {
    const secret = await key();
    for (const id of [UNKNOWN_ID, "C-10001", "1 or 1=1"]) {
      expect(await getCredit(id, { secret })).toEqual({ status: 404, body: { error: { code: "not_found", message: "Customer not found" } } });
    }
    const customer = await customerOwing(0);
    expect((await getCredit(customer.id)).status).toBe(401);
    expect((await getCredit(customer.id, { secret, method: "POST" })).status).toBe(405);
  });
});

describe("the hold checkbox on the customer forms", () => {
  const form = { name: "Initech Supplies", currency: "USD", accountNumber: "C-500" };

  it("places a manual hold with its reason when ticked, and lifts it when cleared, each on the timeline", async () => {
    const clerk = await createStaff({ role: "clerk" });
    const cookie = await cookieFor({ audience: "staff", staffUserId: clerk.id });
    const customer = await createCustomer({ name: "Initech Supplies", accountNumber: "C-500" });
    const params = { customerId: customer.id };
    const edit = (fields: Record<string, string>) => outcome(() => editCustomer.action({ request: post(`/staff/customers/${customer.id}/edit`, fields, cookie), params, context }));

    expect(await edit({ ...form, creditHold: "on" })).toMatchObject({ status: 302 });
    const [hold] = await getDb().select().from(creditHolds).where(eq(creditHolds.customerId, customer.id));
    expect(hold).toMatchObject({ source: "manual", reason: "Put on hold when the account's details were edited", placedBy: clerk.id, liftedAt: null });
    expect(await creditStanding(customer.id)).toMatchObject({ decision: "on_hold", reasons: expect.arrayContaining([`On credit hold since ${today()}: Put on hold when the account's details were edited`]) });
    // Saved again still ticked: no second hold.
    expect(await edit({ ...form, creditHold: "on", phone: "+1 555 0101" })).toMatchObject({ status: 302 });
    expect(await getDb().select().from(creditHolds).where(eq(creditHolds.customerId, customer.id))).toHaveLength(1);

    expect(await edit(form)).toMatchObject({ status: 302 });
    const [lifted] = await getDb().select().from(creditHolds).where(eq(creditHolds.customerId, customer.id));
    expect(lifted).toMatchObject({ liftedBy: clerk.id, liftNote: "Taken off hold when the account's details were edited" });
    expect(lifted!.liftedAt).toBeInstanceOf(Date);
    const [saved] = await getDb().select().from(customers).where(eq(customers.id, customer.id));
    expect(saved!.creditHold).toBe(false);

    const actions = (await listAudit({ customerId: customer.id })).map((entry) => entry.action).reverse();
    expect(actions).toEqual(["collections.hold_place", "customer.update", "collections.hold_lift", "customer.update"]);
    // The hold is audited as a hold, not as an edit of the flag.
    const updates = await getDb().select().from(auditLog).where(eq(auditLog.action, "customer.update"));
    for (const update of updates) expect(update.after).not.toHaveProperty("creditHold");
  });

  it("places the hold on a customer opened on hold", async () => {
    const clerk = await createStaff({ role: "clerk" });
    const cookie = await cookieFor({ audience: "staff", staffUserId: clerk.id });
    expect(await outcome(() => newCustomer.action({ request: post("/staff/customers/new", { ...form, creditHold: "on" }, cookie), params: {}, context }))).toMatchObject({ status: 302 });
    const [customer] = await getDb().select().from(customers);
    expect(customer!.creditHold).toBe(true);
    expect(await getDb().select().from(creditHolds)).toMatchObject([{ customerId: customer!.id, source: "manual", reason: "On hold from when the account was opened", liftedAt: null }]);
  });

  it("changes nothing when the form is refused", async () => {
    const clerk = await createStaff({ role: "clerk" });
    const cookie = await cookieFor({ audience: "staff", staffUserId: clerk.id });
    const customer = await createCustomer({ accountNumber: "C-501" });
    const result = await outcome(() => editCustomer.action({ request: post(`/staff/customers/${customer.id}/edit`, { name: "", currency: "USD", creditHold: "on" }, cookie), params: { customerId: customer.id }, context }));
    expect(result.status).toBe(400);
    expect(await getDb().select().from(creditHolds)).toHaveLength(0);
    const [after] = await getDb().select().from(customers).where(eq(customers.id, customer.id));
    expect(after!.creditHold).toBe(false);
  });
});
