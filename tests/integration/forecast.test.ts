import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { cashForecastSnapshots, invoiceLines } from "~db/schema";
import { recordPromise, settlePromise } from "~/collections/promises.server";
import { openDispute } from "~/disputes/disputes.server";
import { recordPayment, reversePayment } from "~/ledger/payments.server";
import { proposePlan } from "~/plans/plans.server";
import { paymentBehaviour, refreshPaymentStats } from "~/reports/behaviour.server";
import { mondayOf, weigh } from "~/reports/forecast";
import { cashForecast, forecastAccuracy, snapshotForecast } from "~/reports/forecast.server";
import { addDays, today } from "~/utils/dates";
import { createContact, createCustomer, createStaff, issuedInvoice, staffActor } from "./factories";

const system = { type: "system" as const, label: "test" };

// Every date is counted from today (T) or from the Monday that starts this week (W0), because the
// plan and promise functions refuse past dates: d(-30) is 30 days ago, w(9) the Tuesday of next week.
const T = today();
const W0 = mondayOf(T);
const d = (days: number) => addDays(T, days);
const w = (days: number) => addDays(W0, days);

let keys = 0;
async function pay(customerId: string, amountMinor: number, receivedOn: string, invoiceId?: string, method: "wire" | "check" = "wire") {
  return recordPayment(
    { customerId, amountMinor, method, receivedOn, idempotencyKey: `forecast-${++keys}`, allocations: invoiceId ? [{ invoiceId, amountMinor }] : undefined },
    system,
  );
}
const invoice = (customerId: string, amount: number, issueDate: string, dueDate: string) => issuedInvoice({ customerId, amounts: [amount], issueDate, dueDate });

describe("the cash forecast and payment behaviour on a ledger built by hand", () => {
  it("matches the hand computation week by week, with each customer's behaviour and grade", async () => {
    const clerk = await createStaff({ role: "clerk" });

    // Prompt pays early: $1,000.00 three days early (27 days after issue) and $3,000.00 on its due
    // date (30 days), after a check for it bounced. Amount-weighted: (1,000 × 27 + 3,000 × 30) ÷
    // 4,000 = 29.25 days to pay; (1,000 × −3 + 3,000 × 0) ÷ 4,000 = −0.75 days late; all on time.
    const prompt = await createCustomer({ name: "Prompt Payers" });
    const p1 = await invoice(prompt.id, 100_000, d(-100), d(-70));
    const p2 = await invoice(prompt.id, 300_000, d(-60), d(-30));
    const p3 = await invoice(prompt.id, 200_000, d(-10), w(16));
    await pay(prompt.id, 100_000, d(-73), p1.id);
    const bounced = await pay(prompt.id, 300_000, d(-33), p2.id, "check");
    await reversePayment({ paymentId: bounced.id, reason: "Returned unpaid", reversedOn: d(-31) }, system);
    await pay(prompt.id, 300_000, d(-30), p2.id);

    // Slow pays late. S1 $4,000.00 40 days late (70 to pay), settled 130 days ago: the prior 90
    // days. S2 $1,000.00 30 late (60). S3 $5,000.00 in two parts, the last 6 days late (36):
    // settled on its latest payment. Weighted: 52 days to pay, 22 days late, 0 % on time; the last
    // 90 days (1,000 × 30 + 5,000 × 6) ÷ 6,000 = 10 days late against 40 before. And a promise
    // made 60 days ago for two days later was broken.
    const slow = await createCustomer({ name: "Slow Supplies" });
    const s1 = await invoice(slow.id, 400_000, d(-200), d(-170));
    const s2 = await invoice(slow.id, 100_000, d(-80), d(-50));
    const s3 = await invoice(slow.id, 500_000, d(-70), d(-40));
    const s4 = await invoice(slow.id, 300_000, w(-43), w(-13));
    await invoice(slow.id, 80_000, d(-5), w(30));
    await invoice(slow.id, 100_000, d(-5), w(80));
    const promise = await recordPromise({ customerId: slow.id, amountMinor: 50_000, promisedOn: d(-58), now: new Date(`${d(-60)}T12:00:00Z`) }, staffActor(clerk));
    expect(await settlePromise(promise, d(-57), system, getDb())).toBe("broken");
    await pay(slow.id, 400_000, d(-130), s1.id);
    await pay(slow.id, 100_000, d(-20), s2.id);
    await pay(slow.id, 200_000, d(-45), s3.id);
    await pay(slow.id, 300_000, d(-34), s3.id);
    expect(s4.dueDate).toBe(w(-13));

    // Planned has no history: $6,000.00 in a plan of three weekly $2,000.00 instalments from next
    // Monday, $500.00 due this week, and $1,000.00 of which $400.00 is disputed.
    const planned = await createCustomer({ name: "Planned Parts" });
    const contact = await createContact({ customerId: planned.id });
    const q1 = await invoice(planned.id, 600_000, d(-40), d(-10));
    await invoice(planned.id, 50_000, d(-5), w(3));
    const q3 = await invoice(planned.id, 100_000, d(-5), w(10));
    const [q3Line] = await getDb().select().from(invoiceLines).where(eq(invoiceLines.invoiceId, q3.id));
    await openDispute({ customerId: planned.id, invoiceLineId: q3Line!.id, amountMinor: 40_000, reason: "quantity", message: "Four were missing" }, contact);
    const plan = await proposePlan(
      { customerId: planned.id, invoiceIds: [q1.id], instalmentCount: 3, frequency: "weekly", firstDate: w(7), firstAmountMinor: null, autopay: false, message: null, idempotencyKey: "forecast-plan" },
      staffActor(clerk),
    );
    expect(plan.status).toBe("active");

    // Promiser owes $2,000.00 overdue and $1,500.00 due in three weeks, and promised $2,500.00 for
    // next week: the promise covers the oldest first, all of the $2,000.00 and $500.00 of the rest.
    const promiser = await createCustomer({ name: "Promise Keepers" });
    await invoice(promiser.id, 200_000, d(-50), d(-20));
    await invoice(promiser.id, 150_000, d(-5), w(20));
    await recordPromise({ customerId: promiser.id, amountMinor: 250_000, promisedOn: w(11) }, staffActor(clerk));

    // Another currency stays in its own forecast.
    const euro = await createCustomer({ name: "Euro GmbH", currency: "EUR" });
    await invoice(euro.id, 70_000, d(-5), w(8));

    expect(await refreshPaymentStats({ asOf: T })).toEqual({ customers: 5, grades: { A: 1, B: 0, C: 3, D: 1, E: 0 } });

    expect(await paymentBehaviour(prompt.id)).toMatchObject({
      invoicesPaid: 2,
      avgDaysToPay: 29.25,
      avgDaysLate: -0.75,
      onTimeBps: 10_000,
      recentDaysLate: -0.75,
      priorDaysLate: null,
      trend: null,
      grade: "A",
      reasons: ["Pays 1 day early on average over 2 invoices paid in 12 months", "100% of the amount paid by its due date"],
      collectabilityBps: 10_000,
    });
    expect(await paymentBehaviour(slow.id)).toMatchObject({
      invoicesPaid: 3,
      avgDaysToPay: 52,
      avgDaysLate: 22,
      onTimeBps: 0,
      recentDaysLate: 10,
      priorDaysLate: 40,
      trend: "improving",
      // 20 (22 days late) + 20 (none on time) + 10 (a broken promise) − 5 (paying sooner) = 45: D.
      grade: "D",
      reasons: [
        "Pays 22 days late on average over 3 invoices paid in 12 months (+20)",
        "0% of the amount paid by its due date (+20)",
        "1 promise to pay broken in the last 180 days (+10)",
        "Paying sooner: 10 days late in the last 90 days against 40 days late in the 90 before (−5)",
      ],
      collectabilityBps: 7_500,
    });
    expect(await paymentBehaviour(planned.id)).toMatchObject({
      invoicesPaid: 0,
      avgDaysToPay: null,
      grade: "C",
      reasons: ["No invoices paid in the last 12 months: too little history, counted as average (+25)"],
    });

    // By hand, per week (W0 is this week's Monday):
    // - Prompt (A, 100 %, −0.75 → −1 day): $2,000.00 due W0+16, expected W0+15: week 2.
    // - Slow (D, 75 %, +22 days): $3,000.00 due W0−13 → W0+9, week 1: $2,250.00 ($750.00 not
    //   expected); $800.00 due W0+30 → W0+52, week 7: $600.00 ($200.00); $1,000.00 due W0+80 →
    //   W0+102, beyond the 13 weeks: $750.00 ($250.00).
    // - Planned (C, 90 %, no history: on the due date): the plan's $2,000.00 instalments in weeks
    //   1, 2 and 3; $500.00 due W0+3 → week 0: $450.00 ($50.00); $1,000.00 less $400.00
    //   disputed due W0+10 → week 1: $540.00 ($60.00). The planned invoice is not counted again.
    // - Promiser (C): the $2,500.00 promise in week 1; what it does not cover, $1,000.00 due
    //   W0+20 → week 2: $900.00 ($100.00).
    expect(weigh(300_000, 7_500)).toBe(225_000);
    const forecast = await cashForecast({ asOf: T, currency: "USD" });
    const week = (n: number) => ({ weekStart: w(7 * n), weekEnd: w(7 * n + 6) });
    const zero = { invoicesMinor: 0, instalmentsMinor: 0, promisesMinor: 0, expectedMinor: 0 };
    expect(forecast.weeks).toEqual([
      { ...week(0), invoicesMinor: 45_000, instalmentsMinor: 0, promisesMinor: 0, expectedMinor: 45_000 },
      { ...week(1), invoicesMinor: 225_000 + 54_000, instalmentsMinor: 200_000, promisesMinor: 250_000, expectedMinor: 729_000 },
      { ...week(2), invoicesMinor: 200_000 + 90_000, instalmentsMinor: 200_000, promisesMinor: 0, expectedMinor: 490_000 },
      { ...week(3), ...zero, instalmentsMinor: 200_000, expectedMinor: 200_000 },
      { ...week(4), ...zero },
      { ...week(5), ...zero },
      { ...week(6), ...zero },
      { ...week(7), ...zero, invoicesMinor: 60_000, expectedMinor: 60_000 },
      ...[8, 9, 10, 11, 12].map((n) => ({ ...week(n), ...zero })),
    ]);
    expect(forecast).toMatchObject({
      asOf: T,
      currency: "USD",
      beyond: { invoicesMinor: 75_000, instalmentsMinor: 0, promisesMinor: 0, expectedMinor: 75_000 },
      totalMinor: 1_524_000,
      doubtfulMinor: 75_000 + 20_000 + 25_000 + 5_000 + 6_000 + 10_000,
      disputedMinor: 40_000,
    });

    const euros = await cashForecast({ asOf: T, currency: "EUR" });
    expect(euros.weeks[1]).toMatchObject({ invoicesMinor: 63_000, expectedMinor: 63_000 });
    expect(euros).toMatchObject({ totalMinor: 63_000, doubtfulMinor: 7_000, disputedMinor: 0 });

    // Half the Slow invoice paid today: the rest is expected, weighed again; nothing counted twice.
    await pay(slow.id, 150_000, T, s4.id);
    const after = await cashForecast({ asOf: T, currency: "USD" });
    expect(after.weeks[1]).toMatchObject({ invoicesMinor: 112_500 + 54_000, expectedMinor: 729_000 - 112_500 });
  });

  it("compares each past week's forecast with what was collected, per currency", async () => {
    // X owes $1,000.00 due W0−12 and $500.00 due W0−5; Y owes €800.00 due W0−12. No history: C, 90 %.
    const x = await createCustomer({ name: "Xylo Ltd" });
    const y = await createCustomer({ name: "Ypsilon SA", currency: "EUR" });
    const x1 = await invoice(x.id, 100_000, w(-30), w(-12));
    const x2 = await invoice(x.id, 50_000, w(-30), w(-5));
    const y1 = await invoice(y.id, 80_000, w(-30), w(-12));
    await refreshPaymentStats({ asOf: w(-14) });

    // Two Mondays ago the forecast expected $900.00 that week and $450.00 the next.
    expect(await snapshotForecast(w(-14))).toEqual({ madeOn: w(-14), currencies: ["EUR", "USD"], rows: 26 });
    const made = await getDb().select().from(cashForecastSnapshots).where(eq(cashForecastSnapshots.madeOn, w(-14)));
    expect(made.filter((r) => r.expectedMinor !== 0).map((r) => [r.currency, r.weekStart, r.expectedMinor]).sort()).toEqual([
      ["EUR", w(-14), 72_000],
      ["USD", w(-14), 90_000],
      ["USD", w(-7), 45_000],
    ]);

    // That week: $1,000.00 for X1, a $250.00 check, $200.00 towards X2.
    await pay(x.id, 100_000, w(-11), x1.id);
    const check = await pay(x.id, 25_000, w(-10), undefined, "check");
    await pay(x.id, 20_000, w(-8), x2.id);
    await pay(y.id, 80_000, w(-9), y1.id);
    // Last Monday's forecast (made twice: the same rows) expected the $300.00 left on X2, at 90 %.
    await snapshotForecast(w(-7));
    expect(await snapshotForecast(w(-7))).toMatchObject({ rows: 26 });
    expect(await getDb().select().from(cashForecastSnapshots)).toHaveLength(52);
    // Last week: the check bounced, and X2's rest came in.
    await reversePayment({ paymentId: check.id, reason: "Returned unpaid", reversedOn: w(-6) }, system);
    await pay(x.id, 30_000, w(-4), x2.id);

    const usd = await forecastAccuracy({ asOf: T, currency: "USD" });
    const none = (n: number) => ({ weekStart: w(-7 * n), weekEnd: w(-7 * n + 6), expectedMinor: null, forecastMadeOn: null, collectedMinor: 0, differenceMinor: null });
    expect(usd.weeks).toEqual([
      ...[8, 7, 6, 5, 4, 3].map(none),
      { weekStart: w(-14), weekEnd: w(-8), expectedMinor: 90_000, forecastMadeOn: w(-14), collectedMinor: 100_000 + 25_000 + 20_000, differenceMinor: 55_000 },
      { weekStart: w(-7), weekEnd: w(-1), expectedMinor: 27_000, forecastMadeOn: w(-7), collectedMinor: 30_000 - 25_000, differenceMinor: -22_000 },
    ]);
    // 1 − (55,000 + 22,000) ÷ (90,000 + 27,000) = 34.19 %.
    expect(usd.accuracyBps).toBe(3_419);

    const eur = await forecastAccuracy({ asOf: T, currency: "EUR", weeks: 2 });
    expect(eur.weeks).toEqual([
      { weekStart: w(-14), weekEnd: w(-8), expectedMinor: 72_000, forecastMadeOn: w(-14), collectedMinor: 80_000, differenceMinor: 8_000 },
      // Y1 was paid by then: last Monday's forecast expected nothing of it.
      { weekStart: w(-7), weekEnd: w(-1), expectedMinor: 0, forecastMadeOn: w(-7), collectedMinor: 0, differenceMinor: 0 },
    ]);
  });
});
