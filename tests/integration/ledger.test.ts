import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb, rowsOf } from "~db/client";
import { allocations, creditNotes, emailOutbox, invoices, journalEntries, payments } from "~db/schema";
import { issueCreditNote, applyCreditNote, voidCreditNote } from "~/ledger/credit-notes.server";
import { createDraftInvoice, createIssuedInvoice, issueInvoice, voidInvoice } from "~/ledger/invoices.server";
import { allocatePayment, recordPayment, refund, reversePayment, unapplyAllocation } from "~/ledger/payments.server";
import { activityStatement, customerSummary, openItemStatement } from "~/ledger/statements.server";
import { decideWriteOff, requestWriteOff } from "~/ledger/write-offs.server";
import { DomainError } from "~/utils/errors";
import { createCustomer, createStaff, issuedInvoice, staffActor } from "./factories";
import { ledgerFingerprint, ledgerViolations } from "./ledger-invariants";

const system = { type: "system" as const, label: "test" };

async function expectRefusedUnchanged(run: () => Promise<unknown>, message: RegExp) {
  const before = await ledgerFingerprint();
  await expect(run()).rejects.toThrow(message);
  expect(await ledgerFingerprint()).toBe(before);
}

describe("invoices", () => {
  it("computes totals on the server, numbers issued invoices without gaps, posts the receivable and emails the customer", async () => {
    const customer = await createCustomer({ email: "ap@customer.example", paymentTermsDays: 30 });
    const draft = await createDraftInvoice(
      {
        customerId: customer.id,
        lines: [
          { description: "Widgets", quantityMilli: 2500, unitPriceMinor: 1999, taxRateBps: 825 },
          { description: "Setup", quantityMilli: 1000, unitPriceMinor: 10000, taxRateBps: 0 },
        ],
      },
      system,
    );
    // 2.5 x 19.99 = 49.975 -> 49.98; tax 8.25% of 49.98 = 4.123 -> 4.12
    expect(draft).toMatchObject({ status: "draft", number: null, subtotalMinor: 14998, taxMinor: 412, totalMinor: 15410 });
    const issued = await issueInvoice({ invoiceId: draft.id, issueDate: "2026-01-10" }, system);
    expect(issued).toMatchObject({ status: "open", number: "INV-000001", issueDate: "2026-01-10", dueDate: "2026-02-09", openMinor: 15410 });
    const second = await issuedInvoice({ customerId: customer.id, amounts: [500] });
    expect(second.number).toBe("INV-000002");
    // Issuing again changes nothing.
    expect((await issueInvoice({ invoiceId: draft.id }, system)).number).toBe("INV-000001");
    const emails = await getDb().select().from(emailOutbox).where(eq(emailOutbox.template, "invoice-issued"));
    expect(emails.map((e) => e.subject).sort()).toEqual([expect.stringContaining("INV-000001"), expect.stringContaining("INV-000002")].sort());
    expect(await customerSummary(customer.id, "2026-01-10")).toMatchObject({ balanceMinor: 15910, openMinor: 15910, unappliedMinor: 0 });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("gives a rolled-back issue's number to the next invoice", async () => {
    const customer = await createCustomer();
    const first = await createDraftInvoice({ customerId: customer.id, lines: [{ description: "A", quantityMilli: 1000, unitPriceMinor: 100, taxRateBps: 0 }] }, system);
    await expect(
      getDb().transaction(async (tx) => {
        await issueInvoice({ invoiceId: first.id }, system, tx);
        throw new Error("crash after issue");
      }),
    ).rejects.toThrow("crash after issue");
    const next = await issuedInvoice({ customerId: customer.id, amounts: [100] });
    expect(next.number).toBe("INV-000001");
  });

  it("voids only an invoice with nothing applied, and reverses its journal entry", async () => {
    const customer = await createCustomer();
    const invoice = await issuedInvoice({ customerId: customer.id, amounts: [10000] });
    await recordPayment({ customerId: customer.id, amountMinor: 100, method: "check", receivedOn: "2026-01-01", idempotencyKey: "p1", allocations: [{ invoiceId: invoice.id, amountMinor: 100 }] }, system);
    await expectRefusedUnchanged(() => voidInvoice({ invoiceId: invoice.id, reason: "wrong" }, system), /applied/);
    const other = await issuedInvoice({ customerId: customer.id, amounts: [2500] });
    const voided = await voidInvoice({ invoiceId: other.id, reason: "Duplicate" }, system);
    expect(voided.status).toBe("void");
    expect(await customerSummary(customer.id)).toMatchObject({ openMinor: 9900, balanceMinor: 9900 });
    await expectRefusedUnchanged(
      () => recordPayment({ customerId: customer.id, amountMinor: 100, method: "check", receivedOn: "2026-01-01", idempotencyKey: "p2", allocations: [{ invoiceId: other.id, amountMinor: 100 }] }, system),
      /not open/,
    );
    expect(await ledgerViolations()).toEqual([]);
  });

  it("refuses in the database what code must never do: changing an issued invoice, editing the journal, over-applying", async () => {
    const customer = await createCustomer();
    const invoice = await issuedInvoice({ customerId: customer.id, amounts: [1000] });
    const db = getDb();
    await expect(db.update(invoices).set({ subtotalMinor: 1, totalMinor: 1 }).where(eq(invoices.id, invoice.id))).rejects.toThrow();
    await expect(db.execute(sql`update journal_lines set amount_minor = amount_minor + 1`)).rejects.toThrow();
    await expect(db.execute(sql`delete from journal_entries`)).rejects.toThrow();
    const payment = await recordPayment({ customerId: customer.id, amountMinor: 5000, method: "wire", receivedOn: "2026-01-01", idempotencyKey: "big" }, system);
    const insert = (amountMinor: number, key: string) =>
      db.insert(allocations).values({ customerId: customer.id, currency: "USD", invoiceId: invoice.id, kind: "payment", paymentId: payment.id, amountMinor, appliedOn: "2026-01-01", sourceKey: key });
    await expect(insert(1001, "over-invoice")).rejects.toThrow();
    const otherCustomer = await createCustomer();
    const foreign = await issuedInvoice({ customerId: otherCustomer.id, amounts: [1000] });
    await expect(
      db.insert(allocations).values({ customerId: customer.id, currency: "USD", invoiceId: foreign.id, kind: "payment", paymentId: payment.id, amountMinor: 10, appliedOn: "2026-01-01", sourceKey: "foreign" }),
    ).rejects.toThrow();
    const eur = await createCustomer({ currency: "EUR" });
    const eurInvoice = await issuedInvoice({ customerId: eur.id, amounts: [1000] });
    await expect(
      db.insert(allocations).values({ customerId: eur.id, currency: "EUR", invoiceId: eurInvoice.id, kind: "payment", paymentId: payment.id, amountMinor: 10, appliedOn: "2026-01-01", sourceKey: "currency" }),
    ).rejects.toThrow();
    expect(await ledgerViolations()).toEqual([]);
  });
});

describe("payments", () => {
  it("records a check that pays two invoices and leaves the rest as credit; a replay records nothing", async () => {
    const customer = await createCustomer();
    const a = await issuedInvoice({ customerId: customer.id, amounts: [30000], issueDate: "2026-01-01" });
    const b = await issuedInvoice({ customerId: customer.id, amounts: [20000], issueDate: "2026-01-05" });
    const input = {
      customerId: customer.id,
      amountMinor: 60000,
      method: "check" as const,
      reference: "1042",
      receivedOn: "2026-01-20",
      idempotencyKey: "form-123",
      allocations: [
        { invoiceId: a.id, amountMinor: 30000 },
        { invoiceId: b.id, amountMinor: 20000 },
      ],
    };
    const payment = await recordPayment(input, system);
    expect(payment).toMatchObject({ amountMinor: 60000, allocatedMinor: 50000 });
    const again = await recordPayment(input, system);
    expect(again.id).toBe(payment.id);
    expect(await getDb().select().from(payments)).toHaveLength(1);
    const statuses = await getDb().select({ number: invoices.number, status: invoices.status }).from(invoices);
    expect(statuses.every((s) => s.status === "paid")).toBe(true);
    expect(await customerSummary(customer.id)).toMatchObject({ balanceMinor: -10000, openMinor: 0, unappliedMinor: 10000 });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("applies automatically oldest due first, partly paying the last one", async () => {
    const customer = await createCustomer();
    const late = await issuedInvoice({ customerId: customer.id, amounts: [1000], issueDate: "2026-01-01", dueDate: "2026-01-31" });
    const early = await issuedInvoice({ customerId: customer.id, amounts: [1000], issueDate: "2026-01-02", dueDate: "2026-01-15" });
    await recordPayment({ customerId: customer.id, amountMinor: 1500, method: "ach", receivedOn: "2026-02-01", idempotencyKey: "auto", allocations: "auto" }, system);
    const [earlyNow] = await getDb().select().from(invoices).where(eq(invoices.id, early.id));
    const [lateNow] = await getDb().select().from(invoices).where(eq(invoices.id, late.id));
    expect(earlyNow).toMatchObject({ status: "paid", openMinor: 0 });
    expect(lateNow).toMatchObject({ status: "open", openMinor: 500 });
  });

  it("refuses to apply more than is open or available, names the problem, and changes nothing", async () => {
    const customer = await createCustomer();
    const invoice = await issuedInvoice({ customerId: customer.id, amounts: [1000] });
    const payment = await recordPayment({ customerId: customer.id, amountMinor: 5000, method: "wire", receivedOn: "2026-01-01", idempotencyKey: "w" }, system);
    await expectRefusedUnchanged(() => allocatePayment({ paymentId: payment.id, allocations: [{ invoiceId: invoice.id, amountMinor: 1001 }], requestKey: "r1" }, system), /only \$10\.00 open/);
    const small = await recordPayment({ customerId: customer.id, amountMinor: 100, method: "cash", receivedOn: "2026-01-01", idempotencyKey: "s" }, system);
    await expectRefusedUnchanged(() => allocatePayment({ paymentId: small.id, allocations: [{ invoiceId: invoice.id, amountMinor: 500 }], requestKey: "r2" }, system), /only \$1\.00 is available/);
    await expectRefusedUnchanged(
      () => recordPayment({ customerId: customer.id, currency: "EUR", amountMinor: 100, method: "cash", receivedOn: "2026-01-01", idempotencyKey: "eur" }, system),
      /billed in USD/,
    );
  });

  it("takes an early-payment discount when a payment inside the window leaves no more than it open", async () => {
    const customer = await createCustomer({ paymentTermsDays: 30, earlyDiscountBps: 200, earlyDiscountDays: 10 });
    const invoice = await issuedInvoice({ customerId: customer.id, amounts: [100000], issueDate: "2026-03-01" });
    expect(invoice.discountDueDate).toBe("2026-03-11");
    await recordPayment({ customerId: customer.id, amountMinor: 98000, method: "wire", receivedOn: "2026-03-09", idempotencyKey: "early", allocations: "auto" }, system);
    const [settled] = await getDb().select().from(invoices).where(eq(invoices.id, invoice.id));
    expect(settled).toMatchObject({ status: "paid", paidMinor: 98000, discountedMinor: 2000, openMinor: 0 });
    const [discount] = await getDb().select().from(creditNotes).where(eq(creditNotes.kind, "discount"));
    expect(discount).toMatchObject({ totalMinor: 2000, number: "DSC-000001" });
    // Late: no discount, the short payment leaves the rest open.
    const later = await issuedInvoice({ customerId: customer.id, amounts: [100000], issueDate: "2026-03-01" });
    await recordPayment({ customerId: customer.id, amountMinor: 98000, method: "wire", receivedOn: "2026-03-20", idempotencyKey: "late", allocations: [{ invoiceId: later.id, amountMinor: 98000 }] }, system);
    const [partial] = await getDb().select().from(invoices).where(eq(invoices.id, later.id));
    expect(partial).toMatchObject({ status: "open", openMinor: 2000, discountedMinor: 0 });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("reverses a bounced payment: its invoices reopen and the discount it earned goes", async () => {
    const customer = await createCustomer({ earlyDiscountBps: 200, earlyDiscountDays: 10 });
    const invoice = await issuedInvoice({ customerId: customer.id, amounts: [100000], issueDate: "2026-03-01" });
    const payment = await recordPayment({ customerId: customer.id, amountMinor: 98000, method: "check", receivedOn: "2026-03-05", idempotencyKey: "bounce", allocations: "auto" }, system);
    await reversePayment({ paymentId: payment.id, reason: "Returned: insufficient funds", reversedOn: "2026-03-12" }, system);
    const [reopened] = await getDb().select().from(invoices).where(eq(invoices.id, invoice.id));
    expect(reopened).toMatchObject({ status: "open", openMinor: 100000 });
    expect(await customerSummary(customer.id)).toMatchObject({ balanceMinor: 100000, unappliedMinor: 0 });
    expect((await reversePayment({ paymentId: payment.id, reason: "again" }, system)).status).toBe("reversed");
    expect(await ledgerViolations()).toEqual([]);
  });

  it("refunds only what is unapplied, and unapplying makes more refundable", async () => {
    const customer = await createCustomer();
    const invoice = await issuedInvoice({ customerId: customer.id, amounts: [4000] });
    const payment = await recordPayment({ customerId: customer.id, amountMinor: 5000, method: "wire", receivedOn: "2026-01-01", idempotencyKey: "r", allocations: "auto" }, system);
    await expectRefusedUnchanged(() => refund({ source: { paymentId: payment.id }, amountMinor: 2000, method: "wire", reason: "Overpaid", idempotencyKey: "ref1" }, system), /Only \$10\.00 is unapplied/);
    await refund({ source: { paymentId: payment.id }, amountMinor: 1000, method: "wire", reason: "Overpaid", idempotencyKey: "ref1" }, system);
    await refund({ source: { paymentId: payment.id }, amountMinor: 1000, method: "wire", reason: "Overpaid", idempotencyKey: "ref1" }, system);
    const [applied] = await getDb().select().from(allocations).where(eq(allocations.paymentId, payment.id));
    await unapplyAllocation({ allocationId: applied!.id, reason: "Wrong invoice" }, system);
    const [open] = await getDb().select().from(invoices).where(eq(invoices.id, invoice.id));
    expect(open!.openMinor).toBe(4000);
    expect(await customerSummary(customer.id)).toMatchObject({ balanceMinor: 0, unappliedMinor: 4000 });
    expect(await ledgerViolations()).toEqual([]);
  });
});

describe("credit notes and write-offs", () => {
  it("credits a whole invoice, some of its lines, or the account, and never a line beyond its total", async () => {
    const customer = await createCustomer();
    const invoice = await createIssuedInvoice(
      {
        customerId: customer.id,
        lines: [
          { description: "Boxes", quantityMilli: 10_000, unitPriceMinor: 1000, taxRateBps: 1000 },
          { description: "Freight", quantityMilli: 1000, unitPriceMinor: 5000, taxRateBps: 0 },
        ],
      },
      system,
    );
    const lines = (await import("~/ledger/invoices.server")).getInvoiceDetail;
    const detail = await lines(invoice.id);
    const boxes = detail!.lines[0]!;
    const partial = await issueCreditNote({ customerId: customer.id, invoiceId: invoice.id, lines: [{ invoiceLineId: boxes.id, amountMinor: 5500 }], reason: "5 damaged", idempotencyKey: "cn1" }, system);
    expect(partial).toMatchObject({ number: "CN-000001", subtotalMinor: 5000, taxMinor: 500, totalMinor: 5500, allocatedMinor: 5500 });
    await expectRefusedUnchanged(
      () => issueCreditNote({ customerId: customer.id, invoiceId: invoice.id, lines: [{ invoiceLineId: boxes.id, amountMinor: 5501 }], reason: "more", idempotencyKey: "cn2" }, system),
      /only \$55\.00 of "Boxes" is left/,
    );
    const rest = await issueCreditNote({ customerId: customer.id, invoiceId: invoice.id, wholeInvoice: true, reason: "Order cancelled", idempotencyKey: "cn3" }, system);
    expect(rest.totalMinor).toBe(5500 + 5000);
    const [credited] = await getDb().select().from(invoices).where(eq(invoices.id, invoice.id));
    expect(credited).toMatchObject({ status: "paid", creditedMinor: 16000, openMinor: 0 });
    const free = await issueCreditNote({ customerId: customer.id, lines: [{ description: "Goodwill", amountMinor: 2500 }], reason: "Late delivery", idempotencyKey: "cn4" }, system);
    expect(free).toMatchObject({ invoiceId: null, allocatedMinor: 0 });
    const next = await issuedInvoice({ customerId: customer.id, amounts: [1000] });
    await applyCreditNote({ creditNoteId: free.id, allocations: "auto", requestKey: "apply-1" }, system);
    await applyCreditNote({ creditNoteId: free.id, allocations: "auto", requestKey: "apply-1" }, system);
    const [paidByCredit] = await getDb().select().from(invoices).where(eq(invoices.id, next.id));
    expect(paidByCredit!.status).toBe("paid");
    expect(await customerSummary(customer.id)).toMatchObject({ balanceMinor: -1500, unappliedMinor: 1500 });
    await voidCreditNote({ creditNoteId: free.id, reason: "Issued by mistake" }, system);
    expect(await customerSummary(customer.id)).toMatchObject({ balanceMinor: 1000, openMinor: 1000, unappliedMinor: 0 });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("writes off at once under the threshold; above it waits for an admin", async () => {
    const clerk = await createStaff({ role: "clerk" });
    const admin = await createStaff({ role: "admin" });
    const customer = await createCustomer();
    const small = await issuedInvoice({ customerId: customer.id, amounts: [30000] });
    const big = await issuedInvoice({ customerId: customer.id, amounts: [90000] });
    const asClerk = { ...staffActor(clerk), role: clerk.role };
    expect(await requestWriteOff({ invoiceId: small.id, reason: "Uncollectable" }, asClerk)).toMatchObject({ outcome: "written_off" });
    const pending = await requestWriteOff({ invoiceId: big.id, reason: "Customer insolvent" }, asClerk);
    expect(pending.outcome).toBe("pending_approval");
    const [stillOpen] = await getDb().select().from(invoices).where(eq(invoices.id, big.id));
    expect(stillOpen!.status).toBe("open");
    await expect(decideWriteOff({ requestId: (pending as { requestId: string }).requestId, approve: true }, asClerk)).rejects.toBeInstanceOf(DomainError);
    await decideWriteOff({ requestId: (pending as { requestId: string }).requestId, approve: true, note: "OK" }, { ...staffActor(admin), role: admin.role });
    const rows = await getDb().select({ id: invoices.id, status: invoices.status }).from(invoices);
    expect(rows.map((r) => r.status).sort()).toEqual(["written_off", "written_off"]);
    expect(await customerSummary(customer.id)).toMatchObject({ balanceMinor: 0 });
    expect(await ledgerViolations()).toEqual([]);
  });
});

describe("statements", () => {
  it("opens each period where the last one closed, with a running balance and aging", async () => {
    const customer = await createCustomer();
    const a = await issuedInvoice({ customerId: customer.id, amounts: [10000], issueDate: "2026-01-05", dueDate: "2026-02-04" });
    await issuedInvoice({ customerId: customer.id, amounts: [5000], issueDate: "2026-02-10", dueDate: "2026-03-12" });
    await recordPayment({ customerId: customer.id, amountMinor: 4000, method: "check", receivedOn: "2026-02-15", idempotencyKey: "s1", allocations: [{ invoiceId: a.id, amountMinor: 4000 }] }, system);
    const jan = await activityStatement({ customerId: customer.id, from: "2026-01-01", to: "2026-01-31" });
    const feb = await activityStatement({ customerId: customer.id, from: "2026-02-01", to: "2026-02-28" });
    expect(jan).toMatchObject({ openingMinor: 0, closingMinor: 10000 });
    expect(feb!.openingMinor).toBe(jan!.closingMinor);
    expect(feb!.lines.map((l) => [l.type, l.chargeMinor, l.creditMinor, l.balanceMinor])).toEqual([
      ["Invoice", 5000, 0, 15000],
      ["Payment", 0, 4000, 11000],
    ]);
    expect(feb!.closingMinor).toBe(11000);
    // Aged on 28 Feb: invoice a is 24 days past due (6,000 open), the other is current.
    expect(feb!.aging.map((b) => b.amountMinor)).toEqual([5000, 6000, 0, 0, 0]);
    const asOfJan = await openItemStatement({ customerId: customer.id, asOf: "2026-01-31" });
    expect(asOfJan!.openItems.map((i) => [i.reference, i.openMinor])).toEqual([[a.number, 10000]]);
  });
});

describe("journal", () => {
  it("posts each source once even when asked twice at the same time", async () => {
    const customer = await createCustomer();
    const draft = await createDraftInvoice({ customerId: customer.id, lines: [{ description: "A", quantityMilli: 1000, unitPriceMinor: 700, taxRateBps: 0 }] }, system);
    await Promise.allSettled([issueInvoice({ invoiceId: draft.id }, system), issueInvoice({ invoiceId: draft.id }, system)]);
    const entries = await getDb().select().from(journalEntries).where(eq(journalEntries.invoiceId, draft.id));
    expect(entries).toHaveLength(1);
    const [{ n }] = rowsOf<{ n: number }>(await getDb().execute(sql`select count(*)::int as n from invoices where number is not null`)) as [{ n: number }];
    expect(n).toBe(1);
  });
});
