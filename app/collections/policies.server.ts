import { randomUUID } from "node:crypto";
import { and, asc, count, eq, isNotNull, isNull, ne, sql } from "drizzle-orm";
import { collectionAccounts, customers, dunningPolicies, type DunningPolicyRow } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import { DomainError } from "~/utils/errors";
import { parseStoredSteps, stepsSchema, type PolicyStep } from "./policy";
import { parseSegments, stepIssueField, stepsErrors, type PolicyInput, type StepInput } from "./policy-form";
import { ensureAccount } from "./tasks.server";

/**
 * Dunning policies as admins keep them. Each step keeps its id for life: `dunning_actions` keys
 * on it, so editing a step's day or wording never makes it fire again on an invoice it already
 * reached. Saves are serialised (a transaction-scoped advisory lock) so the checks across
 * policies (one default, unique names, a segment on one policy) hold under concurrent saves.
 */

export type Policy = Omit<DunningPolicyRow, "steps"> & { steps: PolicyStep[] };
export type PolicySummary = Policy & { accountCount: number; segmentCustomerCount: number };

const toPolicy = (row: DunningPolicyRow): Policy => ({ ...row, steps: parseStoredSteps(row.steps) });

/** Every policy, live ones first (the default on top), with how many accounts name it and how many customers its segments hold. */
export async function listPolicies(db: Db = getDb()): Promise<PolicySummary[]> {
  const [rows, accounts, segmentCustomers] = await Promise.all([
    db.select().from(dunningPolicies).orderBy(sql`${dunningPolicies.archivedAt} is not null`, sql`${dunningPolicies.isDefault} desc`, asc(sql`lower(${dunningPolicies.name})`)),
    db
      .select({ policyId: collectionAccounts.policyId, n: count() })
      .from(collectionAccounts)
      .where(isNotNull(collectionAccounts.policyId))
      .groupBy(collectionAccounts.policyId),
    db
      .select({ policyId: dunningPolicies.id, n: count() })
      .from(dunningPolicies)
      .innerJoin(customers, sql`${customers.segment} = any(${dunningPolicies.segments})`)
      .where(isNull(dunningPolicies.archivedAt))
      .groupBy(dunningPolicies.id),
  ]);
  const accountsBy = new Map(accounts.map((row) => [row.policyId, Number(row.n)]));
  const segmentsBy = new Map(segmentCustomers.map((row) => [row.policyId, Number(row.n)]));
  return rows.map((row) => ({ ...toPolicy(row), accountCount: accountsBy.get(row.id) ?? 0, segmentCustomerCount: segmentsBy.get(row.id) ?? 0 }));
}

export async function getPolicy(policyId: string, db: Db = getDb()): Promise<(Policy & { accountCount: number }) | null> {
  const [row] = await db.select().from(dunningPolicies).where(eq(dunningPolicies.id, policyId));
  if (!row) return null;
  const [accounts] = await db.select({ n: count() }).from(collectionAccounts).where(eq(collectionAccounts.policyId, policyId));
  return { ...toPolicy(row), accountCount: Number(accounts?.n ?? 0) };
}

/** Live policies for a picker (a customer's own policy). */
export async function livePolicyOptions(db: Db = getDb()) {
  return db
    .select({ id: dunningPolicies.id, name: dunningPolicies.name, isDefault: dunningPolicies.isDefault })
    .from(dunningPolicies)
    .where(isNull(dunningPolicies.archivedAt))
    .orderBy(sql`${dunningPolicies.isDefault} desc`, asc(sql`lower(${dunningPolicies.name})`));
}

const lockPolicies = (db: Db) => db.execute(sql`select pg_advisory_xact_lock(hashtext('settle:dunning-policies'))`);

/** A step id no other step has had: random, so a step made in one policy never shares its actions' key with another's. */
const newStepId = () => `s-${randomUUID().replaceAll("-", "").slice(0, 12)}`;

/**
 * Steps keep the ids the policy already gave them; a step without one (or with an id the policy
 * never had, or one already taken in this save) gets a fresh id.
 */
function assignStepIds(steps: StepInput[], existing: PolicyStep[]): PolicyStep[] {
  const known = new Set(existing.map((step) => step.id));
  const used = new Set<string>();
  return steps.map((step) => {
    const id = step.id && known.has(step.id) && !used.has(step.id) ? step.id : newStepId();
    used.add(id);
    return { ...step, id };
  });
}

export type SavePolicyInput = Omit<PolicyInput, "description"> & { id?: string | null; description?: string | null };

/** Creates or edits a policy. Bad input throws a DomainError naming the field; nothing is written. */
export async function savePolicy(input: SavePolicyInput, actor: Actor, db: Db = getDb()): Promise<Policy> {
  const name = input.name.trim();
  if (!name) throw new DomainError("invalid", "Name is required", "name");
  if (name.length > 100) throw new DomainError("invalid", "Name must be at most 100 characters", "name");
  const description = input.description?.trim() || null;
  if (description && description.length > 500) throw new DomainError("invalid", "Description must be at most 500 characters", "description");
  const segments = parseSegments(input.segments.join(","));
  if (!segments.ok) throw new DomainError("invalid", segments.message, "segments");

  return db.transaction(async (tx) => {
    await lockPolicies(tx);
    let before: DunningPolicyRow | undefined;
    if (input.id) {
      [before] = await tx.select().from(dunningPolicies).where(eq(dunningPolicies.id, input.id)).for("update");
      if (!before) throw new DomainError("not_found", "Policy not found");
      if (before.archivedAt) throw new DomainError("conflict", `The policy ${before.name} is archived; it can no longer be changed`);
    }
    const previousSteps = before ? parseStoredSteps(before.steps) : [];
    const checked = stepsSchema.safeParse(assignStepIds(input.steps, previousSteps));
    if (!checked.success) {
      const [field, message] = Object.entries(stepsErrors(checked.error))[0] ?? [stepIssueField([]), "The steps are not valid"];
      throw new DomainError("invalid", message!, field);
    }
    // Stored in the order they happen; a stable sort keeps same-day steps as entered.
    const steps = [...checked.data].sort((a, b) => a.offsetDays - b.offsetDays);

    const [clash] = await tx
      .select({ name: dunningPolicies.name, archivedAt: dunningPolicies.archivedAt })
      .from(dunningPolicies)
      .where(and(sql`lower(${dunningPolicies.name}) = lower(${name})`, input.id ? ne(dunningPolicies.id, input.id) : undefined));
    if (clash) throw new DomainError("conflict", `A policy named ${clash.name} already exists${clash.archivedAt ? " (archived)" : ""}; choose another name`, "name");

    const others = await tx
      .select({ id: dunningPolicies.id, name: dunningPolicies.name, segments: dunningPolicies.segments, isDefault: dunningPolicies.isDefault })
      .from(dunningPolicies)
      .where(and(isNull(dunningPolicies.archivedAt), input.id ? ne(dunningPolicies.id, input.id) : undefined));
    for (const segment of segments.segments) {
      const owner = others.find((other) => other.segments.some((s) => s.toLowerCase() === segment.toLowerCase()));
      if (owner) throw new DomainError("conflict", `The segment ${segment} already follows the policy ${owner.name}; a segment can follow one policy only`, "segments");
    }

    if (before?.isDefault && !input.isDefault) {
      throw new DomainError("invalid", "This is the default policy; to change that, make another policy the default", "isDefault");
    }
    const previousDefault = input.isDefault && !before?.isDefault ? (others.find((other) => other.isDefault) ?? null) : null;
    if (previousDefault) await tx.update(dunningPolicies).set({ isDefault: false, updatedAt: new Date() }).where(eq(dunningPolicies.id, previousDefault.id));

    const values = { name, description, isDefault: input.isDefault, segments: segments.segments, steps, updatedAt: new Date() };
    const [saved] = before
      ? await tx.update(dunningPolicies).set(values).where(eq(dunningPolicies.id, before.id)).returning()
      : await tx.insert(dunningPolicies).values(values).returning();
    await recordAudit(
      {
        actor,
        action: "collections.policy_save",
        entityType: "dunning_policy",
        entityId: saved!.id,
        before: before ? { name: before.name, description: before.description, isDefault: before.isDefault, segments: before.segments, steps: previousSteps } : null,
        after: { created: !before, name, description, isDefault: input.isDefault, segments: segments.segments, steps, previousDefault: previousDefault?.name ?? null },
      },
      tx,
    );
    if (previousDefault) {
      await recordAudit(
        { actor, action: "collections.policy_save", entityType: "dunning_policy", entityId: previousDefault.id, before: { name: previousDefault.name, isDefault: true }, after: { name: previousDefault.name, isDefault: false, replacedBy: name } },
        tx,
      );
    }
    return toPolicy(saved!);
  });
}

/**
 * Retires a policy (never the default). Accounts that named it go back to their segment's policy
 * or the default, each recorded on the customer's timeline; its segments are free for another.
 */
export async function archivePolicy(policyId: string, actor: Actor, db: Db = getDb()): Promise<Policy> {
  return db.transaction(async (tx) => {
    await lockPolicies(tx);
    const [policy] = await tx.select().from(dunningPolicies).where(eq(dunningPolicies.id, policyId)).for("update");
    if (!policy) throw new DomainError("not_found", "Policy not found");
    if (policy.archivedAt) return toPolicy(policy);
    if (policy.isDefault) throw new DomainError("conflict", "The default policy cannot be archived; make another policy the default first");
    const moved = await tx
      .update(collectionAccounts)
      .set({ policyId: null, updatedAt: new Date() })
      .where(eq(collectionAccounts.policyId, policyId))
      .returning({ customerId: collectionAccounts.customerId });
    for (const { customerId } of moved) {
      await recordAudit(
        { actor, action: "collections.account_policy", entityType: "dunning_policy", entityId: policyId, customerId, before: { policy: policy.name }, after: { policy: null, reason: "policy archived" } },
        tx,
      );
    }
    const [archived] = await tx.update(dunningPolicies).set({ archivedAt: new Date(), updatedAt: new Date() }).where(eq(dunningPolicies.id, policyId)).returning();
    await recordAudit({ actor, action: "collections.policy_archive", entityType: "dunning_policy", entityId: policyId, before: { name: policy.name }, after: { name: policy.name, accountsMoved: moved.length } }, tx);
    return toPolicy(archived!);
  });
}

/**
 * Gives one customer a policy of its own (over its segment's and the default), or with null
 * takes it back to those. Returns whether anything changed.
 */
export async function setAccountPolicy(customerId: string, policyId: string | null, actor: Actor, db: Db = getDb()): Promise<boolean> {
  return db.transaction(async (tx) => {
    let policy: { id: string; name: string } | null = null;
    if (policyId) {
      const [row] = await tx.select({ id: dunningPolicies.id, name: dunningPolicies.name, archivedAt: dunningPolicies.archivedAt }).from(dunningPolicies).where(eq(dunningPolicies.id, policyId)).for("share");
      if (!row || row.archivedAt) throw new DomainError("invalid", "Choose a dunning policy that is in use", "policyId");
      policy = row;
    }
    await ensureAccount(customerId, tx);
    const [account] = await tx.select({ policyId: collectionAccounts.policyId }).from(collectionAccounts).where(eq(collectionAccounts.customerId, customerId)).for("update");
    const previousId = account?.policyId ?? null;
    if (previousId === (policy?.id ?? null)) return false;
    const [previous] = previousId ? await tx.select({ name: dunningPolicies.name }).from(dunningPolicies).where(eq(dunningPolicies.id, previousId)) : [];
    await tx.update(collectionAccounts).set({ policyId: policy?.id ?? null, updatedAt: new Date() }).where(eq(collectionAccounts.customerId, customerId));
    await recordAudit(
      { actor, action: "collections.account_policy", entityType: "dunning_policy", entityId: policy?.id ?? previousId, customerId, before: { policy: previous?.name ?? null }, after: { policy: policy?.name ?? null } },
      tx,
    );
    return true;
  });
}

/** The currency to show policies' amounts in: the one every customer uses, or null when they use several. */
export async function policyDisplayCurrency(db: Db = getDb()): Promise<string | null> {
  const rows = await db.selectDistinct({ currency: customers.currency }).from(customers).limit(2);
  return rows.length === 1 ? rows[0]!.currency : null;
}
