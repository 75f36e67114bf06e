import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { allocations, auditLog, customers } from "~db/schema";
import { listAudit } from "~/audit/audit.server";
import { describeAudit } from "~/audit/describe";
import { listCustomers, type CustomerListQuery } from "~/customers/customers.server";
import { applyCreditNote, issueCreditNote, voidCreditNote } from "~/ledger/credit-notes.server";
import { createDraftInvoice, deleteDraftInvoice, updateDraftInvoice, voidInvoice } from "~/ledger/invoices.server";
import { recordPayment, refund, reversePayment, unapplyAllocation } from "~/ledger/payments.server";
import { decideWriteOff, requestWriteOff } from "~/ledger/write-offs.server";
import * as customerPage from "~/routes/staff.customers.$customerId";
import * as editCustomer from "~/routes/staff.customers.$customerId_.edit";
import * as customerList from "~/routes/staff.customers._index";
import * as newCustomer from "~/routes/staff.customers.new";
import { addDays, today } from "~/utils/dates";
import { createCustomer, createStaff, issuedInvoice, staffActor } from "./factories";
import { context, cookieFor, get, outcome, post } from "./route-helpers";

const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context });
const unknownId = "00000000-0000-4000-8000-000000000000";

async function signedIn(role: "viewer" | "clerk" | "admin" = "clerk") {
  const user = await createStaff({ role });
  return { user, cookie: await cookieFor({ audience: "staff", staffUserId: user.id }), actor: staffActor(user) };
}

const validForm = {
  name: "Harbor Freight Partners",
  legalName: "Harbor Freight Partners LLC",
  email: "AP@Harbor.example",
  phone: "+1 555 0100",
  addressLine1: "1 Dock Road",
  city: "Portland",
  region: "OR",
  postalCode: "97201",
  country: "us",
  currency: "USD",
  paymentTermsDays: "30",
  earlyDiscountPercent: "2",
  earlyDiscountDays: "10",
  creditLimit: "25,000.50",
  creditHold: "on",
  taxId: "12-3456789",
  externalRef: "ERP-42",
  segment: "Enterprise",
  timeZone: "America/Los_Angeles",
};

describe("creating a customer", () => {
  it("saves every field, parsed, and opens the customer's page", async () => {
    const { cookie, user } = await signedIn("clerk");
    const result = await outcome(() => newCustomer.action(args(post("/staff/customers/new", { ...validForm, collectorId: user.id }, cookie))));
    expect(result.status).toBe(302);
    const [saved] = await getDb().select().from(customers);
    expect(result.location).toBe(`/staff/customers/${saved!.id}`);
    expect(saved).toMatchObject({
      accountNumber: "C-10001",
      name: "Harbor Freight Partners",
      email: "ap@harbor.example",
      country: "US",
      currency: "USD",
      paymentTermsDays: 30,
      earlyDiscountBps: 200,
      earlyDiscountDays: 10,
      creditLimitMinor: 2_500_050,
      creditHold: true,
      timeZone: "America/Los_Angeles",
      collectorId: user.id,
    });
    const [entry] = await getDb().select().from(auditLog).where(eq(auditLog.customerId, saved!.id));
    expect(entry).toMatchObject({ action: "customer.create", actorId: user.id });
  });

  it("names every bad field and writes nothing", async () => {
    const { cookie } = await signedIn("clerk");
    const bad = {
      name: " ",
      email: "not-an-email",
      country: "USA",
      currency: "DOLLARS",
      paymentTermsDays: "thirty",
      earlyDiscountPercent: "150",
      earlyDiscountDays: "-1",
      creditLimit: "12.345",
      timeZone: "Mars/Olympus",
      collectorId: "someone",
      accountNumber: "has spaces",
    };
    const result = await outcome(() => newCustomer.action(args(post("/staff/customers/new", bad, cookie))));
    expect(result.status).toBe(400);
    const errors = (result.data as { errors: Record<string, string> }).errors;
    expect(errors).toMatchObject({
      name: "Name is required",
      email: "Billing email must be an email address",
      country: "Country must be a two-letter code such as US or GB",
      currency: "Currency must be an ISO code such as USD or EUR",
      paymentTermsDays: "Payment terms must be a whole number",
      earlyDiscountDays: "Discount days must be at least 0",
      timeZone: "Time zone must be an IANA name such as America/New_York",
      collectorId: "Collector must be one of the staff",
      accountNumber: "Account number may use letters, digits, dots, dashes and underscores",
    });
    const discount = await outcome(() => newCustomer.action(args(post("/staff/customers/new", { name: "X", currency: "USD", earlyDiscountPercent: "150", creditLimit: "12.345" }, cookie))));
    expect(discount.data).toMatchObject({ errors: { earlyDiscountPercent: "Early-payment discount: A percentage cannot be above 100", creditLimit: "Credit limit: USD amounts have at most 2 decimals" } });
    expect(await getDb().select().from(customers)).toHaveLength(0);
    expect(await getDb().select().from(auditLog)).toHaveLength(0);
  });

  it("refuses a taken account number or external reference, and a viewer as collector, on their fields", async () => {
    const { cookie } = await signedIn("clerk");
    await createCustomer({ accountNumber: "ACME-1", externalRef: "ERP-1" });
    const viewer = await createStaff({ role: "viewer" });
    const taken = await outcome(() => newCustomer.action(args(post("/staff/customers/new", { name: "Dup", currency: "USD", accountNumber: "ACME-1" }, cookie))));
    expect(taken).toMatchObject({ status: 409, data: { errors: { accountNumber: "Account number ACME-1 is already used" } } });
    const ref = await outcome(() => newCustomer.action(args(post("/staff/customers/new", { name: "Dup", currency: "USD", externalRef: "ERP-1" }, cookie))));
    expect(ref).toMatchObject({ status: 409, data: { errors: { externalRef: "External reference ERP-1 is already used" } } });
    const collector = await outcome(() => newCustomer.action(args(post("/staff/customers/new", { name: "Dup", currency: "USD", collectorId: viewer.id }, cookie))));
    expect(collector).toMatchObject({ status: 422, data: { errors: { collectorId: "Collector must be a clerk or an admin" } } });
    expect(await getDb().select().from(customers)).toHaveLength(1);
  });
});

describe("editing a customer", () => {
  it("saves the changes, records what changed, and goes back to the customer", async () => {
    const { cookie, user } = await signedIn("clerk");
    const customer = await createCustomer({ name: "Old Name", accountNumber: "C-2" });
    const loaded = await outcome(() => editCustomer.loader(args(get(`/staff/customers/${customer.id}/edit`, cookie), { customerId: customer.id })));
    expect(loaded).toMatchObject({ status: 200, data: { customer: { name: "Old Name" }, currencyLocked: false } });
    expect((loaded.data as { collectors: { id: string }[] }).collectors.map((c) => c.id)).toContain(user.id);

    const result = await outcome(() =>
      editCustomer.action(args(post(`/staff/customers/${customer.id}/edit`, { ...validForm, accountNumber: "C-2", currency: "EUR" }, cookie), { customerId: customer.id })),
    );
    expect(result).toMatchObject({ status: 302, location: `/staff/customers/${customer.id}` });
    const [saved] = await getDb().select().from(customers).where(eq(customers.id, customer.id));
    expect(saved).toMatchObject({ name: "Harbor Freight Partners", currency: "EUR", creditLimitMinor: 2_500_050, creditHold: true });
    const [entry] = await listAudit({ customerId: customer.id });
    expect(entry).toMatchObject({ action: "customer.update", before: { name: "Old Name", currency: "USD" }, after: { name: "Harbor Freight Partners", currency: "EUR" } });
  });

  it("names the bad fields and changes nothing", async () => {
    const { cookie } = await signedIn("clerk");
    const customer = await createCustomer({ name: "Stays" });
    const result = await outcome(() =>
      editCustomer.action(args(post(`/staff/customers/${customer.id}/edit`, { name: "", currency: "USD", paymentTermsDays: "400" }, cookie), { customerId: customer.id })),
    );
    expect(result).toMatchObject({ status: 400, data: { errors: { name: "Name is required", paymentTermsDays: "Payment terms must be at most 365" } } });
    const [after] = await getDb().select().from(customers).where(eq(customers.id, customer.id));
    expect(after).toEqual(customer);
    expect(await getDb().select().from(auditLog)).toHaveLength(0);
  });

  it("keeps the currency once the customer has invoices", async () => {
    const { cookie } = await signedIn("clerk");
    const customer = await createCustomer({ name: "Booked", currency: "USD" });
    await issuedInvoice({ customerId: customer.id, amounts: [10_000] });
    const loaded = await outcome(() => editCustomer.loader(args(get(`/staff/customers/${customer.id}/edit`, cookie), { customerId: customer.id })));
    expect(loaded.data).toMatchObject({ currencyLocked: true });
    const result = await outcome(() =>
      editCustomer.action(args(post(`/staff/customers/${customer.id}/edit`, { name: "Booked", currency: "EUR" }, cookie), { customerId: customer.id })),
    );
    expect(result).toMatchObject({ status: 409, data: { errors: { currency: "The currency stays USD: the customer already has invoices or payments" } } });
    const [after] = await getDb().select().from(customers).where(eq(customers.id, customer.id));
    expect(after!.currency).toBe("USD");
  });

  it("answers 404 for an unknown or malformed id", async () => {
    const { cookie } = await signedIn("clerk");
    for (const customerId of ["123", unknownId]) {
      expect((await outcome(() => editCustomer.loader(args(get(`/staff/customers/${customerId}/edit`, cookie), { customerId })))).status).toBe(404);
      expect((await outcome(() => editCustomer.action(args(post(`/staff/customers/${customerId}/edit`, { name: "X", currency: "USD" }, cookie), { customerId })))).status).toBe(404);
      expect((await outcome(() => customerPage.loader(args(get(`/staff/customers/${customerId}`, cookie), { customerId })))).status).toBe(404);
    }
  });
});

describe("roles", () => {
  it("refuses a viewer the forms and their actions with 403, and changes nothing", async () => {
    const { cookie } = await signedIn("viewer");
    const customer = await createCustomer({ name: "Untouched" });
    const params = { customerId: customer.id };
    expect((await outcome(() => newCustomer.loader(args(get("/staff/customers/new", cookie))))).status).toBe(403);
    expect((await outcome(() => newCustomer.action(args(post("/staff/customers/new", validForm, cookie))))).status).toBe(403);
    expect((await outcome(() => editCustomer.loader(args(get(`/staff/customers/${customer.id}/edit`, cookie), params)))).status).toBe(403);
    expect((await outcome(() => editCustomer.action(args(post(`/staff/customers/${customer.id}/edit`, validForm, cookie), params)))).status).toBe(403);
    expect(await getDb().select().from(customers)).toEqual([customer]);
    const page = await outcome(() => customerPage.loader(args(get(`/staff/customers/${customer.id}`, cookie), params)));
    expect(page).toMatchObject({ status: 200, data: { canChange: false, customer: { name: "Untouched" } } });
    const list = await outcome(() => customerList.loader(args(get("/staff/customers", cookie))));
    expect(list).toMatchObject({ status: 200, data: { canCreate: false } });
  });
});

describe("the customer list", () => {
  const pastDue = () => ({ issueDate: addDays(today(), -60), dueDate: addDays(today(), -30) });
  const notDue = () => ({ issueDate: today(), dueDate: addDays(today(), 30) });

  async function books() {
    const clerk = await createStaff({ role: "clerk" });
    const actor = staffActor(clerk);
    const late = await createCustomer({ name: "Late Larch", accountNumber: "A-003", email: "ap@larch.example", collectorId: clerk.id });
    const current = await createCustomer({ name: "current Cedar", accountNumber: "A-001", externalRef: "ERP-CEDAR" });
    const credit = await createCustomer({ name: "Birch Credit", accountNumber: "A-002", currency: "EUR" });
    const held = await createCustomer({ name: "Held Hazel", accountNumber: "A-004", creditHold: true, collectorId: clerk.id });
    await issuedInvoice({ customerId: late.id, amounts: [50_000], ...pastDue() });
    await issuedInvoice({ customerId: late.id, amounts: [7_000], ...notDue() });
    await issuedInvoice({ customerId: current.id, amounts: [90_000], ...notDue() });
    await issuedInvoice({ customerId: held.id, amounts: [20_000], ...pastDue() });
    await recordPayment({ customerId: credit.id, amountMinor: 30_000, method: "wire", receivedOn: today(), idempotencyKey: "credit-1" }, actor);
    return { clerk, late, current, credit, held };
  }

  const accounts = async (query: CustomerListQuery) => (await listCustomers(query)).customers.map((c) => c.accountNumber);

  it("filters by what is owed, overdue, held or in credit, and by currency, collector and search", async () => {
    const { clerk } = await books();
    expect(await accounts({ show: "balance" })).toEqual(["A-001", "A-003", "A-004"]);
    expect(await accounts({ show: "overdue" })).toEqual(["A-003", "A-004"]);
    expect(await accounts({ show: "overdue", sort: "overdue" })).toEqual(["A-003", "A-004"]);
    expect(await accounts({ show: "hold" })).toEqual(["A-004"]);
    expect(await accounts({ show: "credit" })).toEqual(["A-002"]);
    expect(await accounts({ currency: "EUR" })).toEqual(["A-002"]);
    expect(await accounts({ collector: clerk.id })).toEqual(["A-003", "A-004"]);
    expect(await accounts({ collector: "none" })).toEqual(["A-001", "A-002"]);
    expect(await accounts({ q: "larch.example" })).toEqual(["A-003"]);
    expect(await accounts({ q: "erp-cedar" })).toEqual(["A-001"]);
    expect(await accounts({ q: "a-00" })).toEqual(["A-001", "A-002", "A-003", "A-004"]);
    expect(await accounts({ q: "100%" })).toEqual([]);
  });

  it("sorts by account, name, balance and overdue, with the amounts of each row", async () => {
    await books();
    expect(await accounts({})).toEqual(["A-001", "A-002", "A-003", "A-004"]);
    expect(await accounts({ sort: "name" })).toEqual(["A-002", "A-001", "A-004", "A-003"]);
    expect(await accounts({ sort: "balance" })).toEqual(["A-001", "A-003", "A-004", "A-002"]);
    expect(await accounts({ sort: "overdue" })).toEqual(["A-003", "A-004", expect.any(String), expect.any(String)]);
    const rows = new Map((await listCustomers({})).customers.map((c) => [c.accountNumber, c]));
    expect(rows.get("A-003")).toMatchObject({ balanceMinor: 57_000, overdueMinor: 50_000, collectorName: expect.any(String) });
    expect(rows.get("A-002")).toMatchObject({ balanceMinor: -30_000, unappliedMinor: 30_000, overdueMinor: 0 });
    expect(rows.get("A-001")).toMatchObject({ balanceMinor: 90_000, overdueMinor: 0 });
  });

  it("pages through every customer once, in order, for every sort and on ties", async () => {
    // Many equal balances and overdue amounts, so the id has to break ties.
    for (let i = 0; i < 23; i++) {
      const customer = await createCustomer({ name: `Customer ${String(i % 5)}`, accountNumber: `P-${String(i).padStart(3, "0")}` });
      if (i % 3 === 0) await issuedInvoice({ customerId: customer.id, amounts: [1_000 * (i % 2 ? 2 : 1)], ...pastDue() });
    }
    for (const sort of ["account", "name", "balance", "overdue"] as const) {
      const everything = (await listCustomers({ sort, limit: 100 })).customers.map((c) => c.id);
      const paged: string[] = [];
      let after: string | undefined;
      do {
        const page = await listCustomers({ sort, after, limit: 4 });
        paged.push(...page.customers.map((c) => c.id));
        after = page.nextCursor;
      } while (after);
      expect(paged, sort).toEqual(everything);
      expect(new Set(paged).size).toBe(23);
    }
    // A cursor from another sort, or garbage, starts again at the first page.
    const first = await listCustomers({ sort: "name", limit: 4 });
    expect((await listCustomers({ sort: "balance", after: first.nextCursor, limit: 4 })).customers).toEqual((await listCustomers({ sort: "balance", limit: 4 })).customers);
    expect((await listCustomers({ after: "%%%not-a-cursor", limit: 4 })).customers.map((c) => c.accountNumber)).toEqual(["P-000", "P-001", "P-002", "P-003"]);
  });

  it("shows 25 a page through the route, keeps the filters in the next link, and ignores bad filters", async () => {
    const { cookie } = await signedIn("viewer");
    for (let i = 0; i < 27; i++) await createCustomer({ accountNumber: `L-${String(i).padStart(2, "0")}` });
    const first = await outcome(() => customerList.loader(args(get("/staff/customers?sort=name&currency=usd&show=nonsense&collector=x", cookie))));
    const data = first.data as { customers: unknown[]; nextCursor: string; query: Record<string, string | undefined> };
    expect(first.status).toBe(200);
    expect(data.customers).toHaveLength(25);
    expect(data.query).toEqual({ sort: "name" });
    const second = await outcome(() => customerList.loader(args(get(`/staff/customers?sort=name&after=${data.nextCursor}`, cookie))));
    expect((second.data as { customers: unknown[]; nextCursor?: string }).customers).toHaveLength(2);
    expect((second.data as { nextCursor?: string }).nextCursor).toBeUndefined();
  });
});

describe("the customer page", () => {
  it("shows the figures, documents and activity, in words and in pages", async () => {
    const { cookie, actor } = await signedIn("clerk");
    const customer = await createCustomer({ name: "Page Co", creditLimitMinor: 100_000 });
    const invoice = await issuedInvoice({ customerId: customer.id, amounts: [125_000], issueDate: addDays(today(), -45), dueDate: addDays(today(), -15) }, actor);
    await recordPayment({ customerId: customer.id, amountMinor: 25_000, method: "check", reference: "1001", receivedOn: today(), idempotencyKey: "page-pay", allocations: [{ invoiceId: invoice.id, amountMinor: 25_000 }] }, actor);
    const params = { customerId: customer.id };
    const page = await outcome(() => customerPage.loader(args(get(`/staff/customers/${customer.id}`, cookie), params)));
    expect(page.status).toBe(200);
    const data = page.data as Awaited<ReturnType<typeof customerPage.loader>>;
    expect(data.summary).toMatchObject({ balanceMinor: 100_000, overdueMinor: 100_000, openInvoiceCount: 1, creditUsedPercent: 100, availableCreditMinor: 0 });
    expect(data.openInvoices).toMatchObject([{ id: invoice.id, openMinor: 100_000, displayStatus: "overdue" }]);
    expect(data.payments).toMatchObject([{ amountMinor: 25_000, allocatedMinor: 25_000, unappliedMinor: 0, reference: "1001" }]);
    expect(data.canChange).toBe(true);
    expect(data.activity.map((a) => a.text)).toEqual([
      expect.stringMatching(/ applied a payment: \$250\.00 to INV-000001$/),
      expect.stringMatching(/ recorded a check payment of \$250\.00 \(reference 1001\)$/),
      // Drafted and issued in one go: the issue says it all.
      expect.stringMatching(/ issued invoice INV-000001 for \$1,250\.00$/),
    ]);
    expect(data.activity[2]!.text).toMatch(/^Staff \d+ issued/);
    expect(data.olderActivity).toBeUndefined();

    for (let i = 0; i < 20; i++) await getDb().insert(auditLog).values({ actorType: "system", actorLabel: "test", action: "customer.update", entityType: "customer", customerId: customer.id, after: { segment: `S${i}` } });
    const newest = (await outcome(() => customerPage.loader(args(get(`/staff/customers/${customer.id}`, cookie), params)))).data as typeof data;
    expect(newest.activity).toHaveLength(20);
    expect(newest.activity[0]!.text).toBe("Settle (test) changed the segment");
    const older = (await outcome(() => customerPage.loader(args(get(`/staff/customers/${customer.id}?before=${newest.olderActivity}`, cookie), params)))).data as typeof data;
    expect(older.activity.map((a) => a.text)).toEqual([expect.stringMatching(/applied a payment/), expect.stringMatching(/recorded a check payment/), expect.stringMatching(/issued invoice/)]);
    expect(older.olderActivity).toBeUndefined();
  });
});

describe("describeAudit", () => {
  it("puts every action the ledger records for a customer into words", async () => {
    const admin = await createStaff({ role: "admin" });
    const clerk = await createStaff({ role: "clerk" });
    const asAdmin = { ...staffActor(admin), role: "admin" as const };
    const asClerk = { ...staffActor(clerk), role: "clerk" as const };
    const customer = await createCustomer({ name: "Words Ltd" });
    const c = customer.id;
    const draft = await createDraftInvoice({ customerId: c, lines: [{ description: "A", quantityMilli: 1000, unitPriceMinor: 5_000, taxRateBps: 0 }] }, asClerk);
    await updateDraftInvoice(draft.id, { lines: [{ description: "A", quantityMilli: 2000, unitPriceMinor: 5_000, taxRateBps: 0 }] }, asClerk);
    await deleteDraftInvoice(draft.id, asClerk);
    const one = await issuedInvoice({ customerId: c, amounts: [100_000] }, asClerk);
    const two = await issuedInvoice({ customerId: c, amounts: [40_000] }, asClerk);
    const three = await issuedInvoice({ customerId: c, amounts: [80_000] }, asClerk);
    await voidInvoice({ invoiceId: two.id, reason: "Raised twice" }, asClerk);
    const payment = await recordPayment({ customerId: c, amountMinor: 30_000, method: "wire", receivedOn: today(), idempotencyKey: "words-1", allocations: [{ invoiceId: one.id, amountMinor: 20_000 }] }, asClerk);
    const [applied] = await getDb().select().from(allocations).where(eq(allocations.paymentId, payment.id));
    await unapplyAllocation({ allocationId: applied!.id, reason: "Wrong invoice" }, asClerk);
    await refund({ source: { paymentId: payment.id }, amountMinor: 5_000, method: "wire", reason: "Overpaid", idempotencyKey: "words-refund" }, asClerk);
    const bounced = await recordPayment({ customerId: c, amountMinor: 1_000, method: "check", receivedOn: today(), idempotencyKey: "words-2" }, asClerk);
    await reversePayment({ paymentId: bounced.id, reason: "Returned check" }, asClerk);
    const note = await issueCreditNote({ customerId: c, lines: [{ description: "Goodwill", amountMinor: 3_000 }], reason: "Late delivery", idempotencyKey: "words-cn" }, asClerk);
    await applyCreditNote({ creditNoteId: note.id, allocations: "auto", requestKey: "words-apply" }, asClerk);
    await voidCreditNote({ creditNoteId: note.id, reason: "Issued in error" }, asClerk);
    await requestWriteOff({ invoiceId: one.id, amountMinor: 1_000, reason: "Small balance" }, asClerk);
    const pending = await requestWriteOff({ invoiceId: three.id, reason: "Customer gone" }, asClerk);
    await decideWriteOff({ requestId: (pending as { requestId: string }).requestId, approve: true }, asAdmin);
    const four = await issuedInvoice({ customerId: c, amounts: [90_000] }, asClerk);
    const refused = await requestWriteOff({ invoiceId: four.id, reason: "Disputed" }, asClerk);
    await decideWriteOff({ requestId: (refused as { requestId: string }).requestId, approve: false, note: "Paid after all" }, asAdmin);

    const entries = await getDb().select().from(auditLog).where(eq(auditLog.customerId, c));
    const texts = entries.map((entry) => describeAudit(entry, "USD"));
    const unknown = texts.filter((t) => /: [a-z_]+\.[a-z_]+$/.test(t));
    expect(unknown).toEqual([]);
    const actions = new Set(entries.map((e) => e.action));
    for (const action of [
      "invoice.create_draft", "invoice.update_draft", "invoice.delete_draft", "invoice.issue", "invoice.void", "payment.record", "payment.apply",
      "allocation.unapply", "refund.create", "payment.reverse", "credit_note.issue", "credit_note.apply", "credit_note.void", "write_off.issue",
      "write_off.request", "write_off.approve", "write_off.reject",
    ]) {
      expect(actions, action).toContain(action);
    }
    expect(texts).toEqual(
      expect.arrayContaining([
        `${clerk.email} issued invoice INV-000001 for $1,000.00`,
        `${clerk.email} voided invoice INV-000002 for $400.00: Raised twice`,
        `${clerk.email} recorded a wire transfer payment of $300.00`,
        `${clerk.email} applied a payment: $200.00 to INV-000001`,
        `${clerk.email} took back $200.00 applied to an invoice: Wrong invoice`,
        `${clerk.email} refunded $50.00 by wire transfer: Overpaid`,
        `${clerk.email} reversed a payment: Returned check`,
        expect.stringMatching(new RegExp(`^${clerk.email} issued credit note \\S+ for \\$30\\.00: Late delivery$`)),
        expect.stringMatching(new RegExp(`^${clerk.email} voided credit note \\S+ for \\$30\\.00: Issued in error$`)),
        `${clerk.email} wrote off $10.00 of invoice INV-000001: Small balance`,
        `${clerk.email} asked to write off $800.00, which needs an admin's approval: Customer gone`,
        `${admin.email} approved a write-off`,
        `${admin.email} wrote off $800.00 of invoice INV-000003: Customer gone`,
        `${clerk.email} drafted an invoice for $50.00`,
        `${clerk.email} edited a draft invoice, now $100.00`,
        `${clerk.email} deleted a draft invoice for $100.00`,
        `${admin.email} rejected a write-off: Paid after all`,
      ]),
    );
  });

  it("uses the actor's name, says who changed what on the account, and falls back to the action's name", () => {
    const base = { actorType: "staff", actorLabel: "priya@northwind.example", actorName: "Priya Raman", before: null };
    expect(describeAudit({ ...base, action: "invoice.issue", after: { number: "INV-000123", totalMinor: 125_000 } }, "USD")).toBe("Priya Raman issued invoice INV-000123 for $1,250.00");
    expect(describeAudit({ ...base, action: "payment.record", after: { amountMinor: 5_000, currency: "EUR", method: "ach" } })).toBe("Priya Raman recorded an ACH payment of €50.00");
    expect(describeAudit({ ...base, action: "customer.update", after: { creditHold: true } }, "USD")).toBe("Priya Raman put the account on credit hold");
    expect(describeAudit({ ...base, action: "customer.update", before: { creditLimitMinor: null, email: null }, after: { creditLimitMinor: 500_000, email: "a@b.example", creditHold: false } }, "USD")).toBe(
      "Priya Raman changed the credit limit to $5,000.00 and billing email and took the account off credit hold",
    );
    expect(describeAudit({ ...base, action: "customer.create", after: { accountNumber: "C-10061" } })).toBe("Priya Raman opened the account C-10061");
    expect(describeAudit({ ...base, actorType: "portal", actorName: "Dana Whitfield", action: "portal.sign_in", after: null })).toBe("Dana Whitfield signed in to the portal");
    expect(describeAudit({ ...base, actorName: null, action: "something.unheard_of", after: { amountMinor: 1 } })).toBe("priya@northwind.example: something.unheard_of");
    expect(describeAudit({ actorType: "system", actorLabel: "import", before: null, action: "invoice.issue", after: { number: "INV-9" } })).toBe("Settle (import) issued invoice INV-9");
  });
});
