import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { auditLog, demoProcessorObjects, disputes, invoiceLines, paymentPlans, planInstalments, portalUsers, savedPaymentMethods } from "~db/schema";
import { issueCreditNote } from "~/ledger/credit-notes.server";
import { createDraftInvoice } from "~/ledger/invoices.server";
import { recordPayment } from "~/ledger/payments.server";
import { formatMoney, toDecimalString } from "~/money/money";
import { refreshAttempt, startAttempt } from "~/payments/attempts.server";
import { demoProcessor } from "~/payments/demo-processor.server";
import { listPortalInvoices } from "~/portal/invoices.server";
import * as account from "~/routes/portal.account";
import * as home from "~/routes/portal._index";
import * as invoicePage from "~/routes/portal.invoices.$invoiceId";
import * as invoiceList from "~/routes/portal.invoices._index";
import * as receiptPage from "~/routes/portal.payments.$paymentId";
import * as paymentList from "~/routes/portal.payments._index";
import * as statementCsv from "~/routes/portal.statements[.]csv";
import * as statementPdf from "~/routes/portal.statements[.]pdf";
import * as statementPage from "~/routes/portal.statements";
import type { Statement } from "~/ledger/statements.server";
import { addDays, today } from "~/utils/dates";
import { deliverDemoEvents } from "~webhooks/stripe/demo-delivery.server";
import { receiveStripeWebhook } from "~webhooks/stripe/receive.server";
import { createContact, createCustomer, issuedInvoice } from "./factories";
import { context, cookieFor, get, outcome, post } from "./route-helpers";

const system = { type: "system" as const, label: "test" };
const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context });
const day = (offset: number) => addDays(today(), offset);
const toHandler = async (body: string, signature: string) => (await receiveStripeWebhook(body, signature)).status === 200;

async function signedIn(overrides: Parameters<typeof createCustomer>[0] = {}, role: "billing" | "viewer" = "billing") {
  const customer = await createCustomer(overrides);
  const contact = await createContact({ customerId: customer.id });
  if (role !== "billing") await getDb().update(portalUsers).set({ role }).where(eq(portalUsers.id, contact.id));
  return { customer, contact, cookie: await cookieFor({ audience: "portal", portalUserId: contact.id }) };
}

async function dispute(invoiceId: string, customerId: string, amountMinor: number) {
  const [line] = await getDb().select().from(invoiceLines).where(eq(invoiceLines.invoiceId, invoiceId));
  const [row] = await getDb().insert(disputes).values({ customerId, invoiceId, invoiceLineId: line!.id, currency: "USD", amountMinor, reason: "quantity" }).returning();
  return row!;
}

type HomeData = Awaited<ReturnType<typeof home.loader>>;

describe("the portal home", () => {
  it("counts as due now only what is due today or earlier and not disputed; shows on hold, credit and the next instalment apart", async () => {
    const { customer, cookie } = await signedIn();
    const overdue = await issuedInvoice({ customerId: customer.id, amounts: [10_000], issueDate: day(-60), dueDate: day(-30) });
    const dueToday = await issuedInvoice({ customerId: customer.id, amounts: [5_000], issueDate: day(-30), dueDate: day(0) });
    const later = await issuedInvoice({ customerId: customer.id, amounts: [20_000], issueDate: day(-5), dueDate: day(25) });
    await dispute(overdue.id, customer.id, 3_000);
    await dispute(later.id, customer.id, 1_000);
    await recordPayment({ customerId: customer.id, amountMinor: 1_500, method: "wire", receivedOn: today(), idempotencyKey: "home-credit" }, system);
    const [plan] = await getDb().insert(paymentPlans).values({ customerId: customer.id, currency: "USD", status: "active", totalMinor: 4_000, instalmentCount: 2, frequency: "monthly", firstDate: day(-3), autopay: true }).returning();
    await getDb().insert(planInstalments).values([
      { planId: plan!.id, seq: 1, dueDate: day(-3), amountMinor: 2_000, status: "paid", paidMinor: 2_000 },
      { planId: plan!.id, seq: 2, dueDate: day(27), amountMinor: 2_000, nextAttemptOn: day(27) },
    ]);

    const result = await outcome(() => home.loader(args(get("/portal", cookie))));
    expect(result.status).toBe(200);
    const { overview } = result.data as HomeData;
    expect(overview).toMatchObject({
      dueNowMinor: 7_000 + 5_000,
      dueNowCount: 2,
      overdueMinor: 7_000,
      overdueCount: 1,
      onHoldMinor: 3_000 + 1_000,
      onHoldCount: 2,
      unappliedMinor: 1_500,
      balanceMinor: 35_000 - 1_500,
      nextDue: { id: later.id, payableMinor: 19_000, dueDate: day(25) },
      nextInstalment: { date: day(27), amountMinor: 2_000, autopay: true },
      plan: { id: plan!.id, status: "active" },
    });
    expect(overview.dueNowInvoices.map((i) => [i.number, i.payableMinor, i.overdue])).toEqual([
      [overdue.number, 7_000, true],
      [dueToday.number, 5_000, false],
    ]);
  });

  it("offers a viewer contact no payment, only reading", async () => {
    const { customer, cookie } = await signedIn({}, "viewer");
    await issuedInvoice({ customerId: customer.id, amounts: [10_000], issueDate: day(-60), dueDate: day(-30) });
    const { canPay } = (await outcome(() => home.loader(args(get("/portal", cookie))))).data as HomeData;
    expect(canPay).toBe(false);
    const detail = await outcome(() => invoiceList.loader(args(get("/portal/invoices", cookie))));
    const [invoice] = (detail.data as { invoices: { id: string }[] }).invoices;
    const page = await outcome(() => invoicePage.loader(args(get(`/portal/invoices/${invoice!.id}`, cookie), { invoiceId: invoice!.id })));
    expect(page.data).toMatchObject({ canAct: false });
  });
});

describe("the invoice list", () => {
  async function books() {
    const { customer, cookie } = await signedIn();
    const open = await issuedInvoice({ customerId: customer.id, amounts: [10_000], issueDate: day(-3), dueDate: day(27) });
    const late = await issuedInvoice({ customerId: customer.id, amounts: [20_000], issueDate: day(-40), dueDate: day(-10) });
    const paid = await issuedInvoice({ customerId: customer.id, amounts: [30_000], issueDate: day(-50), dueDate: day(-20) });
    await recordPayment({ customerId: customer.id, amountMinor: 30_000, method: "check", receivedOn: day(-15), idempotencyKey: "list-paid", allocations: [{ invoiceId: paid.id, amountMinor: 30_000 }] }, system);
    const disputed = await issuedInvoice({ customerId: customer.id, amounts: [40_000], issueDate: day(-2), dueDate: day(28) });
    await dispute(disputed.id, customer.id, 2_500);
    await createDraftInvoice({ customerId: customer.id, lines: [{ description: "Not yet", quantityMilli: 1000, unitPriceMinor: 999, taxRateBps: 0 }] }, system);
    const other = await createCustomer();
    await issuedInvoice({ customerId: other.id, amounts: [50_000] });
    return { customer, cookie, open, late, paid, disputed };
  }

  const numbersOf = async (cookie: string, search: string) => {
    const result = await outcome(() => invoiceList.loader(args(get(`/portal/invoices${search}`, cookie))));
    expect(result.status).toBe(200);
    return (result.data as { invoices: { number: string; disputedMinor: number }[] }).invoices;
  };

  it("filters by open, overdue, paid and disputed, newest first, never a draft or another customer's invoice", async () => {
    const { cookie, open, late, paid, disputed } = await books();
    const n = (rows: { number: string }[]) => rows.map((row) => row.number);
    expect(n(await numbersOf(cookie, ""))).toEqual([disputed.number, open.number, late.number, paid.number]);
    expect(n(await numbersOf(cookie, "?status=open"))).toEqual([disputed.number, open.number, late.number]);
    expect(n(await numbersOf(cookie, "?status=overdue"))).toEqual([late.number]);
    expect(n(await numbersOf(cookie, "?status=paid"))).toEqual([paid.number]);
    expect(await numbersOf(cookie, "?status=disputed")).toEqual([expect.objectContaining({ number: disputed.number, disputedMinor: 2_500 })]);
    // A made-up filter shows everything rather than failing.
    expect(n(await numbersOf(cookie, "?status=secret"))).toHaveLength(4);
  });

  it("finds by number, and pages through every invoice once with a keyset cursor; a tampered cursor starts over", async () => {
    const { customer, cookie, late } = await books();
    expect((await numbersOf(cookie, `?q=${late.number!.slice(-3)}`)).map((row) => row.number)).toEqual([late.number]);
    expect(await numbersOf(cookie, "?q=INV-999999")).toEqual([]);
    expect(await numbersOf(cookie, `?q=${encodeURIComponent("%_")}`)).toEqual([]);

    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await listPortalInvoices({ customerId: customer.id, after, limit: 1 });
      seen.push(...page.invoices.map((row) => row.number));
      after = page.nextCursor;
    } while (after);
    expect(seen).toEqual((await numbersOf(cookie, "")).map((row) => row.number));
    expect((await numbersOf(cookie, "?after=bm90LWEtY3Vyc29y")).length).toBe(4);
  });
});

describe("an invoice page", () => {
  it("shows lines with what is credited and disputed, what was applied (no internal memos), and refuses a draft", async () => {
    const { customer, cookie } = await signedIn();
    const invoice = await issuedInvoice({ customerId: customer.id, amounts: [10_000, 6_000, 4_000], issueDate: day(-5), dueDate: day(25) });
    const lines = await getDb().select().from(invoiceLines).where(eq(invoiceLines.invoiceId, invoice.id)).orderBy(invoiceLines.position);
    await recordPayment({ customerId: customer.id, amountMinor: 2_000, method: "check", reference: "CHK-77", memo: "Clerk note: customer rang twice", receivedOn: today(), idempotencyKey: "page-pay", allocations: [{ invoiceId: invoice.id, amountMinor: 2_000 }] }, system);
    const credit = await issueCreditNote({ customerId: customer.id, invoiceId: invoice.id, lines: [{ invoiceLineId: lines[2]!.id, amountMinor: 4_000 }], reason: "Returned", memo: "Internal: approved by Sam", applyToInvoice: true, idempotencyKey: "page-credit" }, system);
    await dispute(invoice.id, customer.id, 1_500);

    const result = await outcome(() => invoicePage.loader(args(get(`/portal/invoices/${invoice.id}`, cookie), { invoiceId: invoice.id })));
    expect(result.status).toBe(200);
    const data = result.data as Awaited<ReturnType<typeof invoicePage.loader>>;
    expect(data.lines.map((line) => [line.creditedMinor, line.disputedMinor, line.disputableMinor])).toEqual([
      [0, 1_500, 8_500],
      [0, 0, 6_000],
      [4_000, 0, 0],
    ]);
    expect(data.applied.map((row) => [row.label, row.reference, row.amountMinor])).toEqual([
      ["Payment by check", "CHK-77", 2_000],
      ["Credit note", credit.number, 4_000],
    ]);
    expect(data).toMatchObject({ disputedMinor: 1_500, payableMinor: 20_000 - 2_000 - 4_000 - 1_500, canAct: true });
    const text = JSON.stringify(data);
    expect(text).not.toContain("Clerk note");
    expect(text).not.toContain("approved by Sam");

    const draft = await createDraftInvoice({ customerId: customer.id, lines: [{ description: "Draft", quantityMilli: 1000, unitPriceMinor: 100, taxRateBps: 0 }] }, system);
    expect((await outcome(() => invoicePage.loader(args(get(`/portal/invoices/${draft.id}`, cookie), { invoiceId: draft.id })))).status).toBe(404);
  });

  it("offers no dispute on a paid invoice", async () => {
    const { customer, cookie } = await signedIn();
    const invoice = await issuedInvoice({ customerId: customer.id, amounts: [10_000] });
    await recordPayment({ customerId: customer.id, amountMinor: 10_000, method: "cash", receivedOn: today(), idempotencyKey: "paid-up", allocations: [{ invoiceId: invoice.id, amountMinor: 10_000 }] }, system);
    const data = (await outcome(() => invoicePage.loader(args(get(`/portal/invoices/${invoice.id}`, cookie), { invoiceId: invoice.id })))).data as Awaited<ReturnType<typeof invoicePage.loader>>;
    expect(data.lines.map((line) => line.disputableMinor)).toEqual([0]);
    expect(data.payableMinor).toBe(0);
  });
});

describe("the statement", () => {
  it("gives the same figures on the page, in the CSV and in the PDF, and names a bad date", async () => {
    const { customer, cookie } = await signedIn();
    const a = await issuedInvoice({ customerId: customer.id, amounts: [12_345], issueDate: "2026-03-02", dueDate: "2026-04-01" });
    await issuedInvoice({ customerId: customer.id, amounts: [6_789], issueDate: "2026-03-20", dueDate: "2026-04-19" });
    await recordPayment({ customerId: customer.id, amountMinor: 10_000, method: "wire", reference: "W-1", receivedOn: "2026-03-25", idempotencyKey: "st-pay", allocations: [{ invoiceId: a.id, amountMinor: 10_000 }] }, system);
    const search = "kind=activity&from=2026-03-01&to=2026-03-31";

    const page = await outcome(() => statementPage.loader(args(get(`/portal/statements?${search}`, cookie))));
    expect(page.status).toBe(200);
    const statement = (page.data as { statement: Statement; downloads: string }).statement;
    expect(statement).toMatchObject({ openingMinor: 0, closingMinor: 12_345 + 6_789 - 10_000 });
    expect((page.data as { downloads: string }).downloads).toBe(search);

    const csv = await ((await csvRoute(`/portal/statements.csv?${search}`, cookie)) as Response).text();
    const closing = csv.split("\n").find((row) => row.startsWith("closing,"));
    expect(closing).toContain(toDecimalString(statement.closingMinor, "USD"));
    for (const line of statement.lines) expect(csv).toContain(line.reference);

    const pdf = (await statementPdf.loader(args(get(`/portal/statements.pdf?${search}`, cookie)))) as Response;
    expect(pdf.headers.get("Content-Type")).toBe("application/pdf");
    const { getDocument } = await import("pdfjs-dist/legacy/build/pdf.mjs");
    const doc = await getDocument({ data: new Uint8Array(await pdf.arrayBuffer()), verbosity: 0 }).promise;
    const text = (await (await doc.getPage(1)).getTextContent()).items.map((item) => ("str" in item ? item.str : "")).join(" ");
    await doc.destroy();
    expect(text).toContain(formatMoney(statement.closingMinor, "USD"));
    expect(text).toContain(a.number!);

    const bad = await outcome(() => statementPage.loader(args(get("/portal/statements?kind=activity&from=2026-04-01&to=2026-03-01", cookie))));
    expect(bad).toMatchObject({ status: 400, data: { errors: { from: "From date must be on or before the To date" }, statement: null } });
    expect((await outcome(() => csvRoute("/portal/statements.csv?asOf=yesterday&kind=open_item", cookie))).status).toBe(400);
  });

  const csvRoute = (path: string, cookie: string) => statementCsv.loader(args(get(path, cookie)));
});

describe("payments and receipts", () => {
  it("list payments with what they applied, show a clearing bank debit as pending, and give a receipt of what was paid", async () => {
    const { customer, cookie } = await signedIn({ email: "ap@customer.example" });
    const a = await issuedInvoice({ customerId: customer.id, amounts: [30_000] });
    const b = await issuedInvoice({ customerId: customer.id, amounts: [20_000] });
    const payment = await recordPayment(
      { customerId: customer.id, amountMinor: 45_000, method: "check", reference: "CHK 1042", memo: "Left at front desk", receivedOn: today(), idempotencyKey: "receipt-pay", allocations: [{ invoiceId: a.id, amountMinor: 30_000 }, { invoiceId: b.id, amountMinor: 10_000 }] },
      system,
    );
    const clearing = await startAttempt({ customerId: customer.id, allocations: [{ invoiceId: b.id, amountMinor: 10_000 }], idempotencyKey: "pending-debit" });
    await demoProcessor.confirmPayment(clearing.processorIntentId!, "4000000000000077");
    await refreshAttempt(clearing, system);

    const list = await outcome(() => paymentList.loader(args(get("/portal/payments", cookie))));
    const listed = list.data as Awaited<ReturnType<typeof paymentList.loader>>;
    expect(listed.payments).toEqual([expect.objectContaining({ id: payment.id, method: "Check", reference: "CHK 1042", amountMinor: 45_000, appliedMinor: 40_000, creditMinor: 5_000 })]);
    expect(listed.pending).toEqual([expect.objectContaining({ id: clearing.id, status: "processing", amountMinor: 10_000, invoices: [b.number] })]);

    const receipt = await outcome(() => receiptPage.loader(args(get(`/portal/payments/${payment.id}`, cookie), { paymentId: payment.id })));
    expect(receipt.status).toBe(200);
    const data = receipt.data as Awaited<ReturnType<typeof receiptPage.loader>>;
    expect(data.payment).toMatchObject({ amountMinor: 45_000, method: "Check", reference: "CHK 1042", receivedOn: today(), reversed: false });
    expect(data.applied.map((row) => [row.invoiceNumber, row.amountMinor]).sort()).toEqual([
      [a.number, 30_000],
      [b.number, 10_000],
    ]);
    expect(data.creditMinor).toBe(5_000);
    expect(JSON.stringify(data)).not.toContain("front desk");
  });

  it("name the saved card on the receipt of a card payment", async () => {
    const { customer, cookie } = await signedIn();
    const invoice = await issuedInvoice({ customerId: customer.id, amounts: [30_000] });
    const first = await startAttempt({ customerId: customer.id, allocations: [{ invoiceId: invoice.id, amountMinor: 10_000 }], idempotencyKey: "card-1", saveMethod: true });
    await demoProcessor.confirmPayment(first.processorIntentId!, "4242424242424242");
    await deliverDemoEvents(toHandler);
    const [method] = await getDb().select().from(savedPaymentMethods);
    const again = await startAttempt({ customerId: customer.id, allocations: [{ invoiceId: invoice.id, amountMinor: 5_000 }], idempotencyKey: "card-2", savedMethodId: method!.id });
    const data = (await outcome(() => receiptPage.loader(args(get(`/portal/payments/${again.paymentId}`, cookie), { paymentId: again.paymentId! })))).data as Awaited<ReturnType<typeof receiptPage.loader>>;
    expect(data.payment).toMatchObject({ method: "Card", card: "Visa ending 4242", amountMinor: 5_000 });
  });
});

describe("saved payment methods", () => {
  async function withSavedCard() {
    const signed = await signedIn();
    const invoice = await issuedInvoice({ customerId: signed.customer.id, amounts: [30_000] });
    const attempt = await startAttempt({ customerId: signed.customer.id, allocations: [{ invoiceId: invoice.id, amountMinor: 10_000 }], idempotencyKey: `save-${signed.customer.id}`, saveMethod: true });
    await demoProcessor.confirmPayment(attempt.processorIntentId!, "4242424242424242");
    await deliverDemoEvents(toHandler);
    const [method] = await getDb().select().from(savedPaymentMethods).where(eq(savedPaymentMethods.customerId, signed.customer.id));
    return { ...signed, method: method! };
  }
  const remove = (cookie: string, methodId: string) => outcome(() => account.action(args(post("/portal/account", { intent: "remove-method", methodId }, cookie))));

  it("are listed on the account page and removed once: detached at the processor, marked, audited", async () => {
    const { cookie, method } = await withSavedCard();
    const page = await outcome(() => account.loader(args(get("/portal/account", cookie))));
    expect((page.data as Awaited<ReturnType<typeof account.loader>>).methods).toEqual([expect.objectContaining({ id: method.id, label: "Visa ending 4242", usedByPlan: false })]);

    const first = await remove(cookie, method.id);
    expect(first).toMatchObject({ status: 200, data: { notice: "Visa ending 4242 is removed. It will not be charged again." } });
    const second = await remove(cookie, method.id);
    expect(second.status).toBe(200);
    const [stored] = await getDb().select().from(savedPaymentMethods).where(eq(savedPaymentMethods.id, method.id));
    expect(stored!.detachedAt).not.toBeNull();
    const [demo] = await getDb().select().from(demoProcessorObjects).where(eq(demoProcessorObjects.id, method.processorMethodId));
    expect((demo!.data as { customer: string | null }).customer).toBeNull();
    expect(await getDb().select().from(auditLog).where(eq(auditLog.action, "payment_method.remove"))).toHaveLength(1);
    expect((await outcome(() => account.loader(args(get("/portal/account", cookie))))).data).toMatchObject({ methods: [] });
  });

  it("refuse another customer's method, a made-up or malformed id, a viewer, and a method a payment plan charges", async () => {
    const mine = await withSavedCard();
    const theirs = await withSavedCard();
    expect((await remove(mine.cookie, theirs.method.id)).status).toBe(404);
    expect((await remove(mine.cookie, "00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await remove(mine.cookie, "'; drop table x")).status).toBe(404);

    const viewer = await createContact({ customerId: mine.customer.id });
    await getDb().update(portalUsers).set({ role: "viewer" }).where(eq(portalUsers.id, viewer.id));
    expect((await remove(await cookieFor({ audience: "portal", portalUserId: viewer.id }), mine.method.id)).status).toBe(403);

    await getDb().insert(paymentPlans).values({ customerId: mine.customer.id, currency: "USD", status: "active", totalMinor: 20_000, instalmentCount: 2, frequency: "monthly", firstDate: day(7), autopay: true, paymentMethodId: mine.method.id });
    const planned = await remove(mine.cookie, mine.method.id);
    expect(planned).toMatchObject({ status: 409, data: { message: expect.stringContaining("Your payment plan pays with this method") } });

    const stillThere = await getDb().select().from(savedPaymentMethods);
    expect(stillThere.every((method) => method.detachedAt === null)).toBe(true);
    expect(await getDb().select().from(auditLog).where(eq(auditLog.action, "payment_method.remove"))).toHaveLength(0);
  });
});
