import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { allocations, bankLines, bankStatements, invoices, payments, payouts, processorEvents, reconciliationExceptions } from "~db/schema";
import { recordPayment } from "~/ledger/payments.server";
import { openException } from "~/reconciliation/exceptions.server";
import * as overview from "~/routes/staff.reconciliation._index";
import * as statementPage from "~/routes/staff.reconciliation.bank.$statementId";
import * as bankPage from "~/routes/staff.reconciliation.bank._index";
import * as mappingsPage from "~/routes/staff.reconciliation.bank.mappings";
import * as eventPage from "~/routes/staff.reconciliation.events.$eventId";
import * as eventList from "~/routes/staff.reconciliation.events._index";
import * as exceptionPage from "~/routes/staff.reconciliation.exceptions.$exceptionId";
import * as exceptionList from "~/routes/staff.reconciliation.exceptions._index";
import * as payoutPage from "~/routes/staff.reconciliation.payouts.$payoutId";
import * as payoutList from "~/routes/staff.reconciliation.payouts._index";
import { today } from "~/utils/dates";
import { getProcessorEvent } from "~webhooks/stripe/process.server";
import { createCustomer, createStaff, issuedInvoice, staffActor } from "./factories";
import { ledgerFingerprint, ledgerViolations } from "./ledger-invariants";
import { context, cookieFor, get, outcome, post } from "./route-helpers";

const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context });

async function signedIn(role: "viewer" | "clerk" | "admin" = "clerk") {
  const user = await createStaff({ role });
  return { user, cookie: await cookieFor({ audience: "staff", staffUserId: user.id }), actor: staffActor(user) };
}

/** A customer with two issued invoices of $100.00 and $50.00, and a $150.00 card payment left unapplied on the queue. */
async function unappliedPaymentOnTheQueue(actor: { type: "staff"; id: string; label: string }) {
  const customer = await createCustomer();
  const first = await issuedInvoice({ customerId: customer.id, amounts: [10000] });
  const second = await issuedInvoice({ customerId: customer.id, amounts: [5000] });
  const payment = await recordPayment({ customerId: customer.id, amountMinor: 15000, method: "card", reference: "pi_test_unmatched", receivedOn: today(), idempotencyKey: "processor:pi_test_unmatched" }, actor);
  const exception = await openException(
    { kind: "unmatched_payment", sourceKey: "intent:pi_test_unmatched", currency: "USD", amountMinor: 15000, reason: "A $150.00 payment (pi_test_unmatched) was not started in Settle", occurredOn: today(), customerId: customer.id, paymentId: payment.id, processorObjectId: "pi_test_unmatched" },
    actor,
  );
  return { customer, first, second, payment, exception };
}

const openOf = async (invoiceId: string) => (await getDb().select({ openMinor: invoices.openMinor, status: invoices.status }).from(invoices).where(eq(invoices.id, invoiceId)))[0]!;
const exceptionRow = async (id: string) => (await getDb().select().from(reconciliationExceptions).where(eq(reconciliationExceptions.id, id)))[0]!;

async function storedEvent(fields: Partial<typeof processorEvents.$inferInsert> = {}) {
  const [event] = await getDb()
    .insert(processorEvents)
    .values({
      id: "evt_test_detached",
      processor: "stripe",
      type: "payment_method.detached",
      objectId: "pm_test_gone",
      occurredAt: new Date(),
      payload: { id: "evt_test_detached", type: "payment_method.detached", data: { object: { id: "pm_test_gone", object: "payment_method" } } },
      attempts: 12,
      lastError: "Connection reset by the database",
      nextAttemptAt: null,
      ...fields,
    })
    .returning();
  return event!;
}

describe("reading the reconciliation pages", () => {
  it("renders every page for a viewer with nothing to reconcile", async () => {
    const { cookie } = await signedIn("viewer");
    const page = async (module: { loader: (a: ReturnType<typeof args>) => Promise<unknown> }, path: string) => {
      const result = await outcome(() => module.loader(args(get(path, cookie))));
      expect(result.status, path).toBe(200);
      return result.data as Record<string, unknown>;
    };
    expect(await page(overview, "/staff/reconciliation")).toMatchObject({ openByKind: [], days: [], payouts: [], openExceptions: 0 });
    expect(await page(exceptionList, "/staff/reconciliation/exceptions")).toMatchObject({ exceptions: [], status: "open" });
    expect(await page(exceptionList, "/staff/reconciliation/exceptions?status=resolved&kind=bank_unmatched")).toMatchObject({ exceptions: [], status: "resolved", kind: "bank_unmatched" });
    expect(await page(payoutList, "/staff/reconciliation/payouts")).toMatchObject({ payouts: [] });
    expect(await page(eventList, "/staff/reconciliation/events?show=problems")).toMatchObject({ events: [], show: "problems" });
    expect(await page(bankPage, "/staff/reconciliation/bank")).toMatchObject({ statements: [], mappings: [], canImport: false });
    expect(await page(mappingsPage, "/staff/reconciliation/bank/mappings")).toMatchObject({ mappings: [], editing: null, canEdit: false });
  });

  it("shows a viewer each detail page, and answers 404 for ids that are not there", async () => {
    const { cookie } = await signedIn("viewer");
    const clerk = await signedIn("clerk");
    const { exception, payment } = await unappliedPaymentOnTheQueue(clerk.actor);
    const [payout] = await getDb()
      .insert(payouts)
      .values({ processorPayoutId: "po_test_1", currency: "USD", amountMinor: 9400, status: "paid", arrivalDate: today(), paymentsMinor: 10000, refundsMinor: 300, feesMinor: 300, itemCount: 2, reconciliation: "balanced" })
      .returning();
    const event = await storedEvent();
    const [statement] = await getDb().insert(bankStatements).values({ fileName: "march.xml", format: "camt053", fileSha256: "abc", accountId: "DE00TEST" }).returning();

    const detail = await outcome(() => exceptionPage.loader(args(get(`/staff/reconciliation/exceptions/${exception.id}`, cookie), { exceptionId: exception.id })));
    expect(detail.status).toBe(200);
    expect(detail.data).toMatchObject({ kindLabel: "Payment with no matching attempt", canAct: false, availableMinor: 15000, payment: { id: payment.id }, invoices: [{ openMinor: 10000 }, { openMinor: 5000 }] });
    const list = await outcome(() => exceptionList.loader(args(get("/staff/reconciliation/exceptions", cookie))));
    expect((list.data as { exceptions: { id: string }[] }).exceptions.map((row) => row.id)).toEqual([exception.id]);
    const counts = await outcome(() => overview.loader(args(get("/staff/reconciliation", cookie))));
    expect(counts.data).toMatchObject({
      openByKind: [{ kind: "unmatched_payment", count: 1, amountMinor: 15000, currency: "USD" }],
      openExceptions: 1,
      // Received by Stripe and waiting on the queue: the day adds up.
      days: [{ day: today(), currency: "USD", receivedMinor: 15000, appliedMinor: 0, exceptionMinor: 15000, gapMinor: 0 }],
    });
    const other = await createCustomer();
    await recordPayment({ customerId: other.id, amountMinor: 2000, method: "card", reference: "pi_test_silent", receivedOn: today(), idempotencyKey: "processor:pi_test_silent" }, clerk.actor);
    const short = await outcome(() => overview.loader(args(get("/staff/reconciliation", cookie))));
    expect(short.data).toMatchObject({ days: [{ receivedMinor: 17000, gapMinor: 2000 }] });

    const payoutDetail = await outcome(() => payoutPage.loader(args(get(`/staff/reconciliation/payouts/${payout!.id}`, cookie), { payoutId: payout!.id })));
    expect(payoutDetail).toMatchObject({ status: 200, data: { computedMinor: 9400, items: [] } });
    const eventDetail = await outcome(() => eventPage.loader(args(get(`/staff/reconciliation/events/${event.id}`, cookie), { eventId: event.id })));
    expect(eventDetail).toMatchObject({ status: 200, data: { state: "given_up", canReplay: false } });
    expect((eventDetail.data as { payload: string }).payload).toContain('"pm_test_gone"');
    const statementDetail = await outcome(() => statementPage.loader(args(get(`/staff/reconciliation/bank/${statement!.id}`, cookie), { statementId: statement!.id })));
    expect(statementDetail).toMatchObject({ status: 200, data: { lines: [] } });

    const missing = "00000000-0000-4000-8000-000000000000";
    expect((await outcome(() => exceptionPage.loader(args(get(`/staff/reconciliation/exceptions/${missing}`, cookie), { exceptionId: missing })))).status).toBe(404);
    expect((await outcome(() => exceptionPage.loader(args(get("/staff/reconciliation/exceptions/nope", cookie), { exceptionId: "nope" })))).status).toBe(404);
    expect((await outcome(() => payoutPage.loader(args(get(`/staff/reconciliation/payouts/${missing}`, cookie), { payoutId: missing })))).status).toBe(404);
    expect((await outcome(() => eventPage.loader(args(get("/staff/reconciliation/events/evt_none", cookie), { eventId: "evt_none" })))).status).toBe(404);
    expect((await outcome(() => statementPage.loader(args(get(`/staff/reconciliation/bank/${missing}`, cookie), { statementId: missing })))).status).toBe(404);
  });
});

describe("resolving an exception", () => {
  it("refuses a viewer (403) and changes nothing", async () => {
    const clerk = await signedIn("clerk");
    const { cookie } = await signedIn("viewer");
    const { exception, first, second } = await unappliedPaymentOnTheQueue(clerk.actor);
    const before = await ledgerFingerprint();
    const result = await outcome(() =>
      exceptionPage.action(args(post(`/staff/reconciliation/exceptions/${exception.id}`, { intent: "apply", customerId: exception.customerId!, [`apply.${first.id}`]: "100.00", [`apply.${second.id}`]: "50.00" }, cookie), { exceptionId: exception.id })),
    );
    expect(result.status).toBe(403);
    expect(await ledgerFingerprint()).toBe(before);
    expect((await exceptionRow(exception.id)).status).toBe("open");
  });

  it("lets a clerk apply the payment to two invoices; their open amounts drop and the page says who did it", async () => {
    const { user, cookie, actor } = await signedIn("clerk");
    const { exception, customer, first, second, payment } = await unappliedPaymentOnTheQueue(actor);
    expect(await openOf(first.id)).toMatchObject({ openMinor: 10000, status: "open" });

    const result = await outcome(() =>
      exceptionPage.action(
        args(post(`/staff/reconciliation/exceptions/${exception.id}`, { intent: "apply", customerId: customer.id, [`apply.${first.id}`]: "60.00", [`apply.${second.id}`]: "50", note: "Customer's remittance email" }, cookie), { exceptionId: exception.id }),
      ),
    );

    expect(result).toMatchObject({ status: 302, location: `/staff/reconciliation/exceptions/${exception.id}?done=apply` });
    expect(await openOf(first.id)).toMatchObject({ openMinor: 4000, status: "open" });
    expect(await openOf(second.id)).toMatchObject({ openMinor: 0, status: "paid" });
    const applied = await getDb().select().from(allocations).where(eq(allocations.paymentId, payment.id));
    expect(applied.map((a) => a.amountMinor).sort()).toEqual([5000, 6000]);
    expect(await exceptionRow(exception.id)).toMatchObject({ status: "resolved", resolution: "applied", resolutionNote: "Customer's remittance email", resolvedBy: user.id });
    expect(await ledgerViolations()).toEqual([]);

    const page = await outcome(() => exceptionPage.loader(args(get(`/staff/reconciliation/exceptions/${exception.id}?done=apply`, cookie), { exceptionId: exception.id })));
    expect(page.data).toMatchObject({ canAct: false, actions: [], resolvedBy: user.email, exception: { status: "resolved", resolution: "applied" } });
    const resolved = await outcome(() => exceptionList.loader(args(get("/staff/reconciliation/exceptions?status=resolved", cookie))));
    expect((resolved.data as { exceptions: { id: string }[] }).exceptions.map((row) => row.id)).toEqual([exception.id]);
  });

  it("answers a bad amount with 400 naming the invoice's field, and changes nothing", async () => {
    const { cookie, actor } = await signedIn("clerk");
    const { exception, customer, first, second } = await unappliedPaymentOnTheQueue(actor);
    const before = await ledgerFingerprint();

    const result = await outcome(() =>
      exceptionPage.action(args(post(`/staff/reconciliation/exceptions/${exception.id}`, { intent: "apply", customerId: customer.id, [`apply.${first.id}`]: "12,34.5x", [`apply.${second.id}`]: "50.00" }, cookie), { exceptionId: exception.id })),
    );

    expect(result.status).toBe(400);
    const errors = (result.data as { intent: string; errors: Record<string, string> }).errors;
    expect((result.data as { intent: string }).intent).toBe("apply");
    expect(errors[`apply.${first.id}`]).toMatch(new RegExp(`^Amount for invoice ${first.number}`));
    expect(errors[`apply.${second.id}`]).toBeUndefined();
    expect(await ledgerFingerprint()).toBe(before);
    expect(await openOf(first.id)).toMatchObject({ openMinor: 10000 });
    expect(await openOf(second.id)).toMatchObject({ openMinor: 5000 });
    expect((await exceptionRow(exception.id)).status).toBe("open");
  });

  it("asks for a note to dismiss, then dismisses with it", async () => {
    const { cookie, actor } = await signedIn("clerk");
    const { exception } = await unappliedPaymentOnTheQueue(actor);
    const url = `/staff/reconciliation/exceptions/${exception.id}`;
    const empty = await outcome(() => exceptionPage.action(args(post(url, { intent: "dismiss", note: "  " }, cookie), { exceptionId: exception.id })));
    expect(empty).toMatchObject({ status: 400, data: { intent: "dismiss", errors: { note: "Note is required" } } });
    expect((await exceptionRow(exception.id)).status).toBe("open");
    const done = await outcome(() => exceptionPage.action(args(post(url, { intent: "dismiss", note: "Duplicate of a manual entry" }, cookie), { exceptionId: exception.id })));
    expect(done).toMatchObject({ status: 302, location: `${url}?done=dismiss` });
    expect(await exceptionRow(exception.id)).toMatchObject({ status: "resolved", resolution: "dismissed", resolutionNote: "Duplicate of a manual entry" });
  });

  it("confirms a suggested bank match in one click, with the apply form prefilled from it", async () => {
    const { cookie, actor } = await signedIn("clerk");
    const customer = await createCustomer();
    const first = await issuedInvoice({ customerId: customer.id, amounts: [10000] });
    const second = await issuedInvoice({ customerId: customer.id, amounts: [5000] });
    const [statement] = await getDb().insert(bankStatements).values({ fileName: "april.csv", format: "csv", fileSha256: "def", accountId: "csv:First Bank" }).returning();
    const [line] = await getDb()
      .insert(bankLines)
      .values({ statementId: statement!.id, accountId: "csv:First Bank", entryRef: "L1", bookingDate: today(), amountMinor: 12000, currency: "USD", direction: "credit", payerName: "ACME", remittance: `${first.number} ${second.number}`, status: "suggested", confidence: 72 })
      .returning();
    const exception = await openException(
      {
        kind: "bank_suggestion",
        sourceKey: "bank:test-line",
        currency: "USD",
        amountMinor: 12000,
        reason: "Bank line from ACME: a likely match at 72% confidence",
        occurredOn: today(),
        customerId: customer.id,
        bankLineId: line!.id,
        suggestion: {
          customerId: customer.id,
          allocations: [
            { invoiceId: first.id, invoiceNumber: first.number!, amountMinor: 7000, discountMinor: 0 },
            { invoiceId: second.id, invoiceNumber: second.number!, amountMinor: 5000, discountMinor: 0 },
          ],
          creditMinor: 0,
          confidence: 72,
          reasons: ["Invoice numbers in the reference", "Payer name close to the customer's"],
        },
      },
      actor,
    );
    const url = `/staff/reconciliation/exceptions/${exception.id}`;
    const page = await outcome(() => exceptionPage.loader(args(get(url, cookie), { exceptionId: exception.id })));
    expect(page.data).toMatchObject({
      suggestion: { confidence: 72, confirmable: true, reasons: ["Invoice numbers in the reference", "Payer name close to the customer's"] },
      initialAmounts: { [first.id]: "70.00", [second.id]: "50.00" },
      actions: ["apply", "credit", "dismiss"],
    });

    const result = await outcome(() => exceptionPage.action(args(post(url, { intent: "confirm" }, cookie), { exceptionId: exception.id })));
    expect(result).toMatchObject({ status: 302, location: `${url}?done=apply` });
    expect(await openOf(first.id)).toMatchObject({ openMinor: 3000 });
    expect(await openOf(second.id)).toMatchObject({ openMinor: 0, status: "paid" });
    const recorded = await getDb().select().from(payments).where(eq(payments.customerId, customer.id));
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ amountMinor: 12000, allocatedMinor: 12000, method: "wire" });
    expect(await exceptionRow(exception.id)).toMatchObject({ status: "resolved", resolution: "applied" });
    const statementPageData = await outcome(() => statementPage.loader(args(get(`/staff/reconciliation/bank/${statement!.id}`, cookie), { statementId: statement!.id })));
    expect(statementPageData.data).toMatchObject({ lines: [{ id: line!.id, status: "applied", paymentId: recorded[0]!.id }] });
  });

  it("lets a clerk find the customer of money nobody is known for", async () => {
    const { cookie, actor } = await signedIn("clerk");
    const customer = await createCustomer({ name: "Zephyr Widgets" });
    await issuedInvoice({ customerId: customer.id, amounts: [2500] });
    const exception = await openException(
      { kind: "unknown_customer", sourceKey: "intent:pi_test_nobody", currency: "USD", amountMinor: 2500, reason: "A $25.00 payment came with no customer Settle knows", occurredOn: today(), processorObjectId: "pi_test_nobody" },
      actor,
    );
    const url = `/staff/reconciliation/exceptions/${exception.id}`;
    const searched = await outcome(() => exceptionPage.loader(args(get(`${url}?customerSearch=zephyr`, cookie), { exceptionId: exception.id })));
    expect(searched.data).toMatchObject({ chooseCustomer: true, customer: null, invoices: [], customerMatches: [{ id: customer.id, name: "Zephyr Widgets" }] });
    const chosen = await outcome(() => exceptionPage.loader(args(get(`${url}?customer=${customer.id}`, cookie), { exceptionId: exception.id })));
    expect(chosen.data).toMatchObject({ customer: { id: customer.id }, invoices: [{ openMinor: 2500 }] });
  });
});

describe("replaying a Stripe event", () => {
  it("refuses a viewer (403) and leaves the event as it was", async () => {
    const { cookie } = await signedIn("viewer");
    const event = await storedEvent();
    const result = await outcome(() => eventPage.action(args(post(`/staff/reconciliation/events/${event.id}`, { intent: "replay" }, cookie), { eventId: event.id })));
    expect(result.status).toBe(403);
    expect(await getProcessorEvent(event.id)).toMatchObject({ processedAt: null, attempts: 12, lastError: "Connection reset by the database" });
  });

  it("applies an event that gave up, again, for a clerk", async () => {
    const { cookie } = await signedIn("clerk");
    const event = await storedEvent();
    const problems = await outcome(() => eventList.loader(args(get("/staff/reconciliation/events?show=problems", cookie))));
    expect((problems.data as { events: { id: string; state: string }[] }).events).toMatchObject([{ id: event.id, state: "given_up" }]);

    const result = await outcome(() => eventPage.action(args(post(`/staff/reconciliation/events/${event.id}`, { intent: "replay" }, cookie), { eventId: event.id })));

    expect(result).toMatchObject({ status: 302, location: `/staff/reconciliation/events/${event.id}?done=replayed` });
    const after = await getProcessorEvent(event.id);
    expect(after?.processedAt).toBeInstanceOf(Date);
    expect(after).toMatchObject({ attempts: 1, lastError: null, nextAttemptAt: null });
    const page = await outcome(() => eventPage.loader(args(get(`/staff/reconciliation/events/${event.id}`, cookie), { eventId: event.id })));
    expect(page.data).toMatchObject({ state: "processed", canReplay: true });
    const stillProblems = await outcome(() => eventList.loader(args(get("/staff/reconciliation/events?show=problems", cookie))));
    expect((stillProblems.data as { events: unknown[] }).events).toEqual([]);
  });
});

describe("bank CSV mappings", () => {
  it("answers a mapping without a date column with 400 naming the field, then saves a good one", async () => {
    const { cookie } = await signedIn("clerk");
    const fields = { name: "First Bank", delimiter: ";", hasHeader: "yes", dateColumn: "", dateFormat: "DD.MM.YYYY", amountColumn: "Betrag", decimalSeparator: ",", currency: "EUR", remittanceColumns: "Verwendungszweck, Info", payerColumn: "Name" };
    const bad = await outcome(() => mappingsPage.action(args(post("/staff/reconciliation/bank/mappings", fields, cookie))));
    expect(bad.status).toBe(400);
    expect((bad.data as { errors: Record<string, string> }).errors.dateColumn).toMatch(/dateColumn/);

    const good = await outcome(() => mappingsPage.action(args(post("/staff/reconciliation/bank/mappings", { ...fields, dateColumn: "Buchungstag" }, cookie))));
    expect(good).toMatchObject({ status: 302, location: "/staff/reconciliation/bank/mappings?saved=First%20Bank" });
    const listed = await outcome(() => mappingsPage.loader(args(get("/staff/reconciliation/bank/mappings", cookie))));
    const mappings = (listed.data as { mappings: { id: string; name: string }[] }).mappings;
    expect(mappings.map((m) => m.name)).toEqual(["First Bank"]);
    const editing = await outcome(() => mappingsPage.loader(args(get(`/staff/reconciliation/bank/mappings?edit=${mappings[0]!.id}`, cookie))));
    expect(editing.data).toMatchObject({ editing: { form: { name: "First Bank", dateColumn: "Buchungstag", delimiter: ";", remittanceColumns: "Verwendungszweck, Info", currency: "EUR" } } });
  });

  it("refuses a viewer's upload (403)", async () => {
    const { cookie } = await signedIn("viewer");
    const body = new FormData();
    body.set("file", new File(["x"], "statement.xml", { type: "application/xml" }));
    const request = new Request("http://localhost:3000/staff/reconciliation/bank", { method: "POST", body, headers: { Cookie: cookie } });
    expect((await outcome(() => bankPage.action(args(request)))).status).toBe(403);
  });

  it("asks for a file when none is chosen", async () => {
    const { cookie } = await signedIn("clerk");
    const body = new FormData();
    body.set("format", "auto");
    const request = new Request("http://localhost:3000/staff/reconciliation/bank", { method: "POST", body, headers: { Cookie: cookie } });
    const result = await outcome(() => bankPage.action(args(request)));
    expect(result).toMatchObject({ status: 400, data: { ok: false, errors: { file: "Choose a bank statement file" } } });
    expect(await getDb().select().from(bankStatements)).toHaveLength(0);
  });
});
