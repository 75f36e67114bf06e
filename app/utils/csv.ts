import { stringify } from "csv-stringify/sync";

/** A spreadsheet runs a cell that starts like a formula; text from names and memos is quoted out of that. */
export const csvText = (value: string | null) => (value === null ? null : /^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

/** A CSV file with a header row; the byte-order mark tells Excel it is UTF-8, so "Zoë" and "1–30 days" survive. */
export function toCsv(rows: Record<string, string | number | null>[], columns: string[]): string {
  return stringify(rows, { header: true, bom: true, columns, cast: { number: String } });
}
