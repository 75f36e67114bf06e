import { readFile, writeFile } from "node:fs/promises";
import type { DatasetSize } from "./dataset";

export type Result = { name: string; detail: string; median: number; p95: number; runs: number };

export function summarize(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { median: at(0.5), p95: at(0.95), runs: sorted.length };
}

export function formatTable(results: Result[]) {
  const rows = results.map((r) => `| ${r.name} | ${r.median.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.runs} | ${r.detail} |`);
  return ["| operation | median ms | p95 ms | runs | notes |", "| --- | ---: | ---: | ---: | --- |", ...rows].join("\n");
}

/** bench/RESULTS.md keeps the latest full-size run: the project's performance record. */
export async function writeResults(results: Result[], { size, machine, notes }: { size: DatasetSize; machine: string; notes?: string }) {
  const path = new URL("./RESULTS.md", import.meta.url);
  const previous = await readFile(path, "utf8").catch(() => "");
  const header = "# Benchmark results\n\nWritten by `npm run bench` after each full-size run; older runs stay below.\n";
  const run = `## ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC\n\n${size.customers.toLocaleString("en")} customers, ${size.invoices.toLocaleString("en")} invoices · ${machine}\n\n${formatTable(results)}\n${notes ? `\n\`\`\`\n${notes}\n\`\`\`\n` : ""}`;
  const older = previous.includes("## ") ? previous.slice(previous.indexOf("## ")) : "";
  await writeFile(path, `${header}\n${run}\n${older}`);
}
