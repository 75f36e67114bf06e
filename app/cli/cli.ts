// npm run cli -- help
// A thin shell over the same import and export functions the back office calls.
import { createReadStream, createWriteStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { once } from "node:events";
import { userInfo } from "node:os";
import { basename } from "node:path";
import { finished } from "node:stream/promises";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import cliProgress from "cli-progress";
import { openConnection } from "~db/connection.server";
import { migrate } from "~db/migrate";
import { exportKinds, exportRangeSchema, type ExportKind } from "~/exports/export-kinds";
import { exporters } from "~/exports/exports.server";
import { importKinds, importKindLabels, type ImportKind } from "~/imports/columns";
import { applyImportRun, checkImport, claimImportRun, createImportRun, failImportRun } from "~/imports/imports.server";
import { MAX_REPORTED_ERRORS, type ImportReport } from "~/imports/report";
import { systemActor } from "~/ledger/actor";
import { findBankMappingByName, guessFormat, importBankFile, type BankFormat } from "~/reconciliation/bank-import.server";
import { DomainError } from "~/utils/errors";
import { sendDueReports } from "~/reports/schedules.server";
import { runDunning } from "~/collections/dunning.server";

export const usage = `Settle command line

  npm run cli -- import customers FILE [--dry-run] [--skip-invalid]
  npm run cli -- import invoices FILE [--dry-run] [--skip-invalid]
      Check a CSV file, then import it. With --dry-run, only check and report (nothing changes).
      If some rows have problems, they are listed and nothing is imported (exit code 1)
      unless --skip-invalid is given: then the other rows are imported.
      The columns are listed on the Imports page of the back office (/staff/imports).

  npm run cli -- export journal --from 2026-01-01 --to 2026-01-31 [--out FILE]
  npm run cli -- export payments --from 2026-01-01 --to 2026-01-31 [--out FILE]
      Write the journal (one row per line) or the payments of a date range as CSV,
      to FILE or to standard output.

  npm run cli -- bank-import FILE [--format camt053|csv] [--mapping NAME] [--json]
      Import a bank statement: an ISO 20022 camt.053 file (.xml), or a bank's CSV export read with
      the column mapping saved under NAME in the back office (Reconciliation > Bank statements).
      Each credit is matched to a Stripe payout or to a customer's invoices; sure matches are
      applied, the rest wait on the exceptions queue. Importing the same file again changes nothing.
      With --json, prints one JSON object per bank line: its entry reference, the decision
      (applied, suggested, unmatched, payout, ignored, duplicate), the invoices and amounts, the
      confidence and the reasons.

  npm run cli -- dunning-run [--now 2026-11-23T09:00:00Z] [--json]
      Take today's dunning steps for every account whose local day has not been done yet (the
      same run as the daily job and "Run now"). Safe to run while the server runs it too, and
      again after a crash: each step is taken once per invoice. --now runs as of another
      instant (a simulated clock); --json prints the run's figures as JSON.

  npm run cli -- reports-send [--now 2026-11-23T09:00:00Z] [--json]
      Email the weekly reports due today (the same as the scheduled job); each is sent once a
      day, however often this runs.

  npm run cli -- help
      Show this help.

The database is the one the environment names (DATABASE_URL, else PGlite in PGLITE_DIR). An
embedded PGlite database can be opened by one process at a time: stop the server first.
Exit codes: 0 done, 1 rows with problems or failed, 2 wrong command.`;

export type CliIo = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };

class UsageError extends Error {}

const say = (stream: NodeJS.WritableStream, text: string) => stream.write(`${text}\n`);

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        "dry-run": { type: "boolean", default: false },
        "skip-invalid": { type: "boolean", default: false },
        from: { type: "string" },
        to: { type: "string" },
        out: { type: "string" },
        format: { type: "string" },
        mapping: { type: "string" },
        json: { type: "boolean", default: false },
        now: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Runs one command and returns the exit code; the caller has opened the database. */
export async function runCli(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    const { values, positionals } = parse(argv);
    const [command, kind, file, ...extra] = positionals;
    if (values.help || command === "help" || command === undefined) {
      say(io.stdout, usage);
      return 0;
    }
    if (command === "import") {
      if (!importKinds.includes(kind as ImportKind)) throw new UsageError(`Import what? Say "import customers FILE" or "import invoices FILE".`);
      if (!file || extra.length > 0) throw new UsageError("Give one FILE to import.");
      return await importFile(kind as ImportKind, file, { dryRun: values["dry-run"], skipInvalid: values["skip-invalid"] }, io);
    }
    if (command === "export") {
      if (!exportKinds.includes(kind as ExportKind)) throw new UsageError(`Export what? Say "export journal" or "export payments".`);
      if (file) throw new UsageError(`Unexpected "${file}"; the output file goes after --out.`);
      const range = exportRangeSchema.safeParse({ from: values.from, to: values.to });
      if (!range.success) throw new UsageError(range.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join("\n"));
      return await exportCsv(kind as ExportKind, range.data, values.out, io);
    }
    if (command === "bank-import") {
      const path = kind;
      if (!path || file) throw new UsageError("Give one bank statement FILE to import.");
      if (values.format !== undefined && values.format !== "camt053" && values.format !== "csv") throw new UsageError(`--format: "${values.format}" is not camt053 or csv.`);
      return await bankImport(path, { format: (values.format as BankFormat | undefined) ?? null, mapping: values.mapping ?? null, json: values.json }, io);
    }
    if (command === "dunning-run") {
      if (kind) throw new UsageError(`Unexpected "${kind}".`);
      const now = values.now === undefined ? new Date() : new Date(values.now);
      if (Number.isNaN(now.getTime())) throw new UsageError(`--now: "${values.now}" is not a date and time like 2026-11-23T09:00:00Z.`);
      const { runId, stats } = await runDunning({ trigger: "cli", now });
      if (values.json) say(io.stdout, JSON.stringify({ runId, ...stats }));
      else say(io.stdout, `Dunning run ${runId}: ${stats.customers} accounts, ${stats.emails} emails, ${stats.taken.task} tasks, ${stats.taken.late_fee} fees, ${stats.taken.credit_hold} holds, ${stats.taken.escalate} escalations.`);
      return 0;
    }
    if (command === "reports-send") {
      if (kind) throw new UsageError(`Unexpected "${kind}".`);
      const now = values.now === undefined ? new Date() : new Date(values.now);
      if (Number.isNaN(now.getTime())) throw new UsageError(`--now: "${values.now}" is not a date and time like 2026-11-23T09:00:00Z.`);
      const result = await sendDueReports({ now });
      if (values.json) say(io.stdout, JSON.stringify(result));
      else say(io.stdout, `Reports for ${result.date}: ${result.schedules} schedules, ${result.emails} emails, ${result.failed.length} failed.`);
      return result.failed.length > 0 ? 1 : 0;
    }
    throw new UsageError(`Unknown command "${command}".`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    say(io.stderr, `${error.message}\n\n${usage}`);
    return 2;
  }
}

function progressBar(io: CliIo, label: string) {
  return new cliProgress.SingleBar(
    { stream: io.stderr, format: `${label.padEnd(9)} [{bar}] {percentage}% | {rows} rows`, hideCursor: null, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
}

/** Applying checks the file once more against the books as they are now, then imports: a bar for each. */
function phaseBars(io: CliIo) {
  let bar: cliProgress.SingleBar | null = null;
  let phase: string | null = null;
  return {
    update(now: "checking" | "applying", done: number, total: number) {
      if (now !== phase) {
        bar?.stop();
        phase = now;
        bar = progressBar(io, now === "checking" ? "Checking" : "Importing");
        bar.start(Math.max(total, 1), 0, { rows: 0 });
      }
      bar?.update(done, { rows: done });
    },
    stop: () => bar?.stop(),
  };
}

const n = (value: number) => value.toLocaleString("en-US");
const plural = (count: number, word: string) => `${n(count)} ${word}${count === 1 ? "" : "s"}`;

function printReport(report: ImportReport, io: CliIo) {
  const { counts } = report;
  const unit = report.kind === "customers" ? "customer" : "invoice";
  if (!report.fatal) {
    say(io.stdout, `${plural(report.totalRows, "row")} read: ${plural(report.validRows, "row")} can be imported, ${plural(report.errorRows, "row")} with problems.`);
    say(io.stdout, `${importKindLabels[report.kind]}: ${n(counts.create)} to create, ${n(counts.update)} to update, ${n(counts.unchanged)} unchanged, ${plural(counts.invalid, unit)} with problems.`);
  }
  printErrors(report, io);
}

function printErrors(report: ImportReport, io: CliIo) {
  if (report.errors.length === 0) return;
  say(io.stdout, "Problems:");
  for (const e of report.errors) say(io.stdout, `  row ${e.row}${e.column ? `, ${e.column}` : ""}: ${e.message}`);
  if (report.errors.length >= MAX_REPORTED_ERRORS) say(io.stdout, `  … and more: ${plural(report.errorRows, "row")} in all cannot be imported.`);
}

async function importFile(kind: ImportKind, file: string, { dryRun, skipInvalid }: { dryRun: boolean; skipInvalid: boolean }, io: CliIo) {
  const size = await stat(file).then(
    (s) => s.size,
    (error: Error) => {
      throw new UsageError(`Cannot read ${file}: ${error.message}`);
    },
  );
  const checking = progressBar(io, "Checking");
  checking.start(Math.max(size, 1), 0, { rows: 0 });
  const report = await checkImport(kind, createReadStream(file), { onRead: (rows, bytes) => checking.update(bytes, { rows }) });
  checking.update(Math.max(size, 1), { rows: report.totalRows });
  checking.stop();
  printReport(report, io);
  if (report.fatal) {
    say(io.stderr, "The file cannot be imported as it is; nothing was imported.");
    return 1;
  }
  if (dryRun) {
    say(io.stderr, "Dry run: nothing was imported.");
    return report.errorRows > 0 ? 1 : 0;
  }
  if (report.validRows === 0) {
    say(io.stderr, "No row can be imported; nothing was imported.");
    return 1;
  }
  if (report.errorRows > 0 && !skipInvalid) {
    say(io.stderr, `${plural(report.errorRows, "row")} have problems; nothing was imported. Fix them, or run again with --skip-invalid to import the other ${plural(report.validRows, "row")}.`);
    return 1;
  }

  const actor = systemActor(`cli (${userInfo().username})`);
  const { id } = await createImportRun({ kind, filename: basename(file), content: await readFile(file, "utf8"), report }, actor);
  await claimImportRun(id, { skipInvalid });
  const bars = phaseBars(io);
  const outcome = await applyImportRun(id, { actor, onProgress: bars.update }).catch(async (error) => {
    await failImportRun(id, error);
    throw error;
  });
  bars.stop();
  if (!outcome.applied) {
    say(io.stderr, "The data in Settle changed since the check, and rows now have problems; nothing was imported.");
    printReport(outcome.report, io);
    return 1;
  }
  const { result } = outcome;
  say(io.stdout, `Imported (run ${id}): ${n(result.created)} created, ${n(result.updated)} updated, ${n(result.unchanged)} unchanged, ${n(result.failed)} failed; ${plural(outcome.report.errorRows, "row")} not imported.`);
  if (result.failed > 0) printErrors(outcome.report, io);
  return result.failed > 0 ? 1 : 0;
}

async function bankImport(path: string, options: { format: BankFormat | null; mapping: string | null; json: boolean }, io: CliIo) {
  const content = await readFile(path, "utf8").catch((error: Error) => {
    throw new UsageError(`Cannot read ${path}: ${error.message}`);
  });
  const format = options.format ?? guessFormat(path, content);
  let mappingId: string | null = null;
  if (format === "csv") {
    if (!options.mapping) throw new UsageError("A CSV statement needs --mapping NAME: the bank's column mapping saved in the back office.");
    const mapping = await findBankMappingByName(options.mapping);
    if (!mapping) throw new UsageError(`--mapping: no saved mapping is named "${options.mapping}".`);
    mappingId = mapping.id;
  }
  try {
    const { statement, outcomes } = await importBankFile({ fileName: basename(path), content, format, mappingId }, systemActor(`cli (${userInfo().username})`));
    if (options.json) {
      for (const o of outcomes) {
        say(
          io.stdout,
          JSON.stringify({
            entryRef: o.entryRef,
            bookingDate: o.bookingDate,
            amount: o.amountMinor,
            currency: o.currency,
            decision: o.decision,
            customerId: o.customerId,
            invoices: o.allocations.map((a) => ({ invoiceId: a.invoiceId, number: a.invoiceNumber, amount: a.amountMinor, discount: a.discountMinor })),
            credit: o.creditMinor,
            confidence: o.confidence,
            reasons: o.reasons,
          }),
        );
      }
    }
    const count = (decision: string) => outcomes.filter((o) => o.decision === decision).length;
    say(
      options.json ? io.stderr : io.stdout,
      `Imported ${basename(path)} (statement ${statement.id}): ${plural(outcomes.length, "line")}; ${n(count("applied"))} applied, ${n(count("payout"))} payouts, ${n(count("suggested"))} suggested, ${n(count("unmatched"))} unmatched, ${n(count("ignored"))} debits ignored, ${n(count("duplicate"))} already imported.`,
    );
    return 0;
  } catch (error) {
    if (error instanceof DomainError) {
      say(io.stderr, `${error.field ? `${error.field}: ` : ""}${error.message}\nNothing was imported.`);
      return 1;
    }
    throw error;
  }
}

async function exportCsv(kind: ExportKind, range: { from: string; to: string }, out: string | undefined, io: CliIo) {
  const target = out ? createWriteStream(out) : io.stdout;
  for await (const chunk of exporters[kind](range)) {
    if (!target.write(chunk)) await once(target, "drain");
  }
  if (out) {
    target.end();
    await finished(target);
    say(io.stderr, `Wrote the ${kind} from ${range.from} to ${range.to} to ${out}.`);
  }
  return 0;
}

async function main() {
  const argv = process.argv.slice(2);
  if (!["import", "export", "bank-import", "dunning-run"].includes(argv[0] ?? "")) {
    process.exitCode = await runCli(argv);
    return;
  }
  const connection = openConnection();
  try {
    await migrate(connection);
    process.exitCode = await runCli(argv);
  } finally {
    await connection.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
