import { and, desc, eq, getTableColumns, inArray, or, sql } from "drizzle-orm";
import { importRuns, staffUsers } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import { staffIdOf } from "~/ledger/actor";
import { MoneyError } from "~/money/money";
import { DomainError } from "~/utils/errors";
import type { ImportKind } from "./columns";
import { CsvFileError, type CsvSource } from "./csv.server";
import { applyCustomer, scanCustomers, type CustomerRecord } from "./customers-import.server";
import { applyInvoice, scanInvoices, type InvoiceRecord } from "./invoices-import.server";
import { emptyCounts, type ApplyCounts, type ImportCounts, type ImportReport, type Planned, type RowError, type ScanHooks, type ScanResult } from "./report";

type Importer<T> = {
  scan: (source: CsvSource, hooks: ScanHooks<T>, db: Db) => Promise<ScanResult>;
  apply: (record: Planned<T>, actor: Actor, db: Db) => Promise<"created" | "updated" | "unchanged">;
};
const importers: { customers: Importer<CustomerRecord>; invoices: Importer<InvoiceRecord> } = {
  customers: { scan: scanCustomers, apply: applyCustomer },
  invoices: { scan: scanInvoices, apply: applyInvoice },
};
const importerFor = (kind: ImportKind) => importers[kind] as unknown as Importer<unknown>;

/** What an import run keeps beside its counts: the check's findings, then the outcome. */
export type ImportSummary = {
  counts?: ImportCounts;
  errorRows?: number;
  fatal?: boolean;
  phase?: "checking" | "applying";
  heartbeatAt?: string;
  skipInvalid?: boolean;
  result?: ApplyCounts;
};

/**
 * Lets the event loop serve other requests now and then during a long import: PGlite runs its
 * queries on this thread, and a chain of settled promises would otherwise hold the server.
 */
function breather(everyMs = 50) {
  let last = Date.now();
  return async () => {
    if (Date.now() - last < everyMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    last = Date.now();
  };
}

/**
 * The dry run: reads and checks every row against the database as it is, changes nothing.
 * The CLI's --dry-run and every uploaded file go through here.
 */
export async function checkImport(kind: ImportKind, source: CsvSource, { onRead }: Pick<ScanHooks<unknown>, "onRead"> = {}, db: Db = getDb()): Promise<ImportReport> {
  const breathe = breather();
  try {
    const { totalRows, validRows, counts, log } = await importerFor(kind).scan(
      source,
      {
        onRead: async (rows, bytes) => {
          await onRead?.(rows, bytes);
          await breathe();
        },
      },
      db,
    );
    return { kind, totalRows, validRows, counts, errors: log.sorted(), errorRows: log.rowCount, fatal: false };
  } catch (error) {
    if (!(error instanceof CsvFileError)) throw error;
    return { kind, totalRows: 0, validRows: 0, counts: emptyCounts(), errors: [error.error], errorRows: 0, fatal: true };
  }
}

const reportColumns = (report: ImportReport) => ({
  totalRows: report.totalRows,
  validRows: report.validRows,
  errors: report.errors,
  summary: { counts: report.counts, errorRows: report.errorRows, fatal: report.fatal } satisfies ImportSummary,
});

/**
 * Stores an uploaded file and its dry-run report (made here unless the caller just made it).
 * Nothing else changes until the run is applied.
 */
export async function createImportRun(
  { kind, filename, content, report: checked }: { kind: ImportKind; filename: string; content: string; report?: ImportReport },
  actor: Actor,
  db: Db = getDb(),
) {
  const report = checked ?? (await checkImport(kind, content, {}, db));
  const [run] = await db
    .insert(importRuns)
    .values({ kind, filename, content, status: "validated", ...reportColumns(report), createdBy: staffIdOf(actor) })
    .returning({ id: importRuns.id });
  await recordAudit({ actor, action: "import.upload", entityType: "import_run", entityId: run!.id, after: { kind, filename, totalRows: report.totalRows, validRows: report.validRows } }, db);
  return { id: run!.id, report };
}

const { content: _content, ...runColumns } = getTableColumns(importRuns);

export async function listImportRuns({ limit = 20 }: { limit?: number } = {}, db: Db = getDb()) {
  const rows = await db
    .select({ ...runColumns, createdByName: staffUsers.name })
    .from(importRuns)
    .leftJoin(staffUsers, eq(staffUsers.id, importRuns.createdBy))
    .orderBy(desc(importRuns.createdAt))
    .limit(limit);
  return rows.map(({ errors: _errors, ...row }) => ({ ...row, summary: row.summary as ImportSummary }));
}

/** One run as its page shows it (without the file). */
export async function getImportRun(id: string, db: Db = getDb()) {
  const [row] = await db
    .select({ ...runColumns, createdByName: staffUsers.name })
    .from(importRuns)
    .leftJoin(staffUsers, eq(staffUsers.id, importRuns.createdBy))
    .where(eq(importRuns.id, id));
  return row ? { ...row, errors: row.errors as RowError[], summary: row.summary as ImportSummary } : null;
}

// A run whose applier has not reported for this long died with its process; it may be taken over.
const STALE_AFTER_SECONDS = 120;

/** An applying run whose process stopped (crash, deploy): its page offers to finish it. */
export function isStalled(run: { status: string; summary: ImportSummary; createdAt: Date }) {
  if (run.status !== "applying") return false;
  const beat = Date.parse(run.summary.heartbeatAt ?? "") || run.createdAt.getTime();
  return Date.now() - beat > STALE_AFTER_SECONDS * 1000;
}

/**
 * Marks a run as applying, once: of two clicks (or two instances) only one gets it. A run with
 * bad rows is applied only when the caller confirms skipping them.
 */
export async function claimImportRun(id: string, { skipInvalid }: { skipInvalid: boolean }, db: Db = getDb()) {
  const run = await getImportRun(id, db);
  if (!run) throw new DomainError("not_found", "Import not found");
  if (run.status === "applied") throw new DomainError("conflict", "This file is already imported; upload it again to import it again");
  if (run.summary.fatal) throw new DomainError("invalid", "This file cannot be read as a whole; fix it and upload it again");
  if (run.validRows === 0) throw new DomainError("invalid", "No row of this file can be imported");
  if (run.validRows < run.totalRows && !skipInvalid) {
    throw new DomainError("invalid", `${run.totalRows - run.validRows} rows have problems: confirm that they are skipped, or fix the file and upload it again`, "skipInvalid");
  }
  const [claimed] = await db
    .update(importRuns)
    .set({
      status: "applying",
      processedRows: 0,
      failure: null,
      summary: sql`${importRuns.summary} || ${JSON.stringify({ phase: "checking", heartbeatAt: new Date().toISOString(), skipInvalid })}::jsonb`,
    })
    .where(
      and(
        eq(importRuns.id, id),
        or(
          inArray(importRuns.status, ["validated", "failed"]),
          and(eq(importRuns.status, "applying"), sql`coalesce((${importRuns.summary}->>'heartbeatAt')::timestamptz, ${importRuns.createdAt}) < now() - ${STALE_AFTER_SECONDS} * interval '1 second'`),
        ),
      ),
    )
    .returning({ id: importRuns.id });
  if (!claimed) throw new DomainError("conflict", "This import is already being applied");
}

/** Failures that belong to one record (it is reported and skipped); anything else stops the run. */
function recordFailure(error: unknown): string | null {
  if (error instanceof DomainError || error instanceof MoneyError) return error.message;
  const code = (error as { code?: string; cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
  return code === "23505" ? "It was changed in Settle while the file was being imported; import the file again" : null;
}

export type ApplyOutcome = { applied: true; result: ApplyCounts; report: ImportReport } | { applied: false; report: ImportReport };

/**
 * Applies a claimed run: checks the file again against the database as it is now (it may have
 * changed since the upload), then applies record by record, each in its own transaction, and
 * reports progress in processed_rows. A run stopped half-way is finished by applying it again:
 * what is already in Settle then counts as unchanged.
 */
export async function applyImportRun(
  id: string,
  { actor, onProgress }: { actor: Actor; onProgress?: (phase: "checking" | "applying", done: number, total: number) => void },
  db: Db = getDb(),
): Promise<ApplyOutcome> {
  const [run] = await db.select().from(importRuns).where(eq(importRuns.id, id));
  if (!run || run.status !== "applying") throw new DomainError("conflict", "Claim the import before applying it");
  const skipInvalid = Boolean((run.summary as ImportSummary).skipInvalid);
  const importer = importerFor(run.kind);
  let lastWrite = 0;
  const breathe = breather();
  const progress = async (phase: "checking" | "applying", done: number, total: number, force = false) => {
    onProgress?.(phase, done, total);
    await breathe();
    if (!force && Date.now() - lastWrite < 1000) return;
    lastWrite = Date.now();
    await db
      .update(importRuns)
      .set({ processedRows: done, summary: sql`${importRuns.summary} || ${JSON.stringify({ phase, heartbeatAt: new Date().toISOString() })}::jsonb` })
      .where(eq(importRuns.id, id));
  };

  const check = await checkImport(run.kind, run.content, { onRead: (rows) => progress("checking", rows, run.totalRows) }, db);
  if (check.fatal || check.validRows === 0 || (check.errorRows > 0 && !skipInvalid)) {
    await db.update(importRuns).set({ status: "validated", processedRows: 0, ...reportColumns(check) }).where(eq(importRuns.id, id));
    return { applied: false, report: check };
  }

  const result: ApplyCounts = { created: 0, updated: 0, unchanged: 0, failed: 0 };
  let processed = 0;
  await progress("applying", 0, check.validRows, true);
  const { totalRows, validRows, counts, log } = await importer.scan(
    run.content,
    {
      onBatch: async (batch, log) => {
        for (const record of batch) {
          try {
            result[await importer.apply(record, actor, db)] += 1;
          } catch (error) {
            const message = recordFailure(error);
            if (message === null) throw error;
            result.failed += 1;
            log.add(record.rows[0]!, null, `Not imported: ${message}`);
            record.rows.slice(1).forEach((row) => log.skip(row));
          }
          processed += record.rows.length;
          await progress("applying", processed, check.validRows);
        }
      },
    },
    db,
  );
  const report: ImportReport = { kind: run.kind, totalRows, validRows, counts, errors: log.sorted(), errorRows: log.rowCount, fatal: false };
  await db
    .update(importRuns)
    .set({
      status: "applied",
      processedRows: processed,
      totalRows,
      validRows,
      errors: report.errors,
      summary: { counts, errorRows: log.rowCount, fatal: false, skipInvalid, result } satisfies ImportSummary,
      finishedAt: new Date(),
    })
    .where(eq(importRuns.id, id));
  await recordAudit({ actor, action: "import.apply", entityType: "import_run", entityId: id, after: { kind: run.kind, filename: run.filename, ...result } }, db);
  return { applied: true, result, report };
}

/** Records why a run stopped, so its page says so and offers to apply it again. */
export async function failImportRun(id: string, error: unknown, db: Db = getDb()) {
  const message = error instanceof Error ? error.message : String(error);
  await db.update(importRuns).set({ status: "failed", failure: message.slice(0, 1000), finishedAt: new Date() }).where(eq(importRuns.id, id));
}

const running = new Map<string, Promise<void>>();

/**
 * Claims a run and applies it in the background of this server process; the caller answers at
 * once and the run's page follows processed_rows.
 */
export async function startImportRun(id: string, options: { skipInvalid: boolean }, actor: Actor, db: Db = getDb()) {
  await claimImportRun(id, options, db);
  const job = applyImportRun(id, { actor }, db)
    .then(() => undefined)
    .catch(async (error) => {
      console.error(`[import] run ${id} failed:`, error);
      await failImportRun(id, error, db).catch(() => {});
    })
    .finally(() => running.delete(id));
  running.set(id, job);
}

/** Resolves when this process's background apply of the run is done (at once if none). */
export const importSettled = (id: string) => running.get(id) ?? Promise.resolve();
