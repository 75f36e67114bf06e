/**
 * Cash-application bench: a generated business (5,000 customers, 30,000 open invoices) and a
 * statement of 10,000 lines, read from camt.053 and from CSV, then matched in memory. Prints
 * throughput and matching quality against the generator's answers.
 *
 *   npx tsx bench/bank-matching.ts
 */
import { pathToFileURL } from "node:url";
import { parseBankCsv } from "~/reconciliation/bank/bank-csv";
import { parseCamt053 } from "~/reconciliation/bank/camt053";
import { createMemoryLookup, matchBankLine } from "~/reconciliation/bank/matching";
import { formatQuality, scoreMatches } from "~/reconciliation/bank/quality";
import type { MatchResult } from "~/reconciliation/bank/types";
import { generateBankScenario, toBankCsv, toCamt053 } from "../tests/generators/bank-statements";

const perSecond = (count: number, ms: number) => `${Math.round((count / ms) * 1000).toLocaleString("en")} lines/s`;

export async function benchBankMatching({ seed = 20_260_301, customers = 5_000, invoicesPerCustomer = 6, lines = 10_000 } = {}): Promise<string> {
  const scenario = generateBankScenario({ seed, customers, invoicesPerCustomer, lines });
  const xml = toCamt053(scenario);
  const { csv, mapping } = toBankCsv(scenario);

  let start = performance.now();
  const fromCamt = parseCamt053(xml);
  const camtMs = performance.now() - start;
  start = performance.now();
  const fromCsv = parseBankCsv(csv, mapping);
  const csvMs = performance.now() - start;
  if (fromCamt.lines.length !== lines || fromCsv.lines.length !== lines) throw new Error(`parsed ${fromCamt.lines.length} (camt) and ${fromCsv.lines.length} (CSV) lines of ${lines}`);

  start = performance.now();
  const lookup = createMemoryLookup(scenario);
  const indexMs = performance.now() - start;
  start = performance.now();
  const results: MatchResult[] = [];
  for (const line of fromCamt.lines) results.push(await matchBankLine(line, lookup));
  const matchMs = performance.now() - start;

  const quality = scoreMatches(results, scenario.lines.map((l) => l.truth));
  return [
    `Bank matching: ${customers.toLocaleString("en")} customers, ${scenario.invoices.length.toLocaleString("en")} invoices, ${lines.toLocaleString("en")} lines (seed ${seed})`,
    `parse camt.053 ${(xml.length / 2 ** 20).toFixed(1)} MiB: ${camtMs.toFixed(0)} ms, ${perSecond(lines, camtMs)}`,
    `parse CSV ${(csv.length / 2 ** 20).toFixed(1)} MiB: ${csvMs.toFixed(0)} ms, ${perSecond(lines, csvMs)}`,
    `index ${indexMs.toFixed(0)} ms; match ${matchMs.toFixed(0)} ms, ${perSecond(lines, matchMs)}`,
    formatQuality(quality),
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await benchBankMatching());
}
