/**
 * `npm run bench`: builds (or reuses) the large dataset on PostgreSQL, then times the
 * operations that must stay fast at that size and prints median and p95 for each.
 *
 *   BENCH_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/settle_bench
 *   BENCH_SIZE          "full" (100,000 customers, 1,000,000 invoices; default) or "small"
 *   BENCH_RUNS          timed runs per operation (default 15)
 */
import { cpus, totalmem } from "node:os";
import cliProgress from "cli-progress";
import { setConnection } from "~db/client";
import { FULL_SIZE, openBenchDataset, type DatasetSize } from "./dataset";
import { measurements } from "./measurements";
import { formatTable, summarize, writeResults, type Result } from "./report";

const url = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/settle_bench";
const size: DatasetSize = process.env.BENCH_SIZE === "small" ? { customers: 1_000, invoices: 10_000 } : FULL_SIZE;
const runs = Number(process.env.BENCH_RUNS ?? 15);

// Without a terminal (CI logs) the bar still prints a line every 5 seconds.
const bar = new cliProgress.SingleBar({ format: "{label} [{bar}] {percentage}% {value}/{total} {duration_formatted}", hideCursor: true, noTTYOutput: true, notTTYSchedule: 5000 }, cliProgress.Presets.shades_classic);
let current = "";
const connection = await openBenchDataset(url, size, (label, done, total) => {
  if (label !== current) {
    if (current) bar.stop();
    current = label;
    if (total > 1) bar.start(total, done, { label });
    else console.log(label);
  } else if (total > 1) bar.update(done, { label });
});
if (current) bar.stop();
setConnection(connection);

const machine = `${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, PostgreSQL (${new URL(url).host})`;
console.log(`\nDataset: ${size.customers.toLocaleString("en")} customers, ${size.invoices.toLocaleString("en")} invoices · ${machine}\n`);

const results: Result[] = [];
for (const m of await measurements(connection.db)) {
  if (m.warmUp !== false) await m.run();
  const times: number[] = [];
  let detail = "";
  for (let i = 0; i < (m.runs ?? runs); i++) {
    const start = process.hrtime.bigint();
    const out = await m.run();
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    detail = typeof out === "object" ? out.detail : (out ?? "");
    times.push(typeof out === "object" ? out.ms : elapsed);
  }
  const result = { name: m.name, detail, ...summarize(times) };
  results.push(result);
  console.log(`${m.name.padEnd(52)} median ${result.median.toFixed(1).padStart(8)} ms   p95 ${result.p95.toFixed(1).padStart(8)} ms   ${detail}`);
}
console.log(`\n${formatTable(results)}`);

// Cash application quality and speed on a generated statement with its answer key (no database).
const { benchBankMatching } = await import("./bank-matching");
const bankReport = await benchBankMatching();
console.log(`\n${bankReport}`);
if (size === FULL_SIZE) await writeResults(results, { size, machine, notes: bankReport });

await connection.close();
