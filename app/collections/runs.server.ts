import { and, asc, desc, eq, gt, inArray, lt } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { customers, dunningActions, dunningPolicies, dunningRuns, invoices, staffUsers } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { formatMoney } from "~/money/money";
import { skipReasonLabels, type SkipReason } from "./dunning.server";
import { parseStoredSteps, stepActions, type StepAction } from "./policy";
import { stepWords } from "./policy-form";

/** The dunning run log as the back office reads it: the runs, and what each did on which invoice. */

export const RUN_PAGE_SIZE = 25;
export const RUN_ACTION_PAGE_SIZE = 50;

const runColumns = {
  id: dunningRuns.id,
  trigger: dunningRuns.trigger,
  status: dunningRuns.status,
  asOf: dunningRuns.asOf,
  startedAt: dunningRuns.startedAt,
  finishedAt: dunningRuns.finishedAt,
  worker: dunningRuns.worker,
  stats: dunningRuns.stats,
  error: dunningRuns.error,
  startedById: dunningRuns.startedBy,
  startedByName: staffUsers.name,
};

/** Runs newest first, a page at a time (`before`: the start of the last run of the page before). */
export async function listRuns({ before }: { before?: string | null } = {}, db: Db = getDb()) {
  return db
    .select(runColumns)
    .from(dunningRuns)
    .leftJoin(staffUsers, eq(staffUsers.id, dunningRuns.startedBy))
    .where(before ? lt(dunningRuns.startedAt, new Date(before)) : undefined)
    .orderBy(desc(dunningRuns.startedAt), desc(dunningRuns.id))
    .limit(RUN_PAGE_SIZE);
}

export async function getRun(runId: string, db: Db = getDb()) {
  const [run] = await db.select(runColumns).from(dunningRuns).leftJoin(staffUsers, eq(staffUsers.id, dunningRuns.startedBy)).where(eq(dunningRuns.id, runId));
  return run ?? null;
}

const feeInvoices = alias(invoices, "fee_invoices");

/**
 * What a run did, in the order it did it, `RUN_ACTION_PAGE_SIZE` at a time after the action id
 * `after`; each with its step in words (or its id, if the step has since left the policy).
 */
export async function listRunActions(runId: string, { after }: { after?: number | null } = {}, db: Db = getDb()) {
  const rows = await db
    .select({
      id: dunningActions.id,
      customerId: dunningActions.customerId,
      customerName: customers.name,
      accountNumber: customers.accountNumber,
      invoiceId: dunningActions.invoiceId,
      invoiceNumber: invoices.number,
      policyId: dunningActions.policyId,
      policyName: dunningPolicies.name,
      stepId: dunningActions.stepId,
      period: dunningActions.period,
      action: dunningActions.action,
      outcome: dunningActions.outcome,
      takenOn: dunningActions.takenOn,
      reason: dunningActions.reason,
      currency: dunningActions.currency,
      amountMinor: dunningActions.amountMinor,
      emailId: dunningActions.emailId,
      taskId: dunningActions.taskId,
      feeInvoiceId: dunningActions.feeInvoiceId,
      feeInvoiceNumber: feeInvoices.number,
    })
    .from(dunningActions)
    .innerJoin(customers, eq(customers.id, dunningActions.customerId))
    .innerJoin(invoices, eq(invoices.id, dunningActions.invoiceId))
    .innerJoin(dunningPolicies, eq(dunningPolicies.id, dunningActions.policyId))
    .leftJoin(feeInvoices, eq(feeInvoices.id, dunningActions.feeInvoiceId))
    .where(and(eq(dunningActions.runId, runId), after ? gt(dunningActions.id, after) : undefined))
    .orderBy(asc(dunningActions.id))
    .limit(RUN_ACTION_PAGE_SIZE);

  const policyIds = [...new Set(rows.map((row) => row.policyId))];
  const policies = policyIds.length ? await db.select({ id: dunningPolicies.id, steps: dunningPolicies.steps }).from(dunningPolicies).where(inArray(dunningPolicies.id, policyIds)) : [];
  const steps = new Map(policies.flatMap((policy) => parseStoredSteps(policy.steps).map((step) => [`${policy.id}:${step.id}`, step] as const)));
  return rows.map((row) => {
    const step = steps.get(`${row.policyId}:${row.stepId}`);
    return { ...row, step: step ? stepWords(step, row.currency) : `Step ${row.stepId} (since removed from the policy)` };
  });
}

// --- A run's stats in words ------------------------------------------------------------------

const num = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : 0);
const record = (value: unknown): Record<string, unknown> => (value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

export type RunSummary = {
  customers: number;
  invoices: number;
  emails: number;
  taken: Record<StepAction, number>;
  superseded: number;
  /** Fees charged, per currency, formatted. */
  fees: string[];
  skipped: { reason: string; label: string; count: number }[];
  promisesKept: number;
  promisesBroken: number;
  examples: string[];
};

/** A run's stored stats (written by `runDunning`), read defensively: an older or failed run may lack some. */
export function summarizeRun(stats: unknown): RunSummary {
  const s = record(stats);
  const taken = record(s.taken);
  const fees = Object.entries(record(s.fees))
    .filter(([currency, minor]) => /^[A-Z]{3}$/.test(currency) && Number.isSafeInteger(minor) && (minor as number) > 0)
    .map(([currency, minor]) => formatMoney(minor as number, currency));
  const skipped = Object.entries(record(s.skipped))
    .map(([reason, count]) => ({ reason, label: skipReasonLabels[reason as SkipReason] ?? reason.replaceAll("_", " "), count: num(count) }))
    .filter((row) => row.count > 0)
    .sort((a, b) => b.count - a.count);
  return {
    customers: num(s.customers),
    invoices: num(s.invoices),
    emails: num(s.emails),
    taken: Object.fromEntries(stepActions.map((action) => [action, num(taken[action])])) as Record<StepAction, number>,
    superseded: num(s.superseded),
    fees,
    skipped,
    promisesKept: num(s.promisesKept),
    promisesBroken: num(s.promisesBroken),
    examples: Array.isArray(s.examples) ? s.examples.filter((e): e is string => typeof e === "string").slice(0, 50) : [],
  };
}

/** "12 emails · 3 tasks · fees $75.00 · 1 hold": what a run did, leaving out what it did not. */
export function summaryWords(summary: RunSummary): string {
  const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
  const parts = [
    summary.emails ? n(summary.emails, "email") : null,
    summary.taken.task ? n(summary.taken.task, "task") : null,
    summary.fees.length ? `fees ${summary.fees.join(" + ")}` : null,
    summary.taken.credit_hold ? n(summary.taken.credit_hold, "hold") : null,
    summary.taken.escalate ? n(summary.taken.escalate, "escalation") : null,
  ].filter(Boolean);
  return parts.length ? parts.join(" · ") : "Nothing to do";
}

/** "1.2 s", "3 min 5 s"; null while the run is going. */
export function runDuration(startedAt: Date | string, finishedAt: Date | string | null): string | null {
  if (!finishedAt) return null;
  const ms = Math.max(0, new Date(finishedAt).getTime() - new Date(startedAt).getTime());
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export const triggerLabels = { schedule: "Daily schedule", manual: "Run now", cli: "Command line" } as const;
export const runStatusLabels = { running: "Running", finished: "Finished", failed: "Failed" } as const;
