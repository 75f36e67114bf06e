import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import {
  auditLog,
  collectionAccounts,
  collectionContacts,
  collectionTasks,
  creditHolds,
  customers,
  disputes,
  emailOutbox,
  invoiceLines,
  invoices,
  promisesToPay,
  writeOffRequests,
} from "~db/schema";
import { describeAudit } from "~/audit/describe";
import { runDunning } from "~/collections/dunning.server";
import { getCustomerOverview } from "~/customers/customers.server";
import * as accountPage from "~/routes/staff.collections.$customerId";
import * as agencyExport from "~/routes/staff.collections.$customerId_.agency[.]csv";
import * as customerPage from "~/routes/staff.customers.$customerId";
import { addDays, today } from "~/utils/dates";
import { createContact, createCustomer, createStaff, issuedInvoice, staffActor } from "./factories";
import { context, cookieFor, get, outcome, post } from "./route-helpers";

const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context });
const db = () => getDb();

async function signedIn(role: "viewer" | "clerk" | "admin" = "clerk") {
  const user = await createStaff({ role });
  return { user, cookie: await cookieFor({ audience: "staff", staffUserId: user.id }), actor: staffActor(user) };
}

/**
 * A customer 45 days late on $600.00 (INV issued 75 days ago) with $250.00 more due in 10 days:
 * $850.00 open, $600.00 overdue.
 */
async function lateAccount() {
  const customer = await createCustomer({
    name: "Harbor Freight Co",
    email: "ap@harbor.example",
    phone: "+1 (555) 010-0100",
    addressLine1: "1 Dock Road",
    city: "Springfield",
    region: "IL",
    postalCode: "62701",
    country: "US",
  });
  const late = await issuedInvoice({ customerId: customer.id, amounts: [60000], issueDate: addDays(today(), -75), dueDate: addDays(today(), -45) });
  const current = await issuedInvoice({ customerId: customer.id, amounts: [25000], issueDate: addDays(today(), -20), dueDate: addDays(today(), 10) });
  return { customer, late, current };
}

const act = (customerId: string, fields: Record<string, string>, cookie: string) =>
  outcome(() => accountPage.action(args(post(`/staff/collections/${customerId}`, fields, cookie), { customerId })));
const load = (customerId: string, cookie: string) => outcome(() => accountPage.loader(args(get(`/staff/collections/${customerId}`, cookie), { customerId })));

const failure = (result: { data: unknown }) => result.data as { ok: false; intent: string | null; errors: Record<string, string>; message: string | null };
const doneAt = (customerId: string, done: string) => `/staff/collections/${customerId}?done=${done}`;

const accountRow = async (customerId: string) => (await db().select().from(collectionAccounts).where(eq(collectionAccounts.customerId, customerId)))[0];
const promisesOf = (customerId: string) => db().select().from(promisesToPay).where(eq(promisesToPay.customerId, customerId));
const contactsOf = (customerId: string) => db().select().from(collectionContacts).where(eq(collectionContacts.customerId, customerId));
const tasksOf = (customerId: string) => db().select().from(collectionTasks).where(eq(collectionTasks.customerId, customerId));
const auditActions = async (customerId: string) => (await db().select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.customerId, customerId)).orderBy(auditLog.id)).map((r) => r.action);

describe("logging calls and promises on the account page", () => {
  it("logs a call with a promise: the call, the promise and its follow-up task in one go, and the account is re-scored", async () => {
    const { cookie } = await signedIn();
    const { customer } = await lateAccount();
    const promisedOn = addDays(today(), 7);
    const result = await act(customer.id, { intent: "call", outcome: "promised", amount: "300.00", promisedOn, note: "Spoke to Dana in AP; paying half next week", followUpOn: addDays(today(), 8) }, cookie);
    expect(result).toMatchObject({ status: 302, location: doneAt(customer.id, "call_promise") });

    const [promise] = await promisesOf(customer.id);
    expect(promise).toMatchObject({ amountMinor: 30000, promisedOn, status: "open", source: "staff", note: "Spoke to Dana in AP; paying half next week" });
    const [contact] = await contactsOf(customer.id);
    expect(contact).toMatchObject({ kind: "call", outcome: "promised", promiseId: promise!.id, body: "Spoke to Dana in AP; paying half next week" });
    const [task] = await tasksOf(customer.id);
    expect(task).toMatchObject({ kind: "follow_up", dueOn: addDays(today(), 8), status: "open" });
    expect(task!.title).toContain("promised to pay");

    const account = await accountRow(customer.id);
    expect(account!.lastContactAt).not.toBeNull();
    // refreshScores ran: the cached figures are the account's own.
    expect(account).toMatchObject({ overdueMinor: 60000, oldestOverdueDays: 45, nextFollowUpOn: addDays(today(), 8) });
    expect(account!.scoredAt).not.toBeNull();
    expect(await auditActions(customer.id)).toEqual(expect.arrayContaining(["collections.promise", "collections.task_open", "collections.call"]));

    const page = await load(customer.id, cookie);
    expect(page.status).toBe(200);
    expect(page.data).toMatchObject({
      canAct: true,
      totals: { openMinor: 85000, overdueMinor: 60000, promisedMinor: 30000, promisableMinor: 55000, oldestOverdueDays: 45 },
      promises: [{ amountMinor: 30000, status: "open" }],
      tasks: [{ kind: "follow_up" }],
      timeline: [{ source: "contact", kind: "call", outcome: "promised" }],
    });
  });

  it("logs a call without a promise, and refuses a promise outcome without its amount", async () => {
    const { cookie } = await signedIn();
    const { customer } = await lateAccount();
    expect(await act(customer.id, { intent: "call", outcome: "voicemail", note: "" }, cookie)).toMatchObject({ status: 302, location: doneAt(customer.id, "call") });
    const [contact] = await contactsOf(customer.id);
    expect(contact).toMatchObject({ kind: "call", outcome: "voicemail", body: null, promiseId: null });
    expect(await tasksOf(customer.id)).toEqual([]);

    const missing = await act(customer.id, { intent: "call", outcome: "promised", amount: "", promisedOn: addDays(today(), 3) }, cookie);
    expect(missing.status).toBe(400);
    expect(failure(missing)).toMatchObject({ intent: "call", errors: { amount: "Promised amount is required" } });
    const badOutcome = await act(customer.id, { intent: "call", outcome: "ghosted" }, cookie);
    expect(failure(badOutcome).errors.outcome).toBe("Choose how the call went");
    expect(await contactsOf(customer.id)).toHaveLength(1);
  });

  it("refuses a promise in the past or above the balance with a message on the field, and changes nothing", async () => {
    const { cookie } = await signedIn();
    const { customer } = await lateAccount();

    const past = await act(customer.id, { intent: "promise", amount: "100.00", promisedOn: addDays(today(), -1) }, cookie);
    expect(past.status).toBe(422);
    expect(failure(past)).toMatchObject({ intent: "promise", errors: { promisedOn: expect.stringContaining("cannot be in the past") } });

    const tooMuch = await act(customer.id, { intent: "promise", amount: "900.00", promisedOn: addDays(today(), 5) }, cookie);
    expect(tooMuch.status).toBe(422);
    expect(failure(tooMuch).errors.amount).toContain("cannot be more than the balance not yet promised ($850.00)");

    const tooFar = await act(customer.id, { intent: "promise", amount: "100.00", promisedOn: addDays(today(), 91) }, cookie);
    expect(failure(tooFar).errors.promisedOn).toContain("within 90 days");

    const notADate = await act(customer.id, { intent: "promise", amount: "100.00", promisedOn: "next friday" }, cookie);
    expect(notADate.status).toBe(400);
    expect(failure(notADate).errors.promisedOn).toBe("Promised date must be a date like 2026-01-31");

    // The same rules through a call: the call is not logged either.
    const viaCall = await act(customer.id, { intent: "call", outcome: "promised", amount: "900.00", promisedOn: addDays(today(), 5), followUpOn: addDays(today(), 6) }, cookie);
    expect(viaCall.status).toBe(422);
    expect(failure(viaCall).errors.amount).toContain("$850.00");

    expect(await promisesOf(customer.id)).toEqual([]);
    expect(await contactsOf(customer.id)).toEqual([]);
    expect(await tasksOf(customer.id)).toEqual([]);
    expect(await auditActions(customer.id)).not.toContain("collections.promise");
  });

  it("records a promise on its own and cancels it with a reason", async () => {
    const { cookie } = await signedIn();
    const { customer } = await lateAccount();
    expect(await act(customer.id, { intent: "promise", amount: "850", promisedOn: today() }, cookie)).toMatchObject({ status: 302, location: doneAt(customer.id, "promise") });
    const [promise] = await promisesOf(customer.id);
    expect(promise).toMatchObject({ amountMinor: 85000, promisedOn: today() });
    // Everything is promised now: a second promise has no room.
    const second = await act(customer.id, { intent: "promise", amount: "1", promisedOn: today() }, cookie);
    expect(failure(second).errors.amount).toContain("($0.00)");

    const noReason = await act(customer.id, { intent: "promise_cancel", promiseId: promise!.id, note: " " }, cookie);
    expect(failure(noReason)).toMatchObject({ intent: "promise_cancel", errors: { note: "Reason is required" } });
    expect(await act(customer.id, { intent: "promise_cancel", promiseId: promise!.id, note: "They called back: not this month" }, cookie)).toMatchObject({ status: 302 });
    expect((await promisesOf(customer.id))[0]!.status).toBe("canceled");
    const again = await act(customer.id, { intent: "promise_cancel", promiseId: promise!.id, note: "twice" }, cookie);
    expect(again.status).toBe(409);
  });

  it("adds a note, and refuses an empty one", async () => {
    const { cookie } = await signedIn();
    const { customer } = await lateAccount();
    const empty = await act(customer.id, { intent: "note", body: "   " }, cookie);
    expect(empty.status).toBe(400);
    expect(failure(empty).errors.body).toBe("Note is required");
    expect(await act(customer.id, { intent: "note", body: "Owner is on leave until the 20th" }, cookie)).toMatchObject({ status: 302, location: doneAt(customer.id, "note") });
    expect(await contactsOf(customer.id)).toMatchObject([{ kind: "note", body: "Owner is on leave until the 20th" }]);
    // A note is not a contact with the customer.
    expect((await accountRow(customer.id))!.lastContactAt).toBeNull();
  });
});

describe("reminders, snoozes and escalation", () => {
  it("sends a reminder now, once per tone a day", async () => {
    const { cookie } = await signedIn();
    const { customer } = await lateAccount();
    expect(await act(customer.id, { intent: "reminder", tone: "firm" }, cookie)).toMatchObject({ status: 302, location: doneAt(customer.id, "reminder") });
    const reminders = () => db().select().from(emailOutbox).where(and(eq(emailOutbox.customerId, customer.id), eq(emailOutbox.template, "payment-reminder")));
    const emails = await reminders();
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({ template: "payment-reminder", toAddress: "ap@harbor.example" });
    expect(await contactsOf(customer.id)).toMatchObject([{ kind: "email", body: "Firm reminder sent by hand" }]);
    expect((await accountRow(customer.id))!.lastContactAt).not.toBeNull();

    const twice = await act(customer.id, { intent: "reminder", tone: "firm" }, cookie);
    expect(twice.status).toBe(409);
    expect(failure(twice).errors.tone).toContain("already sent");
    expect(await reminders()).toHaveLength(1);
    expect(failure(await act(customer.id, { intent: "reminder", tone: "shouty" }, cookie)).errors.tone).toBe("Choose which reminder to send");
    expect((await auditActions(customer.id)).filter((a) => a === "collections.reminder")).toHaveLength(1);
  });

  it("snoozes after today and within 90 days, and ends the snooze", async () => {
    const { cookie } = await signedIn();
    const { customer } = await lateAccount();
    for (const [until, message] of [
      [today(), "after today"],
      [addDays(today(), 91), "within 90 days"],
    ] as const) {
      const refused = await act(customer.id, { intent: "snooze", until, reason: "Waiting for their audit" }, cookie);
      expect(refused.status).toBe(422);
      expect(failure(refused).errors.until).toContain(message);
    }
    expect(failure(await act(customer.id, { intent: "snooze", until: addDays(today(), 5), reason: "" }, cookie)).errors.reason).toBe("Reason is required");
    expect((await accountRow(customer.id))?.snoozedUntil ?? null).toBeNull();

    const until = addDays(today(), 14);
    expect(await act(customer.id, { intent: "snooze", until, reason: "Waiting for their audit" }, cookie)).toMatchObject({ status: 302, location: doneAt(customer.id, "snooze") });
    expect(await accountRow(customer.id)).toMatchObject({ snoozedUntil: until, snoozeReason: "Waiting for their audit" });
    expect((await load(customer.id, cookie)).data).toMatchObject({ account: { snoozedUntil: until, snoozeReason: "Waiting for their audit" } });

    expect(await act(customer.id, { intent: "unsnooze" }, cookie)).toMatchObject({ status: 302, location: doneAt(customer.id, "unsnooze") });
    expect(await accountRow(customer.id)).toMatchObject({ snoozedUntil: null, snoozeReason: null });
    expect((await act(customer.id, { intent: "unsnooze" }, cookie)).status).toBe(409);
    expect((await contactsOf(customer.id)).map((c) => c.kind)).toEqual(["snooze", "snooze"]);
  });

  it("escalates to an agency and exports the open items for it", async () => {
    const { cookie } = await signedIn();
    const { customer, late, current } = await lateAccount();
    expect(failure(await act(customer.id, { intent: "escalate", agency: "" }, cookie)).errors.agency).toBe("Agency is required");
    const result = await act(customer.id, { intent: "escalate", agency: "Northside Recovery", note: "Ignored the final notice" }, cookie);
    expect(result).toMatchObject({ status: 302, location: doneAt(customer.id, "escalate") });
    const account = await accountRow(customer.id);
    expect(account).toMatchObject({ stage: "agency", agency: "Northside Recovery" });
    expect(account!.escalatedAt).not.toBeNull();
    expect(await contactsOf(customer.id)).toMatchObject([{ kind: "escalation", body: "Escalated to Northside Recovery: Ignored the final notice" }]);
    const again = await act(customer.id, { intent: "escalate", agency: "northside recovery" }, cookie);
    expect(again.status).toBe(409);

    const response = (await agencyExport.loader(args(get(`/staff/collections/${customer.id}/agency.csv`, cookie), { customerId: customer.id }))) as Response;
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toContain(`agency-${customer.accountNumber}-`);
    const lines = (await response.text()).replace(/^\uFEFF/, "").trim().split("\n");
    expect(lines[0]).toBe("invoice_number,issue_date,due_date,days_overdue,currency,total,open,disputed,customer_name,account_number,customer_address,customer_email,customer_phone,agency");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe(
      `${late.number},${addDays(today(), -75)},${addDays(today(), -45)},45,USD,600.00,600.00,0.00,Harbor Freight Co,${customer.accountNumber},"1 Dock Road, Springfield, IL 62701, US",ap@harbor.example,'+1 (555) 010-0100,Northside Recovery`,
    );
    expect(lines[2]).toContain(`${current.number},${addDays(today(), -20)},${addDays(today(), 10)},0,USD,250.00,250.00,0.00,`);
    // A cell that starts like a formula (the phone's "+" above too) is quoted, so a spreadsheet will not run it.
    await db().update(customers).set({ phone: "=HYPERLINK(1)" }).where(eq(customers.id, customer.id));
    const quoted = await ((await agencyExport.loader(args(get(`/staff/collections/${customer.id}/agency.csv`, cookie), { customerId: customer.id }))) as Response).text();
    expect(quoted).toContain("'=HYPERLINK(1)");
  });

  it("refuses to escalate an account with nothing overdue", async () => {
    const { cookie } = await signedIn();
    const customer = await createCustomer();
    await issuedInvoice({ customerId: customer.id, amounts: [10000], dueDate: addDays(today(), 20) });
    const result = await act(customer.id, { intent: "escalate", agency: "Northside Recovery" }, cookie);
    expect(result.status).toBe(422);
    expect(failure(result).errors.agency).toContain("Nothing on this account is overdue");
    expect((await accountRow(customer.id))?.stage ?? "none").toBe("none");
  });
});

describe("credit holds, write-offs and tasks", () => {
  it("places and lifts a credit hold, which customers.credit_hold follows", async () => {
    const { cookie } = await signedIn();
    const { customer } = await lateAccount();
    const creditHold = async () => (await db().select({ creditHold: customers.creditHold }).from(customers).where(eq(customers.id, customer.id)))[0]!.creditHold;
    expect(failure(await act(customer.id, { intent: "hold_place", reason: "" }, cookie)).errors.reason).toBe("Reason is required");
    expect(await act(customer.id, { intent: "hold_place", reason: "45 days late on $600" }, cookie)).toMatchObject({ status: 302, location: doneAt(customer.id, "hold_place") });
    expect(await creditHold()).toBe(true);
    expect(await db().select().from(creditHolds).where(eq(creditHolds.customerId, customer.id))).toMatchObject([{ reason: "45 days late on $600", source: "manual", liftedAt: null }]);
    expect((await load(customer.id, cookie)).data).toMatchObject({ customer: { creditHold: true }, holds: [{ reason: "45 days late on $600", source: "manual" }] });

    expect(await act(customer.id, { intent: "hold_lift", note: "Paid by wire this morning" }, cookie)).toMatchObject({ status: 302, location: doneAt(customer.id, "hold_lift") });
    expect(await creditHold()).toBe(false);
    const [hold] = await db().select().from(creditHolds).where(eq(creditHolds.customerId, customer.id));
    expect(hold).toMatchObject({ liftNote: "Paid by wire this morning" });
    expect(hold!.liftedAt).not.toBeNull();
    const notHeld = await act(customer.id, { intent: "hold_lift", note: "again" }, cookie);
    expect(notHeld.status).toBe(409);
    expect(failure(notHeld).errors.note).toBe("The account is not on credit hold");
    expect((await contactsOf(customer.id)).map((c) => c.body)).toEqual(expect.arrayContaining(["Credit hold placed: 45 days late on $600", "Credit hold lifted: Paid by wire this morning"]));
  });

  it("requests a write-off of an open invoice: small ones at once, above the threshold for an admin's approval", async () => {
    const { cookie } = await signedIn();
    const { customer, late, current } = await lateAccount();
    const key = (n: number) => `write-off-key-${n}`;

    // $600.00 is above the $500 threshold: it waits for an admin.
    const big = await act(customer.id, { intent: "write_off", invoiceId: late.id, amount: "600.00", reason: "Customer went out of business", idempotencyKey: key(1) }, cookie);
    expect(big).toMatchObject({ status: 302, location: doneAt(customer.id, "write_off_pending") });
    expect(await db().select().from(writeOffRequests).where(eq(writeOffRequests.invoiceId, late.id))).toMatchObject([{ amountMinor: 60000, status: "pending" }]);
    expect((await load(customer.id, cookie)).data).toMatchObject({ openInvoices: [{ id: late.id, pendingWriteOffMinor: 60000 }, { id: current.id, pendingWriteOffMinor: null }] });

    const small = await act(customer.id, { intent: "write_off", invoiceId: current.id, amount: "50.00", reason: "Goodwill for the late delivery", idempotencyKey: key(2) }, cookie);
    expect(small).toMatchObject({ status: 302, location: doneAt(customer.id, "write_off") });
    expect((await db().select({ openMinor: invoices.openMinor }).from(invoices).where(eq(invoices.id, current.id)))[0]!.openMinor).toBe(20000);

    const tooMuch = await act(customer.id, { intent: "write_off", invoiceId: current.id, amount: "500.00", reason: "x", idempotencyKey: key(3) }, cookie);
    expect(tooMuch.status).toBe(422);
    expect(failure(tooMuch)).toMatchObject({ intent: "write_off", errors: { amount: "Only $200.00 is open" } });

    const other = await createCustomer();
    const theirs = await issuedInvoice({ customerId: other.id, amounts: [1000] });
    const wrong = await act(customer.id, { intent: "write_off", invoiceId: theirs.id, amount: "10.00", reason: "x", idempotencyKey: key(4) }, cookie);
    expect(wrong.status).toBe(404);
    expect(failure(wrong).errors.invoiceId).toBe("That invoice is not on this account");
    expect((await db().select({ openMinor: invoices.openMinor }).from(invoices).where(eq(invoices.id, theirs.id)))[0]!.openMinor).toBe(1000);
    expect(await auditActions(customer.id)).toEqual(expect.arrayContaining(["write_off.request", "write_off.issue"]));
  });

  it("adds a task by hand, completes one and cancels another", async () => {
    const { cookie } = await signedIn();
    const { customer } = await lateAccount();
    expect(failure(await act(customer.id, { intent: "task_add", title: "Call the owner", kind: "call", dueOn: addDays(today(), -1) }, cookie)).errors.dueOn).toContain("today or later");
    expect(await act(customer.id, { intent: "task_add", title: "Call the owner", kind: "call", dueOn: today() }, cookie)).toMatchObject({ status: 302, location: doneAt(customer.id, "task_add") });
    expect(await act(customer.id, { intent: "task_add", title: "Check the remittance", kind: "review", dueOn: addDays(today(), 2) }, cookie)).toMatchObject({ status: 302 });
    const [first, second] = (await tasksOf(customer.id)).sort((a, b) => a.dueOn.localeCompare(b.dueOn));
    expect((await accountRow(customer.id))!.nextFollowUpOn).toBe(today());

    expect(await act(customer.id, { intent: "task_done", taskId: first!.id, outcome: "Left a message with the owner" }, cookie)).toMatchObject({ status: 302, location: doneAt(customer.id, "task_done") });
    expect(await act(customer.id, { intent: "task_cancel", taskId: second!.id }, cookie)).toMatchObject({ status: 302, location: doneAt(customer.id, "task_cancel") });
    const tasks = await tasksOf(customer.id);
    expect(tasks.find((t) => t.id === first!.id)).toMatchObject({ status: "done", outcome: "Left a message with the owner" });
    expect(tasks.find((t) => t.id === second!.id)).toMatchObject({ status: "canceled" });
    expect((await accountRow(customer.id))!.nextFollowUpOn).toBeNull();

    // Another account's task is not this account's to finish.
    const other = await lateAccount();
    await act(other.customer.id, { intent: "task_add", title: "Theirs", kind: "other", dueOn: today() }, cookie);
    const [theirs] = await tasksOf(other.customer.id);
    expect((await act(customer.id, { intent: "task_done", taskId: theirs!.id }, cookie)).status).toBe(404);
    expect((await tasksOf(other.customer.id))[0]!.status).toBe("open");
  });
});

describe("who may use the account page", () => {
  it("shows a viewer everything but lets them change nothing", async () => {
    const { cookie } = await signedIn("viewer");
    const { customer } = await lateAccount();
    const page = await load(customer.id, cookie);
    expect(page.status).toBe(200);
    expect(page.data).toMatchObject({ canAct: false, customer: { name: "Harbor Freight Co", phone: "+1 (555) 010-0100" } });
    const attempts: Record<string, string>[] = [{ intent: "note", body: "hello" }, { intent: "call", outcome: "reached" }, { intent: "hold_place", reason: "x" }];
    for (const fields of attempts) {
      expect((await act(customer.id, fields, cookie)).status).toBe(403);
    }
    expect(await contactsOf(customer.id)).toEqual([]);
    const csv = (await agencyExport.loader(args(get(`/staff/collections/${customer.id}/agency.csv`, cookie), { customerId: customer.id }))) as Response;
    expect(csv.status).toBe(200);
  });

  it("sends a portal user or a stranger to the staff sign-in", async () => {
    const { customer } = await lateAccount();
    const contact = await createContact({ customerId: customer.id });
    const portal = await cookieFor({ audience: "portal", portalUserId: contact.id });
    for (const cookie of [portal, ""]) {
      const page = await load(customer.id, cookie);
      expect(page.status).toBe(302);
      expect(page.location).toMatch(/^\/staff\/sign-in\?redirectTo=/);
      const posted = await act(customer.id, { intent: "note", body: "sneaky" }, cookie);
      expect(posted.status).toBe(302);
      expect(posted.location).toMatch(/^\/staff\/sign-in/);
      const csv = await outcome(() => agencyExport.loader(args(get(`/staff/collections/${customer.id}/agency.csv`, cookie), { customerId: customer.id })));
      expect(csv.status).toBe(302);
    }
    expect(await contactsOf(customer.id)).toEqual([]);
  });

  it("answers 404 for a customer that is not there", async () => {
    const { cookie } = await signedIn();
    for (const customerId of ["00000000-0000-4000-8000-000000000000", "nope"]) {
      expect((await load(customerId, cookie)).status).toBe(404);
      expect((await act(customerId, { intent: "note", body: "hello" }, cookie)).status).toBe(404);
      expect((await outcome(() => agencyExport.loader(args(get(`/staff/collections/${customerId}/agency.csv`, cookie), { customerId })))).status).toBe(404);
    }
  });
});

describe("what the account page shows", () => {
  it("splits each open invoice into disputed, planned and collectible, with days overdue", async () => {
    const { cookie } = await signedIn();
    const { customer, late, current } = await lateAccount();
    const [line] = await db().select().from(invoiceLines).where(eq(invoiceLines.invoiceId, late.id));
    await db().insert(disputes).values({ customerId: customer.id, invoiceId: late.id, invoiceLineId: line!.id, currency: "USD", amountMinor: 10000, reason: "damaged" });
    const page = await load(customer.id, cookie);
    expect(page.data).toMatchObject({
      asOf: today(),
      openInvoices: [
        { id: late.id, openMinor: 60000, disputedMinor: 10000, plannedMinor: 0, collectibleMinor: 50000, daysOverdue: 45, overdue: true },
        { id: current.id, openMinor: 25000, disputedMinor: 0, collectibleMinor: 25000, daysOverdue: 0, overdue: false },
      ],
      totals: { disputedMinor: 10000, collectibleMinor: 75000, promisableMinor: 75000 },
      account: { stage: "none" },
    });
  });

  it("puts every action on the customer's timeline in words", async () => {
    const { cookie, user } = await signedIn();
    const { customer } = await lateAccount();
    await act(customer.id, { intent: "call", outcome: "promised", amount: "300", promisedOn: addDays(today(), 7), followUpOn: addDays(today(), 8), note: "Paying half" }, cookie);
    await act(customer.id, { intent: "note", body: "Owner is on leave" }, cookie);
    await act(customer.id, { intent: "snooze", until: addDays(today(), 3), reason: "Audit" }, cookie);
    await act(customer.id, { intent: "escalate", agency: "Northside Recovery" }, cookie);
    await act(customer.id, { intent: "hold_place", reason: "Late" }, cookie);
    await act(customer.id, { intent: "hold_lift", note: "Paid" }, cookie);
    await act(customer.id, { intent: "reminder", tone: "final" }, cookie);

    const entries = await db().select().from(auditLog).where(and(eq(auditLog.customerId, customer.id), eq(auditLog.actorId, user.id))).orderBy(auditLog.id);
    const sentences = entries.map((entry) => describeAudit(entry, "USD"));
    for (const sentence of sentences) expect(sentence).not.toMatch(/: collections\./);
    expect(sentences).toEqual(
      expect.arrayContaining([
        `${user.email} recorded a promise to pay $300.00 by ${formatted(addDays(today(), 7))}`,
        expect.stringMatching(/^staff\d+@test\.example opened the task “Follow up on the call/),
        `${user.email} logged a call (they promised to pay), a promise to pay $300.00 by ${formatted(addDays(today(), 7))}: Paying half`,
        `${user.email} added a note: Owner is on leave`,
        `${user.email} snoozed collections until ${formatted(addDays(today(), 3))}: Audit`,
        `${user.email} escalated the account to Northside Recovery`,
        `${user.email} put the account on credit hold: Late`,
        `${user.email} took the account off credit hold: Paid`,
        `${user.email} sent a final notice by hand to ap@harbor.example`,
      ]),
    );
    // The customer page's activity uses the staff member's name.
    const overview = await getCustomerOverview(customer.id);
    expect(overview!.activity.map((a) => a.text)).toEqual(expect.arrayContaining([`${user.name} added a note: Owner is on leave`]));
    const customerView = await outcome(() => customerPage.loader(args(get(`/staff/customers/${customer.id}`, cookie), { customerId: customer.id })));
    expect(customerView.data).toMatchObject({ collections: { stage: "agency", agency: "Northside Recovery", openPromiseCount: 1, promisedMinor: 30000, openTaskCount: 1, holdReasons: [] } });

    const page = await load(customer.id, cookie);
    const kinds = (page.data as { timeline: { source: string; kind?: string }[] }).timeline.map((t) => t.kind);
    expect(kinds).toEqual(["email", "hold", "hold", "escalation", "snooze", "note", "call"]);
  });
});

describe("the dunning run on the account page", () => {
  it("shows one timeline entry per step and day, naming every invoice it was taken on", async () => {
    const { cookie } = await signedIn();
    const { customer, late } = await lateAccount();
    const later = await issuedInvoice({ customerId: customer.id, amounts: [40000], issueDate: addDays(today(), -76), dueDate: addDays(today(), -46) });
    await runDunning({ trigger: "cli", customerIds: [customer.id], now: new Date(`${weekdayAfter(today())}T15:00:00Z`) });
    const page = await load(customer.id, cookie);
    const dunning = (page.data as { timeline: { source: string; stepId?: string; invoices?: { number: string | null }[] }[] }).timeline.filter((t) => t.source === "dunning");
    // The standard policy's day-45 call task and day-30 final notice, each on both invoices, once.
    const call = dunning.filter((t) => t.stepId === "call-45");
    expect(call).toHaveLength(1);
    expect(call[0]!.invoices!.map((i) => i.number).sort()).toEqual([late.number, later.number].sort());
    expect(new Set(dunning.map((t) => t.stepId)).size).toBe(dunning.length);
  });
});

/** The first Monday to Friday on or after `day`, so the run's email steps are not held for a weekend. */
function weekdayAfter(day: string) {
  let next = day;
  while ([0, 6].includes(new Date(`${next}T00:00:00Z`).getUTCDay())) next = addDays(next, 1);
  return next;
}

const formatted = (day: string) => new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" }).format(new Date(day));
