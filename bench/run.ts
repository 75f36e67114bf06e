/**
 * `npm run bench`: builds (or reuses) the large dataset on PostgreSQL, then times the
 * operations that must stay fast at that size, each beside its floor (the same answer by plain
 * SQL, bench/floors.ts), then the busiest pages under HTTP load, and prints median and p95 for
 * each. A full-size run is written to bench/RESULTS.md.
 *
 *   BENCH_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/settle_bench
 *   BENCH_SIZE          "full" (100,000 customers, 1,000,000 invoices; default) or "small"
 *   BENCH_RUNS          timed runs per operation (default 15; three times that for one under 50 ms)
 *   --no-http           skip the HTTP load (which builds the app and starts a server)
 *   --only=TEXT         only the operations whose name contains TEXT (no RESULTS.md then)
 */
import { cpus, totalmem } from "node:os";
import cliProgress from "cli-progress";
import { sql } from "drizzle-orm";
import { rowsOf, setConnection } from "~db/client";
import { FULL_SIZE, openBenchDataset, type DatasetSize } from "./dataset";
import { measurements, type Measurement, type Outcome } from "./measurements";
import { formatHttpTable, formatTable, ratioOf, summarize, verdict, writeResults, type HttpResult, type Result } from "./report";

const url = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/settle_bench";
const size: DatasetSize = process.env.BENCH_SIZE === "small" ? { customers: 1_000, invoices: 10_000 } : FULL_SIZE;
const runs = Number(process.env.BENCH_RUNS ?? 15);
const withHttp = !process.argv.includes("--no-http");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);

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
const db = connection.db;

// A dataset written in bulk and never vacuumed has no visibility map, so no index-only scan pays
// off, and its tables carry every row version the build wrote. Production has autovacuum; this
// server may not (it is off on some test servers), so the bench vacuums once, as autovacuum would.
const [autovacuum] = rowsOf<{ autovacuum: string }>(await db.execute(sql`show autovacuum`));
const [visible] = rowsOf<{ share: number | null }>(
  await db.execute(sql`select sum(relallvisible)::float / nullif(sum(relpages), 0) as share from pg_class where relname in ('invoices', 'journal_lines', 'customer_balances')`),
);
if ((visible?.share ?? 0) < 0.5) {
  console.log(`vacuuming the dataset (autovacuum is ${autovacuum?.autovacuum}; ${Math.round((visible?.share ?? 0) * 100)}% of the main tables' pages are marked all-visible)`);
  const start = Date.now();
  await db.execute(sql`vacuum (analyze)`);
  console.log(`vacuumed in ${((Date.now() - start) / 1000).toFixed(0)} s`);
}

const [pg] = rowsOf<{ server_version: string }>(await db.execute(sql`show server_version`));
const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? "CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, PostgreSQL ${pg?.server_version ?? "?"} (${new URL(url).host})`;
console.log(`\nDataset: ${size.customers.toLocaleString("en")} customers, ${size.invoices.toLocaleString("en")} invoices · ${machine}\n`);

const outcome = (out: string | void | Outcome): Outcome => (typeof out === "object" ? out : { detail: out ?? "" });
const timed = async <T>(fn: () => Promise<T>) => {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { value, ms: Number(process.hrtime.bigint() - start) / 1e6 };
};
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Where the two answers first part, in a few words for the table. */
function difference(measured: unknown, floor: unknown): string {
  if (Array.isArray(measured) && Array.isArray(floor)) {
    if (measured.length !== floor.length) return `${measured.length} rows against the floor's ${floor.length}`;
    const at = measured.findIndex((m, i) => !same(m, floor[i]));
    return `row ${at + 1}: ${JSON.stringify(measured[at])} against ${JSON.stringify(floor[at])}`;
  }
  if (measured && floor && typeof measured === "object" && typeof floor === "object") {
    const keys = Object.keys(measured).filter((k) => !same((measured as Record<string, unknown>)[k], (floor as Record<string, unknown>)[k]));
    return keys.map((k) => `${k}: ${difference((measured as Record<string, unknown>)[k], (floor as Record<string, unknown>)[k])}`).join(", ");
  }
  return `${JSON.stringify(measured)} against ${JSON.stringify(floor)}`;
}

async function measure(m: Measurement): Promise<Result> {
  const { floor } = m;
  let mismatch: string | undefined;
  let warmMs = Infinity;
  if (m.warmUp !== false) {
    const { value, ms } = await timed(m.run);
    warmMs = ms;
    const first = outcome(value);
    // Once, outside the timings: a floor that answers something else would flatter or shame for nothing.
    if (floor) {
      const answer = await floor();
      if (!same(first.answer, answer)) mismatch = difference(first.answer, answer);
    }
  }
  const times: number[] = [];
  const floorTimes: number[] = [];
  let detail = "";
  const runOnce = async () => {
    const { value, ms } = await timed(m.run);
    const out = outcome(value);
    detail = out.detail;
    times.push(out.ms ?? ms);
  };
  const floorOnce = async () => floorTimes.push((await timed(floor!)).ms);
  // A few milliseconds are at the mercy of everything else on the machine: more runs steady the median.
  const count = m.runs ?? (warmMs < 50 ? runs * 3 : runs);
  for (let i = 0; i < count; i++) {
    // Alternately first, so neither always runs on the other's warm cache.
    if (floor && i % 2 === 1) await floorOnce();
    await runOnce();
    if (floor && i % 2 === 0) await floorOnce();
  }
  return { name: m.name, detail, target: m.target, mismatch, ...summarize(times), floor: floor ? summarize(floorTimes) : undefined };
}

const results: Result[] = [];
for (const m of await measurements(db)) {
  if (only && !m.name.toLowerCase().includes(only.toLowerCase())) continue;
  // One operation that fails (code mid-change, say) is reported as such; the rest still run.
  const result = await measure(m).catch((error: unknown): Result => ({
    name: m.name,
    detail: `failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
    target: m.target,
    median: NaN,
    p95: NaN,
    runs: 0,
  }));
  results.push(result);
  const ratio = ratioOf(result);
  const floorText = result.floor ? `floor ${result.floor.median.toFixed(1).padStart(8)} ms   ${ratio!.toFixed(2).padStart(5)}×` : " ".repeat(28);
  console.log(`${m.name.padEnd(58)} median ${result.median.toFixed(1).padStart(8)} ms   p95 ${result.p95.toFixed(1).padStart(8)} ms   ${floorText}   ${verdict(result).padEnd(2)} ${result.detail}`);
  if (result.mismatch) console.log(`  warning: the floor's answer differs from the measured one: ${result.mismatch}`);
}
console.log(`\n${formatTable(results)}`);

let http: HttpResult[] = [];
let httpNote = withHttp ? "" : "skipped (--no-http)";
if (withHttp && !only) {
  console.log("");
  const { benchHttp } = await import("./http-load");
  try {
    ({ results: http, note: httpNote } = await benchHttp(db, { databaseUrl: url }));
    console.log(`\nHTTP under load (${httpNote}):\n\n${formatHttpTable(http)}`);
  } catch (error) {
    httpNote = `failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
    console.error(`HTTP load ${httpNote}\n${error instanceof Error ? error.message : ""}`);
  }
}

// Cash application quality and speed on a generated statement with its answer key (no database).
let bankReport: string | undefined;
if (!only) {
  const { benchBankMatching } = await import("./bank-matching");
  bankReport = await benchBankMatching();
  console.log(`\n${bankReport}`);
}
if (size === FULL_SIZE && !only) {
  await writeResults(results, { size, machine, http, httpNote, notes: bankReport });
  console.log("\nWritten to bench/RESULTS.md");
}

await connection.close();
