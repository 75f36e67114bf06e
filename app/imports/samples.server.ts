import { stringify } from "csv-stringify/sync";
import { importColumns, sampleRows, type ImportKind } from "./columns";

/** A sample file, written from the same column list the importer reads. */
export function sampleCsv(kind: ImportKind) {
  const names = importColumns[kind].map((c) => c.name);
  return stringify([names, ...sampleRows[kind].map((row) => names.map((name) => row[name] ?? ""))]);
}
