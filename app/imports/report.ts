import type { ImportKind } from "./columns";

/** A problem with one row of a file: the row as in the file (the header is row 1), the column, why. */
export type RowError = { row: number; column: string | null; message: string };

/** Records (customers, or invoices of one or more rows) by what importing them would do. */
export type ImportCounts = { create: number; update: number; unchanged: number; invalid: number };
export type ApplyCounts = { created: number; updated: number; unchanged: number; failed: number };

/** The dry run's answer: nothing was changed to produce it. */
export type ImportReport = {
  kind: ImportKind;
  totalRows: number;
  validRows: number;
  counts: ImportCounts;
  /** Up to MAX_REPORTED_ERRORS problems, by row. */
  errors: RowError[];
  /** Rows that cannot be imported (a row with several problems counts once). */
  errorRows: number;
  /** The file as a whole is unreadable: no row of it can be imported. */
  fatal: boolean;
};

export const MAX_REPORTED_ERRORS = 500;

/** Collects row errors: keeps the first few hundred for the report, counts every bad row. */
export class ErrorLog {
  readonly errors: RowError[] = [];
  private readonly badRows = new Set<number>();

  add(row: number, column: string | null, message: string) {
    this.badRows.add(row);
    if (this.errors.length < MAX_REPORTED_ERRORS) this.errors.push({ row, column, message });
  }

  /** A row not imported because another row of the same record has the problem. */
  skip(row: number) {
    this.badRows.add(row);
  }

  get rowCount() {
    return this.badRows.size;
  }

  sorted() {
    return [...this.errors].sort((a, b) => a.row - b.row);
  }
}

/** One record the file describes, checked against the database and ready to apply. */
export type Planned<T> = { rows: number[]; action: "create" | "update" | "unchanged"; data: T };

export type ScanHooks<T> = {
  /** Rows read so far, and how far into the file (bytes) that is. */
  onRead?: (rows: number, bytes: number) => void | Promise<void>;
  /** Valid records, in batches, in file order; when given, the batch is applied before the scan goes on. */
  onBatch?: (batch: Planned<T>[], log: ErrorLog) => Promise<void>;
};

export type ScanResult = { totalRows: number; validRows: number; counts: ImportCounts; log: ErrorLog };

export const emptyCounts = (): ImportCounts => ({ create: 0, update: 0, unchanged: 0, invalid: 0 });
