import { z } from "zod";
import { addMonths, endOfMonth, startOfMonth, type IsoDate } from "~/utils/dates";
import { isoDateSchema } from "~/utils/form-schemas";
import { fieldErrors, type FieldErrors } from "~/utils/validation";

export const statementKinds = { activity: "Activity", open_item: "Open items" } as const;
export type StatementKind = keyof typeof statementKinds;

export const statementTitle = (kind: StatementKind) => (kind === "activity" ? "Statement of account" : "Open item statement");

/** A line's description where it adds to its type and reference ("Invoice INV-000040" does not). */
export const lineDetail = (line: { type: string; reference: string; description: string }) => (line.description === `${line.type} ${line.reference}`.trim() ? null : line.description);

export type StatementQuery = { kind: StatementKind; from: IsoDate; to: IsoDate; asOf: IsoDate };

const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
// The database has no year 0 and nobody keeps books for the year 9999.
const dateOr = (label: string, fallback: IsoDate) =>
  z.preprocess(blankToUndefined, isoDateSchema(label).refine((d) => d >= "1900-01-01" && d <= "2999-12-31", `${label} must be between 1900 and 2999`).default(fallback));

/** The statement's query string; an empty or missing field takes its default, the current month (or today). */
export function statementQuerySchema(today: IsoDate) {
  return z
    .object({
      kind: z.preprocess(blankToUndefined, z.enum(["activity", "open_item"], { message: "Statement must be Activity or Open items" }).default("activity")),
      from: dateOr("From date", startOfMonth(today)),
      to: dateOr("To date", endOfMonth(today)),
      asOf: dateOr("As-of date", today),
    })
    .refine((q) => q.from <= q.to, { path: ["from"], message: "From date must be on or before the To date" });
}

export function parseStatementQuery(search: URLSearchParams, today: IsoDate): { ok: true; query: StatementQuery } | { ok: false; errors: FieldErrors } {
  const parsed = statementQuerySchema(today).safeParse(Object.fromEntries(search));
  return parsed.success ? { ok: true, query: parsed.data } : { ok: false, errors: fieldErrors(parsed.error) };
}

/** The same parameters as a query string, so the PDF and CSV links give the numbers on screen. */
export const statementSearch = ({ kind, from, to, asOf }: StatementQuery) => new URLSearchParams(kind === "activity" ? { kind, from, to } : { kind, asOf }).toString();

/** The periods people ask for most, ending no later than the end of the current one. */
export function quickPeriods(today: IsoDate) {
  const month = Number(today.slice(5, 7));
  const quarterStart = `${today.slice(0, 4)}-${String(month - ((month - 1) % 3)).padStart(2, "0")}-01`;
  const lastMonth = addMonths(startOfMonth(today), -1);
  return [
    { label: "This month", from: startOfMonth(today), to: endOfMonth(today) },
    { label: "Last month", from: lastMonth, to: endOfMonth(lastMonth) },
    { label: "This quarter", from: quarterStart, to: endOfMonth(addMonths(quarterStart, 2)) },
    { label: "Year to date", from: `${today.slice(0, 4)}-01-01`, to: today },
  ];
}
