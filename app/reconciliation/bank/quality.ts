/**
 * Scores the matching engine against known answers (generated statements): how much it books
 * on its own, how often that booking is wrong, and how often a person is shown the right answer.
 */
import { decide } from "./matching";
import type { MatchDecision, MatchResult, MatchTruth } from "./types";

export type MatchQuality = {
  lines: number;
  applied: number;
  suggested: number;
  unmatched: number;
  appliedCorrect: number;
  appliedWrong: number;
  /** Lines with something to find (truth is not "none"). */
  payable: number;
  /** Correct automatic applications / all automatic applications (1 when nothing was applied). */
  precision: number;
  /** Correct automatic applications / lines with something to find. */
  recall: number;
  /** Lines with something to find whose right answer was applied or suggested. */
  rightAnswerShare: number;
  /** Lines with nothing to find (noise, debits) that were left unapplied. */
  noiseKeptOut: number;
  noise: number;
  /** Wrong automatic applications, for reading. */
  wrong: { index: number; truth: MatchTruth; result: MatchResult }[];
};

/** True when the result is exactly the truth: same payout, or same customer, invoices, amounts and credit. */
export function isCorrect(result: MatchResult, truth: MatchTruth): boolean {
  if (truth.kind === "none") return result.kind === "none";
  if (truth.kind === "payout") return result.kind === "payout" && result.payoutId === truth.payoutId;
  if (result.kind !== "invoices" || result.customerId !== truth.customerId || result.creditMinor !== truth.creditMinor) return false;
  const key = (a: { invoiceId: string; amountMinor: number; discountMinor: number }) => `${a.invoiceId}:${a.amountMinor}:${a.discountMinor}`;
  const got = result.allocations.map(key).sort();
  const want = truth.allocations.map(key).sort();
  return got.length === want.length && got.every((k, i) => k === want[i]);
}

export function scoreMatches(results: MatchResult[], truths: MatchTruth[], threshold?: number): MatchQuality {
  if (results.length !== truths.length) throw new Error(`${results.length} results for ${truths.length} truths`);
  const q: MatchQuality = { lines: results.length, applied: 0, suggested: 0, unmatched: 0, appliedCorrect: 0, appliedWrong: 0, payable: 0, precision: 1, recall: 0, rightAnswerShare: 0, noiseKeptOut: 0, noise: 0, wrong: [] };
  let right = 0;
  results.forEach((result, index) => {
    const truth = truths[index]!;
    const decision: MatchDecision = decide(result, threshold);
    q[decision] += 1;
    const correct = isCorrect(result, truth);
    if (decision === "applied") {
      if (correct) q.appliedCorrect += 1;
      else {
        q.appliedWrong += 1;
        q.wrong.push({ index, truth, result });
      }
    }
    if (truth.kind === "none") {
      q.noise += 1;
      if (decision !== "applied") q.noiseKeptOut += 1;
    } else {
      q.payable += 1;
      if (correct && decision !== "unmatched") right += 1;
    }
  });
  q.precision = q.applied === 0 ? 1 : q.appliedCorrect / q.applied;
  q.recall = q.payable === 0 ? 0 : q.appliedCorrect / q.payable;
  q.rightAnswerShare = q.payable === 0 ? 0 : right / q.payable;
  return q;
}

const pct = (n: number) => `${(n * 100).toFixed(2)}%`;

export function formatQuality(q: MatchQuality): string {
  return [
    `lines ${q.lines}: applied ${q.applied} (${pct(q.applied / q.lines)}), suggested ${q.suggested} (${pct(q.suggested / q.lines)}), unmatched ${q.unmatched} (${pct(q.unmatched / q.lines)})`,
    `automatic applications: ${q.appliedCorrect} correct, ${q.appliedWrong} wrong (${pct(q.applied ? q.appliedWrong / q.applied : 0)} of applied)`,
    `precision ${pct(q.precision)}, recall ${pct(q.recall)} (of ${q.payable} lines with something to find)`,
    `right answer applied or suggested: ${pct(q.rightAnswerShare)}; noise and debits kept out: ${q.noiseKeptOut}/${q.noise}`,
  ].join("\n");
}
