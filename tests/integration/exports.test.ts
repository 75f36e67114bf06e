import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { parse } from "csv-parse/sync";
import { and, asc, between, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { customers, invoices, journalEntries, journalLines, payments } from "~db/schema";
import { runCli } from "~/cli/cli";
import { journalCsv, paymentsCsv } from "~/exports/exports.server";
import { issueCreditNote } from "~/ledger/credit-notes.server";
import { createIssuedInvoice } from "~/ledger/invoices.server";
import { recordPayment, refund, reversePayment } from "~/ledger/payments.server";
import { parseAmount } from "~/money/money";
import * as exportsPage from "~/routes/staff.exports";
import * as journalRoute from "~/routes/staff.exports.journal[.]csv";
import * as paymentsRoute from "~/routes/staff.exports.payments[.]csv";
import { createCustomer, createStaff } from "./factories";
import { context, cookieFor, get, outcome } from "./route-helpers";

const system = { type: "system" as const, label: "test" };
const range = { from: "2026-02-01", to: "2026-02-28" };

async function text(chunks: AsyncGenerator<string>) {
  let all = "";
  for await (const chunk of chunks) all += chunk;
  return all;
}

const rowsOf = (csv: string) => parse(csv, { columns: true }) as Record<string, string>[];

/** Books with every kind of entry, some inside February and some either side of it. */
async function books() {
  const usd = await createCustomer({ accountNumber: "C-1", currency: "USD" });
  const jpy = await createCustomer({ accountNumber: "C-2", currency: "JPY" });
  const line = (unitPriceMinor: number, taxRateBps = 0) => ({ description: "Work", quantityMilli: 1000, unitPriceMinor, taxRateBps });
  const jan = await createIssuedInvoice({ customerId: usd.id, issueDate: "2026-01-15", lines: [line(50_000)] }, system);
  const feb = await createIssuedInvoice({ customerId: usd.id, issueDate: "2026-02-03", lines: [line(120_000, 825), line(9_999)] }, system);
  const yen = await createIssuedInvoice({ customerId: jpy.id, issueDate: "2026-02-10", lines: [line(98_765, 1000)] }, system);
  const paid = await recordPayment(
    { customerId: usd.id, amountMinor: 100_000, method: "wire", reference: "W-1", receivedOn: "2026-02-05", idempotencyKey: "p1", allocations: [{ invoiceId: jan.id, amountMinor: 50_000 }, { invoiceId: feb.id, amountMinor: 40_000 }] },
    system,
  );
  await refund({ source: { paymentId: paid.id }, amountMinor: 2_500, method: "wire", reason: "Overpaid", refundedOn: "2026-02-20", idempotencyKey: "r1" }, system);
  const bounced = await recordPayment({ customerId: jpy.id, amountMinor: 5_000, method: "check", reference: "CHK 7", receivedOn: "2026-02-11", idempotencyKey: "p2", allocations: "auto" }, system);
  await reversePayment({ paymentId: bounced.id, reason: "Returned check", reversedOn: "2026-02-12" }, system);
  await issueCreditNote({ customerId: usd.id, invoiceId: feb.id, lines: [{ description: "Goodwill", amountMinor: 1_000 }], reason: "Late delivery", issueDate: "2026-02-27", applyToInvoice: true, idempotencyKey: "c1" }, system);
  await recordPayment({ customerId: usd.id, amountMinor: 7_000, method: "card", receivedOn: "2026-03-01", idempotencyKey: "p3", allocations: "auto" }, system);
  return { usd, jpy, jan, feb, yen };
}

describe("journal export", () => {
  it("has every journal line of the range, each entry balanced, across batch boundaries", async () => {
    const { feb, yen } = await books();
    const csv = await text(journalCsv(range, getDb(), 2));
    expect(csv).toBe(await text(journalCsv(range)));
    const rows = rowsOf(csv);
    expect(Object.keys(rows[0]!)).toEqual(["entry_id", "date", "type", "customer_account", "invoice_number", "account", "debit", "credit", "currency", "description", "source_key"]);

    const minor = (value: string, currency: string) => {
      if (value === "") return 0;
      const parsed = parseAmount(value, currency);
      if (!parsed.ok || parsed.amountMinor <= 0 || value.includes(",")) throw new Error(`not a plain positive decimal: ${value}`);
      return parsed.amountMinor;
    };
    const perEntry = new Map<string, number>();
    for (const row of rows) {
      expect(row.debit === "" || row.credit === "").toBe(true);
      perEntry.set(row.entry_id!, (perEntry.get(row.entry_id!) ?? 0) + minor(row.debit!, row.currency!) - minor(row.credit!, row.currency!));
    }
    expect([...perEntry.values()].every((sum) => sum === 0)).toBe(true);

    const expected = await getDb()
      .select({ entryId: journalEntries.id, date: journalEntries.effectiveDate, account: journalLines.account, amountMinor: journalLines.amountMinor, sourceKey: journalEntries.sourceKey })
      .from(journalLines)
      .innerJoin(journalEntries, eq(journalEntries.id, journalLines.entryId))
      .where(between(journalEntries.effectiveDate, range.from, range.to))
      .orderBy(asc(journalEntries.effectiveDate), asc(journalEntries.id), asc(journalLines.id));
    expect(rows.map((r) => [Number(r.entry_id), r.date, r.account, minor(r.debit!, r.currency!) - minor(r.credit!, r.currency!), r.source_key])).toEqual(
      expected.map((e) => [e.entryId, e.date, e.account, e.amountMinor, e.sourceKey]),
    );
    expect(rows.every((r) => r.date! >= range.from && r.date! <= range.to)).toBe(true);
    expect(new Set(rows.map((r) => r.type))).toEqual(new Set(["invoice_issued", "payment_received", "allocation", "refund", "payment_reversed", "allocation_reversed", "credit_note_issued"]));

    // 1,200.00 + 8.25% (99.00) + 99.99 = 1,398.99 receivable on the invoice, in the invoice's own row.
    const issued = rows.filter((r) => r.source_key === `invoice:${feb.id}:issued`);
    expect(issued.map((r) => [r.account, r.debit, r.credit, r.invoice_number, r.customer_account])).toEqual([
      ["receivable", "1398.99", "", feb.number, "C-1"],
      ["revenue", "", "1299.99", feb.number, "C-1"],
      ["tax_payable", "", "99.00", feb.number, "C-1"],
    ]);
    // Yen has no minor digits.
    expect(rows.find((r) => r.source_key === `invoice:${yen.id}:issued` && r.account === "receivable")).toMatchObject({ debit: "108642", currency: "JPY" });
  });
});

describe("payments export", () => {
  it("lists the range's payments with applied, refunded and unapplied amounts as plain decimals", async () => {
    await books();
    const rows = rowsOf(await text(paymentsCsv(range, getDb(), 1)));
    const stored = await getDb()
      .select({ id: payments.id, receivedOn: payments.receivedOn, amountMinor: payments.amountMinor })
      .from(payments)
      .where(and(between(payments.receivedOn, range.from, range.to)))
      .orderBy(asc(payments.receivedOn), asc(payments.id));
    expect(rows.map((r) => r.payment_id)).toEqual(stored.map((p) => p.id));
    expect(rows.map(({ payment_id: _id, ...r }) => r)).toEqual([
      { date: "2026-02-05", customer_account: "C-1", customer_name: expect.any(String), method: "wire", reference: "W-1", amount: "1000.00", applied: "900.00", refunded: "25.00", unapplied: "75.00", currency: "USD", status: "received" },
      { date: "2026-02-11", customer_account: "C-2", customer_name: expect.any(String), method: "check", reference: "CHK 7", amount: "5000", applied: "0", refunded: "0", unapplied: "0", currency: "JPY", status: "reversed" },
    ]);
  });
});

describe("export routes", () => {
  it("stream the CSV to staff, viewers included, and answer a bad range with 400", async () => {
    await books();
    const viewer = await cookieFor({ audience: "staff", staffUserId: (await createStaff({ role: "viewer" })).id });
    const response = (await journalRoute.loader({ request: get("/staff/exports/journal.csv?from=2026-02-01&to=2026-02-28", viewer), params: {}, context })) as Response;
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toBe('attachment; filename="settle-journal-2026-02-01-to-2026-02-28.csv"');
    expect(await response.text()).toBe(await text(journalCsv(range)));
    const payments = (await paymentsRoute.loader({ request: get("/staff/exports/payments.csv?from=2026-02-01&to=2026-02-28", viewer), params: {}, context })) as Response;
    expect(await payments.text()).toBe(await text(paymentsCsv(range)));

    const bad = await outcome(() => journalRoute.loader({ request: get("/staff/exports/journal.csv?from=2026-03-01&to=2026-02-01", viewer), params: {}, context }));
    expect(bad.status).toBe(400);
    expect(await outcome(() => journalRoute.loader({ request: get("/staff/exports/journal.csv?from=2026-02-01&to=2026-02-28"), params: {}, context }))).toMatchObject({ status: 302 });

    expect(await outcome(() => exportsPage.loader({ request: get("/staff/exports?download=payments&from=2026-02-01&to=2026-02-28", viewer), params: {}, context }))).toMatchObject({
      status: 302,
      location: "/staff/exports/payments.csv?from=2026-02-01&to=2026-02-28",
    });
    expect(await outcome(() => exportsPage.loader({ request: get("/staff/exports?download=journal&from=2026-02-30&to=2026-02-01", viewer), params: {}, context }))).toMatchObject({
      status: 200,
      data: { failed: { kind: "journal", errors: { from: "From must be a date like 2026-01-31" } } },
    });
  });

  it("writes the same CSV from the command line, to a file or to standard output", async () => {
    await books();
    const out = join(await mkdtemp(join(tmpdir(), "settle-export-")), "journal.csv");
    const stderr = new PassThrough();
    expect(await runCli(["export", "journal", "--from", range.from, "--to", range.to, "--out", out], { stdout: new PassThrough(), stderr })).toBe(0);
    expect(await readFile(out, "utf8")).toBe(await text(journalCsv(range)));
    const stdout = new PassThrough();
    let written = "";
    stdout.on("data", (chunk) => (written += chunk));
    expect(await runCli(["export", "payments", "--from", range.from, "--to", range.to], { stdout, stderr })).toBe(0);
    expect(written).toBe(await text(paymentsCsv(range)));
    expect(await getDb().select().from(customers)).toHaveLength(2);
    expect((await getDb().select().from(invoices)).length).toBe(3);
  });
});
