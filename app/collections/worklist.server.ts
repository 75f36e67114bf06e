import { and, asc, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { auditLog, collectionAccounts, collectionStage, collectionTasks, customers, promisesToPay, staffUsers } from "~db/schema";
import { getDb, rowsOf, type Db } from "~db/client";
import type { Actor } from "~/audit/audit.server";
import { currencyExponent } from "~/money/money";
import { isRiskGrade } from "~/reports/risk";
import { addDays, today, type IsoDate } from "~/utils/dates";
import { DomainError } from "~/utils/errors";
import { parseReasons, scoreAccount, type ScoreFacts, type ScoreReason } from "./score";
import { likePattern } from "~/utils/like";

export const WORKLIST_PAGE_SIZE = 25;
/** Customers whose facts are gathered in one round of queries. */
export const SCORE_BATCH_SIZE = 1000;
/** How far back broken promises and failed plan payments count against an account. */
export const TROUBLE_WINDOW_DAYS = 180;
/** How far back paid invoices make up an account's payment history. */
export const HISTORY_WINDOW_DAYS = 365;

export type CollectionStage = (typeof collectionStage.enumValues)[number];
export const collectionStages = collectionStage.enumValues;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A customer's score facts, with whose they are. */
export type AccountFacts = ScoreFacts & { customerId: string };

type FactRow = {
  customer_id: string;
  currency: string;
  snoozed_until: string | null;
  overdue_minor: string | number;
  oldest_due: string | null;
  invoice_count: number;
  open_disputes: number;
  broken_promises: number;
  open_promise_minor: string | number;
  open_promise_on: string | null;
  failed_plan_payments: number;
  paid_count: number;
  avg_days_late: number | null;
  on_time_share: number | null;
  risk_grade: string | null;
};

/**
 * Everything the score needs for these customers, in one statement of set-based parts, each on
 * an index that starts with the customer (invoices_customer_open_idx, disputes_customer_idx,
 * payment_plans_customer_idx, promises_to_pay_customer_idx, invoices_customer_idx), and the risk
 * grade the nightly payment-behaviour refresh stored (customer_payment_stats, by its key).
 * Collectible overdue is what is open on invoices past due, less open disputes and less what an
 * active plan holds (ADR-free: the same rule dunning follows).
 */
async function scoreFacts(customerIds: string[], asOf: IsoDate, db: Db): Promise<AccountFacts[]> {
  const ids = sql.join(
    customerIds.map((id) => sql`${id}`),
    sql`, `,
  );
  const troubleSince = addDays(asOf, -TROUBLE_WINDOW_DAYS);
  const historySince = addDays(asOf, -HISTORY_WINDOW_DAYS);
  // An invoice paid in the last year was, in practice, issued in the last two.
  const issuedSince = addDays(asOf, -2 * HISTORY_WINDOW_DAYS);
  const rows = await withoutJit(db, async (tx) =>
    rowsOf<FactRow>(
      await tx.execute(sql`
      with disputed as (
        select invoice_id, sum(amount_minor) as minor
        from disputes
        where status = 'open' and customer_id in (${ids})
        group by invoice_id
      ),
      planned as (
        select pi.invoice_id, sum(pi.amount_minor) as minor
        from payment_plans p
        join plan_invoices pi on pi.plan_id = p.id
        where p.status = 'active' and p.customer_id in (${ids})
        group by pi.invoice_id
      ),
      overdue as (
        select i.customer_id, i.due_date, greatest(0, i.open_minor - coalesce(d.minor, 0) - coalesce(pl.minor, 0)) as collectible
        from invoices i
        left join disputed d on d.invoice_id = i.id
        left join planned pl on pl.invoice_id = i.id
        where i.status = 'open' and i.customer_id in (${ids}) and i.due_date < ${asOf}::date
      ),
      overdue_totals as (
        select customer_id,
          sum(collectible) as overdue_minor,
          min(due_date) filter (where collectible > 0) as oldest_due,
          count(*) filter (where collectible > 0) as invoice_count
        from overdue
        group by customer_id
      ),
      dispute_counts as (
        select customer_id, count(*) as open_disputes
        from disputes
        where status = 'open' and customer_id in (${ids})
        group by customer_id
      ),
      promise_facts as (
        select customer_id,
          count(*) filter (where status = 'broken' and promised_on >= ${troubleSince}::date) as broken,
          sum(amount_minor) filter (where status = 'open' and promised_on >= ${asOf}::date) as open_minor,
          min(promised_on) filter (where status = 'open' and promised_on >= ${asOf}::date) as open_on
        from promises_to_pay
        where customer_id in (${ids}) and status in ('open', 'broken')
        group by customer_id
      ),
      plan_failures as (
        select p.customer_id, count(*) as failed
        from payment_plans p
        join plan_instalments ins on ins.plan_id = p.id
        where p.customer_id in (${ids}) and ins.failures > 0 and ins.due_date >= ${troubleSince}::date and ins.due_date <= ${asOf}::date
        group by p.customer_id
      ),
      paid as (
        select i.customer_id, i.due_date, last_payment.paid_on
        from invoices i
        cross join lateral (
          select max(a.applied_on) as paid_on from allocations a where a.invoice_id = i.id and a.kind = 'payment' and a.amount_minor > 0
        ) last_payment
        where i.status = 'paid' and i.customer_id in (${ids}) and i.issue_date >= ${issuedSince}::date
      ),
      history as (
        select customer_id,
          count(*) as paid_count,
          avg(greatest(0, paid_on - due_date)) as avg_days_late,
          avg(case when paid_on <= due_date then 1 else 0 end) as on_time_share
        from paid
        where paid_on >= ${historySince}::date and paid_on <= ${asOf}::date
        group by customer_id
      )
      select c.id as customer_id, c.currency,
        ca.snoozed_until::text as snoozed_until,
        coalesce(o.overdue_minor, 0)::text as overdue_minor,
        o.oldest_due::text as oldest_due,
        coalesce(o.invoice_count, 0)::int as invoice_count,
        coalesce(dc.open_disputes, 0)::int as open_disputes,
        coalesce(pf.broken, 0)::int as broken_promises,
        coalesce(pf.open_minor, 0)::text as open_promise_minor,
        pf.open_on::text as open_promise_on,
        coalesce(fl.failed, 0)::int as failed_plan_payments,
        coalesce(h.paid_count, 0)::int as paid_count,
        h.avg_days_late::float8 as avg_days_late,
        h.on_time_share::float8 as on_time_share,
        ps.grade as risk_grade
      from customers c
      left join collection_accounts ca on ca.customer_id = c.id
      left join overdue_totals o on o.customer_id = c.id
      left join dispute_counts dc on dc.customer_id = c.id
      left join promise_facts pf on pf.customer_id = c.id
      left join plan_failures fl on fl.customer_id = c.id
      left join history h on h.customer_id = c.id
      left join customer_payment_stats ps on ps.customer_id = c.id
      where c.id in (${ids})
    `),
    ),
  );
  return rows.map((row) => ({
    customerId: row.customer_id,
    currency: row.currency,
    overdueMinor: Number(row.overdue_minor),
    oldestOverdueDays: row.oldest_due ? Math.max(0, Math.round((Date.parse(`${asOf}T00:00:00Z`) - Date.parse(`${row.oldest_due}T00:00:00Z`)) / 86_400_000)) : 0,
    overdueInvoiceCount: Number(row.invoice_count),
    brokenPromises: Number(row.broken_promises),
    openPromiseMinor: Number(row.open_promise_minor),
    openPromiseOn: row.open_promise_on,
    failedPlanPayments: Number(row.failed_plan_payments),
    openDisputes: Number(row.open_disputes),
    avgDaysLate: row.avg_days_late === null ? null : Number(row.avg_days_late),
    paidOnTimeShare: row.on_time_share === null ? null : Number(row.on_time_share),
    paidInvoiceCount: Number(row.paid_count),
    riskGrade: isRiskGrade(row.risk_grade) ? row.risk_grade : null,
    snoozedUntil: row.snoozed_until,
    asOf,
  }));
}

/**
 * Runs `fn` with PostgreSQL's JIT off: the facts query's estimated cost crosses the JIT threshold,
 * and compiling it costs more (about 100 ms a batch, measured at 100,000 customers) than it saves.
 * The setting is put back afterwards, so a caller's transaction is left as it was.
 */
async function withoutJit<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const [was] = rowsOf<{ jit: string }>(await tx.execute(sql`select current_setting('jit') as jit`));
    await tx.execute(sql`select set_config('jit', 'off', true)`);
    const result = await fn(tx);
    // (On an error the rollback puts it back by itself.)
    if (was && was.jit !== "off") await tx.execute(sql`select set_config('jit', ${was.jit}, true)`);
    return result;
  });
}

/** The facts behind one customer's score, as of a day (for the account page, or a test). */
export async function accountScoreFacts(customerId: string, asOf: IsoDate = today(), db: Db = getDb()) {
  const [facts] = await scoreFacts([customerId], asOf, db);
  return facts ?? null;
}

/**
 * Recomputes the cached overdue amount, age and score of these customers (the dunning run calls
 * it per batch, account actions for one customer): a fixed number of statements per 1,000
 * customers, never one per customer. Customers with nothing overdue are set to zero, which takes
 * them out of the worklist (its index covers overdue > 0 only).
 */
export async function refreshScores(customerIds: string[], asOf: IsoDate, db: Db = getDb()): Promise<void> {
  const unique = [...new Set(customerIds)].sort();
  for (const batch of chunks(unique, SCORE_BATCH_SIZE)) {
    const facts = await scoreFacts(batch, asOf, db);
    const now = new Date();
    const overdue = facts
      .filter((f) => f.overdueMinor > 0)
      .map((f) => {
        const { score, reasons } = scoreAccount(f);
        return { customerId: f.customerId, currency: f.currency, overdueMinor: f.overdueMinor, oldestOverdueDays: f.oldestOverdueDays, score, scoreReasons: reasons, scoredAt: now, updatedAt: now };
      });
    const settled = facts.filter((f) => f.overdueMinor <= 0).map((f) => f.customerId);
    if (overdue.length > 0) {
      // Sorted ids: two runs refreshing overlapping batches take their row locks in one order.
      await db
        .insert(collectionAccounts)
        .values(overdue)
        .onConflictDoUpdate({
          target: collectionAccounts.customerId,
          set: {
            currency: sql`excluded.currency`,
            overdueMinor: sql`excluded.overdue_minor`,
            oldestOverdueDays: sql`excluded.oldest_overdue_days`,
            score: sql`excluded.score`,
            scoreReasons: sql`excluded.score_reasons`,
            scoredAt: sql`excluded.scored_at`,
            updatedAt: sql`excluded.updated_at`,
          },
        });
    }
    if (settled.length > 0) {
      await db
        .update(collectionAccounts)
        .set({ overdueMinor: 0, oldestOverdueDays: 0, score: 0, scoreReasons: [], scoredAt: now, updatedAt: now })
        .where(inArray(collectionAccounts.customerId, settled));
    }
  }
}

/**
 * Rescores every account that is or was overdue: customers with an open invoice past due, and
 * accounts still cached as overdue (which may have been paid since). Batched like refreshScores.
 */
export async function refreshAllScores(asOf: IsoDate, db: Db = getDb()): Promise<{ customers: number }> {
  const rows = rowsOf<{ customer_id: string }>(
    await db.execute(sql`
      select customer_id from invoices where status = 'open' and due_date < ${asOf}::date
      union
      select customer_id from collection_accounts where overdue_minor > 0
    `),
  );
  const ids = rows.map((r) => r.customer_id);
  await refreshScores(ids, asOf, db);
  return { customers: ids.length };
}

// --- The worklist -------------------------------------------------------------------------------

export type WorklistView = "all" | "mine";

export type WorklistQuery = {
  /** Who is looking: "me" and "mine" mean this staff user. */
  staffId: string;
  view?: WorklistView;
  /** A staff user's id, "me", or "unassigned". */
  collector?: string;
  stage?: CollectionStage;
  /** In whole units of each account's own currency (1000 is $1,000.00 or ¥1,000). */
  minOverdue?: number;
  minAgeDays?: number;
  /** Part of a customer's name or account number. */
  q?: string;
  showSnoozed?: boolean;
  after?: string;
  asOf?: IsoDate;
  limit?: number;
};

export type WorklistRow = {
  rank: number;
  customerId: string;
  name: string;
  accountNumber: string;
  collectorId: string | null;
  collectorName: string | null;
  currency: string;
  overdueMinor: number;
  oldestOverdueDays: number;
  stage: CollectionStage;
  score: number;
  reasons: ScoreReason[];
  nextFollowUpOn: string | null;
  followUpDue: boolean;
  snoozedUntil: string | null;
  openTasks: number;
  openPromise: { amountMinor: number; promisedOn: string } | null;
  onHold: boolean;
};

// Cursor: the view it was made for, the row's "follow-up due" flag (my queue only), score, id and rank.
const cursorSchema = z.tuple([z.enum(["all", "mine"]), z.union([z.literal(0), z.literal(1)]), z.number().int(), z.uuid(), z.number().int().min(0)]);
type WorklistCursor = z.infer<typeof cursorSchema>;

const encodeWorklistCursor = (cursor: WorklistCursor) => Buffer.from(JSON.stringify(cursor)).toString("base64url");

/** A cursor of another view, or tampered with, reads as "first page". */
function decodeWorklistCursor(cursor: string | undefined, view: WorklistView) {
  if (!cursor) return null;
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString()));
    if (!parsed.success || parsed.data[0] !== view) return null;
    const [, due, score, id, rank] = parsed.data;
    return { due, score, id, rank };
  } catch {
    return null;
  }
}

let exponentCase: SQL | undefined;
/** power(10, exponent) of the row's currency: currencies other than the usual two decimals, named. */
function minorPerUnit(): SQL {
  if (!exponentCase) {
    const odd = Intl.supportedValuesOf("currency").filter((c) => /^[A-Z]{3}$/.test(c) && currencyExponent(c) !== 2);
    const whens = sql.join(
      odd.map((c) => sql.raw(`when '${c}' then ${10 ** currencyExponent(c)}`)),
      sql` `,
    );
    exponentCase = odd.length ? sql`(case ${collectionAccounts.currency} ${whens} else 100 end)` : sql`100`;
  }
  return exponentCase;
}


/**
 * One page of the worklist: accounts with a collectible overdue balance, highest score first
 * (keyset on score and customer id, the order of collection_accounts_worklist_idx, so a page
 * costs the same at any depth and any size), or "my queue": the signed-in clerk's accounts,
 * those with a follow-up due today or earlier first. Snoozed accounts stay out unless asked for.
 * One statement for the page, its open tasks and its open promises.
 */
export async function listWorklist(query: WorklistQuery, db: Db = getDb()) {
  const { staffId, view = "all", stage, minOverdue, minAgeDays, q, showSnoozed = false, asOf = today(), limit = WORKLIST_PAGE_SIZE } = query;
  const collector = view === "mine" ? staffId : query.collector === "me" ? staffId : query.collector;
  const followUpDue = sql<number>`(case when ${collectionAccounts.nextFollowUpOn} <= ${asOf}::date then 1 else 0 end)`;
  const conditions: (SQL | undefined)[] = [
    // My queue also keeps an account whose follow-up is due though nothing is collectible now (all disputed, say).
    view === "mine" ? sql`(${collectionAccounts.overdueMinor} > 0 or ${collectionAccounts.nextFollowUpOn} <= ${asOf}::date)` : sql`${collectionAccounts.overdueMinor} > 0`,
  ];
  if (collector === "unassigned") conditions.push(isNull(customers.collectorId));
  else if (collector) conditions.push(eq(customers.collectorId, collector));
  if (stage) conditions.push(eq(collectionAccounts.stage, stage));
  if (minOverdue !== undefined && minOverdue > 0) conditions.push(sql`${collectionAccounts.overdueMinor} >= ${minOverdue}::numeric * ${minorPerUnit()}`);
  if (minAgeDays !== undefined && minAgeDays > 0) conditions.push(sql`${collectionAccounts.oldestOverdueDays} >= ${minAgeDays}`);
  if (q) conditions.push(sql`(${customers.name} ilike ${likePattern(q)} or ${customers.accountNumber} ilike ${likePattern(q)})`);
  if (!showSnoozed) conditions.push(sql`(${collectionAccounts.snoozedUntil} is null or ${collectionAccounts.snoozedUntil} <= ${asOf}::date)`);
  const cursor = decodeWorklistCursor(query.after, view);
  if (cursor) {
    const byScore = sql`(${collectionAccounts.score} < ${cursor.score} or (${collectionAccounts.score} = ${cursor.score} and ${collectionAccounts.customerId} > ${cursor.id}))`;
    conditions.push(
      view === "mine"
        ? sql`(${followUpDue} < ${cursor.due} or (${followUpDue} = ${cursor.due} and ${byScore}))`
        : // The first term lets the index start at the cursor rather than filter its way there.
          sql`${collectionAccounts.score} <= ${cursor.score} and ${byScore}`,
    );
  }
  // One statement, written out: at 25 rows the query builder's and the planner's time is most of
  // the cost, so the page's open tasks and promises ride along as subqueries of the page itself.
  const rowsRaw = rowsOf<{
    customer_id: string;
    name: string;
    account_number: string;
    collector_id: string | null;
    collector_name: string | null;
    currency: string;
    overdue_minor: string | number;
    oldest_overdue_days: number;
    stage: CollectionStage;
    score: number;
    score_reasons: unknown;
    next_follow_up_on: string | null;
    snoozed_until: string | null;
    on_hold: boolean;
    follow_up_due: number;
    open_tasks: number;
    promised_minor: string | null;
    promised_on: string | null;
  }>(
    await db.execute(sql`
      select r.*,
             (select count(*)::int from collection_tasks t where t.customer_id = r.customer_id and t.status = 'open') as open_tasks,
             (select sum(p.amount_minor)::text from promises_to_pay p where p.customer_id = r.customer_id and p.status = 'open') as promised_minor,
             (select min(p.promised_on)::text from promises_to_pay p where p.customer_id = r.customer_id and p.status = 'open') as promised_on
        from (select ${collectionAccounts.customerId} as customer_id, ${customers.name} as name, ${customers.accountNumber} as account_number,
                     ${customers.collectorId} as collector_id, ${staffUsers.name} as collector_name, ${collectionAccounts.currency}::text as currency,
                     ${collectionAccounts.overdueMinor} as overdue_minor, ${collectionAccounts.oldestOverdueDays} as oldest_overdue_days,
                     ${collectionAccounts.stage} as stage, ${collectionAccounts.score} as score, ${collectionAccounts.scoreReasons} as score_reasons,
                     ${collectionAccounts.nextFollowUpOn}::text as next_follow_up_on, ${collectionAccounts.snoozedUntil}::text as snoozed_until,
                     ${customers.creditHold} as on_hold, ${followUpDue} as follow_up_due
                from ${collectionAccounts}
                join ${customers} on ${customers.id} = ${collectionAccounts.customerId}
                left join ${staffUsers} on ${staffUsers.id} = ${customers.collectorId}
               where ${and(...conditions)}
               -- "nulls last" as the index has it (score is never null, but the planner matches the index only so).
               order by ${view === "mine" ? sql`${followUpDue} desc,` : sql``} ${collectionAccounts.score} desc nulls last, ${collectionAccounts.customerId}
               limit ${limit + 1}) r`),
  );
  const order = (a: (typeof rowsRaw)[number], b: (typeof rowsRaw)[number]) =>
    (view === "mine" ? b.follow_up_due - a.follow_up_due : 0) || b.score - a.score || (a.customer_id < b.customer_id ? -1 : a.customer_id > b.customer_id ? 1 : 0);
  const rows = rowsRaw.sort(order).map((r) => ({
    customerId: r.customer_id,
    name: r.name,
    accountNumber: r.account_number,
    collectorId: r.collector_id,
    collectorName: r.collector_name,
    currency: r.currency.trim(),
    overdueMinor: Number(r.overdue_minor),
    oldestOverdueDays: Number(r.oldest_overdue_days),
    stage: r.stage,
    score: Number(r.score),
    scoreReasons: typeof r.score_reasons === "string" ? (JSON.parse(r.score_reasons) as unknown) : r.score_reasons,
    nextFollowUpOn: r.next_follow_up_on,
    snoozedUntil: r.snoozed_until,
    onHold: r.on_hold,
    followUpDue: Number(r.follow_up_due),
    openTasks: Number(r.open_tasks),
    promisedMinor: r.promised_minor,
    promisedOn: r.promised_on,
  }));
  const page = rows.slice(0, limit);
  const start = cursor ? cursor.rank : 0;
  const result: WorklistRow[] = page.map(({ scoreReasons, followUpDue: due, promisedMinor, promisedOn, ...row }, i) => ({
    ...row,
    rank: start + i + 1,
    reasons: parseReasons(scoreReasons),
    followUpDue: due === 1,
    openPromise: promisedMinor !== null && promisedOn !== null ? { amountMinor: Number(promisedMinor), promisedOn } : null,
  }));
  const last = rows.length > limit ? page.at(-1) : undefined;
  return {
    rows: result,
    nextCursor: last ? encodeWorklistCursor([view, last.followUpDue === 1 ? 1 : 0, last.score, last.customerId, start + page.length]) : undefined,
    asOf,
  };
}

// --- Assignment ---------------------------------------------------------------------------------

/** A collector must be a clerk or an admin who can still sign in. */
export async function requireCollector(collectorId: string, db: Db) {
  const [collector] = await db.select({ id: staffUsers.id, name: staffUsers.name, role: staffUsers.role, disabledAt: staffUsers.disabledAt }).from(staffUsers).where(eq(staffUsers.id, collectorId));
  if (!collector || collector.disabledAt || collector.role === "viewer") throw new DomainError("invalid", "Collector must be a clerk or an admin who can sign in", "collectorId");
  return collector;
}

export const MAX_ASSIGN = 500;

/**
 * Gives these accounts to a collector (or to nobody), audited per customer so it shows on each
 * timeline. Open tasks that were the old collector's move with the account.
 */
export async function assignCollector({ customerIds, collectorId }: { customerIds: string[]; collectorId: string | null }, actor: Actor, db: Db = getDb()) {
  const ids = [...new Set(customerIds)].sort();
  if (ids.length === 0) throw new DomainError("invalid", "Choose at least one account", "customerIds");
  if (ids.length > MAX_ASSIGN) throw new DomainError("invalid", `Assign at most ${MAX_ASSIGN} accounts at a time`, "customerIds");
  return db.transaction(async (tx) => {
    const collector = collectorId ? await requireCollector(collectorId, tx) : null;
    const before = await tx
      .select({ id: customers.id, collectorId: customers.collectorId, collectorName: staffUsers.name })
      .from(customers)
      .leftJoin(staffUsers, eq(staffUsers.id, customers.collectorId))
      .where(inArray(customers.id, ids))
      .orderBy(asc(customers.id))
      .for("update", { of: customers });
    if (before.length !== ids.length) throw new DomainError("invalid", "Some of the chosen accounts do not exist any more; reload the worklist", "customerIds");
    const changed = before.filter((c) => c.collectorId !== (collector?.id ?? null));
    if (changed.length === 0) return { changed: 0 };
    const now = new Date();
    const changedIds = changed.map((c) => c.id);
    await tx.update(customers).set({ collectorId: collector?.id ?? null, updatedAt: now }).where(inArray(customers.id, changedIds));
    for (const from of new Set(changed.map((c) => c.collectorId))) {
      const theirs = changed.filter((c) => c.collectorId === from).map((c) => c.id);
      await tx
        .update(collectionTasks)
        .set({ assigneeId: collector?.id ?? null })
        .where(and(inArray(collectionTasks.customerId, theirs), eq(collectionTasks.status, "open"), from ? eq(collectionTasks.assigneeId, from) : isNull(collectionTasks.assigneeId)));
    }
    await tx.insert(auditLog).values(
      changed.map((c) => ({
        ...auditActor(actor),
        action: "collections.assign",
        entityType: "customer",
        entityId: c.id,
        customerId: c.id,
        before: { collectorId: c.collectorId, collectorName: c.collectorName },
        after: { collectorId: collector?.id ?? null, collectorName: collector?.name ?? null },
      })),
    );
    return { changed: changed.length };
  });
}

/** An actor as audit_log columns, for writing many entries in one statement (as recordAudit writes one). */
export function auditActor(actor: Actor) {
  return { actorType: actor.type, actorId: "id" in actor ? actor.id : null, actorLabel: actor.label };
}
