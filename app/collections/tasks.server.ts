import { and, asc, eq, sql } from "drizzle-orm";
import { collectionAccounts, collectionTasks, customers, type CollectionTask } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import { staffIdOf } from "~/ledger/actor";
import { DomainError } from "~/utils/errors";
import type { IsoDate } from "~/utils/dates";

export type NewTask = {
  customerId: string;
  invoiceId?: string | null;
  kind: CollectionTask["kind"];
  title: string;
  dueOn: IsoDate;
  /** Defaults to the account's collector. */
  assigneeId?: string | null;
  /** What made it, once: a second call with the same key returns null and changes nothing. */
  sourceKey?: string | null;
};

/** Opens a task for a clerk (by hand, from a policy step, or for a broken promise). */
export async function createTask(input: NewTask, actor: Actor, db: Db = getDb()): Promise<CollectionTask | null> {
  return db.transaction(async (tx) => {
    const assigneeId = input.assigneeId !== undefined ? input.assigneeId : sql<string | null>`(select ${customers.collectorId} from ${customers} where ${customers.id} = ${input.customerId})`;
    const [task] = await tx
      .insert(collectionTasks)
      .values({
        customerId: input.customerId,
        invoiceId: input.invoiceId ?? null,
        kind: input.kind,
        title: input.title,
        dueOn: input.dueOn,
        assigneeId,
        sourceKey: input.sourceKey ?? null,
        createdBy: staffIdOf(actor),
      })
      .onConflictDoNothing({ target: collectionTasks.sourceKey })
      .returning();
    if (!task) return null;
    await followUpOn(input.customerId, tx);
    await recordAudit({ actor, action: "collections.task_open", entityType: "collection_task", entityId: task.id, customerId: input.customerId, after: { kind: task.kind, title: task.title, dueOn: task.dueOn } }, tx);
    return task;
  });
}

/** Marks an open task done (or canceled) with what came of it. */
export async function completeTask(
  { taskId, customerId, outcome, cancel = false }: { taskId: string; customerId?: string; outcome?: string | null; cancel?: boolean },
  actor: Actor,
  db: Db = getDb(),
) {
  return db.transaction(async (tx) => {
    const [task] = await tx
      .select()
      .from(collectionTasks)
      .where(and(eq(collectionTasks.id, taskId), customerId ? eq(collectionTasks.customerId, customerId) : undefined))
      .for("update");
    if (!task) throw new DomainError("not_found", "No such task");
    if (task.status !== "open") return task;
    const [done] = await tx
      .update(collectionTasks)
      .set({ status: cancel ? "canceled" : "done", completedAt: new Date(), completedBy: staffIdOf(actor), outcome: outcome ?? null })
      .where(eq(collectionTasks.id, taskId))
      .returning();
    await followUpOn(task.customerId, tx);
    await recordAudit({ actor, action: cancel ? "collections.task_cancel" : "collections.task_done", entityType: "collection_task", entityId: taskId, customerId: task.customerId, before: { status: task.status }, after: { status: done!.status, outcome: outcome ?? null, title: task.title } }, tx);
    return done!;
  });
}

/** Keeps the account's next follow-up day (the earliest open task) for the worklist's "today first". */
export async function followUpOn(customerId: string, db: Db) {
  // One statement: the dunning run opens thousands of tasks on its first day.
  await db.execute(sql`
    insert into collection_accounts (customer_id, currency, next_follow_up_on)
    select c.id, c.currency, (select min(t.due_on) from collection_tasks t where t.customer_id = c.id and t.status = 'open')
    from customers c where c.id = ${customerId}
    on conflict (customer_id) do update set next_follow_up_on = excluded.next_follow_up_on, updated_at = now()`);
}

/** The customer's collections row, made on first need (its currency is the customer's). */
export async function ensureAccount(customerId: string, db: Db) {
  const [customer] = await db.select({ currency: customers.currency }).from(customers).where(eq(customers.id, customerId));
  if (!customer) throw new DomainError("not_found", "No such customer");
  await db.insert(collectionAccounts).values({ customerId, currency: customer.currency }).onConflictDoNothing();
}

export async function listOpenTasks(customerId: string, db: Db = getDb()) {
  return db
    .select()
    .from(collectionTasks)
    .where(and(eq(collectionTasks.customerId, customerId), eq(collectionTasks.status, "open")))
    .orderBy(asc(collectionTasks.dueOn), asc(collectionTasks.createdAt));
}
