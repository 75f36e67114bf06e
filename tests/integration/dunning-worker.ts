/**
 * A dunning worker in a process of its own, for the simulated-clock test: it reads one instant
 * per line on stdin, runs the daily dunning as of that instant (the same runDunning the job, the
 * CLI and "Run now" call) and answers "done" on stdout. The test kills it with SIGKILL, or kills
 * its database sessions, at random moments; a crash here is the point, not a failure.
 */
import { createInterface } from "node:readline";
import { connect } from "~db/client";
import { runDunning } from "~/collections/dunning.server";

const url = new URL(process.env.DATABASE_URL!);
url.searchParams.set("application_name", process.env.WORKER_NAME ?? "dunning-process");
const connection = connect({ databaseUrl: url.toString(), poolSize: 2 });
process.stdout.write("ready\n");
for await (const line of createInterface({ input: process.stdin })) {
  const now = new Date(line.trim());
  await runDunning({ trigger: "cli", now, batchSize: 8, worker: "process" }, connection.db);
  process.stdout.write("done\n");
}
await connection.close();
