import { describe, expect, it } from "vitest";
import { generateBankScenario, toCamt053 } from "../../../tests/generators/bank-statements";
import { parseCamt053 } from "./camt053";
import { createMemoryLookup, decide, matchBankLine } from "./matching";
import { formatQuality, isCorrect, scoreMatches } from "./quality";
import type { MatchResult, MatchTruth } from "./types";

describe("scoreMatches", () => {
  it("counts a wrong customer, invoice set or amount as a wrong application", () => {
    const truth: MatchTruth = { kind: "invoices", customerId: "c1", allocations: [{ invoiceId: "i1", amountMinor: 100, discountMinor: 0 }], creditMinor: 0 };
    const right: MatchResult = { kind: "invoices", customerId: "c1", allocations: [{ invoiceId: "i1", invoiceNumber: "INV-1", amountMinor: 100, discountMinor: 0 }], creditMinor: 0, confidence: 95, reasons: [] };
    const wrongAmount: MatchResult = { ...right, allocations: [{ invoiceId: "i1", invoiceNumber: "INV-1", amountMinor: 98, discountMinor: 2 }] };
    const none: MatchResult = { kind: "none", confidence: 0, reasons: [] };
    expect(isCorrect(right, truth)).toBe(true);
    expect(isCorrect(wrongAmount, truth)).toBe(false);
    expect(isCorrect({ ...right, customerId: "c2" }, truth)).toBe(false);
    const q = scoreMatches([right, wrongAmount, { ...right, confidence: 50 }, none], [truth, truth, truth, { kind: "none", why: "noise" }]);
    expect(q).toMatchObject({ applied: 2, suggested: 1, unmatched: 1, appliedCorrect: 1, appliedWrong: 1, precision: 0.5, payable: 3, noise: 1, noiseKeptOut: 1 });
    expect(q.recall).toBeCloseTo(1 / 3);
    expect(q.rightAnswerShare).toBeCloseTo(2 / 3);
  });
});

describe("matching quality on a generated statement", () => {
  it("auto-applies most lines and almost never wrongly", async () => {
    const scenario = generateBankScenario({ seed: 42, customers: 1_000, invoicesPerCustomer: 6, lines: 3_000 });
    // Through the parser, as the app reads statements.
    const lines = parseCamt053(toCamt053(scenario)).lines;
    const lookup = createMemoryLookup(scenario);
    const results: MatchResult[] = [];
    for (const line of lines) results.push(await matchBankLine(line, lookup));
    const q = scoreMatches(results, scenario.lines.map((l) => l.truth));
    console.log(`Generated statement, seed 42:\n${formatQuality(q)}`);

    // Money invariants hold on every answer, right or wrong.
    const open = new Map(scenario.invoices.map((i) => [i.id, i.openMinor]));
    results.forEach((r, i) => {
      if (r.kind !== "invoices") return;
      expect(r.allocations.reduce((s, a) => s + a.amountMinor, 0) + r.creditMinor).toBe(lines[i]!.amountMinor);
      for (const a of r.allocations) expect(a.amountMinor + a.discountMinor).toBeLessThanOrEqual(open.get(a.invoiceId)!);
    });
    // Measured at seed 42: see the log line above; these floors leave a little room.
    expect(q.appliedWrong / q.applied).toBeLessThanOrEqual(0.005);
    expect(q.applied / q.lines).toBeGreaterThanOrEqual(0.78);
    expect(q.recall).toBeGreaterThanOrEqual(0.87);
    expect(q.rightAnswerShare).toBeGreaterThanOrEqual(0.95);
    expect(q.noiseKeptOut).toBe(q.noise);
    // Clean references with the exact amount all apply.
    scenario.lines.forEach(({ kind, truth }, i) => {
      if (kind === "clean" || kind === "several-numbers") {
        expect(decide(results[i]!), JSON.stringify(results[i])).toBe("applied");
        expect(isCorrect(results[i]!, truth)).toBe(true);
      }
    });
  });
});
