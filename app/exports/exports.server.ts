import { stringify } from "csv-stringify/sync";
import { and, asc, eq, gte, lte, sql } from "drizzle-orm";
import { customers, invoices, journalEntries, journalLines, payments } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { toDecimalString } from "~/money/money";
import { exportRangeSchema, journalColumns, paymentColumns, type ExportKind, type ExportRange } from "./export-kinds";

/** The range of a download URL; a bad one answers 400 in words (a resource route throws a Response, not data). */
export function requireExportRange(url: URL): ExportRange {
  const range = exportRangeSchema.safeParse(Object.fromEntries(url.searchParams));
  if (range.success) return range.data;
  throw new Response(range.error.issues.map((i) => i.message).join("\n"), { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

// CSV exports for the business's accounting system. Rows are read in keyset batches and written
// as they come, so an export of any size never sits in memory; amounts are plain decimals.
const BATCH = 5000;

type JournalCursor = { date: string; id: number };
type PaymentCursor = { date: string; id: string };

/** The lines of the next BATCH entries after the cursor: the keyset runs over entries, so an entry is never split. */
function journalPage({ from, to }: ExportRange, after: JournalCursor | null, batchSize: number, db: Db) {
  const page = db
    .select({ id: journalEntries.id })
    .from(journalEntries)
    .where(
      and(
        gte(journalEntries.effectiveDate, from),
        lte(journalEntries.effectiveDate, to),
        after ? sql`(${journalEntries.effectiveDate}, ${journalEntries.id}) > (${after.date}::date, ${after.id})` : undefined,
      ),
    )
    .orderBy(asc(journalEntries.effectiveDate), asc(journalEntries.id))
    .limit(batchSize)
    .as("page");
  return db
    .select({
      entryId: journalEntries.id,
      date: journalEntries.effectiveDate,
      type: journalEntries.type,
      accountNumber: customers.accountNumber,
      invoiceNumber: invoices.number,
      account: journalLines.account,
      amountMinor: journalLines.amountMinor,
      currency: journalLines.currency,
      description: journalEntries.description,
      sourceKey: journalEntries.sourceKey,
    })
    .from(journalLines)
    .innerJoin(page, eq(page.id, journalLines.entryId))
    .innerJoin(journalEntries, eq(journalEntries.id, journalLines.entryId))
    .innerJoin(customers, eq(customers.id, journalEntries.customerId))
    .leftJoin(invoices, eq(invoices.id, sql`coalesce(${journalLines.invoiceId}, ${journalEntries.invoiceId})`))
    .orderBy(asc(journalEntries.effectiveDate), asc(journalEntries.id), asc(journalLines.id));
}

/** Every journal line whose entry is dated in the range, entry by entry, debits and credits apart. */
export async function* journalCsv(range: ExportRange, db: Db = getDb(), batchSize = BATCH): AsyncGenerator<string> {
  yield stringify([journalColumns]);
  let after: JournalCursor | null = null;
  for (;;) {
    const rows = await journalPage(range, after, batchSize, db);
    if (rows.length === 0) return;
    yield stringify(
      rows.map((r) => [
        r.entryId,
        r.date,
        r.type,
        r.accountNumber,
        r.invoiceNumber ?? "",
        r.account,
        r.amountMinor > 0 ? toDecimalString(r.amountMinor, r.currency) : "",
        r.amountMinor < 0 ? toDecimalString(-r.amountMinor, r.currency) : "",
        r.currency,
        r.description,
        r.sourceKey,
      ]),
    );
    const last = rows.at(-1)!;
    after = { date: last.date, id: last.entryId };
    if (new Set(rows.map((r) => r.entryId)).size < batchSize) return;
  }
}

function paymentPage({ from, to }: ExportRange, after: PaymentCursor | null, batchSize: number, db: Db) {
  return db
    .select({
      id: payments.id,
      date: payments.receivedOn,
      accountNumber: customers.accountNumber,
      customerName: customers.name,
      method: payments.method,
      reference: payments.reference,
      amountMinor: payments.amountMinor,
      allocatedMinor: payments.allocatedMinor,
      refundedMinor: payments.refundedMinor,
      currency: payments.currency,
      status: payments.status,
    })
    .from(payments)
    .innerJoin(customers, eq(customers.id, payments.customerId))
    .where(
      and(
        gte(payments.receivedOn, from),
        lte(payments.receivedOn, to),
        after ? sql`(${payments.receivedOn}, ${payments.id}) > (${after.date}::date, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(asc(payments.receivedOn), asc(payments.id))
    .limit(batchSize);
}

/** Payments received in the range, with what is applied, refunded and still unapplied of each. */
export async function* paymentsCsv(range: ExportRange, db: Db = getDb(), batchSize = BATCH): AsyncGenerator<string> {
  yield stringify([paymentColumns]);
  let after: PaymentCursor | null = null;
  for (;;) {
    const rows = await paymentPage(range, after, batchSize, db);
    if (rows.length === 0) return;
    yield stringify(
      rows.map((p) => {
        const money = (minor: number) => toDecimalString(minor, p.currency);
        const unapplied = p.status === "received" ? p.amountMinor - p.allocatedMinor - p.refundedMinor : 0;
        return [p.id, p.date, p.accountNumber, p.customerName, p.method, p.reference ?? "", money(p.amountMinor), money(p.allocatedMinor), money(p.refundedMinor), money(unapplied), p.currency, p.status];
      }),
    );
    const last = rows.at(-1)!;
    after = { date: last.date, id: last.id };
    if (rows.length < batchSize) return;
  }
}

export const exporters: Record<ExportKind, (range: ExportRange, db?: Db) => AsyncGenerator<string>> = { journal: journalCsv, payments: paymentsCsv };

export const exportFilename = (kind: ExportKind, { from, to }: ExportRange) => `settle-${kind}-${from}-to-${to}.csv`;

/** A download streamed chunk by chunk as the browser reads it; a cancelled download stops the reads. */
export function csvResponse(filename: string, chunks: AsyncGenerator<string>) {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await chunks.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "no-store",
    },
  });
}
