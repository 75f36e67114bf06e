import { readFile, writeFile } from "node:fs/promises";
import type { DatasetSize } from "./dataset";

export type Timing = { median: number; p95: number; runs: number };
export type Result = Timing & {
  name: string;
  detail: string;
  /** The same answer by plain SQL, timed in the same runs. */
  floor?: Timing;
  /** Set when the floor's answer differed from the measured one: the floor is then no floor. */
  mismatch?: string;
  target?: boolean;
};
export type HttpResult = { name: string; path: string; requestsPerSecond: number; median: number; p95: number; requests: number; non2xx: number; errors: number; detail: string };

/** Issue 7's bar for the operations it names. */
export const TARGET_MEDIAN_MS = 500;
export const TARGET_RATIO = 2;

export function summarize(times: number[]): Timing {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { median: at(0.5), p95: at(0.95), runs: sorted.length };
}

export const ratioOf = (r: Result) => (r.floor && r.floor.median > 0 ? r.median / r.floor.median : undefined);

/** "met" or what was missed, for the operations held to the bar; blank for the others. */
export function verdict(r: Result) {
  if (!r.target) return "";
  if (r.runs === 0) return "✗ failed";
  const ratio = ratioOf(r);
  const missed = [
    r.median > TARGET_MEDIAN_MS ? `median over ${TARGET_MEDIAN_MS} ms` : "",
    ratio !== undefined && ratio > TARGET_RATIO ? `over ${TARGET_RATIO}× floor` : "",
    r.mismatch ? "floor answer differs" : "",
  ].filter(Boolean);
  return missed.length ? `✗ ${missed.join(", ")}` : "✓";
}

const ms = (value: number | undefined) => (value === undefined ? "" : Number.isNaN(value) ? "—" : value.toFixed(1));

export function formatTable(results: Result[]) {
  const rows = results.map((r) => {
    const ratio = ratioOf(r);
    const notes = [r.detail, r.mismatch ? `**floor differs: ${r.mismatch}**` : ""].filter(Boolean).join("; ");
    return `| ${r.name} | ${ms(r.median)} | ${ms(r.p95)} | ${ms(r.floor?.median)} | ${ms(r.floor?.p95)} | ${ratio === undefined ? "" : `${ratio.toFixed(2)}×`} | ${r.runs} | ${verdict(r)} | ${notes} |`;
  });
  return [
    "| operation | median ms | p95 ms | floor median ms | floor p95 ms | ratio | runs | issue 7 bar | notes |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ...rows,
  ].join("\n");
}

export function formatHttpTable(results: HttpResult[]) {
  const rows = results.map(
    (r) => `| ${r.name} | \`${r.path}\` | ${r.requestsPerSecond.toFixed(1)} | ${ms(r.median)} | ${ms(r.p95)} | ${r.requests.toLocaleString("en")} | ${r.non2xx} | ${r.errors} | ${r.detail} |`,
  );
  return ["| page | path | requests/s | median ms | p95 ms | requests | non-2xx | errors | notes |", "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |", ...rows].join("\n");
}

const legend = `The floor is the same answer computed by the plainest hand-written SQL over the same tables
(bench/floors.ts), timed alternately with the operation in the same run; ratio = median / floor median.
Issue 7's bar (aging, dashboard, statement, worklist, customer list): at most ${TARGET_MEDIAN_MS} ms at the median and
within ${TARGET_RATIO}× of the floor.`;

/** bench/RESULTS.md keeps the latest full-size run: the project's performance record. */
export async function writeResults(
  results: Result[],
  { size, machine, http, httpNote, notes }: { size: DatasetSize; machine: string; http?: HttpResult[]; httpNote?: string; notes?: string },
) {
  const path = new URL("./RESULTS.md", import.meta.url);
  const previous = await readFile(path, "utf8").catch(() => "");
  const header = "# Benchmark results\n\nWritten by `npm run bench` after each full-size run; older runs stay below.\n";
  const sections = [
    `## ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    `${size.customers.toLocaleString("en")} customers, ${size.invoices.toLocaleString("en")} invoices · ${machine}`,
    legend,
    formatTable(results),
    http?.length ? `HTTP under load${httpNote ? ` (${httpNote})` : ""}:\n\n${formatHttpTable(http)}` : httpNote ? `HTTP under load: ${httpNote}` : "",
    notes ? `\`\`\`\n${notes}\n\`\`\`` : "",
  ].filter(Boolean);
  const older = previous.includes("## ") ? previous.slice(previous.indexOf("## ")) : "";
  await writeFile(path, `${header}\n${sections.join("\n\n")}\n\n${older}`);
}
