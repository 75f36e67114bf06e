import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { and, eq, inArray, ne, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectionTasks, customers, dunningActions, dunningPolicies, invoices, promisesToPay } from "~db/schema";
import { connect, getDb, rowsOf, type Connection } from "~db/client";
import { seed } from "~db/seed";
import { runDunning } from "~/collections/dunning.server";
import { STANDARD_POLICY, type PolicyStep } from "~/collections/policy";
import { recordPromise } from "~/collections/promises.server";
import { openDispute } from "~/disputes/disputes.server";
import { recordPayment } from "~/ledger/payments.server";
import { proposePlan } from "~/plans/plans.server";
import { addDays, daysBetween, today, type IsoDate } from "~/utils/dates";
import { createContact, createCustomer, createStaff, issuedInvoice, staffActor } from "./factories";
import { ledgerViolations } from "./ledger-invariants";

/**
 * Issue 6's acceptance test: 120 days of dunning over the demo data on a simulated clock, each
 * day run by two workers at once: one in this process, one in a process of its own
 * (dunning-worker.ts) that is killed at random moments, by SIGKILL or by killing its database
 * sessions, and restarted; a restarted worker finishes the day. Afterwards: every step was taken once per invoice, no customer
 * got two reminders on one local day or one on a weekend, disputed, planned and promised
 * amounts were passed by, paid invoices stopped at once, and the fees equal a hand computation.
 * Killing sessions needs a server, so this runs on PostgreSQL (CI's second run).
 */

const base = process.env.TEST_DATABASE_URL;
if (!base) console.log("dunning-clock: skipped on embedded PGlite (it needs two sessions to kill); CI's PostgreSQL run has it.");

const DAYS = 120;
const START = today();
const nowOn = (day: number) => new Date(`${addDays(START, day)}T15:00:00Z`);

function prng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FEE_POLICY_STEPS: PolicyStep[] = [
  ...STANDARD_POLICY.steps,
  // 1.5% of what is collectible every 30 days from day 30, at most $400.00 an invoice.
  { id: "interest", offsetDays: 30, action: "late_fee", fee: { type: "percent", amount: null, percentBps: 150, cap: "400.00", repeatEveryDays: 30 } },
];
const FLAT_POLICY_STEPS: PolicyStep[] = [
  ...STANDARD_POLICY.steps,
  { id: "late-fee", offsetDays: 10, action: "late_fee", fee: { type: "flat", amount: "25.00", percentBps: null, cap: null, repeatEveryDays: null } },
];

describe.skipIf(!base)("120 days of dunning on a simulated clock, two workers, killed at random", () => {
  const workers: Connection[] = [];
  const random = prng(20261123);
  const connectWorker = (name: string) => {
    const url = new URL(process.env.__SETTLE_TEST_DB_URL ?? "");
    url.searchParams.set("application_name", name);
    const connection = connect({ databaseUrl: url.toString(), poolSize: 2 });
    workers.push(connection);
    return connection;
  };

  beforeAll(async () => {
    // The worker database of tests/setup/database.ts, found through the open connection.
    const [row] = rowsOf<{ db: string }>(await getDb().execute(sql`select current_database() as db`));
    const url = new URL(base!);
    url.pathname = `/${row!.db}`;
    process.env.__SETTLE_TEST_DB_URL = url.toString();
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close().catch(() => {})));
  });

  it("takes every step once, never two reminders a day, skips held amounts, and charges the fees by hand", { timeout: 900_000 }, async () => {
    const db = getDb();
    await seed(db);
    const admin = await createStaff({ role: "admin" });
    const actor = staffActor(admin);
    await db.insert(dunningPolicies).values([
      { name: "Enterprise with interest", segments: ["Enterprise"], steps: FEE_POLICY_STEPS },
      { name: "Small business with a late fee", segments: ["Small business"], steps: FLAT_POLICY_STEPS },
    ]);

    // Hand-made accounts whose every figure is known.
    const make = async (name: string, segment: string, timeZone = "America/New_York") => {
      const customer = await createCustomer({ name, segment, timeZone, email: `${name.toLowerCase().replace(/\W+/g, ".")}@example.com` });
      return customer;
    };
    const feeCustomer = await make("Interest Test Ltd", "Enterprise");
    const interestInvoice = await issuedInvoice({ customerId: feeCustomer.id, amounts: [1_000_000], issueDate: addDays(START, -30), dueDate: START });
    const cappedInvoice = await issuedInvoice({ customerId: feeCustomer.id, amounts: [1_200_000], issueDate: addDays(START, -30), dueDate: START });
    const paidLater = await issuedInvoice({ customerId: feeCustomer.id, amounts: [200_000], issueDate: addDays(START, -30), dueDate: START });
    const flatCustomer = await make("Flat Fee Test Co", "Small business", "Pacific/Auckland");
    const flatInvoice = await issuedInvoice({ customerId: flatCustomer.id, amounts: [50_000], issueDate: addDays(START, -20), dueDate: addDays(START, -5) });
    const heldCustomer = await make("Held Amounts Inc", "Mid-market", "Pacific/Honolulu");
    const disputedInvoice = await issuedInvoice({ customerId: heldCustomer.id, amounts: [30_000], issueDate: addDays(START, -40), dueDate: addDays(START, -2) });
    const plannedInvoice = await issuedInvoice({ customerId: heldCustomer.id, amounts: [40_000], issueDate: addDays(START, -40), dueDate: addDays(START, -2) });
    const promisedInvoice = await issuedInvoice({ customerId: heldCustomer.id, amounts: [25_000], issueDate: addDays(START, -40), dueDate: addDays(START, -4) });
    const contact = await createContact({ customerId: heldCustomer.id });
    const [line] = await db.execute(sql`select id from invoice_lines where invoice_id = ${disputedInvoice.id}`).then((r) => rowsOf<{ id: string }>(r));
    await openDispute({ customerId: heldCustomer.id, invoiceLineId: line!.id, amountMinor: 30_000, reason: "damaged", message: "Arrived broken" }, { ...contact, role: "billing" });
    const plan = await proposePlan(
      { customerId: heldCustomer.id, invoiceIds: [plannedInvoice.id], instalmentCount: 2, frequency: "monthly", firstDate: addDays(START, 1), firstAmountMinor: null, autopay: false, message: null, idempotencyKey: "clock-plan" },
      actor,
    );
    expect(plan.status).toBe("active");
    // A promise for the third invoice, due on day 20, that is not kept.
    const promise = await recordPromise({ customerId: heldCustomer.id, amountMinor: 25_000, promisedOn: addDays(START, 20) }, actor);

    const rand = (n: number) => Math.floor(random() * n);
    const inProcess = connectWorker("dunning-in-process");
    let worker = startWorkerProcess("dunning-process-0");
    let kills = 0;
    for (let day = 0; day < DAYS; day++) {
      const now = nowOn(day);
      if (day === 40) {
        // The principal is paid; the interest already charged stays owed, and the steps stop.
        await recordPayment({ customerId: feeCustomer.id, amountMinor: 1_000_000, method: "wire", receivedOn: addDays(START, day), idempotencyKey: "clock-principal", allocations: [{ invoiceId: interestInvoice.id, amountMinor: 1_000_000 }] }, actor);
      }
      if (day === 12) {
        await recordPayment({ customerId: feeCustomer.id, amountMinor: 200_000, method: "check", receivedOn: addDays(START, day), idempotencyKey: "clock-paid-later", allocations: [{ invoiceId: paidLater.id, amountMinor: 200_000 }] }, actor);
      }
      // Two workers at once: this process and another one.
      const child = await worker;
      const runs = [child.run(now), runDunning({ trigger: "cli", now, batchSize: 8, worker: "in-process" }, inProcess.db)] as const;
      if (random() < 0.15) {
        // At a random moment the other process dies (SIGKILL) or loses its database sessions.
        const byTerminate = random() < 0.5;
        setTimeout(() => {
          if (byTerminate) void db.execute(sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${child.name}`);
          else child.kill();
        }, rand(250));
      }
      const [outcome] = await Promise.all(runs);
      if (outcome === "died") {
        kills++;
        worker = startWorkerProcess(`dunning-process-${day + 1}`);
        // A restarted worker finishes whatever the dead one left.
        await runDunning({ trigger: "cli", now, worker: "restart" }, inProcess.db);
      }
    }
    (await worker).kill();
    expect(kills).toBeGreaterThan(5);
    const [failedOrCut] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from dunning_runs where status <> 'finished'`));
    expect(failedOrCut!.n).toBeGreaterThan(0);

    // 1. Every step at most once per invoice (the unique key), and every step whose day has come
    //    is there exactly once for an invoice that stayed open and collectible.
    const actions = await db.select().from(dunningActions);
    const keys = actions.map((a) => `${a.invoiceId}:${a.stepId}:${a.period}`);
    expect(new Set(keys).size).toBe(keys.length);
    const openThroughout = await db
      .select()
      .from(invoices)
      .where(and(eq(invoices.status, "open"), eq(invoices.kind, "standard"), sql`${invoices.dueDate} <= ${addDays(START, DAYS - 100)}::date`, sql`not exists (select 1 from disputes d where d.invoice_id = ${invoices.id})`, sql`not exists (select 1 from plan_invoices p where p.invoice_id = ${invoices.id})`, ne(invoices.customerId, heldCustomer.id)));
    expect(openThroughout.length).toBeGreaterThan(20);
    const byInvoice = new Map<string, typeof actions>();
    for (const a of actions) byInvoice.set(a.invoiceId, [...(byInvoice.get(a.invoiceId) ?? []), a]);
    const customerOf = new Map((await db.select({ id: customers.id, segment: customers.segment, timeZone: customers.timeZone }).from(customers)).map((c) => [c.id, c]));
    // Once an account is with an agency, Settle stops emailing it; its other steps go on. An email
    // step is owed only if the account was not yet escalated on the first business day it could go.
    const isWeekend = (date: IsoDate) => [0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());
    const firstEmailDay = (dueOn: IsoDate, offsetDays: number, timeZone: string) => {
      const firstRunDay = today(timeZone, nowOn(0));
      let day = addDays(dueOn, offsetDays) > firstRunDay ? addDays(dueOn, offsetDays) : firstRunDay;
      while (isWeekend(day)) day = addDays(day, 1);
      return day;
    };
    const escalatedBefore = new Map(
      rowsOf<{ customer_id: string; on: string }>(await db.execute(sql`select customer_id, min(taken_on)::text as on from dunning_actions where action = 'escalate' and outcome = 'taken' group by customer_id`)).map((r) => [r.customer_id, r.on]),
    );
    for (const invoice of openThroughout) {
      const { segment, timeZone } = customerOf.get(invoice.customerId)!;
      const escalatedOn = escalatedBefore.get(invoice.customerId);
      const steps = (segment === "Enterprise" ? FEE_POLICY_STEPS : segment === "Small business" ? FLAT_POLICY_STEPS : STANDARD_POLICY.steps).filter(
        (step) => !(step.action === "email" && escalatedOn !== undefined && escalatedOn <= firstEmailDay(invoice.dueDate!, step.offsetDays, timeZone)),
      );
      // A repeating fee starts at the period the run first finds due: missed periods are not piled on.
      const recorded = new Set((byInvoice.get(invoice.id) ?? []).map((a) => a.stepId));
      for (const step of steps) expect(recorded.has(step.id), `${invoice.number} step ${step.id}`).toBe(true);
    }

    // 2. One reminder a day per customer and address, on the customer's business days only.
    const reminders = rowsOf<{ customer_id: string; to_address: string; as_of: string; time_zone: string }>(
      await db.execute(sql`
        select o.customer_id, o.to_address, r.as_of::text as as_of, c.time_zone
        from email_outbox o join dunning_runs r on r.id = (o.metadata->>'runId')::uuid join customers c on c.id = o.customer_id
        where o.template = 'payment-reminder'`),
    );
    expect(reminders.length).toBeGreaterThan(100);
    const localDays = reminders.map((r) => `${r.customer_id}:${r.to_address}:${today(r.time_zone, new Date(r.as_of))}`);
    expect(new Set(localDays).size).toBe(localDays.length);
    for (const r of reminders) {
      const weekday = new Date(`${today(r.time_zone, new Date(r.as_of))}T00:00:00Z`).getUTCDay();
      expect([0, 6]).not.toContain(weekday);
    }

    // 3. Disputed and planned amounts were never dunned; the promise paused its invoice until its day,
    //    then broke and opened a follow-up task, and the steps went on.
    const heldActions = actions.filter((a) => a.customerId === heldCustomer.id && a.outcome === "taken");
    expect(heldActions.filter((a) => a.invoiceId === disputedInvoice.id || a.invoiceId === plannedInvoice.id)).toEqual([]);
    const promised = heldActions.filter((a) => a.invoiceId === promisedInvoice.id);
    expect(promised.length).toBeGreaterThan(0);
    expect(promised.every((a) => a.takenOn > addDays(START, 20))).toBe(true);
    const [settled] = await db.select().from(promisesToPay).where(eq(promisesToPay.id, promise.id));
    expect(settled!.status).toBe("broken");
    const followUps = await db.select().from(collectionTasks).where(and(eq(collectionTasks.customerId, heldCustomer.id), eq(collectionTasks.kind, "promise_broken")));
    expect(followUps).toHaveLength(1);

    // 4. A paid invoice stops at once.
    const afterPaid = actions.filter((a) => a.invoiceId === paidLater.id && a.takenOn >= addDays(START, 12));
    expect(afterPaid).toEqual([]);

    // 5. Fees by hand. Interest: 1.5% of $10,000.00 = $150.00 on days 30 and ... the principal was paid
    //    on day 40, so only the day-30 charge exists, and it is still owed after the principal was paid.
    const fees = await db.select().from(invoices).where(inArray(invoices.feeForInvoiceId, [interestInvoice.id, cappedInvoice.id, flatInvoice.id, paidLater.id])).orderBy(invoices.issueDate);
    const interest = fees.filter((f) => f.feeForInvoiceId === interestInvoice.id);
    expect(interest.map((f) => [f.kind, f.feePeriod, f.totalMinor, f.issueDate, f.status])).toEqual([["interest", 0, 15_000, addDays(START, 30), "open"]]);
    // $12,000.00 left unpaid: $180.00 on days 30 and 60, then the $400.00 cap leaves $40.00 on day 90.
    const capped = fees.filter((f) => f.feeForInvoiceId === cappedInvoice.id);
    expect(capped.map((f) => [f.feePeriod, f.totalMinor, f.issueDate])).toEqual([
      [0, 18_000, addDays(START, 30)],
      [1, 18_000, addDays(START, 60)],
      [2, 4_000, addDays(START, 90)],
    ]);
    // Flat $25.00 once, 10 days after the due date (START − 5), in Auckland, which is a day ahead of UTC at 15:00.
    const flat = fees.filter((f) => f.feeForInvoiceId === flatInvoice.id);
    expect(flat.map((f) => [f.kind, f.feePeriod, f.totalMinor])).toEqual([["late_fee", 0, 2_500]]);
    expect(daysBetween(addDays(START, -5), flat[0]!.issueDate!)).toBe(10);
    expect(fees.filter((f) => f.feeForInvoiceId === paidLater.id)).toEqual([]);
    // Each fee and the hold were told to the customer, once.
    const told = rowsOf<{ customer_id: string; template: string; n: number }>(
      await db.execute(sql`select customer_id, template, count(*)::int as n from email_outbox where template in ('late-fee-charged', 'credit-hold-notice') group by 1, 2`),
    );
    const toldOf = (customerId: string, template: string) => told.find((t) => t.customer_id === customerId && t.template === template)?.n ?? 0;
    expect(toldOf(feeCustomer.id, "late-fee-charged")).toBe(4);
    expect(toldOf(flatCustomer.id, "late-fee-charged")).toBe(1);
    expect(toldOf(feeCustomer.id, "credit-hold-notice")).toBe(1);
    expect(await ledgerViolations()).toEqual([]);
  });
});

/** tests/integration/dunning-worker.ts in a process of its own, ready for its first day. */
async function startWorkerProcess(name: string) {
  const child = spawn("node", ["--import", "tsx", "tests/integration/dunning-worker.ts"], {
    env: { ...process.env, DATABASE_URL: process.env.__SETTLE_TEST_DB_URL, WORKER_NAME: name, NODE_ENV: "test" },
    stdio: ["pipe", "pipe", "ignore"],
  });
  const exited = new Promise<"died">((resolve) => child.on("exit", () => resolve("died")));
  const lines = createInterface({ input: child.stdout! });
  const nextLine = () => Promise.race([new Promise<string>((resolve) => lines.once("line", resolve)), exited]);
  if ((await nextLine()) !== "ready") throw new Error(`${name} did not start`);
  return {
    name,
    kill: () => child.kill("SIGKILL"),
    async run(now: Date): Promise<"done" | "died"> {
      const answer = nextLine();
      child.stdin!.write(`${now.toISOString()}\n`);
      return (await answer) === "done" ? "done" : "died";
    },
  };
}
