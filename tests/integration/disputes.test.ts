import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { creditNotes, disputeMessages, disputes, emailOutbox, invoiceLines, invoices, journalEntries, portalUsers, type Invoice } from "~db/schema";
import { acceptDispute, listDisputes, openDispute } from "~/disputes/disputes.server";
import { issueCreditNote } from "~/ledger/credit-notes.server";
import { recordPayment } from "~/ledger/payments.server";
import { voidInvoice } from "~/ledger/invoices.server";
import { payableInvoices } from "~/payments/payable.server";
import * as portalDispute from "~/routes/portal.disputes.$disputeId";
import * as portalDisputes from "~/routes/portal.disputes._index";
import * as disputeForm from "~/routes/portal.invoices.$invoiceId_.dispute";
import * as staffDispute from "~/routes/staff.disputes.$disputeId";
import * as staffQueue from "~/routes/staff.disputes._index";
import { updateSetting } from "~/settings/settings.server";
import { today } from "~/utils/dates";
import { createContact, createCustomer, createStaff, issuedInvoice, staffActor } from "./factories";
import { ledgerFingerprint, ledgerViolations } from "./ledger-invariants";
import { context, cookieFor, get, outcome, post } from "./route-helpers";

const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context });
const SUPPORT = "ar@northwind.example";

type Outcome = Awaited<ReturnType<typeof outcome>>;
type Failure = { status: number; data: { errors: Record<string, string>; message: string | null } };

async function staffSignedIn(role: "viewer" | "clerk" | "admin" = "clerk") {
  const user = await createStaff({ role });
  return { user, cookie: await cookieFor({ audience: "staff", staffUserId: user.id }), actor: { ...staffActor(user), role } };
}

/** A customer with a portal contact and an overdue invoice of two lines, $100.00 and $50.00. */
async function setup() {
  const admin = await createStaff({ role: "admin" });
  await updateSetting("company", { companyName: "Northwind Supply Co.", supportEmail: SUPPORT, brandColor: "#1f5fbf", logoUrl: null }, staffActor(admin));
  const customer = await createCustomer({ email: "ap@acme.example" });
  const contact = await createContact({ customerId: customer.id, email: "dana@acme.example" });
  const invoice = await issuedInvoice({ customerId: customer.id, amounts: [10_000, 5_000], issueDate: "2025-01-02", dueDate: "2025-02-01" });
  const lines = await getDb().select().from(invoiceLines).where(eq(invoiceLines.invoiceId, invoice.id)).orderBy(invoiceLines.position);
  const cookie = await cookieFor({ audience: "portal", portalUserId: contact.id });
  return { customer, contact, invoice, lines, cookie };
}

const formPath = (invoice: Pick<Invoice, "id">, lineId: string) => `/portal/invoices/${invoice.id}/dispute?line=${lineId}`;

async function formKey(path: string, cookie: string, params: Record<string, string>) {
  const loaded = await outcome(() => disputeForm.loader(args(get(path, cookie), params)));
  expect(loaded.status).toBe(200);
  return (loaded.data as { formKey: string }).formKey;
}

/** Opens a dispute through the portal form, as the customer's browser would. */
async function submitDispute(ctx: Awaited<ReturnType<typeof setup>>, fields: Record<string, string>, lineId = ctx.lines[0]!.id) {
  const path = formPath(ctx.invoice, lineId);
  const params = { invoiceId: ctx.invoice.id };
  const key = await formKey(path, ctx.cookie, params);
  return outcome(() => disputeForm.action(args(post(path, { amount: "40.00", reason: "damaged", message: "Twelve brackets arrived bent.", idempotencyKey: key, ...fields }, ctx.cookie), params)));
}

/** What the customer can pay now on each invoice, and what is due now (due today or before). */
async function payable(customerId: string) {
  const rows = await payableInvoices(customerId);
  return { byInvoice: Object.fromEntries(rows.map((r) => [r.id, r.payableMinor])), dueNow: rows.filter((r) => r.dueDate !== null && r.dueDate <= today()).reduce((sum, r) => sum + r.payableMinor, 0) };
}

const disputeRows = () => getDb().select().from(disputes);
const emails = async () =>
  (await getDb().select({ template: emailOutbox.template, to: emailOutbox.toAddress, subject: emailOutbox.subject, text: emailOutbox.text }).from(emailOutbox).orderBy(emailOutbox.createdAt, emailOutbox.id)).filter((e) =>
    e.template.startsWith("dispute-"),
  );

/** A refused request: its status and what it said, with no dispute, message or money changed. */
async function refused(run: () => Promise<Outcome>) {
  const before = [await ledgerFingerprint(), JSON.stringify(await disputeRows()), (await getDb().select().from(disputeMessages)).length];
  const result = await run();
  expect([await ledgerFingerprint(), JSON.stringify(await disputeRows()), (await getDb().select().from(disputeMessages)).length]).toEqual(before);
  return result as Failure;
}

describe("opening a dispute", () => {
  it("puts exactly the disputed amount on hold, once however often the form is sent", async () => {
    const ctx = await setup();
    const before = await payable(ctx.customer.id);
    expect(before).toEqual({ byInvoice: { [ctx.invoice.id]: 15_000 }, dueNow: 15_000 });

    const path = formPath(ctx.invoice, ctx.lines[0]!.id);
    const params = { invoiceId: ctx.invoice.id };
    const loaded = await outcome(() => disputeForm.loader(args(get(path, ctx.cookie), params)));
    expect(loaded.data).toMatchObject({ maxMinor: 10_000, closedReason: null, canDispute: true, line: { description: "Item 1", totalMinor: 10_000 } });
    const key = (loaded.data as { formKey: string }).formKey;
    const fields = { amount: "40.00", reason: "damaged", message: "Twelve brackets arrived bent.", idempotencyKey: key };
    const sent = await outcome(() => disputeForm.action(args(post(path, fields, ctx.cookie), params)));
    const again = await outcome(() => disputeForm.action(args(post(path, fields, ctx.cookie), params)));

    const rows = await disputeRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "open", amountMinor: 4_000, currency: "USD", reason: "damaged", invoiceLineId: ctx.lines[0]!.id, openedBy: ctx.contact.id });
    expect(sent).toMatchObject({ status: 302, location: `/portal/disputes/${rows[0]!.id}?opened=1` });
    expect(again).toEqual(sent);
    expect(await payable(ctx.customer.id)).toEqual({ byInvoice: { [ctx.invoice.id]: 11_000 }, dueNow: 11_000 });

    // The books do not move: a dispute is a hold, not a credit.
    expect(await getDb().select().from(journalEntries).where(eq(journalEntries.invoiceId, ctx.invoice.id))).toHaveLength(1);
    expect((await getDb().select().from(invoices).where(eq(invoices.id, ctx.invoice.id)))[0]!.openMinor).toBe(15_000);

    const page = await outcome(() => portalDispute.loader(args(get(`/portal/disputes/${rows[0]!.id}`, ctx.cookie), { disputeId: rows[0]!.id })));
    expect(page.data).toMatchObject({ dispute: { status: "open", amountMinor: 4_000 }, canAct: true, messages: [{ side: "customer", body: "Twelve brackets arrived bent." }] });
    const list = await outcome(() => portalDisputes.loader(args(get("/portal/disputes", ctx.cookie))));
    expect(list.data).toMatchObject({ totals: { count: 1, onHoldMinor: 4_000 }, disputes: [{ id: rows[0]!.id, invoiceNumber: ctx.invoice.number }] });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("refuses bad amounts, reasons, messages and keys with a message naming the field, changing nothing", async () => {
    const ctx = await setup();
    const cases: [Record<string, string>, string, string][] = [
      [{ amount: "100.01" }, "amount", "You can dispute at most $100.00 of “Item 1”"],
      [{ amount: "0" }, "amount", "Amount you dispute must be more than zero"],
      [{ amount: "-5" }, "amount", "Amount you dispute must be more than zero"],
      [{ amount: "lots" }, "amount", "Amount you dispute: Enter an amount like 1250.00"],
      [{ amount: "" }, "amount", "Amount you dispute is required"],
      [{ amount: "€40" }, "amount", "Amount you dispute: Enter the amount in USD"],
      [{ amount: "40 EUR" }, "amount", "Amount you dispute: Enter the amount in USD"],
      [{ amount: "40.001" }, "amount", "Amount you dispute: USD amounts have at most 2 decimals"],
      [{ reason: "because" }, "reason", "Choose what is wrong"],
      [{ message: "   " }, "message", "Message is required"],
      [{ idempotencyKey: "<tampered>" }, "idempotencyKey", "The form expired; reload the page and try again"],
    ];
    for (const [fields, field, message] of cases) {
      const result = await refused(() => submitDispute(ctx, fields));
      expect([result.status === 400 || result.status === 422, result.data.errors[field]], JSON.stringify(fields)).toEqual([true, message]);
    }
    expect(await emails()).toEqual([]);
  });

  it("counts what is already credited or disputed on the line, and what is still open on the invoice", async () => {
    const ctx = await setup();
    const { user } = await staffSignedIn();
    await issueCreditNote({ customerId: ctx.customer.id, invoiceId: ctx.invoice.id, lines: [{ invoiceLineId: ctx.lines[0]!.id, amountMinor: 2_000 }], reason: "Short delivery", idempotencyKey: "cn-1" }, staffActor(user));
    expect((await submitDispute(ctx, { amount: "50.00" })).status).toBe(302);
    const tooMuch = await refused(() => submitDispute(ctx, { amount: "30.01" }));
    expect(tooMuch.data.errors.amount).toBe("You can dispute at most $30.00 of “Item 1”");

    // The invoice is mostly paid: only what is open (less the $50.00 disputed) can be disputed.
    await recordPayment({ customerId: ctx.customer.id, amountMinor: 7_000, method: "check", receivedOn: today(), idempotencyKey: "pay-1", allocations: [{ invoiceId: ctx.invoice.id, amountMinor: 7_000 }] }, staffActor(user));
    const overOpen = await refused(() => submitDispute(ctx, { amount: "20.00" }, ctx.lines[1]!.id));
    expect(overOpen.data.errors.amount).toBe(`Only $10.00 of invoice ${ctx.invoice.number} is open and not already disputed`);
    expect((await submitDispute(ctx, { amount: "10.00" }, ctx.lines[1]!.id)).status).toBe(302);
    expect(await payable(ctx.customer.id)).toMatchObject({ dueNow: 0 });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("refuses a paid or void invoice with a clear message, and another customer's invoice or line as not found", async () => {
    const ctx = await setup();
    const { user } = await staffSignedIn();
    await recordPayment({ customerId: ctx.customer.id, amountMinor: 15_000, method: "wire", receivedOn: today(), idempotencyKey: "pay-all", allocations: [{ invoiceId: ctx.invoice.id, amountMinor: 15_000 }] }, staffActor(user));
    const paid = await outcome(() => disputeForm.loader(args(get(formPath(ctx.invoice, ctx.lines[0]!.id), ctx.cookie), { invoiceId: ctx.invoice.id })));
    expect(paid.data).toMatchObject({ closedReason: `Invoice ${ctx.invoice.number} is paid, so there is nothing on it to put on hold.`, maxMinor: 0 });
    const paidPost = await refused(() => submitDispute(ctx, {}));
    expect(paidPost.data.errors.amount).toBe(`Invoice ${ctx.invoice.number} is paid, so there is nothing on it to put on hold.`);

    const voidable = await issuedInvoice({ customerId: ctx.customer.id, amounts: [3_000] });
    await voidInvoice({ invoiceId: voidable.id, reason: "Sent twice" }, staffActor(user));
    const [voidLine] = await getDb().select().from(invoiceLines).where(eq(invoiceLines.invoiceId, voidable.id));
    const voidPost = await refused(() => submitDispute({ ...ctx, invoice: voidable }, { amount: "10.00" }, voidLine!.id));
    expect(voidPost.data.errors.amount).toBe(`Invoice ${voidable.number} was cancelled: you do not owe anything on it.`);

    const other = await createCustomer();
    const theirs = await issuedInvoice({ customerId: other.id, amounts: [9_000] });
    const [theirLine] = await getDb().select().from(invoiceLines).where(eq(invoiceLines.invoiceId, theirs.id));
    const open = await issuedInvoice({ customerId: ctx.customer.id, amounts: [2_000] });
    for (const [invoiceId, lineId] of [
      [theirs.id, theirLine!.id],
      [open.id, theirLine!.id],
      [open.id, "not-a-uuid"],
      ["not-a-uuid", theirLine!.id],
    ] as const) {
      const path = `/portal/invoices/${invoiceId}/dispute?line=${lineId}`;
      expect((await outcome(() => disputeForm.loader(args(get(path, ctx.cookie), { invoiceId })))).status).toBe(404);
      const sent = await refused(() => outcome(() => disputeForm.action(args(post(path, { amount: "10.00", reason: "other", message: "x", idempotencyKey: "abcdefgh12" }, ctx.cookie), { invoiceId }))));
      expect([sent.status, JSON.stringify(sent.data)]).toEqual([404, expect.not.stringContaining(theirs.number!)]);
    }
    // The domain holds the line too, whatever a caller passes.
    await expect(openDispute({ customerId: ctx.customer.id, invoiceLineId: theirLine!.id, amountMinor: 100, reason: "other", message: "x" }, ctx.contact)).rejects.toThrow("Invoice line not found");
  });

  it("lets a contact with view-only access read disputes but not open them", async () => {
    const ctx = await setup();
    const viewer = await createContact({ customerId: ctx.customer.id });
    await getDb().update(portalUsers).set({ role: "viewer" }).where(eq(portalUsers.id, viewer.id));
    const cookie = await cookieFor({ audience: "portal", portalUserId: viewer.id });
    const result = await refused(() => submitDispute({ ...ctx, cookie }, {}));
    expect(result.status).toBe(403);
  });

  it("opens one dispute when two requests race for the whole line", async () => {
    const ctx = await setup();
    const input = (key: string, line = ctx.lines[0]!) => ({ customerId: ctx.customer.id, invoiceLineId: line.id, amountMinor: line.totalMinor, reason: "pricing" as const, message: "Wrong price", idempotencyKey: key });
    const raced = await Promise.allSettled([openDispute(input("race-a"), ctx.contact), openDispute(input("race-b"), ctx.contact)]);
    expect(raced.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(raced.find((r) => r.status === "rejected")).toMatchObject({ reason: { message: "You already dispute all of this line." } });
    // Two tabs sending the same form: one dispute, and both answer with it.
    const same = await Promise.all([openDispute(input("race-c", ctx.lines[1]), ctx.contact), openDispute(input("race-c", ctx.lines[1]), ctx.contact)]);
    expect(same[0].id).toBe(same[1].id);
    expect(await disputeRows()).toHaveLength(2);
    expect(await payable(ctx.customer.id)).toMatchObject({ dueNow: 0 });
  });
});

/** An open $40.00 dispute of the $100.00 line, opened through the form. */
async function openedDispute() {
  const ctx = await setup();
  const sent = await submitDispute(ctx, {});
  expect(sent.status).toBe(302);
  const [dispute] = await disputeRows();
  return { ...ctx, dispute: dispute! };
}

async function staffPost(disputeId: string, fields: Record<string, string>, cookie: string) {
  return outcome(() => staffDispute.action(args(post(`/staff/disputes/${disputeId}`, fields, cookie), { disputeId })));
}

async function staffPage(disputeId: string, cookie: string) {
  return outcome(() => staffDispute.loader(args(get(`/staff/disputes/${disputeId}`, cookie), { disputeId })));
}

describe("resolving a dispute", () => {
  it("accepts part: a credit note of that amount applied to the invoice, shown to the customer; the rest is due again", async () => {
    const ctx = await openedDispute();
    const { cookie } = await staffSignedIn();
    const over = await refused(() => staffPost(ctx.dispute.id, { intent: "accept", amount: "40.01" }, cookie));
    expect(over.data.errors.amount).toBe("You can credit at most the $40.00 disputed");
    const foreign = await refused(() => staffPost(ctx.dispute.id, { intent: "accept", amount: "£25" }, cookie));
    expect(foreign.data.errors.amount).toBe("Amount to credit: Enter the amount in USD");

    const accepted = await staffPost(ctx.dispute.id, { intent: "accept", amount: "25.00", note: "Twelve of forty were bent." }, cookie);
    expect(accepted).toMatchObject({ status: 200, data: { ok: true, notice: "Accepted: $25.00 credited to the customer." } });
    const [dispute] = await disputeRows();
    const [note] = await getDb().select().from(creditNotes);
    expect(dispute).toMatchObject({ status: "accepted", acceptedMinor: 2_500, creditNoteId: note!.id, resolutionNote: "Twelve of forty were bent." });
    expect(note).toMatchObject({ totalMinor: 2_500, allocatedMinor: 2_500, invoiceId: ctx.invoice.id, reason: "Dispute accepted: it arrived damaged or faulty (Item 1)" });
    expect((await getDb().select().from(invoices).where(eq(invoices.id, ctx.invoice.id)))[0]!.openMinor).toBe(12_500);
    // Nothing is on hold now: the $15.00 not credited is payable again.
    expect(await payable(ctx.customer.id)).toEqual({ byInvoice: { [ctx.invoice.id]: 12_500 }, dueNow: 12_500 });
    expect(await ledgerViolations()).toEqual([]);

    // A second submit of the same acceptance changes nothing; a different one is refused.
    expect((await staffPost(ctx.dispute.id, { intent: "accept", amount: "25.00" }, cookie)).status).toBe(200);
    expect((await refused(() => staffPost(ctx.dispute.id, { intent: "accept", amount: "30.00" }, cookie))).status).toBe(409);
    expect(await getDb().select().from(creditNotes)).toHaveLength(1);

    const page = await outcome(() => portalDispute.loader(args(get(`/portal/disputes/${ctx.dispute.id}`, ctx.cookie), { disputeId: ctx.dispute.id })));
    const loaded = page.data as { canAct: boolean; creditNote: { number: string }; messages: { side: string; body: string }[] };
    expect(loaded.canAct).toBe(false);
    expect(loaded.creditNote.number).toBe(note!.number);
    expect(loaded.messages.at(-1)).toMatchObject({
      side: "system",
      body: expect.stringContaining(`We accepted $25.00 of the $40.00 you disputed and issued credit note ${note!.number} for $25.00, applied to invoice ${ctx.invoice.number}.`),
    });
    expect(loaded.messages.at(-1)!.body).toContain("The other $15.00 is no longer on hold");
    const staff = await staffPage(ctx.dispute.id, cookie);
    expect(staff.data).toMatchObject({ creditNote: { id: note!.id, number: note!.number } });
  });

  it("accepts in full on a paid invoice as account credit", async () => {
    const ctx = await openedDispute();
    const { user, actor } = await staffSignedIn();
    await recordPayment({ customerId: ctx.customer.id, amountMinor: 15_000, method: "wire", receivedOn: today(), idempotencyKey: "pay-all", allocations: [{ invoiceId: ctx.invoice.id, amountMinor: 15_000 }] }, staffActor(user));
    const accepted = await acceptDispute({ disputeId: ctx.dispute.id, amountMinor: 4_000 }, actor);
    const [note] = await getDb().select().from(creditNotes);
    expect([accepted.status, note!.totalMinor, note!.allocatedMinor]).toEqual(["accepted", 4_000, 0]);
    const [message] = await getDb().select().from(disputeMessages).where(eq(disputeMessages.author, "system"));
    expect(message!.body).toBe(`We accepted your dispute and issued credit note ${note!.number} for $40.00, kept on your account as credit.`);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("rejects only with a reason, which the customer reads", async () => {
    const ctx = await openedDispute();
    const { cookie } = await staffSignedIn();
    const noReason = await refused(() => staffPost(ctx.dispute.id, { intent: "reject", reason: "  " }, cookie));
    expect([noReason.status, noReason.data.errors.reason]).toEqual([400, "Reason is required"]);
    expect((await staffPost(ctx.dispute.id, { intent: "reject", reason: "The delivery note is signed without remarks." }, cookie)).status).toBe(200);
    const [dispute] = await disputeRows();
    expect(dispute).toMatchObject({ status: "rejected", resolutionNote: "The delivery note is signed without remarks." });
    expect(await payable(ctx.customer.id)).toMatchObject({ dueNow: 15_000 });
    const page = await outcome(() => portalDispute.loader(args(get(`/portal/disputes/${ctx.dispute.id}`, ctx.cookie), { disputeId: ctx.dispute.id })));
    expect((page.data as { messages: { body: string }[] }).messages.at(-1)!.body).toContain("The delivery note is signed without remarks.");
    expect(await getDb().select().from(creditNotes)).toHaveLength(0);
  });

  it("lets the customer withdraw while open, and then closes the thread", async () => {
    const ctx = await openedDispute();
    const path = `/portal/disputes/${ctx.dispute.id}`;
    const params = { disputeId: ctx.dispute.id };
    const withdrawn = await outcome(() => portalDispute.action(args(post(path, { intent: "withdraw" }, ctx.cookie), params)));
    expect(withdrawn).toMatchObject({ status: 200, data: { ok: true } });
    expect((await outcome(() => portalDispute.action(args(post(path, { intent: "withdraw" }, ctx.cookie), params)))).status).toBe(200);
    expect(await disputeRows()).toMatchObject([{ status: "withdrawn" }]);
    expect(await getDb().select().from(disputeMessages)).toHaveLength(2);
    expect(await payable(ctx.customer.id)).toMatchObject({ dueNow: 15_000 });
    const late = await refused(() => outcome(() => portalDispute.action(args(post(path, { intent: "message", message: "One more thing", idempotencyKey: "late-key-1" }, ctx.cookie), params))));
    expect([late.status, late.data.message]).toEqual([409, "This dispute is closed: it was withdrawn"]);
    const { cookie } = await staffSignedIn();
    expect((await refused(() => staffPost(ctx.dispute.id, { intent: "accept", amount: "40.00" }, cookie))).status).toBe(409);
  });
});

describe("the thread and its emails", () => {
  it("emails both sides on each change of status, and each message to the other side, once", async () => {
    const ctx = await openedDispute();
    const { cookie: adminCookie } = await staffSignedIn("admin");
    const { user: clerk } = await staffSignedIn("clerk");
    const sent = async () => (await emails()).map((e) => `${e.template} -> ${e.to}`).sort();

    // Opened: the contact gets a confirmation; unassigned, the support address hears of it.
    expect(await sent()).toEqual(["dispute-customer-update -> dana@acme.example", `dispute-staff-update -> ${SUPPORT}`]);
    const [confirmation] = (await emails()).filter((e) => e.template === "dispute-customer-update");
    expect(confirmation!.subject).toBe(`We received your dispute: invoice ${ctx.invoice.number}`);
    expect(confirmation!.text).toContain("That amount is on hold: we won't ask you to pay it while we look into it.");

    expect((await staffPost(ctx.dispute.id, { intent: "assign", assigneeId: clerk.id }, adminCookie)).status).toBe(200);
    const key = (await staffPage(ctx.dispute.id, adminCookie)).data as { formKey: string };
    const reply = { intent: "reply", message: "Could you send photos?", idempotencyKey: key.formKey };
    expect((await staffPost(ctx.dispute.id, reply, adminCookie)).status).toBe(200);
    expect((await staffPost(ctx.dispute.id, reply, adminCookie)).status).toBe(200);
    const portalKey = ((await outcome(() => portalDispute.loader(args(get(`/portal/disputes/${ctx.dispute.id}`, ctx.cookie), { disputeId: ctx.dispute.id })))).data as { formKey: string }).formKey;
    const customerMessage = { intent: "message", message: "Photos are attached to our email.", idempotencyKey: portalKey };
    expect((await outcome(() => portalDispute.action(args(post(`/portal/disputes/${ctx.dispute.id}`, customerMessage, ctx.cookie), { disputeId: ctx.dispute.id }))))).toMatchObject({ status: 200 });
    expect((await staffPost(ctx.dispute.id, { intent: "reject", reason: "The photos show no damage." }, adminCookie)).status).toBe(200);

    expect(await sent()).toEqual(
      [
        "dispute-customer-update -> dana@acme.example",
        `dispute-staff-update -> ${SUPPORT}`,
        // assigned: both sides
        "dispute-customer-update -> dana@acme.example",
        `dispute-staff-update -> ${clerk.email}`,
        // the admin's reply (sent twice, written once): the customer, and the clerk who has the dispute
        "dispute-customer-update -> dana@acme.example",
        `dispute-staff-update -> ${clerk.email}`,
        // the customer's message: the clerk
        `dispute-staff-update -> ${clerk.email}`,
        // rejected: both sides
        "dispute-customer-update -> dana@acme.example",
        `dispute-staff-update -> ${clerk.email}`,
      ].sort(),
    );
    const thread = await getDb().select().from(disputeMessages).where(eq(disputeMessages.disputeId, ctx.dispute.id));
    expect(thread.map((m) => m.author).sort()).toEqual(["customer", "customer", "staff", "system", "system"]);
    const rejection = (await emails()).find((e) => e.subject.startsWith("We could not accept your dispute"));
    expect(rejection!.text).toContain("The photos show no damage.");
  });

  it("writes no email to the staff member about their own change, and the billing address when the contact is gone", async () => {
    const ctx = await openedDispute();
    const { user, cookie } = await staffSignedIn("clerk");
    expect((await staffPost(ctx.dispute.id, { intent: "assign", assigneeId: user.id }, cookie)).status).toBe(200);
    await getDb().update(portalUsers).set({ disabledAt: new Date() }).where(eq(portalUsers.id, ctx.contact.id));
    expect((await staffPost(ctx.dispute.id, { intent: "accept", amount: "40.00" }, cookie)).status).toBe(200);
    const after = (await emails()).slice(2).map((e) => `${e.template} -> ${e.to}`);
    expect(after.sort()).toEqual(["dispute-customer-update -> ap@acme.example", "dispute-customer-update -> dana@acme.example"]);
  });
});

describe("access", () => {
  it("answers another customer's dispute with 404 in the portal, revealing nothing", async () => {
    const ctx = await openedDispute();
    const other = await createCustomer();
    const stranger = await createContact({ customerId: other.id });
    const cookie = await cookieFor({ audience: "portal", portalUserId: stranger.id });
    const params = { disputeId: ctx.dispute.id };
    const page = await outcome(() => portalDispute.loader(args(get(`/portal/disputes/${ctx.dispute.id}`, cookie), params)));
    expect([page.status, JSON.stringify(page.data)]).toEqual([404, expect.not.stringContaining(ctx.invoice.number!)]);
    for (const fields of [{ intent: "withdraw" }, { intent: "message", message: "hi", idempotencyKey: "stranger-key" }] as Record<string, string>[]) {
      expect((await refused(() => outcome(() => portalDispute.action(args(post(`/portal/disputes/${ctx.dispute.id}`, fields, cookie), params))))).status).toBe(404);
    }
    const list = await outcome(() => portalDisputes.loader(args(get("/portal/disputes", cookie))));
    expect(list.data).toMatchObject({ disputes: [], totals: { count: 0, onHoldMinor: 0 } });
    expect((await outcome(() => portalDispute.loader(args(get("/portal/disputes/nope", cookie), { disputeId: "nope" })))).status).toBe(404);
  });

  it("lets a viewer read the queue and a dispute, and answers any change with 403", async () => {
    const ctx = await openedDispute();
    const { cookie } = await staffSignedIn("viewer");
    expect(await staffPage(ctx.dispute.id, cookie)).toMatchObject({ status: 200, data: { canChange: false, assignees: [] } });
    expect((await outcome(() => staffQueue.loader(args(get("/staff/disputes", cookie)))))).toMatchObject({ status: 200, data: { disputes: [{ id: ctx.dispute.id }] } });
    for (const fields of [{ intent: "accept", amount: "40.00" }, { intent: "reject", reason: "No" }, { intent: "reply", message: "Hi", idempotencyKey: "viewer-key" }] as Record<string, string>[]) {
      expect((await refused(() => staffPost(ctx.dispute.id, fields, cookie))).status).toBe(403);
    }
    const { cookie: clerk } = await staffSignedIn();
    expect((await staffPage("00000000-0000-4000-8000-000000000000", clerk)).status).toBe(404);
    expect((await refused(() => staffPost(ctx.dispute.id, { intent: "assign", assigneeId: "00000000-0000-4000-8000-000000000000" }, clerk))).data.errors.assigneeId).toBe(
      "Choose a clerk or admin who can sign in",
    );
  });
});

describe("the queue", () => {
  it("shows open disputes first, oldest first, and filters by who has them", async () => {
    const ctx = await setup();
    const { user, cookie, actor } = await staffSignedIn();
    const open = (amountMinor: number, key: string) =>
      openDispute({ customerId: ctx.customer.id, invoiceLineId: ctx.lines[0]!.id, amountMinor, reason: "pricing", message: "Wrong price", idempotencyKey: key }, ctx.contact);
    const first = await open(1_000, "q-1");
    const second = await open(1_000, "q-2");
    const third = await open(1_000, "q-3");
    await getDb().update(disputes).set({ createdAt: new Date("2025-03-01T00:00:00Z") }).where(eq(disputes.id, third.id));
    await acceptDispute({ disputeId: first.id, amountMinor: 1_000 }, actor);
    await staffPost(second.id, { intent: "assign", assigneeId: user.id }, cookie);

    expect((await listDisputes({})).disputes.map((d) => d.id)).toEqual([third.id, second.id, first.id]);
    expect((await listDisputes({ status: "open", assignedTo: user.id })).disputes.map((d) => d.id)).toEqual([second.id]);
    const queue = await outcome(() => staffQueue.loader(args(get("/staff/disputes?assigned=unassigned", cookie))));
    expect((queue.data as { disputes: { id: string; ageDays: number }[] }).disputes).toMatchObject([{ id: third.id }]);
    expect((queue.data as { disputes: { ageDays: number }[] }).disputes[0]!.ageDays).toBeGreaterThan(300);
  });
});
