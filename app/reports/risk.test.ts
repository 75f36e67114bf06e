import { describe, expect, it } from "vitest";
import { assessRisk, collectabilityBps, formatRiskReason, gradeFor, mainReason, parseRiskReason, trendOf, type BehaviourFacts } from "./risk";

const facts = (overrides: Partial<BehaviourFacts>): BehaviourFacts => ({
  invoicesPaid: 12,
  avgDaysToPay: 30,
  avgDaysLate: 0,
  onTimeBps: 10_000,
  recentDaysLate: null,
  priorDaysLate: null,
  brokenPromises: 0,
  defaultedPlans: 0,
  ...overrides,
});

const text = (f: BehaviourFacts) => assessRisk(f).reasons.map(formatRiskReason);

describe("the risk grade", () => {
  it("grades a customer who pays on time A, and says why", () => {
    const risk = assessRisk(facts({ avgDaysLate: -1.2, onTimeBps: 9_650 }));
    expect(risk).toMatchObject({ grade: "A", points: 0 });
    expect(text(facts({ avgDaysLate: -1.2, onTimeBps: 9_650 }))).toEqual(["Pays 1 day early on average over 12 invoices paid in 12 months", "97% of the amount paid by its due date"]);
  });

  it("adds points for lateness and for paying little on time, the weightiest reason first", () => {
    const f = facts({ invoicesPaid: 8, avgDaysLate: 18.4, onTimeBps: 4_000 });
    expect(assessRisk(f)).toMatchObject({ grade: "C", points: 35 });
    expect(text(f)).toEqual(["Pays 18 days late on average over 8 invoices paid in 12 months (+20)", "40% of the amount paid by its due date (+15)"]);
  });

  it("walks the grades from A to E as habits get worse", () => {
    const cases: [Partial<BehaviourFacts>, string][] = [
      [{ avgDaysLate: 1, onTimeBps: 9_500 }, "A"],
      [{ avgDaysLate: 5, onTimeBps: 8_000 }, "B"],
      [{ avgDaysLate: 25, onTimeBps: 5_500 }, "C"],
      [{ avgDaysLate: 45, onTimeBps: 3_000 }, "D"],
      [{ avgDaysLate: 75, onTimeBps: 1_000 }, "E"],
    ];
    for (const [f, grade] of cases) expect(assessRisk(facts(f)).grade, JSON.stringify(f)).toBe(grade);
  });

  it("counts a worsening trend against and an improving one for", () => {
    const worse = facts({ avgDaysLate: 4, onTimeBps: 8_000, recentDaysLate: 12, priorDaysLate: 2 });
    expect(assessRisk(worse)).toMatchObject({ grade: "C", points: 25 });
    expect(text(worse)).toContain("Paying later: 12 days late in the last 90 days against 2 days late in the 90 before (+10)");
    const better = facts({ avgDaysLate: 4, onTimeBps: 8_000, recentDaysLate: -1, priorDaysLate: 9 });
    expect(assessRisk(better)).toMatchObject({ grade: "B", points: 10 + 5 - 5 });
    expect(assessRisk(facts({ avgDaysLate: 4, onTimeBps: 8_000 })).points).toBe(15);
    expect(text(better).at(-1)).toBe("Paying sooner: 1 day early in the last 90 days against 9 days late in the 90 before (−5)");
    // Less than a week's change is noise.
    expect(assessRisk(facts({ recentDaysLate: 6, priorDaysLate: 0 })).reasons).toHaveLength(2);
  });

  it("counts a customer with too little history as average", () => {
    expect(assessRisk(facts({ invoicesPaid: 0, avgDaysLate: null, onTimeBps: null }))).toEqual({
      grade: "C",
      points: 25,
      reasons: [{ label: "no invoices paid in the last 12 months: too little history, counted as average", points: 25 }],
    });
    // One invoice paid very late does not make a habit.
    expect(assessRisk(facts({ invoicesPaid: 1, avgDaysLate: 90, onTimeBps: 0 })).grade).toBe("C");
  });

  it("weighs broken promises and defaulted plans, capped", () => {
    const f = facts({ avgDaysLate: 0, onTimeBps: 9_500, brokenPromises: 2, defaultedPlans: 1 });
    expect(assessRisk(f)).toMatchObject({ grade: "D", points: 45 });
    expect(text(f)).toEqual([
      "1 payment plan defaulted in the last 12 months (+25)",
      "2 promises to pay broken in the last 180 days (+20)",
      "Pays on the due date on average over 12 invoices paid in 12 months",
      "95% of the amount paid by its due date",
    ]);
    expect(assessRisk(facts({ brokenPromises: 9, defaultedPlans: 9 })).points).toBe(80);
  });

  it("has reasons that add up to the points", () => {
    for (const f of [facts({ avgDaysLate: 33, onTimeBps: 2_000, recentDaysLate: 50, priorDaysLate: 20, brokenPromises: 1 }), facts({ invoicesPaid: 1, defaultedPlans: 2 })]) {
      const risk = assessRisk(f);
      expect(risk.reasons.reduce((s, r) => s + r.points, 0)).toBe(risk.points);
      expect(risk.grade).toBe(gradeFor(risk.points));
    }
  });

  it("writes and reads its reasons back", () => {
    for (const reason of [
      { label: "pays 3 days late on average", points: 10 },
      { label: "paying sooner: 1 day early", points: -5 },
      { label: "97% of the amount paid by its due date", points: 0 },
    ]) {
      const back = parseRiskReason(formatRiskReason(reason));
      expect(back.points).toBe(reason.points);
      expect(back.label.toLowerCase()).toBe(reason.label.toLowerCase());
    }
    expect(mainReason(["Pays 40 days late on average (+35)", "x"])).toBe("pays 40 days late on average");
    expect(mainReason([])).toBeNull();
  });

  it("has a trend only with both periods", () => {
    expect(trendOf(null, 3)).toBeNull();
    expect(trendOf(10, 3)).toBe("worsening");
    expect(trendOf(3, 10)).toBe("improving");
    expect(trendOf(5, 3)).toBe("steady");
  });

  it("expects less of what worse grades owe", () => {
    expect(Object.values(collectabilityBps)).toEqual([10_000, 9_500, 9_000, 7_500, 5_000]);
  });
});
