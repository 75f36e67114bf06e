import { describe, expect, it } from "vitest";
import { recordPayment } from "~/ledger/payments.server";
import type { AgingReport } from "~/reports/aging.server";
import * as dashboard from "~/routes/staff._index";
import * as agingCsvRoute from "~/routes/staff.reports.aging[.]csv";
import * as agingPdfRoute from "~/routes/staff.reports.aging[.]pdf";
import * as agingPage from "~/routes/staff.reports.aging";
import * as metricsCsvRoute from "~/routes/staff.reports.metrics[.]csv";
import * as metricsPage from "~/routes/staff.reports.metrics";
import * as reportsIndex from "~/routes/staff.reports._index";
import { addDays, today } from "~/utils/dates";
import { createContact, createCustomer, createStaff, issuedInvoice, staffActor } from "./factories";
import { context, cookieFor, get, outcome } from "./route-helpers";

// The reports' routes: who may read them, what a bad option does, and what the downloads are.
// The numbers themselves are checked against hand computations in the reports' own tests.

const args = (request: Request) => ({ request, params: {}, context });

async function viewerCookie() {
  const user = await createStaff({ role: "viewer" });
  return { user, cookie: await cookieFor({ audience: "staff", staffUserId: user.id }) };
}

/**
 * One customer: $100.00 issued 100 days ago (due 70 days ago) and paid 5 days ago, and $50.00
 * issued 10 days ago. Today only the $50.00 is open and current; 20 days ago only the $100.00
 * was, 50 days past due.
 */
async function ledgerWithHistory(actor: { type: "staff"; id: string; label: string }) {
  const now = today();
  const customer = await createCustomer({ name: "Bluebird Bakery", accountNumber: "C-20001" });
  const old = await issuedInvoice({ customerId: customer.id, amounts: [10000], issueDate: addDays(now, -100), dueDate: addDays(now, -70) }, actor);
  await issuedInvoice({ customerId: customer.id, amounts: [5000], issueDate: addDays(now, -10), dueDate: addDays(now, 20) }, actor);
  await recordPayment({ customerId: customer.id, amountMinor: 10000, method: "wire", receivedOn: addDays(now, -5), idempotencyKey: "reports-wire-1", allocations: [{ invoiceId: old.id, amountMinor: 10000 }] }, actor);
  return { customer, now };
}

type AgingData = { report: AgingReport };

describe("who reads the reports", () => {
  const pages = [
    ["/staff", () => dashboard.loader],
    ["/staff/reports", () => reportsIndex.loader],
    ["/staff/reports/aging", () => agingPage.loader],
    ["/staff/reports/aging.csv", () => agingCsvRoute.loader],
    ["/staff/reports/aging.pdf", () => agingPdfRoute.loader],
    ["/staff/reports/metrics", () => metricsPage.loader],
    ["/staff/reports/metrics.csv", () => metricsCsvRoute.loader],
  ] as const;

  it("sends a signed-out visitor and a portal user to the staff sign-in, and shows them nothing", async () => {
    const customer = await createCustomer();
    const contact = await createContact({ customerId: customer.id });
    const portalCookie = await cookieFor({ audience: "portal", portalUserId: contact.id });
    for (const [path, loader] of pages) {
      for (const cookie of [undefined, portalCookie]) {
        const result = await outcome(() => loader()(args(get(path, cookie))));
        expect(result.status, path).toBe(302);
        expect(result.location, path).toMatch(/^\/staff\/sign-in/);
        expect(result.data).toBeNull();
      }
    }
  });

  it("lets a viewer read every report and download the files", async () => {
    const { cookie } = await viewerCookie();
    for (const [path, loader] of pages) {
      const result = await outcome(() => loader()(args(get(path, cookie))));
      expect(result.status, path).toBe(200);
    }
  });
});

describe("the aging report page", () => {
  it("shows the report as of the date asked, so an earlier date gives other figures", async () => {
    const { user, cookie } = await viewerCookie();
    const { customer, now } = await ledgerWithHistory(staffActor(user));

    const current = (await outcome(() => agingPage.loader(args(get("/staff/reports/aging", cookie))))) as { status: number; data: AgingData };
    expect(current.status).toBe(200);
    const { report } = current.data;
    expect(report.query.asOf).toBe(now);
    expect(report.columns.map((c) => c.label)).toEqual(["Current", "1–30 days", "31–60 days", "61–90 days", "Over 90 days"]);
    expect(report.totals).toEqual([expect.objectContaining({ currency: "USD", totalMinor: 5000, overdueMinor: 0, bucketsMinor: [5000, 0, 0, 0, 0] })]);
    expect(report.rows).toEqual([expect.objectContaining({ label: "Bluebird Bakery", detail: "C-20001", href: `/staff/customers/${customer.id}`, totalMinor: 5000 })]);

    const earlier = (await outcome(() => agingPage.loader(args(get(`/staff/reports/aging?as_of=${addDays(now, -20)}`, cookie))))) as { status: number; data: AgingData };
    expect(earlier.status).toBe(200);
    expect(earlier.data.report.totals).toEqual([expect.objectContaining({ totalMinor: 10000, overdueMinor: 10000, bucketsMinor: [0, 0, 10000, 0, 0] })]);
  });

  it("names each bad option and shows the default report beside the messages", async () => {
    const { user, cookie } = await viewerCookie();
    const { now } = await ledgerWithHistory(staffActor(user));
    const result = (await outcome(() => agingPage.loader(args(get("/staff/reports/aging?as_of=2999-01-01&buckets=90,30&group=planet&page=0", cookie))))) as {
      status: number;
      data: AgingData & { errors: Record<string, string>; values: Record<string, string> };
    };
    expect(result.status).toBe(400);
    expect(result.data.errors).toMatchObject({
      as_of: "As-of date cannot be in the future",
      buckets: "Buckets must go up, like 30,60,90",
      group: expect.stringContaining("Group by"),
      page: expect.stringContaining("Page"),
    });
    // The form keeps what was typed; the report is today's, by customer.
    expect(result.data.values).toMatchObject({ as_of: "2999-01-01", buckets: "90,30", group: "planet" });
    expect(result.data.report.query).toMatchObject({ asOf: now, groupBy: "customer", edges: [30, 60, 90] });
    expect(result.data.report.totals[0]?.totalMinor).toBe(5000);
  });

  it("groups by collector, currency and segment", async () => {
    const { user, cookie } = await viewerCookie();
    await ledgerWithHistory(staffActor(user));
    for (const group of ["collector", "currency", "segment"]) {
      const result = (await outcome(() => agingPage.loader(args(get(`/staff/reports/aging?group=${group}&basis=invoice&buckets=15,45`, cookie))))) as { status: number; data: AgingData };
      expect(result.status, group).toBe(200);
      expect(result.data.report.columns.map((c) => c.label), group).toEqual(["0–15 days", "16–45 days", "Over 45 days"]);
      expect(result.data.report.totals[0]?.bucketsMinor, group).toEqual([5000, 0, 0]);
    }
  });
});

describe("the aging downloads", () => {
  it("gives the CSV of the query on screen, with its header row", async () => {
    const { user, cookie } = await viewerCookie();
    const { now } = await ledgerWithHistory(staffActor(user));
    const response = (await agingCsvRoute.loader(args(get(`/staff/reports/aging.csv?as_of=${addDays(now, -20)}`, cookie)))) as Response;
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toBe(`attachment; filename="aging-${addDays(now, -20)}.csv"`);
    const lines = (await response.text()).trim().split(/\r?\n/);
    expect(lines[0]).toBe("record_type,customer,detail,currency,Current,1–30 days,31–60 days,61–90 days,Over 90 days,total,overdue,disputed,in_plans,as_of,aged_by");
    expect(lines[1]).toBe(`row,Bluebird Bakery,C-20001,USD,0.00,0.00,100.00,0.00,0.00,100.00,100.00,0.00,0.00,${addDays(now, -20)},due date`);
    expect(lines[2]).toMatch(/^total,Total,,USD,0\.00,0\.00,100\.00,0\.00,0\.00,100\.00,/);
  });

  it("gives a PDF", async () => {
    const { user, cookie } = await viewerCookie();
    await ledgerWithHistory(staffActor(user));
    const response = (await agingPdfRoute.loader(args(get("/staff/reports/aging.pdf?group=segment", cookie)))) as Response;
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/pdf");
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.subarray(0, 5).toString()).toBe("%PDF-");
  });

  it("answers a bad option with 400 and the message, for the CSV and the PDF", async () => {
    const { cookie } = await viewerCookie();
    for (const loader of [agingCsvRoute.loader, agingPdfRoute.loader]) {
      let thrown: unknown;
      try {
        await loader(args(get("/staff/reports/aging.csv?buckets=abc", cookie)));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(Response);
      const response = thrown as Response;
      expect(response.status).toBe(400);
      expect(await response.text()).toContain("Buckets must be whole numbers");
    }
  });
});

describe("the metrics page", () => {
  it("shows every metric with its definition and a trend", async () => {
    const { user, cookie } = await viewerCookie();
    await ledgerWithHistory(staffActor(user));
    const result = await outcome(() => metricsPage.loader(args(get("/staff/reports/metrics?period=quarter", cookie))));
    expect(result.status).toBe(200);
    const { report } = result.data as { report: { period: string; metrics: { key: string; definition: string; trend: unknown[] }[] } };
    expect(report.period).toBe("quarter");
    expect(report.metrics.map((m) => m.key)).toContain("cei");
    for (const metric of report.metrics) {
      expect(metric.definition.length).toBeGreaterThan(20);
      expect(metric.trend.length).toBeGreaterThan(1);
    }
  });

  it("names a bad option and shows this month's metrics", async () => {
    const { cookie } = await viewerCookie();
    const result = await outcome(() => metricsPage.loader(args(get("/staff/reports/metrics?period=decade&end=2026-02-30", cookie))));
    expect(result.status).toBe(400);
    expect(result.data).toMatchObject({ errors: { period: "Period must be month or quarter", end: "Period end must be a date like 2026-01-31" }, report: { period: "month", periodEnd: today() } });
  });

  it("gives the CSV with a column per period, and 400 for a bad option", async () => {
    const { user, cookie } = await viewerCookie();
    await ledgerWithHistory(staffActor(user));
    const response = (await metricsCsvRoute.loader(args(get("/staff/reports/metrics.csv?period=month&currency=usd", cookie)))) as Response;
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    const [header, ...rows] = (await response.text()).trim().split(/\r?\n/);
    expect(header).toMatch(/^metric,unit,(\d{4}-\d{2}-\d{2},){12}definition$/);
    expect(rows.length).toBe(12);
    const bad = await outcome(() => metricsCsvRoute.loader(args(get("/staff/reports/metrics.csv?currency=dollars", cookie))));
    expect(bad.status).toBe(400);
  });
});

describe("the dashboard", () => {
  it("greets the signed-in person and gives the figures as of the date asked", async () => {
    const { user, cookie } = await viewerCookie();
    const { now } = await ledgerWithHistory(staffActor(user));
    const current = await outcome(() => dashboard.loader(args(get("/staff", cookie))));
    expect(current.status).toBe(200);
    expect(current.data).toMatchObject({ firstName: "Staff", summary: { asOf: now, currency: "USD", overdueMinor: 0 } });
    const summary = (current.data as { summary: { aging: { amountMinor: number }[] } }).summary;
    expect(summary.aging.map((b) => b.amountMinor)).toEqual([5000, 0, 0, 0, 0]);

    const earlier = await outcome(() => dashboard.loader(args(get(`/staff?as_of=${addDays(now, -20)}`, cookie))));
    expect(earlier.status).toBe(200);
    expect(earlier.data).toMatchObject({ summary: { asOf: addDays(now, -20), overdueMinor: 10000 } });
  });

  it("names a bad date and shows today's figures", async () => {
    const { cookie } = await viewerCookie();
    const result = await outcome(() => dashboard.loader(args(get("/staff?as_of=tomorrow&currency=US", cookie))));
    expect(result.status).toBe(400);
    expect(result.data).toMatchObject({
      errors: { as_of: "As-of date must be a date like 2026-01-31", currency: "Currency must be a three-letter code like USD" },
      summary: { asOf: today() },
    });
  });
});
