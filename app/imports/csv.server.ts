import { Readable } from "node:stream";
import { parse, type CsvError } from "csv-parse";
import type { ImportColumn } from "./columns";
import type { RowError } from "./report";

/** The file cannot be read as a whole (bad header, broken quoting): nothing in it can be imported. */
export class CsvFileError extends Error {
  constructor(readonly error: RowError) {
    super(error.message);
    this.name = "CsvFileError";
  }
}

export type CsvSource = string | AsyncIterable<string | Buffer>;
/** `bytes`: how far into the file the row ends, for progress. */
export type CsvRow = { row: number; values: Record<string, string>; problem: RowError | null; bytes: number };

const CHUNK = 64 * 1024;

function* chunks(text: string) {
  for (let i = 0; i < text.length; i += CHUNK) yield text.slice(i, i + CHUNK);
}

/**
 * Streams a CSV file's rows as records keyed by lower-case header name. Feeding the parser in
 * chunks keeps memory flat however long the file is. Row numbers are the line each record
 * starts on, so they match what an editor shows even around blank lines and multi-line cells.
 */
export async function* readCsvRows(source: CsvSource, columns: ImportColumn[], { oneOf = [] }: { oneOf?: string[][] } = {}): AsyncGenerator<CsvRow> {
  const input = typeof source === "string" ? Readable.from(chunks(source)) : Readable.from(source);
  const parser = input.pipe(parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true }));
  input.on("error", (error) => parser.destroy(error));
  let header: string[] | null = null;
  let lastLine = 0;
  let lastEmpty = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number; empty_lines: number; bytes: number } }>) {
      const row = lastLine + 1 + (info.empty_lines - lastEmpty);
      lastLine = info.lines;
      lastEmpty = info.empty_lines;
      if (!header) {
        header = checkHeader(record, columns, oneOf);
        continue;
      }
      const values: Record<string, string> = {};
      header.forEach((name, i) => (values[name] = record[i] ?? ""));
      const problem =
        record.length === header.length ? null : { row, column: null, message: `This row has ${record.length} fields; the header has ${header.length}` };
      yield { row, values, problem, bytes: info.bytes };
    }
  } catch (error) {
    if ((error as CsvError).code?.startsWith("CSV_")) {
      const line = (error as CsvError & { lines?: number }).lines ?? lastLine + 1;
      throw new CsvFileError({ row: line, column: null, message: `The file is not valid CSV here: ${(error as Error).message}` });
    }
    throw error;
  }
  if (!header) throw new CsvFileError({ row: 1, column: null, message: "The file is empty; the first row must name the columns" });
}

function checkHeader(record: string[], columns: ImportColumn[], oneOf: string[][]) {
  const known = new Set(columns.map((c) => c.name));
  const names = record.map((name) => name.trim().toLowerCase());
  const seen = new Set<string>();
  for (const name of names) {
    if (!name) throw new CsvFileError({ row: 1, column: null, message: "A column has no name; every column of the first row needs one" });
    if (!known.has(name)) throw new CsvFileError({ row: 1, column: name, message: `Unknown column "${name}". Expected columns: ${columns.map((c) => c.name).join(", ")}` });
    if (seen.has(name)) throw new CsvFileError({ row: 1, column: name, message: `Column "${name}" appears twice` });
    seen.add(name);
  }
  const missing = columns.filter((c) => c.required && !seen.has(c.name)).map((c) => c.name);
  if (missing.length > 0) throw new CsvFileError({ row: 1, column: missing[0]!, message: `Missing column${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}` });
  for (const group of oneOf) {
    if (!group.some((name) => seen.has(name))) throw new CsvFileError({ row: 1, column: group[0]!, message: `The file needs a ${group.join(" or a ")} column` });
  }
  return names;
}
