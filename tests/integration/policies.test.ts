import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { auditLog, collectionAccounts, dunningActions, dunningPolicies, dunningRuns, invoices, journalEntries } from "~db/schema";
import { describeAudit } from "~/audit/describe";
import { archivePolicy, getPolicy, listPolicies, savePolicy, setAccountPolicy, type SavePolicyInput } from "~/collections/policies.server";
import type { PolicyStep } from "~/collections/policy";
import { stepFieldName, type StepFormValues } from "~/collections/policy-form";
import { voidInvoice } from "~/ledger/invoices.server";
import { addDays, today } from "~/utils/dates";
import { DomainError } from "~/utils/errors";
import { createCustomer, createStaff, issuedInvoice, staffActor } from "./factories";
import { context, cookieFor, get, outcome, post } from "./route-helpers";
import * as policyPage from "~/routes/staff.collections.policies.$policyId";
import * as policyList from "~/routes/staff.collections.policies._index";
import * as runPage from "~/routes/staff.collections.runs.$runId";
import * as runList from "~/routes/staff.collections.runs._index";
import * as invoicePage from "~/routes/staff.invoices.$invoiceId";

const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context });

const standardSteps: PolicyStep[] = [
  { id: "ignored-1", offsetDays: -3, action: "email", template: "upcoming" },
  { id: "ignored-2", offsetDays: 1, action: "email", template: "reminder" },
  { id: "ignored-3", offsetDays: 30, action: "late_fee", fee: { type: "percent", amount: null, percentBps: 150, cap: "200.00", repeatEveryDays: 30 } },
  { id: "ignored-4", offsetDays: 45, action: "task", taskTitle: "Call the customer" },
];
const newSteps = (steps: PolicyStep[]) => steps.map((step) => ({ ...step, id: null }));

async function setup() {
  const admin = await createStaff({ role: "admin" });
  const actor = staffActor(admin);
  const save = (input: Partial<SavePolicyInput> = {}) => savePolicy({ name: "Standard", description: null, isDefault: false, segments: [], steps: newSteps(standardSteps), ...input }, actor);
  return { admin, actor, save };
}

const policyRows = () => getDb().select().from(dunningPolicies).orderBy(dunningPolicies.name);
const auditCount = async () => (await getDb().select().from(auditLog)).length;

async function refused(call: Promise<unknown>): Promise<DomainError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("saving a policy", () => {
  it("gives new steps fresh ids and keeps them on every later edit; a step it never had gets a new id", async () => {
    const { save } = await setup();
    const created = await save();
    const ids = created.steps.map((s) => s.id);
    expect(ids.every((id) => /^s-[0-9a-f]{12}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(4);
    expect(created.steps.map((s) => s.offsetDays)).toEqual([-3, 1, 30, 45]);

    // Move the reminder to day 2, reword the task, add a final notice, pass a made-up id.
    const [upcoming, reminder, fee, task] = created.steps;
    const edited = await save({
      id: created.id,
      steps: [
        { ...task!, taskTitle: "Ring them" },
        { ...reminder!, offsetDays: 2 },
        upcoming!,
        fee!,
        { id: null, offsetDays: 30, action: "email", template: "final" },
        { id: "s-stolen000000", offsetDays: 60, action: "credit_hold" },
      ],
    });
    const byDay = new Map(edited.steps.map((s) => [s.offsetDays, s]));
    expect(byDay.get(2)!.id).toBe(reminder!.id);
    expect(byDay.get(45)).toMatchObject({ id: task!.id, taskTitle: "Ring them" });
    expect(byDay.get(-3)!.id).toBe(upcoming!.id);
    expect(edited.steps.find((s) => s.action === "late_fee")!.id).toBe(fee!.id);
    const final = edited.steps.find((s) => s.template === "final")!;
    expect(ids).not.toContain(final.id);
    expect(byDay.get(60)!.id).not.toBe("s-stolen000000");
    // Stored in day order.
    expect(edited.steps.map((s) => s.offsetDays)).toEqual([-3, 2, 30, 30, 45, 60]);
    expect((await getPolicy(created.id))!.steps).toEqual(edited.steps);

    const saves = await getDb().select().from(auditLog).where(eq(auditLog.action, "collections.policy_save"));
    expect(saves).toHaveLength(2);
    expect(saves[1]).toMatchObject({ entityType: "dunning_policy", entityId: created.id });
    expect(describeAudit({ ...saves[0]!, actorName: "Ada" })).toBe("Ada created the dunning policy “Standard”");
    expect(describeAudit({ ...saves[1]!, actorName: "Ada" })).toBe("Ada changed the dunning policy “Standard”");
  });

  it("refuses overlapping steps, a non-email before due, two late fees and a bad fee amount, naming the field and changing nothing", async () => {
    const { save } = await setup();
    const policy = await save();
    const before = await policyRows();
    const audits = await auditCount();
    const cases: [PolicyStep[] | ReturnType<typeof newSteps>, string, RegExp][] = [
      [[...policy.steps, { id: "x", offsetDays: 1, action: "email", template: "firm" }], "steps.4.days", /^Step 5: overlaps step 2: both email the customer on day 1$/],
      [[{ id: "x", offsetDays: -2, action: "task", taskTitle: "Call" }], "steps.0.days", /^Step 1: only an email can come before the due date$/],
      [[...policy.steps, { id: "y", offsetDays: 60, action: "late_fee", fee: { type: "flat", amount: "25", percentBps: null, cap: null, repeatEveryDays: null } }], "steps", /one late fee step/],
      [[{ id: "z", offsetDays: 30, action: "late_fee", fee: { type: "flat", amount: "$25", percentBps: null, cap: null, repeatEveryDays: null } }], "steps.0.feeAmount", /^Step 1: fee amount must be an amount like 25 or 25\.00$/],
      [[{ id: "w", offsetDays: 900, action: "email", template: "final" }], "steps.0.days", /at most 730 days/],
    ];
    for (const [steps, field, message] of cases) {
      const error = await refused(save({ id: policy.id, name: "Renamed", steps }));
      expect(error.field).toBe(field);
      expect(error.message).toMatch(message);
    }
    expect(await policyRows()).toEqual(before);
    expect(await auditCount()).toBe(audits);
  });

  it("keeps names unique in any case, and a segment on one live policy", async () => {
    const { save } = await setup();
    const retail = await save({ name: "Retail", segments: ["Retail", "Online"] });
    expect((await refused(save({ name: "RETAIL" }))).field).toBe("name");
    const clash = await refused(save({ name: "Wholesale", segments: ["Trade", "retail"] }));
    expect(clash).toMatchObject({ field: "segments", message: "The segment retail already follows the policy Retail; a segment can follow one policy only" });
    expect(await policyRows()).toHaveLength(1);
    // Saving a policy with its own segments is no clash; archiving frees them for another.
    await save({ id: retail.id, name: "Retail", segments: ["Online", "Retail"] });
    await archivePolicy(retail.id, staffActor(await createStaff({ role: "admin" })));
    const wholesale = await save({ name: "Wholesale", segments: ["retail"] });
    expect(wholesale.segments).toEqual(["retail"]);
    // The archived name stays taken.
    expect((await refused(save({ name: "retail" }))).message).toMatch(/already exists \(archived\)/);
  });

  it("has one default: making one the default un-defaults the other in the same save", async () => {
    const { save } = await setup();
    const a = await save({ name: "A", isDefault: true });
    const b = await save({ name: "B" });
    expect((await policyRows()).map((p) => [p.name, p.isDefault])).toEqual([
      ["A", true],
      ["B", false],
    ]);
    await save({ id: b.id, name: "B", isDefault: true });
    expect((await policyRows()).map((p) => [p.name, p.isDefault])).toEqual([
      ["A", false],
      ["B", true],
    ]);
    const handover = await getDb().select().from(auditLog).where(and(eq(auditLog.action, "collections.policy_save"), eq(auditLog.entityId, a.id)));
    expect(describeAudit({ ...handover.at(-1)!, actorName: "Ada" })).toBe("Ada made “B” the default dunning policy instead of “A”");
    // Two admins making two policies the default at once: the saves take turns, one default stands.
    const c = await save({ name: "C" });
    await Promise.all([save({ id: a.id, name: "A", isDefault: true }), save({ id: c.id, name: "C", isDefault: true })]);
    expect((await policyRows()).filter((p) => p.isDefault)).toHaveLength(1);
    await save({ id: b.id, name: "B", isDefault: true });
    // The default stays the default until another takes over.
    expect(await refused(save({ id: b.id, name: "B", isDefault: false }))).toMatchObject({ field: "isDefault" });
    expect((await listPolicies()).map((p) => [p.name, p.isDefault])).toEqual([
      ["B", true],
      ["A", false],
      ["C", false],
    ]);
  });

  it("archives a policy that is not the default, moving its accounts back to their segment's or the default", async () => {
    const { save, actor } = await setup();
    const main = await save({ name: "Main", isDefault: true });
    const vip = await save({ name: "VIP", segments: ["Key"] });
    const customer = await createCustomer({ segment: "Key" });
    const other = await createCustomer();
    expect(await setAccountPolicy(other.id, vip.id, actor)).toBe(true);
    expect(await setAccountPolicy(other.id, vip.id, actor)).toBe(false);
    const listed = (await listPolicies()).find((p) => p.id === vip.id)!;
    expect(listed).toMatchObject({ accountCount: 1, segmentCustomerCount: 1 });

    expect(await refused(archivePolicy(main.id, actor))).toMatchObject({ code: "conflict", message: expect.stringMatching(/default policy cannot be archived/) });
    const archived = await archivePolicy(vip.id, actor);
    expect(archived.archivedAt).not.toBeNull();
    const [account] = await getDb().select().from(collectionAccounts).where(eq(collectionAccounts.customerId, other.id));
    expect(account!.policyId).toBeNull();
    const moved = await getDb().select().from(auditLog).where(and(eq(auditLog.action, "collections.account_policy"), eq(auditLog.customerId, other.id)));
    expect(moved.map((entry) => describeAudit({ ...entry, actorName: "Ada" }))).toEqual([
      "Ada put the account on the dunning policy “VIP”",
      "Ada took the account off the dunning policy “VIP”, which was archived; it follows its segment's policy or the default",
    ]);
    expect(customer.segment).toBe("Key");
    // An archived policy can be neither edited nor chosen.
    expect(await refused(save({ id: vip.id, name: "VIP" }))).toMatchObject({ code: "conflict" });
    expect(await refused(setAccountPolicy(customer.id, vip.id, actor))).toMatchObject({ field: "policyId" });
    const archive = await getDb().select().from(auditLog).where(eq(auditLog.action, "collections.policy_archive"));
    expect(describeAudit({ ...archive[0]!, actorName: "Ada" })).toBe("Ada archived the dunning policy “VIP”");
  });

  it("sets and clears an account's own policy, on the customer's timeline", async () => {
    const { save, actor } = await setup();
    const policy = await save({ name: "Gentle" });
    const customer = await createCustomer();
    await setAccountPolicy(customer.id, policy.id, actor);
    expect((await getDb().select().from(collectionAccounts).where(eq(collectionAccounts.customerId, customer.id)))[0]).toMatchObject({ policyId: policy.id, currency: "USD" });
    await setAccountPolicy(customer.id, null, actor);
    expect((await getDb().select().from(collectionAccounts).where(eq(collectionAccounts.customerId, customer.id)))[0]!.policyId).toBeNull();
    const entries = await getDb().select().from(auditLog).where(eq(auditLog.customerId, customer.id)).orderBy(auditLog.id);
    expect(entries.map((e) => describeAudit({ ...e, actorName: "Ada" }))).toEqual([
      "Ada put the account on the dunning policy “Gentle”",
      "Ada took the account off the dunning policy “Gentle”; it follows its segment's policy or the default",
    ]);
    expect(await refused(setAccountPolicy(customer.id, "00000000-0000-4000-8000-000000000000", actor))).toMatchObject({ field: "policyId" });
    expect(await refused(setAccountPolicy("00000000-0000-4000-8000-000000000000", policy.id, actor))).toMatchObject({ code: "not_found" });
  });
});

/** The editor's form as a browser posts it. */
function editorForm(rows: Partial<StepFormValues>[], top: Record<string, string> = {}) {
  const fields: Record<string, string> = { name: "Standard", description: "", segments: "", ...top };
  rows.forEach((row, i) => {
    const full: StepFormValues = { id: "", timing: "after", days: "", action: "email", template: "reminder", taskTitle: "", feeType: "percent", feeAmount: "", feePercent: "", feeCap: "", feeRepeat: "", ...row };
    for (const [field, value] of Object.entries(full)) fields[stepFieldName(i, field as keyof StepFormValues)] = value;
  });
  return fields;
}

describe("the policy pages", () => {
  it("admins create and edit; clerks and viewers read; bad input comes back by field with nothing saved", async () => {
    const admin = await createStaff({ role: "admin" });
    const clerk = await createStaff({ role: "clerk" });
    const viewer = await createStaff({ role: "viewer" });
    const [adminCookie, clerkCookie, viewerCookie] = await Promise.all([admin, clerk, viewer].map((user) => cookieFor({ audience: "staff", staffUserId: user.id })));
    const fields = editorForm(
      [
        { timing: "before", days: "3", template: "upcoming" },
        { days: "1" },
        { days: "30", action: "late_fee", feePercent: "1.5", feeCap: "200", feeRepeat: "30" },
      ],
      { isDefault: "on", segments: "Retail" },
    );

    expect((await outcome(() => policyPage.loader(args(get("/staff/collections/policies/new", clerkCookie), { policyId: "new" })))).status).toBe(403);
    expect((await outcome(() => policyPage.action(args(post("/staff/collections/policies/new", fields, clerkCookie), { policyId: "new" })))).status).toBe(403);
    expect((await outcome(() => policyPage.loader(args(get("/staff/collections/policies/nope", viewerCookie), { policyId: "nope" })))).status).toBe(404);
    expect(await policyRows()).toHaveLength(0);

    const bad = await outcome(() =>
      policyPage.action(args(post("/staff/collections/policies/new", { ...fields, ...editorForm([{ days: "1" }, { days: "-3" }, { days: "1" }]) }, adminCookie), { policyId: "new" })),
    );
    expect(bad.status).toBe(400);
    expect(bad.data).toMatchObject({ ok: false, errors: { "steps.1.days": "Step 2: days cannot be negative" }, values: { steps: [{ days: "1" }, { days: "-3" }, { days: "1" }] } });
    const overlap = await outcome(() => policyPage.action(args(post("/staff/collections/policies/new", editorForm([{ days: "7" }, { days: "7", template: "firm" }]), adminCookie), { policyId: "new" })));
    expect(overlap.data).toMatchObject({ errors: { "steps.1.days": "Step 2: overlaps step 1: both email the customer on day 7" } });
    expect(await policyRows()).toHaveLength(0);

    // "Add step" without JavaScript: the form comes back as typed with one more blank row.
    const added = await outcome(() => policyPage.action(args(post("/staff/collections/policies/new", { ...fields, intent: "add-step" }, adminCookie), { policyId: "new" })));
    expect(added.status).toBe(200);
    expect((added.data as { values: { steps: StepFormValues[]; name: string } }).values.steps.map((s) => s.days)).toEqual(["3", "1", "30", ""]);
    const removed = await outcome(() => policyPage.action(args(post("/staff/collections/policies/new", { ...fields, intent: "remove-step:1" }, adminCookie), { policyId: "new" })));
    expect((removed.data as { values: { steps: StepFormValues[] } }).values.steps.map((s) => s.days)).toEqual(["3", "30"]);
    expect(await policyRows()).toHaveLength(0);

    const created = await outcome(() => policyPage.action(args(post("/staff/collections/policies/new", fields, adminCookie), { policyId: "new" })));
    expect(created.location).toMatch(/^\/staff\/collections\/policies\/[0-9a-f-]{36}\?saved=1$/);
    const policyId = created.location!.split("/").pop()!.split("?")[0]!;
    const stored = (await getPolicy(policyId))!;
    expect(stored).toMatchObject({ name: "Standard", isDefault: true, segments: ["Retail"] });
    expect(stored.steps[2]!.fee).toEqual({ type: "percent", amount: null, percentBps: 150, cap: "200", repeatEveryDays: 30 });

    const viewed = await outcome(() => policyPage.loader(args(get(`/staff/collections/policies/${policyId}`, viewerCookie), { policyId })));
    expect(viewed.data).toMatchObject({
      canEdit: false,
      policy: { name: "Standard", timeline: ["3 days before due: friendly heads-up email", "1 day after: reminder", "30 days after: late fee 1.5% of the overdue amount, every 30 days, capped at 200 in the invoice's currency"] },
    });
    const edit = await outcome(() => policyPage.loader(args(get(`/staff/collections/policies/${policyId}`, adminCookie), { policyId })));
    const values = (edit.data as { canEdit: boolean; values: { steps: StepFormValues[] } }).values;
    expect((edit.data as { canEdit: boolean }).canEdit).toBe(true);
    expect(values.steps.map((s) => s.id)).toEqual(stored.steps.map((s) => s.id));

    // The clerk cannot save an edit; the admin's edit keeps the step ids the form carries.
    const editFields = editorForm([...values.steps.slice(0, 2), { ...values.steps[2]!, days: "31" }], { isDefault: "on", segments: "Retail" });
    expect((await outcome(() => policyPage.action(args(post(`/staff/collections/policies/${policyId}`, editFields, clerkCookie), { policyId })))).status).toBe(403);
    expect((await outcome(() => policyPage.action(args(post(`/staff/collections/policies/${policyId}`, editFields, adminCookie), { policyId })))).location).toBe(
      `/staff/collections/policies/${policyId}?saved=1`,
    );
    const after = (await getPolicy(policyId))!;
    expect(after.steps.map((s) => s.id)).toEqual(stored.steps.map((s) => s.id));
    expect(after.steps[2]!.offsetDays).toBe(31);

    // A second policy cannot take the segment; the message names the field.
    const clash = await outcome(() => policyPage.action(args(post("/staff/collections/policies/new", editorForm([], { name: "Other", segments: "retail" }), adminCookie), { policyId: "new" })));
    expect(clash.status).toBe(409);
    expect(clash.data).toMatchObject({ errors: { segments: expect.stringMatching(/already follows the policy Standard/) } });

    const list = await outcome(() => policyList.loader(args(get("/staff/collections/policies", viewerCookie))));
    expect(list.data).toMatchObject({ canEdit: false, live: [{ name: "Standard", isDefault: true, segments: ["Retail"] }], archived: [] });
    // The default cannot be archived: the page says why.
    const archive = await outcome(() => policyPage.action(args(post(`/staff/collections/policies/${policyId}`, { intent: "archive" }, adminCookie), { policyId })));
    expect(archive.status).toBe(409);
    expect(archive.data).toMatchObject({ message: expect.stringMatching(/default policy cannot be archived/) });
  });
});

describe("the run log", () => {
  it("lists runs with what they did and their actions; only an admin runs it now", async () => {
    const admin = await createStaff({ role: "admin" });
    const clerk = await createStaff({ role: "clerk" });
    const viewer = await createStaff({ role: "viewer" });
    const [adminCookie, clerkCookie, viewerCookie] = await Promise.all([admin, clerk, viewer].map((user) => cookieFor({ audience: "staff", staffUserId: user.id })));
    const policy = await savePolicy({ name: "Standard", description: null, isDefault: true, segments: [], steps: newSteps(standardSteps) }, staffActor(admin));
    const customer = await createCustomer({ name: "Acme" });
    const invoice = await issuedInvoice({ customerId: customer.id, amounts: [10_000], issueDate: addDays(today(), -40), dueDate: addDays(today(), -31) });
    const started = new Date(Date.now() - 60_000);
    const [run] = await getDb()
      .insert(dunningRuns)
      .values({
        trigger: "schedule",
        status: "finished",
        asOf: started,
        startedAt: started,
        finishedAt: new Date(started.getTime() + 2_500),
        stats: { customers: 1, invoices: 1, emails: 1, taken: { email: 1, task: 0, late_fee: 0, credit_hold: 0, escalate: 0 }, superseded: 1, fees: {}, skipped: { disputed: 2 }, promisesKept: 0, promisesBroken: 0, examples: [] },
      })
      .returning();
    const [upcoming, reminder] = policy.steps;
    await getDb()
      .insert(dunningActions)
      .values([
        { invoiceId: invoice.id, customerId: customer.id, policyId: policy.id, stepId: upcoming!.id, action: "email", outcome: "superseded", takenOn: today(), runId: run!.id, reason: "A later step is due", currency: "USD", amountMinor: 10_000 },
        { invoiceId: invoice.id, customerId: customer.id, policyId: policy.id, stepId: reminder!.id, action: "email", outcome: "taken", takenOn: today(), runId: run!.id, reason: "1 day overdue", currency: "USD", amountMinor: 10_000 },
      ]);

    const list = await outcome(() => runList.loader(args(get("/staff/collections/runs", viewerCookie))));
    expect(list.data).toMatchObject({
      canRun: false,
      runs: [{ id: run!.id, trigger: "Daily schedule", statusLabel: "Finished", duration: "2.5 s", did: "1 email", summary: { skipped: [{ reason: "disputed", label: "amount disputed", count: 2 }] } }],
    });
    const detail = await outcome(() => runPage.loader(args(get(`/staff/collections/runs/${run!.id}`, viewerCookie), { runId: run!.id })));
    expect(detail.data).toMatchObject({
      run: { id: run!.id },
      actions: [
        { customerName: "Acme", invoiceNumber: invoice.number, step: "3 days before due: friendly heads-up email", outcome: "superseded" },
        { step: "1 day after: reminder", outcome: "taken", actionLabel: "Emailed", amountMinor: 10_000 },
      ],
      nextAfter: null,
    });
    expect((await outcome(() => runPage.loader(args(get("/staff/collections/runs/x", viewerCookie), { runId: "x" })))).status).toBe(404);

    for (const cookie of [viewerCookie, clerkCookie]) expect((await outcome(() => runList.action(args(post("/staff/collections/runs", {}, cookie))))).status).toBe(403);
    expect(await getDb().select().from(dunningRuns)).toHaveLength(1);
    const ran = await outcome(() => runList.action(args(post("/staff/collections/runs", {}, adminCookie))));
    expect(ran.location).toMatch(/^\/staff\/collections\/runs\/[0-9a-f-]{36}$/);
    const runId = ran.location!.split("/").pop()!;
    const [manual] = await getDb().select().from(dunningRuns).where(eq(dunningRuns.id, runId));
    expect(manual).toMatchObject({ trigger: "manual", startedBy: admin.id, status: "finished" });
    const page = await outcome(() => runPage.loader(args(get(`/staff/collections/runs/${runId}`, viewerCookie), { runId })));
    expect(page.data).toMatchObject({ run: { trigger: "Run now", startedBy: admin.name } });
  });
});

describe("fees by hand on the invoice page", () => {
  it("adds a backdated fee as an invoice of its own and waives it with a reason; a void invoice or a future date is refused clearly", async () => {
    const clerk = await createStaff({ role: "clerk" });
    const viewer = await createStaff({ role: "viewer" });
    const [clerkCookie, viewerCookie] = await Promise.all([clerk, viewer].map((user) => cookieFor({ audience: "staff", staffUserId: user.id })));
    const customer = await createCustomer();
    const invoice = await issuedInvoice({ customerId: customer.id, amounts: [50_000], issueDate: addDays(today(), -60), dueDate: addDays(today(), -30) });
    const path = `/staff/invoices/${invoice.id}`;
    const postFee = (fields: Record<string, string>, cookie = clerkCookie) => outcome(() => invoicePage.action(args(post(path, { intent: "fee", ...fields }, cookie), { invoiceId: invoice.id })));
    const feeInvoices = () => getDb().select().from(invoices).where(eq(invoices.feeForInvoiceId, invoice.id));

    expect((await postFee({ amount: "25", kind: "late_fee", effectiveDate: today(), reason: "Late" }, viewerCookie)).status).toBe(403);
    const future = await postFee({ amount: "25", kind: "late_fee", effectiveDate: addDays(today(), 1), reason: "Late" });
    expect(future).toMatchObject({ status: 400, data: { intent: "fee", errors: { effectiveDate: "Fee date cannot be in the future" } } });
    const noAmount = await postFee({ amount: "abc", kind: "late_fee", effectiveDate: today(), reason: "" });
    expect(noAmount.data).toMatchObject({ errors: { amount: expect.stringMatching(/^Fee amount: /), reason: "Reason is required" } });
    expect(await feeInvoices()).toHaveLength(0);

    const backdated = addDays(today(), -10);
    const charged = await postFee({ amount: "25.00", kind: "late_fee", effectiveDate: backdated, reason: "Paid late again" });
    expect(charged).toMatchObject({ status: 200, data: { ok: true, intent: "fee" } });
    const [fee] = await feeInvoices();
    expect(fee).toMatchObject({ kind: "late_fee", totalMinor: 2_500, issueDate: backdated, status: "open", feePeriod: null });
    const page = await outcome(() => invoicePage.loader(args(get(path, viewerCookie), { invoiceId: invoice.id })));
    expect(page.data).toMatchObject({ fees: [{ id: fee!.id, kindLabel: "Late fee", totalMinor: 2_500, memo: "Paid late again" }] });

    const noReason = await outcome(() => invoicePage.action(args(post(path, { intent: "waive_fee", feeInvoiceId: fee!.id, reason: " " }, clerkCookie), { invoiceId: invoice.id })));
    expect(noReason.data).toMatchObject({ ok: false, errors: { reason: "Reason is required" } });
    const waived = await outcome(() => invoicePage.action(args(post(path, { intent: "waive_fee", feeInvoiceId: fee!.id, reason: "Goodwill" }, clerkCookie), { invoiceId: invoice.id })));
    expect(waived.data).toMatchObject({ ok: true, notice: `Fee ${fee!.number} waived.` });
    expect((await feeInvoices())[0]!.status).toBe("void");
    const entries = await getDb().select().from(auditLog).where(eq(auditLog.customerId, customer.id)).orderBy(auditLog.id);
    const sentences = entries.filter((e) => e.action.startsWith("fee.")).map((e) => describeAudit({ ...e, actorName: "Sam" }, "USD"));
    expect(sentences).toEqual([`Sam charged a late fee of $25.00 on invoice ${invoice.number} (${fee!.number}): Paid late again`, `Sam waived fee ${fee!.number} of $25.00: Goodwill`]);

    // A fee on a void invoice: the message says so, and nothing is written.
    const other = await issuedInvoice({ customerId: customer.id, amounts: [10_000] });
    await voidInvoice({ invoiceId: other.id, reason: "Wrong customer" }, staffActor(clerk));
    const journal = (await getDb().select().from(journalEntries)).length;
    const onVoid = await outcome(() => invoicePage.action(args(post(`/staff/invoices/${other.id}`, { intent: "fee", amount: "25", kind: "late_fee", effectiveDate: today(), reason: "Late" }, clerkCookie), { invoiceId: other.id })));
    expect(onVoid.status).toBe(422);
    expect(onVoid.data).toMatchObject({ ok: false, intent: "fee", message: expect.stringMatching(new RegExp(`Invoice ${other.number} is void`)) });
    expect(await getDb().select().from(invoices).where(eq(invoices.feeForInvoiceId, other.id))).toHaveLength(0);
    expect((await getDb().select().from(journalEntries)).length).toBe(journal);
  });
});
