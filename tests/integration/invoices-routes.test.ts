import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { invoiceLines, invoices, writeOffRequests } from "~db/schema";
import { createDraftInvoice } from "~/ledger/invoices.server";
import { recordPayment } from "~/ledger/payments.server";
import * as approvals from "~/routes/staff.approvals";
import * as invoicePage from "~/routes/staff.invoices.$invoiceId";
import * as editInvoice from "~/routes/staff.invoices.$invoiceId_.edit";
import * as invoiceList from "~/routes/staff.invoices._index";
import * as newInvoice from "~/routes/staff.invoices.new";
import { createCustomer, createStaff, issuedInvoice, staffActor } from "./factories";
import { ledgerFingerprint, ledgerViolations } from "./ledger-invariants";
import { context, cookieFor, get, outcome, post } from "./route-helpers";

const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context });
const UNKNOWN = "0b7c2f1e-4d2a-4c1b-9a4e-2f6d8c3b1a00";

async function signedIn(role: "admin" | "clerk" | "viewer") {
  const user = await createStaff({ role });
  return { user, cookie: await cookieFor({ audience: "staff", staffUserId: user.id }) };
}

const line = (n: number, fields: { description?: string; quantity?: string; unitPrice?: string; taxRate?: string }) =>
  Object.fromEntries(Object.entries(fields).map(([field, value]) => [`lines[${n}].${field}`, value]));

function createInvoice(customerId: string, fields: Record<string, string>, cookie: string) {
  return outcome(() => newInvoice.action(args(post(`/staff/invoices/new?customerId=${customerId}`, { idempotencyKey: crypto.randomUUID(), ...fields }, cookie))));
}

describe("new invoice", () => {
  it("creates one invoice when the same form is submitted twice", async () => {
    const { cookie } = await signedIn("clerk");
    const customer = await createCustomer();
    const fields = { intent: "issue", idempotencyKey: "form-key-12345", ...line(0, { description: "Widgets", quantity: "1", unitPrice: "10" }) };
    const first = await createInvoice(customer.id, fields, cookie);
    const second = await createInvoice(customer.id, fields, cookie);
    expect(first.status).toBe(302);
    expect(second.location).toBe(first.location);
    expect(await getDb().select().from(invoices)).toHaveLength(1);
  });

  it("saves a draft priced on the server, whatever total the form claims", async () => {
    const { cookie } = await signedIn("clerk");
    const customer = await createCustomer();
    const result = await createInvoice(
      customer.id,
      {
        intent: "draft",
        ...line(0, { description: "Widgets", quantity: "2.5", unitPrice: "19.99", taxRate: "8.25" }),
        ...line(1, { description: "", quantity: "", unitPrice: "", taxRate: "" }),
        ...line(2, { description: "Setup", quantity: "", unitPrice: "1,000", taxRate: "" }),
        poNumber: "PO-77",
        totalMinor: "1",
        total: "0.01",
      },
      cookie,
    );
    expect(result.status).toBe(302);
    const [invoice] = await getDb().select().from(invoices);
    expect(result.location).toBe(`/staff/invoices/${invoice!.id}`);
    // 2.5 x 19.99 = 49.98 (+ 4.12 tax), 1 x 1000.00; the blank row is ignored.
    expect(invoice).toMatchObject({ status: "draft", number: null, subtotalMinor: 104998, taxMinor: 412, totalMinor: 105410, poNumber: "PO-77" });
    const lines = await getDb().select().from(invoiceLines).where(eq(invoiceLines.invoiceId, invoice!.id));
    expect(lines.map((l) => [l.description, l.quantityMilli])).toEqual([
      ["Widgets", 2500],
      ["Setup", 1000],
    ]);
  });

  it("names each bad field by line, keeps what was typed and writes nothing", async () => {
    const { cookie } = await signedIn("clerk");
    const customer = await createCustomer();
    const before = await ledgerFingerprint();
    const typed = {
      intent: "issue",
      ...line(0, { description: "Hours", quantity: "two", unitPrice: "10", taxRate: "" }),
      ...line(1, { description: "Parts", quantity: "1", unitPrice: "10.999", taxRate: "" }),
      ...line(2, { description: "Refund?", quantity: "1", unitPrice: "-5", taxRate: "101" }),
      ...line(3, { description: "", quantity: "3", unitPrice: "4", taxRate: "" }),
      dueDate: "2026-02-30",
    };
    const result = await createInvoice(customer.id, typed, cookie);
    expect(result.status).toBe(400);
    expect(result.data).toMatchObject({
      errors: {
        "lines[0].quantity": "Line 1: Quantity: Enter a quantity like 1 or 2.5 (up to 3 decimals)",
        "lines[1].unitPrice": "Line 2: Unit price: USD amounts have at most 2 decimals",
        "lines[2].unitPrice": "Line 3: Unit price must be more than zero",
        "lines[2].taxRate": "Line 3: Tax rate: A percentage cannot be above 100",
        "lines[3].description": "Line 4: Description is required",
        dueDate: "Due date must be a date like 2026-01-31",
      },
      values: { lines: [{ quantity: "two" }, { unitPrice: "10.999" }, { unitPrice: "-5", taxRate: "101" }, { quantity: "3" }], dueDate: "2026-02-30" },
    });
    const empty = await createInvoice(customer.id, { intent: "draft", ...line(0, { description: " ", quantity: "", unitPrice: "", taxRate: "" }) }, cookie);
    expect(empty).toMatchObject({ status: 400, data: { errors: { lines: "Add at least one line with a description and a unit price" } } });
    const noLines = await createInvoice(customer.id, { intent: "draft" }, cookie);
    expect(noLines.status).toBe(400);
    expect(await ledgerFingerprint()).toBe(before);
  });

  it("saves and issues in one step, with the due date from the customer's terms", async () => {
    const { cookie } = await signedIn("clerk");
    const customer = await createCustomer({ paymentTermsDays: 14 });
    const result = await createInvoice(customer.id, { intent: "issue", ...line(0, { description: "Audit", quantity: "1", unitPrice: "250" }), issueDate: "2026-03-02" }, cookie);
    expect(result.status).toBe(302);
    const [invoice] = await getDb().select().from(invoices);
    expect(invoice).toMatchObject({ status: "open", number: "INV-000001", issueDate: "2026-03-02", dueDate: "2026-03-16", totalMinor: 25000 });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("refuses a due date before the issue date and writes nothing", async () => {
    const { cookie } = await signedIn("clerk");
    const customer = await createCustomer();
    const result = await createInvoice(customer.id, { intent: "issue", ...line(0, { description: "A", unitPrice: "x" }), issueDate: "2026-03-02", dueDate: "2026-03-01" }, cookie);
    expect(result).toMatchObject({
      status: 400,
      data: { errors: { "lines[0].unitPrice": "Line 1: Unit price: Enter an amount like 1250.00", dueDate: "Due date cannot be before the issue date" } },
    });
    expect(await getDb().select().from(invoices)).toHaveLength(0);
  });

  it("lists customers to choose from, and answers 404 for an unknown or malformed customer", async () => {
    const { cookie } = await signedIn("clerk");
    await createCustomer({ name: "Acme Fabrication" });
    const choose = await outcome(() => newInvoice.loader(args(get("/staff/invoices/new?q=acme", cookie))));
    expect(choose).toMatchObject({ status: 200, data: { step: "customer", customers: [{ name: "Acme Fabrication" }] } });
    for (const id of [UNKNOWN, "not-a-uuid"]) {
      expect((await outcome(() => newInvoice.loader(args(get(`/staff/invoices/new?customerId=${id}`, cookie))))).status).toBe(404);
      expect((await createInvoice(id, { intent: "draft", ...line(0, { description: "A", unitPrice: "1" }) }, cookie)).status).toBe(404);
    }
  });
});

describe("edit draft", () => {
  it("replaces the lines of a draft and issues it; an issued invoice cannot be edited", async () => {
    const { cookie } = await signedIn("clerk");
    const customer = await createCustomer();
    await createInvoice(customer.id, { intent: "draft", ...line(0, { description: "First", unitPrice: "10" }) }, cookie);
    const [draft] = await getDb().select().from(invoices);
    const page = await outcome(() => editInvoice.loader(args(get(`/staff/invoices/${draft!.id}/edit`, cookie), { invoiceId: draft!.id })));
    expect(page.data).toMatchObject({ values: { lines: [{ description: "First", quantity: "1", unitPrice: "10.00", taxRate: "" }, { description: "" }, { description: "" }] } });

    const bad = await outcome(() =>
      editInvoice.action(
        args(post(`/staff/invoices/${draft!.id}/edit`, { intent: "draft", ...line(0, { description: "First", unitPrice: "ten" }) }, cookie), { invoiceId: draft!.id }),
      ),
    );
    expect(bad).toMatchObject({ status: 400, data: { errors: { "lines[0].unitPrice": "Line 1: Unit price: Enter an amount like 1250.00" } } });

    const saved = await outcome(() =>
      editInvoice.action(
        args(post(`/staff/invoices/${draft!.id}/edit`, { intent: "issue", ...line(0, { description: "Changed", quantity: "3", unitPrice: "10", taxRate: "10" }) }, cookie), {
          invoiceId: draft!.id,
        }),
      ),
    );
    expect(saved).toMatchObject({ status: 302, location: `/staff/invoices/${draft!.id}` });
    const [issued] = await getDb().select().from(invoices);
    expect(issued).toMatchObject({ status: "open", subtotalMinor: 3000, taxMinor: 300, totalMinor: 3300 });

    expect((await outcome(() => editInvoice.loader(args(get(`/staff/invoices/${draft!.id}/edit`, cookie), { invoiceId: draft!.id })))).status).toBe(409);
    const again = await outcome(() =>
      editInvoice.action(args(post(`/staff/invoices/${draft!.id}/edit`, { intent: "draft", ...line(0, { description: "X", unitPrice: "1" }) }, cookie), { invoiceId: draft!.id })),
    );
    expect(again.status).toBe(409);
    expect((await getDb().select().from(invoices))[0]!.totalMinor).toBe(3300);
  });
});

describe("invoice page", () => {
  const act = (invoiceId: string, fields: Record<string, string>, cookie: string) =>
    outcome(() => invoicePage.action(args(post(`/staff/invoices/${invoiceId}`, { idempotencyKey: crypto.randomUUID(), ...fields }, cookie), { invoiceId })));

  it("issues and deletes drafts", async () => {
    const { cookie } = await signedIn("clerk");
    const customer = await createCustomer();
    await createInvoice(customer.id, { intent: "draft", ...line(0, { description: "A", unitPrice: "5" }) }, cookie);
    await createInvoice(customer.id, { intent: "draft", ...line(0, { description: "B", unitPrice: "7" }) }, cookie);
    const [first, second] = await getDb().select().from(invoices).orderBy(invoices.totalMinor);
    expect(await act(first!.id, { intent: "issue" }, cookie)).toMatchObject({ status: 200, data: { ok: true, notice: "Issued as INV-000001." } });
    expect(await act(second!.id, { intent: "delete" }, cookie)).toMatchObject({ status: 302, location: "/staff/invoices?status=draft" });
    expect(await getDb().select({ id: invoices.id }).from(invoices)).toEqual([{ id: first!.id }]);
    expect(await act(first!.id, { intent: "delete" }, cookie)).toMatchObject({ status: 409 });
    expect(await act(first!.id, { intent: "explode" }, cookie)).toMatchObject({ status: 400, data: { errors: { intent: "Choose an action" } } });
  });

  it("shows what is applied, and refuses to void an invoice with money applied", async () => {
    const { user, cookie } = await signedIn("clerk");
    const customer = await createCustomer();
    const paid = await issuedInvoice({ customerId: customer.id, amounts: [10000] });
    await recordPayment(
      {
        customerId: customer.id,
        amountMinor: 2500,
        method: "check",
        reference: "1042",
        receivedOn: "2026-01-05",
        idempotencyKey: "p-1",
        allocations: [{ invoiceId: paid.id, amountMinor: 2500 }],
      },
      staffActor(user),
    );
    const page = await outcome(() => invoicePage.loader(args(get(`/staff/invoices/${paid.id}`, cookie), { invoiceId: paid.id })));
    expect(page.data).toMatchObject({
      displayStatus: expect.any(String),
      applied: [{ kindLabel: "Payment", amountMinor: 2500, document: { label: "Check 1042" } }],
      activity: [{ label: "Issued" }, { label: "Draft created" }],
    });

    const before = await ledgerFingerprint();
    expect(await act(paid.id, { intent: "void", reason: "Duplicate" }, cookie)).toMatchObject({ status: 409, data: { message: expect.stringContaining("applied") } });
    expect(await act(paid.id, { intent: "void", reason: " " }, cookie)).toMatchObject({ status: 400, data: { errors: { reason: "Reason is required" } } });
    expect(await ledgerFingerprint()).toBe(before);

    const clean = await issuedInvoice({ customerId: customer.id, amounts: [4000] });
    expect(await act(clean.id, { intent: "void", reason: "Duplicate" }, cookie)).toMatchObject({ status: 200, data: { ok: true } });
    expect((await getDb().select().from(invoices).where(eq(invoices.id, clean.id)))[0]).toMatchObject({ status: "void", voidReason: "Duplicate" });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("writes off at once under the threshold and asks an admin above it", async () => {
    const { cookie } = await signedIn("clerk");
    const customer = await createCustomer();
    const small = await issuedInvoice({ customerId: customer.id, amounts: [12000] });
    const large = await issuedInvoice({ customerId: customer.id, amounts: [90000] });
    const page = await outcome(() => invoicePage.loader(args(get(`/staff/invoices/${large.id}`, cookie), { invoiceId: large.id })));
    expect(page.data).toMatchObject({ thresholdMinor: 50000, isAdmin: false, canChange: true });

    expect(await act(small.id, { intent: "write_off", amount: "120.001", reason: "Small balance" }, cookie)).toMatchObject({
      status: 400,
      data: { errors: { amount: "Amount to write off: USD amounts have at most 2 decimals" } },
    });
    expect(await act(small.id, { intent: "write_off", amount: "150", reason: "Small balance" }, cookie)).toMatchObject({
      status: 422,
      data: { errors: { amount: "Only $120.00 is open" } },
    });
    expect(await act(small.id, { intent: "write_off", amount: "120.00", reason: "Small balance" }, cookie)).toMatchObject({
      status: 200,
      data: { notice: "$120.00 written off." },
    });
    expect((await getDb().select().from(invoices).where(eq(invoices.id, small.id)))[0]).toMatchObject({ status: "written_off", openMinor: 0 });

    expect(await act(large.id, { intent: "write_off", amount: "900", reason: "Customer insolvent" }, cookie)).toMatchObject({
      status: 200,
      data: { notice: "The write-off of $900.00 is waiting for an admin's approval." },
    });
    expect((await getDb().select().from(invoices).where(eq(invoices.id, large.id)))[0]).toMatchObject({ status: "open", openMinor: 90000 });
    expect(await getDb().select().from(writeOffRequests)).toMatchObject([{ invoiceId: large.id, amountMinor: 90000, status: "pending" }]);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("answers 404 for an unknown or malformed invoice id", async () => {
    const { cookie } = await signedIn("clerk");
    for (const invoiceId of [UNKNOWN, "not-a-uuid", "../x"]) {
      expect((await outcome(() => invoicePage.loader(args(get(`/staff/invoices/${invoiceId}`, cookie), { invoiceId })))).status).toBe(404);
      expect((await act(invoiceId, { intent: "issue" }, cookie)).status).toBe(404);
      expect((await outcome(() => editInvoice.loader(args(get(`/staff/invoices/${invoiceId}/edit`, cookie), { invoiceId })))).status).toBe(404);
    }
  });
});

describe("invoice list", () => {
  it("filters by status, search and customer, and pages by cursor", async () => {
    const { cookie } = await signedIn("viewer");
    const acme = await createCustomer({ name: "Acme Fabrication" });
    const other = await createCustomer({ name: "Borealis" });
    for (let i = 0; i < 3; i++) await issuedInvoice({ customerId: acme.id, amounts: [1000 + i], dueDate: "2099-01-01" });
    await issuedInvoice({ customerId: other.id, amounts: [500], issueDate: "2020-01-01", dueDate: "2020-01-31" });
    const list = (query: string) => outcome(() => invoiceList.loader(args(get(`/staff/invoices${query}`, cookie))));

    expect((await list("?status=overdue")).data).toMatchObject({ invoices: [{ customerName: "Borealis", displayStatus: "overdue" }] });
    expect((await list("?q=borea")).data).toMatchObject({ invoices: [{ customerName: "Borealis" }] });
    expect((await list("?status=bogus")).data).toMatchObject({ status: "all", canCreate: false });
    const mine = await list(`?customerId=${acme.id}`);
    expect(mine.data).toMatchObject({ customer: { name: "Acme Fabrication" } });
    expect((mine.data as { invoices: unknown[] }).invoices).toHaveLength(3);

    for (let i = 0; i < 22; i++)
      await createDraftInvoice(
        { customerId: other.id, lines: [{ description: "Draft", quantityMilli: 1000, unitPriceMinor: 100, taxRateBps: 0 }] },
        { type: "system", label: "test" },
      );
    const first = (await list("")).data as { invoices: { id: string }[]; nextCursor?: string };
    expect(first.invoices).toHaveLength(25);
    const second = (await list(`?after=${first.nextCursor}`)).data as { invoices: { id: string }[]; nextCursor?: string };
    expect(second.invoices).toHaveLength(1);
    expect(second.nextCursor).toBeUndefined();
    expect(new Set([...first.invoices, ...second.invoices].map((i) => i.id)).size).toBe(26);
    expect((await list("?status=draft")).data).toMatchObject({ invoices: expect.arrayContaining([expect.objectContaining({ number: null, displayStatus: "draft" })]) });

    expect((await list("?customerId=not-a-uuid")).status).toBe(404);
    expect((await list(`?customerId=${UNKNOWN}`)).status).toBe(404);
  });
});

describe("approvals", () => {
  it("lets only an admin approve or reject; approving writes the invoice off", async () => {
    const clerk = await signedIn("clerk");
    const admin = await signedIn("admin");
    const customer = await createCustomer();
    const a = await issuedInvoice({ customerId: customer.id, amounts: [80000] });
    const b = await issuedInvoice({ customerId: customer.id, amounts: [70000] });
    for (const invoice of [a, b]) {
      await invoicePage.action(
        args(post(`/staff/invoices/${invoice.id}`, { intent: "write_off", amount: "700", reason: "Uncollectable", idempotencyKey: crypto.randomUUID() }, clerk.cookie), { invoiceId: invoice.id }),
      );
    }
    const requestFor = async (invoiceId: string) => (await getDb().select().from(writeOffRequests).where(eq(writeOffRequests.invoiceId, invoiceId)))[0]!;
    const [toApprove, toReject] = [await requestFor(b.id), await requestFor(a.id)];

    expect((await outcome(() => approvals.loader(args(get("/staff/approvals", clerk.cookie))))).status).toBe(403);
    expect((await outcome(() => approvals.action(args(post("/staff/approvals", { intent: "approve", requestId: toApprove!.id }, clerk.cookie))))).status).toBe(403);

    const page = await outcome(() => approvals.loader(args(get("/staff/approvals", admin.cookie))));
    expect((page.data as { pending: unknown[] }).pending).toHaveLength(2);

    const approve = await outcome(() => approvals.action(args(post("/staff/approvals", { intent: "approve", requestId: toApprove!.id, note: "Agreed" }, admin.cookie))));
    expect(approve).toMatchObject({ status: 200, data: { ok: true } });
    expect((await getDb().select().from(invoices).where(eq(invoices.id, b.id)))[0]).toMatchObject({ status: "written_off", writtenOffMinor: 70000, openMinor: 0 });
    const reject = await outcome(() => approvals.action(args(post("/staff/approvals", { intent: "reject", requestId: toReject!.id }, admin.cookie))));
    expect(reject).toMatchObject({ status: 200, data: { ok: true } });
    expect((await getDb().select().from(invoices).where(eq(invoices.id, a.id)))[0]).toMatchObject({ status: "open", openMinor: 80000 });

    const after = (await outcome(() => approvals.loader(args(get("/staff/approvals", admin.cookie))))).data as {
      pending: unknown[];
      recent: { status: string; decisionNote: string | null }[];
    };
    expect(after.pending).toHaveLength(0);
    expect(after.recent.map((r) => r.status).sort()).toEqual(["approved", "rejected"]);

    for (const requestId of [UNKNOWN, "nope"]) {
      expect((await outcome(() => approvals.action(args(post("/staff/approvals", { intent: "approve", requestId }, admin.cookie))))).status).toBe(404);
    }
    expect(await ledgerViolations()).toEqual([]);
  });
});

describe("roles", () => {
  it("lets a viewer read but answers 403 to every change", async () => {
    const { cookie } = await signedIn("viewer");
    const customer = await createCustomer();
    const invoice = await issuedInvoice({ customerId: customer.id, amounts: [1000] });
    const before = await ledgerFingerprint();
    expect(await outcome(() => invoicePage.loader(args(get(`/staff/invoices/${invoice.id}`, cookie), { invoiceId: invoice.id })))).toMatchObject({
      status: 200,
      data: { canChange: false },
    });
    const refused = [
      () => newInvoice.loader(args(get(`/staff/invoices/new?customerId=${customer.id}`, cookie))),
      () => newInvoice.action(args(post(`/staff/invoices/new?customerId=${customer.id}`, { intent: "draft", ...line(0, { description: "A", unitPrice: "1" }) }, cookie))),
      () => editInvoice.loader(args(get(`/staff/invoices/${invoice.id}/edit`, cookie), { invoiceId: invoice.id })),
      () => editInvoice.action(args(post(`/staff/invoices/${invoice.id}/edit`, { intent: "draft" }, cookie), { invoiceId: invoice.id })),
      ...["issue", "delete", "void", "write_off"].map(
        (intent) => () => invoicePage.action(args(post(`/staff/invoices/${invoice.id}`, { intent, reason: "x", amount: "1" }, cookie), { invoiceId: invoice.id })),
      ),
      () => approvals.loader(args(get("/staff/approvals", cookie))),
      () => approvals.action(args(post("/staff/approvals", { intent: "approve", requestId: UNKNOWN }, cookie))),
    ];
    for (const run of refused) expect((await outcome(run)).status).toBe(403);
    expect(await ledgerFingerprint()).toBe(before);
  });

  it("sends a signed-out request to sign in", async () => {
    expect(await outcome(() => invoiceList.loader(args(get("/staff/invoices"))))).toMatchObject({ status: 302, location: "/staff/sign-in?redirectTo=%2Fstaff%2Finvoices" });
  });
});
