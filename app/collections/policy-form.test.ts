import { describe, expect, it } from "vitest";
import { parsePolicyForm, parseSegments, policyToForm, stepFieldName, stepIssueField, timelineWords, type StepFormValues } from "./policy-form";
import type { PolicyStep } from "./policy";

type Row = Partial<StepFormValues>;

/** The editor's form as a browser posts it: one `steps.<i>.<field>` per field of each row. */
function form(rows: Row[], top: Record<string, string> = {}, indices?: number[]) {
  const data = new FormData();
  for (const [key, value] of Object.entries({ name: "Standard", description: "", segments: "", ...top })) data.set(key, value);
  rows.forEach((row, n) => {
    const i = indices?.[n] ?? n;
    const full: StepFormValues = { id: "", timing: "after", days: "", action: "email", template: "reminder", taskTitle: "", feeType: "percent", feeAmount: "", feePercent: "", feeCap: "", feeRepeat: "", ...row };
    for (const [field, value] of Object.entries(full)) data.set(stepFieldName(i, field as keyof StepFormValues), value);
  });
  return data;
}

const email = (days: string, timing: "before" | "after" = "after", template = "reminder"): Row => ({ days, timing, action: "email", template });

function errorsOf(data: FormData) {
  const result = parsePolicyForm(data);
  if (result.ok) throw new Error("expected the form to be refused");
  return result.errors;
}

describe("parsePolicyForm", () => {
  it("reads a whole policy: signed offsets, percent fees in basis points, blanks as nulls, existing ids kept", () => {
    const result = parsePolicyForm(
      form(
        [
          { ...email("3", "before", "upcoming"), id: "s-abc" },
          email("1"),
          { days: "45", action: "task", taskTitle: "  Call them  " },
          { days: "30", action: "late_fee", feeType: "percent", feePercent: "1.5", feeCap: "200.00", feeRepeat: "30" },
        ],
        { name: "  Standard ", description: " For most ", segments: "Retail, wholesale, retail,, ", isDefault: "on" },
      ),
    );
    expect(result).toEqual({
      ok: true,
      data: {
        name: "Standard",
        description: "For most",
        isDefault: true,
        segments: ["Retail", "wholesale"],
        steps: [
          { id: "s-abc", offsetDays: -3, action: "email", template: "upcoming" },
          { id: null, offsetDays: 1, action: "email", template: "reminder" },
          { id: null, offsetDays: 45, action: "task", taskTitle: "Call them" },
          { id: null, offsetDays: 30, action: "late_fee", fee: { type: "percent", amount: null, percentBps: 150, cap: "200.00", repeatEveryDays: 30 } },
        ],
      },
    });
  });

  it("reads rows by their indices, so rows removed in the browser leave no hole", () => {
    const result = parsePolicyForm(form([email("1"), email("7", "after", "firm")], {}, [0, 3]));
    expect(result.ok && result.data.steps.map((s) => s.offsetDays)).toEqual([1, 7]);
  });

  it("allows a policy with no steps (customers on it get no reminders)", () => {
    expect(parsePolicyForm(form([]))).toMatchObject({ ok: true, data: { steps: [] } });
  });

  it("says a negative day is negative, naming the step", () => {
    expect(errorsOf(form([email("1"), email("-3")]))).toEqual({ "steps.1.days": "Step 2: days cannot be negative" });
  });

  it("wants whole days", () => {
    expect(errorsOf(form([email("1.5")]))["steps.0.days"]).toBe("Step 1: days must be a whole number, like 7");
    expect(errorsOf(form([email("")]))["steps.0.days"]).toMatch(/^Step 1: days are required/);
  });

  it("names both steps of an overlap", () => {
    expect(errorsOf(form([email("7"), email("14"), email("7", "after", "firm")]))).toEqual({ "steps.2.days": "Step 3: overlaps step 1: both email the customer on day 7" });
  });

  it("refuses anything but an email before the due date", () => {
    expect(errorsOf(form([{ days: "2", timing: "before", action: "task", taskTitle: "Call" }]))).toEqual({ "steps.0.days": "Step 1: only an email can come before the due date" });
  });

  it("takes one late fee step", () => {
    const errors = errorsOf(
      form([
        { days: "30", action: "late_fee", feeType: "flat", feeAmount: "25" },
        { days: "60", action: "late_fee", feeType: "flat", feeAmount: "25" },
      ]),
    );
    expect(errors).toEqual({ steps: "A policy can have one late fee step (use its repeat interval for interest)" });
  });

  it("explains a bad fee amount, cap, percent or interval on the field", () => {
    expect(errorsOf(form([{ days: "30", action: "late_fee", feeType: "flat", feeAmount: "$25" }]))).toEqual({ "steps.0.feeAmount": "Step 1: fee amount must be an amount like 25 or 25.00" });
    expect(errorsOf(form([{ days: "30", action: "late_fee", feeType: "flat", feeAmount: "" }]))).toEqual({ "steps.0.feeAmount": "Step 1: a flat fee needs an amount" });
    expect(errorsOf(form([{ days: "30", action: "late_fee", feeType: "flat", feeAmount: "25", feeCap: "lots" }]))).toEqual({ "steps.0.feeCap": "Step 1: fee cap must be an amount like 25 or 25.00" });
    expect(errorsOf(form([{ days: "30", action: "late_fee", feePercent: "1.5.0" }]))).toEqual({ "steps.0.feePercent": "Step 1: fee percent must be a percentage like 1.5" });
    expect(errorsOf(form([{ days: "30", action: "late_fee", feePercent: "" }]))).toEqual({ "steps.0.feePercent": "Step 1: a percentage fee needs a percent, like 1.5" });
    expect(errorsOf(form([{ days: "30", action: "late_fee", feePercent: "0" }]))).toEqual({ "steps.0.feePercent": "Step 1: fee percent must be more than 0" });
    expect(errorsOf(form([{ days: "30", action: "late_fee", feePercent: "2", feeRepeat: "monthly" }]))["steps.0.feeRepeat"]).toMatch(/^Step 1: repeat every must be a whole number of days/);
    expect(errorsOf(form([{ days: "30", action: "late_fee", feePercent: "2", feeRepeat: "0" }]))).toEqual({ "steps.0.feeRepeat": "Step 1: repeat interval must be at least 1 day" });
  });

  it("wants what each action needs, and a known action and timing", () => {
    expect(errorsOf(form([{ days: "45", action: "task", taskTitle: " " }]))).toEqual({ "steps.0.taskTitle": "Step 1: a task needs a title" });
    expect(errorsOf(form([{ days: "1", action: "email", template: "rude" }]))).toEqual({ "steps.0.template": "Step 1: choose the email to send" });
    expect(errorsOf(form([{ days: "1", action: "dance" }]))).toEqual({ "steps.0.action": "Step 1: choose what the step does" });
    expect(errorsOf(form([{ days: "1", timing: "sometime" }]))).toEqual({ "steps.0.timing": "Step 1: choose before or after the due date" });
    expect(errorsOf(form([email("61", "before")]))).toEqual({ "steps.0.days": "Step 1: a step can be at most 60 days before the due date" });
  });

  it("checks the name, description and segments", () => {
    const errors = errorsOf(form([email("1")], { name: " ", description: "x".repeat(501), segments: `ok, ${"y".repeat(61)}` }));
    expect(errors).toMatchObject({ name: "Name is required", description: "Description must be at most 500 characters", segments: expect.stringMatching(/must be at most 60 characters/) });
  });

  it("sums up several problems in the message, and one problem as itself", () => {
    const one = parsePolicyForm(form([email("-1")]));
    expect(!one.ok && one.message).toBe("Step 1: days cannot be negative");
    const two = parsePolicyForm(form([email("-1"), { days: "x" }]));
    expect(!two.ok && two.message).toBe("2 fields need attention; each is marked below.");
  });
});

describe("zod paths on the form", () => {
  it("map to the row's field", () => {
    expect(stepIssueField([2, "offsetDays"])).toBe("steps.2.days");
    expect(stepIssueField([0, "fee", "percentBps"])).toBe("steps.0.feePercent");
    expect(stepIssueField([1, "fee"])).toBe("steps.1.feeType");
    expect(stepIssueField([])).toBe("steps");
  });
});

describe("segments", () => {
  it("are trimmed, without blanks or repeats in any case", () => {
    expect(parseSegments(" a, B ,b,, A ")).toEqual({ ok: true, segments: ["a", "B"] });
  });
});

describe("the timeline in words", () => {
  const steps: PolicyStep[] = [
    { id: "c", offsetDays: 30, action: "late_fee", fee: { type: "percent", amount: null, percentBps: 150, cap: "200.00", repeatEveryDays: 30 } },
    { id: "a", offsetDays: -3, action: "email", template: "upcoming" },
    { id: "b", offsetDays: 1, action: "email", template: "reminder" },
    { id: "d", offsetDays: 45, action: "task", taskTitle: "Call the customer" },
    { id: "e", offsetDays: 0, action: "email", template: "firm" },
    { id: "f", offsetDays: 60, action: "credit_hold" },
    { id: "g", offsetDays: 90, action: "escalate" },
  ];

  it("reads in day order", () => {
    expect(timelineWords(steps, "USD")).toEqual([
      "3 days before due: friendly heads-up email",
      "On the due date: firm reminder",
      "1 day after: reminder",
      "30 days after: late fee 1.5% of the overdue amount, every 30 days, capped at $200.00",
      "45 days after: task for a clerk: Call the customer",
      "60 days after: credit hold",
      "90 days after: escalate to an agency",
    ]);
  });

  it("says a flat fee in the currency, or in each invoice's when there are several", () => {
    const flat: PolicyStep = { id: "x", offsetDays: 30, action: "late_fee", fee: { type: "flat", amount: "25", percentBps: null, cap: null, repeatEveryDays: null } };
    expect(timelineWords([flat], "EUR")).toEqual(["30 days after: late fee of €25.00"]);
    expect(timelineWords([flat], null)).toEqual(["30 days after: late fee of 25 in the invoice's currency"]);
  });

  it("round-trips through the editor's rows", () => {
    const values = policyToForm({ name: "P", description: null, isDefault: false, segments: ["Retail"], steps });
    expect(values.steps[0]).toMatchObject({ id: "c", timing: "after", days: "30", action: "late_fee", feeType: "percent", feePercent: "1.5", feeCap: "200.00", feeRepeat: "30" });
    expect(values.steps[1]).toMatchObject({ id: "a", timing: "before", days: "3" });
    const data = new FormData();
    for (const [key, value] of Object.entries({ name: values.name, description: values.description, segments: values.segments })) data.set(key, value);
    values.steps.forEach((row, i) => Object.entries(row).forEach(([field, value]) => data.set(stepFieldName(i, field as keyof StepFormValues), value)));
    const parsed = parsePolicyForm(data);
    expect(parsed.ok && parsed.data.steps).toEqual(steps.map((step) => ({ ...step })));
  });
});
