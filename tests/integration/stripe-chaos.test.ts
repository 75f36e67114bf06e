import { spawn, type ChildProcess } from "node:child_process";
import postgres from "postgres";
import Stripe from "stripe";
import { afterAll, describe, expect, it } from "vitest";
import { connect, getConnection, rowsOf, setConnection, type Connection } from "~db/client";
import { migrate } from "~db/migrate";
import { sql } from "drizzle-orm";
import { startAttempt } from "~/payments/attempts.server";
import { stripeClient } from "~/payments/stripe-processor.server";
import { receiveStripeWebhook } from "~webhooks/stripe/receive.server";
import { retryDueEvents } from "~webhooks/stripe/process.server";
import { startFakeStripe, type FakeEvent, type FakeStripe } from "../fakes/stripe";
import { createCustomer, issuedInvoice } from "./factories";
import { ledgerViolations } from "./ledger-invariants";

/**
 * The chaos test of issue 5: a few thousand Stripe events (payments, bank debits, partial refunds,
 * a refund that fails, chargebacks won and lost, payouts, one failing, money from no customer)
 * delivered to a running app process with every event twice, shuffled, eight at a time, and the
 * process killed (SIGKILL) and started again in the middle. The books must equal those of the
 * same events delivered once, in order: same journal, balances, invoices, payments, payouts and
 * exceptions. Two app processes on one database cannot share PGlite, so this runs on PostgreSQL
 * (TEST_DATABASE_URL), as CI's second run does.
 */

const base = process.env.TEST_DATABASE_URL;
if (!base) console.log("stripe-chaos: skipped on embedded PGlite (two processes cannot share it); CI's PostgreSQL run has it.");
const APP_PORT = 3235;
const PARALLEL = 8;

// A seeded generator, so a failure can be replayed.
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

function databaseUrl(name: string) {
  const url = new URL(base!);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(run: (sql: postgres.Sql) => Promise<T>) {
  const sql = postgres(base!, { max: 1, onnotice: () => {} });
  try {
    return await run(sql);
  } finally {
    await sql.end();
  }
}

const stripeEnv = ["STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE"] as const;
const envBefore = Object.fromEntries(stripeEnv.map((key) => [key, process.env[key]]));
const resetEnvCache = () => delete (globalThis as { __settleEnv?: unknown }).__settleEnv;

/** Builds the business and everything Stripe does for it; the events wait in the fake's queue. */
async function buildScenario(fake: FakeStripe, stripe: Stripe, random: () => number) {
  const intents: { id: string; amount: number; card: boolean }[] = [];
  const customers: { id: string; stripeCustomer: string | null }[] = [];
  for (let c = 0; c < 220; c++) {
    const customer = await createCustomer({ name: `Chaos Customer ${c}`, accountNumber: `CH-${1000 + c}` });
    const owed = [];
    for (let i = 0; i < 4; i++) owed.push(await issuedInvoice({ customerId: customer.id, amounts: [5_000 + Math.floor(random() * 200) * 100] }));
    // Two or three payments, each for one or two invoices, some in part.
    let next = 0;
    const payments = 2 + Math.floor(random() * 2);
    for (let p = 0; p < payments && next < owed.length; p++) {
      const chosen = owed.slice(next, next + 1 + Math.floor(random() * 2));
      next += chosen.length;
      const allocations = chosen.map((invoice) => ({ invoiceId: invoice.id, amountMinor: random() < 0.2 ? Math.floor(invoice.totalMinor / 2) : invoice.totalMinor }));
      const attempt = await startAttempt({ customerId: customer.id, allocations, idempotencyKey: `chaos-${c}-${p}` });
      const bank = random() < 0.1;
      await stripe.paymentIntents.confirm(attempt.processorIntentId!, { payment_method: bank ? "pm_usBankAccount_success" : "pm_card_visa" });
      if (bank) fake.settle(attempt.processorIntentId!);
      intents.push({ id: attempt.processorIntentId!, amount: attempt.amountMinor, card: !bank });
    }
    customers.push({ id: customer.id, stripeCustomer: null });
    // A day passes now and then, and Stripe pays out what the account holds.
    if (c % 30 === 29) {
      fake.advanceTime(86_400);
      fake.payout({ currency: "usd", fail: c === 59 });
    }
  }
  const cards = intents.filter((i) => i.card);
  const shuffled = [...cards].sort(() => random() - 0.5);
  const refunded = shuffled.slice(0, 60);
  const disputed = shuffled.slice(60, 90);
  for (const [index, intent] of refunded.entries()) {
    fake.refund(intent.id, { amount: Math.max(100, Math.floor(intent.amount * (0.1 + random() * 0.4))) });
    if (index % 3 === 0) fake.refund(intent.id, { amount: 100 + Math.floor(random() * 10) * 100 });
    if (index % 10 === 0) {
      fake.holdNextRefunds(1);
      const held = await stripe.refunds.create({ payment_intent: intent.id, amount: 50 });
      fake.finishRefund(held.id, index % 20 === 0 ? "failed" : "succeeded");
    }
  }
  fake.advanceTime(86_400);
  fake.payout({ currency: "usd" });
  for (const [index, intent] of disputed.entries()) {
    const dispute = fake.dispute(intent.id, { amount: index % 4 === 0 ? Math.floor(intent.amount / 2) : intent.amount });
    if (index % 2 === 0) fake.closeDispute(dispute.id, "won");
    else if (index % 3 === 0) fake.closeDispute(dispute.id, "lost");
  }
  // Money Settle did not ask for: from nobody it knows, and from a known Stripe customer.
  for (let i = 0; i < 4; i++) fake.chargeDirect({ amount: 1_000 * (i + 1), currency: "usd" });
  fake.refund(fake.chargeDirect({ amount: 7_777, currency: "usd" }).id, { amount: 777 });
  fake.advanceTime(86_400);
  fake.payout({ currency: "usd" });
  return { intents, customers };
}

/** The books, with every row named by what is the same in both databases (no generated ids). */
async function books(connection: Connection, invoiceNumbers: Map<string, string>) {
  const q = async <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) => rowsOf<T>(await connection.db.execute(query));
  const invoiceKey = new Map(invoiceNumbers);
  for (const row of await q<{ id: string; description: string }>(sql`select i.id, l.description from invoices i join invoice_lines l on l.invoice_id = i.id and l.position = 0`)) {
    if (!invoiceKey.has(row.id)) invoiceKey.set(row.id, `new:${row.description}`);
  }
  const key = (id: unknown) => (id ? (invoiceKey.get(String(id)) ?? `?${id}`) : "-");
  const entries = new Map<string, { head: string; lines: string[] }>();
  for (const row of await q<{ entry_id: string; type: string; account_number: string; effective_date: string; account: string; invoice_id: string | null; amount_minor: string }>(sql`
    select e.id as entry_id, e.type, c.account_number, e.effective_date::text, l.account, l.invoice_id, l.amount_minor
    from journal_entries e join journal_lines l on l.entry_id = e.id join customers c on c.id = e.customer_id`)) {
    const entry = entries.get(row.entry_id) ?? { head: `${row.type}|${row.account_number}|${row.effective_date}`, lines: [] };
    entry.lines.push(`${row.account}:${key(row.invoice_id)}:${row.amount_minor}`);
    entries.set(row.entry_id, entry);
  }
  const journal = [...entries.values()].map((e) => `${e.head}|${e.lines.sort().join(",")}`).sort();
  const list = async (query: ReturnType<typeof sql>) => (await q(query)).map((r) => Object.values(r).map(String).join("|")).sort();
  return {
    journal,
    balances: await list(sql`select c.account_number, b.currency, b.receivable_minor, b.unapplied_minor, b.balance_minor from customer_balances b join customers c on c.id = b.customer_id`),
    invoices: (await q<{ id: string; status: string; paid_minor: string; credited_minor: string; open_minor: string }>(sql`select id, status, paid_minor, credited_minor, open_minor from invoices`)).map((r) => `${key(r.id)}|${r.status}|${r.paid_minor}|${r.credited_minor}|${r.open_minor}`).sort(),
    payments: await list(sql`select p.reference, p.amount_minor, p.allocated_minor, p.refunded_minor, p.charged_back_minor, p.status, p.processor_fee_minor, o.processor_payout_id from payments p left join payouts o on o.id = p.payout_id`),
    refunds: await list(sql`select reference, amount_minor, status, refunded_on from refunds`),
    chargebacks: await list(sql`select processor_dispute_id, status, amount_minor, fee_minor, withdrawn_on, reinstated_on from chargebacks`),
    payouts: await list(sql`select processor_payout_id, status, amount_minor, payments_minor, refunds_minor, fees_minor, chargebacks_minor, other_minor, item_count, reconciliation from payouts`),
    exceptions: await list(sql`select kind, source_key, status, amount_minor, currency from reconciliation_exceptions`),
  };
}

/** Applies what is still waiting, as the retry job would, until nothing is left. */
async function drain(connection: Connection) {
  for (let round = 0; round < 20; round++) {
    const done = await retryDueEvents(connection.db, new Date(Date.now() + 7 * 86_400_000));
    if (done === 0) break;
  }
  return rowsOf<{ id: string; type: string; last_error: string | null; attempts: number }>(
    await connection.db.execute(sql`select id, type, last_error, attempts from processor_events where processed_at is null`),
  );
}

function startApp(url: string, fake: FakeStripe): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "development",
      DATABASE_URL: url,
      PORT: String(APP_PORT),
      HOST: "127.0.0.1",
      APP_URL: `http://localhost:${APP_PORT}`,
      SEED_ON_EMPTY: "false",
      RUN_WORKER: "true",
      LOG_REQUESTS: "false",
      STRIPE_SECRET_KEY: fake.keys.secretKey,
      STRIPE_PUBLISHABLE_KEY: fake.keys.publishableKey,
      STRIPE_WEBHOOK_SECRET: fake.keys.webhookSecret,
      STRIPE_API_BASE: fake.baseUrl,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    const text = chunk.toString();
    if (!/ExperimentalWarning|DeprecationWarning|--trace-/.test(text)) process.stderr.write(`[chaos app] ${text}`);
  });
  return child;
}

async function waitForHealth(deadline = Date.now() + 120_000) {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${APP_PORT}/healthz`)).ok) return;
    } catch {
      // Not up yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("The chaos app did not start within two minutes");
}

describe.skipIf(!base)("Stripe events under chaos (PostgreSQL)", () => {
  const names = base ? { reference: `${new URL(base).pathname.slice(1)}_chaos_ref`, chaos: `${new URL(base).pathname.slice(1)}_chaos_run` } : null;
  let app: ChildProcess | null = null;

  afterAll(async () => {
    app?.kill("SIGKILL");
    for (const key of stripeEnv) {
      if (envBefore[key] === undefined) delete process.env[key];
      else process.env[key] = envBefore[key];
    }
    resetEnvCache();
  });

  it(
    "leaves the same books as delivering each event once, in order",
    async () => {
      const shared = getConnection();
      const fake = await startFakeStripe({ webhooks: "queue", chargeEvents: true });
      Object.assign(process.env, { STRIPE_SECRET_KEY: fake.keys.secretKey, STRIPE_PUBLISHABLE_KEY: fake.keys.publishableKey, STRIPE_WEBHOOK_SECRET: fake.keys.webhookSecret, STRIPE_API_BASE: fake.baseUrl });
      resetEnvCache();
      const stripe = stripeClient(fake.keys.secretKey, fake.baseUrl);
      await admin(async (sql) => {
        await sql.unsafe(`drop database if exists "${names!.reference}" with (force)`);
        await sql.unsafe(`drop database if exists "${names!.chaos}" with (force)`);
        await sql.unsafe(`create database "${names!.reference}"`);
      });
      let reference = connect({ databaseUrl: databaseUrl(names!.reference), poolSize: 4 });
      let chaos: Connection | null = null;
      try {
        await migrate(reference);
        setConnection(reference);
        await buildScenario(fake, stripe, prng(20261123));
        const events: FakeEvent[] = fake.queued.splice(0);
        const invoiceNumbers = new Map(rowsOf<{ id: string; number: string }>(await reference.db.execute(sql`select id, number from invoices`)).map((r) => [r.id, r.number]));
        const kinds = new Set(events.map((e) => e.type));
        console.log(`chaos: ${events.length} events of ${kinds.size} types (${[...kinds].sort().join(", ")})`);
        expect(events.length).toBeGreaterThan(2_000);
        for (const type of ["payment_intent.succeeded", "charge.refunded", "refund.failed", "charge.dispute.funds_withdrawn", "charge.dispute.funds_reinstated", "charge.dispute.closed", "payout.paid", "payout.failed", "payment_intent.processing"]) expect(kinds).toContain(type);

        // The same starting books for both runs.
        await reference.close();
        await admin((sql) => sql.unsafe(`create database "${names!.chaos}" template "${names!.reference}"`));
        reference = connect({ databaseUrl: databaseUrl(names!.reference), poolSize: 4 });
        chaos = connect({ databaseUrl: databaseUrl(names!.chaos), poolSize: 4 });

        // Reference: each event once, in the order Stripe sent them, through the same handler.
        setConnection(reference);
        const startedReference = Date.now();
        for (const event of events) {
          const body = JSON.stringify(event);
          const answer = await receiveStripeWebhook(body, fake.sign(body), reference.db);
          expect(answer.status).toBe(200);
        }
        expect(await drain(reference)).toEqual([]);
        console.log(`chaos: reference run took ${((Date.now() - startedReference) / 1000).toFixed(1)} s`);

        // Chaos: every event twice, shuffled, eight at a time, to the app process, killed once midway.
        const random = prng(7);
        const deliveries = events.flatMap((e) => [e, e]).sort(() => random() - 0.5);
        app = startApp(databaseUrl(names!.chaos), fake);
        await waitForHealth();
        const startedChaos = Date.now();
        let next = 0;
        let taken = 0;
        let refused = 0;
        let restarting: Promise<void> | null = null;
        const killAt = Math.floor(deliveries.length * 0.4);
        const deliver = async (event: FakeEvent) => {
          const body = JSON.stringify(event);
          for (;;) {
            if (restarting) await restarting;
            try {
              const response = await fetch(`http://127.0.0.1:${APP_PORT}/webhooks/stripe`, { method: "POST", headers: { "Content-Type": "application/json", "Stripe-Signature": fake.sign(body) }, body, signal: AbortSignal.timeout(60_000) });
              if (response.status === 400) refused++;
              if (response.ok || response.status === 400) return;
            } catch {
              // Down or cut off mid-request: Stripe tries again, and so do we.
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        };
        await Promise.all(
          Array.from({ length: PARALLEL }, async () => {
            while (next < deliveries.length) {
              const index = next++;
              if (index === killAt) {
                const killed = app!;
                restarting = (async () => {
                  killed.kill("SIGKILL");
                  await new Promise((resolve) => killed.once("exit", resolve));
                  app = startApp(databaseUrl(names!.chaos), fake);
                  await waitForHealth();
                })();
                console.log(`chaos: app killed with SIGKILL after ${killAt} of ${deliveries.length} deliveries`);
                await restarting;
                restarting = null;
              }
              await deliver(deliveries[index]!);
              taken++;
            }
          }),
        );
        expect(refused).toBe(0);
        expect(taken).toBe(deliveries.length);
        const stopping = app as ChildProcess;
        stopping.kill("SIGTERM");
        await new Promise((resolve) => stopping.once("exit", resolve));
        app = null;
        console.log(`chaos: ${deliveries.length} deliveries (${PARALLEL} in parallel, one kill) took ${((Date.now() - startedChaos) / 1000).toFixed(1)} s`);
        // What the killed process left half-done, the retry job finishes (run here, to the end).
        expect(await drain(chaos)).toEqual([]);
        const stored = rowsOf<{ n: string }>(await chaos.db.execute(sql`select count(*) as n from processor_events`))[0]!.n;
        expect(Number(stored)).toBe(new Set(events.map((e) => e.id)).size);

        const expected = await books(reference, invoiceNumbers);
        const actual = await books(chaos, invoiceNumbers);
        console.log(`chaos: ${expected.journal.length} journal entries, ${expected.payments.length} payments, ${expected.refunds.length} refunds, ${expected.chargebacks.length} chargebacks, ${expected.payouts.length} payouts, ${expected.exceptions.length} exceptions`);
        for (const part of Object.keys(expected) as (keyof typeof expected)[]) expect(actual[part], part).toEqual(expected[part]);
        // And the books are right, not only equal: every payout of Settle's payments adds up; the one
        // holding Dashboard charges does not, and waits as an exception with the money from nobody.
        const states = rowsOf<{ status: string; reconciliation: string; n: string }>(await chaos.db.execute(sql`select status, reconciliation, count(*) as n from payouts group by 1, 2 order by 1, 2`));
        expect(states.map((r) => `${r.status}:${r.reconciliation}:${r.n}`).sort()).toEqual(["failed:pending:1", `paid:balanced:${expected.payouts.length - 2}`, "paid:mismatch:1"]);
        const queued = rowsOf<{ kind: string }>(await chaos.db.execute(sql`select kind from reconciliation_exceptions`)).map((r) => r.kind).sort();
        expect(queued).toEqual(["payout_mismatch", "unknown_customer", "unknown_customer", "unknown_customer", "unknown_customer", "unknown_customer", "unknown_refund"]);
        const duplicates = rowsOf<{ reference: string }>(await chaos.db.execute(sql`select reference from payments group by reference having count(*) > 1`));
        expect(duplicates).toEqual([]);
        setConnection(chaos);
        expect(await ledgerViolations()).toEqual([]);
      } finally {
        setConnection(shared);
        await reference.close().catch(() => {});
        await chaos?.close().catch(() => {});
        await fake.close();
        await admin(async (sql) => {
          await sql.unsafe(`drop database if exists "${names!.reference}" with (force)`);
          await sql.unsafe(`drop database if exists "${names!.chaos}" with (force)`);
        });
      }
    },
    20 * 60_000,
  );
});
