/**
 * Random sequences of ledger operations, some run concurrently, some replayed with the same
 * keys. After every step the books must hold (ledgerViolations), a refused operation must change
 * nothing, and a replay must change nothing. On TEST_DATABASE_URL the concurrent steps really
 * run in parallel transactions on PostgreSQL.
 */
import fc from "fast-check";
import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { allocations, creditNotes, invoiceLines, invoices, payments } from "~db/schema";
import { applyCreditNote, issueCreditNote, voidCreditNote } from "~/ledger/credit-notes.server";
import { createIssuedInvoice, voidInvoice } from "~/ledger/invoices.server";
import { allocatePayment, recordPayment, refund, reversePayment, unapplyAllocation } from "~/ledger/payments.server";
import { requestWriteOff } from "~/ledger/write-offs.server";
import { addDays } from "~/utils/dates";
import { DomainError } from "~/utils/errors";
import { createCustomer, createStaff } from "./factories";
import { ledgerFingerprint, ledgerViolations } from "./ledger-invariants";

const BASE = "2026-03-01";
const pick = <T,>(list: T[], n: number) => (list.length === 0 ? undefined : list[n % list.length]);

type World = { customers: string[]; actor: { type: "staff"; id: string; label: string; role: "admin" | "clerk" } };
/** `bind` picks the targets from the books as they are now; the call it returns can be replayed exactly. */
type Call = (key: string) => Promise<unknown>;
type Op = { label: string; keyed: boolean; bind: (world: World) => Promise<Call | undefined> };

async function ids<T extends { id: string }>(rows: Promise<T[]>) {
  return (await rows).map((r) => r.id);
}
const db = () => getDb();
const openInvoiceIds = () => ids(db().select({ id: invoices.id }).from(invoices).where(eq(invoices.status, "open")).orderBy(asc(invoices.createdAt), asc(invoices.id)));
const issuedInvoiceIds = () => ids(db().select({ id: invoices.id }).from(invoices).orderBy(asc(invoices.createdAt), asc(invoices.id)));
const paymentIds = () => ids(db().select({ id: payments.id }).from(payments).orderBy(asc(payments.createdAt), asc(payments.id)));
const creditIds = () => ids(db().select({ id: creditNotes.id }).from(creditNotes).orderBy(asc(creditNotes.createdAt), asc(creditNotes.id)));
const allocationIds = () => ids(db().select({ id: allocations.id }).from(allocations).orderBy(asc(allocations.createdAt), asc(allocations.id)));

const small = fc.integer({ min: 1, max: 50_000 });
const index = fc.nat(1000);
const fraction = fc.integer({ min: 1, max: 100 });
const day = fc.integer({ min: 0, max: 40 });

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ c: index, amounts: fc.array(small, { minLength: 1, maxLength: 3 }), d: day, tax: fc.constantFrom(0, 500, 825) }).map(({ c, amounts, d, tax }) => ({
    label: `issue ${amounts.join("+")}`,
    keyed: false,
    bind: async (w: World) => () =>
      createIssuedInvoice(
        { customerId: pick(w.customers, c)!, issueDate: addDays(BASE, d), lines: amounts.map((a, i) => ({ description: `L${i}`, quantityMilli: 1000 + i * 500, unitPriceMinor: a, taxRateBps: tax })) },
        w.actor,
      ),
  })),
  fc.record({ c: index, amount: small, d: day, mode: fc.constantFrom("auto", "explicit", "none"), i: index, f: fraction }).map(({ c, amount, d, mode, i, f }) => ({
    label: `pay ${amount} ${mode}`,
    keyed: true,
    bind: async (w: World) => {
      const customerId = pick(w.customers, c)!;
      const open = await db().select().from(invoices).where(eq(invoices.customerId, customerId));
      const target = pick(open.filter((x) => x.status === "open"), i);
      const allocationsArg = mode === "auto" ? ("auto" as const) : mode === "explicit" && target ? [{ invoiceId: target.id, amountMinor: Math.max(1, Math.floor((target.openMinor * f) / 100)) }] : undefined;
      return (key: string) => recordPayment({ customerId, amountMinor: amount, method: "check", receivedOn: addDays(BASE, d), idempotencyKey: key, allocations: allocationsArg }, w.actor);
    },
  })),
  fc.record({ p: index, i: index, f: fraction, auto: fc.boolean() }).map(({ p, i, f, auto }) => ({
    label: `allocate ${auto ? "auto" : f + "%"}`,
    keyed: true,
    bind: async (w: World) => {
      const paymentId = pick(await paymentIds(), p);
      if (!paymentId) return;
      const [payment] = await db().select().from(payments).where(eq(payments.id, paymentId));
      const target = pick((await db().select().from(invoices).where(eq(invoices.customerId, payment!.customerId))).filter((x) => x.status === "open"), i);
      const request = auto || !target ? ("auto" as const) : [{ invoiceId: target.id, amountMinor: Math.max(1, Math.floor((target.openMinor * f) / 100)) }];
      return (key: string) => allocatePayment({ paymentId, allocations: request, requestKey: key, appliedOn: addDays(BASE, 30) }, w.actor);
    },
  })),
  index.map((a) => ({
    label: "unapply",
    keyed: false,
    bind: async (w: World) => {
      const id = pick(await allocationIds(), a);
      if (id) return () => unapplyAllocation({ allocationId: id, reason: "test" }, w.actor);
    },
  })),
  fc.record({ i: index, whole: fc.boolean(), f: fraction }).map(({ i, whole, f }) => ({
    label: `credit invoice ${whole ? "whole" : f + "% of a line"}`,
    keyed: true,
    bind: async (w: World) => {
      const invoiceId = pick(await issuedInvoiceIds(), i);
      if (!invoiceId) return;
      const [invoice] = await db().select().from(invoices).where(eq(invoices.id, invoiceId));
      const [line] = await db().select().from(invoiceLines).where(eq(invoiceLines.invoiceId, invoiceId)).orderBy(asc(invoiceLines.position));
      return (key: string) => issueCreditNote(
        whole
          ? { customerId: invoice!.customerId, invoiceId, wholeInvoice: true, reason: "test", idempotencyKey: key }
          : { customerId: invoice!.customerId, invoiceId, lines: [{ invoiceLineId: line!.id, amountMinor: Math.max(1, Math.floor((line!.totalMinor * f) / 100)) }], reason: "test", idempotencyKey: key },
        w.actor,
      );
    },
  })),
  fc.record({ c: index, amount: small }).map(({ c, amount }) => ({
    label: `account credit ${amount}`,
    keyed: true,
    bind: async (w: World) => (key: string) => issueCreditNote({ customerId: pick(w.customers, c)!, lines: [{ description: "Goodwill", amountMinor: amount }], reason: "test", idempotencyKey: key }, w.actor),
  })),
  index.map((n) => ({
    label: "apply credit",
    keyed: true,
    bind: async (w: World) => {
      const id = pick(await creditIds(), n);
      if (id) return (key: string) => applyCreditNote({ creditNoteId: id, allocations: "auto", requestKey: key }, w.actor);
    },
  })),
  fc.record({ p: index, f: fraction }).map(({ p, f }) => ({
    label: `refund ${f}%`,
    keyed: true,
    bind: async (w: World) => {
      const id = pick(await paymentIds(), p);
      if (!id) return;
      const [payment] = await db().select().from(payments).where(eq(payments.id, id));
      const available = payment!.amountMinor - payment!.allocatedMinor - payment!.refundedMinor;
      return (key: string) => refund({ source: { paymentId: id }, amountMinor: Math.max(1, Math.floor((available * f) / 100)), method: "check", reason: "test", idempotencyKey: key }, w.actor);
    },
  })),
  index.map((p) => ({
    label: "reverse payment",
    keyed: true,
    bind: async (w: World) => {
      const id = pick(await paymentIds(), p);
      if (id) return () => reversePayment({ paymentId: id, reason: "bounced", reversedOn: addDays(BASE, 35) }, w.actor);
    },
  })),
  index.map((i) => ({
    label: "void invoice",
    keyed: true,
    bind: async (w: World) => {
      const id = pick(await openInvoiceIds(), i);
      if (id) return () => voidInvoice({ invoiceId: id, reason: "test" }, w.actor);
    },
  })),
  fc.record({ i: index, f: fraction }).map(({ i, f }) => ({
    label: `write off ${f}%`,
    keyed: false,
    bind: async (w: World) => {
      const id = pick(await openInvoiceIds(), i);
      if (!id) return;
      const [invoice] = await db().select().from(invoices).where(eq(invoices.id, id));
      return () => requestWriteOff({ invoiceId: id, amountMinor: Math.max(1, Math.floor((invoice!.openMinor * f) / 100)), reason: "test" }, w.actor);
    },
  })),
  index.map((n) => ({
    label: "void credit",
    keyed: true,
    bind: async (w: World) => {
      const id = pick(await creditIds(), n);
      if (id) return () => voidCreditNote({ creditNoteId: id, reason: "test" }, w.actor);
    },
  })),
);

type Step = { kind: "one"; op: Op } | { kind: "replay"; back: number } | { kind: "parallel"; ops: Op[] };
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: opArb.map((op) => ({ kind: "one" as const, op })) },
  { weight: 1, arbitrary: fc.nat(20).map((back) => ({ kind: "replay" as const, back })) },
  { weight: 2, arbitrary: fc.array(opArb, { minLength: 2, maxLength: 4 }).map((ops) => ({ kind: "parallel" as const, ops })) },
);

const isRefusal = (error: unknown) => error instanceof DomainError;

async function runSequence(steps: Step[]) {
  const { truncateAll } = await import("../setup/database");
  await truncateAll();
  const admin = await createStaff({ role: "admin" });
  const world: World = {
    customers: [
      (await createCustomer()).id,
      (await createCustomer({ earlyDiscountBps: 200, earlyDiscountDays: 10, paymentTermsDays: 30 })).id,
      (await createCustomer({ currency: "JPY" })).id,
    ],
    actor: { type: "staff", id: admin.id, label: admin.email, role: "admin" },
  };
  const done: { op: Op; call: Call; key: string }[] = [];
  let n = 0;
  for (const step of steps) {
    if (step.kind === "one") {
      const key = `k${++n}`;
      const before = await ledgerFingerprint();
      const call = await step.op.bind(world);
      if (!call) continue;
      try {
        await call(key);
        if (step.op.keyed) done.push({ op: step.op, call, key });
      } catch (error) {
        if (!isRefusal(error)) throw error;
        expect(await ledgerFingerprint(), `refused "${step.op.label}" changed the books`).toBe(before);
      }
    } else if (step.kind === "replay") {
      const again = done[done.length - 1 - (step.back % Math.max(done.length, 1))];
      if (!again) continue;
      const before = await ledgerFingerprint();
      await again.call(again.key).catch((error) => {
        if (!isRefusal(error)) throw error;
      });
      expect(await ledgerFingerprint(), `replaying "${again.op.label}" changed the books`).toBe(before);
    } else {
      // Concurrent operations may refuse each other (a lock lost, a check that now fails); the books must hold either way.
      const calls = await Promise.all(step.ops.map((op) => op.bind(world)));
      const results = await Promise.allSettled(calls.map((call) => (call ? call(`k${++n}`) : Promise.resolve())));
      for (const result of results) {
        if (result.status === "rejected" && !isRefusal(result.reason) && !isConcurrencyRefusal(result.reason)) throw result.reason;
      }
    }
    const violations = await ledgerViolations();
    expect(violations, `after ${step.kind === "one" ? step.op.label : step.kind}`).toEqual([]);
  }
}

/** What PostgreSQL says when two transactions collide: the database refused, nothing half-done. */
function isConcurrencyRefusal(error: unknown) {
  const code = (error as { code?: string; cause?: { code?: string } })?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  return code === "40P01" || code === "40001" || code === "23505" || code === "23514";
}

describe("ledger invariants under random operations", () => {
  it("hold after every step of random sequences, with replays and concurrent steps", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 8, maxLength: 30 }), async (steps) => {
        await runSequence(steps);
      }),
      { numRuns: Number(process.env.LEDGER_PROPERTY_RUNS ?? 12), endOnFailure: true },
    );
  }, 300_000);

  it("never applies more than is open when many payments race for one invoice", async () => {
    const admin = await createStaff({ role: "admin" });
    const actor = { type: "staff" as const, id: admin.id, label: admin.email, role: "admin" as const };
    const customer = await createCustomer();
    const invoice = await createIssuedInvoice({ customerId: customer.id, lines: [{ description: "A", quantityMilli: 1000, unitPriceMinor: 10_000, taxRateBps: 0 }] }, actor);
    const attempts = Array.from({ length: 12 }, (_, i) =>
      recordPayment({ customerId: customer.id, amountMinor: 3_000, method: "wire", receivedOn: BASE, idempotencyKey: `race-${i}`, allocations: [{ invoiceId: invoice.id, amountMinor: 3_000 }] }, actor),
    );
    const results = await Promise.allSettled(attempts);
    for (const result of results) if (result.status === "rejected") expect(isRefusal(result.reason) || isConcurrencyRefusal(result.reason)).toBe(true);
    const [after] = await getDb().select().from(invoices).where(eq(invoices.id, invoice.id));
    expect(after!.paidMinor).toBe(9_000);
    expect(after!.openMinor).toBe(1_000);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("records one payment when the same key arrives many times at once", async () => {
    const admin = await createStaff({ role: "admin" });
    const actor = { type: "staff" as const, id: admin.id, label: admin.email };
    const customer = await createCustomer();
    await Promise.allSettled(
      Array.from({ length: 8 }, () => recordPayment({ customerId: customer.id, amountMinor: 500, method: "card", receivedOn: BASE, idempotencyKey: "double-click", allocations: "auto" }, actor)),
    );
    expect(await getDb().select().from(payments)).toHaveLength(1);
    expect(await ledgerViolations()).toEqual([]);
  });
});
