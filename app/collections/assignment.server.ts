import { and, asc, eq, gt, inArray, isNull, lt, sql } from "drizzle-orm";
import { z } from "zod";
import { auditLog, collectionAccounts, collectionAssignmentRules, collectionTasks, customers, staffUsers } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import type { StaffActor } from "~/ledger/actor";
import { formatMoney, parseAmount } from "~/money/money";
import { DomainError } from "~/utils/errors";
import { auditActor, requireCollector } from "./worklist.server";

/**
 * Automatic assignment: accounts nobody collects go to the collector of the first rule (by
 * position) whose conditions they meet. A rule's empty condition matches everyone; its minimum
 * overdue is in its currency, so a rule with a minimum names a currency (no exchange rates).
 */

export type AssignmentRule = {
  id: string;
  position: number;
  segment: string | null;
  currency: string | null;
  minOverdueMinor: number | null;
  collectorId: string;
  collectorName: string;
  collectorActive: boolean;
};

export async function listRules(db: Db = getDb()): Promise<AssignmentRule[]> {
  const rows = await db
    .select({
      id: collectionAssignmentRules.id,
      position: collectionAssignmentRules.position,
      segment: collectionAssignmentRules.segment,
      currency: collectionAssignmentRules.currency,
      minOverdueMinor: collectionAssignmentRules.minOverdueMinor,
      collectorId: collectionAssignmentRules.collectorId,
      collectorName: staffUsers.name,
      collectorRole: staffUsers.role,
      disabledAt: staffUsers.disabledAt,
    })
    .from(collectionAssignmentRules)
    .innerJoin(staffUsers, eq(staffUsers.id, collectionAssignmentRules.collectorId))
    .orderBy(asc(collectionAssignmentRules.position), asc(collectionAssignmentRules.createdAt));
  return rows.map(({ collectorRole, disabledAt, ...rule }) => ({ ...rule, collectorActive: !disabledAt && collectorRole !== "viewer" }));
}

/** A rule in words: "Segment enterprise, in USD, $5,000.00 or more overdue → Priya Raman". */
export function describeRule(rule: Pick<AssignmentRule, "segment" | "currency" | "minOverdueMinor">) {
  const parts = [
    rule.segment ? `segment “${rule.segment}”` : null,
    rule.currency && rule.minOverdueMinor === null ? `billed in ${rule.currency}` : null,
    rule.currency && rule.minOverdueMinor !== null ? `${formatMoney(rule.minOverdueMinor, rule.currency)} or more overdue` : null,
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : "every account";
}

let currencies: Set<string> | undefined;
const isoCurrencies = () => (currencies ??= new Set(Intl.supportedValuesOf("currency")));

const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

/** A rule as a form (or any caller) sends it; every message names its field. */
export const ruleInputSchema = z
  .object({
    id: z.preprocess(blankToUndefined, z.uuid({ message: "No such rule" }).optional()),
    segment: z.preprocess(blankToUndefined, z.string().trim().max(100, "Segment must be at most 100 characters").optional()),
    currency: z.preprocess(
      (v) => (typeof v === "string" ? blankToUndefined(v.trim().toUpperCase()) : v),
      z
        .string()
        .regex(/^[A-Z]{3}$/, "Currency must be a three-letter code like USD")
        .refine((c) => !/^[A-Z]{3}$/.test(c) || isoCurrencies().has(c), "Currency must be an ISO currency code like USD")
        .optional(),
    ),
    minOverdue: z.preprocess(blankToUndefined, z.string().trim().max(30, "Minimum overdue is too long").optional()),
    collectorId: z.uuid({ message: "Choose a collector" }),
  })
  .transform((rule, ctx) => {
    let minOverdueMinor: number | null = null;
    if (rule.minOverdue !== undefined) {
      if (!rule.currency) {
        ctx.addIssue({ code: "custom", path: ["currency"], message: "A minimum overdue amount needs a currency (amounts are not converted)" });
        return z.NEVER;
      }
      const parsed = parseAmount(rule.minOverdue, rule.currency);
      if (!parsed.ok) {
        ctx.addIssue({ code: "custom", path: ["minOverdue"], message: `Minimum overdue: ${parsed.message}` });
        return z.NEVER;
      }
      if (parsed.amountMinor <= 0) {
        ctx.addIssue({ code: "custom", path: ["minOverdue"], message: "Minimum overdue must be more than zero" });
        return z.NEVER;
      }
      minOverdueMinor = parsed.amountMinor;
    }
    return { id: rule.id ?? null, segment: rule.segment || null, currency: rule.currency ?? null, minOverdueMinor, collectorId: rule.collectorId };
  });

export type RuleInput = z.input<typeof ruleInputSchema>;

function invalidFrom(error: z.ZodError): never {
  const issue = error.issues[0]!;
  throw new DomainError("invalid", issue.message, String(issue.path[0] ?? "form"));
}

/** Adds a rule at the end, or changes one in place. */
export async function saveRule(input: unknown, actor: StaffActor, db: Db = getDb()) {
  const parsed = ruleInputSchema.safeParse(input);
  if (!parsed.success) invalidFrom(parsed.error);
  const rule = parsed.data;
  return db.transaction(async (tx) => {
    await lockRules(tx);
    const collector = await requireCollector(rule.collectorId, tx);
    const values = { segment: rule.segment, currency: rule.currency, minOverdueMinor: rule.minOverdueMinor, collectorId: rule.collectorId };
    const after = { ...values, collectorName: collector.name };
    if (rule.id) {
      const [before] = await tx.select().from(collectionAssignmentRules).where(eq(collectionAssignmentRules.id, rule.id));
      if (!before) throw new DomainError("not_found", "That rule was deleted; reload the page", "id");
      const [saved] = await tx.update(collectionAssignmentRules).set(values).where(eq(collectionAssignmentRules.id, rule.id)).returning();
      await recordAudit({ actor, action: "collections.rule_save", entityType: "assignment_rule", entityId: rule.id, before: { segment: before.segment, currency: before.currency, minOverdueMinor: before.minOverdueMinor, collectorId: before.collectorId }, after }, tx);
      return saved!;
    }
    const [last] = await tx.select({ position: sql<number>`coalesce(max(${collectionAssignmentRules.position}), 0)::int` }).from(collectionAssignmentRules);
    const [saved] = await tx
      .insert(collectionAssignmentRules)
      .values({ ...values, position: Number(last?.position ?? 0) + 1 })
      .returning();
    await recordAudit({ actor, action: "collections.rule_save", entityType: "assignment_rule", entityId: saved!.id, after: { ...after, position: saved!.position } }, tx);
    return saved!;
  });
}

export async function deleteRule({ id }: { id: string }, actor: StaffActor, db: Db = getDb()) {
  return db.transaction(async (tx) => {
    await lockRules(tx);
    const [gone] = await tx.delete(collectionAssignmentRules).where(eq(collectionAssignmentRules.id, id)).returning();
    if (!gone) throw new DomainError("not_found", "That rule was already deleted", "id");
    // Close the gap, so positions stay 1..n.
    await tx.update(collectionAssignmentRules).set({ position: sql`${collectionAssignmentRules.position} - 1` }).where(gt(collectionAssignmentRules.position, gone.position));
    await recordAudit({ actor, action: "collections.rule_delete", entityType: "assignment_rule", entityId: id, before: { segment: gone.segment, currency: gone.currency, minOverdueMinor: gone.minOverdueMinor, collectorId: gone.collectorId, position: gone.position } }, tx);
  });
}

/** Moves a rule one place up (earlier, tried first) or down, swapping it with its neighbour. */
export async function moveRule({ id, direction }: { id: string; direction: "up" | "down" }, actor: StaffActor, db: Db = getDb()) {
  return db.transaction(async (tx) => {
    await lockRules(tx);
    const [rule] = await tx.select().from(collectionAssignmentRules).where(eq(collectionAssignmentRules.id, id));
    if (!rule) throw new DomainError("not_found", "That rule was deleted; reload the page", "id");
    const [neighbour] = await tx
      .select()
      .from(collectionAssignmentRules)
      .where(direction === "up" ? lt(collectionAssignmentRules.position, rule.position) : gt(collectionAssignmentRules.position, rule.position))
      .orderBy(direction === "up" ? sql`${collectionAssignmentRules.position} desc` : asc(collectionAssignmentRules.position))
      .limit(1);
    if (!neighbour) return rule;
    await tx.update(collectionAssignmentRules).set({ position: neighbour.position }).where(eq(collectionAssignmentRules.id, rule.id));
    await tx.update(collectionAssignmentRules).set({ position: rule.position }).where(eq(collectionAssignmentRules.id, neighbour.id));
    await recordAudit({ actor, action: "collections.rule_move", entityType: "assignment_rule", entityId: id, before: { position: rule.position }, after: { position: neighbour.position } }, tx);
    return { ...rule, position: neighbour.position };
  });
}

/** Rule edits take turns, so two admins moving rules at once cannot leave two at one position. */
async function lockRules(db: Db) {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext('settle:collection-assignment-rules'))`);
}

const SYSTEM: Actor = { type: "system", label: "assignment rules" };

/**
 * Gives each of these customers that has no collector the collector of the first rule it meets
 * (the dunning run calls it per batch). The overdue amount is the account's cached one
 * (collection_accounts, kept by refreshScores). Audited per customer, as the system. Set-based:
 * one read of the candidates, one update per collector, one insert of the audit entries.
 */
export async function applyAssignmentRules(customerIds: string[], db: Db = getDb()): Promise<{ assigned: number }> {
  if (customerIds.length === 0) return { assigned: 0 };
  const rules = (await listRules(db)).filter((r) => r.collectorActive);
  if (rules.length === 0) return { assigned: 0 };
  const candidates = await db
    .select({ id: customers.id, segment: customers.segment, currency: customers.currency, overdueMinor: sql<number>`coalesce(${collectionAccounts.overdueMinor}, 0)`.mapWith(Number) })
    .from(customers)
    .leftJoin(collectionAccounts, eq(collectionAccounts.customerId, customers.id))
    .where(and(inArray(customers.id, [...new Set(customerIds)]), isNull(customers.collectorId)));
  const byRule = new Map<AssignmentRule, string[]>();
  for (const customer of candidates) {
    const rule = rules.find(
      (r) =>
        (r.segment === null || r.segment.toLowerCase() === (customer.segment ?? "").toLowerCase()) &&
        (r.currency === null || r.currency === customer.currency) &&
        (r.minOverdueMinor === null || customer.overdueMinor >= r.minOverdueMinor),
    );
    if (rule) byRule.set(rule, [...(byRule.get(rule) ?? []), customer.id]);
  }
  let assigned = 0;
  for (const [rule, ids] of byRule) {
    // Still unassigned now: someone may have chosen a collector by hand meanwhile.
    const done = await db
      .update(customers)
      .set({ collectorId: rule.collectorId, updatedAt: new Date() })
      .where(and(inArray(customers.id, ids), isNull(customers.collectorId)))
      .returning({ id: customers.id });
    if (done.length === 0) continue;
    const doneIds = done.map((d) => d.id);
    await db
      .update(collectionTasks)
      .set({ assigneeId: rule.collectorId })
      .where(and(inArray(collectionTasks.customerId, doneIds), eq(collectionTasks.status, "open"), isNull(collectionTasks.assigneeId)));
    await db.insert(auditLog).values(
      doneIds.map((id) => ({
        ...auditActor(SYSTEM),
        action: "collections.assign",
        entityType: "customer",
        entityId: id,
        customerId: id,
        before: { collectorId: null, collectorName: null },
        after: { collectorId: rule.collectorId, collectorName: rule.collectorName, rule: describeRule(rule), rulePosition: rule.position },
      })),
    );
    assigned += done.length;
  }
  return { assigned };
}

/** Runs the rules over every overdue account nobody collects yet (the rules page's "apply now"). */
export async function applyRulesToUnassigned(db: Db = getDb()): Promise<{ assigned: number }> {
  const rows = await db
    .select({ id: collectionAccounts.customerId })
    .from(collectionAccounts)
    .innerJoin(customers, eq(customers.id, collectionAccounts.customerId))
    .where(and(gt(collectionAccounts.overdueMinor, 0), isNull(customers.collectorId)));
  let assigned = 0;
  for (let i = 0; i < rows.length; i += 1000) {
    assigned += (await applyAssignmentRules(rows.slice(i, i + 1000).map((r) => r.id), db)).assigned;
  }
  return { assigned };
}
