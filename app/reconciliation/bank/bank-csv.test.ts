import { describe, expect, it } from "vitest";
import { generateBankScenario, toBankCsv } from "../../../tests/generators/bank-statements";
import { bankCsvMappingSchema, parseBankCsv, readBankAmount, type BankCsvMapping } from "./bank-csv";
import { BankFileError } from "./types";

const german: BankCsvMapping = {
  delimiter: ";",
  hasHeader: true,
  dateColumn: "Buchungstag",
  valueDateColumn: "Valuta",
  dateFormat: "DD.MM.YYYY",
  amountColumn: "Betrag",
  decimalSeparator: ",",
  currency: "EUR",
  payerColumn: "Auftraggeber",
  remittanceColumns: ["Verwendungszweck 1", "Verwendungszweck 2"],
};

const germanCsv = [
  "Buchungstag;Valuta;Auftraggeber;Verwendungszweck 1;Verwendungszweck 2;Betrag",
  '02.03.2026;03.03.2026;"Müller; Söhne GmbH";RE 000123;Danke;1.234,56',
  "04.03.2026;;Vermieter;Miete;;-950,00",
  "05.03.2026;05.03.2026;Bank;Zinsen;;0,07",
  "05.03.2026;05.03.2026;Bank;Zinsen;;0,07",
  "06.03.2026;;Kunde;INV 7;;1 234 567,8",
].join("\n");

const us: BankCsvMapping = {
  hasHeader: true,
  dateColumn: "Date",
  dateFormat: "MM/DD/YYYY",
  creditColumn: "Credit",
  debitColumn: "Debit",
  decimalSeparator: ".",
  currencyColumn: "Currency",
  payerColumn: "Description",
  remittanceColumns: ["Memo"],
  referenceColumn: "Ref",
};

const usCsv = `Date,Description,Memo,Debit,Credit,Currency,Ref
03/02/2026,ACME INC,"INV-000123, INV-000127","","1,234.56",USD,R1
03/03/2026,Payroll,Salaries,"2,000.00",,USD,R2
03/04/2026,Stripe,STRIPE PAYOUT po_1Abc,,$99.10,usd,R2
`;

const errorOf = (csv: string, mapping: BankCsvMapping) => {
  try {
    parseBankCsv(csv, mapping);
  } catch (error) {
    expect(error).toBeInstanceOf(BankFileError);
    return (error as Error).message;
  }
  throw new Error("expected a BankFileError");
};

describe("readBankAmount", () => {
  it("reads thousands separators in both conventions and refuses what does not group by three", () => {
    expect(readBankAmount("1.234,56", ",", "EUR")).toBe(123_456);
    expect(readBankAmount("1 234,56", ",", "EUR")).toBe(123_456);
    expect(readBankAmount("1,234.56", ".", "USD")).toBe(123_456);
    expect(readBankAmount("-1,234.5", ".", "USD")).toBe(-123_450);
    expect(readBankAmount("123,45-", ",", "EUR")).toBe(-12_345);
    expect(readBankAmount("(12.00)", ".", "USD")).toBe(-1_200);
    expect(readBankAmount("1.234", ",", "EUR")).toBe(123_400);
    expect(readBankAmount("1,234", ".", "JPY")).toBe(1_234);
    expect(readBankAmount("1.23", ",", "EUR")).toBeNull();
    expect(readBankAmount("1,234.56", ",", "EUR")).toBeNull();
    expect(readBankAmount("1.005", ".", "EUR")).toBeNull();
  });
});

describe("parseBankCsv", () => {
  it("reads a German export: semicolons, DD.MM.YYYY, 1.234,56, signed amounts, two remittance columns", () => {
    const s = parseBankCsv(germanCsv, german);
    expect(s).toMatchObject({ format: "csv", currency: "EUR", statementId: null });
    expect(s.lines.map((l) => [l.bookingDate, l.valueDate, l.direction, l.amountMinor, l.payerName, l.remittance])).toEqual([
      ["2026-03-02", "2026-03-03", "credit", 123_456, "Müller; Söhne GmbH", "RE 000123 Danke"],
      ["2026-03-04", null, "debit", 95_000, "Vermieter", "Miete"],
      ["2026-03-05", "2026-03-05", "credit", 7, "Bank", "Zinsen"],
      ["2026-03-05", "2026-03-05", "credit", 7, "Bank", "Zinsen"],
      ["2026-03-06", null, "credit", 123_456_780, "Kunde", "INV 7"],
    ]);
  });

  it("keeps identical rows apart and gives the same refs on re-import", () => {
    const refs = parseBankCsv(germanCsv, german).lines.map((l) => l.entryRef);
    expect(new Set(refs).size).toBe(refs.length);
    expect(parseBankCsv(germanCsv, german).lines.map((l) => l.entryRef)).toEqual(refs);
  });

  it("reads a US export with separate credit and debit columns and a reference column", () => {
    const s = parseBankCsv(usCsv, us);
    expect(s.lines.map((l) => [l.bookingDate, l.direction, l.amountMinor, l.currency, l.entryRef, l.bankReference])).toEqual([
      ["2026-03-02", "credit", 123_456, "USD", "R1", "R1"],
      ["2026-03-03", "debit", 200_000, "USD", "R2", "R2"],
      ["2026-03-04", "credit", 9_910, "USD", "R2#2", "R2"],
    ]);
    expect(s.lines[0]!.remittance).toBe("INV-000123, INV-000127");
  });

  it("reads files without a header by column number", () => {
    const mapping: BankCsvMapping = { hasHeader: false, dateColumn: "1", dateFormat: "YYYY-MM-DD", amountColumn: "3", decimalSeparator: ".", currency: "EUR", remittanceColumns: ["2"] };
    expect(parseBankCsv("2026-03-01,INV-000001,10.00\n", mapping).lines[0]).toMatchObject({ amountMinor: 1000, remittance: "INV-000001" });
  });

  it("refuses bad rows naming the row and the column", () => {
    expect(errorOf(germanCsv.replace("1.234,56", "1,234.56"), german)).toMatch(/^Row 2, "Betrag": "1,234.56" is not an amount/);
    expect(errorOf(germanCsv.replace("04.03.2026", "2026-03-04"), german)).toBe('Row 3, "Buchungstag": "2026-03-04" is not a date in the format DD.MM.YYYY');
    expect(errorOf(germanCsv.replace("04.03.2026", "31.02.2026"), german)).toBe('Row 3, "Buchungstag": "31.02.2026" is not a date in the format DD.MM.YYYY');
    expect(errorOf(usCsv.replace('"","1,234.56"', '"5.00","1,234.56"'), us)).toBe('Row 2, "Debit": both the credit and the debit column hold an amount');
    expect(errorOf(usCsv.replace('"","1,234.56"', '"",""'), us)).toBe('Row 2, "Credit": neither the credit nor the debit column holds an amount');
    expect(errorOf(usCsv.replace("usd", "dollars"), us)).toBe('Row 4, "Currency": "dollars" is not a currency code');
    expect(errorOf(germanCsv, { ...german, amountColumn: "Amount" })).toBe('Column "Amount" (amountColumn) is not in the header');
  });

  it("validates the mapping with messages that name the field", () => {
    const problems = (m: unknown) => bankCsvMappingSchema.safeParse(m).error?.issues.map((i) => i.message) ?? [];
    expect(problems(german)).toEqual([]);
    expect(problems({ ...german, amountColumn: undefined })).toContain("amountColumn is required, or both creditColumn and debitColumn");
    expect(problems({ ...german, currency: undefined })).toContain("Give either currency or currencyColumn (one of them)");
    expect(problems({ ...german, dateFormat: "D/M/Y" })).toContain("dateFormat must be one of YYYY-MM-DD, DD.MM.YYYY, DD/MM/YYYY, MM/DD/YYYY");
    expect(problems({ ...german, hasHeader: false })).toContain("dateColumn must be a column number (1, 2, …) when the file has no header");
    expect(problems({ ...german, decimalSeparator: "'" })).toContain('decimalSeparator must be "." or ","');
  });

  it("reads back every line of a generated statement exactly", () => {
    const scenario = generateBankScenario({ seed: 11, customers: 50, invoicesPerCustomer: 4, lines: 200 });
    const { csv, mapping } = toBankCsv(scenario);
    expect(parseBankCsv(csv, mapping).lines).toEqual(scenario.lines.map((l) => l.line));
  });
});
