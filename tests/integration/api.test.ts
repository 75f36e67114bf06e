import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { apiKeys, auditLog, customers, emailOutbox, invoices, payments } from "~db/schema";
import { createApiKey, revokeApiKey } from "~/api/keys.server";
import { hashToken } from "~/auth/crypto.server";
import { recordPayment } from "~/ledger/payments.server";
import * as notAnEndpoint from "~/routes/api.v1.$";
import * as customerRoute from "~/routes/api.v1.customers.$customerId";
import * as customersRoute from "~/routes/api.v1.customers";
import * as invoiceRoute from "~/routes/api.v1.invoices.$invoiceId";
import * as invoicesRoute from "~/routes/api.v1.invoices";
import * as paymentRoute from "~/routes/api.v1.payments.$paymentId";
import * as paymentsRoute from "~/routes/api.v1.payments";
import * as apiKeysPage from "~/routes/staff.api-keys";
import { createCustomer, createStaff, issuedInvoice, staffActor } from "./factories";
import { context, cookieFor, get, outcome, post } from "./route-helpers";

type Route = (args: { request: Request; params: Record<string, string>; context: typeof context }) => Promise<Response>;
type Answer = { status: number; headers: Headers; body: any };

async function newKey(name = "ERP sync") {
  const admin = await createStaff({ role: "admin" });
  return createApiKey({ name }, staffActor(admin));
}

function request(path: string, { secret, method = "GET", body, headers = {} }: { secret?: string; method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  return new Request(`http://localhost:3000${path}`, {
    method,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    headers: { ...(secret ? { Authorization: `Bearer ${secret}` } : {}), ...(body === undefined ? {} : { "Content-Type": "application/json" }), ...headers },
  });
}

async function call(route: unknown, req: Request, params: Record<string, string> = {}): Promise<Answer> {
  const response = await (route as Route)({ request: req, params, context });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

/** Every amount anywhere in an answer is an integer count of minor units. */
function amountsOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(amountsOf);
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => (k === "amount_minor" ? [v] : amountsOf(v)));
  }
  return [];
}

function expectWholeAmounts(body: unknown) {
  const amounts = amountsOf(body);
  expect(amounts.length).toBeGreaterThan(0);
  for (const amount of amounts) expect(Number.isSafeInteger(amount)).toBe(true);
}

describe("API authentication", () => {
  it("answers 401 with WWW-Authenticate without a key, with a malformed header and with an unknown key", async () => {
    await newKey();
    const headerSets: Record<string, string>[] = [{}, { Authorization: "Basic YWRtaW46cGFzcw==" }, { Authorization: "Bearer sk_settle_notakeyatall" }, { Authorization: "Bearer" }];
    for (const headers of headerSets) {
      const answer = await call(customersRoute.loader, request("/api/v1/customers", { headers }));
      expect(answer.status).toBe(401);
      expect(answer.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
      expect(answer.body).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    }
    // Refused before anything is read or written.
    const write = await call(paymentsRoute.action, request("/api/v1/payments", { method: "POST", body: { amount_minor: 100 } }));
    expect(write.status).toBe(401);
    expect(await getDb().select().from(payments)).toHaveLength(0);
  });

  it("answers 403 for a revoked key", async () => {
    const admin = await createStaff({ role: "admin" });
    const { key, secret } = await createApiKey({ name: "Old ERP" }, staffActor(admin));
    expect((await call(customersRoute.loader, request("/api/v1/customers", { secret }))).status).toBe(200);
    await revokeApiKey(key.id, staffActor(admin));
    const answer = await call(customersRoute.loader, request("/api/v1/customers", { secret }));
    expect(answer).toMatchObject({ status: 403, body: { error: { code: "forbidden", message: "This API key was revoked" } } });
  });

  it("notes when a key was last used, at most once a minute", async () => {
    const { key, secret } = await newKey();
    const lastUsed = async () => (await getDb().select().from(apiKeys).where(eq(apiKeys.id, key.id)))[0]!.lastUsedAt;
    expect(await lastUsed()).toBeNull();
    await call(customersRoute.loader, request("/api/v1/customers", { secret }));
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await call(customersRoute.loader, request("/api/v1/customers", { secret }));
    expect(await lastUsed()).toEqual(first);
    const longAgo = new Date(Date.now() - 5 * 60_000);
    await getDb().update(apiKeys).set({ lastUsedAt: longAgo }).where(eq(apiKeys.id, key.id));
    await call(customersRoute.loader, request("/api/v1/customers", { secret }));
    expect((await lastUsed())!.getTime()).toBeGreaterThan(longAgo.getTime() + 60_000);
  });
});

describe("API customers", () => {
  it("creates a customer from snake_case JSON, with the credit limit in minor units, and reads it back", async () => {
    const { secret } = await newKey();
    const created = await call(
      customersRoute.action,
      request("/api/v1/customers", {
        secret,
        method: "POST",
        body: { name: "Globex Ltd", email: "AP@Globex.example", currency: "usd", credit_limit_minor: 2500000, early_discount_bps: 200, early_discount_days: 10, credit_hold: true, country: "gb", favourite_colour: "ignored" },
      }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      object: "customer",
      name: "Globex Ltd",
      email: "ap@globex.example",
      currency: "USD",
      country: "GB",
      account_number: "C-10001",
      credit_limit: { amount_minor: 2500000, currency: "USD" },
      early_discount_bps: 200,
      early_discount_days: 10,
      credit_hold: true,
      balance: { balance: { amount_minor: 0, currency: "USD" } },
    });
    expect(created.body).not.toHaveProperty("favourite_colour");
    expect(created.headers.get("Location")).toBe(`/api/v1/customers/${created.body.id}`);
    const [audit] = await getDb().select().from(auditLog).where(eq(auditLog.action, "customer.create"));
    expect(audit).toMatchObject({ actorType: "system", actorLabel: expect.stringContaining("ERP sync"), entityId: created.body.id });

    const read = await call(customerRoute.loader, request(`/api/v1/customers/${created.body.id}`, { secret }), { customerId: created.body.id });
    expect(read).toMatchObject({ status: 200, body: { id: created.body.id, credit_limit: { amount_minor: 2500000 } } });
    const listed = await call(customersRoute.loader, request("/api/v1/customers?account_number=C-10001", { secret }));
    expect(listed.body).toMatchObject({ data: [{ id: created.body.id }], next_cursor: null });
  });

  it("names every bad field with 422, refuses malformed JSON with 400, and stores nothing", async () => {
    const { secret } = await newKey();
    const bad = await call(
      customersRoute.action,
      request("/api/v1/customers", { secret, method: "POST", body: { currency: "dollars", email: "nope", credit_hold: "yes", payment_terms_days: "30", credit_limit_minor: 12.5 } }),
    );
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({
      code: "invalid",
      fields: {
        credit_hold: "credit_hold must be true or false",
        payment_terms_days: "payment_terms_days must be a whole number of days",
        credit_limit_minor: expect.stringContaining("whole number of minor units"),
      },
    });
    const shared = await call(customersRoute.action, request("/api/v1/customers", { secret, method: "POST", body: { currency: "dollars", email: "nope" } }));
    expect(shared.body.error.fields).toEqual({
      name: "Name is required",
      currency: "Currency must be an ISO code such as USD or EUR",
      email: "Billing email must be an email address",
    });
    const malformed = await call(customersRoute.action, request("/api/v1/customers", { secret, method: "POST", body: '{"name": "Acme",' }));
    expect(malformed).toMatchObject({ status: 400, body: { error: { code: "bad_request", message: expect.stringContaining("not valid JSON") } } });
    const array = await call(customersRoute.action, request("/api/v1/customers", { secret, method: "POST", body: "[]" }));
    expect(array).toMatchObject({ status: 400, body: { error: { message: "The request body must be a JSON object" } } });
    expect(await getDb().select().from(customers)).toHaveLength(0);
  });

  it("answers 409 for a taken account number, 404 for unknown and malformed ids, 405 for other methods", async () => {
    const { secret } = await newKey();
    await createCustomer({ accountNumber: "ACME-1" });
    const clash = await call(customersRoute.action, request("/api/v1/customers", { secret, method: "POST", body: { name: "Acme", currency: "USD", account_number: "ACME-1" } }));
    expect(clash).toMatchObject({ status: 409, body: { error: { code: "conflict", fields: { account_number: "Account number ACME-1 is already used" } } } });
    for (const id of ["6f1d7a10-0000-4000-8000-000000000000", "not-a-uuid", "1 or 1=1"]) {
      const answer = await call(customerRoute.loader, request(`/api/v1/customers/${encodeURIComponent(id)}`, { secret }), { customerId: id });
      expect(answer).toMatchObject({ status: 404, body: { error: { code: "not_found", message: "Customer not found" } } });
    }
    const put = await call(customersRoute.action, request("/api/v1/customers", { secret, method: "PUT", body: {} }));
    expect(put.status).toBe(405);
    expect(put.headers.get("Allow")).toBe("GET, POST");
    const postOne = await call(customerRoute.action, request("/api/v1/customers/x", { secret, method: "POST", body: {} }), { customerId: "x" });
    expect(postOne).toMatchObject({ status: 405, body: { error: { code: "method_not_allowed" } } });
    const nowhere = await call(notAnEndpoint.loader, request("/api/v1/widgets", { secret }), { "*": "widgets" });
    expect(nowhere).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
  });

  it("replays a create with the same Idempotency-Key", async () => {
    const { secret } = await newKey();
    const send = (name: string) =>
      call(customersRoute.action, request("/api/v1/customers", { secret, method: "POST", body: { name, currency: "EUR" }, headers: { "Idempotency-Key": "customer-key-0001" } }));
    const first = await send("Initech");
    const again = await send("Initech");
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.id).toBe(first.body.id);
    expect(await getDb().select().from(customers)).toHaveLength(1);
    const other = await send("Initrode");
    expect(other).toMatchObject({ status: 409, body: { error: { fields: { "Idempotency-Key": expect.stringContaining("different request") } } } });
  });
});

describe("API invoices", () => {
  it("creates and issues an invoice with server-computed totals, and reads it with lines and open amount", async () => {
    const { secret } = await newKey();
    const customer = await createCustomer({ email: "ap@customer.example", paymentTermsDays: 30 });
    const created = await call(
      invoicesRoute.action,
      request("/api/v1/invoices", {
        secret,
        method: "POST",
        body: {
          customer_id: customer.id,
          issue_date: "2026-01-10",
          po_number: "PO-77",
          external_ref: "erp-1001",
          lines: [
            { description: "Widgets", quantity: "2.5", unit_price_minor: 1999, tax_rate_bps: 825 },
            { description: "Setup", quantity: 1, unit_price_minor: 10000 },
          ],
          total_minor: 1,
        },
      }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      object: "invoice",
      number: "INV-000001",
      status: "open",
      source: "api",
      customer_id: customer.id,
      issue_date: "2026-01-10",
      due_date: "2026-02-09",
      po_number: "PO-77",
      external_ref: "erp-1001",
      subtotal: { amount_minor: 14998, currency: "USD" },
      tax: { amount_minor: 412, currency: "USD" },
      total: { amount_minor: 15410, currency: "USD" },
      open: { amount_minor: 15410, currency: "USD" },
      lines: [
        { position: 0, description: "Widgets", quantity: "2.5", unit_price: { amount_minor: 1999 }, tax_rate_bps: 825, net: { amount_minor: 4998 }, tax: { amount_minor: 412 }, total: { amount_minor: 5410 } },
        { position: 1, description: "Setup", quantity: "1", total: { amount_minor: 10000 } },
      ],
    });
    expect(["open", "overdue"]).toContain(created.body.display_status);
    expectWholeAmounts(created.body);
    expect(await getDb().select().from(emailOutbox).where(eq(emailOutbox.template, "invoice-issued"))).toHaveLength(1);

    const read = await call(invoiceRoute.loader, request(`/api/v1/invoices/${created.body.id}`, { secret }), { invoiceId: created.body.id });
    expect(read.body).toEqual(created.body);
    const unknown = await call(invoiceRoute.loader, request("/api/v1/invoices/nope", { secret }), { invoiceId: "nope" });
    expect(unknown.status).toBe(404);
  });

  it("keeps the caller's number, sends no email when asked, and creates drafts", async () => {
    const { secret } = await newKey();
    const customer = await createCustomer({ email: "ap@customer.example" });
    const lines = [{ description: "Consulting", quantity: 3, unit_price_minor: 15000 }];
    const numbered = await call(invoicesRoute.action, request("/api/v1/invoices", { secret, method: "POST", body: { customer_id: customer.id, lines, number: "ERP-2026-0042", send_email: false } }));
    expect(numbered.body).toMatchObject({ number: "ERP-2026-0042", status: "open", total: { amount_minor: 45000 } });
    expect(await getDb().select().from(emailOutbox)).toHaveLength(0);
    const draft = await call(invoicesRoute.action, request("/api/v1/invoices", { secret, method: "POST", body: { customer_id: customer.id, lines, draft: true } }));
    expect(draft).toMatchObject({ status: 201, body: { status: "draft", display_status: "draft", number: null, total: { amount_minor: 45000 } } });
    const taken = await call(invoicesRoute.action, request("/api/v1/invoices", { secret, method: "POST", body: { customer_id: customer.id, lines, number: "ERP-2026-0042" } }));
    expect(taken).toMatchObject({ status: 409, body: { error: { code: "conflict", fields: { number: expect.stringContaining("already used") } } } });
    const sameRef = { customer_id: customer.id, lines, external_ref: "erp-7" };
    expect((await call(invoicesRoute.action, request("/api/v1/invoices", { secret, method: "POST", body: sameRef }))).status).toBe(201);
    const dup = await call(invoicesRoute.action, request("/api/v1/invoices", { secret, method: "POST", body: sameRef }));
    expect(dup).toMatchObject({ status: 409, body: { error: { fields: { external_ref: expect.stringContaining("already used") } } } });
  });

  it("names each bad field, including lines by position, and stores nothing", async () => {
    const { secret } = await newKey();
    const customer = await createCustomer();
    const bad = await call(
      invoicesRoute.action,
      request("/api/v1/invoices", {
        secret,
        method: "POST",
        body: {
          lines: [
            { description: "", quantity: 0.1 + 0.2, unit_price_minor: 19.99 },
            { description: "Ok", quantity: "-1", unit_price_minor: 100, tax_rate_bps: 20000 },
          ],
          issue_date: "2026-02-01",
          due_date: "2026-01-01",
          send_email: "no",
        },
      }),
    );
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields).toEqual({
      customer_id: "customer_id is required",
      "lines[0].description": "description is required",
      "lines[0].quantity": expect.stringContaining("up to 3 decimals"),
      "lines[0].unit_price_minor": expect.stringContaining("whole number of minor units"),
      "lines[1].quantity": expect.stringContaining("quantity"),
      "lines[1].tax_rate_bps": "tax_rate_bps must be at most 10000",
      send_email: "send_email must be true or false",
    });
    const dates = await call(invoicesRoute.action, request("/api/v1/invoices", { secret, method: "POST", body: { customer_id: customer.id, lines: [{ description: "A", quantity: 1, unit_price_minor: 1 }], issue_date: "2026-02-01", due_date: "2026-01-01" } }));
    expect(dates.body.error.fields).toEqual({ due_date: "due_date cannot be before issue_date" });
    const noCustomer = await call(
      invoicesRoute.action,
      request("/api/v1/invoices", { secret, method: "POST", body: { customer_id: "6f1d7a10-0000-4000-8000-000000000000", lines: [{ description: "A", quantity: 1, unit_price_minor: 100 }] } }),
    );
    expect(noCustomer).toMatchObject({ status: 422, body: { error: { fields: { customer_id: "Customer not found" } } } });
    expect(await getDb().select().from(invoices)).toHaveLength(0);
  });

  it("lists with customer and status filters", async () => {
    const { secret } = await newKey();
    const [a, b] = [await createCustomer(), await createCustomer()];
    const paidOff = await issuedInvoice({ customerId: a.id, amounts: [1000] });
    await issuedInvoice({ customerId: a.id, amounts: [2000] });
    await issuedInvoice({ customerId: b.id, amounts: [3000] });
    await recordPayment({ customerId: a.id, amountMinor: 1000, method: "wire", receivedOn: "2026-01-05", idempotencyKey: "pay-a", allocations: [{ invoiceId: paidOff.id, amountMinor: 1000 }] }, { type: "system", label: "test" });
    const forA = await call(invoicesRoute.loader, request(`/api/v1/invoices?customer_id=${a.id}`, { secret }));
    expect(forA.body.data.map((i: { customer_id: string }) => i.customer_id)).toEqual([a.id, a.id]);
    expectWholeAmounts(forA.body);
    const paid = await call(invoicesRoute.loader, request(`/api/v1/invoices?status=paid`, { secret }));
    expect(paid.body.data).toEqual([expect.objectContaining({ id: paidOff.id, status: "paid", open: { amount_minor: 0, currency: "USD" } })]);
    const wrong = await call(invoicesRoute.loader, request(`/api/v1/invoices?status=late&customer_id=42&limit=500`, { secret }));
    expect(wrong.status).toBe(422);
    expect(Object.keys(wrong.body.error.fields).sort()).toEqual(["customer_id", "limit", "status"]);
  });
});

describe("API payments", () => {
  it("needs an Idempotency-Key, records once per key, and answers a replay with 200 and the same payment", async () => {
    const { secret } = await newKey();
    const customer = await createCustomer();
    const invoice = await issuedInvoice({ customerId: customer.id, amounts: [50000] });
    const body = { customer_id: customer.id, amount_minor: 30000, currency: "USD", method: "wire", reference: "WIRE-881", received_on: "2026-01-20", allocations: [{ invoice_id: invoice.id, amount_minor: 30000 }] };
    const missing = await call(paymentsRoute.action, request("/api/v1/payments", { secret, method: "POST", body }));
    expect(missing).toMatchObject({ status: 422, body: { error: { fields: { "Idempotency-Key": expect.stringContaining("required") } } } });

    const headers = { "Idempotency-Key": "7e0c3c1e-2f7a-4b8e-9a51-0f2c6c1d9b11" };
    const first = await call(paymentsRoute.action, request("/api/v1/payments", { secret, method: "POST", body, headers }));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      object: "payment",
      status: "received",
      method: "wire",
      reference: "WIRE-881",
      received_on: "2026-01-20",
      amount: { amount_minor: 30000, currency: "USD" },
      allocated: { amount_minor: 30000 },
      unapplied: { amount_minor: 0 },
      allocations: [{ invoice_id: invoice.id, invoice_number: invoice.number, amount: { amount_minor: 30000, currency: "USD" }, reversed: false }],
    });
    expectWholeAmounts(first.body);
    const replay = await call(paymentsRoute.action, request("/api/v1/payments", { secret, method: "POST", body, headers }));
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    expect(await getDb().select().from(payments)).toHaveLength(1);
    const [stillOpen] = await getDb().select().from(invoices).where(eq(invoices.id, invoice.id));
    expect(stillOpen!.openMinor).toBe(20000);

    const reused = await call(paymentsRoute.action, request("/api/v1/payments", { secret, method: "POST", body: { ...body, amount_minor: 1 }, headers }));
    expect(reused.status).toBe(409);
    expect(await getDb().select().from(payments)).toHaveLength(1);

    const read = await call(paymentRoute.loader, request(`/api/v1/payments/${first.body.id}`, { secret }), { paymentId: first.body.id });
    expect(read.body).toEqual(first.body);
    expect((await call(paymentRoute.loader, request("/api/v1/payments/0", { secret }), { paymentId: "0" })).status).toBe(404);
  });

  it("records one payment when the same request arrives twice at once", async () => {
    const { secret } = await newKey();
    const customer = await createCustomer();
    const send = () =>
      call(paymentsRoute.action, request("/api/v1/payments", { secret, method: "POST", body: { customer_id: customer.id, amount_minor: 700, currency: "USD", method: "card" }, headers: { "Idempotency-Key": "double-click-0001" } }));
    const answers = await Promise.all([send(), send()]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 201]);
    expect(answers[0]!.body.id).toBe(answers[1]!.body.id);
    expect(await getDb().select().from(payments)).toHaveLength(1);
  });

  it("allocates automatically, oldest due first, and lists by customer", async () => {
    const { secret } = await newKey();
    const customer = await createCustomer();
    const older = await issuedInvoice({ customerId: customer.id, amounts: [1000], issueDate: "2026-01-01", dueDate: "2026-01-31" });
    const newer = await issuedInvoice({ customerId: customer.id, amounts: [1000], issueDate: "2026-01-15", dueDate: "2026-02-14" });
    const paid = await call(
      paymentsRoute.action,
      request("/api/v1/payments", { secret, method: "POST", body: { customer_id: customer.id, amount_minor: 1500, currency: "usd", method: "check", allocations: "auto" }, headers: { "Idempotency-Key": "auto-allocation-1" } }),
    );
    expect(paid.status).toBe(201);
    expect(paid.body.allocations.map((a: { invoice_id: string; amount: { amount_minor: number } }) => [a.invoice_id, a.amount.amount_minor])).toEqual([
      [older.id, 1000],
      [newer.id, 500],
    ]);
    await createCustomer().then((other) => recordPayment({ customerId: other.id, amountMinor: 5, method: "cash", receivedOn: "2026-01-01", idempotencyKey: "other" }, { type: "system", label: "test" }));
    const listed = await call(paymentsRoute.loader, request(`/api/v1/payments?customer_id=${customer.id}`, { secret }));
    expect(listed.body).toEqual({ data: [expect.objectContaining({ id: paid.body.id, unapplied: { amount_minor: 0, currency: "USD" } })], next_cursor: null });
  });

  it("refuses floats, a wrong currency and over-allocation with the field named, and records nothing", async () => {
    const { secret } = await newKey();
    const customer = await createCustomer();
    const invoice = await issuedInvoice({ customerId: customer.id, amounts: [1000] });
    const send = (body: object) => call(paymentsRoute.action, request("/api/v1/payments", { secret, method: "POST", body, headers: { "Idempotency-Key": `key-${crypto.randomUUID()}` } }));
    const base = { customer_id: customer.id, amount_minor: 1000, currency: "USD", method: "ach" };
    const float = await send({ ...base, amount_minor: 10.5, method: "bitcoin", received_on: "yesterday" });
    expect(float.body.error.fields).toEqual({
      amount_minor: "amount_minor must be a whole number of minor units (12.50 is 1250)",
      method: "method must be one of check, wire, ach, cash, card, bank_debit, other",
      received_on: "received_on must be a date like 2026-01-31",
    });
    const currency = await send({ ...base, currency: "EUR" });
    expect(currency).toMatchObject({ status: 422, body: { error: { fields: { currency: expect.stringContaining("billed in USD") } } } });
    const tooMuch = await send({ ...base, allocations: [{ invoice_id: invoice.id, amount_minor: 2000 }] });
    expect(tooMuch).toMatchObject({ status: 422, body: { error: { fields: { allocations: expect.stringContaining("open") } } } });
    const badItem = await send({ ...base, allocations: [{ invoice_id: invoice.id, amount_minor: "10" }] });
    expect(badItem.body.error.fields).toEqual({ "allocations[0].amount_minor": expect.stringContaining("whole number") });
    expect(await getDb().select().from(payments)).toHaveLength(0);
  });
});

describe("API pagination", () => {
  /** Pages through with limit 2, adding a row after each page: every row that was there at the start comes exactly once. */
  async function pageThrough(route: unknown, path: string, secret: string, addRow: () => Promise<unknown>) {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const separator = path.includes("?") ? "&" : "?";
      const answer: Answer = await call(route, request(`${path}${separator}limit=2${cursor ? `&cursor=${cursor}` : ""}`, { secret }));
      expect(answer.status).toBe(200);
      expect(answer.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...answer.body.data.map((row: { id: string }) => row.id));
      cursor = answer.body.next_cursor;
      await addRow();
    } while (cursor);
    return seen;
  }

  it("neither skips nor repeats customers, invoices or payments while rows are added", async () => {
    const { secret } = await newKey();
    const customer = await createCustomer();
    const system = { type: "system" as const, label: "test" };
    let n = 0;
    const addCustomer = () => createCustomer();
    const addInvoice = () => issuedInvoice({ customerId: customer.id, amounts: [100] });
    const addPayment = () => recordPayment({ customerId: customer.id, amountMinor: 100, method: "cash", receivedOn: "2026-01-01", idempotencyKey: `p-${++n}` }, system);
    for (let i = 0; i < 6; i++) {
      await addCustomer();
      await addInvoice();
      await addPayment();
    }
    const cases = [
      { route: customersRoute.loader, path: "/api/v1/customers", add: addCustomer, table: customers },
      { route: invoicesRoute.loader, path: `/api/v1/invoices?customer_id=${customer.id}`, add: addInvoice, table: invoices },
      { route: paymentsRoute.loader, path: "/api/v1/payments", add: addPayment, table: payments },
    ] as const;
    for (const { route, path, add, table } of cases) {
      const before = (await getDb().select({ id: table.id }).from(table)).map((row) => row.id);
      const seen = await pageThrough(route, path, secret, add);
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual([...before].sort());
    }
  });

  it("does not skip customers created within the same millisecond", async () => {
    const { secret } = await newKey();
    for (let i = 0; i < 4; i++) await createCustomer();
    // Microseconds apart, as a bulk import writes them: a millisecond cursor would lose all but one.
    await getDb().execute(sql`update customers set created_at = '2026-01-01 00:00:00.123400+00'::timestamptz + interval '100 microseconds' * (select count(*) from customers c2 where c2.id < customers.id)`);
    const seen = await pageThrough(customersRoute.loader, "/api/v1/customers", secret, async () => {});
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
  });

  it("refuses a cursor it did not hand out and a limit outside 1 to 100", async () => {
    const { secret } = await newKey();
    for (const query of ["cursor=abc", "limit=0", "limit=101", "limit=2.5"]) {
      for (const route of [customersRoute.loader, invoicesRoute.loader, paymentsRoute.loader]) {
        const answer = await call(route, request(`/api/v1/x?${query}`, { secret }));
        expect(answer.status).toBe(422);
        expect(Object.keys(answer.body.error.fields)).toEqual([query.split("=")[0]]);
      }
    }
  });
});

describe("API keys page", () => {
  const args = (request: Request) => ({ request, params: {}, context });

  it("lets an admin create a key whose secret is shown once and stored only as a hash", async () => {
    const admin = await createStaff({ role: "admin" });
    const cookie = await cookieFor({ audience: "staff", staffUserId: admin.id });
    const refused = await outcome(() => apiKeysPage.action(args(post("/staff/api-keys", { intent: "create", name: "  " }, cookie))));
    expect(refused).toMatchObject({ status: 400, data: { errors: { name: "Name is required" } } });

    const created = await outcome(() => apiKeysPage.action(args(post("/staff/api-keys", { intent: "create", name: "ERP sync" }, cookie))));
    const secret: string = (created.data as { created: { secret: string } }).created.secret;
    expect(secret).toMatch(/^sk_settle_[a-z2-7]{32}$/);
    const [row] = await getDb().select().from(apiKeys);
    expect(row).toMatchObject({ name: "ERP sync", tokenHash: hashToken(secret), prefix: secret.slice(0, 16), createdBy: admin.id, revokedAt: null });
    expect(JSON.stringify(row)).not.toContain(secret);

    const page = await outcome(() => apiKeysPage.loader(args(get("/staff/api-keys", cookie))));
    expect(JSON.stringify(page.data)).not.toContain(secret);
    expect(page.data).toMatchObject({ keys: [{ name: "ERP sync", prefix: row!.prefix, createdByName: admin.name, lastUsedAt: null }] });
    expect((await call(customersRoute.loader, request("/api/v1/customers", { secret }))).status).toBe(200);
    const audits = await getDb().select().from(auditLog).where(and(eq(auditLog.entityType, "api_key"), eq(auditLog.entityId, row!.id)));
    expect(audits.map((a) => [a.action, a.actorId])).toEqual([["api_key.create", admin.id]]);
  });

  it("refuses clerks and viewers with 403", async () => {
    for (const role of ["clerk", "viewer"] as const) {
      const user = await createStaff({ role });
      const cookie = await cookieFor({ audience: "staff", staffUserId: user.id });
      expect((await outcome(() => apiKeysPage.loader(args(get("/staff/api-keys", cookie))))).status).toBe(403);
      expect((await outcome(() => apiKeysPage.action(args(post("/staff/api-keys", { intent: "create", name: "Sneaky" }, cookie))))).status).toBe(403);
    }
    expect(await getDb().select().from(apiKeys)).toHaveLength(0);
  });

  it("revokes a key, audited, after which the API refuses it", async () => {
    const admin = await createStaff({ role: "admin" });
    const cookie = await cookieFor({ audience: "staff", staffUserId: admin.id });
    const { key, secret } = await createApiKey({ name: "Old ERP" }, staffActor(admin));
    const revoked = await outcome(() => apiKeysPage.action(args(post("/staff/api-keys", { intent: "revoke", keyId: key.id }, cookie))));
    expect(revoked).toMatchObject({ status: 200, data: { revoked: "Old ERP" } });
    const [row] = await getDb().select().from(apiKeys);
    expect(row).toMatchObject({ revokedBy: admin.id, revokedAt: expect.any(Date) });
    const [audit] = await getDb().select().from(auditLog).where(eq(auditLog.action, "api_key.revoke"));
    expect(audit).toMatchObject({ actorId: admin.id, entityId: key.id });
    expect((await call(customersRoute.loader, request("/api/v1/customers", { secret }))).status).toBe(403);
    for (const keyId of ["not-a-uuid", "6f1d7a10-0000-4000-8000-000000000000"]) {
      expect((await outcome(() => apiKeysPage.action(args(post("/staff/api-keys", { intent: "revoke", keyId }, cookie))))).status).toBe(404);
    }
  });
});
