import { z } from "zod";
import { blankToUndefined, currencyParam } from "~/utils/search-params";
import { emailSchema, fieldErrors, type FieldErrors } from "~/utils/validation";
import { agingGroups, agingSearchSchema, DEFAULT_EDGES } from "./aging-params";
import { riskGradeLabels, riskGrades } from "./risk";

/**
 * The form that schedules a report to be emailed weekly, and the words that describe a schedule.
 * Pure: the page's form and schedules.server.ts read the same schema. A report's parameters are
 * stored under the names its own page reads from the query string (basis, buckets, group,
 * currency; period; grade), so the email's link is the page with the same parameters. The date
 * (as of, period end) is never stored: it is always the day the email is sent.
 */

export const scheduleReports = {
  aging: "Aging report",
  metrics: "Receivables metrics",
  forecast: "Cash forecast",
  behaviour: "Customer payment behaviour",
} as const;
export type ScheduleReport = keyof typeof scheduleReports;
export const scheduleReportKeys = Object.keys(scheduleReports) as ScheduleReport[];

/** ISO weekdays: 1 = Monday … 7 = Sunday. */
export const weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;
export const weekdayName = (weekday: number) => weekdayNames[weekday - 1] ?? `day ${weekday}`;

export const MAX_RECIPIENTS = 20;

/** What the form sends, as typed: each report's own fields carry its name as a prefix. */
export type ScheduleFormValues = {
  report: string;
  weekday: string;
  recipients: string;
  aging_basis: string;
  aging_buckets: string;
  aging_group: string;
  aging_currency: string;
  metrics_period: string;
  metrics_currency: string;
  forecast_currency: string;
  behaviour_grade: string;
};

export const emptyScheduleForm = (): ScheduleFormValues => ({
  report: "aging",
  weekday: "1",
  recipients: "",
  aging_basis: "due",
  aging_buckets: DEFAULT_EDGES.join(","),
  aging_group: "customer",
  aging_currency: "",
  metrics_period: "month",
  metrics_currency: "",
  forecast_currency: "",
  behaviour_grade: "",
});

export function readScheduleForm(input: Record<string, unknown>): ScheduleFormValues {
  const values = emptyScheduleForm();
  for (const key of Object.keys(values) as (keyof ScheduleFormValues)[]) {
    const value = input[key];
    if (typeof value === "string") values[key] = value;
  }
  return values;
}

export type ScheduleInput = { report: ScheduleReport; params: Record<string, string>; recipients: string[]; weekday: number };

const currencySchema = currencyParam();

const recipientsSchema = z
  .string({ message: "Recipients are required" })
  .transform((text, ctx) => {
    const parts = text
      .split(/[,;\s]+/)
      .map((part) => part.trim())
      .filter(Boolean);
    if (parts.length === 0) {
      ctx.addIssue({ code: "custom", message: "Recipients are required: one or more email addresses, separated by commas" });
      return z.NEVER;
    }
    const emails: string[] = [];
    for (const part of parts) {
      const parsed = emailSchema.safeParse(part);
      if (!parsed.success) {
        ctx.addIssue({ code: "custom", message: `“${part.slice(0, 80)}” is not an email address like name@example.com` });
        return z.NEVER;
      }
      if (!emails.includes(parsed.data)) emails.push(parsed.data);
    }
    if (emails.length > MAX_RECIPIENTS) {
      ctx.addIssue({ code: "custom", message: `Recipients can be at most ${MAX_RECIPIENTS} addresses (${emails.length} given)` });
      return z.NEVER;
    }
    return emails;
  });

const weekdaySchema = z.preprocess(
  blankToUndefined,
  z.coerce
    .number({ message: "Weekday must be a day from Monday to Sunday" })
    .int("Weekday must be a day from Monday to Sunday")
    .min(1, "Weekday must be a day from Monday to Sunday")
    .max(7, "Weekday must be a day from Monday to Sunday"),
);

// The aging page's own rules for its options, so a schedule accepts what the page accepts (the
// as-of date is left out: it is always the day of sending).
const agingOptionsSchema = agingSearchSchema("9999-12-31").pick({ basis: true, buckets: true, group: true, currency: true });

const metricsOptionsSchema = z.object({
  period: z.preprocess(blankToUndefined, z.enum(["month", "quarter"], { message: "Period must be month or quarter" }).default("month")),
  currency: currencySchema,
});

const forecastOptionsSchema = z.object({ currency: currencySchema });

const behaviourOptionsSchema = z.object({
  grade: z.preprocess(blankToUndefined, z.enum(riskGrades, { message: `Grade must be one of ${riskGrades.join(", ")}` }).optional()),
});

/** A report's parameters in their stored form (only what differs from nothing is kept). */
function compact(params: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ""));
}

/**
 * A report's parameters, from the form (with `prefix`, "aging_") or from a stored schedule
 * (prefix ""), checked and put in their stored form. Errors are keyed by the field as named in
 * the form the input came from.
 */
export function parseReportParams(report: ScheduleReport, input: Record<string, unknown>, prefix = ""): { ok: true; params: Record<string, string> } | { ok: false; errors: FieldErrors } {
  const read = (name: string) => input[`${prefix}${name}`];
  const fail = (error: z.ZodError) => {
    const errors: FieldErrors = {};
    for (const [field, message] of Object.entries(fieldErrors(error))) errors[field === "form" ? field : `${prefix}${field}`] = message;
    return { ok: false as const, errors };
  };
  switch (report) {
    case "aging": {
      const parsed = agingOptionsSchema.safeParse({ basis: read("basis"), buckets: read("buckets"), group: read("group"), currency: read("currency") });
      if (!parsed.success) return fail(parsed.error);
      const { basis, buckets, group, currency } = parsed.data;
      return { ok: true, params: compact({ basis, buckets: buckets.join(","), group, currency }) };
    }
    case "metrics": {
      const parsed = metricsOptionsSchema.safeParse({ period: read("period"), currency: read("currency") });
      if (!parsed.success) return fail(parsed.error);
      return { ok: true, params: compact(parsed.data) };
    }
    case "forecast": {
      const parsed = forecastOptionsSchema.safeParse({ currency: read("currency") });
      if (!parsed.success) return fail(parsed.error);
      return { ok: true, params: compact(parsed.data) };
    }
    case "behaviour": {
      const parsed = behaviourOptionsSchema.safeParse({ grade: read("grade") });
      if (!parsed.success) return fail(parsed.error);
      return { ok: true, params: compact(parsed.data) };
    }
  }
}

export const scheduleFormSchema = z.object({
  report: z.enum(scheduleReportKeys as [ScheduleReport, ...ScheduleReport[]], { message: `Report must be one of: ${Object.values(scheduleReports).join(", ")}` }),
  weekday: weekdaySchema,
  recipients: recipientsSchema,
});

/** The whole form: every field's problem at once, or the schedule to save. */
export function parseScheduleForm(input: Record<string, unknown>): { ok: true; data: ScheduleInput } | { ok: false; errors: FieldErrors } {
  const parsed = scheduleFormSchema.safeParse(input);
  const errors: FieldErrors = parsed.success ? {} : fieldErrors(parsed.error);
  const report = z.enum(scheduleReportKeys as [ScheduleReport, ...ScheduleReport[]]).safeParse(input.report);
  const params = report.success ? parseReportParams(report.data, input, `${report.data}_`) : null;
  if (params && !params.ok) Object.assign(errors, params.errors);
  if (!parsed.success || !params?.ok) return { ok: false, errors };
  return { ok: true, data: { report: parsed.data.report, weekday: parsed.data.weekday, recipients: parsed.data.recipients, params: params.params } };
}

export const isScheduleReport = (value: string): value is ScheduleReport => (scheduleReportKeys as string[]).includes(value);

/** A schedule's parameters as a sentence part: "aged by due date, buckets 30, 60, 90, by customer, all currencies". */
export function scheduleParamsWords(report: string, params: Record<string, string>): string {
  const currency = params.currency ? `${params.currency} only` : "all currencies";
  switch (report) {
    case "aging": {
      const group = agingGroups[params.group as keyof typeof agingGroups] ?? agingGroups.customer;
      const buckets = (params.buckets ?? DEFAULT_EDGES.join(",")).split(",").join(", ");
      return `aged by ${params.basis === "invoice" ? "invoice date" : "due date"}, buckets ${buckets} days, by ${group.toLowerCase()}, ${currency}`;
    }
    case "metrics":
      return `the ${params.period === "quarter" ? "quarter" : "month"} to date and its trend, ${params.currency ?? "main currency"}`;
    case "forecast":
      return `the next 13 weeks, ${params.currency ? params.currency : "each currency customers are billed in"}`;
    case "behaviour":
      return params.grade && params.grade in riskGradeLabels
        ? `customers graded ${params.grade} (${riskGradeLabels[params.grade as keyof typeof riskGradeLabels]})`
        : "every graded customer";
    default:
      return Object.entries(params)
        .map(([key, value]) => `${key} ${value}`)
        .join(", ");
  }
}
