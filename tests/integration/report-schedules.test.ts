import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditLog, emailOutbox, reportSchedules } from "~db/schema";
import { getDb } from "~db/client";
import { deliverDueEmails, transportFromEnv, type EmailTransport } from "~/email/delivery.server";
import { getOutboxMessage } from "~/email/outbox.server";
import { createReportSchedule, deleteReportSchedule, isoWeekday, listReportSchedules, sendDueReports, setReportScheduleActive } from "~/reports/schedules.server";
import * as schedulesPage from "~/routes/staff.reports.schedules";
import { addDays, today } from "~/utils/dates";
import { appUrl, parseEnv } from "~/utils/env.server";
import { startFakeResend } from "../fakes/resend";
import { createCustomer, createStaff, issuedInvoice, staffActor } from "./factories";
import { context, cookieFor, get, outcome, post } from "./route-helpers";

const args = (request: Request) => ({ request, params: {}, context });

// The job runs "now"; reports cannot be as of a day after the real today, so the tests send today.
const now = new Date();
const day = today("UTC", now);
const weekday = isoWeekday(day);
const otherWeekday = (weekday % 7) + 1;

const agingForm = (more: Record<string, string> = {}) => ({
  report: "aging",
  weekday: String(weekday),
  recipients: "Controller@Northwind.example, cfo@northwind.example",
  aging_basis: "due",
  aging_buckets: "30,60,90",
  aging_group: "customer",
  aging_currency: "usd",
  ...more,
});

/** Open receivables with known aging: $1,234.56 20 days late and $500.00 not yet due, in USD. */
async function book() {
  const customer = await createCustomer({ name: "Alder Works" });
  await issuedInvoice({ customerId: customer.id, amounts: [123_456], issueDate: addDays(day, -50), dueDate: addDays(day, -20) });
  await issuedInvoice({ customerId: customer.id, amounts: [50_000], issueDate: addDays(day, -5), dueDate: addDays(day, 10) });
  return customer;
}

async function adminActor() {
  const admin = await createStaff({ role: "admin" });
  return { admin, actor: staffActor(admin) };
}

const decode = (base64: string) => Buffer.from(base64, "base64").toString("utf8");

describe("report schedules", () => {
  it("an admin schedules a report: stored in the report page's own terms, and audited", async () => {
    const { actor } = await adminActor();
    const created = await createReportSchedule(agingForm(), actor);
    expect(created.ok).toBe(true);
    const [row] = await getDb().select().from(reportSchedules);
    expect(row).toMatchObject({
      report: "aging",
      params: { basis: "due", buckets: "30,60,90", group: "customer", currency: "USD" },
      recipients: ["controller@northwind.example", "cfo@northwind.example"],
      weekday,
      active: true,
      lastSentOn: null,
      createdBy: actor.id,
    });
    const [audit] = await getDb().select().from(auditLog).where(eq(auditLog.entityId, row!.id));
    expect(audit).toMatchObject({ action: "reports.schedule_create", actorId: actor.id, after: expect.objectContaining({ report: "aging", weekday }) });
    const [listed] = await listReportSchedules();
    expect(listed).toMatchObject({ reportTitle: "Aging report", parameters: "aged by due date, buckets 30, 60, 90 days, by customer, USD only", weekdayName: expect.any(String) });
  });

  it("bad recipients, weekday or report options give a message per field and save nothing", async () => {
    const { actor } = await adminActor();
    const bad = await createReportSchedule(agingForm({ recipients: "dana@acme.example, dana@", weekday: "8", aging_buckets: "60,30" }), actor);
    expect(bad).toEqual({
      ok: false,
      errors: {
        recipients: "“dana@” is not an email address like name@example.com",
        weekday: "Weekday must be a day from Monday to Sunday",
        aging_buckets: "Buckets must go up, like 30,60,90",
      },
    });
    const many = Array.from({ length: 21 }, (_, i) => `p${i}@x.example`).join(",");
    expect(await createReportSchedule(agingForm({ recipients: many }), actor)).toMatchObject({ ok: false, errors: { recipients: "Recipients can be at most 20 addresses (21 given)" } });
    expect(await createReportSchedule(agingForm({ recipients: " , " }), actor)).toMatchObject({ ok: false, errors: { recipients: expect.stringContaining("Recipients are required") } });
    expect(await createReportSchedule(agingForm({ weekday: "" }), actor)).toMatchObject({ ok: false, errors: { weekday: expect.any(String) } });
    expect(await createReportSchedule({ ...agingForm(), report: "payroll" }, actor)).toMatchObject({ ok: false, errors: { report: expect.stringContaining("Report must be one of") } });
    expect(await createReportSchedule({ report: "metrics", weekday: "1", recipients: "a@x.example", metrics_period: "year", metrics_currency: "dollars" }, actor)).toMatchObject({
      ok: false,
      errors: { metrics_period: "Period must be month or quarter", metrics_currency: "Currency must be a three-letter code like USD" },
    });
    expect(await getDb().select().from(reportSchedules)).toHaveLength(0);
    expect(await getDb().select().from(auditLog)).toHaveLength(0);
  });

  it("through the page: an admin creates, pauses, resumes and deletes; a clerk gets 403 and changes nothing; a viewer reads the list", async () => {
    const admin = await createStaff({ role: "admin" });
    const clerk = await createStaff({ role: "clerk" });
    const viewer = await createStaff({ role: "viewer" });
    const adminCookie = await cookieFor({ audience: "staff", staffUserId: admin.id });
    const clerkCookie = await cookieFor({ audience: "staff", staffUserId: clerk.id });
    const viewerCookie = await cookieFor({ audience: "staff", staffUserId: viewer.id });
    const path = "/staff/reports/schedules";

    const refused = await outcome(() => schedulesPage.action(args(post(path, { intent: "create", ...agingForm() }, clerkCookie))));
    expect(refused.status).toBe(403);
    expect(await getDb().select().from(reportSchedules)).toHaveLength(0);

    const invalid = await outcome(() => schedulesPage.action(args(post(path, { intent: "create", ...agingForm({ recipients: "not-an-address" }) }, adminCookie))));
    expect(invalid).toMatchObject({ status: 400, data: { ok: false, errors: { recipients: "“not-an-address” is not an email address like name@example.com" }, values: { recipients: "not-an-address" } } });
    expect(await getDb().select().from(reportSchedules)).toHaveLength(0);

    const created = await outcome(() => schedulesPage.action(args(post(path, { intent: "create", ...agingForm() }, adminCookie))));
    expect(created).toMatchObject({ status: 200, data: { ok: true, message: expect.stringContaining("Aging report scheduled for every") } });
    const [schedule] = await getDb().select().from(reportSchedules);
    expect(schedule).toMatchObject({ createdBy: admin.id, active: true });

    expect(await outcome(() => schedulesPage.action(args(post(path, { intent: "pause", scheduleId: schedule!.id }, clerkCookie))))).toMatchObject({ status: 403 });
    expect(await outcome(() => schedulesPage.action(args(post(path, { intent: "pause", scheduleId: schedule!.id }, adminCookie))))).toMatchObject({ status: 200, data: { ok: true } });
    expect((await getDb().select().from(reportSchedules))[0]!.active).toBe(false);
    expect(await outcome(() => schedulesPage.action(args(post(path, { intent: "resume", scheduleId: schedule!.id }, adminCookie))))).toMatchObject({ status: 200 });
    expect((await getDb().select().from(reportSchedules))[0]!.active).toBe(true);

    const viewed = await outcome(() => schedulesPage.loader(args(get(path, viewerCookie))));
    expect(viewed).toMatchObject({ status: 200, data: { canEdit: false, schedules: [expect.objectContaining({ id: schedule!.id, recipients: ["controller@northwind.example", "cfo@northwind.example"] })] } });

    expect(await outcome(() => schedulesPage.action(args(post(path, { intent: "delete", scheduleId: "7b0c2a43-0000-4000-8000-000000000000" }, adminCookie))))).toMatchObject({ status: 404 });
    expect(await outcome(() => schedulesPage.action(args(post(path, { intent: "delete", scheduleId: schedule!.id }, adminCookie))))).toMatchObject({ status: 200 });
    expect(await getDb().select().from(reportSchedules)).toHaveLength(0);

    const actions = (await getDb().select().from(auditLog).orderBy(auditLog.id)).map((a) => [a.action, a.actorId]);
    expect(actions).toEqual([
      ["reports.schedule_create", admin.id],
      ["reports.schedule_pause", admin.id],
      ["reports.schedule_resume", admin.id],
      ["reports.schedule_delete", admin.id],
    ]);
  });
});

describe("sending scheduled reports", () => {
  it("on its weekday: one email per recipient, the figures in the body, the link with the same parameters, the CSV attached; once", async () => {
    await book();
    const { actor } = await adminActor();
    const created = await createReportSchedule(agingForm(), actor);
    if (!created.ok) throw new Error("not created");

    expect(await sendDueReports({ now })).toEqual({ date: day, schedules: 1, emails: 2, failed: [] });
    const rows = await getDb().select().from(emailOutbox).orderBy(emailOutbox.toAddress);
    expect(rows.map((r) => [r.toAddress, r.dedupeKey, r.template])).toEqual([
      ["cfo@northwind.example", `report:${created.schedule.id}:${day}:cfo@northwind.example`, "scheduled-report"],
      ["controller@northwind.example", `report:${created.schedule.id}:${day}:controller@northwind.example`, "scheduled-report"],
    ]);
    const [message] = rows;
    expect(message!.subject).toBe(`Aging report as of ${day} — Settle Demo Co.`);
    // Headline figures: the currency's buckets and totals.
    expect(message!.text).toMatch(/1–30 days\s+\$1,234\.56/);
    expect(message!.text).toMatch(/Current\s+\$500\.00/);
    expect(message!.text).toMatch(/Total open\s+\$1,734\.56/);
    expect(message!.text).toMatch(/Overdue\s+\$1,234\.56/);
    const link = `${appUrl()}/staff/reports/aging?as_of=${day}&amp;currency=USD`;
    expect(message!.html).toContain(`href="${link}"`);
    expect(message!.text).toContain(`aging-USD-${day}.csv`);
    // The CSV is the report's own export.
    expect(message!.attachments).toHaveLength(1);
    const [attachment] = message!.attachments;
    expect(attachment).toMatchObject({ filename: `aging-USD-${day}.csv`, contentType: "text/csv; charset=utf-8" });
    const csv = decode(attachment!.contentBase64);
    expect(csv).toContain("record_type,customer,detail,currency,Current,1–30 days");
    expect(csv).toMatch(/row,Alder Works,T-\d+,USD,500\.00,1234\.56,0\.00,0\.00,0\.00,1734\.56,1234\.56/);
    expect(csv).toMatch(/total,Total,,USD,500\.00,1234\.56,0\.00,0\.00,0\.00,1734\.56,1234\.56/);
    expect((await getDb().select().from(reportSchedules))[0]!.lastSentOn).toBe(day);

    // Again the same day: nothing more.
    expect(await sendDueReports({ now })).toEqual({ date: day, schedules: 0, emails: 0, failed: [] });
    expect(await getDb().select().from(emailOutbox)).toHaveLength(2);
  });

  it("two runs at once send each schedule once", async () => {
    await book();
    const { actor } = await adminActor();
    for (const recipients of ["a@x.example, b@x.example", "c@x.example"]) await createReportSchedule(agingForm({ recipients }), actor);
    const runs = await Promise.all([sendDueReports({ now }), sendDueReports({ now }), sendDueReports({ now })]);
    expect(runs.reduce((sum, r) => sum + r.emails, 0)).toBe(3);
    expect(runs.reduce((sum, r) => sum + r.schedules, 0)).toBe(2);
    expect(runs.flatMap((r) => r.failed)).toEqual([]);
    expect((await getDb().select().from(emailOutbox)).map((r) => r.toAddress).sort()).toEqual(["a@x.example", "b@x.example", "c@x.example"]);
  });

  it("sends nothing on another weekday, nor for a paused schedule", async () => {
    await book();
    const { actor } = await adminActor();
    await createReportSchedule(agingForm({ weekday: String(otherWeekday), recipients: "other-day@x.example" }), actor);
    const paused = await createReportSchedule(agingForm({ recipients: "paused@x.example" }), actor);
    if (!paused.ok) throw new Error("not created");
    await setReportScheduleActive({ scheduleId: paused.schedule.id, active: false }, actor);
    expect(await sendDueReports({ now })).toEqual({ date: day, schedules: 0, emails: 0, failed: [] });
    expect(await getDb().select().from(emailOutbox)).toHaveLength(0);
    expect((await getDb().select().from(reportSchedules)).every((s) => s.lastSentOn === null)).toBe(true);

    // Resumed the same day, it goes out; deleted, it is gone.
    await setReportScheduleActive({ scheduleId: paused.schedule.id, active: true }, actor);
    expect(await sendDueReports({ now })).toMatchObject({ schedules: 1, emails: 1 });
    await deleteReportSchedule(paused.schedule.id, actor);
    expect(await getDb().select().from(reportSchedules)).toHaveLength(1);
  });

  it("a CSV over the limit is not attached: the email says so and keeps the link", async () => {
    await book();
    const { actor } = await adminActor();
    await createReportSchedule(agingForm({ recipients: "a@x.example" }), actor);
    expect(await sendDueReports({ now, attachmentLimitBytes: 100 })).toMatchObject({ emails: 1 });
    const [message] = await getDb().select().from(emailOutbox);
    expect(message!.attachments).toEqual([]);
    expect(message!.text).toContain("The CSV is over 100 bytes, too large to attach");
    expect(message!.text).toMatch(/1–30 days\s+\$1,234\.56/);
    expect(message!.html).toContain(`${appUrl()}/staff/reports/aging?as_of=${day}`);
  });

  it("metrics, the cash forecast and payment behaviour go out with their figures and CSVs", async () => {
    await book();
    await createCustomer({ name: "Cedar GmbH", currency: "EUR" });
    const { actor } = await adminActor();
    await createReportSchedule({ report: "metrics", weekday: String(weekday), recipients: "m@x.example", metrics_period: "quarter", metrics_currency: "" }, actor);
    await createReportSchedule({ report: "forecast", weekday: String(weekday), recipients: "f@x.example", forecast_currency: "" }, actor);
    await createReportSchedule({ report: "behaviour", weekday: String(weekday), recipients: "b@x.example", behaviour_grade: "" }, actor);
    expect(await sendDueReports({ now })).toEqual({ date: day, schedules: 3, emails: 3, failed: [] });
    const byTo = new Map((await getDb().select().from(emailOutbox)).map((m) => [m.toAddress, m]));

    const metrics = byTo.get("m@x.example")!;
    expect(metrics.subject).toBe(`Receivables metrics as of ${day} — Settle Demo Co.`);
    expect(metrics.text).toContain("Days sales outstanding");
    expect(metrics.text).toContain("Collection effectiveness index");
    expect(metrics.text).toMatch(/Receivables at the end of the period/i);
    expect(metrics.html).toContain(`${appUrl()}/staff/reports/metrics?end=${day}&amp;period=quarter&amp;currency=USD`);
    expect(metrics.attachments.map((a) => a.filename)).toEqual([`metrics-USD-${day}.csv`]);
    expect(decode(metrics.attachments[0]!.contentBase64)).toContain("Days sales outstanding");

    const forecast = byTo.get("f@x.example")!;
    expect(forecast.attachments.map((a) => a.filename)).toEqual([`forecast-EUR-${day}.csv`, `forecast-USD-${day}.csv`]);
    expect(forecast.text).toMatch(/Next 13 weeks\s+\$/);
    expect(forecast.html).toContain(`${appUrl()}/staff/reports/forecast"`);

    const behaviour = byTo.get("b@x.example")!;
    expect(behaviour.attachments.map((a) => a.filename)).toEqual([`payment-behaviour-${day}.csv`]);
    expect(decode(behaviour.attachments[0]!.contentBase64)).toContain("account_number,name,currency,grade");
    expect(behaviour.text).toMatch(/A: pays reliably\s+0/);
  });

  it("the outbox page gets the attachment's name, size and content", async () => {
    await book();
    const { admin, actor } = await adminActor();
    await createReportSchedule(agingForm({ recipients: "a@x.example" }), actor);
    await sendDueReports({ now });
    const [row] = await getDb().select().from(emailOutbox);
    const message = await getOutboxMessage({ id: row!.id, reader: admin });
    expect(message!.attachments).toEqual([
      { filename: `aging-USD-${day}.csv`, contentType: "text/csv; charset=utf-8", bytes: Buffer.byteLength(decode(row!.attachments[0]!.contentBase64)), contentBase64: row!.attachments[0]!.contentBase64 },
    ]);
  });
});

describe("attachments through Resend (local fake, real SDK)", () => {
  let resend: Awaited<ReturnType<typeof startFakeResend>>;
  let transport: EmailTransport;

  beforeEach(async () => {
    resend = await startFakeResend();
    transport = transportFromEnv(parseEnv({ RESEND_API_KEY: "re_test_key", RESEND_BASE_URL: resend.baseUrl }));
  });
  afterEach(() => resend.close());

  it("the scheduled report's CSV reaches the API call, base64, with its name and type", async () => {
    await book();
    const { actor } = await adminActor();
    await createReportSchedule(agingForm({ recipients: "controller@northwind.example" }), actor);
    await sendDueReports({ now });
    expect(await deliverDueEmails({ transport })).toMatchObject({ sent: 1 });
    expect(resend.received).toHaveLength(1);
    const body = resend.received[0]!.body as { to: string; attachments: { filename: string; content: string; content_type: string }[] };
    expect(body.to).toBe("controller@northwind.example");
    expect(body.attachments).toEqual([{ filename: `aging-USD-${day}.csv`, content: expect.any(String), content_type: "text/csv; charset=utf-8" }]);
    expect(decode(body.attachments[0]!.content)).toMatch(/total,Total,,USD,500\.00,1234\.56/);
  });
});
