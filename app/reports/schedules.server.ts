import { and, desc, eq, isNull, lt, or } from "drizzle-orm";
import { reportSchedules, staffUsers } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit } from "~/audit/audit.server";
import { listCustomerCurrencies } from "~/customers/customers.server";
import { enqueueEmail, type EmailAttachmentInput } from "~/email/outbox.server";
import type { StaffActor } from "~/ledger/actor";
import { formatMoney } from "~/money/money";
import { getCompanySettings } from "~/settings/settings.server";
import { today, type IsoDate } from "~/utils/dates";
import { appUrl } from "~/utils/env.server";
import { DomainError } from "~/utils/errors";
import type { FieldErrors } from "~/utils/validation";
import type { ScheduledReportSection } from "~emails/scheduled-report";
import { agingSearchString, parseAgingSearch } from "./aging-params";
import { agingCsv, agingReportAllRows } from "./aging.server";
import { behaviourCsv, gradeCounts } from "./behaviour.server";
import { cashForecast, forecastCsv, forecastCurrencies } from "./forecast.server";
import { receivableCurrencies } from "./ledger-daily.server";
import { metricsCsv, parseMetricsSearch, receivablesMetrics } from "./metrics.server";
import type { MetricUnit } from "./metrics";
import { riskGradeLabels, riskGrades } from "./risk";
import { isScheduleReport, parseReportParams, parseScheduleForm, scheduleParamsWords, scheduleReports, weekdayName, type ScheduleReport } from "./schedule-form";

/**
 * Reports emailed weekly (issue 7): admins keep the schedules; `sendDueReports`, run by a job,
 * sends each due one once on its weekday, to each recipient, with the headline figures in the
 * body, a link to the report page with the same parameters, and the report's CSV attached.
 */

type ReportSchedule = typeof reportSchedules.$inferSelect;

// Resend takes 40 MB an email after base64; a report bigger than this is better opened than mailed.
export const CSV_ATTACHMENT_LIMIT_BYTES = 5 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Schedules: list, create, pause and resume, delete. Every change is audited.

export type ReportScheduleListRow = {
  id: string;
  report: string;
  reportTitle: string;
  parameters: string;
  recipients: string[];
  weekday: number;
  weekdayName: string;
  active: boolean;
  lastSentOn: IsoDate | null;
  createdAt: Date;
  createdByName: string | null;
};

export async function listReportSchedules(db: Db = getDb()): Promise<ReportScheduleListRow[]> {
  const rows = await db
    .select({ schedule: reportSchedules, createdByName: staffUsers.name })
    .from(reportSchedules)
    .leftJoin(staffUsers, eq(staffUsers.id, reportSchedules.createdBy))
    .orderBy(desc(reportSchedules.createdAt), desc(reportSchedules.id));
  return rows.map(({ schedule: s, createdByName }) => ({
    id: s.id,
    report: s.report,
    reportTitle: isScheduleReport(s.report) ? scheduleReports[s.report] : s.report,
    parameters: scheduleParamsWords(s.report, s.params),
    recipients: s.recipients,
    weekday: s.weekday,
    weekdayName: weekdayName(s.weekday),
    active: s.active,
    lastSentOn: s.lastSentOn,
    createdAt: s.createdAt,
    createdByName,
  }));
}

/** The currencies the schedule form offers: those the books have moved and those customers are billed in. */
export async function scheduleCurrencies(db: Db = getDb()): Promise<string[]> {
  const [books, billed] = await Promise.all([receivableCurrencies(db), listCustomerCurrencies(db)]);
  return [...new Set([...books, ...billed])].sort();
}

const auditView = (s: ReportSchedule) => ({ report: s.report, params: s.params, recipients: s.recipients, weekday: s.weekday, active: s.active });

/**
 * Saves a schedule from the form's fields (see schedule-form.ts). Bad input saves nothing and
 * answers each field's problem.
 */
export async function createReportSchedule(
  input: Record<string, unknown>,
  actor: StaffActor,
  db: Db = getDb(),
): Promise<{ ok: true; schedule: ReportSchedule } | { ok: false; errors: FieldErrors }> {
  const parsed = parseScheduleForm(input);
  if (!parsed.ok) return parsed;
  const { report, params, recipients, weekday } = parsed.data;
  return db.transaction(async (tx) => {
    const [schedule] = await tx.insert(reportSchedules).values({ report, params, recipients, weekday, createdBy: actor.id }).returning();
    await recordAudit({ actor, action: "reports.schedule_create", entityType: "report_schedule", entityId: schedule!.id, after: auditView(schedule!) }, tx);
    return { ok: true as const, schedule: schedule! };
  });
}

async function lockSchedule(scheduleId: string, tx: Db) {
  const [schedule] = await tx.select().from(reportSchedules).where(eq(reportSchedules.id, scheduleId)).for("update");
  if (!schedule) throw new DomainError("not_found", "Schedule not found");
  return schedule;
}

/** Pauses (no email until resumed) or resumes a schedule; doing what is already done changes nothing. */
export async function setReportScheduleActive({ scheduleId, active }: { scheduleId: string; active: boolean }, actor: StaffActor, db: Db = getDb()) {
  return db.transaction(async (tx) => {
    const schedule = await lockSchedule(scheduleId, tx);
    if (schedule.active === active) return schedule;
    const [updated] = await tx.update(reportSchedules).set({ active }).where(eq(reportSchedules.id, scheduleId)).returning();
    await recordAudit(
      { actor, action: active ? "reports.schedule_resume" : "reports.schedule_pause", entityType: "report_schedule", entityId: scheduleId, before: { active: schedule.active }, after: { active } },
      tx,
    );
    return updated!;
  });
}

export async function deleteReportSchedule(scheduleId: string, actor: StaffActor, db: Db = getDb()) {
  return db.transaction(async (tx) => {
    const schedule = await lockSchedule(scheduleId, tx);
    await tx.delete(reportSchedules).where(eq(reportSchedules.id, scheduleId));
    await recordAudit({ actor, action: "reports.schedule_delete", entityType: "report_schedule", entityId: scheduleId, before: auditView(schedule) }, tx);
    return schedule;
  });
}

// ---------------------------------------------------------------------------------------------
// Building a report for the email: headline figures, the page's address, the CSV files.

export type BuiltReport = {
  title: string;
  parameters: string;
  sections: ScheduledReportSection[];
  /** The report page with the same parameters, from the site root. */
  path: string;
  files: { filename: string; content: string }[];
};

/** A metric's value as the metrics page shows it: "42.5 days", "87.5%". */
function formatMetric(value: number | null, unit: MetricUnit): string {
  if (value === null) return "No data";
  const number = value.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return unit === "percent" ? `${number}%` : `${number} ${value === 1 ? "day" : "days"}`;
}

function badParams(report: string, errors: FieldErrors): never {
  throw new DomainError("invalid", `The schedule's ${report} parameters are not valid: ${Object.values(errors).join("; ")}`);
}

/** Reads a CSV made in parts up to `limit` bytes; past it, the rest is not read (it will not be attached). */
async function collect(parts: AsyncIterable<string>, limit: number): Promise<string> {
  let text = "";
  for await (const part of parts) {
    text += part;
    if (Buffer.byteLength(text) > limit) break;
  }
  return text;
}

export async function buildScheduledReport(
  { report, params }: { report: ScheduleReport; params: Record<string, string> },
  asOf: IsoDate,
  db: Db = getDb(),
  { readLimitBytes = CSV_ATTACHMENT_LIMIT_BYTES }: { readLimitBytes?: number } = {},
): Promise<BuiltReport> {
  const checked = parseReportParams(report, params);
  if (!checked.ok) badParams(report, checked.errors);
  const title = scheduleReports[report];
  switch (report) {
    case "aging": {
      const parsed = parseAgingSearch(new URLSearchParams({ ...checked.params, as_of: asOf }), asOf);
      if (!parsed.ok) badParams(report, parsed.errors);
      const aging = await agingReportAllRows(parsed.query, db);
      const sections = aging.totals.map((t) => {
        const money = (minor: number) => formatMoney(minor, t.currency);
        return {
          heading: t.currency,
          figures: [
            ...aging.columns.map((c, i) => ({ label: c.label, value: money(t.bucketsMinor[i] ?? 0) })),
            { label: "Total open", value: money(t.totalMinor) },
            { label: "Overdue", value: money(t.overdueMinor) },
            { label: "Disputed", value: money(t.disputedMinor) },
            { label: "In payment plans", value: money(t.plannedMinor) },
          ],
        };
      });
      return {
        title,
        parameters: scheduleParamsWords(report, checked.params),
        sections,
        path: `/staff/reports/aging?${agingSearchString(parsed.query)}`,
        files: [{ filename: `aging-${parsed.query.currency ? `${parsed.query.currency}-` : ""}${asOf}.csv`, content: agingCsv(aging) }],
      };
    }
    case "metrics": {
      const parsed = parseMetricsSearch(new URLSearchParams({ ...checked.params, end: asOf }), asOf);
      if (!parsed.ok) badParams(report, parsed.errors);
      const metrics = await receivablesMetrics(parsed.query, db);
      const search = new URLSearchParams({ end: asOf, period: metrics.period, currency: metrics.currency });
      return {
        title,
        parameters: scheduleParamsWords(report, { ...checked.params, currency: metrics.currency }),
        sections: [
          {
            heading: `${metrics.currency}, ${metrics.periodStart} to ${metrics.periodEnd}`,
            figures: metrics.metrics.map((m) => ({ label: m.label, value: formatMetric(m.value, m.unit), note: m.definition })),
          },
        ],
        path: `/staff/reports/metrics?${search.toString()}`,
        files: [{ filename: `metrics-${metrics.currency}-${asOf}.csv`, content: metricsCsv(metrics) }],
      };
    }
    case "forecast": {
      const currencies = checked.params.currency ? [checked.params.currency] : await forecastCurrencies(db);
      const sections: ScheduledReportSection[] = [];
      const files: BuiltReport["files"] = [];
      for (const currency of currencies) {
        const forecast = await cashForecast({ asOf, currency }, db);
        const money = (minor: number) => formatMoney(minor, currency);
        const firstWeeks = (n: number) => forecast.weeks.slice(0, n).reduce((sum, w) => sum + w.expectedMinor, 0);
        sections.push({
          heading: currency,
          figures: [
            { label: `This week (from ${forecast.weeks[0]?.weekStart ?? asOf})`, value: money(firstWeeks(1)) },
            { label: "Next 4 weeks", value: money(firstWeeks(4)) },
            { label: `Next ${forecast.weeks.length} weeks`, value: money(forecast.totalMinor) },
            { label: "Beyond", value: money(forecast.beyond.expectedMinor) },
            { label: "Not expected (collectability)", value: money(forecast.doubtfulMinor) },
            { label: "Disputed, left out", value: money(forecast.disputedMinor) },
          ],
        });
        files.push({ filename: `forecast-${currency}-${asOf}.csv`, content: await forecastCsv({ asOf, currency }, db) });
      }
      return {
        title,
        parameters: scheduleParamsWords(report, checked.params),
        sections,
        path: `/staff/reports/forecast${currencies.length === 1 ? `?currency=${currencies[0]}` : ""}`,
        files,
      };
    }
    case "behaviour": {
      const grade = checked.params.grade as (typeof riskGrades)[number] | undefined;
      const counts = await gradeCounts(db);
      const shown = grade ? [grade] : riskGrades;
      return {
        title,
        parameters: scheduleParamsWords(report, checked.params),
        sections: [
          {
            heading: "Customers by risk grade",
            figures: shown.map((g) => ({ label: `${g}: ${riskGradeLabels[g]}`, value: counts[g].toLocaleString("en-US") })),
          },
        ],
        path: `/staff/reports/behaviour${grade ? `?grade=${grade}` : ""}`,
        files: [{ filename: `payment-behaviour-${asOf}.csv`, content: await collect(behaviourCsv(grade ? { grade } : {}, db), readLimitBytes) }],
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Sending: each due schedule once on its weekday, even with several instances running the job.

/** 1 = Monday … 7 = Sunday, of a UTC calendar day. */
export const isoWeekday = (date: IsoDate) => ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;

const fileSize = (bytes: number) =>
  bytes < 1024 ? `${bytes} bytes` : bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / (1024 * 1024)).toLocaleString("en-US", { maximumFractionDigits: 1 })} MB`;

export type SendDueReportsResult = { date: IsoDate; schedules: number; emails: number; failed: { scheduleId: string; error: string }[] };

/**
 * Sends every active schedule whose weekday is today's (UTC) and that has not been sent today.
 * Each schedule is sent in its own transaction, which locks its row (`FOR UPDATE SKIP LOCKED`:
 * another instance running the job at the same time passes it by), builds the report as of
 * today, enqueues one email per recipient (dedupe key `report:<id>:<date>:<recipient>`) and sets
 * `last_sent_on`, so a schedule is sent at most once a day. A schedule that fails is logged and
 * left for the next run; the others are sent.
 */
export async function sendDueReports(
  { now = new Date(), attachmentLimitBytes = CSV_ATTACHMENT_LIMIT_BYTES }: { now?: Date; attachmentLimitBytes?: number } = {},
  db: Db = getDb(),
): Promise<SendDueReportsResult> {
  const date = today("UTC", now);
  const weekday = isoWeekday(date);
  const notSentToday = and(eq(reportSchedules.active, true), eq(reportSchedules.weekday, weekday), or(isNull(reportSchedules.lastSentOn), lt(reportSchedules.lastSentOn, date)));
  const due = await db.select({ id: reportSchedules.id }).from(reportSchedules).where(notSentToday).orderBy(reportSchedules.createdAt);
  const result: SendDueReportsResult = { date, schedules: 0, emails: 0, failed: [] };
  for (const { id } of due) {
    try {
      const sent = await db.transaction(async (tx) => {
        const [schedule] = await tx
          .select()
          .from(reportSchedules)
          .where(and(eq(reportSchedules.id, id), notSentToday))
          .for("update", { skipLocked: true });
        // Sent meanwhile, paused, deleted, or being sent by another instance right now.
        if (!schedule) return null;
        return sendSchedule(schedule, date, { attachmentLimitBytes }, tx);
      });
      if (sent !== null) {
        result.schedules++;
        result.emails += sent;
      }
    } catch (error) {
      console.error(`[reports] schedule ${id} could not be sent:`, error);
      result.failed.push({ scheduleId: id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}

async function sendSchedule(schedule: ReportSchedule, date: IsoDate, { attachmentLimitBytes }: { attachmentLimitBytes: number }, tx: Db): Promise<number> {
  if (!isScheduleReport(schedule.report)) throw new DomainError("invalid", `Unknown report "${schedule.report}"`);
  const built = await buildScheduledReport({ report: schedule.report, params: schedule.params }, date, tx, { readLimitBytes: attachmentLimitBytes });
  const bytes = built.files.reduce((sum, f) => sum + Buffer.byteLength(f.content), 0);
  const attach = bytes <= attachmentLimitBytes;
  const attachments: EmailAttachmentInput[] = attach ? built.files.map((f) => ({ filename: f.filename, contentType: "text/csv; charset=utf-8", content: f.content })) : [];
  const base = appUrl();
  const props = {
    brand: await getCompanySettings(tx),
    reportTitle: built.title,
    asOf: date,
    parameters: built.parameters,
    weekday: weekdayName(schedule.weekday),
    sections: built.sections,
    reportUrl: `${base}${built.path}`,
    attachedFiles: attachments.map((a) => a.filename),
    notAttachedReason: attach
      ? null
      : `The CSV is over ${fileSize(attachmentLimitBytes)}, too large to attach. Open the report with the button above and download the CSV there.`,
    manageUrl: `${base}/staff/reports/schedules`,
  };
  let enqueued = 0;
  for (const to of schedule.recipients) {
    const id = await enqueueEmail(
      {
        template: "scheduled-report",
        props,
        to,
        dedupeKey: `report:${schedule.id}:${date}:${to}`,
        metadata: { scheduleId: schedule.id, report: schedule.report, asOf: date, attached: attach, csvBytes: bytes },
        attachments,
      },
      tx,
    );
    if (id) enqueued++;
  }
  await tx.update(reportSchedules).set({ lastSentOn: date }).where(eq(reportSchedules.id, schedule.id));
  return enqueued;
}
