import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { auditLog, collectionAccounts, collectionAssignmentRules, customers, disputes, invoiceLines, paymentPlans, planInstalments, planInvoices, promisesToPay } from "~db/schema";
import { describeAudit } from "~/audit/describe";
import { applyAssignmentRules, deleteRule, listRules, moveRule, saveRule } from "~/collections/assignment.server";
import { formatReason } from "~/collections/score";
import { createTask } from "~/collections/tasks.server";
import { assignCollector, listWorklist, refreshAllScores, refreshScores, type WorklistQuery } from "~/collections/worklist.server";
import { recordPayment } from "~/ledger/payments.server";
import * as rulesPage from "~/routes/staff.collections.rules";
import * as worklistPage from "~/routes/staff.collections._index";
import { addDays, today } from "~/utils/dates";
import { createContact, createCustomer, createStaff, issuedInvoice, staffActor } from "./factories";
import { context, cookieFor, get, outcome, post } from "./route-helpers";

const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context });
const asOf = today();
const day = (offset: number) => addDays(asOf, offset);
const system = { type: "system" as const, label: "test" };

/** An invoice `daysOverdue` days past its due date, open in full. */
const overdue = (customerId: string, amountMinor: number, daysOverdue: number) =>
  issuedInvoice({ customerId, amounts: [amountMinor], issueDate: day(-daysOverdue - 30), dueDate: day(-daysOverdue) });

let paymentKey = 0;
/** History: an invoice paid in full `daysLate` days after its due date, `paidDaysAgo` days ago. */
async function paidInvoice(customerId: string, { daysLate, paidDaysAgo = 60 }: { daysLate: number; paidDaysAgo?: number }) {
  const paidOn = day(-paidDaysAgo);
  const invoice = await issuedInvoice({ customerId, amounts: [100_000], issueDate: addDays(paidOn, -daysLate - 30), dueDate: addDays(paidOn, -daysLate) });
  await recordPayment({ customerId, amountMinor: 100_000, method: "wire", receivedOn: paidOn, idempotencyKey: `worklist-test-${++paymentKey}`, allocations: [{ invoiceId: invoice.id, amountMinor: 100_000 }] }, system);
}

async function promise(customerId: string, amountMinor: number, promisedOn: string, status: "open" | "broken") {
  await getDb().insert(promisesToPay).values({ customerId, currency: "USD", amountMinor, promisedOn, madeOn: addDays(promisedOn, -7), status, source: "staff" });
}

/**
 * The hand-made book: each account is a situation a collector knows. Expected order (see
 * app/collections/score.test.ts for the reasoning): Northwind, Fabrikam, Chronic, Disputed,
 * Good payer, Promised, Small. Snoozed is hidden; Paid up and Not yet due have nothing overdue.
 */
async function book() {
  const northwind = await createCustomer({ name: "Northwind Traders", accountNumber: "C-20001" });
  await overdue(northwind.id, 3_000_000, 95);
  await overdue(northwind.id, 1_800_000, 40);
  await promise(northwind.id, 500_000, day(-60), "broken");
  await promise(northwind.id, 500_000, day(-20), "broken");
  await promise(northwind.id, 500_000, day(-400), "broken"); // too long ago to count

  // $25,000 at 50 days, $10,000 of it in an active plan whose instalments failed twice.
  const fabrikam = await createCustomer({ name: "Fabrikam", accountNumber: "C-20002" });
  const planned = await overdue(fabrikam.id, 2_500_000, 50);
  const [plan] = await getDb()
    .insert(paymentPlans)
    .values({ customerId: fabrikam.id, currency: "USD", status: "active", totalMinor: 1_000_000, instalmentCount: 2, frequency: "monthly", firstDate: day(-30), activatedAt: new Date() })
    .returning();
  await getDb().insert(planInvoices).values({ planId: plan!.id, invoiceId: planned.id, amountMinor: 1_000_000 });
  await getDb()
    .insert(planInstalments)
    .values([
      { planId: plan!.id, seq: 1, dueDate: day(-30), amountMinor: 500_000, status: "failed", failures: 2, nextAttemptOn: day(2) },
      { planId: plan!.id, seq: 2, dueDate: day(1), amountMinor: 500_000, nextAttemptOn: day(1) },
    ]);
  const [other] = await getDb()
    .insert(paymentPlans)
    .values({ customerId: fabrikam.id, currency: "USD", status: "defaulted", totalMinor: 100_000, instalmentCount: 1, frequency: "monthly", firstDate: day(-20) })
    .returning();
  await getDb().insert(planInstalments).values({ planId: other!.id, seq: 1, dueDate: day(-20), amountMinor: 100_000, status: "failed", failures: 3 });

  const chronic = await createCustomer({ name: "Chronic Late Ltd", accountNumber: "C-20003" });
  await overdue(chronic.id, 800_000, 40);
  for (const paidDaysAgo of [30, 90, 150]) await paidInvoice(chronic.id, { daysLate: 35, paidDaysAgo });

  // $5,000 at 35 days, $1,000 of it disputed.
  const disputed = await createCustomer({ name: "Disputed Supplies", accountNumber: "C-20004" });
  const questioned = await overdue(disputed.id, 500_000, 35);
  const [line] = await getDb().select().from(invoiceLines).where(eq(invoiceLines.invoiceId, questioned.id));
  await getDb().insert(disputes).values({ customerId: disputed.id, invoiceId: questioned.id, invoiceLineId: line!.id, currency: "USD", amountMinor: 100_000, reason: "damaged" });

  const good = await createCustomer({ name: "Good Payer Inc", accountNumber: "C-20005" });
  await overdue(good.id, 800_000, 40);
  for (const paidDaysAgo of [20, 50, 80, 110]) await paidInvoice(good.id, { daysLate: 0, paidDaysAgo });

  const promised = await createCustomer({ name: "Promised Co", accountNumber: "C-20006" });
  await overdue(promised.id, 2_000_000, 60);
  await promise(promised.id, 2_000_000, day(7), "open");

  const small = await createCustomer({ name: "Small Young", accountNumber: "C-20007" });
  const smallInvoice = await overdue(small.id, 15_000, 5);

  const snoozed = await createCustomer({ name: "Snoozed Big", accountNumber: "C-20008" });
  await overdue(snoozed.id, 3_000_000, 70);
  await getDb().insert(collectionAccounts).values({ customerId: snoozed.id, currency: "USD", snoozedUntil: day(10) });

  const paidUp = await createCustomer({ name: "Paid Up", accountNumber: "C-20009" });
  await paidInvoice(paidUp.id, { daysLate: 0 });
  const notYetDue = await createCustomer({ name: "Not Yet Due", accountNumber: "C-20010" });
  await issuedInvoice({ customerId: notYetDue.id, amounts: [900_000], issueDate: day(-5), dueDate: day(25) });

  const all = { northwind, fabrikam, chronic, disputed, good, promised, small, snoozed, paidUp, notYetDue };
  await refreshScores(
    Object.values(all).map((c) => c.id),
    asOf,
  );
  return { ...all, smallInvoice };
}

type Book = Awaited<ReturnType<typeof book>>;
const expectedOrder: (keyof Book)[] = ["northwind", "fabrikam", "chronic", "disputed", "good", "promised", "small"];

async function names(query: Omit<WorklistQuery, "staffId"> & { staffId?: string }) {
  const page = await listWorklist({ staffId: query.staffId ?? "00000000-0000-4000-8000-000000000000", asOf, ...query });
  return page.rows.map((r) => r.name);
}

const nameOf = (b: Book, keys: (keyof Book)[]) => keys.map((k) => (b[k] as { name: string }).name);

async function signedIn(role: "viewer" | "clerk" | "admin" = "clerk") {
  const user = await createStaff({ role });
  return { user, cookie: await cookieFor({ audience: "staff", staffUserId: user.id }), actor: staffActor(user) };
}

function postMany(path: string, fields: [string, string][], cookie: string) {
  return new Request(`http://localhost:3000${path}`, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie },
  });
}

describe("scoring accounts from the books", () => {
  it("ranks the hand-made accounts as a collector would, with the reasons", async () => {
    const b = await book();
    const page = await listWorklist({ staffId: "00000000-0000-4000-8000-000000000000", asOf });
    expect(page.rows.map((r) => r.name)).toEqual(nameOf(b, expectedOrder));
    expect(page.rows.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const reasons = Object.fromEntries(page.rows.map((r) => [r.name, r.reasons.map(formatReason)]));
    for (const row of page.rows) expect(row.reasons.reduce((sum, r) => sum + r.points, 0), row.name).toBe(row.score);

    expect(reasons["Northwind Traders"]).toEqual(["$48,000.00 overdue on 2 invoices (+33)", "oldest 95 days overdue (+29)", "2 broken promises (+20)"]);
    // The planned $10,000 is not collectible; the failed instalments (the defaulted plan's too) are trouble.
    expect(reasons["Fabrikam"]).toEqual(["$15,000.00 overdue (+29)", "50 days overdue (+15)", "2 failed plan payments (+16)"]);
    expect(reasons["Chronic Late Ltd"]).toContain("usually pays 35 days late (+11)");
    expect(reasons["Disputed Supplies"]).toEqual(["$4,000.00 overdue (+23)", "35 days overdue (+11)", "1 open dispute (+4)"]);
    expect(reasons["Good Payer Inc"]).toContain("pays on time 100% of the time (−10)");
    expect(reasons["Promised Co"]).toContain(`promise of $20,000.00 due ${day(7)} (−25)`);

    const northwind = page.rows[0]!;
    expect(northwind).toMatchObject({ overdueMinor: 4_800_000, oldestOverdueDays: 95, currency: "USD", stage: "none", collectorName: null, openTasks: 0, openPromise: null, onHold: false });
    expect(page.rows.find((r) => r.name === "Promised Co")!.openPromise).toEqual({ amountMinor: 2_000_000, promisedOn: day(7) });

    // Nothing overdue: a zero row at most, never in the list.
    const cached = await getDb().select().from(collectionAccounts).where(eq(collectionAccounts.customerId, b.paidUp.id));
    expect(cached).toEqual([]);
  });

  it("takes a paid account out at its next refresh, and refreshes everything that was overdue", async () => {
    const b = await book();
    await recordPayment({ customerId: b.small.id, amountMinor: 15_000, method: "card", receivedOn: asOf, idempotencyKey: "worklist-small-paid", allocations: [{ invoiceId: b.smallInvoice.id, amountMinor: 15_000 }] }, system);
    await overdue(b.notYetDue.id, 70_000, 12);
    const { customers: count } = await refreshAllScores(asOf);
    expect(count).toBe(9); // the eight overdue accounts, and Small Young that was
    expect(await names({})).toEqual([...nameOf(b, expectedOrder.slice(0, -1)), "Not Yet Due"]);
    const [small] = await getDb().select().from(collectionAccounts).where(eq(collectionAccounts.customerId, b.small.id));
    expect(small).toMatchObject({ overdueMinor: 0, score: 0, scoreReasons: [] });
  });
});

describe("the worklist's filters and pages", () => {
  it("filters by collector, stage, amount, age and search, and hides snoozed accounts", async () => {
    const b = await book();
    const clerk = await createStaff({ role: "clerk" });
    await assignCollector({ customerIds: [b.northwind.id, b.chronic.id], collectorId: clerk.id }, system);
    await getDb().update(collectionAccounts).set({ stage: "call" }).where(eq(collectionAccounts.customerId, b.disputed.id));

    expect(await names({ collector: clerk.id })).toEqual(nameOf(b, ["northwind", "chronic"]));
    expect(await names({ collector: "me", staffId: clerk.id })).toEqual(nameOf(b, ["northwind", "chronic"]));
    expect(await names({ collector: "unassigned" })).toEqual(nameOf(b, ["fabrikam", "disputed", "good", "promised", "small"]));
    expect(await names({ stage: "call" })).toEqual(nameOf(b, ["disputed"]));
    expect(await names({ minOverdue: 10_000 })).toEqual(nameOf(b, ["northwind", "fabrikam", "promised"]));
    expect(await names({ minAgeDays: 60 })).toEqual(nameOf(b, ["northwind", "promised"]));
    expect(await names({ q: "north" })).toEqual(nameOf(b, ["northwind"]));
    expect(await names({ q: "C-20005" })).toEqual(nameOf(b, ["good"]));
    expect(await names({ q: "100%_" })).toEqual([]);

    expect(await names({})).not.toContain("Snoozed Big");
    const shown = await names({ showSnoozed: true });
    // Shown when asked for, lower than its size alone would put it ($30,000 at 70 days, just below a $4,000 dispute).
    expect(shown.indexOf("Snoozed Big")).toBe(shown.indexOf("Disputed Supplies") + 1);
    const snoozedRow = (await listWorklist({ staffId: clerk.id, asOf, showSnoozed: true, q: "Snoozed" })).rows[0]!;
    expect(snoozedRow.reasons.map(formatReason)).toContain(`snoozed until ${day(10)} (−15)`);
  });

  it("puts my follow-ups due today first in my queue, then by score", async () => {
    const b = await book();
    const clerk = await createStaff({ role: "clerk" });
    await assignCollector({ customerIds: [b.northwind.id, b.chronic.id, b.small.id], collectorId: clerk.id }, system);
    await createTask({ customerId: b.small.id, kind: "call", title: "Call back", dueOn: asOf }, system);
    await createTask({ customerId: b.chronic.id, kind: "follow_up", title: "Check the remittance", dueOn: day(3) }, system);

    const mine = await listWorklist({ staffId: clerk.id, view: "mine", asOf });
    expect(mine.rows.map((r) => r.name)).toEqual(nameOf(b, ["small", "northwind", "chronic"]));
    expect(mine.rows[0]).toMatchObject({ nextFollowUpOn: asOf, followUpDue: true, openTasks: 1, collectorName: clerk.name });
    expect(mine.rows[2]).toMatchObject({ nextFollowUpOn: day(3), followUpDue: false, openTasks: 1 });
    // The "mine" view is the signed-in clerk's alone, whatever collector filter comes with it.
    const someoneElse = await createStaff({ role: "clerk" });
    expect((await listWorklist({ staffId: someoneElse.id, view: "mine", asOf, collector: clerk.id })).rows).toEqual([]);

    // Paged, the queue keeps its order across pages.
    const first = await listWorklist({ staffId: clerk.id, view: "mine", asOf, limit: 2 });
    const second = await listWorklist({ staffId: clerk.id, view: "mine", asOf, limit: 2, after: first.nextCursor });
    expect([...first.rows, ...second.rows].map((r) => r.name)).toEqual(mine.rows.map((r) => r.name));
    expect(second.rows.map((r) => r.rank)).toEqual([3]);
    expect(second.nextCursor).toBeUndefined();
  });

  it("pages by score with a cursor, ranks running on across pages", async () => {
    const b = await book();
    const staffId = "00000000-0000-4000-8000-000000000000";
    const seen: string[] = [];
    const ranks: number[] = [];
    let after: string | undefined;
    do {
      const page = await listWorklist({ staffId, asOf, limit: 3, after });
      seen.push(...page.rows.map((r) => r.name));
      ranks.push(...page.rows.map((r) => r.rank));
      after = page.nextCursor;
    } while (after);
    expect(seen).toEqual(nameOf(b, expectedOrder));
    expect(ranks).toEqual([1, 2, 3, 4, 5, 6, 7]);

    // Ties on score are broken by id, so no account is skipped or repeated at a page edge.
    await getDb().update(collectionAccounts).set({ score: 50 });
    const tied: string[] = [];
    after = undefined;
    do {
      const page = await listWorklist({ staffId, asOf, limit: 2, after });
      tied.push(...page.rows.map((r) => r.customerId));
      after = page.nextCursor;
    } while (after);
    expect(tied).toHaveLength(7);
    expect([...tied].sort()).toEqual(tied);
    // A cursor from the other view, or made up, starts again at the top.
    const other = await listWorklist({ staffId, asOf, limit: 2, after: "bm9wZQ" });
    expect(other.rows[0]!.rank).toBe(1);
  });
});

describe("assigning collectors", () => {
  it("assigns and unassigns in bulk, audited on each account, and moves the old collector's open tasks", async () => {
    const b = await book();
    const [ana, ben] = [await createStaff({ role: "clerk" }), await createStaff({ role: "admin" })];
    const actor = staffActor(ben);
    await assignCollector({ customerIds: [b.northwind.id], collectorId: ana.id }, actor);
    const task = await createTask({ customerId: b.northwind.id, kind: "call", title: "Call Northwind", dueOn: asOf }, actor);
    expect(task!.assigneeId).toBe(ana.id);

    expect(await assignCollector({ customerIds: [b.northwind.id, b.fabrikam.id], collectorId: ben.id }, actor)).toEqual({ changed: 2 });
    const assigned = await getDb().select({ id: customers.id, collectorId: customers.collectorId }).from(customers).where(eq(customers.collectorId, ben.id));
    expect(assigned.map((c) => c.id).sort()).toEqual([b.northwind.id, b.fabrikam.id].sort());
    const entries = await getDb().select().from(auditLog).where(eq(auditLog.action, "collections.assign")).orderBy(auditLog.id);
    expect(entries.map((e) => e.customerId).sort()).toEqual([b.northwind.id, b.northwind.id, b.fabrikam.id].sort());
    const moved = entries.filter((e) => e.customerId === b.northwind.id).at(-1)!;
    expect(describeAudit({ ...moved, actorName: ben.name })).toBe(`${ben.name} gave the account to ${ben.name} to collect (it was ${ana.name}'s)`);
    const { collectionTasks } = await import("~db/schema");
    const [reassigned] = await getDb().select().from(collectionTasks).where(eq(collectionTasks.id, task!.id));
    expect(reassigned!.assigneeId).toBe(ben.id);

    expect(await assignCollector({ customerIds: [b.northwind.id], collectorId: ben.id }, actor)).toEqual({ changed: 0 });
    await assignCollector({ customerIds: [b.fabrikam.id], collectorId: null }, actor);
    const last = (await getDb().select().from(auditLog).where(eq(auditLog.action, "collections.assign")).orderBy(auditLog.id)).at(-1)!;
    expect(describeAudit({ ...last, actorName: ben.name })).toBe(`${ben.name} took the account away from ${ben.name}; nobody collects it now`);

    const viewer = await createStaff({ role: "viewer" });
    await expect(assignCollector({ customerIds: [b.good.id], collectorId: viewer.id }, actor)).rejects.toMatchObject({ field: "collectorId" });
    await expect(assignCollector({ customerIds: ["00000000-0000-4000-8000-000000000001"], collectorId: ana.id }, actor)).rejects.toMatchObject({ field: "customerIds" });
    await expect(assignCollector({ customerIds: [], collectorId: ana.id }, actor)).rejects.toMatchObject({ field: "customerIds" });
  });

  it("applies the first matching rule to unassigned accounts only, as the system", async () => {
    const b = await book();
    const admin = await createStaff({ role: "admin" });
    const [big, enterprise, rest, gone] = [await createStaff({ role: "clerk" }), await createStaff({ role: "clerk" }), await createStaff({ role: "clerk" }), await createStaff({ role: "clerk" })];
    const actor = staffActor(admin);
    await getDb().update(customers).set({ segment: "Enterprise" }).where(eq(customers.id, b.good.id));
    const first = await saveRule({ currency: "usd", minOverdue: "20,000.00", collectorId: big.id }, actor);
    await saveRule({ segment: "enterprise", collectorId: enterprise.id }, actor);
    await saveRule({ collectorId: rest.id }, actor);
    // A rule whose collector can no longer collect is passed over.
    const skipped = await saveRule({ segment: "enterprise", collectorId: gone.id }, actor);
    await moveRule({ id: skipped.id, direction: "up" }, actor);
    await moveRule({ id: skipped.id, direction: "up" }, actor);
    await moveRule({ id: skipped.id, direction: "up" }, actor);
    await moveRule({ id: skipped.id, direction: "up" }, actor); // already first: nothing to swap
    await getDb().update((await import("~db/schema")).staffUsers).set({ disabledAt: new Date() }).where(eq((await import("~db/schema")).staffUsers.id, gone.id));
    expect((await listRules()).map((r) => [r.position, r.collectorId, r.collectorActive])).toEqual([
      [1, gone.id, false],
      [2, big.id, true],
      [3, enterprise.id, true],
      [4, rest.id, true],
    ]);
    await assignCollector({ customerIds: [b.chronic.id], collectorId: admin.id }, actor);

    const ids = [b.northwind.id, b.fabrikam.id, b.chronic.id, b.good.id, b.promised.id, b.small.id];
    expect(await applyAssignmentRules(ids)).toEqual({ assigned: 5 });
    const collectorOf = async (id: string) => (await getDb().select({ c: customers.collectorId }).from(customers).where(eq(customers.id, id)))[0]!.c;
    expect(await collectorOf(b.northwind.id)).toBe(big.id); // $48,000 overdue
    expect(await collectorOf(b.promised.id)).toBe(big.id); // $20,000
    expect(await collectorOf(b.good.id)).toBe(enterprise.id);
    expect(await collectorOf(b.fabrikam.id)).toBe(rest.id);
    expect(await collectorOf(b.small.id)).toBe(rest.id);
    expect(await collectorOf(b.chronic.id)).toBe(admin.id); // had one: left alone
    const [entry] = await getDb().select().from(auditLog).where(and(eq(auditLog.customerId, b.northwind.id), eq(auditLog.action, "collections.assign")));
    expect(entry).toMatchObject({ actorType: "system" });
    expect(describeAudit({ ...entry!, actorName: null })).toBe(`Settle (assignment rules) gave the account to ${big.name} to collect by the assignment rule for $20,000.00 or more overdue`);
    expect(await applyAssignmentRules(ids)).toEqual({ assigned: 0 });

    await deleteRule({ id: first.id }, actor);
    expect((await listRules()).map((r) => r.position)).toEqual([1, 2, 3]);
  });

  it("refuses a bad rule with the field named, and changes nothing", async () => {
    const admin = await createStaff({ role: "admin" });
    const viewer = await createStaff({ role: "viewer" });
    const actor = staffActor(admin);
    await expect(saveRule({ minOverdue: "500", collectorId: admin.id }, actor)).rejects.toMatchObject({ field: "currency", message: "A minimum overdue amount needs a currency (amounts are not converted)" });
    await expect(saveRule({ currency: "USD", minOverdue: "12.345", collectorId: admin.id }, actor)).rejects.toMatchObject({ field: "minOverdue", message: "Minimum overdue: USD amounts have at most 2 decimals" });
    await expect(saveRule({ currency: "US", collectorId: admin.id }, actor)).rejects.toMatchObject({ field: "currency" });
    await expect(saveRule({ currency: "USD", minOverdue: "0", collectorId: admin.id }, actor)).rejects.toMatchObject({ field: "minOverdue" });
    await expect(saveRule({ collectorId: "" }, actor)).rejects.toMatchObject({ field: "collectorId", message: "Choose a collector" });
    await expect(saveRule({ collectorId: viewer.id }, actor)).rejects.toMatchObject({ field: "collectorId" });
    expect(await getDb().select().from(collectionAssignmentRules)).toEqual([]);
  });
});

describe("the worklist pages", () => {
  it("shows the worklist to staff (a viewer reads it), never to a portal user", async () => {
    const b = await book();
    const viewer = await signedIn("viewer");
    const page = await outcome(() => worklistPage.loader(args(get("/staff/collections", viewer.cookie))));
    expect(page.status).toBe(200);
    const data = page.data as Awaited<ReturnType<typeof worklistPage.loader>>;
    expect(data.rows.map((r) => r.name)).toEqual(nameOf(b, expectedOrder));
    expect(data).toMatchObject({ canAssign: false, isCollector: false, search: { view: "all" } });
    expect(data.rows[0]!.reasons.length).toBeGreaterThan(0);

    const filtered = await outcome(() => worklistPage.loader(args(get("/staff/collections?min=10000&age=60&stage=&q=&collector=bogus", viewer.cookie))));
    expect((filtered.data as typeof data).rows.map((r) => r.name)).toEqual(nameOf(b, ["northwind", "promised"]));
    const next = await outcome(() => worklistPage.loader(args(get(`/staff/collections?after=${encodeURIComponent(data.nextCursor ?? "")}`, viewer.cookie))));
    expect(next.status).toBe(200);

    const clerk = await signedIn("clerk");
    await assignCollector({ customerIds: [b.good.id], collectorId: clerk.user.id }, system);
    const mine = await outcome(() => worklistPage.loader(args(get("/staff/collections?view=mine", clerk.cookie))));
    expect((mine.data as typeof data).rows.map((r) => r.name)).toEqual(["Good Payer Inc"]);
    expect(mine.data).toMatchObject({ canAssign: true, isCollector: true });

    const contact = await createContact({ customerId: b.northwind.id });
    const portalCookie = await cookieFor({ audience: "portal", portalUserId: contact.id });
    const portal = await outcome(() => worklistPage.loader(args(get("/staff/collections", portalCookie))));
    expect(portal.status).toBe(302);
    expect(portal.location).toMatch(/^\/staff\/sign-in/);
    expect((await outcome(() => rulesPage.loader(args(get("/staff/collections/rules", portalCookie))))).status).toBe(302);
  });

  it("bulk-assigns for clerks, refuses viewers, and names a bad collector", async () => {
    const b = await book();
    const clerk = await signedIn("clerk");
    const viewer = await signedIn("viewer");
    const fields: [string, string][] = [
      ["customerId", b.northwind.id],
      ["customerId", b.fabrikam.id],
      ["collectorId", clerk.user.id],
    ];
    expect((await outcome(() => worklistPage.action(args(postMany("/staff/collections?index", fields, viewer.cookie))))).status).toBe(403);

    const badId = await outcome(() => worklistPage.action(args(postMany("/staff/collections?index", [fields[0]!, ["collectorId", "not-a-collector"]], clerk.cookie))));
    expect(badId).toMatchObject({ status: 400, data: { ok: false, errors: { collectorId: "Choose a collector from the list" } } });
    const notCollector = await outcome(() => worklistPage.action(args(postMany("/staff/collections?index", [fields[0]!, ["collectorId", viewer.user.id]], clerk.cookie))));
    expect(notCollector).toMatchObject({ status: 422, data: { ok: false, errors: { collectorId: "Collector must be a clerk or an admin who can sign in" } } });
    const nothing = await outcome(() => worklistPage.action(args(postMany("/staff/collections?index", [["collectorId", clerk.user.id]], clerk.cookie))));
    expect(nothing).toMatchObject({ status: 400, data: { errors: { customerIds: "Choose at least one account" } } });
    expect(await getDb().select().from(auditLog).where(eq(auditLog.action, "collections.assign"))).toEqual([]);

    const done = await outcome(() => worklistPage.action(args(postMany("/staff/collections?index", fields, clerk.cookie))));
    expect(done).toMatchObject({ status: 200, data: { ok: true, message: "Assigned 2 accounts." } });
    expect(await names({ collector: clerk.user.id })).toEqual(nameOf(b, ["northwind", "fabrikam"]));
    const unassign = await outcome(() => worklistPage.action(args(postMany("/staff/collections?index", [fields[1]!, ["collectorId", "none"]], clerk.cookie))));
    expect(unassign).toMatchObject({ status: 200, data: { ok: true, message: "Unassigned 1 account." } });
  });

  it("lets admins edit the assignment rules; clerks read them", async () => {
    const admin = await signedIn("admin");
    const clerk = await signedIn("clerk");
    const read = await outcome(() => rulesPage.loader(args(get("/staff/collections/rules", clerk.cookie))));
    expect(read).toMatchObject({ status: 200, data: { rules: [], canEdit: false } });
    expect((await outcome(() => rulesPage.action(args(post("/staff/collections/rules", { intent: "save", collectorId: clerk.user.id }, clerk.cookie))))).status).toBe(403);

    const bad = await outcome(() => rulesPage.action(args(post("/staff/collections/rules", { intent: "save", segment: "", currency: "", minOverdue: "5000", collectorId: clerk.user.id }, admin.cookie))));
    expect(bad).toMatchObject({ status: 400, data: { errors: { currency: "A minimum overdue amount needs a currency (amounts are not converted)" } } });
    const saved = await outcome(() => rulesPage.action(args(post("/staff/collections/rules", { intent: "save", segment: "retail", currency: "USD", minOverdue: "5,000", collectorId: clerk.user.id }, admin.cookie))));
    expect(saved).toMatchObject({ status: 302, location: "/staff/collections/rules?saved=1" });
    const listed = await outcome(() => rulesPage.loader(args(get("/staff/collections/rules", admin.cookie))));
    const rule = (listed.data as { rules: { id: string; conditions: string }[] }).rules[0]!;
    expect(rule.conditions).toBe("segment “retail”, $5,000.00 or more overdue");
    const editing = await outcome(() => rulesPage.loader(args(get(`/staff/collections/rules?edit=${rule.id}`, admin.cookie))));
    expect(editing.data).toMatchObject({ canEdit: true, editing: { id: rule.id, segment: "retail", currency: "USD", minOverdue: "5000.00", collectorId: clerk.user.id } });
    expect((await outcome(() => rulesPage.action(args(post("/staff/collections/rules", { intent: "delete", id: "nope" }, admin.cookie))))).status).toBe(400);
    expect((await outcome(() => rulesPage.action(args(post("/staff/collections/rules", { intent: "delete", id: rule.id }, admin.cookie))))).status).toBe(302);
    expect(await getDb().select().from(collectionAssignmentRules)).toEqual([]);
  });
});
