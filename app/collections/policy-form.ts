import { z } from "zod";
import { formatMoney, parseAmount, parsePercentToBps, formatBps } from "~/money/money";
import type { FieldErrors } from "~/utils/validation";
import { reminderTones, stepActions, stepsSchema, type LateFee, type PolicyStep, type ReminderTone } from "./policy";

/**
 * The dunning policy editor as a browser posts it. Steps are rows named `steps.<i>.<field>`:
 * a timing ("before" or "after" the due date) and a whole number of days instead of a signed
 * offset, the action, and the fields that action needs. Pure, so the page also uses it for its
 * live preview.
 */

export const stepFields = ["id", "timing", "days", "action", "template", "taskTitle", "feeType", "feeAmount", "feePercent", "feeCap", "feeRepeat"] as const;
export type StepField = (typeof stepFields)[number];
export type StepFormValues = Record<StepField, string>;

export type PolicyFormValues = { name: string; description: string; isDefault: boolean; segments: string; steps: StepFormValues[] };

/** A step as saved: an id only for a step the policy already has (new ones get theirs on save). */
export type StepInput = Omit<PolicyStep, "id"> & { id: string | null };
export type PolicyInput = { name: string; description: string | null; isDefault: boolean; segments: string[]; steps: StepInput[] };

export const MAX_STEPS = 30;
const MAX_SEGMENTS = 50;

export const stepFieldName = (index: number, field: StepField) => `steps.${index}.${field}`;

export const blankStep = (): StepFormValues => ({
  id: "",
  timing: "after",
  days: "",
  action: "email",
  template: "reminder",
  taskTitle: "",
  feeType: "percent",
  feeAmount: "",
  feePercent: "",
  feeCap: "",
  feeRepeat: "",
});

/** A stored step as the editor's row. */
export function stepToForm(step: PolicyStep): StepFormValues {
  const fee = step.fee;
  return {
    ...blankStep(),
    id: step.id,
    timing: step.offsetDays < 0 ? "before" : "after",
    days: String(Math.abs(step.offsetDays)),
    action: step.action,
    template: step.template ?? "reminder",
    taskTitle: step.taskTitle ?? "",
    feeType: fee?.type ?? "percent",
    feeAmount: fee?.amount ?? "",
    feePercent: fee?.percentBps ? formatBps(fee.percentBps).replace("%", "") : "",
    feeCap: fee?.cap ?? "",
    feeRepeat: fee?.repeatEveryDays ? String(fee.repeatEveryDays) : "",
  };
}

export function policyToForm(policy: { name: string; description: string | null; isDefault: boolean; segments: string[]; steps: PolicyStep[] } | null): PolicyFormValues {
  if (!policy) return { name: "", description: "", isDefault: false, segments: "", steps: [blankStep()] };
  return { name: policy.name, description: policy.description ?? "", isDefault: policy.isDefault, segments: policy.segments.join(", "), steps: policy.steps.map(stepToForm) };
}

const text = (formData: FormData, name: string) => {
  const value = formData.get(name);
  return typeof value === "string" ? value : "";
};

/** The rows as posted, in the order of their indices (rows removed in the browser leave gaps). */
export function readStepRows(formData: FormData): StepFormValues[] {
  const indices = new Set<number>();
  for (const key of formData.keys()) {
    const match = /^steps\.(\d{1,3})\.[a-zA-Z]+$/.exec(key);
    if (match) indices.add(Number(match[1]));
  }
  return [...indices]
    .sort((a, b) => a - b)
    .slice(0, MAX_STEPS + 1)
    .map((i) => Object.fromEntries(stepFields.map((field) => [field, text(formData, stepFieldName(i, field))])) as StepFormValues);
}

export function readPolicyForm(formData: FormData): PolicyFormValues {
  return {
    name: text(formData, "name"),
    description: text(formData, "description"),
    isDefault: formData.get("isDefault") === "on",
    segments: text(formData, "segments"),
    steps: readStepRows(formData),
  };
}

const lowerFirst = (message: string) => message.charAt(0).toLowerCase() + message.slice(1);
/** "Step 2: days cannot be negative": every step's message names its step, once. */
const stepMessage = (index: number, message: string) => (/^Step \d+:/.test(message) ? message : `Step ${index + 1}: ${lowerFirst(message)}`);

type RowResult = { ok: true; step: StepInput } | { ok: false; errors: FieldErrors };

/** One row into a step, checking what can be checked of the row alone. */
export function parseStepRow(row: StepFormValues, index: number): RowResult {
  const errors: FieldErrors = {};
  const fail = (field: StepField, message: string) => (errors[stepFieldName(index, field)] ??= stepMessage(index, message));

  const timing = row.timing === "before" || row.timing === "after" ? row.timing : null;
  if (!timing) fail("timing", "choose before or after the due date");
  const daysText = row.days.trim();
  let days = 0;
  if (daysText === "") fail("days", "days are required (0 is the due date itself)");
  else if (/^-\s*\d+$/.test(daysText)) fail("days", "days cannot be negative");
  else if (!/^\d{1,4}$/.test(daysText)) fail("days", "days must be a whole number, like 7");
  else days = Number(daysText);

  const action = (stepActions as readonly string[]).includes(row.action) ? (row.action as PolicyStep["action"]) : null;
  if (!action) fail("action", "choose what the step does");

  const step: StepInput = { id: row.id.trim() || null, offsetDays: timing === "before" && days > 0 ? -days : days, action: action ?? "email" };
  if (action === "email") {
    if ((reminderTones as readonly string[]).includes(row.template)) step.template = row.template as ReminderTone;
    else fail("template", "choose the email to send");
  }
  if (action === "task") {
    const title = row.taskTitle.trim();
    if (!title) fail("taskTitle", "a task needs a title");
    else step.taskTitle = title;
  }
  if (action === "late_fee") {
    const fee = parseFeeFields(row, index, fail);
    if (fee) step.fee = fee;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, step };
}

function parseFeeFields(row: StepFormValues, index: number, fail: (field: StepField, message: string) => void): LateFee | null {
  if (row.feeType !== "flat" && row.feeType !== "percent") {
    fail("feeType", "choose a flat fee or a percentage");
    return null;
  }
  let percentBps: number | null = null;
  if (row.feeType === "percent") {
    const parsed = parsePercentToBps(row.feePercent);
    if (row.feePercent.trim() === "") fail("feePercent", "a percentage fee needs a percent, like 1.5");
    else if (!parsed.ok) fail("feePercent", "fee percent must be a percentage like 1.5");
    else percentBps = parsed.bps;
  }
  const repeatText = row.feeRepeat.trim();
  let repeatEveryDays: number | null = null;
  if (repeatText !== "") {
    if (!/^\d{1,4}$/.test(repeatText)) fail("feeRepeat", "repeat every must be a whole number of days, or blank for once per invoice");
    else repeatEveryDays = Number(repeatText);
  }
  // The decimal amounts keep their text: the schema checks them, and they are read in each invoice's currency.
  return {
    type: row.feeType,
    amount: row.feeType === "flat" ? row.feeAmount.trim() || null : null,
    percentBps,
    cap: row.feeCap.trim() === "" ? null : row.feeCap.trim(),
    repeatEveryDays,
  };
}

const stepPathFields: Record<string, StepField> = { offsetDays: "days", action: "action", template: "template", taskTitle: "taskTitle", fee: "feeType", id: "action" };
const feePathFields: Record<string, StepField> = { type: "feeType", amount: "feeAmount", percentBps: "feePercent", cap: "feeCap", repeatEveryDays: "feeRepeat" };

/** Where a `stepsSchema` issue belongs on the form: `steps.2.days`, `steps.0.feeAmount`, or `steps` for the whole list. */
export function stepIssueField(path: readonly PropertyKey[]): string {
  const [index, key, sub] = path;
  if (typeof index !== "number") return "steps";
  if (key === "fee" && typeof sub === "string" && feePathFields[sub]) return stepFieldName(index, feePathFields[sub]);
  const field = typeof key === "string" ? stepPathFields[key] : undefined;
  return field ? stepFieldName(index, field) : "steps";
}

/** A `stepsSchema` failure as field errors, each message naming its step. */
export function stepsErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const index = issue.path[0];
    const field = stepIssueField(issue.path);
    errors[field] ??= typeof index === "number" ? stepMessage(index, issue.message) : issue.message;
  }
  return errors;
}

const nameSchema = z.string().trim().min(1, "Name is required").max(100, "Name must be at most 100 characters");
const descriptionSchema = z.string().trim().max(500, "Description must be at most 500 characters");

/** "Retail, wholesale ,retail" -> ["Retail", "wholesale"]: trimmed, blanks dropped, repeats (any case) once. */
export function parseSegments(input: string): { ok: true; segments: string[] } | { ok: false; message: string } {
  const seen = new Set<string>();
  const segments: string[] = [];
  for (const raw of input.split(",")) {
    const segment = raw.trim();
    if (!segment || seen.has(segment.toLowerCase())) continue;
    if (segment.length > 60) return { ok: false, message: `Segment “${segment.slice(0, 20)}…” must be at most 60 characters` };
    seen.add(segment.toLowerCase());
    segments.push(segment);
  }
  if (segments.length > MAX_SEGMENTS) return { ok: false, message: `A policy can name at most ${MAX_SEGMENTS} segments` };
  return { ok: true, segments };
}

export type PolicyFormResult = { ok: true; data: PolicyInput } | { ok: false; errors: FieldErrors; message: string };

/** The editor's form into `savePolicy`'s input, or errors by field name (`name`, `segments`, `steps.<i>.<field>`, `steps`). */
export function parsePolicyForm(formData: FormData): PolicyFormResult {
  const values = readPolicyForm(formData);
  const errors: FieldErrors = {};
  const name = nameSchema.safeParse(values.name);
  if (!name.success) errors.name = name.error.issues[0]!.message;
  const description = descriptionSchema.safeParse(values.description);
  if (!description.success) errors.description = description.error.issues[0]!.message;
  const segments = parseSegments(values.segments);
  if (!segments.ok) errors.segments = segments.message;

  if (values.steps.length > MAX_STEPS) errors.steps = `A policy can have at most ${MAX_STEPS} steps`;
  const steps: StepInput[] = [];
  values.steps.slice(0, MAX_STEPS).forEach((row, i) => {
    const parsed = parseStepRow(row, i);
    if (parsed.ok) steps.push(parsed.step);
    else Object.assign(errors, parsed.errors);
  });
  // The rules across steps (overlaps, one late fee, only emails before due) once each row reads.
  if (Object.keys(errors).length === 0) {
    const checked = stepsSchema.safeParse(withTemporaryIds(steps));
    if (!checked.success) Object.assign(errors, stepsErrors(checked.error));
  }
  if (Object.keys(errors).length > 0) {
    const count = Object.keys(errors).length;
    return { ok: false, errors, message: count === 1 ? Object.values(errors)[0]! : `${count} fields need attention; each is marked below.` };
  }
  return { ok: true, data: { name: name.data!, description: description.data || null, isDefault: values.isDefault, segments: segments.ok ? segments.segments : [], steps } };
}

/** The schema wants an id on every step; a new row is checked under a stand-in. */
export const withTemporaryIds = (steps: StepInput[]): PolicyStep[] => steps.map((step, i) => ({ ...step, id: step.id ?? `new-${i}` }));

// --- The timeline in words -------------------------------------------------------------------

const emailWords: Record<ReminderTone, string> = { upcoming: "friendly heads-up email", reminder: "reminder", firm: "firm reminder", final: "final notice" };

/** "3 days before due", "on the due date", "1 day after". */
export function whenWords(offsetDays: number): string {
  const n = Math.abs(offsetDays);
  const days = `${n} day${n === 1 ? "" : "s"}`;
  if (offsetDays === 0) return "On the due date";
  return offsetDays < 0 ? `${days} before due` : `${days} after`;
}

/** A policy's decimal amount in `currency` ("$200.00"), or as typed when the policy serves several currencies. */
function amountWords(decimal: string, currency: string | null): string {
  if (currency) {
    const parsed = parseAmount(decimal, currency);
    if (parsed.ok) return formatMoney(parsed.amountMinor, currency);
  }
  return `${decimal} in the invoice's currency`;
}

export function feeWords(fee: LateFee, currency: string | null): string {
  const base = fee.type === "flat" ? `late fee of ${amountWords(fee.amount ?? "0", currency)}` : `late fee ${formatBps(fee.percentBps ?? 0)} of the overdue amount`;
  const parts = [base];
  if (fee.repeatEveryDays) parts.push(`every ${fee.repeatEveryDays} day${fee.repeatEveryDays === 1 ? "" : "s"}`);
  if (fee.cap) parts.push(`capped at ${amountWords(fee.cap, currency)}`);
  return parts.join(", ");
}

/** What a step does, in words: "friendly heads-up email", "task for a clerk: Call them". */
export function actionWords(step: Pick<PolicyStep, "action" | "template" | "taskTitle" | "fee">, currency: string | null): string {
  switch (step.action) {
    case "email":
      return step.template ? emailWords[step.template] : "email";
    case "task":
      return `task for a clerk${step.taskTitle ? `: ${step.taskTitle}` : ""}`;
    case "late_fee":
      return step.fee ? feeWords(step.fee, currency) : "late fee";
    case "credit_hold":
      return "credit hold";
    case "escalate":
      return "escalate to an agency";
  }
}

/** "3 days before due: friendly heads-up email" */
export const stepWords = (step: Pick<PolicyStep, "offsetDays" | "action" | "template" | "taskTitle" | "fee">, currency: string | null) =>
  `${whenWords(step.offsetDays)}: ${actionWords(step, currency)}`;

/** The steps in order of their day, each in words. */
export function timelineWords(steps: Pick<PolicyStep, "offsetDays" | "action" | "template" | "taskTitle" | "fee">[], currency: string | null): string[] {
  return [...steps].sort((a, b) => a.offsetDays - b.offsetDays).map((step) => stepWords(step, currency));
}
