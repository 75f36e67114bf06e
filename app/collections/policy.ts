import { z } from "zod";

/** The reminder emails a step can send, mildest first; the day's email takes the sternest due. */
export const reminderTones = ["upcoming", "reminder", "firm", "final"] as const;
export type ReminderTone = (typeof reminderTones)[number];
export const toneLabels: Record<ReminderTone, string> = {
  upcoming: "Friendly heads-up (before due)",
  reminder: "Reminder",
  firm: "Firm reminder",
  final: "Final notice",
};

export const stepActions = ["email", "task", "late_fee", "credit_hold", "escalate"] as const;
export type StepAction = (typeof stepActions)[number];
export const actionLabels: Record<StepAction, string> = {
  email: "Email the customer",
  task: "Task for a clerk",
  late_fee: "Late fee",
  credit_hold: "Credit hold",
  escalate: "Escalate to an agency",
};

const decimal = (label: string) =>
  z
    .string({ message: `${label} is required` })
    .trim()
    .regex(/^\d{1,9}(\.\d{1,4})?$/, `${label} must be an amount like 25 or 25.00`);

export const lateFeeSchema = z
  .object({
    type: z.enum(["flat", "percent"], { message: "Fee type must be flat or percent" }),
    /** Flat fee in units of the invoice's currency ("25.00"). */
    amount: decimal("Fee amount").nullable().default(null),
    /** Percent of the collectible overdue amount, in basis points (150 = 1.5%). */
    percentBps: z.number().int("Fee percent must be whole basis points").min(1, "Fee percent must be more than 0").max(10_000, "Fee percent must be at most 100%").nullable().default(null),
    /** Most that fees on one invoice may add up to, in units of its currency; null: no cap. */
    cap: decimal("Fee cap").nullable().default(null),
    /** Null: once per invoice. Otherwise charged again every this many days (interest). */
    repeatEveryDays: z.number().int("Repeat interval must be whole days").min(1, "Repeat interval must be at least 1 day").max(365, "Repeat interval must be at most 365 days").nullable().default(null),
  })
  .superRefine((fee, ctx) => {
    if (fee.type === "flat" && !fee.amount) ctx.addIssue({ code: "custom", path: ["amount"], message: "A flat fee needs an amount" });
    if (fee.type === "percent" && !fee.percentBps) ctx.addIssue({ code: "custom", path: ["percentBps"], message: "A percentage fee needs a percent" });
  });
export type LateFee = z.infer<typeof lateFeeSchema>;

export const stepSchema = z.object({
  id: z.string().trim().min(1).max(60),
  /** Days after the due date; negative is before it (a heads-up). */
  offsetDays: z.number({ message: "Days must be a number" }).int("Days must be whole days").min(-60, "A step can be at most 60 days before the due date").max(730, "A step can be at most 730 days after the due date"),
  action: z.enum(stepActions, { message: "Choose what the step does" }),
  template: z.enum(reminderTones, { message: "Choose the email to send" }).optional(),
  taskTitle: z.string().trim().max(200, "Task title must be at most 200 characters").optional(),
  fee: lateFeeSchema.optional(),
});
export type PolicyStep = z.infer<typeof stepSchema>;

/**
 * A policy's steps as stored, with the rules that make a policy sensible: no two steps doing
 * the same thing on the same day, only emails before the due date, one late fee, and what
 * each action needs.
 */
export const stepsSchema = z.array(stepSchema).max(30, "A policy can have at most 30 steps").superRefine((steps, ctx) => {
  const seen = new Map<string, number>();
  steps.forEach((step, i) => {
    const label = `Step ${i + 1}`;
    const at = (field: string, message: string) => ctx.addIssue({ code: "custom", path: [i, field], message: `${label}: ${message}` });
    const key = `${step.action}@${step.offsetDays}`;
    if (seen.has(key)) at("offsetDays", `overlaps step ${seen.get(key)! + 1}: both ${actionLabels[step.action].toLowerCase()} on day ${step.offsetDays}`);
    seen.set(key, i);
    if (step.offsetDays < 0 && step.action !== "email") at("offsetDays", "only an email can come before the due date");
    if (step.action === "email" && !step.template) at("template", "choose the email to send");
    if (step.action === "late_fee" && !step.fee) at("fee", "a late fee step needs its fee");
    if (step.action === "task" && !step.taskTitle) at("taskTitle", "a task needs a title");
  });
  if (steps.filter((s) => s.action === "late_fee").length > 1) ctx.addIssue({ code: "custom", path: [], message: "A policy can have one late fee step (use its repeat interval for interest)" });
  const ids = new Set<string>();
  steps.forEach((s, i) => {
    if (ids.has(s.id)) ctx.addIssue({ code: "custom", path: [i, "id"], message: `Step ${i + 1}: duplicate step id` });
    ids.add(s.id);
  });
});

export function parseStoredSteps(value: unknown): PolicyStep[] {
  const parsed = stepsSchema.safeParse(value);
  // A stored policy is always written through this schema; a row that no longer parses takes no steps.
  return parsed.success ? [...parsed.data].sort((a, b) => a.offsetDays - b.offsetDays) : [];
}

const TONE_RANK: Record<ReminderTone, number> = { upcoming: 0, reminder: 1, firm: 2, final: 3 };
export const sternest = (tones: ReminderTone[]): ReminderTone | null => (tones.length ? tones.reduce((a, b) => (TONE_RANK[b] > TONE_RANK[a] ? b : a)) : null);

/** The policy every install starts with (admins edit it): made on first need, see ensureDefaultPolicy. */
export const STANDARD_POLICY = {
  name: "Standard",
  description: "A friendly heads-up before the due date, reminders after it, a call, then credit hold and an agency.",
  steps: [
    { id: "heads-up", offsetDays: -3, action: "email", template: "upcoming" },
    { id: "reminder-1", offsetDays: 1, action: "email", template: "reminder" },
    { id: "reminder-7", offsetDays: 7, action: "email", template: "reminder" },
    { id: "reminder-14", offsetDays: 14, action: "email", template: "firm" },
    { id: "final-30", offsetDays: 30, action: "email", template: "final" },
    { id: "call-45", offsetDays: 45, action: "task", taskTitle: "Call about the overdue invoices" },
    { id: "hold-60", offsetDays: 60, action: "credit_hold" },
    { id: "agency-90", offsetDays: 90, action: "escalate" },
  ] satisfies PolicyStep[],
};
