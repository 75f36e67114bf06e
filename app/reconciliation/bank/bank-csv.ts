/**
 * Bank statements exported as CSV, read with a column mapping the user saved for their bank.
 * Every bank spells dates and amounts its own way, so the mapping says how; anything that does
 * not fit it is refused with the row and column named, never guessed.
 */
import { createHash } from "node:crypto";
import { parse } from "csv-parse/sync";
import { z } from "zod";
import { currencyExponent } from "~/money/money";
import { isIsoDate, type IsoDate } from "~/utils/dates";
import { BankFileError, type BankLine, type ParsedStatement } from "./types";

const dateFormats = ["YYYY-MM-DD", "DD.MM.YYYY", "DD/MM/YYYY", "MM/DD/YYYY"] as const;

const column = (field: string) => z.string({ error: `${field} must name a column` }).trim().min(1, `${field} must name a column`);
const optionalColumn = (field: string) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), column(field).optional());

export const bankCsvMappingSchema = z
  .object({
    delimiter: z.enum([",", ";", "\t"], { error: "delimiter must be a comma, a semicolon or a tab" }).optional(),
    hasHeader: z.boolean({ error: "hasHeader must be true or false" }),
    dateColumn: column("dateColumn"),
    dateFormat: z.enum(dateFormats, { error: `dateFormat must be one of ${dateFormats.join(", ")}` }),
    amountColumn: optionalColumn("amountColumn"),
    creditColumn: optionalColumn("creditColumn"),
    debitColumn: optionalColumn("debitColumn"),
    decimalSeparator: z.enum([".", ","], { error: 'decimalSeparator must be "." or ","' }),
    currencyColumn: optionalColumn("currencyColumn"),
    currency: z
      .string({ error: "currency must be a currency code like EUR" })
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{3}$/, "currency must be a currency code like EUR")
      .optional(),
    payerColumn: optionalColumn("payerColumn"),
    payerAccountColumn: optionalColumn("payerAccountColumn"),
    remittanceColumns: z.array(column("remittanceColumns"), { error: "remittanceColumns must be a list of columns" }),
    referenceColumn: optionalColumn("referenceColumn"),
    valueDateColumn: optionalColumn("valueDateColumn"),
  })
  .superRefine((m, ctx) => {
    const split = m.creditColumn !== undefined || m.debitColumn !== undefined;
    if (m.amountColumn === undefined && !(m.creditColumn !== undefined && m.debitColumn !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["amountColumn"], message: "amountColumn is required, or both creditColumn and debitColumn" });
    }
    if (m.amountColumn !== undefined && split) {
      ctx.addIssue({ code: "custom", path: ["amountColumn"], message: "amountColumn cannot be combined with creditColumn or debitColumn" });
    }
    if ((m.currency === undefined) === (m.currencyColumn === undefined)) {
      ctx.addIssue({ code: "custom", path: ["currency"], message: "Give either currency or currencyColumn (one of them)" });
    }
    if (!m.hasHeader) {
      const named = { dateColumn: m.dateColumn, amountColumn: m.amountColumn, creditColumn: m.creditColumn, debitColumn: m.debitColumn, currencyColumn: m.currencyColumn, payerColumn: m.payerColumn, payerAccountColumn: m.payerAccountColumn, referenceColumn: m.referenceColumn, valueDateColumn: m.valueDateColumn };
      for (const [field, value] of Object.entries(named)) {
        if (value !== undefined && !/^[1-9]\d*$/.test(value)) ctx.addIssue({ code: "custom", path: [field], message: `${field} must be a column number (1, 2, …) when the file has no header` });
      }
      m.remittanceColumns.forEach((value, i) => {
        if (!/^[1-9]\d*$/.test(value)) ctx.addIssue({ code: "custom", path: ["remittanceColumns", i], message: "remittanceColumns must be column numbers (1, 2, …) when the file has no header" });
      });
    }
  });

export type BankCsvMapping = z.infer<typeof bankCsvMappingSchema>;

/** Reads a date in the mapping's format; null when it does not fit. */
export function readBankDate(value: string, format: BankCsvMapping["dateFormat"]): IsoDate | null {
  const v = value.trim();
  let match: RegExpExecArray | null;
  let iso: string | null = null;
  if (format === "YYYY-MM-DD") iso = /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : null;
  else if ((match = /^(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})$/.exec(v))) {
    const [, a = "", b = "", y = ""] = match;
    const separatorOk = format === "DD.MM.YYYY" ? v.includes(".") : v.includes("/");
    if (!separatorOk) return null;
    const [day, month] = format === "MM/DD/YYYY" ? [b, a] : [a, b];
    // Two-digit years are this century: bank statements are never from the 1900s.
    const year = y.length === 2 ? `20${y}` : y;
    iso = `${year}-${month.padStart(2, "0")}-${day.padStart(2, "0")}`;
  }
  return iso && isIsoDate(iso) ? iso : null;
}

/**
 * A signed amount as banks print it ("1.234,56", "-1,234.56", "1 234,56", "1'234.56",
 * "123,45-", "(12.00)") -> minor units, by string arithmetic. Thousands separators must sit in
 * groups of three, so "1.234,56" can never be read as 1.23456.
 */
export function readBankAmount(value: string, decimalSeparator: "." | ",", currency: string): number | null {
  let v = value.trim().replace(/[\s\u00a0\u202f']/g, "");
  v = v.replace(new RegExp(`^${currency}|${currency}$`, "i"), "").replace(/^[€$£]|[€$£]$/, "");
  let negative = false;
  if (/^\(.*\)$/.test(v)) [negative, v] = [true, v.slice(1, -1)];
  if (/^[-+]/.test(v)) [negative, v] = [v.startsWith("-") !== negative, v.slice(1)];
  else if (/[-+]$/.test(v)) [negative, v] = [v.endsWith("-") !== negative, v.slice(0, -1)];
  const thousands = decimalSeparator === "," ? "\\." : ",";
  const decimal = decimalSeparator === "," ? "," : "\\.";
  const match = new RegExp(`^(\\d{1,3}(?:${thousands}\\d{3})+|\\d+)(?:${decimal}(\\d+))?$`).exec(v) ?? new RegExp(`^()${decimal}(\\d+)$`).exec(v);
  if (!match) return null;
  const whole = (match[1] ?? "").replace(/\D/g, "") || "0";
  const fraction = (match[2] ?? "").replace(/0+$/, "");
  const exponent = currencyExponent(currency);
  if (fraction.length > exponent) return null;
  const minor = BigInt(whole + fraction.padEnd(exponent, "0"));
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return negative ? -Number(minor) : Number(minor);
}

function detectDelimiter(text: string): "," | ";" | "\t" {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const counts = ([";", "\t", ","] as const).map((d) => [d, firstLine.split(d).length - 1] as const);
  return counts.reduce((best, c) => (c[1] > best[1] ? c : best))[0];
}

const sha256 = (parts: unknown[]) => createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32);

type Record = { record: string[]; info: { lines: number } };

export function parseBankCsv(text: string, rawMapping: BankCsvMapping): ParsedStatement {
  const parsedMapping = bankCsvMappingSchema.safeParse(rawMapping);
  if (!parsedMapping.success) throw new BankFileError(`The column mapping is not valid: ${parsedMapping.error.issues.map((i) => i.message).join("; ")}`);
  const mapping = parsedMapping.data;
  let records: Record[];
  try {
    records = parse(text, { delimiter: mapping.delimiter ?? detectDelimiter(text), bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: true, info: true }) as unknown as Record[];
  } catch (error) {
    throw new BankFileError(`The file cannot be read as CSV: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (mapping.hasHeader && records.length === 0) throw new BankFileError("The file is empty: it has no header row");

  const header = mapping.hasHeader ? records[0]!.record.map((h) => h.trim().toLowerCase()) : null;
  const indexOf = (name: string, field: string): number => {
    if (!header) return Number(name) - 1;
    const index = header.indexOf(name.trim().toLowerCase());
    if (index < 0) throw new BankFileError(`Column "${name}" (${field}) is not in the header`);
    return index;
  };
  const optionalIndex = (name: string | undefined, field: string) => (name === undefined ? null : indexOf(name, field));
  const columns = {
    date: indexOf(mapping.dateColumn, "dateColumn"),
    valueDate: optionalIndex(mapping.valueDateColumn, "valueDateColumn"),
    amount: optionalIndex(mapping.amountColumn, "amountColumn"),
    credit: optionalIndex(mapping.creditColumn, "creditColumn"),
    debit: optionalIndex(mapping.debitColumn, "debitColumn"),
    currency: optionalIndex(mapping.currencyColumn, "currencyColumn"),
    payer: optionalIndex(mapping.payerColumn, "payerColumn"),
    payerAccount: optionalIndex(mapping.payerAccountColumn, "payerAccountColumn"),
    reference: optionalIndex(mapping.referenceColumn, "referenceColumn"),
    remittance: mapping.remittanceColumns.map((c) => indexOf(c, "remittanceColumns")),
  };
  const label = (index: number) => (header ? `"${records[0]!.record[index]}"` : `column ${index + 1}`);

  const lines: BankLine[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of mapping.hasHeader ? records.slice(1) : records) {
    const row = info.lines;
    const cell = (index: number | null) => (index === null ? "" : (record[index] ?? "").trim());
    const fail = (index: number, problem: string): never => {
      throw new BankFileError(`Row ${row}, ${label(index)}: ${problem}`);
    };

    const currency = mapping.currency ?? cell(columns.currency).toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency)) fail(columns.currency!, `"${cell(columns.currency)}" is not a currency code`);
    try {
      currencyExponent(currency);
    } catch {
      fail(columns.currency!, `"${currency}" is not a currency code`);
    }

    const amountIn = (index: number) => {
      const raw = cell(index);
      if (raw === "") return null;
      const value = readBankAmount(raw, mapping.decimalSeparator, currency);
      return value ?? fail(index, `"${raw}" is not an amount (decimal separator "${mapping.decimalSeparator}", at most ${currencyExponent(currency)} decimals)`);
    };
    let signed: number;
    if (columns.amount !== null) {
      const value = amountIn(columns.amount);
      if (value === null) fail(columns.amount, "the amount is missing");
      signed = value!;
    } else {
      const credit = amountIn(columns.credit!);
      const debit = amountIn(columns.debit!);
      if ((credit ?? 0) !== 0 && (debit ?? 0) !== 0) fail(columns.debit!, "both the credit and the debit column hold an amount");
      if (credit === null && debit === null) fail(columns.credit!, "neither the credit nor the debit column holds an amount");
      // Some banks print debits as negative numbers in the debit column, some as positive.
      signed = (credit ?? 0) !== 0 ? Math.abs(credit!) : -Math.abs(debit ?? 0);
    }
    if (signed === 0) continue; // a zero line moves no money

    const bookingDate = readBankDate(cell(columns.date), mapping.dateFormat) ?? fail(columns.date, `"${cell(columns.date)}" is not a date in the format ${mapping.dateFormat}`);
    let valueDate: IsoDate | null = null;
    if (columns.valueDate !== null && cell(columns.valueDate) !== "") {
      valueDate = readBankDate(cell(columns.valueDate), mapping.dateFormat) ?? fail(columns.valueDate, `"${cell(columns.valueDate)}" is not a date in the format ${mapping.dateFormat}`);
    }

    // Identical rows (two equal transfers on one day) stay distinct by their occurrence, and a
    // re-import of the same file numbers them the same way.
    const reference = cell(columns.reference);
    const key = reference || JSON.stringify(record);
    const occurrence = (seen.get(key) ?? 0) + 1;
    seen.set(key, occurrence);
    const entryRef = reference ? (occurrence === 1 ? reference : `${reference}#${occurrence}`) : `sha256:${sha256([record, occurrence])}`;

    lines.push({
      entryRef,
      bookingDate,
      valueDate,
      amountMinor: Math.abs(signed),
      currency,
      direction: signed > 0 ? "credit" : "debit",
      payerName: cell(columns.payer) || null,
      payerAccount: cell(columns.payerAccount).replace(/\s/g, "") || null,
      remittance: columns.remittance.map((i) => cell(i)).filter(Boolean).join(" ").replace(/\s+/g, " "),
      bankReference: reference || null,
    });
  }
  const currencies = new Set(lines.map((l) => l.currency));
  return {
    format: "csv",
    statementId: null,
    accountId: null,
    currency: mapping.currency ?? (currencies.size === 1 ? [...currencies][0]! : null),
    openingBalanceMinor: null,
    closingBalanceMinor: null,
    lines,
  };
}
