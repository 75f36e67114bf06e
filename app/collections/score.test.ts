import { describe, expect, it } from "vitest";
import { formatReason, scoreAccount, type ScoreFacts } from "./score";

const asOf = "2026-06-30";

const account = (facts: Partial<ScoreFacts>): ScoreFacts => ({
  currency: "USD",
  overdueMinor: 0,
  oldestOverdueDays: 0,
  overdueInvoiceCount: 1,
  brokenPromises: 0,
  openPromiseMinor: 0,
  openPromiseOn: null,
  failedPlanPayments: 0,
  openDisputes: 0,
  avgDaysLate: null,
  paidOnTimeShare: null,
  paidInvoiceCount: 0,
  snoozedUntil: null,
  asOf,
  ...facts,
});

/**
 * Hand-made accounts in the order an experienced collector would work them, and why:
 *
 * 1. Northwind: $48,000 across three invoices, the oldest three months late, and two promises
 *    broken this half-year. The most money, the oldest, and a customer whose word failed twice:
 *    call first, today.
 * 2. Fabrikam: $25,000, seven weeks late, two plan instalments failed. The plan that was meant to
 *    settle it is failing; it needs a call before it defaults outright.
 * 3. Old small: $3,000 four months late, no history. Not large, but at 120 days it is close to
 *    going to an agency; it will not get better with age.
 * 4. Chronic late: $8,000 at 40 days from someone who pays five weeks late as a habit. Only a call
 *    moves them.
 * 5. Disputed: $5,000 at 35 days with a dispute open on part of it. Settle the dispute and the rest
 *    follows; below the chronic payer, who has no excuse.
 * 6. Good payer: the same $8,000 at 40 days as (4), but 95% of their invoices were paid on time.
 *    Probably an invoice lost in approvals: a reminder will do, after the chronic one.
 * 7. Promised: $20,000 at 60 days, but they promised the whole amount for next week. Nothing to
 *    do until that day: well down the list despite the size.
 * 8. Small young: $150, five days late. Bottom: the automatic reminders will deal with it.
 * 9. Tiny good payer: $40, three days late, always pays. Below everything.
 */
const ranked: [string, ScoreFacts][] = [
  [
    "Northwind",
    account({ overdueMinor: 4_800_000, oldestOverdueDays: 95, overdueInvoiceCount: 3, brokenPromises: 2, avgDaysLate: 20, paidOnTimeShare: 0.2, paidInvoiceCount: 8 }),
  ],
  ["Fabrikam", account({ overdueMinor: 2_500_000, oldestOverdueDays: 50, failedPlanPayments: 2 })],
  ["Old small", account({ overdueMinor: 300_000, oldestOverdueDays: 120 })],
  ["Chronic late", account({ overdueMinor: 800_000, oldestOverdueDays: 40, overdueInvoiceCount: 2, avgDaysLate: 35, paidOnTimeShare: 0.1, paidInvoiceCount: 10 })],
  ["Disputed", account({ overdueMinor: 500_000, oldestOverdueDays: 35, openDisputes: 1 })],
  ["Good payer", account({ overdueMinor: 800_000, oldestOverdueDays: 40, overdueInvoiceCount: 2, avgDaysLate: 2, paidOnTimeShare: 0.95, paidInvoiceCount: 20 })],
  ["Promised", account({ overdueMinor: 2_000_000, oldestOverdueDays: 60, openPromiseMinor: 2_000_000, openPromiseOn: "2026-07-07" })],
  ["Small young", account({ overdueMinor: 15_000, oldestOverdueDays: 5 })],
  ["Tiny good payer", account({ overdueMinor: 4_000, oldestOverdueDays: 3, avgDaysLate: 0, paidOnTimeShare: 1, paidInvoiceCount: 6 })],
];

describe("the collector's score", () => {
  it("ranks hand-made accounts in the order an experienced collector works them", () => {
    // Shuffled first, so the order comes from the scores, not from the list.
    const shuffled = [...ranked].sort((a, b) => a[0].length - b[0].length || a[0].localeCompare(b[0]));
    const byScore = shuffled.map(([name, facts]) => ({ name, ...scoreAccount(facts) })).sort((a, b) => b.score - a.score);
    expect(byScore.map((a) => a.name)).toEqual(ranked.map(([name]) => name));
    // No ties: each place is earned.
    expect(new Set(byScore.map((a) => a.score)).size).toBe(ranked.length);
  });

  it("explains every score with reasons that add up to it", () => {
    for (const [name, facts] of ranked) {
      const { score, reasons } = scoreAccount(facts);
      expect(reasons.reduce((sum, r) => sum + r.points, 0), name).toBe(score);
      expect(score, name).toBeGreaterThanOrEqual(0);
      expect(score, name).toBeLessThanOrEqual(120);
      expect(reasons[0]!.label, name).toMatch(/ overdue/);
    }
  });

  it("says why in words", () => {
    const text = (name: string) => scoreAccount(ranked.find(([n]) => n === name)![1]).reasons.map(formatReason);
    expect(text("Northwind")).toEqual(["$48,000.00 overdue on 3 invoices (+33)", "oldest 95 days overdue (+29)", "2 broken promises (+20)", "usually pays 20 days late (+6)"]);
    expect(text("Fabrikam")).toEqual(["$25,000.00 overdue (+31)", "50 days overdue (+15)", "2 failed plan payments (+16)"]);
    expect(text("Chronic late")).toEqual(["$8,000.00 overdue on 2 invoices (+26)", "oldest 40 days overdue (+12)", "usually pays 35 days late (+11)"]);
    expect(text("Good payer")).toEqual(["$8,000.00 overdue on 2 invoices (+26)", "oldest 40 days overdue (+12)", "pays on time 95% of the time (−10)"]);
    expect(text("Disputed")).toEqual(["$5,000.00 overdue (+24)", "35 days overdue (+11)", "1 open dispute (+4)"]);
    expect(text("Promised")).toEqual(["$20,000.00 overdue (+30)", "60 days overdue (+18)", "promise of $20,000.00 due 2026-07-07 (−25)"]);
    // What lowers a score stops at zero, and says by how much it really lowered it.
    expect(text("Tiny good payer")).toEqual(["$40.00 overdue (+5)", "3 days overdue (+1)", "pays on time 100% of the time (−6)"]);
  });

  it("lowers the score for a promise in proportion to what it covers", () => {
    const big = { overdueMinor: 4_800_000, oldestOverdueDays: 95 };
    const none = scoreAccount(account(big)).score;
    const part = scoreAccount(account({ ...big, openPromiseMinor: 50_000, openPromiseOn: "2026-07-10" }));
    const half = scoreAccount(account({ ...big, openPromiseMinor: 2_400_000, openPromiseOn: "2026-07-10" }));
    expect(none - part.score).toBe(5);
    expect(part.reasons.at(-1)).toEqual({ label: "promise of $500.00 due 2026-07-10", points: -5 });
    expect(none - half.score).toBe(13);
  });

  it("does not let one paid invoice speak for a customer's habits", () => {
    const once = scoreAccount(account({ overdueMinor: 800_000, oldestOverdueDays: 40, avgDaysLate: 60, paidOnTimeShare: 0, paidInvoiceCount: 1 }));
    expect(once.reasons.map((r) => r.label)).toEqual(["$8,000.00 overdue", "40 days overdue"]);
  });

  it("puts a snoozed account down until the snooze ends", () => {
    const facts = { overdueMinor: 3_000_000, oldestOverdueDays: 70 };
    const awake = scoreAccount(account(facts)).score;
    const snoozed = scoreAccount(account({ ...facts, snoozedUntil: "2026-07-15" }));
    expect(snoozed.score).toBe(awake - 15);
    expect(snoozed.reasons.map(formatReason)).toContain("snoozed until 2026-07-15 (−15)");
    expect(scoreAccount(account({ ...facts, snoozedUntil: asOf })).score).toBe(awake);
  });

  it("caps each kind of reason, and scores nothing overdue as zero", () => {
    const worst = scoreAccount(account({ overdueMinor: 10 ** 12, oldestOverdueDays: 900, overdueInvoiceCount: 40, brokenPromises: 9, failedPlanPayments: 9, openDisputes: 9, avgDaysLate: 300, paidOnTimeShare: 0, paidInvoiceCount: 30 }));
    expect(worst.reasons.map((r) => r.points)).toEqual([40, 30, 30, 24, 12, 15]);
    expect(scoreAccount(account({ overdueMinor: 0, brokenPromises: 3 }))).toEqual({ score: 0, reasons: [] });
  });

  it("lets the risk grade speak for the payment history once the customer is graded", () => {
    const chronic = ranked.find(([name]) => name === "Chronic late")![1];
    const good = ranked.find(([name]) => name === "Good payer")![1];
    const text = (facts: ScoreFacts) => scoreAccount(facts).reasons.map(formatReason);
    expect(text({ ...chronic, riskGrade: "E" })).toEqual(["$8,000.00 overdue on 2 invoices (+26)", "oldest 40 days overdue (+12)", "risk grade E (poor) (+15)"]);
    expect(text({ ...chronic, riskGrade: "D" }).at(-1)).toBe("risk grade D (often late) (+8)");
    expect(text({ ...good, riskGrade: "A" })).toEqual(["$8,000.00 overdue on 2 invoices (+26)", "oldest 40 days overdue (+12)", "risk grade A (pays reliably) (−10)"]);
    expect(text({ ...good, riskGrade: "B" }).at(-1)).toBe("risk grade B (mostly on time) (−5)");
    // A C adds nothing but is still said; the order of the hand-ranked pair holds.
    expect(scoreAccount({ ...good, riskGrade: "C" }).reasons.at(-1)).toEqual({ label: "risk grade C (average)", points: 0 });
    expect(scoreAccount({ ...chronic, riskGrade: "D" }).score).toBeGreaterThan(scoreAccount({ ...good, riskGrade: "A" }).score);
  });

  it("counts an amount by its own currency's units (no exchange rates)", () => {
    const yen = scoreAccount(account({ currency: "JPY", overdueMinor: 1_240_000, oldestOverdueDays: 10 }));
    expect(yen.reasons[0]).toEqual({ label: "¥1,240,000 overdue", points: 40 });
    const dinar = scoreAccount(account({ currency: "KWD", overdueMinor: 12_400_000, oldestOverdueDays: 10 }));
    expect(dinar.reasons[0]!.points).toBe(28);
  });
});
