import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { collectionAccounts, customerPaymentStats, planInstalments } from "~db/schema";
import { creditStanding } from "~/collections/credit.server";
import { formatReason, parseReasons } from "~/collections/score";
import { refreshScores } from "~/collections/worklist.server";
import { createApiKey } from "~/api/keys.server";
import { issueCreditNote } from "~/ledger/credit-notes.server";
import { recordPayment } from "~/ledger/payments.server";
import { defaultPlan } from "~/plans/instalment-outcomes.server";
import { proposePlan } from "~/plans/plans.server";
import { listPaymentBehaviour, paymentBehaviour, refreshPaymentStats } from "~/reports/behaviour.server";
import * as creditRoute from "~/routes/api.v1.customers.$customerId_.credit";
import * as customerPage from "~/routes/staff.customers.$customerId";
import * as behaviourPage from "~/routes/staff.reports.behaviour";
import * as behaviourCsv from "~/routes/staff.reports.behaviour[.]csv";
import * as forecastPage from "~/routes/staff.reports.forecast";
import * as forecastCsv from "~/routes/staff.reports.forecast[.]csv";
import { addDays, today } from "~/utils/dates";
import { createCustomer, createStaff, issuedInvoice, staffActor } from "./factories";
import { context, cookieFor, get, outcome } from "./route-helpers";

const system = { type: "system" as const, label: "test" };
const T = today();
const d = (days: number) => addDays(T, days);
let keys = 0;

/** An invoice of `amount` paid in full `late` days after its due date, `ago` days ago. */
async function paid(customerId: string, amount: number, late: number, ago = 60) {
  const invoice = await issuedInvoice({ customerId, amounts: [amount], issueDate: d(-ago - late - 30), dueDate: d(-ago - late) });
  await recordPayment({ customerId, amountMinor: amount, method: "wire", receivedOn: d(-ago), idempotencyKey: `behaviour-${++keys}`, allocations: [{ invoiceId: invoice.id, amountMinor: amount }] }, system);
  return invoice;
}

/**
 * Good pays on time (0, 2 and 1 days early: A); Chronic pays 45 days late and defaulted a plan (E);
 * Credited's only settled invoice was settled by a credit note, which is not paying (C); New has
 * nothing (C).
 */
async function book() {
  const clerk = await createStaff({ role: "clerk" });
  const good = await createCustomer({ name: "Good Grocers", accountNumber: "C-1" });
  await paid(good.id, 100_000, 0);
  await paid(good.id, 100_000, -2);
  await paid(good.id, 100_000, -1);
  const chronic = await createCustomer({ name: "Chronic Components", accountNumber: "C-2" });
  for (const amount of [100_000, 200_000, 300_000]) await paid(chronic.id, amount, 45);
  const overdue = await issuedInvoice({ customerId: chronic.id, amounts: [250_000], issueDate: d(-80), dueDate: d(-50) });
  const plan = await proposePlan(
    { customerId: chronic.id, invoiceIds: [overdue.id], instalmentCount: 2, frequency: "monthly", firstDate: T, firstAmountMinor: null, autopay: false, message: null, idempotencyKey: "behaviour-plan" },
    staffActor(clerk),
  );
  expect(plan.status).toBe("active");
  const [first] = await getDb().select().from(planInstalments).where(eq(planInstalments.planId, plan.id));
  await defaultPlan(first!, { reason: "the card was declined" }, getDb());
  const credited = await createCustomer({ name: "Credited Crafts", accountNumber: "C-3" });
  const note = await issuedInvoice({ customerId: credited.id, amounts: [50_000], issueDate: d(-50), dueDate: d(-20) });
  await issueCreditNote({ customerId: credited.id, invoiceId: note.id, wholeInvoice: true, reason: "Returned", issueDate: d(-10), applyToInvoice: true, idempotencyKey: "behaviour-credit" }, system);
  const fresh = await createCustomer({ name: "New Novelties", accountNumber: "C-4" });
  return { clerk, good, chronic, credited, fresh };
}

describe("payment behaviour", () => {
  it("grades named customers or every customer, one row each, and reads one back", async () => {
    const { good, chronic, credited, fresh } = await book();
    // Before any refresh the behaviour is worked out on the spot, and not stored.
    expect(await paymentBehaviour(good.id)).toMatchObject({ grade: "A", invoicesPaid: 3, computedAt: null });
    expect(await getDb().select().from(customerPaymentStats)).toHaveLength(0);
    expect(await paymentBehaviour("00000000-0000-4000-8000-000000000000")).toBeNull();

    expect(await refreshPaymentStats({ customerIds: [fresh.id, fresh.id], asOf: T })).toEqual({ customers: 1, grades: { A: 0, B: 0, C: 1, D: 0, E: 0 } });
    expect(await refreshPaymentStats({ asOf: T })).toEqual({ customers: 4, grades: { A: 1, B: 0, C: 2, D: 0, E: 1 } });
    // Again: the same rows, updated in place.
    await refreshPaymentStats({ asOf: T });
    expect(await getDb().select().from(customerPaymentStats)).toHaveLength(4);

    expect(await paymentBehaviour(good.id)).toMatchObject({ invoicesPaid: 3, avgDaysToPay: 29, avgDaysLate: -1, onTimeBps: 10_000, grade: "A" });
    const chronicRow = await paymentBehaviour(chronic.id);
    expect(chronicRow).toMatchObject({
      invoicesPaid: 3,
      avgDaysToPay: 75,
      avgDaysLate: 45,
      onTimeBps: 0,
      grade: "E",
      gradeLabel: "poor",
      collectabilityBps: 5_000,
      reasons: ["Pays 45 days late on average over 3 invoices paid in 12 months (+35)", "1 payment plan defaulted in the last 12 months (+25)", "0% of the amount paid by its due date (+20)"],
    });
    expect(chronicRow!.computedAt).toBeInstanceOf(Date);
    // A credit note settling an invoice is not the customer paying it.
    expect(await paymentBehaviour(credited.id)).toMatchObject({ invoicesPaid: 0, avgDaysToPay: null, grade: "C" });
  });

  it("lists graded customers in any order, page by page, with a search and a grade filter", async () => {
    const { good, chronic, credited, fresh } = await book();
    await refreshPaymentStats({ asOf: T });
    const all = async (query: Parameters<typeof listPaymentBehaviour>[0]) => {
      const names: string[] = [];
      let after: string | undefined;
      for (let i = 0; i < 10; i++) {
        const page = await listPaymentBehaviour({ ...query, after, limit: 1 });
        names.push(...page.rows.map((r) => r.name));
        if (!page.nextCursor) break;
        after = page.nextCursor;
      }
      return names;
    };
    const byId = [credited, fresh].sort((a, b) => (a.id < b.id ? 1 : -1)).map((c) => c.name);
    // Worst grade first, ties by id; one row a page all the way through.
    expect(await all({})).toEqual([chronic.name, ...byId, good.name]);
    // The latest payers first; those without the figure last, whichever way.
    expect(await all({ sort: "late" })).toEqual([chronic.name, good.name, ...byId]);
    expect(await all({ sort: "late", dir: "asc" })).toEqual([good.name, chronic.name, ...[...byId].reverse()]);
    expect(await all({ sort: "name" })).toEqual([chronic.name, credited.name, good.name, fresh.name]);
    expect((await listPaymentBehaviour({ q: "chronic" })).rows.map((r) => r.accountNumber)).toEqual(["C-2"]);
    expect((await listPaymentBehaviour({ grade: "C", sort: "name" })).rows.map((r) => r.name)).toEqual([credited.name, fresh.name]);
    // A cursor of another order reads as the first page.
    const first = await listPaymentBehaviour({ limit: 1 });
    expect((await listPaymentBehaviour({ sort: "name", after: first.nextCursor, limit: 1 })).rows[0]!.name).toBe(chronic.name);
  });

  it("puts the grade in the worklist's reasons and in the credit standing", async () => {
    const { chronic } = await book();
    await refreshScores([chronic.id], T);
    const [before] = await getDb().select().from(collectionAccounts).where(eq(collectionAccounts.customerId, chronic.id));
    // Without a grade the history speaks.
    expect(parseReasons(before!.scoreReasons).map(formatReason)).toContain("usually pays 45 days late (+14)");
    expect((await creditStanding(chronic.id))!).toMatchObject({ riskGrade: null, riskReasons: [] });

    await refreshPaymentStats({ asOf: T });
    await refreshScores([chronic.id], T);
    const [after] = await getDb().select().from(collectionAccounts).where(eq(collectionAccounts.customerId, chronic.id));
    const reasons = parseReasons(after!.scoreReasons).map(formatReason);
    expect(reasons).toContain("risk grade E (poor) (+15)");
    expect(reasons.some((r) => r.startsWith("usually pays"))).toBe(false);
    expect(after!.score).toBe(before!.score - 14 + 15);

    const standing = await creditStanding(chronic.id);
    expect(standing).toMatchObject({ riskGrade: "E", decision: "ok" });
    expect(standing!.riskReasons[0]).toBe("Pays 45 days late on average over 3 invoices paid in 12 months (+35)");
    expect(standing!.reasons.at(-1)).toBe("Risk grade E (poor): pays 45 days late on average over 3 invoices paid in 12 months");

    const admin = await createStaff({ role: "admin" });
    const { secret } = await createApiKey({ name: "Orders" }, staffActor(admin));
    const request = new Request(`http://localhost:3000/api/v1/customers/${chronic.id}/credit`, { headers: { Authorization: `Bearer ${secret}` } });
    const response = await creditRoute.loader({ request, params: { customerId: chronic.id }, context } as never);
    expect(await response.json()).toMatchObject({ risk_grade: "E", risk_reasons: standing!.riskReasons });
  });

  it("serves the report, its CSV, the forecast page and CSV, and the card on the customer page", async () => {
    const { good, chronic } = await book();
    await refreshPaymentStats({ asOf: T });
    const viewer = await createStaff({ role: "viewer" });
    const cookie = await cookieFor({ audience: "staff", staffUserId: viewer.id });
    const load = (route: { loader: (args: never) => unknown }, path: string, params: Record<string, string> = {}) => outcome(() => route.loader({ request: get(path, cookie), params, context } as never) as Promise<unknown>);

    const page = await load(behaviourPage, "/staff/reports/behaviour?sort=late&grade=Z");
    expect(page.status).toBe(400);
    expect(page.data).toMatchObject({ errors: { grade: "grade must be one of A, B, C, D, E" }, search: { sort: "late", dir: "desc" }, counts: { A: 1, C: 2, E: 1 } });
    expect((page.data as { rows: { name: string }[] }).rows[0]!.name).toBe(chronic.name);
    expect((await load(behaviourPage, "/staff/reports/behaviour?q=good")).data).toMatchObject({ rows: [{ name: good.name, grade: "A" }] });

    const csv = (await behaviourCsv.loader({ request: get("/staff/reports/behaviour.csv?sort=name", cookie), params: {}, context } as never)) as Response;
    expect(csv.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    const lines = (await csv.text()).replace(/^\uFEFF/, "").trim().split("\n");
    expect(lines[0]).toBe("account_number,name,currency,grade,grade_meaning,invoices_paid_12_months,avg_days_to_pay,avg_days_late,on_time_percent,recent_90_days_late,prior_90_days_late,trend,reasons,computed_at");
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^C-2,Chronic Components,USD,E,poor,3,75\.0,45\.0,0\.00,45\.0,,,Pays 45 days late on average over 3 invoices paid in 12 months \(\+35\); 1 payment plan/);
    expect(await outcome(() => behaviourCsv.loader({ request: get("/staff/reports/behaviour.csv?dir=up", cookie), params: {}, context } as never))).toMatchObject({ status: 400 });

    const forecast = await load(forecastPage, "/staff/reports/forecast?currency=XYZ");
    expect(forecast.status).toBe(400);
    expect(forecast.data).toMatchObject({ errors: { currency: "currency must be one that customers are billed in (USD)" }, forecast: { currency: "USD" }, currencies: ["USD"] });
    const ok = await load(forecastPage, "/staff/reports/forecast?currency=usd");
    expect(ok).toMatchObject({ status: 200, data: { errors: {}, forecast: { currency: "USD" }, accuracy: { currency: "USD" } } });
    // Chronic's $2,500.00 is in a defaulted plan, so counted as an invoice: E, 50 %, due 50 days ago + 45 → today.
    expect((ok.data as { forecast: { weeks: { expectedMinor: number }[] } }).forecast.weeks[0]!.expectedMinor).toBe(125_000);

    const file = (await forecastCsv.loader({ request: get("/staff/reports/forecast.csv", cookie), params: {}, context } as never)) as Response;
    const rows = (await file.text()).replace(/^\uFEFF/, "").trim().split("\n");
    expect(rows[0]).toBe("part,week_start,week_end,invoices,plan_instalments,promises,expected,forecast_made_on,collected,difference,currency");
    expect(rows.filter((r) => r.startsWith("past,"))).toHaveLength(8);
    expect(rows.filter((r) => r.startsWith("forecast,"))).toHaveLength(13);
    expect(rows.find((r) => r.startsWith("forecast,"))).toMatch(/,1250\.00,0\.00,0\.00,1250\.00,/);
    const bad = await outcome(() => forecastCsv.loader({ request: get("/staff/reports/forecast.csv?currency=12", cookie), params: {}, context } as never));
    expect(bad.status).toBe(400);

    const customer = await load(customerPage, `/staff/customers/${chronic.id}`, { customerId: chronic.id });
    expect(customer.data).toMatchObject({ behaviour: { grade: "E", invoicesPaid: 3, trend: null } });
  });
});
