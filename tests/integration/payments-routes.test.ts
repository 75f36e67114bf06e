import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { creditNotes, invoiceLines, invoices, payments } from "~db/schema";
import { issueCreditNote } from "~/ledger/credit-notes.server";
import { getPaymentDetail, recordPayment } from "~/ledger/payments.server";
import * as creditPage from "~/routes/staff.credit-notes.$creditNoteId";
import * as creditList from "~/routes/staff.credit-notes._index";
import * as newCredit from "~/routes/staff.credit-notes.new";
import * as paymentPage from "~/routes/staff.payments.$paymentId";
import * as paymentList from "~/routes/staff.payments._index";
import * as newPayment from "~/routes/staff.payments.new";
import { today } from "~/utils/dates";
import { createCustomer, createStaff, issuedInvoice, staffActor } from "./factories";
import { ledgerFingerprint, ledgerViolations } from "./ledger-invariants";
import { context, cookieFor, get, outcome, post } from "./route-helpers";

const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context });
const missingId = "00000000-0000-4000-8000-000000000000";

async function signedIn(role: "viewer" | "clerk" | "admin" = "clerk") {
  const user = await createStaff({ role });
  return { user, cookie: await cookieFor({ audience: "staff", staffUserId: user.id }), actor: staffActor(user) };
}

/** A customer with two open invoices of $100.00 and $50.00. */
async function customerWithInvoices() {
  const customer = await createCustomer();
  const first = await issuedInvoice({ customerId: customer.id, amounts: [10000] });
  const second = await issuedInvoice({ customerId: customer.id, amounts: [5000] });
  return { customer, first, second };
}

async function formKeyFor(customerId: string, cookie: string) {
  const loaded = await outcome(() => newPayment.loader(args(get(`/staff/payments/new?customerId=${customerId}`, cookie))));
  expect(loaded.status).toBe(200);
  return (loaded.data as { formKey: string }).formKey;
}

const paymentFields = (customerId: string, fields: Record<string, string>) => ({
  customerId,
  amount: "150.00",
  method: "check",
  reference: "1042",
  receivedOn: today(),
  memo: "",
  applyMode: "auto",
  ...fields,
});

/** Runs a route call that must be refused: the status and what it said, with the books unchanged. */
async function refused(run: () => Promise<unknown>) {
  const before = await ledgerFingerprint();
  const result = await outcome(run);
  expect(await ledgerFingerprint()).toBe(before);
  return result as { status: number; data: { errors: Record<string, string>; message: string | null } };
}

describe("recording a payment", () => {
  it("records a check that pays two invoices and leaves credit, once however often the form is sent", async () => {
    const { cookie } = await signedIn();
    const { customer, first, second } = await customerWithInvoices();
    const formKey = await formKeyFor(customer.id, cookie);
    const fields = paymentFields(customer.id, { amount: "200.00", applyMode: "choose", [`apply.${first.id}`]: "100.00", [`apply.${second.id}`]: "50", idempotencyKey: formKey });

    const sent = await outcome(() => newPayment.action(args(post("/staff/payments/new", fields, cookie))));
    const again = await outcome(() => newPayment.action(args(post("/staff/payments/new", fields, cookie))));

    expect(sent.status).toBe(302);
    expect(again).toEqual(sent);
    const rows = await getDb().select().from(payments).where(eq(payments.customerId, customer.id));
    expect(rows).toHaveLength(1);
    expect(sent.location).toBe(`/staff/payments/${rows[0]!.id}?done=recorded`);
    expect(rows[0]).toMatchObject({ amountMinor: 20000, allocatedMinor: 15000, method: "check", reference: "1042" });
    const statuses = await getDb().select({ status: invoices.status }).from(invoices).where(eq(invoices.customerId, customer.id));
    expect(statuses.map((row) => row.status)).toEqual(["paid", "paid"]);

    const page = await outcome(() => paymentPage.loader(args(get(`/staff/payments/${rows[0]!.id}`, cookie), { paymentId: rows[0]!.id })));
    expect(page.data).toMatchObject({ availableMinor: 5000, canEdit: true, invoices: [] });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("preselects an invoice with its open amount, and lists customers to choose from without one", async () => {
    const { cookie } = await signedIn();
    const { customer, second } = await customerWithInvoices();
    const withInvoice = await outcome(() => newPayment.loader(args(get(`/staff/payments/new?invoiceId=${second.id}`, cookie))));
    expect(withInvoice.data).toMatchObject({ step: "payment", customer: { id: customer.id, currency: "USD" }, invoiceId: second.id });
    expect((withInvoice.data as { invoices: { id: string; openMinor: number }[] }).invoices.map((i) => i.openMinor)).toEqual([10000, 5000]);
    const picker = await outcome(() => newPayment.loader(args(get(`/staff/payments/new?q=${encodeURIComponent(customer.name)}`, cookie))));
    expect(picker.data).toMatchObject({ step: "customer", customers: [{ id: customer.id }] });
  });

  it("names each bad amount and changes nothing", async () => {
    const { cookie } = await signedIn();
    const { customer, first, second } = await customerWithInvoices();
    const formKey = await formKeyFor(customer.id, cookie);
    const send = (fields: Record<string, string>) => refused(() => newPayment.action(args(post("/staff/payments/new", paymentFields(customer.id, { idempotencyKey: formKey, ...fields }), cookie))));

    for (const [amount, message] of [
      ["-5", "Amount must be more than zero"],
      ["0", "Amount must be more than zero"],
      ["0.00", "Amount must be more than zero"],
      ["12.345", "Amount: USD amounts have at most 2 decimals"],
      ["twelve", "Amount: Enter an amount like 1250.00"],
      ["", "Amount is required"],
    ]) {
      expect(await send({ amount: amount! })).toMatchObject({ status: 400, data: { errors: { amount: message } } });
    }
    expect(await send({ receivedOn: "2026-02-30" })).toMatchObject({ status: 400, data: { errors: { receivedOn: "Date received must be a date like 2026-01-31" } } });
    expect(await send({ method: "barter" })).toMatchObject({ status: 400, data: { errors: { method: "Choose how the payment was made" } } });

    // Rows of the allocation table.
    expect(await send({ applyMode: "choose", [`apply.${first.id}`]: "1.234" })).toMatchObject({
      status: 400,
      data: { errors: { [`apply.${first.id}`]: `Amount for invoice ${first.number}: USD amounts have at most 2 decimals` } },
    });
    expect(await send({ applyMode: "choose", [`apply.${first.id}`]: "-1" })).toMatchObject({
      status: 400,
      data: { errors: { [`apply.${first.id}`]: `Amount for invoice ${first.number} must be more than zero` } },
    });
    expect(await send({ applyMode: "choose" })).toMatchObject({ status: 400, data: { errors: { allocations: "Enter an amount for at least one invoice" } } });
    expect(await send({ amount: "500.00", applyMode: "choose", [`apply.${second.id}`]: "50.01" })).toMatchObject({
      status: 422,
      data: { errors: { allocations: `Invoice ${second.number} has only $50.00 open` } },
    });
    expect(await send({ amount: "120.00", applyMode: "choose", [`apply.${first.id}`]: "100.00", [`apply.${second.id}`]: "30.00" })).toMatchObject({
      status: 422,
      data: { errors: { allocations: "That applies $130.00, but only $120.00 is available" } },
    });
    expect(await send({ idempotencyKey: "" })).toMatchObject({ status: 400, data: { errors: { idempotencyKey: "The form expired; reload the page and try again" } } });
    expect(await getDb().select().from(payments)).toHaveLength(0);
  });

  it("leaves a payment unapplied, then applies it from the payment page once per request key", async () => {
    const { cookie } = await signedIn();
    const { customer, first, second } = await customerWithInvoices();
    const sent = await outcome(() =>
      newPayment.action(args(post("/staff/payments/new", paymentFields(customer.id, { amount: "120.00", applyMode: "none", idempotencyKey: "unapplied-1" }), cookie))),
    );
    const paymentId = sent.location!.split("/").pop()!.split("?")[0]!;
    const loaded = await outcome(() => paymentPage.loader(args(get(`/staff/payments/${paymentId}`, cookie), { paymentId })));
    const { applyKey, invoices: open } = loaded.data as { applyKey: string; invoices: { id: string }[] };
    expect(open.map((i) => i.id)).toEqual([first.id, second.id]);

    const tooMuch = await refused(() =>
      paymentPage.action(args(post(`/staff/payments/${paymentId}`, { intent: "apply", applyMode: "choose", requestKey: applyKey, [`apply.${first.id}`]: "100", [`apply.${second.id}`]: "50" }, cookie), { paymentId })),
    );
    expect(tooMuch).toMatchObject({ status: 422, data: { errors: { allocations: "That applies $150.00, but only $120.00 is available" } } });

    const apply = () =>
      outcome(() => paymentPage.action(args(post(`/staff/payments/${paymentId}`, { intent: "apply", applyMode: "choose", requestKey: applyKey, [`apply.${second.id}`]: "50.00" }, cookie), { paymentId })));
    expect(await apply()).toMatchObject({ status: 302, location: `/staff/payments/${paymentId}?done=applied` });
    expect(await apply()).toMatchObject({ status: 302 });
    expect((await getPaymentDetail(paymentId))!.availableMinor).toBe(7000);

    const auto = await outcome(() => paymentPage.action(args(post(`/staff/payments/${paymentId}`, { intent: "apply", applyMode: "auto", requestKey: "auto-key-1" }, cookie), { paymentId })));
    expect(auto.status).toBe(302);
    const detail = (await getPaymentDetail(paymentId))!;
    expect(detail.availableMinor).toBe(0);
    expect(detail.applied.map((row) => [row.invoiceNumber, row.amountMinor])).toEqual([
      [second.number, 5000],
      [first.number, 7000],
    ]);
    expect(await ledgerViolations()).toEqual([]);
  });
});

describe("the payment page", () => {
  it("refuses a refund above what is unapplied, and records one within it", async () => {
    const { cookie, actor } = await signedIn();
    const { customer, first } = await customerWithInvoices();
    const payment = await recordPayment(
      { customerId: customer.id, amountMinor: 10000, method: "wire", receivedOn: today(), idempotencyKey: "wire-1", allocations: [{ invoiceId: first.id, amountMinor: 6000 }] },
      actor,
    );
    const path = `/staff/payments/${payment.id}`;
    const refundFields = (amount: string, key: string) => ({ intent: "refund", amount, method: "wire", reference: "RF-1", reason: "Overpaid", idempotencyKey: key });

    expect(await refused(() => paymentPage.action(args(post(path, refundFields("40.01", "refund-key-1"), cookie), { paymentId: payment.id })))).toMatchObject({
      status: 422,
      data: { errors: { amount: "Only $40.00 is unapplied and can be refunded; unapply it from invoices first" } },
    });
    expect(await refused(() => paymentPage.action(args(post(path, refundFields("1.001", "refund-key-1"), cookie), { paymentId: payment.id })))).toMatchObject({
      status: 400,
      data: { errors: { amount: "Refund amount: USD amounts have at most 2 decimals" } },
    });
    expect(await refused(() => paymentPage.action(args(post(path, { ...refundFields("10", "refund-key-1"), reason: " " }, cookie), { paymentId: payment.id })))).toMatchObject({
      status: 400,
      data: { errors: { reason: "Reason is required" } },
    });
    const ok = () => outcome(() => paymentPage.action(args(post(path, refundFields("40.00", "refund-key-2"), cookie), { paymentId: payment.id })));
    expect(await ok()).toMatchObject({ status: 302, location: `${path}?done=refunded` });
    expect(await ok()).toMatchObject({ status: 302 });
    expect((await getPaymentDetail(payment.id))!.payment).toMatchObject({ refundedMinor: 4000, allocatedMinor: 6000 });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("unapplies one application with a reason, and only one of this payment's", async () => {
    const { cookie, actor } = await signedIn();
    const { customer, first, second } = await customerWithInvoices();
    const payment = await recordPayment({ customerId: customer.id, amountMinor: 15000, method: "ach", receivedOn: today(), idempotencyKey: "ach-1", allocations: "auto" }, actor);
    const other = await recordPayment({ customerId: customer.id, amountMinor: 100, method: "cash", receivedOn: today(), idempotencyKey: "cash-1" }, actor);
    const [application] = (await getPaymentDetail(payment.id))!.applied.filter((row) => row.invoiceId === second.id);
    const path = `/staff/payments/${payment.id}`;

    expect(await refused(() => paymentPage.action(args(post(path, { intent: "unapply", allocationId: application!.id, reason: "" }, cookie), { paymentId: payment.id })))).toMatchObject({
      status: 400,
      data: { errors: { reason: "Reason is required" } },
    });
    expect(await refused(() => paymentPage.action(args(post(`/staff/payments/${other.id}`, { intent: "unapply", allocationId: application!.id, reason: "Wrong" }, cookie), { paymentId: other.id })))).toMatchObject({
      status: 404,
    });
    expect(await outcome(() => paymentPage.action(args(post(path, { intent: "unapply", allocationId: application!.id, reason: "Meant for another invoice" }, cookie), { paymentId: payment.id })))).toMatchObject({
      status: 302,
      location: `${path}?done=unapplied`,
    });
    const [reopened] = await getDb().select().from(invoices).where(eq(invoices.id, second.id));
    expect(reopened).toMatchObject({ status: "open", openMinor: 5000 });
    expect((await getDb().select().from(invoices).where(eq(invoices.id, first.id)))[0]!.status).toBe("paid");
    expect(await ledgerViolations()).toEqual([]);
  });

  it("reverses a bounced payment only when confirmed, and its invoices reopen", async () => {
    const { cookie, actor } = await signedIn();
    const { customer, first, second } = await customerWithInvoices();
    const payment = await recordPayment({ customerId: customer.id, amountMinor: 15000, method: "check", reference: "2001", receivedOn: today(), idempotencyKey: "bounce-1", allocations: "auto" }, actor);
    const path = `/staff/payments/${payment.id}`;

    expect(await refused(() => paymentPage.action(args(post(path, { intent: "reverse", reason: "Returned NSF" }, cookie), { paymentId: payment.id })))).toMatchObject({
      status: 400,
      data: { errors: { confirm: "Confirm that the invoices will reopen" } },
    });
    expect(await refused(() => paymentPage.action(args(post(path, { intent: "reverse", reason: "", confirm: "yes" }, cookie), { paymentId: payment.id })))).toMatchObject({
      status: 400,
      data: { errors: { reason: "Reason is required" } },
    });
    expect(await outcome(() => paymentPage.action(args(post(path, { intent: "reverse", reason: "Returned NSF", confirm: "yes" }, cookie), { paymentId: payment.id })))).toMatchObject({
      status: 302,
      location: `${path}?done=reversed`,
    });
    const rows = await getDb().select().from(invoices).where(eq(invoices.customerId, customer.id));
    expect(rows.map((row) => [row.id, row.status, row.openMinor]).sort()).toEqual(
      [
        [first.id, "open", 10000],
        [second.id, "open", 5000],
      ].sort(),
    );
    const page = await outcome(() => paymentPage.loader(args(get(path, cookie), { paymentId: payment.id })));
    expect(page.data).toMatchObject({ payment: { status: "reversed", reversalReason: "Returned NSF" }, availableMinor: 0 });
    // Nothing is left to apply or refund from a reversed payment.
    expect(await refused(() => paymentPage.action(args(post(path, { intent: "refund", amount: "1", method: "check", reason: "x", idempotencyKey: "after-reverse" }, cookie), { paymentId: payment.id })))).toMatchObject({
      status: 422,
    });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("lists payments with search, the unapplied filter, a customer filter and keyset pages", async () => {
    const { cookie, actor } = await signedIn("viewer");
    const { customer, first } = await customerWithInvoices();
    const other = await createCustomer({ name: "Zephyr Traders" });
    await recordPayment({ customerId: customer.id, amountMinor: 10000, method: "check", reference: "CHK-777", receivedOn: today(), idempotencyKey: "list-1", allocations: [{ invoiceId: first.id, amountMinor: 10000 }] }, actor);
    await recordPayment({ customerId: customer.id, amountMinor: 2500, method: "cash", receivedOn: today(), idempotencyKey: "list-2" }, actor);
    for (let n = 0; n < 26; n++) await recordPayment({ customerId: other.id, amountMinor: 100 + n, method: "wire", receivedOn: today(), idempotencyKey: `bulk-${n}` }, actor);
    const list = async (query: string) => (await outcome(() => paymentList.loader(args(get(`/staff/payments${query}`, cookie))))).data as { payments: { reference: string | null; unappliedMinor: number; customerId: string }[]; nextCursor?: string };

    expect((await list("?q=chk-777")).payments.map((p) => p.reference)).toEqual(["CHK-777"]);
    const unapplied = await list(`?unapplied=1&customerId=${customer.id}`);
    expect(unapplied.payments.map((p) => p.unappliedMinor)).toEqual([2500]);
    const firstPage = await list("");
    expect(firstPage.payments).toHaveLength(25);
    const secondPage = await list(`?after=${firstPage.nextCursor}`);
    expect(secondPage.payments).toHaveLength(3);
    expect(secondPage.nextCursor).toBeUndefined();
    expect(await outcome(() => paymentList.loader(args(get("/staff/payments?customerId=nope", cookie))))).toMatchObject({ status: 404 });
  });
});

describe("credit notes", () => {
  async function twoLineInvoice() {
    const customer = await createCustomer();
    const invoice = await issuedInvoice({ customerId: customer.id, amounts: [3000, 2000] });
    const lines = await getDb().select().from(invoiceLines).where(eq(invoiceLines.invoiceId, invoice.id)).orderBy(invoiceLines.position);
    return { customer, invoice, lines };
  }

  it("credits chosen lines, refuses more than is left on a line, then credits the whole rest of the invoice", async () => {
    const { cookie } = await signedIn();
    const { customer, invoice, lines } = await twoLineInvoice();
    const loaded = await outcome(() => newCredit.loader(args(get(`/staff/credit-notes/new?invoiceId=${invoice.id}`, cookie))));
    expect(loaded.data).toMatchObject({ step: "credit", customer: { id: customer.id }, invoice: { id: invoice.id, lines: [{ remainingMinor: 3000 }, { remainingMinor: 2000 }] } });
    const { formKey } = loaded.data as { formKey: string };
    const base = { customerId: customer.id, invoiceId: invoice.id, reason: "Damaged in transit", memo: "", applyNow: "on" };

    const sent = await outcome(() => newCredit.action(args(post("/staff/credit-notes/new", { ...base, mode: "lines", [`credit.${lines[0]!.id}`]: "10.00", idempotencyKey: formKey }, cookie))));
    expect(sent.status).toBe(302);
    const again = await outcome(() => newCredit.action(args(post("/staff/credit-notes/new", { ...base, mode: "lines", [`credit.${lines[0]!.id}`]: "10.00", idempotencyKey: formKey }, cookie))));
    expect(again).toEqual(sent);
    const [note] = await getDb().select().from(creditNotes).where(eq(creditNotes.invoiceId, invoice.id));
    expect(sent.location).toBe(`/staff/credit-notes/${note!.id}?done=issued`);
    expect(note).toMatchObject({ totalMinor: 1000, allocatedMinor: 1000, reason: "Damaged in transit" });
    expect((await getDb().select().from(invoices).where(eq(invoices.id, invoice.id)))[0]!.openMinor).toBe(4000);

    const after = await outcome(() => newCredit.loader(args(get(`/staff/credit-notes/new?invoiceId=${invoice.id}`, cookie))));
    expect(after.data).toMatchObject({ invoice: { lines: [{ remainingMinor: 2000 }, { remainingMinor: 2000 }] } });

    const send = (fields: Record<string, string>) => refused(() => newCredit.action(args(post("/staff/credit-notes/new", { ...base, idempotencyKey: "credit-bad-1", ...fields }, cookie))));
    expect(await send({ mode: "lines", [`credit.${lines[0]!.id}`]: "20.01" })).toMatchObject({ status: 422, data: { errors: { lines: 'Line 1: only $20.00 of "Item 1" is left to credit' } } });
    expect(await send({ mode: "lines", [`credit.${lines[1]!.id}`]: "5.555" })).toMatchObject({
      status: 400,
      data: { errors: { [`credit.${lines[1]!.id}`]: "Amount for “Item 2”: USD amounts have at most 2 decimals" } },
    });
    expect(await send({ mode: "lines" })).toMatchObject({ status: 400, data: { errors: { lines: "Enter an amount for at least one line" } } });
    expect(await send({ mode: "whole", reason: "" })).toMatchObject({ status: 400, data: { errors: { reason: "Reason is required" } } });

    const whole = await outcome(() => newCredit.action(args(post("/staff/credit-notes/new", { ...base, mode: "whole", idempotencyKey: "credit-whole-1" }, cookie))));
    expect(whole.status).toBe(302);
    const notes = await getDb().select().from(creditNotes).where(eq(creditNotes.invoiceId, invoice.id)).orderBy(creditNotes.number);
    expect(notes.map((n) => n.totalMinor)).toEqual([1000, 4000]);
    expect((await getDb().select().from(invoices).where(eq(invoices.id, invoice.id)))[0]).toMatchObject({ status: "paid", openMinor: 0 });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("gives account credit from free lines with tax, names bad lines, and lists it under its kind", async () => {
    const { cookie } = await signedIn();
    const customer = await createCustomer();
    const base = { customerId: customer.id, mode: "free", reason: "Goodwill", idempotencyKey: "free-line-1" };
    expect(await refused(() => newCredit.action(args(post("/staff/credit-notes/new", { ...base, "free.0.description": "Rebate", "free.0.amount": "ten", "free.0.taxRate": "101" }, cookie))))).toMatchObject({
      status: 400,
      data: { errors: { "free.0.amount": "Line 1 amount: Enter an amount like 1250.00", "free.0.taxRate": "Line 1 tax rate: A percentage cannot be above 100" } },
    });
    expect(await refused(() => newCredit.action(args(post("/staff/credit-notes/new", { ...base, mode: "whole" }, cookie))))).toMatchObject({ status: 400, data: { errors: { mode: "Choose the invoice to credit" } } });
    const sent = await outcome(() =>
      newCredit.action(args(post("/staff/credit-notes/new", { ...base, "free.0.description": "Volume rebate", "free.0.amount": "110.00", "free.0.taxRate": "10", "free.1.description": "", "free.1.amount": "" }, cookie))),
    );
    expect(sent.status).toBe(302);
    const [note] = await getDb().select().from(creditNotes).where(eq(creditNotes.customerId, customer.id));
    expect(note).toMatchObject({ subtotalMinor: 10000, taxMinor: 1000, totalMinor: 11000, invoiceId: null, allocatedMinor: 0 });

    const list = await outcome(() => creditList.loader(args(get(`/staff/credit-notes?customerId=${customer.id}`, cookie))));
    expect(list.data).toMatchObject({ kind: "credit_note", notes: [{ id: note!.id, availableMinor: 11000 }] });
    const discounts = await outcome(() => creditList.loader(args(get(`/staff/credit-notes?kind=discount&customerId=${customer.id}`, cookie))));
    expect(discounts.data).toMatchObject({ kind: "discount", notes: [] });
  });

  it("applies, refunds and voids from the credit note page; a refunded credit cannot be voided", async () => {
    const { cookie, actor } = await signedIn();
    const customer = await createCustomer();
    const invoice = await issuedInvoice({ customerId: customer.id, amounts: [5000] });
    const note = await issueCreditNote({ customerId: customer.id, lines: [{ description: "Goodwill", amountMinor: 8000 }], reason: "Late delivery", idempotencyKey: "cn-page-1" }, actor);
    const path = `/staff/credit-notes/${note.id}`;
    const params = { creditNoteId: note.id };
    const loaded = await outcome(() => creditPage.loader(args(get(path, cookie), params)));
    expect(loaded.data).toMatchObject({ availableMinor: 8000, invoices: [{ id: invoice.id, openMinor: 5000 }], canEdit: true });
    const { applyKey, refundKey } = loaded.data as { applyKey: string; refundKey: string };

    expect(await refused(() => creditPage.action(args(post(path, { intent: "apply", applyMode: "choose", requestKey: applyKey, [`apply.${invoice.id}`]: "50.01" }, cookie), params)))).toMatchObject({
      status: 422,
      data: { errors: { allocations: `Invoice ${invoice.number} has only $50.00 open` } },
    });
    expect(await outcome(() => creditPage.action(args(post(path, { intent: "apply", applyMode: "choose", requestKey: applyKey, [`apply.${invoice.id}`]: "50" }, cookie), params)))).toMatchObject({
      status: 302,
      location: `${path}?done=applied`,
    });
    expect(await refused(() => creditPage.action(args(post(path, { intent: "refund", amount: "30.01", method: "check", reason: "Customer asked", idempotencyKey: refundKey }, cookie), params)))).toMatchObject({
      status: 422,
      data: { errors: { amount: "Only $30.00 is unapplied and can be refunded; unapply it from invoices first" } },
    });
    expect(await outcome(() => creditPage.action(args(post(path, { intent: "refund", amount: "30", method: "check", reason: "Customer asked", idempotencyKey: refundKey }, cookie), params)))).toMatchObject({
      status: 302,
    });
    expect(await refused(() => creditPage.action(args(post(path, { intent: "void", reason: "Issued by mistake" }, cookie), params)))).toMatchObject({
      status: 409,
      data: { message: "Part of this credit was refunded; it cannot be voided" },
    });

    const another = await issueCreditNote({ customerId: customer.id, invoiceId: invoice.id, lines: [{ description: "Fee", amountMinor: 100 }], reason: "Fee", idempotencyKey: "cn-page-2" }, actor);
    expect(await refused(() => creditPage.action(args(post(`/staff/credit-notes/${another.id}`, { intent: "void", reason: "" }, cookie), { creditNoteId: another.id })))).toMatchObject({
      status: 400,
      data: { errors: { reason: "Reason is required" } },
    });
    expect(await outcome(() => creditPage.action(args(post(`/staff/credit-notes/${another.id}`, { intent: "void", reason: "Duplicate" }, cookie), { creditNoteId: another.id })))).toMatchObject({
      status: 302,
      location: `/staff/credit-notes/${another.id}?done=voided`,
    });
    expect((await getDb().select().from(creditNotes).where(eq(creditNotes.id, another.id)))[0]).toMatchObject({ voidReason: "Duplicate", allocatedMinor: 0 });
    expect(await ledgerViolations()).toEqual([]);
  });
});

describe("access", () => {
  it("answers 403 to a viewer on every action and on the pages that change money", async () => {
    const { cookie, actor } = await signedIn("viewer");
    const { customer, first } = await customerWithInvoices();
    const payment = await recordPayment({ customerId: customer.id, amountMinor: 1000, method: "cash", receivedOn: today(), idempotencyKey: "viewer-1" }, actor);
    const note = await issueCreditNote({ customerId: customer.id, lines: [{ description: "Credit", amountMinor: 500 }], reason: "Test", idempotencyKey: "viewer-cn-1" }, actor);
    const paymentParams = { paymentId: payment.id };
    const noteParams = { creditNoteId: note.id };
    const calls = [
      () => newPayment.loader(args(get(`/staff/payments/new?customerId=${customer.id}`, cookie))),
      () => newPayment.action(args(post("/staff/payments/new", paymentFields(customer.id, { idempotencyKey: "viewer-try-1" }), cookie))),
      ...["apply", "unapply", "refund", "reverse"].map((intent) => () => paymentPage.action(args(post(`/staff/payments/${payment.id}`, { intent, reason: "x", confirm: "yes", applyMode: "auto", requestKey: "viewer-req-1" }, cookie), paymentParams))),
      () => newCredit.loader(args(get(`/staff/credit-notes/new?customerId=${customer.id}`, cookie))),
      () => newCredit.action(args(post("/staff/credit-notes/new", { customerId: customer.id, mode: "whole", invoiceId: first.id, reason: "x", idempotencyKey: "viewer-cn-try" }, cookie))),
      ...["apply", "unapply", "refund", "void"].map((intent) => () => creditPage.action(args(post(`/staff/credit-notes/${note.id}`, { intent, reason: "x", applyMode: "auto", requestKey: "viewer-req-2" }, cookie), noteParams))),
    ];
    for (const call of calls) expect((await refused(call)).status).toBe(403);
    // Viewers read.
    expect((await outcome(() => paymentPage.loader(args(get(`/staff/payments/${payment.id}`, cookie), paymentParams)))).data).toMatchObject({ canEdit: false });
    expect((await outcome(() => creditPage.loader(args(get(`/staff/credit-notes/${note.id}`, cookie), noteParams)))).data).toMatchObject({ canEdit: false });
  });

  it("answers 404 for unknown and malformed ids", async () => {
    const { cookie, actor } = await signedIn();
    const { customer } = await customerWithInvoices();
    const other = await createCustomer();
    const notOpen = await issuedInvoice({ customerId: other.id, amounts: [100] });
    await recordPayment({ customerId: other.id, amountMinor: 100, method: "cash", receivedOn: today(), idempotencyKey: "pay-other", allocations: "auto" }, actor);
    const calls = [
      ...["nope", missingId].map((id) => () => paymentPage.loader(args(get(`/staff/payments/${id}`, cookie), { paymentId: id }))),
      ...["nope", missingId].map((id) => () => paymentPage.action(args(post(`/staff/payments/${id}`, { intent: "reverse", reason: "x", confirm: "yes" }, cookie), { paymentId: id }))),
      ...["nope", missingId].map((id) => () => creditPage.loader(args(get(`/staff/credit-notes/${id}`, cookie), { creditNoteId: id }))),
      ...["nope", missingId].map((id) => () => creditPage.action(args(post(`/staff/credit-notes/${id}`, { intent: "void", reason: "x" }, cookie), { creditNoteId: id }))),
      ...["nope", missingId].map((id) => () => newPayment.loader(args(get(`/staff/payments/new?customerId=${id}`, cookie)))),
      ...["nope", missingId].map((id) => () => newPayment.loader(args(get(`/staff/payments/new?invoiceId=${id}`, cookie)))),
      // An invoice that is paid, or another customer's, is not one this payment can preselect.
      () => newPayment.loader(args(get(`/staff/payments/new?customerId=${customer.id}&invoiceId=${notOpen.id}`, cookie))),
      ...["nope", missingId].map((id) => () => newPayment.action(args(post("/staff/payments/new", paymentFields(id, { idempotencyKey: "missing-customer" }), cookie)))),
      ...["nope", missingId].map((id) => () => newCredit.loader(args(get(`/staff/credit-notes/new?invoiceId=${id}`, cookie)))),
      () => newCredit.loader(args(get(`/staff/credit-notes/new?customerId=${customer.id}&invoiceId=${notOpen.id}`, cookie))),
      ...["nope", missingId].map((id) => () => newCredit.action(args(post("/staff/credit-notes/new", { customerId: id, mode: "free", reason: "x", idempotencyKey: "missing-cn" }, cookie)))),
      () => newCredit.action(args(post("/staff/credit-notes/new", { customerId: customer.id, invoiceId: "nope", mode: "whole", reason: "x", idempotencyKey: "missing-cn-2" }, cookie))),
      ...["nope", missingId].map((id) => () => creditList.loader(args(get(`/staff/credit-notes?customerId=${id}`, cookie)))),
    ];
    for (const call of calls) expect((await refused(call)).status).toBe(404);
    // A real invoice of another customer is refused by the domain, not silently credited.
    expect(
      (await refused(() => newCredit.action(args(post("/staff/credit-notes/new", { customerId: customer.id, invoiceId: notOpen.id, mode: "whole", reason: "x", idempotencyKey: "cross-cn" }, cookie))))).status,
    ).toBe(422);
  });
});
