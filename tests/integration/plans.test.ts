import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { auditLog, customers, demoProcessorObjects, emailOutbox, invoices, paymentAttempts, paymentPlans, payments, planInstalments } from "~db/schema";
import { recordPayment } from "~/ledger/payments.server";
import { demoProcessor } from "~/payments/demo-processor.server";
import { getProcessor } from "~/payments/processor.server";
import { stripeClient } from "~/payments/stripe-processor.server";
import { saveDemoCardForPlan } from "~/plans/autopay-setup.server";
import { chargeDueInstalments, startInstalmentPayment } from "~/plans/instalments.server";
import { decidePlan, isInGoodStandingPlan, plannedAmounts, proposePlan, type ProposePlanInput } from "~/plans/plans.server";
import { addDays, addMonths, today } from "~/utils/dates";
import { deliverDemoEvents } from "~webhooks/stripe/demo-delivery.server";
import { receiveStripeWebhook } from "~webhooks/stripe/receive.server";
import { startFakeStripe, type FakeStripe } from "../fakes/stripe";
import { createContact, createCustomer, createStaff, issuedInvoice, staffActor } from "./factories";
import { ledgerFingerprint, ledgerViolations } from "./ledger-invariants";
import { context, cookieFor, get, outcome, post } from "./route-helpers";
import * as portalPlan from "~/routes/portal.plans.$planId";
import * as portalList from "~/routes/portal.plans._index";
import * as portalNew from "~/routes/portal.plans.new";
import * as staffPlan from "~/routes/staff.plans.$planId";
import * as staffList from "~/routes/staff.plans._index";
import * as staffNew from "~/routes/staff.plans.new";

const deliver = () => deliverDemoEvents(async (body, signature) => (await receiveStripeWebhook(body, signature)).status === 200);
let keys = 0;
const missingId = "00000000-0000-4000-8000-000000000000";

async function setup({ amounts = [30_000, 20_000] }: { amounts?: number[] } = {}) {
  const customer = await createCustomer({ email: "ap@customer.example" });
  const contact = await createContact({ customerId: customer.id });
  const invoicesMade: Awaited<ReturnType<typeof issuedInvoice>>[] = [];
  for (const amount of amounts) invoicesMade.push(await issuedInvoice({ customerId: customer.id, amounts: [amount] }));
  const actor = { type: "portal" as const, id: contact.id, label: contact.email };
  const propose = (overrides: Partial<ProposePlanInput> = {}) =>
    proposePlan(
      {
        customerId: customer.id,
        invoiceIds: invoicesMade.map((i) => i.id),
        instalmentCount: 3,
        frequency: "monthly",
        firstDate: addDays(today(), 1),
        firstAmountMinor: null,
        autopay: true,
        message: null,
        idempotencyKey: `plan-key-${++keys}`,
        ...overrides,
      },
      actor,
    );
  return { customer, contact, actor, invoices: invoicesMade, propose };
}

const instalmentsOf = (planId: string) => getDb().select().from(planInstalments).where(eq(planInstalments.planId, planId)).orderBy(planInstalments.seq);
const planRow = async (planId: string) => (await getDb().select().from(paymentPlans).where(eq(paymentPlans.id, planId)))[0]!;
const outbox = (template: string) => getDb().select().from(emailOutbox).where(eq(emailOutbox.template, template));

describe("proposing a plan", () => {
  it("inside the policy is active at once, with a schedule that sums to the total", async () => {
    const { propose, invoices: chosen, customer } = await setup({ amounts: [30_000, 20_001] });
    const first = addDays(today(), 2);
    const plan = await propose({ firstDate: first });
    expect(plan).toMatchObject({ status: "active", totalMinor: 50_001, instalmentCount: 3, policyNotes: null });
    const schedule = await instalmentsOf(plan.id);
    expect(schedule.map((i) => i.amountMinor)).toEqual([16_667, 16_667, 16_667]);
    expect(schedule.reduce((s, i) => s + i.amountMinor, 0)).toBe(50_001);
    expect(schedule.map((i) => i.dueDate)).toEqual([first, addMonths(first, 1), addMonths(first, 2)]);
    expect(await isInGoodStandingPlan(chosen[0]!.id)).toBe(true);
    expect([...(await plannedAmounts(customer.id)).values()].sort()).toEqual([20_001, 30_000]);
    expect(await outbox("plan-confirmed")).toHaveLength(1);
    expect(await getDb().select().from(auditLog).where(eq(auditLog.action, "plan.create"))).toHaveLength(1);
  });

  it("a larger first payment is taken first and the rest split evenly; a repeated submit creates one plan", async () => {
    const { propose } = await setup({ amounts: [10_000] });
    const input = { instalmentCount: 4, frequency: "weekly" as const, firstAmountMinor: 4_000, idempotencyKey: "same-page" };
    const [a, b] = await Promise.all([propose(input), propose(input)]);
    expect(a.id).toBe(b.id);
    const schedule = await instalmentsOf(a.id);
    expect(schedule.map((i) => i.amountMinor)).toEqual([4_000, 2_000, 2_000, 2_000]);
    expect(schedule[1]!.dueDate).toBe(addDays(schedule[0]!.dueDate, 7));
    expect(await getDb().select().from(paymentPlans)).toHaveLength(1);
  });

  it("each breach of the policy waits for approval, with the reason in words, and admins are told", async () => {
    await createStaff({ role: "admin", email: "boss@test.example" });
    const cases: [Partial<ProposePlanInput>, RegExp, number[]?][] = [
      [{ instalmentCount: 8 }, /8 instalments is more than the 6/],
      [{ instalmentCount: 4, firstDate: addMonths(today(), 5) }, /more than 6 months from today/],
      [{ instalmentCount: 2, firstAmountMinor: 400 }, /less than 10% of the total/],
      [{}, /more than the \$25,000\.00/, [2_600_000]],
    ];
    for (const [overrides, reason, amounts] of cases) {
      const { propose } = await setup(amounts ? { amounts } : {});
      const plan = await propose({ message: "Please", ...overrides });
      expect(plan.status).toBe("pending_approval");
      expect(plan.policyNotes).toMatch(reason);
      expect(plan.customerMessage).toBe("Please");
    }
    expect((await outbox("plan-needs-approval")).map((m) => m.toAddress)).toEqual(Array(4).fill("boss@test.example"));
  });

  it("an active or defaulted plan on the account sends the next one for approval; a pending one refuses it", async () => {
    const { propose, customer, actor } = await setup({ amounts: [10_000, 5_000] });
    const [a, b] = await getDb().select().from(invoices).where(eq(invoices.customerId, customer.id)).orderBy(invoices.number);
    await propose({ invoiceIds: [a!.id] });
    const second = await propose({ invoiceIds: [b!.id] });
    expect(second).toMatchObject({ status: "pending_approval", policyNotes: "The account already has an active payment plan" });
    const third = await issuedInvoice({ customerId: customer.id, amounts: [1_000] });
    await expect(propose({ invoiceIds: [third.id] })).rejects.toThrow(/already waiting for approval/);
    await getDb().update(paymentPlans).set({ status: "defaulted" }).where(eq(paymentPlans.customerId, customer.id));
    const fourth = await proposePlan(
      { customerId: customer.id, invoiceIds: [third.id], instalmentCount: 2, frequency: "monthly", firstDate: today(), firstAmountMinor: null, autopay: false, message: null, idempotencyKey: "k4" },
      actor,
    );
    expect(fourth.policyNotes).toMatch(/was not kept up/);
  });

  it("refuses what no one could approve, with the field named, and changes nothing", async () => {
    const { propose, invoices: chosen } = await setup();
    const other = await createCustomer();
    const theirs = await issuedInvoice({ customerId: other.id, amounts: [5_000] });
    const before = await ledgerFingerprint();
    const refusals: [Partial<ProposePlanInput>, RegExp, string][] = [
      [{ invoiceIds: [theirs.id] }, /not open on the account/, "invoices"],
      [{ invoiceIds: [] }, /at least one invoice/, "invoices"],
      [{ invoiceIds: [chosen[0]!.id, chosen[0]!.id] }, /listed twice/, "invoices"],
      [{ instalmentCount: 0 }, /at least 2 instalments/, "instalmentCount"],
      [{ instalmentCount: 61 }, /at most 60 instalments/, "instalmentCount"],
      [{ firstDate: addDays(today(), -1) }, /cannot be in the past/, "firstDate"],
      [{ firstAmountMinor: 50_000 }, /must leave something/, "firstAmount"],
      [{ firstAmountMinor: -5 }, /more than zero/, "firstAmount"],
      [{ instalmentCount: 50, frequency: "monthly", firstDate: addMonths(today(), 20) }, /must end within 5 years/, "firstDate"],
    ];
    for (const [overrides, message, field] of refusals) {
      await expect(propose(overrides)).rejects.toMatchObject({ message: expect.stringMatching(message), field });
    }
    expect(await ledgerFingerprint()).toBe(before);
    await propose();
    await expect(propose()).rejects.toMatchObject({ field: "invoices", message: expect.stringMatching(/already in a payment plan/) });
    expect(await getDb().select().from(paymentPlans)).toHaveLength(1);
  });
});

describe("deciding a plan", () => {
  it("an admin approves (the plan starts) or rejects with a note; a clerk cannot", async () => {
    const admin = await createStaff({ role: "admin" });
    const clerk = await createStaff({ role: "clerk" });
    const { propose } = await setup();
    const plan = await propose({ instalmentCount: 9 });
    await expect(decidePlan({ planId: plan.id, approve: true, note: null }, { ...staffActor(clerk), role: "clerk" })).rejects.toThrow(/Only an admin/);
    await expect(decidePlan({ planId: plan.id, approve: false, note: null }, { ...staffActor(admin), role: "admin" })).rejects.toMatchObject({ field: "note" });
    const approved = await decidePlan({ planId: plan.id, approve: true, note: "As agreed by phone" }, { ...staffActor(admin), role: "admin" });
    expect(approved).toMatchObject({ status: "active", decidedBy: admin.id, decisionNote: "As agreed by phone" });
    expect((await outbox("plan-decided"))[0]!.subject).toMatch(/is approved/);

    const other = await setup();
    const rejected = await decidePlan({ planId: (await other.propose({ instalmentCount: 9 })).id, approve: false, note: "Too long" }, { ...staffActor(admin), role: "admin" });
    expect(rejected.status).toBe("rejected");
    expect((await instalmentsOf(rejected.id)).every((i) => i.status === "canceled")).toBe(true);
    expect(
      await getDb()
        .select()
        .from(auditLog)
        .where(sql`${auditLog.action} in ('plan.approve', 'plan.reject')`),
    ).toHaveLength(2);
  });
});

/** A plan of three monthly instalments over two invoices, with autopay on the given demo card. */
async function autopayPlan(card = "4242424242424242") {
  const context = await setup();
  const plan = await context.propose({ firstDate: today() });
  await saveDemoCardForPlan({ planId: plan.id, customerId: context.customer.id, pageKey: "setup-page-1", cardNumber: card }, context.actor);
  return { ...context, plan: await planRow(plan.id), schedule: await instalmentsOf(plan.id) };
}

describe("the autopay job", () => {
  it("charges the first instalment once, even when two workers run at once", async () => {
    const { plan, schedule, invoices: chosen } = await autopayPlan();
    expect(plan.paymentMethodId).not.toBeNull();
    const runs = await Promise.all([chargeDueInstalments(), chargeDueInstalments()]);
    expect(runs.reduce((s, r) => s + r.succeeded, 0)).toBe(1);
    await deliver();
    expect(await getDb().select().from(payments)).toHaveLength(1);
    expect(await getDb().select().from(paymentAttempts)).toHaveLength(1);
    const [first, second] = await instalmentsOf(plan.id);
    expect(first).toMatchObject({ status: "paid", paidMinor: schedule[0]!.amountMinor, claimedUntil: null });
    expect(second!.status).toBe("scheduled");
    // The oldest invoice is paid down first.
    expect((await getDb().select().from(invoices).where(eq(invoices.id, chosen[0]!.id)))[0]!.openMinor).toBe(30_000 - schedule[0]!.amountMinor);
    expect((await chargeDueInstalments()).charged).toBe(0);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("after a crash between the charge and its record, the rerun records the same charge and charges nothing new", async () => {
    // The card allows one charge: a second one would be declined.
    const { plan, schedule, customer } = await autopayPlan("4000000000004954");
    const first = schedule[0]!;
    const db = getDb();
    // The crashed worker: it claimed the instalment, made the attempt and the charge, then died.
    await db
      .update(planInstalments)
      .set({ claimedUntil: sql`now() + interval '10 minutes'` })
      .where(eq(planInstalments.id, first.id));
    const [attempt] = await db
      .insert(paymentAttempts)
      .values({
        customerId: customer.id,
        kind: "instalment",
        planInstalmentId: first.id,
        currency: "USD",
        amountMinor: first.amountMinor,
        allocations: [{ invoiceId: (await db.select().from(invoices).where(eq(invoices.customerId, customer.id)).orderBy(invoices.dueDate, invoices.number))[0]!.id, amountMinor: first.amountMinor }],
        idempotencyKey: `instalment:${first.id}:0`,
        processor: "demo",
        paymentMethodId: plan.paymentMethodId,
      })
      .returning();
    const [method] = await db.select().from(demoProcessorObjects).where(eq(demoProcessorObjects.type, "payment_method"));
    const processorCustomer = (await db.select({ id: customers.stripeCustomerId }).from(customers).where(eq(customers.id, customer.id)))[0]!.id;
    const charged = await demoProcessor.createPaymentIntent({
      amountMinor: first.amountMinor,
      currency: "USD",
      customer: processorCustomer!,
      metadata: { settle_attempt_id: attempt!.id },
      // The key startAttempt uses, so the rerun finds this very charge.
      idempotencyKey: `attempt:${attempt!.id}:${processorCustomer}`,
      offSessionMethod: method!.id,
    });
    expect(charged.status).toBe("succeeded");

    // While the lease holds, other workers leave it alone.
    expect((await chargeDueInstalments()).charged).toBe(0);
    await db
      .update(planInstalments)
      .set({ claimedUntil: sql`now() - interval '1 second'` })
      .where(eq(planInstalments.id, first.id));
    const rerun = await chargeDueInstalments();
    expect(rerun).toMatchObject({ charged: 1, succeeded: 1 });
    await deliver();
    expect(await db.select().from(payments)).toHaveLength(1);
    expect((await db.select().from(payments))[0]!.reference).toBe(charged.id);
    expect(await db.select().from(demoProcessorObjects).where(eq(demoProcessorObjects.type, "payment_intent"))).toHaveLength(1);
    expect((await instalmentsOf(plan.id))[0]!.status).toBe("paid");
    expect(await ledgerViolations()).toEqual([]);
  });

  it("a declined instalment is retried after the policy's days with an email and a pay link, and the plan defaults at the limit", async () => {
    const { plan, schedule, invoices: chosen } = await autopayPlan("4000000000004954");
    await chargeDueInstalments(schedule[0]!.dueDate);
    const second = schedule[1]!;
    await chargeDueInstalments(second.dueDate);
    let [, failed] = await instalmentsOf(plan.id);
    expect(failed).toMatchObject({ status: "failed", failures: 1, nextAttemptOn: addDays(second.dueDate, 3), lastError: "Your card has insufficient funds." });
    const [email] = await outbox("instalment-failed");
    expect(email!.text).toContain(`/portal/plans/${plan.id}`);
    expect(email!.subject).toMatch(/could not be charged/);
    expect(await isInGoodStandingPlan(chosen[0]!.id)).toBe(true);

    expect((await chargeDueInstalments(addDays(second.dueDate, 2))).charged).toBe(0);
    await chargeDueInstalments(addDays(second.dueDate, 3));
    [, failed] = await instalmentsOf(plan.id);
    expect(failed).toMatchObject({ failures: 2, nextAttemptOn: addDays(second.dueDate, 6) });
    await chargeDueInstalments(addDays(second.dueDate, 6));
    const after = await instalmentsOf(plan.id);
    expect(after.map((i) => i.status)).toEqual(["paid", "failed", "canceled"]);
    expect(await planRow(plan.id)).toMatchObject({ status: "defaulted" });
    expect(await isInGoodStandingPlan(chosen[0]!.id)).toBe(false);
    const emails = await outbox("instalment-failed");
    expect(emails).toHaveLength(3);
    expect(emails.some((m) => /has ended/.test(m.subject))).toBe(true);
    const actions = (await getDb().select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.entityId, plan.id))).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["plan.create", "plan.autopay_on", "plan.instalment_paid", "plan.instalment_failed", "plan.default"]));
    expect(actions.filter((a) => a === "plan.instalment_failed")).toHaveLength(3);
    expect(await getDb().select().from(paymentAttempts)).toHaveLength(4);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("caps an instalment at what is still open, and completes the plan when its invoices are paid another way", async () => {
    const { plan, schedule, customer, invoices: chosen } = await autopayPlan();
    const clerk = await createStaff();
    // A check pays all but $50.00 of the plan's invoices.
    await recordPayment({ customerId: customer.id, amountMinor: 45_000, method: "check", receivedOn: today(), idempotencyKey: "check-1", allocations: "auto" }, staffActor(clerk));
    await chargeDueInstalments(schedule[0]!.dueDate);
    const [first] = await instalmentsOf(plan.id);
    expect(first).toMatchObject({ status: "paid", paidMinor: 5_000 });
    expect(await planRow(plan.id)).toMatchObject({ status: "completed" });
    expect((await instalmentsOf(plan.id)).map((i) => i.status)).toEqual(["paid", "canceled", "canceled"]);
    expect((await getDb().select().from(invoices).where(eq(invoices.id, chosen[1]!.id)))[0]!.status).toBe("paid");

    // A plan paid by hand whose invoices are settled another way completes on the next run.
    const other = await setup({ amounts: [8_000] });
    const byHand = await other.propose({ autopay: false });
    await recordPayment({ customerId: other.customer.id, amountMinor: 8_000, method: "wire", receivedOn: today(), idempotencyKey: "wire-1", allocations: "auto" }, staffActor(clerk));
    expect((await chargeDueInstalments()).completed).toBe(1);
    expect(await planRow(byHand.id)).toMatchObject({ status: "completed" });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("a plan paid by hand defaults when an instalment stays unpaid past the retry window", async () => {
    const { propose } = await setup({ amounts: [9_000] });
    const plan = await propose({ autopay: false, firstDate: today() });
    expect((await chargeDueInstalments(addDays(today(), 9))).defaulted).toBe(0);
    expect((await chargeDueInstalments(addDays(today(), 10))).defaulted).toBe(1);
    expect(await planRow(plan.id)).toMatchObject({ status: "defaulted" });
    expect(await outbox("instalment-failed")).toHaveLength(1);
  });
});

describe("paying an instalment by hand", () => {
  it("starts one attempt for what it owes, pays it through the pay page's path, and a decline there is no plan failure", async () => {
    const { propose, customer, contact } = await setup();
    const plan = await propose({ autopay: false });
    const [first, second] = await instalmentsOf(plan.id);
    const input = { planId: plan.id, instalmentId: first!.id, customerId: customer.id, portalUserId: contact.id };
    await expect(startInstalmentPayment({ ...input, instalmentId: second!.id })).rejects.toThrow(/Pay the instalment due .* first/);
    const [a, b] = await Promise.all([startInstalmentPayment(input), startInstalmentPayment(input)]);
    expect(a.id).toBe(b.id);
    expect(a).toMatchObject({ amountMinor: first!.amountMinor, kind: "instalment", planInstalmentId: first!.id });
    await demoProcessor.confirmPayment(a.processorIntentId!, "4000000000000002");
    await deliver();
    expect((await instalmentsOf(plan.id))[0]).toMatchObject({ status: "scheduled", failures: 0 });
    const retry = await startInstalmentPayment(input);
    expect(retry.id).not.toBe(a.id);
    await demoProcessor.confirmPayment(retry.processorIntentId!, "4242424242424242");
    await deliver();
    expect((await instalmentsOf(plan.id))[0]).toMatchObject({ status: "paid" });
    await expect(startInstalmentPayment(input)).rejects.toThrow(/is paid/);
    const other = await createCustomer();
    await expect(startInstalmentPayment({ ...input, customerId: other.id })).rejects.toMatchObject({ code: "not_found" });
    expect(
      await getDb()
        .select()
        .from(payments)
        .where(and(eq(payments.customerId, customer.id))),
    ).toHaveLength(1);
    expect(await ledgerViolations()).toEqual([]);
  });
});

describe("the plan pages", () => {
  const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context });
  /** A form post with repeated fields (one invoiceId per chosen invoice). */
  const postForm = (path: string, fields: [string, string][], cookie: string) =>
    new Request(`http://localhost:3000${path}`, { method: "POST", body: new URLSearchParams(fields), headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie } });

  it("the portal creates a plan from the form, explains bad input by field, and answers 404 for another customer's plan", async () => {
    const { customer, contact, invoices: chosen } = await setup();
    const cookie = await cookieFor({ audience: "portal", portalUserId: contact.id });
    const loaded = await outcome(() => portalNew.loader(args(get("/portal/plans/new", cookie))));
    const { formKey, invoices: offered } = loaded.data as { formKey: string; invoices: { id: string }[] };
    expect(offered.map((i) => i.id).sort()).toEqual(chosen.map((i) => i.id).sort());
    const fields = (overrides: Record<string, string> = {}, ids = chosen.map((i) => i.id)): [string, string][] => [
      ...ids.map((id): [string, string] => ["invoiceId", id]),
      ...Object.entries({ instalmentCount: "3", frequency: "monthly", firstDate: today(), firstAmount: "", payment: "autopay", message: "", idempotencyKey: formKey, ...overrides }),
    ];
    const other = await setup();
    const bad: [[string, string][], string, RegExp][] = [
      [fields({ instalmentCount: "abc" }), "instalmentCount", /must be a number/],
      [fields({ instalmentCount: "1" }), "instalmentCount", /at least 2/],
      [fields({ firstAmount: "-5" }), "firstAmount", /more than zero/],
      [fields({ firstAmount: "12.345" }), "firstAmount", /at most 2 decimals/],
      [fields({ firstAmount: "600.00" }), "firstAmount", /must leave something/],
      [fields({ firstDate: "2020-01-01" }), "firstDate", /in the past/],
      [fields({ firstDate: "31/12/2026" }), "firstDate", /date like/],
      [fields({ frequency: "daily" }), "frequency", /how often/],
      [fields({}, []), "invoices", /at least one invoice/],
      [fields({}, ["not-a-uuid"]), "invoices", /not on the account/],
      [fields({}, [other.invoices[0]!.id]), "invoices", /not open on the account/],
      [fields({ idempotencyKey: "x" }), "idempotencyKey", /form expired/],
    ];
    for (const [body, field, message] of bad) {
      const result = await outcome(() => portalNew.action(args(postForm("/portal/plans/new", body, cookie))));
      expect(result.status, field).toBeGreaterThanOrEqual(400);
      expect((result.data as { errors: Record<string, string> }).errors[field], field).toMatch(message);
    }
    expect(await getDb().select().from(paymentPlans)).toHaveLength(0);
    const created = await outcome(() => portalNew.action(args(postForm("/portal/plans/new", fields(), cookie))));
    expect(created.location).toMatch(/^\/portal\/plans\/[0-9a-f-]{36}\?created=1$/);
    const planId = created.location!.split("/").pop()!.split("?")[0]!;
    expect((await outcome(() => portalNew.action(args(postForm("/portal/plans/new", fields(), cookie))))).location).toBe(created.location);
    expect((await outcome(() => portalPlan.loader(args(get(`/portal/plans/${planId}`, cookie), { planId })))).status).toBe(200);

    // The other customer's contact sees nothing of it, whatever the route or the intent.
    const stranger = await cookieFor({ audience: "portal", portalUserId: other.contact.id });
    expect((await outcome(() => portalPlan.loader(args(get(`/portal/plans/${planId}`, stranger), { planId })))).status).toBe(404);
    for (const intent of ["pay-instalment", "by-hand", "use-method", "save-card"]) {
      expect((await outcome(() => portalPlan.action(args(post(`/portal/plans/${planId}`, { intent }, stranger), { planId })))).status).toBe(404);
    }
    expect((await outcome(() => portalPlan.loader(args(get("/portal/plans/nope", cookie), { planId: "nope" })))).status).toBe(404);
    const list = await outcome(() => portalList.loader(args(get("/portal/plans", stranger))));
    expect((list.data as { plans: unknown[] }).plans).toHaveLength(0);
    expect(customer.id).toBeTruthy();
  });

  it("the portal saves a demo card for autopay, and pays an instalment by hand through the pay page", async () => {
    const { contact, propose } = await setup();
    const plan = await propose({ autopay: false });
    const cookie = await cookieFor({ audience: "portal", portalUserId: contact.id });
    const params = { planId: plan.id };
    const declined = await outcome(() =>
      portalPlan.action(args(post(`/portal/plans/${plan.id}`, { intent: "save-card", pageKey: "page-key-0001", cardNumber: "4000 0000 0000 0002", expiry: "12 / 40", cvc: "123" }, cookie), params)),
    );
    expect((declined.data as { errors: Record<string, string> }).errors.cardNumber).toMatch(/declined/);
    const saved = await outcome(() =>
      portalPlan.action(args(post(`/portal/plans/${plan.id}`, { intent: "save-card", pageKey: "page-key-0001", cardNumber: "4242 4242 4242 4242", expiry: "12 / 40", cvc: "123" }, cookie), params)),
    );
    expect(saved.location).toBe(`/portal/plans/${plan.id}?saved=1`);
    expect(await planRow(plan.id)).toMatchObject({ autopay: true });
    const [first] = await instalmentsOf(plan.id);
    const paying = await outcome(() => portalPlan.action(args(post(`/portal/plans/${plan.id}`, { intent: "pay-instalment", instalmentId: first!.id }, cookie), params)));
    expect(paying.location).toMatch(/^\/portal\/pay\/[0-9a-f-]{36}$/);
    const [attempt] = await getDb().select().from(paymentAttempts);
    expect(attempt).toMatchObject({ planInstalmentId: first!.id, amountMinor: first!.amountMinor, portalUserId: contact.id });
    const byHand = await outcome(() => portalPlan.action(args(post(`/portal/plans/${plan.id}`, { intent: "by-hand" }, cookie), params)));
    expect(byHand.location).toBe(`/portal/plans/${plan.id}?manual=1`);
    expect(await planRow(plan.id)).toMatchObject({ autopay: false, paymentMethodId: null });
  });

  it("staff: a clerk proposes for a customer; only an admin decides or runs the job; a viewer may only look", async () => {
    const admin = await createStaff({ role: "admin" });
    const clerk = await createStaff({ role: "clerk" });
    const viewer = await createStaff({ role: "viewer" });
    const [adminCookie, clerkCookie, viewerCookie] = (await Promise.all([admin, clerk, viewer].map((u) => cookieFor({ audience: "staff", staffUserId: u.id })))) as [string, string, string];
    const { customer, invoices: chosen } = await setup();
    const loaded = await outcome(() => staffNew.loader(args(get(`/staff/plans/new?customerId=${customer.id}`, clerkCookie))));
    const { formKey } = loaded.data as { formKey: string };
    const body: [string, string][] = [
      ["customerId", customer.id],
      ...chosen.map((i): [string, string] => ["invoiceId", i.id]),
      ["instalmentCount", "10"],
      ["frequency", "monthly"],
      ["firstDate", today()],
      ["payment", "by_hand"],
      ["message", "Agreed on the phone"],
      ["idempotencyKey", formKey],
    ];
    expect((await outcome(() => staffNew.action(args(postForm("/staff/plans/new", body, viewerCookie))))).status).toBe(403);
    const created = await outcome(() => staffNew.action(args(postForm("/staff/plans/new", body, clerkCookie))));
    const planId = created.location!.split("/").pop()!;
    expect(await planRow(planId)).toMatchObject({ status: "pending_approval", proposedBy: clerk.id, requestedBy: null });

    const page = await outcome(() => staffPlan.loader(args(get(`/staff/plans/${planId}`, viewerCookie), { planId })));
    expect(page.data).toMatchObject({ canDecide: false, policyNotes: [expect.stringMatching(/10 instalments/), expect.stringMatching(/more than 6 months/)] });
    const list = await outcome(() => staffList.loader(args(get("/staff/plans", viewerCookie))));
    expect((list.data as { plans: { id: string }[]; canCharge: boolean }).plans.map((p) => p.id)).toEqual([planId]);
    for (const cookie of [viewerCookie, clerkCookie]) {
      expect((await outcome(() => staffPlan.action(args(post(`/staff/plans/${planId}`, { intent: "approve" }, cookie), { planId })))).status).toBe(403);
      expect((await outcome(() => staffList.action(args(post("/staff/plans", {}, cookie))))).status).toBe(403);
    }
    expect((await outcome(() => staffPlan.loader(args(get(`/staff/plans/${missingId}`, viewerCookie), { planId: missingId })))).status).toBe(404);
    const noNote = await outcome(() => staffPlan.action(args(post(`/staff/plans/${planId}`, { intent: "reject", note: "" }, adminCookie), { planId })));
    expect((noNote.data as { errors: Record<string, string> }).errors.note).toMatch(/Say why/);
    expect((await outcome(() => staffPlan.action(args(post(`/staff/plans/${planId}`, { intent: "approve", note: "" }, adminCookie), { planId })))).status).toBe(200);
    expect(await planRow(planId)).toMatchObject({ status: "active", decidedBy: admin.id });

    const past = await outcome(() => staffList.action(args(post("/staff/plans", { asOf: "2020-01-01" }, adminCookie))));
    expect((past.data as { errors: Record<string, string> }).errors.asOf).toMatch(/cannot be in the past/);
    const run = await outcome(() => staffList.action(args(post("/staff/plans", { asOf: addDays(today(), 40) }, adminCookie))));
    expect(run.data).toMatchObject({ ok: true, run: { asOf: addDays(today(), 40) } });
    expect(await getDb().select().from(auditLog).where(eq(auditLog.action, "plan.charge_run"))).toHaveLength(1);
  });
});

describe("autopay with Stripe (the real SDK against the local fake)", () => {
  const stripeEnv = ["STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE"] as const;
  const envBefore = Object.fromEntries(stripeEnv.map((key) => [key, process.env[key]]));
  const resetEnvCache = () => delete (globalThis as { __settleEnv?: unknown }).__settleEnv;
  const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context });
  let fake: FakeStripe;

  beforeAll(async () => {
    fake = await startFakeStripe({ webhooks: "queue" });
    Object.assign(process.env, {
      STRIPE_SECRET_KEY: fake.keys.secretKey,
      STRIPE_PUBLISHABLE_KEY: fake.keys.publishableKey,
      STRIPE_WEBHOOK_SECRET: fake.keys.webhookSecret,
      STRIPE_API_BASE: fake.baseUrl,
    });
    resetEnvCache();
  });

  afterAll(async () => {
    for (const key of stripeEnv) {
      if (envBefore[key] === undefined) delete process.env[key];
      else process.env[key] = envBefore[key];
    }
    resetEnvCache();
    await fake.close();
  });

  it("saves the card through a SetupIntent naming the plan, charges instalments off-session, and refuses a run ahead of the calendar", async () => {
    const { contact, propose } = await setup();
    const plan = await propose({ firstDate: today() });
    const cookie = await cookieFor({ audience: "portal", portalUserId: contact.id });
    const params = { planId: plan.id };
    const page = await outcome(() => portalPlan.loader(args(get(`/portal/plans/${plan.id}`, cookie), params)));
    const form = (page.data as { stripe: { clientSecret: string; publishableKey: string } | null; demo: unknown }).stripe!;
    expect(form.publishableKey).toBe(fake.keys.publishableKey);
    const setupId = form.clientSecret.split("_secret_")[0]!;
    // What Stripe.js's confirmSetup does in the browser.
    await stripeClient(fake.keys.secretKey, fake.baseUrl).setupIntents.confirm(setupId, { payment_method: "pm_card_visa" });

    // Another customer's SetupIntent cannot be applied to this plan.
    const other = await setup();
    const sdk = stripeClient(fake.keys.secretKey, fake.baseUrl);
    const theirs = await (
      await getProcessor()
    ).createSetupIntent({ customer: (await sdk.customers.create({ name: "Other" })).id, metadata: { settle_customer_id: other.customer.id, settle_plan_id: plan.id }, idempotencyKey: "theirs" });
    expect((await outcome(() => portalPlan.loader(args(get(`/portal/plans/${plan.id}?setup_intent=${theirs.id}`, cookie), params)))).status).toBe(404);

    const back = await outcome(() => portalPlan.loader(args(get(`/portal/plans/${plan.id}?setup_intent=${setupId}&redirect_status=succeeded`, cookie), params)));
    expect(back.location).toBe(`/portal/plans/${plan.id}?saved=1`);
    const saved = await planRow(plan.id);
    expect(saved.paymentMethodId).not.toBeNull();

    expect(await chargeDueInstalments()).toMatchObject({ charged: 1, succeeded: 1 });
    await fake.deliverQueued({ to: async (body, signature) => (await receiveStripeWebhook(body, signature)).status === 200 });
    expect(await getDb().select().from(payments)).toHaveLength(1);
    expect((await instalmentsOf(plan.id))[0]).toMatchObject({ status: "paid" });
    expect(await ledgerViolations()).toEqual([]);

    const admin = await createStaff({ role: "admin" });
    const adminCookie = await cookieFor({ audience: "staff", staffUserId: admin.id });
    const ahead = await outcome(() => staffList.action(args(post("/staff/plans", { asOf: addDays(today(), 31) }, adminCookie))));
    expect((ahead.data as { errors: Record<string, string> }).errors.asOf).toMatch(/only be used with the demo processor/);
  });
});
