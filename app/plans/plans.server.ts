import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { customers, invoices, paymentAttempts, paymentPlans, planInstalments, planInvoices, portalUsers, savedPaymentMethods, staffUsers, type PaymentPlan } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import { hasRole } from "~/auth/roles";
import { enqueueEmail } from "~/email/outbox.server";
import type { StaffActor } from "~/ledger/actor";
import { formatMoney, sumMinor } from "~/money/money";
import { payableInvoices } from "~/payments/payable.server";
import { methodLabel } from "~/payments/portal-pay.server";
import { getProcessor } from "~/payments/processor.server";
import { getCompanySettings, getPortalSettings } from "~/settings/settings.server";
import { today, type IsoDate } from "~/utils/dates";
import { appUrl } from "~/utils/env.server";
import { DomainError } from "~/utils/errors";
import { once } from "~/utils/once.server";
import { buildSchedule, frequencyLabels, policyBreaches, termsProblem, type PlanFrequency, type PlanStanding } from "./schedule";

/** Plans that hold their invoices: one waiting for a decision, or one being paid. */
export const LIVE_PLAN_STATUSES = ["pending_approval", "active"] as const;

export type PlanRequester = Extract<Actor, { type: "portal" }> | StaffActor;

const money = (minor: number, currency: string) => formatMoney(minor, currency);

async function standingOf(customerId: string, db: Db): Promise<PlanStanding & { pendingPlanId: string | null }> {
  const rows = await db
    .select({ id: paymentPlans.id, status: paymentPlans.status })
    .from(paymentPlans)
    .where(and(eq(paymentPlans.customerId, customerId), inArray(paymentPlans.status, ["pending_approval", "active", "defaulted"])));
  return {
    pendingPlanId: rows.find((r) => r.status === "pending_approval")?.id ?? null,
    activePlan: rows.some((r) => r.status === "active"),
    defaultedPlan: rows.some((r) => r.status === "defaulted"),
  };
}

/** Invoice ids of `customerId` already held by a live plan. */
async function invoicesInLivePlans(customerId: string, db: Db) {
  const rows = await db
    .select({ invoiceId: planInvoices.invoiceId })
    .from(planInvoices)
    .innerJoin(paymentPlans, eq(paymentPlans.id, planInvoices.planId))
    .where(and(eq(paymentPlans.customerId, customerId), inArray(paymentPlans.status, [...LIVE_PLAN_STATUSES])));
  return new Set(rows.map((r) => r.invoiceId));
}

/** What the plan form offers: the invoices a plan may cover (what is payable now), the policy and the customer's standing. */
export async function planOptions(customerId: string, db: Db = getDb()) {
  const [customer] = await db
    .select({ id: customers.id, name: customers.name, accountNumber: customers.accountNumber, currency: customers.currency })
    .from(customers)
    .where(eq(customers.id, customerId));
  if (!customer) return null;
  const [payable, held, standing, settings] = await Promise.all([payableInvoices(customerId, db), invoicesInLivePlans(customerId, db), standingOf(customerId, db), getPortalSettings(db)]);
  const { planMaxInstalments, planMaxMonths, planMinFirstPercent, planMaxTotal } = settings;
  return {
    customer,
    invoices: payable.filter((i) => i.payableMinor > 0 && !held.has(i.id)),
    policy: { planMaxInstalments, planMaxMonths, planMinFirstPercent, planMaxTotal },
    standing,
    today: today(),
  };
}

export type ProposePlanInput = {
  customerId: string;
  invoiceIds: string[];
  instalmentCount: number;
  frequency: PlanFrequency;
  firstDate: IsoDate;
  firstAmountMinor: number | null;
  autopay: boolean;
  message: string | null;
  /** The form's key: a double submit or a second tab creates one plan. */
  idempotencyKey: string;
};

/**
 * Creates a plan over chosen invoices of the customer. Inside the policy it is active at once;
 * outside it, it waits for an admin with the reasons in words. Terms no one could approve (an
 * invoice that is not theirs or not open, a past date, too few instalments) are refused.
 */
export async function proposePlan(input: ProposePlanInput, actor: PlanRequester, db: Db = getDb()) {
  const { value } = await once(
    { key: `plan:${input.idempotencyKey}`, resource: "payment_plan" },
    db,
    (tx) => createPlan(input, actor, tx),
    async (id, tx) => (await tx.select().from(paymentPlans).where(eq(paymentPlans.id, id)))[0]!,
  );
  return value;
}

async function createPlan(input: ProposePlanInput, actor: PlanRequester, tx: Db): Promise<PaymentPlan> {
  // One plan at a time per customer: concurrent requests queue here and see each other's plan.
  const [customer] = await tx.select().from(customers).where(eq(customers.id, input.customerId)).for("update");
  if (!customer) throw new DomainError("not_found", "Customer not found");
  const ids = input.invoiceIds;
  if (ids.length === 0) throw new DomainError("invalid", "Choose at least one invoice for the plan", "invoices");
  if (new Set(ids).size !== ids.length) throw new DomainError("invalid", "An invoice is listed twice", "invoices");
  const payable = new Map((await payableInvoices(customer.id, tx, ids)).map((i) => [i.id, i]));
  const held = await invoicesInLivePlans(customer.id, tx);
  for (const id of ids) {
    const invoice = payable.get(id);
    if (!invoice || invoice.payableMinor <= 0) throw new DomainError("invalid", "One of the invoices chosen is not open on the account; reload the page and choose again", "invoices");
    if (invoice.currency !== customer.currency) throw new DomainError("invalid", `Invoice ${invoice.number} is in ${invoice.currency}, not the account's ${customer.currency}`, "invoices");
    if (held.has(id)) throw new DomainError("invalid", `Invoice ${invoice.number} is already in a payment plan`, "invoices");
  }
  const standing = await standingOf(customer.id, tx);
  if (standing.pendingPlanId) throw new DomainError("conflict", "A plan request is already waiting for approval on this account; it must be decided first");
  const chosen = ids.map((id) => payable.get(id)!);
  const terms = {
    totalMinor: sumMinor(chosen.map((i) => i.payableMinor)),
    instalmentCount: input.instalmentCount,
    frequency: input.frequency,
    firstDate: input.firstDate,
    firstAmountMinor: input.firstAmountMinor,
  };
  const problem = termsProblem(terms, customer.currency, today());
  if (problem) throw new DomainError("invalid", problem.message, problem.field);
  const notes = policyBreaches({ terms, currency: customer.currency, policy: await getPortalSettings(tx), standing, today: today() });
  const status = notes.length === 0 ? "active" : "pending_approval";
  const [plan] = await tx
    .insert(paymentPlans)
    .values({
      customerId: customer.id,
      currency: customer.currency,
      status,
      totalMinor: terms.totalMinor,
      instalmentCount: terms.instalmentCount,
      frequency: terms.frequency,
      firstDate: terms.firstDate,
      autopay: input.autopay,
      customerMessage: input.message,
      policyNotes: notes.length ? notes.join("\n") : null,
      requestedBy: actor.type === "portal" ? actor.id : null,
      proposedBy: actor.type === "staff" ? actor.id : null,
      activatedAt: status === "active" ? new Date() : null,
    })
    .returning();
  await tx.insert(planInvoices).values(chosen.map((i) => ({ planId: plan!.id, invoiceId: i.id, amountMinor: i.payableMinor })));
  await tx.insert(planInstalments).values(buildSchedule(terms).map((s) => ({ planId: plan!.id, ...s })));
  await recordAudit(
    {
      actor,
      action: "plan.create",
      entityType: "payment_plan",
      entityId: plan!.id,
      customerId: customer.id,
      after: {
        status,
        currency: customer.currency,
        totalMinor: terms.totalMinor,
        instalmentCount: terms.instalmentCount,
        frequency: terms.frequency,
        firstDate: terms.firstDate,
        invoices: chosen.map((i) => i.number),
        policyNotes: notes,
      },
    },
    tx,
  );
  if (status === "active") await emailPlanActive(plan!, tx);
  else await emailApprovers(plan!, customer, actor, notes, tx);
  return plan!;
}

async function instalmentLines(planId: string, currency: string, db: Db) {
  const rows = await db.select().from(planInstalments).where(eq(planInstalments.planId, planId)).orderBy(asc(planInstalments.seq));
  return rows.map((r) => ({ date: r.dueDate, amount: money(r.amountMinor, currency) }));
}

/** The plan's customer-side recipient: the contact who asked for it, else the billing email. */
async function customerRecipient(plan: PaymentPlan, db: Db) {
  const [customer] = await db.select().from(customers).where(eq(customers.id, plan.customerId));
  const [contact] = plan.requestedBy
    ? await db
        .select()
        .from(portalUsers)
        .where(and(eq(portalUsers.id, plan.requestedBy), isNull(portalUsers.disabledAt)))
    : [];
  return { customer: customer!, to: contact?.email ?? customer?.email ?? null };
}

async function howToPay(plan: PaymentPlan, db: Db) {
  if (!plan.autopay) return "Pay each instalment in the portal by its date; we will remind you.";
  const [method] = plan.paymentMethodId ? await db.select().from(savedPaymentMethods).where(eq(savedPaymentMethods.id, plan.paymentMethodId)) : [];
  return method ? `We will charge your ${methodLabel(method)} on each date.` : "Save a card on the plan's page so we can charge each instalment on its date.";
}

async function emailPlanActive(plan: PaymentPlan, db: Db) {
  const { customer, to } = await customerRecipient(plan, db);
  if (!to) return;
  await enqueueEmail(
    {
      template: "plan-confirmed",
      to,
      dedupeKey: `plan-confirmed:${plan.id}`,
      customerId: customer.id,
      metadata: { planId: plan.id },
      props: {
        brand: await getCompanySettings(db),
        customerName: customer.name,
        total: money(plan.totalMinor, plan.currency),
        instalments: await instalmentLines(plan.id, plan.currency, db),
        howToPay: await howToPay(plan, db),
        planUrl: `${appUrl()}/portal/plans/${plan.id}`,
      },
    },
    db,
  );
}

/** Every admin hears of a plan waiting for them (they are the ones who can decide it). */
async function emailApprovers(plan: PaymentPlan, customer: { id: string; name: string; accountNumber: string }, actor: PlanRequester, reasons: string[], db: Db) {
  const admins = await db
    .select({ id: staffUsers.id, email: staffUsers.email })
    .from(staffUsers)
    .where(and(eq(staffUsers.role, "admin"), isNull(staffUsers.disabledAt)));
  const brand = await getCompanySettings(db);
  for (const admin of admins) {
    await enqueueEmail(
      {
        template: "plan-needs-approval",
        to: admin.email,
        dedupeKey: `plan-needs-approval:${plan.id}:${admin.id}`,
        customerId: customer.id,
        metadata: { planId: plan.id },
        props: {
          brand,
          customerName: customer.name,
          accountNumber: customer.accountNumber,
          total: money(plan.totalMinor, plan.currency),
          terms: `${plan.instalmentCount} instalments, ${frequencyLabels[plan.frequency].toLowerCase()} from ${plan.firstDate}`,
          reasons,
          message: plan.customerMessage,
          requestedBy: actor.type === "staff" ? `${actor.label} (staff, on the customer's behalf)` : actor.label,
          reviewUrl: `${appUrl()}/staff/plans/${plan.id}`,
        },
      },
      db,
    );
  }
}

/** An admin's decision on a plan outside the policy; a repeated decision returns the plan as decided. */
export async function decidePlan({ planId, approve, note }: { planId: string; approve: boolean; note: string | null }, actor: StaffActor & { role: "admin" | "clerk" | "viewer" }, db: Db = getDb()) {
  if (!hasRole(actor, "admin")) throw new DomainError("forbidden", "Only an admin can approve or reject a payment plan");
  if (!approve && !note) throw new DomainError("invalid", "Say why the plan is rejected; the customer reads this note", "note");
  return db.transaction(async (tx) => {
    const [plan] = await tx.select().from(paymentPlans).where(eq(paymentPlans.id, planId)).for("update");
    if (!plan) throw new DomainError("not_found", "Payment plan not found");
    if (plan.status !== "pending_approval") return plan;
    if (approve) {
      const covered = await tx.select({ invoiceId: planInvoices.invoiceId }).from(planInvoices).where(eq(planInvoices.planId, plan.id));
      const open = await payableInvoices(
        plan.customerId,
        tx,
        covered.map((c) => c.invoiceId),
      );
      if (open.length < covered.length) throw new DomainError("conflict", "Some of the plan's invoices are no longer open; reject it and ask the customer to set up a new plan");
    }
    const [decided] = await tx
      .update(paymentPlans)
      .set({ status: approve ? "active" : "rejected", decidedBy: actor.id, decisionNote: note, ...(approve ? { activatedAt: new Date() } : { endedAt: new Date() }) })
      .where(eq(paymentPlans.id, plan.id))
      .returning();
    if (!approve) await tx.update(planInstalments).set({ status: "canceled" }).where(eq(planInstalments.planId, plan.id));
    await recordAudit(
      {
        actor,
        action: approve ? "plan.approve" : "plan.reject",
        entityType: "payment_plan",
        entityId: plan.id,
        customerId: plan.customerId,
        before: { status: plan.status },
        after: { status: decided!.status, note },
      },
      tx,
    );
    const { customer, to } = await customerRecipient(decided!, tx);
    if (to) {
      await enqueueEmail(
        {
          template: "plan-decided",
          to,
          dedupeKey: `plan-decided:${plan.id}`,
          customerId: customer.id,
          metadata: { planId: plan.id },
          props: {
            brand: await getCompanySettings(tx),
            customerName: customer.name,
            approved: approve,
            total: money(plan.totalMinor, plan.currency),
            note,
            instalments: await instalmentLines(plan.id, plan.currency, tx),
            howToPay: await howToPay(decided!, tx),
            planUrl: `${appUrl()}/portal/plans${approve ? `/${plan.id}` : ""}`,
          },
        },
        tx,
      );
    }
    return decided!;
  });
}

/** Autopay from one of the customer's saved methods, or (null) instalments paid by hand. */
export async function setPlanAutopay({ planId, customerId, savedMethodId }: { planId: string; customerId: string; savedMethodId: string | null }, actor: Actor, db: Db = getDb()) {
  return db.transaction(async (tx) => {
    const [plan] = await tx
      .select()
      .from(paymentPlans)
      .where(and(eq(paymentPlans.id, planId), eq(paymentPlans.customerId, customerId)))
      .for("update");
    if (!plan) throw new DomainError("not_found", "Payment plan not found");
    if (!(LIVE_PLAN_STATUSES as readonly string[]).includes(plan.status)) throw new DomainError("conflict", "This plan has ended; its payment method cannot change");
    if (savedMethodId) {
      const usable = await usableMethods(customerId, tx);
      const method = usable.find((m) => m.id === savedMethodId);
      if (!method) throw new DomainError("invalid", "That saved payment method is not available", "methodId");
    }
    // The return page and the webhook may both bring the same card: the second changes nothing.
    if (plan.autopay === (savedMethodId !== null) && plan.paymentMethodId === savedMethodId) return plan;
    const [updated] = await tx
      .update(paymentPlans)
      .set({ autopay: savedMethodId !== null, paymentMethodId: savedMethodId })
      .where(eq(paymentPlans.id, plan.id))
      .returning();
    await recordAudit(
      {
        actor,
        action: savedMethodId ? "plan.autopay_on" : "plan.autopay_off",
        entityType: "payment_plan",
        entityId: plan.id,
        customerId,
        before: { autopay: plan.autopay, paymentMethodId: plan.paymentMethodId },
        after: { autopay: updated!.autopay, paymentMethodId: savedMethodId },
      },
      tx,
    );
    return updated!;
  });
}

/** Whether dunning should leave this invoice alone: it is in an active plan (issue 6 reads this). */
export async function isInGoodStandingPlan(invoiceId: string, db: Db = getDb()) {
  const [row] = await db
    .select({ planId: planInvoices.planId })
    .from(planInvoices)
    .innerJoin(paymentPlans, eq(paymentPlans.id, planInvoices.planId))
    .where(and(eq(planInvoices.invoiceId, invoiceId), eq(paymentPlans.status, "active")))
    .limit(1);
  return row !== undefined;
}

/** The amount of each of the customer's invoices held by an active plan, by invoice id. */
export async function plannedAmounts(customerId: string, db: Db = getDb()) {
  const rows = await db
    .select({ invoiceId: planInvoices.invoiceId, amountMinor: planInvoices.amountMinor })
    .from(planInvoices)
    .innerJoin(paymentPlans, eq(paymentPlans.id, planInvoices.planId))
    .where(and(eq(paymentPlans.customerId, customerId), eq(paymentPlans.status, "active")));
  return new Map(rows.map((r) => [r.invoiceId, r.amountMinor]));
}

const planSummary = {
  id: paymentPlans.id,
  customerId: paymentPlans.customerId,
  currency: paymentPlans.currency,
  status: paymentPlans.status,
  totalMinor: paymentPlans.totalMinor,
  instalmentCount: paymentPlans.instalmentCount,
  frequency: paymentPlans.frequency,
  firstDate: paymentPlans.firstDate,
  autopay: paymentPlans.autopay,
  createdAt: paymentPlans.createdAt,
  // Raw column names: drizzle leaves columns of a single-table query unqualified, which a subquery would capture.
  paidMinor: sql<number>`(select coalesce(sum(i.paid_minor), 0) from plan_instalments i where i.plan_id = payment_plans.id)`.mapWith(Number),
  paidCount: sql<number>`(select count(*) from plan_instalments i where i.plan_id = payment_plans.id and i.status = 'paid')`.mapWith(Number),
  nextDueDate: sql<string | null>`(select min(i.due_date) from plan_instalments i where i.plan_id = payment_plans.id and i.status in ('scheduled', 'failed', 'processing'))`,
  nextAmountMinor: sql<
    number | null
  >`(select i.amount_minor from plan_instalments i where i.plan_id = payment_plans.id and i.status in ('scheduled', 'failed', 'processing') order by i.seq limit 1)`.mapWith((v) =>
    v === null ? null : Number(v),
  ),
  failing: sql<boolean>`exists (select 1 from plan_instalments i where i.plan_id = payment_plans.id and i.status = 'failed')`,
};

/** A customer's plans, newest first. */
export async function listCustomerPlans(customerId: string, db: Db = getDb()) {
  return db.select(planSummary).from(paymentPlans).where(eq(paymentPlans.customerId, customerId)).orderBy(desc(paymentPlans.createdAt)).limit(100);
}

export const planListViews = ["current", "pending_approval", "active", "defaulted", "closed"] as const;
export type PlanListView = (typeof planListViews)[number];
const viewStatuses: Record<PlanListView, PaymentPlan["status"][]> = {
  current: ["pending_approval", "active", "defaulted"],
  pending_approval: ["pending_approval"],
  active: ["active"],
  defaulted: ["defaulted"],
  closed: ["completed", "rejected", "canceled"],
};

/** The back office's plans: waiting for approval first (oldest first), then active, then defaulted. */
export async function listPlans({ view = "current" }: { view?: PlanListView } = {}, db: Db = getDb()) {
  return db
    .select({ ...planSummary, customerName: customers.name, accountNumber: customers.accountNumber })
    .from(paymentPlans)
    .innerJoin(customers, eq(customers.id, paymentPlans.customerId))
    .where(inArray(paymentPlans.status, viewStatuses[view]))
    .orderBy(
      sql`case ${paymentPlans.status} when 'pending_approval' then 0 when 'active' then 1 when 'defaulted' then 2 else 3 end`,
      sql`case when ${paymentPlans.status} = 'pending_approval' then ${paymentPlans.createdAt} end asc`,
      desc(paymentPlans.createdAt),
    )
    .limit(200);
}

export async function countPlansWaiting(db: Db = getDb()) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(paymentPlans)
    .where(eq(paymentPlans.status, "pending_approval"));
  return row?.n ?? 0;
}

/**
 * One plan with its schedule, invoices and payment method. With `customerId` (the portal) a plan
 * of another customer is simply not there; staff also get the attempts and who did what.
 */
export async function getPlan(planId: string, { customerId }: { customerId?: string } = {}, db: Db = getDb()) {
  const requester = alias(portalUsers, "requester");
  const proposer = alias(staffUsers, "proposer");
  const decider = alias(staffUsers, "decider");
  const [row] = await db
    .select({ plan: paymentPlans, customerName: customers.name, accountNumber: customers.accountNumber, requestedByName: requester.name, proposedByName: proposer.name, decidedByName: decider.name })
    .from(paymentPlans)
    .innerJoin(customers, eq(customers.id, paymentPlans.customerId))
    .leftJoin(requester, eq(requester.id, paymentPlans.requestedBy))
    .leftJoin(proposer, eq(proposer.id, paymentPlans.proposedBy))
    .leftJoin(decider, eq(decider.id, paymentPlans.decidedBy))
    .where(and(eq(paymentPlans.id, planId), customerId ? eq(paymentPlans.customerId, customerId) : undefined));
  if (!row) return null;
  const [instalments, covered, method] = await Promise.all([
    db.select().from(planInstalments).where(eq(planInstalments.planId, planId)).orderBy(asc(planInstalments.seq)),
    db
      .select({
        id: invoices.id,
        number: invoices.number,
        dueDate: invoices.dueDate,
        status: invoices.status,
        totalMinor: invoices.totalMinor,
        openMinor: invoices.openMinor,
        plannedMinor: planInvoices.amountMinor,
      })
      .from(planInvoices)
      .innerJoin(invoices, eq(invoices.id, planInvoices.invoiceId))
      .where(eq(planInvoices.planId, planId))
      .orderBy(asc(invoices.dueDate), asc(invoices.number)),
    row.plan.paymentMethodId
      ? db
          .select()
          .from(savedPaymentMethods)
          .where(eq(savedPaymentMethods.id, row.plan.paymentMethodId))
          .then((r) => r[0] ?? null)
      : Promise.resolve(null),
  ]);
  const instalmentIds = instalments.map((i) => i.id);
  const attempts = instalmentIds.length
    ? await db
        .select({
          id: paymentAttempts.id,
          planInstalmentId: paymentAttempts.planInstalmentId,
          amountMinor: paymentAttempts.amountMinor,
          status: paymentAttempts.status,
          failureMessage: paymentAttempts.failureMessage,
          paymentId: paymentAttempts.paymentId,
          byHand: sql<boolean>`${paymentAttempts.portalUserId} is not null`,
          createdAt: paymentAttempts.createdAt,
        })
        .from(paymentAttempts)
        .where(and(inArray(paymentAttempts.planInstalmentId, instalmentIds), eq(paymentAttempts.customerId, row.plan.customerId)))
        .orderBy(desc(paymentAttempts.createdAt))
    : [];
  return {
    ...row,
    instalments,
    invoices: covered,
    method: method && !method.detachedAt ? { id: method.id, label: methodLabel(method) } : null,
    attempts,
    policyNotes: row.plan.policyNotes ? row.plan.policyNotes.split("\n") : [],
  };
}

/** The customer's saved methods that autopay may use: kept, and of the processor in use. */
export async function usableMethods(customerId: string, db: Db = getDb()) {
  const { name } = await getProcessor();
  const rows = await db
    .select()
    .from(savedPaymentMethods)
    .where(and(eq(savedPaymentMethods.customerId, customerId), eq(savedPaymentMethods.processor, name), isNull(savedPaymentMethods.detachedAt)))
    .orderBy(desc(savedPaymentMethods.createdAt));
  return rows.map((m) => ({ id: m.id, label: methodLabel(m) }));
}
