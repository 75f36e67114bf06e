import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb, rowsOf } from "~db/client";
import { recordPromise, settlePromise } from "~/collections/promises.server";
import { openDispute, rejectDispute } from "~/disputes/disputes.server";
import { issueCreditNote } from "~/ledger/credit-notes.server";
import { recordPayment } from "~/ledger/payments.server";
import { defaultAgingQuery, type AgingQuery } from "~/reports/aging-params";
import { agingCsv, agingReport, agingReportAllRows } from "~/reports/aging.server";
import { dashboardSummary } from "~/reports/dashboard.server";
import { foldLedgerDaily } from "~/reports/ledger-daily.server";
import { receivablesMetrics } from "~/reports/metrics.server";
import { addDays, today } from "~/utils/dates";
import { createContact, createCustomer, createStaff, issuedInvoice, staffActor } from "./factories";
import { ledgerViolations } from "./ledger-invariants";

const system = { type: "system" as const, label: "test" };

/**
 * A small book, by hand (amounts in cents):
 *   A (Enterprise)      A1 1,000.00 issued 01-05 due 02-04; paid 400.00 on 03-20 and 600.00 on 04-15
 *                       A2   500.00 issued 02-10 due 03-12; still open
 *   B (Small business)  B1 2,000.00 issued 01-20 due 02-19; paid in full on 04-10
 *                       B2   300.00 issued 03-01 due 03-31; written off on 04-20
 *                       B3   200.00 issued 04-01 due 05-01; still open
 *   C (EUR)             C1   800.00 issued 02-01 due 03-03; still open
 * All in 2026.
 */
async function handBook() {
  const a = await createCustomer({ name: "Alder Works", segment: "Enterprise" });
  const b = await createCustomer({ name: "Birch Supply", segment: "Small business" });
  const c = await createCustomer({ name: "Cedar GmbH", currency: "EUR", segment: "Enterprise" });
  const invoice = (customerId: string, amount: number, issueDate: string, dueDate: string) => issuedInvoice({ customerId, amounts: [amount], issueDate, dueDate });
  const a1 = await invoice(a.id, 100_000, "2026-01-05", "2026-02-04");
  const a2 = await invoice(a.id, 50_000, "2026-02-10", "2026-03-12");
  const b1 = await invoice(b.id, 200_000, "2026-01-20", "2026-02-19");
  const b2 = await invoice(b.id, 30_000, "2026-03-01", "2026-03-31");
  const b3 = await invoice(b.id, 20_000, "2026-04-01", "2026-05-01");
  const c1 = await invoice(c.id, 80_000, "2026-02-01", "2026-03-03");
  const pay = (customerId: string, invoiceId: string, amountMinor: number, receivedOn: string) =>
    recordPayment({ customerId, amountMinor, method: "wire", receivedOn, idempotencyKey: `${invoiceId}:${receivedOn}`, allocations: [{ invoiceId, amountMinor }] }, system);
  await pay(a.id, a1.id, 40_000, "2026-03-20");
  await pay(b.id, b1.id, 200_000, "2026-04-10");
  await pay(a.id, a1.id, 60_000, "2026-04-15");
  await issueCreditNote({ customerId: b.id, invoiceId: b2.id, wholeInvoice: true, kind: "write_off", reason: "Gone out of business", issueDate: "2026-04-20", applyToInvoice: true, idempotencyKey: "write-off-b2" }, system);
  return { a, b, c, a1, a2, b1, b2, b3, c1 };
}

const march31: AgingQuery = { ...defaultAgingQuery(today()), asOf: "2026-03-31" };

/** The plainest aging there is: every receivable line up to the day, summed per invoice. */
async function agingFromJournal(asOf: string, currency: string) {
  const rows = rowsOf<{ due_date: string; open: string }>(
    await getDb().execute(sql`
      select i.due_date::text, sum(l.amount_minor) as open from journal_lines l join invoices i on i.id = l.invoice_id
       where l.account = 'receivable' and l.effective_date <= ${asOf}::date and i.currency = ${currency}
       group by i.id, i.due_date having sum(l.amount_minor) <> 0`),
  );
  const buckets = [0, 0, 0, 0, 0];
  for (const row of rows) {
    const days = Math.round((Date.parse(asOf) - Date.parse(row.due_date)) / 86_400_000);
    const i = days <= 0 ? 0 : days <= 30 ? 1 : days <= 60 ? 2 : days <= 90 ? 3 : 4;
    buckets[i]! += Number(row.open);
  }
  return buckets;
}

describe("aging report", () => {
  it("rebuilds a past date's aging from the journal after later payments and a write-off, by customer, segment and currency", async () => {
    const { a, b } = await handBook();
    const report = await agingReport(march31);
    expect(report.columns.map((c) => c.label)).toEqual(["Current", "1–30 days", "31–60 days", "61–90 days", "Over 90 days"]);
    // As of 03-31: A1 600.00 is 55 days late, A2 19, B1 40 (paid only in April), B2 due that day; C1 (EUR) 28.
    expect(report.totals).toEqual([
      { currency: "EUR", bucketsMinor: [0, 80_000, 0, 0, 0], totalMinor: 80_000, overdueMinor: 80_000, disputedMinor: 0, plannedMinor: 0 },
      { currency: "USD", bucketsMinor: [30_000, 50_000, 260_000, 0, 0], totalMinor: 340_000, overdueMinor: 310_000, disputedMinor: 0, plannedMinor: 0 },
    ]);
    expect(report.rows.map((r) => [r.label, r.currency, r.bucketsMinor, r.totalMinor, r.href])).toEqual([
      ["Birch Supply", "USD", [30_000, 0, 200_000, 0, 0], 230_000, `/staff/customers/${b.id}`],
      ["Alder Works", "USD", [0, 50_000, 60_000, 0, 0], 110_000, `/staff/customers/${a.id}`],
      ["Cedar GmbH", "EUR", [0, 80_000, 0, 0, 0], 80_000, expect.any(String)],
    ]);
    expect(report.rowCount).toBe(3);

    // The page by total starts from the kept balances; by overdue it sums every invoice: the same rows.
    const summed = await agingReport({ ...march31, sort: "overdue" });
    expect([...summed.rows].sort((x, y) => x.label.localeCompare(y.label))).toEqual([...report.rows].sort((x, y) => x.label.localeCompare(y.label)));
    expect((await agingReport({ ...march31, sort: "name" })).rows.map((r) => r.label)).toEqual(["Alder Works", "Birch Supply", "Cedar GmbH"]);
    expect((await agingReport({ ...march31, currency: "EUR" })).rows.map((r) => r.label)).toEqual(["Cedar GmbH"]);
    const bySegment = await agingReport({ ...march31, groupBy: "segment", currency: "USD" });
    expect(bySegment.rows.map((r) => [r.label, r.totalMinor])).toEqual([
      ["Small business", 230_000],
      ["Enterprise", 110_000],
    ]);
    const byCurrency = await agingReport({ ...march31, groupBy: "currency" });
    expect(byCurrency.rows.map((r) => [r.label, r.totalMinor])).toEqual([
      ["USD", 340_000],
      ["EUR", 80_000],
    ]);
    const byName = await agingReport({ ...march31, sort: "name", search: "a" });
    expect(byName.rows.map((r) => r.label)).toEqual(["Alder Works", "Cedar GmbH"]);
  });

  it("ages by invoice date and by buckets the user chooses", async () => {
    await handBook();
    // Days since issue on 03-31: A1 85, A2 49, B1 70, B2 30.
    const byInvoiceDate = await agingReport({ ...march31, basis: "invoice", currency: "USD" });
    expect(byInvoiceDate.columns.map((c) => c.label)).toEqual(["0–30 days", "31–60 days", "61–90 days", "Over 90 days"]);
    expect(byInvoiceDate.totals[0]!.bucketsMinor).toEqual([30_000, 50_000, 260_000, 0]);
    // Days past due on 03-31: A1 55, A2 19, B1 40, B2 0.
    const custom = await agingReport({ ...march31, edges: [15, 45], currency: "USD" });
    expect(custom.columns.map((c) => c.label)).toEqual(["Current", "1–15 days", "16–45 days", "Over 45 days"]);
    expect(custom.totals[0]!.bucketsMinor).toEqual([30_000, 0, 250_000, 60_000]);
  });

  it("matches the journal summed by hand on every day of the book, and shows open disputes apart", async () => {
    const { a, a2 } = await handBook();
    for (const asOf of ["2026-01-04", "2026-01-05", "2026-02-19", "2026-02-20", "2026-03-20", "2026-03-31", "2026-04-10", "2026-04-20", "2026-06-30", today()]) {
      for (const currency of ["USD", "EUR"]) {
        const report = await agingReport({ ...defaultAgingQuery(today()), asOf, currency });
        const expected = await agingFromJournal(asOf, currency);
        expect([asOf, currency, report.totals[0]?.bucketsMinor ?? [0, 0, 0, 0, 0]]).toEqual([asOf, currency, expected]);
      }
      // Each customer's figures, picked from the kept balances (by total) and summed from every invoice (by overdue).
      const byLabel = (rows: { label: string }[]) => [...rows].sort((x, y) => x.label.localeCompare(y.label));
      const picked = await agingReport({ ...defaultAgingQuery(today()), asOf });
      const summed = await agingReport({ ...defaultAgingQuery(today()), asOf, sort: "overdue" });
      expect([asOf, byLabel(picked.rows), picked.rowCount]).toEqual([asOf, byLabel(summed.rows), summed.rowCount]);
    }
    // Today: A2 500.00 and B3 200.00 are long overdue; A1, B1 paid and B2 written off.
    const now = await agingReport({ ...defaultAgingQuery(today()), currency: "USD" });
    expect(now.totals[0]).toMatchObject({ bucketsMinor: [0, 0, 0, 0, 70_000], totalMinor: 70_000 });
    // Today's page comes from the kept balances; sorted by overdue it is summed from the invoices: the same rows.
    const fromBalances = await agingReport(defaultAgingQuery(today()));
    const summed = await agingReport({ ...defaultAgingQuery(today()), sort: "overdue" });
    expect(fromBalances.rows.map((r) => r.label)).toEqual(["Cedar GmbH", "Alder Works", "Birch Supply"]);
    expect([...summed.rows].sort((x, y) => x.label.localeCompare(y.label))).toEqual([...fromBalances.rows].sort((x, y) => x.label.localeCompare(y.label)));
    expect(fromBalances.rowCount).toBe(3);

    const contact = await createContact({ customerId: a.id });
    const [line] = rowsOf<{ id: string }>(await getDb().execute(sql`select id from invoice_lines where invoice_id = ${a2.id}`));
    await openDispute({ customerId: a.id, invoiceLineId: line!.id, amountMinor: 12_500, reason: "pricing", message: "Wrong price" }, contact);
    const disputed = await agingReport({ ...defaultAgingQuery(today()), currency: "USD" });
    expect(disputed.totals[0]).toMatchObject({ totalMinor: 70_000, disputedMinor: 12_500 });
    // Raised today, so not open as of March.
    expect((await agingReport({ ...march31, currency: "USD" })).totals[0]!.disputedMinor).toBe(0);
  });

  it("exports every row and the totals as CSV", async () => {
    await handBook();
    const csv = agingCsv(await agingReportAllRows(march31));
    const lines = csv.replace(/^\uFEFF/, "").trim().split("\n");
    expect(lines[0]).toBe("record_type,customer,detail,currency,Current,1–30 days,31–60 days,61–90 days,Over 90 days,total,overdue,disputed,in_plans,as_of,aged_by");
    expect(lines[1]).toMatch(/^row,Birch Supply,T-\d+,USD,300\.00,0\.00,2000\.00,0\.00,0\.00,2300\.00,2000\.00,0\.00,0\.00,2026-03-31,due date$/);
    expect(lines.slice(-2)).toEqual([
      "total,Total,,EUR,0.00,800.00,0.00,0.00,0.00,800.00,800.00,0.00,0.00,2026-03-31,due date",
      "total,Total,,USD,300.00,500.00,2600.00,0.00,0.00,3400.00,3100.00,0.00,0.00,2026-03-31,due date",
    ]);
    const byCurrency = agingCsv(await agingReportAllRows({ ...march31, groupBy: "currency" })).replace(/^\uFEFF/, "").trim().split("\n");
    expect(byCurrency).toEqual([
      "record_type,currency,Current,1–30 days,31–60 days,61–90 days,Over 90 days,total,overdue,disputed,in_plans,as_of,aged_by",
      "row,USD,300.00,500.00,2600.00,0.00,0.00,3400.00,3100.00,0.00,0.00,2026-03-31,due date",
      "row,EUR,0.00,800.00,0.00,0.00,0.00,800.00,800.00,0.00,0.00,2026-03-31,due date",
      "total,EUR,0.00,800.00,0.00,0.00,0.00,800.00,800.00,0.00,0.00,2026-03-31,due date",
      "total,USD,300.00,500.00,2600.00,0.00,0.00,3400.00,3100.00,0.00,0.00,2026-03-31,due date",
    ]);
  });
});

describe("receivables metrics", () => {
  it("computes DSO, countback, best possible DSO, ADD, CEI, collections and bad debt as worked out by hand", async () => {
    await handBook();
    // The daily sums are read with what is still pending; folding must not change any figure.
    const before = await receivablesMetrics({ periodEnd: "2026-04-30", period: "month", currency: "USD", trendPeriods: 4 });
    await foldLedgerDaily();
    const report = await receivablesMetrics({ periodEnd: "2026-04-30", period: "month", currency: "USD", trendPeriods: 4 });
    expect(report.metrics).toEqual(before.metrics);
    expect(await ledgerViolations()).toEqual([]);
    expect(report.periodStart).toBe("2026-04-01");
    const trend = (key: string) => report.metrics.find((m) => m.key === key)!.trend.map((t) => [t.periodEnd, t.value]);

    // March: AR 3,500.00 at the start, 3,400.00 at the end (3,100.00 of it overdue), sales 300.00, 31 days.
    //   DSO = 3400 × 31 / 300 = 351.3; best = 300 × 31 / 300 = 31; ADD = 320.3;
    //   CEI = (3500 + 300 − 3400) / (3500 + 300 − 300) = 11.4%;
    //   countback: March 300 (31 days), February 500 (28), then 2600 of January's 3000 (26.9 of 31) = 85.9.
    // April: AR 3,400.00 → 700.00 (500.00 overdue), sales 200.00, 30 days, 300.00 written off.
    //   DSO = 700 × 30 / 200 = 105; best = 200 × 30 / 200 = 30; ADD = 75;
    //   CEI = (3400 + 200 − 700) / (3400 + 200 − 200) = 85.3%; bad debt = 300 / 200 = 150%.
    expect(trend("dso")).toEqual([["2026-01-31", expect.any(Number)], ["2026-02-28", expect.any(Number)], ["2026-03-31", 351.3], ["2026-04-30", 105]]);
    // January: AR 3,000.00 at the end, none overdue, sales 3,000.00 → DSO 31; February: 3,500 × 28 / 500 = 196.
    expect(trend("dso").slice(0, 2)).toEqual([["2026-01-31", 31], ["2026-02-28", 196]]);
    expect(trend("best_dso").slice(2)).toEqual([["2026-03-31", 31], ["2026-04-30", 30]]);
    expect(trend("add").slice(2)).toEqual([["2026-03-31", 320.3], ["2026-04-30", 75]]);
    expect(trend("cei").slice(2)).toEqual([["2026-03-31", 11.4], ["2026-04-30", 85.3]]);
    expect(trend("countback_dso")[2]).toEqual(["2026-03-31", 85.9]);
    expect(trend("bad_debt_ratio").slice(2)).toEqual([["2026-03-31", 0], ["2026-04-30", 150]]);
    expect(report.metrics.find((m) => m.key === "dso")).toMatchObject({ value: 105, unit: "days", definition: expect.stringContaining("Receivables at the end") });
  });

  it("reads a period to date and a quarter", async () => {
    await handBook();
    // Q1 2026: AR 0 → 3,400.00, sales 3,800.00 (90 days): DSO = 3400 × 90 / 3800 = 80.5.
    const quarter = await receivablesMetrics({ periodEnd: "2026-03-31", period: "quarter", currency: "USD", trendPeriods: 2 });
    expect(quarter.periodStart).toBe("2026-01-01");
    expect(quarter.metrics.find((m) => m.key === "dso")!.value).toBe(80.5);
    // 1–15 March: AR 3,800.00 (A1 1,000, A2 500, B1 2,000, B2 300) and sales 300.00 over 15 days = 190.
    const toDate = await receivablesMetrics({ periodEnd: "2026-03-15", period: "month", currency: "USD", trendPeriods: 1 });
    expect(toDate.metrics.find((m) => m.key === "dso")!.value).toBe(190);
  });
});

describe("metrics from disputes and promises", () => {
  it("counts the month's disputes against its invoices, the days to resolve them, and promises kept", async () => {
    const now = today();
    const clerk = await createStaff({ role: "clerk" });
    const a = await createCustomer({ name: "Alder Works" });
    const b = await createCustomer({ name: "Birch Supply" });
    const invoices = await Promise.all([a.id, a.id, b.id, b.id].map((customerId) => issuedInvoice({ customerId, amounts: [10_000], issueDate: now, dueDate: now })));
    const contact = await createContact({ customerId: a.id });
    const [line] = rowsOf<{ id: string }>(await getDb().execute(sql`select id from invoice_lines where invoice_id = ${invoices[0]!.id}`));
    const dispute = await openDispute({ customerId: a.id, invoiceLineId: line!.id, amountMinor: 2_000, reason: "pricing", message: "Wrong price" }, contact);
    await rejectDispute({ disputeId: dispute.id, reason: "The price is the one agreed" }, { ...staffActor(clerk), role: "clerk" });
    // A promise kept (paid the same day) and one broken, both due today, settled tomorrow.
    const kept = await recordPromise({ customerId: a.id, amountMinor: 5_000, promisedOn: now }, staffActor(clerk));
    const broken = await recordPromise({ customerId: b.id, amountMinor: 5_000, promisedOn: now }, staffActor(clerk));
    await recordPayment({ customerId: a.id, amountMinor: 5_000, method: "wire", receivedOn: now, idempotencyKey: "kept-promise" }, system);
    await settlePromise(kept, addDays(now, 1), system, getDb());
    await settlePromise(broken, addDays(now, 1), system, getDb());

    const report = await receivablesMetrics({ periodEnd: now, period: "month", currency: "USD", trendPeriods: 1 });
    const metric = (key: string) => report.metrics.find((m) => m.key === key)!;
    // One dispute on four invoices; resolved within the test, so under a day; one of two promises kept.
    expect(metric("dispute_rate")).toMatchObject({ value: 25, detail: "1 dispute, 4 invoices" });
    expect(metric("dispute_days_to_resolve")).toMatchObject({ value: 0, detail: "1 dispute resolved" });
    expect(metric("promise_kept_rate")).toMatchObject({ value: 50, detail: "2 promises settled" });
    expect(metric("plan_completion_rate")).toMatchObject({ value: null, detail: "0 plans ended" });
  });
});

describe("dashboard", () => {
  it("adds up today's receivables in one currency and links the top accounts", async () => {
    await handBook();
    const summary = await dashboardSummary({ asOf: today(), currency: "USD" });
    expect(summary).toMatchObject({
      currency: "USD",
      currencies: ["EUR", "USD"],
      receivableMinor: 70_000,
      overdueMinor: 70_000,
      unappliedMinor: 0,
      disputedMinor: 0,
      inPlansMinor: 0,
      exceptionsOpen: 0,
    });
    expect(summary.aging.map((b) => b.amountMinor)).toEqual([0, 0, 0, 0, 70_000]);
    expect(summary.dsoTrend).toHaveLength(12);
    const april = await dashboardSummary({ asOf: "2026-04-30", currency: "USD" });
    // DSO over the 90 days to 04-30 (from 01-31): sales 500.00 + 300.00 + 200.00, AR 700.00 → 700 × 90 / 1000 = 63.
    expect(april).toMatchObject({ receivableMinor: 70_000, dso: 63 });
    expect(april.collected.monthMinor).toBe(260_000);
  });
});
