import { stringify } from "csv-stringify/sync";
import type { Statement } from "~/ledger/statements.server";
import { toDecimalString } from "~/money/money";

const columns = ["record_type", "date", "type", "reference", "description", "due_date", "days_past_due", "original", "charge", "credit", "amount", "balance", "currency"] as const;
type Row = Partial<Record<(typeof columns)[number], string | number | null>> & { record_type: "opening" | "line" | "closing" | "aging" | "open_item" | "unapplied" };

// A spreadsheet runs a cell that starts like a formula; text from references and memos is quoted out of that.
const text = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

/**
 * The statement as one table: a record_type column says what each row is, amounts are plain
 * decimals of the statement's currency, so a spreadsheet sums them to the figures on the PDF.
 */
export function statementCsv(statement: Statement): string {
  const { currency } = statement.customer;
  const amount = (minor: number) => toDecimalString(minor, currency);
  const rows: Row[] = [
    ...(statement.kind === "activity"
      ? [
          { record_type: "opening", date: statement.from, description: "Opening balance", balance: amount(statement.openingMinor) } as Row,
          ...statement.lines.map(
            (line): Row => ({
              record_type: "line",
              date: line.date,
              type: line.type,
              reference: text(line.reference),
              description: text(line.description),
              charge: line.chargeMinor ? amount(line.chargeMinor) : null,
              credit: line.creditMinor ? amount(line.creditMinor) : null,
              balance: amount(line.balanceMinor),
            }),
          ),
        ]
      : []),
    { record_type: "closing", date: statement.to, description: "Closing balance", balance: amount(statement.closingMinor) },
    ...statement.aging.map((bucket): Row => ({ record_type: "aging", date: statement.to, type: bucket.key, description: bucket.label, amount: amount(bucket.amountMinor) })),
    { record_type: "aging", date: statement.to, type: "total", description: "Open invoices", amount: amount(statement.agingTotalMinor) },
    { record_type: "unapplied", date: statement.to, description: "Unapplied payments and credits", amount: amount(-statement.unappliedMinor) },
    ...statement.openItems.map(
      (item): Row => ({
        record_type: "open_item",
        date: item.date,
        type: item.kind,
        reference: text(item.reference),
        due_date: item.dueDate,
        days_past_due: item.daysPastDue,
        original: amount(item.originalMinor),
        amount: amount(item.openMinor),
      }),
    ),
  ];
  return stringify(
    rows.map((row) => ({ ...row, currency })),
    // The byte-order mark tells Excel the file is UTF-8, so "Zoë" and "1–30 days" survive.
    { header: true, bom: true, columns: [...columns], cast: { number: String } },
  );
}
