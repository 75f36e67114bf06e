import { and, desc, eq, gt, inArray, isNull, ne, sql } from "drizzle-orm";
import { hostname } from "node:os";
import {
  collectionAccounts,
  customers,
  disputes,
  dunningActions,
  dunningPolicies,
  dunningRuns,
  invoices,
  paymentPlans,
  planInvoices,
  type Customer,
  type DunningPolicyRow,
  type PromiseToPay,
} from "~db/schema";
import { getDb, rowsOf, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import { recipientsFor } from "~/customers/recipients.server";
import { enqueueEmail } from "~/email/outbox.server";
import type { StaffActor } from "~/ledger/actor";
import { systemActor } from "~/ledger/actor";
import { chargeFee, computeLateFee, decimalToMinor } from "~/ledger/fees.server";
import { formatBps, formatMoney } from "~/money/money";
import { getCompanySettings, type CompanySettings } from "~/settings/settings.server";
import { addDays, daysBetween, today, type IsoDate } from "~/utils/dates";
import { appUrl, portalSignInLink } from "~/utils/env.server";
import { groupBy } from "~/utils/group-by";
import { getProcessor } from "~/payments/processor.server";
import { DomainError } from "~/utils/errors";
import type { PaymentReminderEmailProps, ReminderInvoice } from "~emails/payment-reminder";
import { applyAssignmentRules } from "./assignment.server";
import { placeHold } from "./holds.server";
import { parseStoredSteps, STANDARD_POLICY, sternest, type LateFee, type PolicyStep, type ReminderTone, type StepAction } from "./policy";
import { openPromises, settlePromise } from "./promises.server";
import { createTask } from "./tasks.server";
import { refreshScores } from "./worklist.server";

/**
 * The dunning run. Customers are taken in batches, each batch in one transaction that locks its
 * accounts (SKIP LOCKED, so several workers share the work) and writes every step's effect
 * (email, task, fee, hold, escalation) together with the `dunning_actions` row whose unique key
 * (invoice, step, period) makes the step happen at most once. A crash rolls the whole batch
 * back; the next run does it again. An account is done for its local day when `last_dunned_on`
 * reaches that day, so reruns on the same day pass it by.
 */

export const DUNNING_BATCH_SIZE = 200;
/** Scheduled runs wait for this local hour, so reminders arrive in the customer's morning. */
export const SEND_FROM_LOCAL_HOUR = 8;
/** Invoices falling due within this many days are listed as "coming up" in a reminder. */
const UPCOMING_LISTED_DAYS = 7;

export type SkipReason = "disputed" | "planned" | "promised" | "snoozed" | "not_business_day" | "no_address" | "escalated";
export const skipReasonLabels: Record<SkipReason, string> = {
  disputed: "amount disputed",
  planned: "covered by a payment plan",
  promised: "covered by a promise to pay",
  snoozed: "account snoozed",
  not_business_day: "not a business day for the customer",
  no_address: "no email address to send to",
  escalated: "account with an agency",
};

export type RunStats = {
  customers: number;
  invoices: number;
  taken: Record<StepAction, number>;
  superseded: number;
  emails: number;
  fees: Record<string, number>;
  skipped: Partial<Record<SkipReason, number>>;
  promisesKept: number;
  promisesBroken: number;
  /** A few skipped steps in words, to say why without storing every skip. */
  examples: string[];
};

const emptyStats = (): RunStats => ({
  customers: 0,
  invoices: 0,
  taken: { email: 0, task: 0, late_fee: 0, credit_hold: 0, escalate: 0 },
  superseded: 0,
  emails: 0,
  fees: {},
  skipped: {},
  promisesKept: 0,
  promisesBroken: 0,
  examples: [],
});


type Policy = Pick<DunningPolicyRow, "id" | "name" | "isDefault" | "segments"> & { steps: PolicyStep[] };

/** Makes the standard policy when there is no default yet (a new install); two callers at once make one. */
export async function ensureDefaultPolicy(db: Db = getDb()) {
  const [existing] = await db.select({ id: dunningPolicies.id }).from(dunningPolicies).where(and(eq(dunningPolicies.isDefault, true), isNull(dunningPolicies.archivedAt)));
  if (existing) return existing.id;
  await db.insert(dunningPolicies).values({ ...STANDARD_POLICY, isDefault: true }).onConflictDoNothing();
  const [made] = await db.select({ id: dunningPolicies.id }).from(dunningPolicies).where(and(eq(dunningPolicies.isDefault, true), isNull(dunningPolicies.archivedAt)));
  if (!made) throw new Error("No default dunning policy: one could not be made. Check the dunning_policies table.");
  return made.id;
}

async function livePolicies(db: Db): Promise<Policy[]> {
  await ensureDefaultPolicy(db);
  const rows = await db.select().from(dunningPolicies).where(isNull(dunningPolicies.archivedAt));
  return rows.map((row) => ({ id: row.id, name: row.name, isDefault: row.isDefault, segments: row.segments, steps: parseStoredSteps(row.steps) }));
}

function choosePolicy(policies: Policy[], accountPolicyId: string | null, segment: string | null) {
  return (
    (accountPolicyId ? policies.find((p) => p.id === accountPolicyId) : undefined) ??
    (segment ? policies.find((p) => p.segments.some((s) => s.toLowerCase() === segment.toLowerCase())) : undefined) ??
    policies.find((p) => p.isDefault) ??
    null
  );
}

/** Which policy each customer follows: the account's own, else its segment's, else the default. */
export async function policyForCustomers(customerIds: string[], db: Db = getDb()) {
  if (customerIds.length === 0) return new Map<string, Policy | null>();
  const [policies, rows] = await Promise.all([
    livePolicies(db),
    db
      .select({ id: customers.id, segment: customers.segment, policyId: collectionAccounts.policyId })
      .from(customers)
      .leftJoin(collectionAccounts, eq(collectionAccounts.customerId, customers.id))
      .where(inArray(customers.id, customerIds)),
  ]);
  return new Map(rows.map((r) => [r.id, choosePolicy(policies, r.policyId, r.segment)]));
}

// ---------------------------------------------------------------------------------------------
// What each customer's invoices look like today: loaded for a whole batch in a fixed number of queries.

type OpenItem = {
  id: string;
  number: string;
  kind: "standard" | "late_fee" | "interest";
  dueDate: IsoDate;
  openMinor: number;
  disputedMinor: number;
  plannedMinor: number;
  promisedMinor: number;
  collectibleMinor: number;
  daysOverdue: number;
  publicToken: string;
};

type CustomerState = {
  customer: Pick<Customer, "id" | "name" | "currency" | "timeZone" | "segment" | "creditHold">;
  account: { policyId: string | null; snoozedUntil: IsoDate | null; escalatedAt: Date | null; lastDunnedOn: IsoDate | null } | null;
  localDate: IsoDate;
  items: OpenItem[];
  promises: PromiseToPay[];
  /** "invoiceId:stepId:period" of every step already recorded. */
  recorded: Set<string>;
  /** Fees charged so far on each invoice (for the cap). */
  feesSoFar: Map<string, number>;
};

async function loadStates(customerIds: string[], now: Date, db: Db): Promise<CustomerState[]> {
  if (customerIds.length === 0) return [];
  const [customerRows, openRows, disputedRows, plannedRows, promiseRows, actionRows, feeRows] = await Promise.all([
    db
      .select({
        id: customers.id,
        name: customers.name,
        currency: customers.currency,
        timeZone: customers.timeZone,
        segment: customers.segment,
        creditHold: customers.creditHold,
        policyId: collectionAccounts.policyId,
        snoozedUntil: collectionAccounts.snoozedUntil,
        escalatedAt: collectionAccounts.escalatedAt,
        lastDunnedOn: collectionAccounts.lastDunnedOn,
        hasAccount: sql<boolean>`${collectionAccounts.customerId} is not null`,
      })
      .from(customers)
      .leftJoin(collectionAccounts, eq(collectionAccounts.customerId, customers.id))
      .where(inArray(customers.id, customerIds)),
    db
      .select({ id: invoices.id, customerId: invoices.customerId, number: invoices.number, kind: invoices.kind, dueDate: invoices.dueDate, openMinor: invoices.openMinor, publicToken: invoices.publicToken })
      .from(invoices)
      .where(and(inArray(invoices.customerId, customerIds), eq(invoices.status, "open")))
      .orderBy(invoices.dueDate, invoices.number),
    db
      .select({ invoiceId: disputes.invoiceId, total: sql<string>`sum(${disputes.amountMinor})` })
      .from(disputes)
      .where(and(inArray(disputes.customerId, customerIds), eq(disputes.status, "open")))
      .groupBy(disputes.invoiceId),
    db
      .select({ invoiceId: planInvoices.invoiceId, total: sql<string>`sum(${planInvoices.amountMinor})` })
      .from(planInvoices)
      .innerJoin(paymentPlans, eq(paymentPlans.id, planInvoices.planId))
      .where(and(inArray(paymentPlans.customerId, customerIds), eq(paymentPlans.status, "active")))
      .groupBy(planInvoices.invoiceId),
    openPromises(customerIds, db),
    db
      .select({ invoiceId: dunningActions.invoiceId, stepId: dunningActions.stepId, period: dunningActions.period })
      .from(dunningActions)
      .where(inArray(dunningActions.customerId, customerIds)),
    db
      .select({ invoiceId: invoices.feeForInvoiceId, total: sql<string>`sum(${invoices.totalMinor})` })
      .from(invoices)
      .where(and(inArray(invoices.customerId, customerIds), ne(invoices.kind, "standard"), ne(invoices.status, "void")))
      .groupBy(invoices.feeForInvoiceId),
  ]);
  const disputed = new Map(disputedRows.map((r) => [r.invoiceId, Number(r.total)]));
  const planned = new Map(plannedRows.map((r) => [r.invoiceId, Number(r.total)]));
  const recorded = new Set(actionRows.map((r) => `${r.invoiceId}:${r.stepId}:${r.period}`));
  const feesSoFar = new Map(feeRows.map((r) => [r.invoiceId!, Number(r.total)]));
  const byCustomer = groupBy(openRows, (r) => r.customerId);
  const promisesBy = groupBy(promiseRows, (p) => p.customerId);
  return customerRows.map((c) => {
    const localDate = today(c.timeZone, now);
    const promises = promisesBy.get(c.id) ?? [];
    // An open promise not yet due covers the customer's oldest overdue amounts first.
    let promiseCover = promises.filter((p) => p.promisedOn >= localDate).reduce((sum, p) => sum + p.amountMinor, 0);
    const items = (byCustomer.get(c.id) ?? []).map((row) => {
      const disputedMinor = Math.min(row.openMinor, disputed.get(row.id) ?? 0);
      const plannedMinor = Math.min(row.openMinor - disputedMinor, planned.get(row.id) ?? 0);
      const daysOverdue = daysBetween(row.dueDate!, localDate);
      const free = row.openMinor - disputedMinor - plannedMinor;
      const promisedMinor = daysOverdue > 0 ? Math.min(free, promiseCover) : 0;
      promiseCover -= promisedMinor;
      return {
        id: row.id,
        number: row.number!,
        kind: row.kind,
        dueDate: row.dueDate!,
        openMinor: row.openMinor,
        disputedMinor,
        plannedMinor,
        promisedMinor,
        collectibleMinor: free - promisedMinor,
        daysOverdue,
        publicToken: row.publicToken,
      };
    });
    return {
      customer: { id: c.id, name: c.name, currency: c.currency, timeZone: c.timeZone, segment: c.segment, creditHold: c.creditHold },
      account: c.hasAccount ? { policyId: c.policyId, snoozedUntil: c.snoozedUntil, escalatedAt: c.escalatedAt, lastDunnedOn: c.lastDunnedOn } : null,
      localDate,
      items,
      promises,
      recorded,
      feesSoFar,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Deciding: which steps are due on which invoice, and which of them to take today.

type Decision = { item: OpenItem; step: PolicyStep; period: number; outcome: "taken" | "superseded"; reason: string };
type Skip = { item: OpenItem; step: PolicyStep; reason: SkipReason };

const isBusinessDay = (day: IsoDate) => {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
};

function feePeriod(step: PolicyStep, daysOverdue: number) {
  const every = step.fee?.repeatEveryDays;
  return every ? Math.floor((daysOverdue - step.offsetDays) / every) : 0;
}

function whyHeld(item: OpenItem): SkipReason {
  if (item.disputedMinor > 0) return "disputed";
  if (item.plannedMinor > 0) return "planned";
  return "promised";
}

/**
 * For each invoice, the due steps not yet recorded. Of several due steps of one kind, only the
 * latest is taken and the earlier ones are recorded as passed over (a customer who first
 * reaches the policy at 20 days gets the 14-day email, not the 1-, 7- and 14-day ones).
 */
export function decide(state: CustomerState, steps: PolicyStep[], { canEmail }: { canEmail: boolean }) {
  const decisions: Decision[] = [];
  const skips: Skip[] = [];
  const snoozed = state.account?.snoozedUntil ? state.account.snoozedUntil >= state.localDate : false;
  const escalated = Boolean(state.account?.escalatedAt);
  for (const item of state.items) {
    if (item.kind !== "standard") continue;
    const due = steps.filter((step) => step.offsetDays <= item.daysOverdue && !state.recorded.has(`${item.id}:${step.id}:${step.action === "late_fee" ? feePeriod(step, item.daysOverdue) : 0}`));
    if (due.length === 0) continue;
    for (const action of new Set(due.map((s) => s.action))) {
      const ofKind = due.filter((s) => s.action === action);
      const latest = ofKind.at(-1)!;
      const period = action === "late_fee" ? feePeriod(latest, item.daysOverdue) : 0;
      let skip: SkipReason | null = null;
      if (snoozed) skip = "snoozed";
      else if (item.collectibleMinor <= 0) skip = whyHeld(item);
      else if (action === "email" && escalated) skip = "escalated";
      else if (action === "email" && !isBusinessDay(state.localDate)) skip = "not_business_day";
      else if (action === "email" && !canEmail) skip = "no_address";
      if (skip) {
        skips.push({ item, step: latest, reason: skip });
        continue;
      }
      decisions.push({ item, step: latest, period, outcome: "taken", reason: `${item.daysOverdue} days ${item.daysOverdue < 0 ? "before due" : "overdue"}; step at day ${latest.offsetDays}` });
      for (const earlier of ofKind.slice(0, -1)) {
        decisions.push({ item, step: earlier, period: 0, outcome: "superseded", reason: `passed over for the day-${latest.offsetDays} step` });
      }
    }
  }
  return { decisions, skips };
}

// ---------------------------------------------------------------------------------------------
// The reminder email: one a day per customer, listing everything overdue with a pay link.

function feeNote(steps: PolicyStep[], currency: string) {
  const step = steps.find((s) => s.action === "late_fee");
  if (!step?.fee) return null;
  return `${describeFee(step.fee, currency)} applies from ${step.offsetDays} days after the due date.`;
}

export function describeFee(fee: LateFee, currency: string) {
  const amount = fee.type === "flat" ? `A late fee of ${formatMoney(decimalToMinor(fee.amount ?? "0", currency), currency)}` : `A late fee of ${formatBps(fee.percentBps ?? 0)} of the overdue amount`;
  const repeat = fee.repeatEveryDays ? `, charged every ${fee.repeatEveryDays} days` : "";
  const cap = fee.cap ? ` (at most ${formatMoney(decimalToMinor(fee.cap, currency), currency)} an invoice)` : "";
  return `${amount}${repeat}${cap}`;
}


export function reminderProps(state: CustomerState, tone: ReminderTone, steps: PolicyStep[], brand: CompanySettings, base: string): PaymentReminderEmailProps {
  const { currency } = state.customer;
  const toLine = (item: OpenItem): ReminderInvoice => ({
    number: item.number,
    dueDate: item.dueDate,
    daysOverdue: item.daysOverdue,
    amount: formatMoney(item.collectibleMinor, currency),
    disputed: item.disputedMinor > 0 ? formatMoney(item.disputedMinor, currency) : null,
    payUrl: portalSignInLink(`/portal/pay?invoice=${item.id}`, base),
    viewUrl: `${base}/invoices/${item.publicToken}`,
  });
  const listed = state.items.filter((i) => i.collectibleMinor > 0);
  const overdue = listed.filter((i) => i.daysOverdue > 0);
  const upcoming = listed.filter((i) => i.daysOverdue <= 0 && i.daysOverdue >= -UPCOMING_LISTED_DAYS);
  const sum = (items: OpenItem[]) => formatMoney(items.reduce((s, i) => s + i.collectibleMinor, 0), currency);
  return {
    brand,
    tone,
    customerName: state.customer.name,
    overdue: overdue.map(toLine),
    upcoming: upcoming.map(toLine),
    totalOverdue: sum(overdue),
    totalUpcoming: sum(upcoming),
    payAllUrl: portalSignInLink("/portal/pay?select=due", base),
    promiseUrl: portalSignInLink("/portal/promise", base),
    planUrl: portalSignInLink("/portal/plans/new", base),
    disputeUrl: portalSignInLink("/portal/invoices?filter=open", base),
    lateFeeNote: feeNote(steps, currency),
    onHold: state.customer.creditHold,
  };
}

// ---------------------------------------------------------------------------------------------
// Taking the decided steps, inside the batch's transaction.

const STAGE_OF: Record<StepAction, number> = { email: 0, task: 3, credit_hold: 4, escalate: 5, late_fee: -1 };
const STAGES = ["upcoming", "reminded", "final_notice", "call", "credit_hold", "agency"] as const;
type Stage = (typeof STAGES)[number];

function stageFor(actions: { action: StepAction; tone?: ReminderTone }[]): Stage | null {
  let rank = -1;
  for (const a of actions) {
    const r = a.action === "email" ? (a.tone === "upcoming" ? 0 : a.tone === "final" ? 2 : 1) : STAGE_OF[a.action];
    rank = Math.max(rank, r);
  }
  return rank >= 0 ? STAGES[rank]! : null;
}

async function takeSteps(
  state: CustomerState,
  policy: Policy,
  decisions: Decision[],
  ctx: { now: Date; runId: string; actor: Actor; brand: CompanySettings; base: string; recipients: string[]; stats: RunStats },
  db: Db,
) {
  const { customer, localDate } = state;
  const taken = decisions.filter((d) => d.outcome === "taken");
  let emailId: string | null = null;
  const emailSteps = taken.filter((d) => d.step.action === "email");
  if (emailSteps.length > 0) {
    const tone = sternest(emailSteps.map((d) => d.step.template!))!;
    const props = reminderProps(state, tone, policy.steps, ctx.brand, ctx.base);
    for (const to of ctx.recipients) {
      // One reminder a day per customer and address, whatever reruns or workers do.
      const id = await enqueueEmail({ template: "payment-reminder", to, dedupeKey: `reminder:${customer.id}:${localDate}:${to}`, customerId: customer.id, props, metadata: { runId: ctx.runId, tone } }, db);
      emailId ??= id;
      if (id) ctx.stats.emails++;
    }
  }
  let taskId: string | null = null;
  const taskSteps = taken.filter((d) => d.step.action === "task");
  for (const [stepId, group] of groupBy(taskSteps, (d) => d.step.id)) {
    const step = group[0]!.step;
    const task = await createTask(
      {
        customerId: customer.id,
        kind: "call",
        title: `${step.taskTitle}: ${group.map((d) => d.item.number).join(", ")}`,
        dueOn: localDate,
        sourceKey: `dunning:${customer.id}:${stepId}:${localDate}`,
        invoiceId: group.length === 1 ? group[0]!.item.id : null,
      },
      ctx.actor,
      db,
    );
    taskId = task?.id ?? taskId;
  }
  const holdStep = taken.find((d) => d.step.action === "credit_hold");
  if (holdStep && !customer.creditHold) {
    const reason = `${holdStep.item.daysOverdue} days overdue on invoice ${holdStep.item.number} (policy ${policy.name})`;
    await placeHold({ customerId: customer.id, reason, source: "policy", sourceKey: `dunning:${holdStep.item.id}:${holdStep.step.id}` }, ctx.actor, db);
    const overdueMinor = state.items.filter((i) => i.daysOverdue > 0).reduce((sum, i) => sum + i.collectibleMinor, 0);
    for (const to of ctx.recipients) {
      await enqueueEmail(
        {
          template: "credit-hold-notice",
          to,
          dedupeKey: `credit-hold:${holdStep.item.id}:${holdStep.step.id}:${to}`,
          customerId: customer.id,
          props: { brand: ctx.brand, customerName: customer.name, reason: `Invoice ${holdStep.item.number} is ${holdStep.item.daysOverdue} days overdue`, overdueTotal: formatMoney(overdueMinor, customer.currency), payUrl: portalSignInLink("/portal/pay?select=due", ctx.base), contact: ctx.brand.supportEmail ?? ctx.brand.companyName },
          metadata: { runId: ctx.runId },
        },
        db,
      );
    }
  }
  const escalation = taken.find((d) => d.step.action === "escalate");
  if (escalation && !state.account?.escalatedAt) {
    await db.update(collectionAccounts).set({ escalatedAt: ctx.now, updatedAt: new Date() }).where(eq(collectionAccounts.customerId, customer.id));
    await createTask(
      { customerId: customer.id, kind: "agency", title: `Hand the account to the collection agency (${escalation.item.number} is ${escalation.item.daysOverdue} days overdue)`, dueOn: localDate, sourceKey: `dunning:${customer.id}:${escalation.step.id}:escalate` },
      ctx.actor,
      db,
    );
    await recordAudit({ actor: ctx.actor, action: "collections.escalate", entityType: "customer", entityId: customer.id, customerId: customer.id, after: { policy: policy.name, invoice: escalation.item.number } }, db);
  }
  const rows = [];
  for (const d of decisions) {
    let amountMinor: number | null = d.item.collectibleMinor;
    let feeInvoiceId: string | null = null;
    let reason = d.reason;
    if (d.outcome === "taken" && d.step.action === "late_fee") {
      const fee = computeLateFee({ fee: d.step.fee!, collectibleMinor: d.item.collectibleMinor, chargedSoFarMinor: state.feesSoFar.get(d.item.id) ?? 0, currency: customer.currency });
      amountMinor = fee;
      if (fee > 0) {
        const charged = await chargeFee(
          { invoiceId: d.item.id, kind: d.step.fee!.repeatEveryDays ? "interest" : "late_fee", amountMinor: fee, effectiveDate: localDate, period: d.period, reason: describeFee(d.step.fee!, customer.currency), today: localDate },
          ctx.actor,
          db,
        );
        feeInvoiceId = charged?.id ?? null;
        for (const to of charged ? ctx.recipients : []) {
          await enqueueEmail(
            {
              template: "late-fee-charged",
              to,
              dedupeKey: `late-fee:${charged!.id}:${to}`,
              customerId: customer.id,
              props: {
                brand: ctx.brand,
                customerName: customer.name,
                feeInvoiceNumber: charged!.number ?? "",
                amount: formatMoney(fee, customer.currency),
                invoiceNumber: d.item.number,
                reason: `${describeFee(d.step.fee!, customer.currency)}, ${d.item.daysOverdue} days overdue`,
                payUrl: portalSignInLink("/portal/pay?select=due", ctx.base),
                viewUrl: portalSignInLink(`/portal/invoices/${charged!.id}`, ctx.base),
              },
              metadata: { runId: ctx.runId },
            },
            db,
          );
        }
        state.feesSoFar.set(d.item.id, (state.feesSoFar.get(d.item.id) ?? 0) + fee);
        ctx.stats.fees[customer.currency] = (ctx.stats.fees[customer.currency] ?? 0) + fee;
      } else reason = `${reason}; the fee cap is reached`;
    }
    rows.push({
      invoiceId: d.item.id,
      customerId: customer.id,
      policyId: policy.id,
      stepId: d.step.id,
      period: d.period,
      action: d.step.action,
      outcome: d.outcome,
      takenOn: localDate,
      runId: ctx.runId,
      reason,
      currency: customer.currency,
      amountMinor,
      emailId: d.step.action === "email" && d.outcome === "taken" ? emailId : null,
      taskId: d.step.action === "task" && d.outcome === "taken" ? taskId : null,
      feeInvoiceId,
    });
    if (d.outcome === "taken") ctx.stats.taken[d.step.action]++;
    else ctx.stats.superseded++;
  }
  if (rows.length > 0) {
    const inserted = await db.insert(dunningActions).values(rows).onConflictDoNothing().returning({ id: dunningActions.id });
    // The account lock and last_dunned_on make a conflict impossible; if one happens, nothing above may stand.
    if (inserted.length !== rows.length) throw new Error(`dunning: steps for customer ${customer.id} were already taken by another run`);
  }
  const stage = stageFor(taken.map((d) => ({ action: d.step.action, tone: d.step.template })));
  return stage;
}

// ---------------------------------------------------------------------------------------------
// The run.

export type RunOptions = {
  /** The instant to treat as now (a simulated clock in tests). */
  now?: Date;
  trigger: "schedule" | "manual" | "cli";
  startedBy?: string | null;
  worker?: string;
  /** Only these customers (manual runs for one account, tests). */
  customerIds?: string[];
  batchSize?: number;
};

/** Customers with something to do today whose local day has not been done yet, after `after`, in id order. */
async function nextCandidates(now: Date, after: string, limit: number, { customerIds, localHour }: { customerIds?: string[]; localHour: boolean }, db: Db) {
  const horizon = addDays(today("UTC", now), 62);
  const nowText = now.toISOString();
  const rows = rowsOf<{ id: string }>(
    await db.execute(sql`
      select c.id from customers c
      left join collection_accounts a on a.customer_id = c.id
      where c.id > ${after}::uuid
        ${customerIds ? sql`and c.id in (${sql.join(customerIds.map((id) => sql`${id}::uuid`), sql`, `)})` : sql``}
        and (a.last_dunned_on is null or a.last_dunned_on < (${nowText}::timestamptz at time zone c.time_zone)::date)
        ${localHour ? sql`and extract(hour from ${nowText}::timestamptz at time zone c.time_zone) >= ${SEND_FROM_LOCAL_HOUR}` : sql``}
        and (exists (select 1 from invoices i where i.customer_id = c.id and i.status = 'open' and i.due_date <= ${horizon}::date)
             or exists (select 1 from promises_to_pay p where p.customer_id = c.id and p.status = 'open'))
      order by c.id
      limit ${limit}`),
  );
  return rows.map((r) => r.id);
}

export async function runDunning(options: RunOptions, db: Db = getDb()): Promise<{ runId: string | null; stats: RunStats }> {
  const now = options.now ?? new Date();
  const stats = emptyStats();
  const batchSize = options.batchSize ?? DUNNING_BATCH_SIZE;
  const candidates = (after: string) => nextCandidates(now, after, batchSize, { customerIds: options.customerIds, localHour: options.trigger === "schedule" }, db);
  let ids = await candidates("00000000-0000-0000-0000-000000000000");
  // The scheduled job ticks every few minutes; a tick with nothing to do leaves no run behind.
  if (ids.length === 0 && options.trigger === "schedule") return { runId: null, stats };
  const [run] = await db
    .insert(dunningRuns)
    .values({ trigger: options.trigger, asOf: now, startedBy: options.startedBy ?? null, worker: options.worker ?? `${hostname()}:${process.pid}` })
    .returning({ id: dunningRuns.id });
  const runId = run!.id;
  const actor = options.startedBy ? ({ type: "staff", id: options.startedBy, label: "dunning run" } as Actor) : systemActor("dunning");
  try {
    const [policies, brand] = await Promise.all([livePolicies(db), getCompanySettings(db)]);
    const base = appUrl();
    while (ids.length > 0) {
      await runBatch(ids, { now, runId, actor, policies, brand, base, stats }, db);
      ids = await candidates(ids.at(-1)!);
    }
    await db.update(dunningRuns).set({ status: "finished", finishedAt: new Date(), stats }).where(eq(dunningRuns.id, runId));
    return { runId, stats };
  } catch (error) {
    await db
      .update(dunningRuns)
      .set({ status: "failed", finishedAt: new Date(), stats, error: error instanceof Error ? error.message : String(error) })
      .where(eq(dunningRuns.id, runId))
      .catch(() => {});
    throw error;
  }
}

/**
 * "Run now" from the back office. With the demo processor an admin may run as of a later day
 * (as Stripe's test clocks do) to see what the policy will do; a real install runs as of now.
 */
export async function runDunningNow({ asOf }: { asOf: IsoDate | null }, actor: StaffActor, db: Db = getDb()) {
  let now = new Date();
  if (asOf !== null && asOf !== today("UTC", now)) {
    if ((await getProcessor()).name !== "demo") throw new DomainError("invalid", "A date other than today can only be used with the demo processor", "asOf");
    if (asOf < today("UTC", now)) throw new DomainError("invalid", "As of cannot be in the past", "asOf");
    now = new Date(now.getTime() + daysBetween(today("UTC", now), asOf) * 86_400_000);
  }
  return runDunning({ trigger: "manual", startedBy: actor.id, now }, db);
}

type BatchContext = { now: Date; runId: string; actor: Actor; policies: Policy[]; brand: CompanySettings; base: string; stats: RunStats };

async function runBatch(ids: string[], ctx: BatchContext, db: Db) {
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      insert into collection_accounts (customer_id, currency)
      select id, currency from customers where id in (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)})
      on conflict do nothing`);
    // Another worker holding an account is doing it; this one passes it by.
    const locked = rowsOf<{ customer_id: string }>(
      await tx.execute(sql`
        select a.customer_id from collection_accounts a join customers c on c.id = a.customer_id
        where a.customer_id in (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)})
          and (a.last_dunned_on is null or a.last_dunned_on < (${ctx.now.toISOString()}::timestamptz at time zone c.time_zone)::date)
        order by a.customer_id
        for update of a skip locked`),
    ).map((r) => r.customer_id);
    if (locked.length === 0) return;
    await settleDuePromises(locked, ctx, tx);
    const states = await loadStates(locked, ctx.now, tx);
    const doneOn = new Map<IsoDate, string[]>();
    for (const state of states) {
      const policy = choosePolicy(ctx.policies, state.account?.policyId ?? null, state.customer.segment);
      ctx.stats.customers++;
      ctx.stats.invoices += state.items.length;
      let stage: Stage | null = null;
      if (policy) {
        // Most accounts on most days have nothing new: their addresses are read only when an email is due.
        let decided = decide(state, policy.steps, { canEmail: true });
        // Fees and holds are told to the customer too.
        const wantsAddress = decided.decisions.some((d) => d.outcome === "taken" && (d.step.action === "email" || d.step.action === "late_fee" || d.step.action === "credit_hold")) || state.promises.some((p) => p.promisedOn === addDays(state.localDate, 1));
        const recipients = wantsAddress ? await recipientsFor(state.customer.id, "reminders", tx) : [];
        if (wantsAddress && recipients.length === 0) decided = decide(state, policy.steps, { canEmail: false });
        const { decisions, skips } = decided;
        for (const skip of skips) {
          ctx.stats.skipped[skip.reason] = (ctx.stats.skipped[skip.reason] ?? 0) + 1;
          if (ctx.stats.examples.length < 50) ctx.stats.examples.push(`${state.customer.name}, ${skip.item.number}: ${skip.step.action} at day ${skip.step.offsetDays} not taken (${skipReasonLabels[skip.reason]})`);
        }
        if (decisions.length > 0) stage = await takeSteps(state, policy, decisions, { ...ctx, recipients }, tx);
        await remindOfPromises(state, ctx, recipients, tx);
      }
      const nothingOverdue = state.items.every((i) => i.daysOverdue <= 0 || i.kind !== "standard");
      if (!stage && !nothingOverdue) {
        doneOn.set(state.localDate, [...(doneOn.get(state.localDate) ?? []), state.customer.id]);
        continue;
      }
      await tx
        .update(collectionAccounts)
        .set({
          lastDunnedOn: state.localDate,
          updatedAt: new Date(),
          ...(stage ? { stage: sql`case when ${collectionAccounts.stage} = 'agency' then 'agency'::collection_stage else ${stage}::collection_stage end` } : {}),
          ...(nothingOverdue ? { stage: "none" as const, escalatedAt: null } : {}),
        })
        .where(eq(collectionAccounts.customerId, state.customer.id));
    }
    // Accounts whose stage stays as it is are marked done for their day together.
    for (const [localDate, customerIds] of doneOn) {
      await tx.update(collectionAccounts).set({ lastDunnedOn: localDate, updatedAt: new Date() }).where(inArray(collectionAccounts.customerId, customerIds));
    }
    // Rules read the overdue amount that refreshScores caches, so scores come first.
    await refreshScores(locked, today("UTC", ctx.now), tx);
    await applyAssignmentRules(locked, tx);
  });
}

async function settleDuePromises(customerIds: string[], ctx: BatchContext, db: Db) {
  const promises = await openPromises(customerIds, db);
  if (promises.length === 0) return;
  const zones = new Map(
    (await db.select({ id: customers.id, timeZone: customers.timeZone }).from(customers).where(inArray(customers.id, [...new Set(promises.map((p) => p.customerId))]))).map((c) => [c.id, c.timeZone]),
  );
  for (const promise of promises) {
    const result = await settlePromise(promise, today(zones.get(promise.customerId)!, ctx.now), ctx.actor, db);
    if (result === "kept") ctx.stats.promisesKept++;
    if (result === "broken") ctx.stats.promisesBroken++;
  }
}

async function remindOfPromises(state: CustomerState, ctx: BatchContext, recipients: string[], db: Db) {
  const tomorrow = addDays(state.localDate, 1);
  for (const promise of state.promises.filter((p) => p.promisedOn === tomorrow)) {
    for (const to of recipients) {
      await enqueueEmail(
        {
          template: "promise-reminder",
          to,
          dedupeKey: `promise-reminder:${promise.id}:${to}`,
          customerId: state.customer.id,
          props: { brand: ctx.brand, customerName: state.customer.name, amount: formatMoney(promise.amountMinor, promise.currency), promisedOn: promise.promisedOn, payUrl: portalSignInLink("/portal/pay?select=due", ctx.base) },
        },
        db,
      );
    }
  }
}

/**
 * A reminder sent by a clerk now, with the tone they chose, listing what the customer owes
 * today. One per customer, tone and day: a double click sends one.
 */
export async function sendReminderNow({ customerId, tone, now = new Date() }: { customerId: string; tone: ReminderTone; now?: Date }, actor: StaffActor, db: Db = getDb()) {
  return db.transaction(async (tx) => {
    const [state] = await loadStates([customerId], now, tx);
    if (!state) throw new DomainError("not_found", "Customer not found");
    if (!state.items.some((i) => i.collectibleMinor > 0)) throw new DomainError("invalid", "Nothing is payable on this account now, so there is nothing to remind of", "tone");
    const recipients = await recipientsFor(customerId, "reminders", tx);
    if (recipients.length === 0) throw new DomainError("invalid", "The customer has no email address to send to (or it bounced)", "tone");
    const policy = (await policyForCustomers([customerId], tx)).get(customerId) ?? null;
    const brand = await getCompanySettings(tx);
    const props = reminderProps(state, tone, policy?.steps ?? [], brand, appUrl());
    const ids: string[] = [];
    for (const to of recipients) {
      const id = await enqueueEmail({ template: "payment-reminder", to, dedupeKey: `reminder-manual:${customerId}:${tone}:${state.localDate}:${to}`, customerId, props, metadata: { tone, sentBy: actor.id } }, tx);
      if (id) ids.push(id);
    }
    await recordAudit({ actor, action: "collections.reminder", entityType: "customer", entityId: customerId, customerId, after: { tone, to: recipients, sent: ids.length } }, tx);
    return ids[0] ?? null;
  });
}

/** The last runs, newest first. */
export async function recentRuns(limit = 20, db: Db = getDb()) {
  return db.select().from(dunningRuns).orderBy(desc(dunningRuns.startedAt)).limit(limit);
}

/** Dunning steps recorded on a customer's invoices, newest first (the account page's history). */
export async function customerDunningHistory(customerId: string, db: Db = getDb(), limit = 50) {
  return db
    .select({ id: dunningActions.id, invoiceId: dunningActions.invoiceId, number: invoices.number, stepId: dunningActions.stepId, action: dunningActions.action, outcome: dunningActions.outcome, takenOn: dunningActions.takenOn, reason: dunningActions.reason, amountMinor: dunningActions.amountMinor, currency: dunningActions.currency })
    .from(dunningActions)
    .innerJoin(invoices, eq(invoices.id, dunningActions.invoiceId))
    .where(and(eq(dunningActions.customerId, customerId), gt(dunningActions.id, 0)))
    .orderBy(desc(dunningActions.id))
    .limit(limit);
}
