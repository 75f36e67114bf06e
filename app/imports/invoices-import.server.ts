import { and, asc, eq, inArray, or, sql } from "drizzle-orm";
import { customers, invoiceLines, invoices, payments, type Customer } from "~db/schema";
import { getDb, type Db } from "~db/client";
import type { Actor } from "~/audit/audit.server";
import { invoiceTotals, priceLine, type LineInput } from "~/ledger/invoice-math";
import { createIssuedInvoice, MAX_INVOICE_LINES } from "~/ledger/invoices.server";
import { recordPayment } from "~/ledger/payments.server";
import { formatMoney, formatQuantity, parseAmount, parsePercentToBps, parseQuantity } from "~/money/money";
import { isIsoDate, maxDate, today } from "~/utils/dates";
import { importColumns } from "./columns";
import { readCsvRows, type CsvSource } from "./csv.server";
import { emptyCounts, ErrorLog, type Planned, type ScanHooks, type ScanResult } from "./report";

export type InvoiceRecord = {
  ref: string;
  customerId: string;
  currency: string;
  number: string | null;
  issueDate: string;
  dueDate: string | null;
  poNumber: string | null;
  memo: string | null;
  lines: LineInput[];
  /** What the source system says it has received in all, as minor units. */
  paidMinor: number;
  /** The invoice already in Settle, and what a re-import adds to its payments. */
  invoiceId: string | null;
  paymentMinor: number;
};

/** Values that describe the whole invoice: the same on each of its rows, or blank after the first. */
const headerFields = ["customer_external_ref", "customer_account_number", "number", "issue_date", "due_date", "currency", "po_number", "memo", "amount_paid"] as const;
type HeaderField = (typeof headerFields)[number];

type Line = { row: number; description: string; quantityMilli: number; unitPrice: string; taxRateBps: number };
type Group = { ref: string; rows: number[]; header: Partial<Record<HeaderField, { value: string; row: number }>>; lines: Line[]; badRow: number | null };

const maxLength: Partial<Record<HeaderField | "description", number>> = {
  customer_external_ref: 100,
  customer_account_number: 40,
  number: 50,
  po_number: 100,
  memo: 500,
  description: 500,
};

const BATCH = 500;
const CORRECT_IN_SETTLE = "An imported invoice is never changed by a re-import: correct it in Settle with a credit note, or void it";
const PAID_REFERENCE = "Paid before import";

// Settle numbers its own invoices INV-000001, INV-000002…: an imported number in that form would
// collide with a future one.
const settleSeries = /^INV-(\d{6}|[1-9]\d{6,})$/;

/** Reads one row into its invoice's group; problems go to the log and mark the invoice bad. */
function readRow(groups: Map<string, Group>, row: number, values: Record<string, string>, problem: { column: string | null; message: string } | null, log: ErrorLog) {
  const ref = values.invoice_external_ref ?? "";
  if (!ref || ref.length > 100) {
    log.add(row, "invoice_external_ref", ref ? "invoice_external_ref must be at most 100 characters" : "invoice_external_ref is required: rows with the same reference form one invoice");
    return;
  }
  let group = groups.get(ref);
  if (!group) groups.set(ref, (group = { ref, rows: [], header: {}, lines: [], badRow: null }));
  group.rows.push(row);
  let ok = true;
  const fail = (column: string | null, message: string) => {
    log.add(row, column, message);
    ok = false;
  };
  if (problem) fail(problem.column, problem.message);
  for (const field of headerFields) {
    const value = field === "currency" ? (values[field] ?? "").toUpperCase() : (values[field] ?? "");
    if (!value) continue;
    const limit = maxLength[field];
    const earlier = group.header[field];
    if (limit && value.length > limit) fail(field, `${field} must be at most ${limit} characters`);
    else if ((field === "issue_date" || field === "due_date") && !isIsoDate(value)) fail(field, `${field} must be a date like 2026-01-31`);
    else if (field === "currency" && !/^[A-Z]{3}$/.test(value)) fail(field, "currency must be an ISO code such as USD");
    else if (field === "number" && settleSeries.test(value)) fail(field, `${value} is in Settle's own invoice series (INV-000001…); give another number or leave it blank`);
    else if (earlier && earlier.value !== value) fail(field, `${field} is ${value} here but ${earlier.value} on row ${earlier.row}, for the same invoice`);
    else group.header[field] ??= { value, row };
  }
  const description = values.description ?? "";
  if (!description) fail("description", "description is required");
  else if (description.length > maxLength.description!) fail("description", `description must be at most ${maxLength.description} characters`);
  const quantity = values.quantity ? parseQuantity(values.quantity) : ({ ok: true, quantityMilli: 1000 } as const);
  if (!quantity.ok) fail("quantity", `quantity: ${quantity.message}`);
  else if (quantity.quantityMilli === 0) fail("quantity", "quantity must be more than zero");
  const tax = values.tax_rate ? parsePercentToBps(values.tax_rate) : ({ ok: true, bps: 0 } as const);
  if (!tax.ok) fail("tax_rate", `tax_rate: ${tax.message}`);
  const unitPrice = values.unit_price ?? "";
  if (!unitPrice) fail("unit_price", "unit_price is required");
  if (ok && quantity.ok && tax.ok) group.lines.push({ row, description, quantityMilli: quantity.quantityMilli, unitPrice, taxRateBps: tax.bps });
  else group.badRow ??= row;
}

/**
 * Reads an invoices file (one row per line), groups rows by invoice_external_ref, and decides
 * per invoice: create / update (only a larger amount_paid, recorded as a payment) / unchanged /
 * error. An invoice with a problem on any row is skipped whole. Rows stream in; the groups
 * (small: the parsed lines) stay in memory, since an invoice's rows may be anywhere in the file.
 */
export async function scanInvoices(source: CsvSource, hooks: ScanHooks<InvoiceRecord> = {}, db: Db = getDb()): Promise<ScanResult> {
  const log = new ErrorLog();
  const counts = emptyCounts();
  const groups = new Map<string, Group>();
  let totalRows = 0;
  for await (const { row, values, problem, bytes } of readCsvRows(source, importColumns.invoices, { oneOf: [["customer_external_ref", "customer_account_number"]] })) {
    totalRows += 1;
    readRow(groups, row, values, problem, log);
    await hooks.onRead?.(totalRows, bytes);
  }
  let validRows = 0;
  const numbers = new Map<string, { ref: string; row: number }>();
  const all = [...groups.values()];
  for (let i = 0; i < all.length; i += BATCH) {
    const planned = await planBatch(all.slice(i, i + BATCH), { log, numbers }, db);
    for (const record of planned) {
      counts[record.action] += 1;
      validRows += record.rows.length;
    }
    if (hooks.onBatch && planned.length > 0) await hooks.onBatch(planned, log);
  }
  counts.invalid = all.length - counts.create - counts.update - counts.unchanged;
  return { totalRows, validRows, counts, log };
}

async function planBatch(groups: Group[], { log, numbers }: { log: ErrorLog; numbers: Map<string, { ref: string; row: number }> }, db: Db): Promise<Planned<InvoiceRecord>[]> {
  const skip = (group: Group) => group.rows.forEach((row) => log.skip(row));
  const good = groups.filter((group) => {
    if (group.badRow === null) return true;
    skip(group);
    return false;
  });
  if (good.length === 0) return [];

  const values = (field: HeaderField) => [...new Set(good.map((g) => g.header[field]?.value).filter((v): v is string => Boolean(v)))];
  const [custRefs, custAccounts, givenNumbers] = [values("customer_external_ref"), values("customer_account_number"), values("number")];
  const [customerRows, existingRows, numberRows] = await Promise.all([
    custRefs.length + custAccounts.length > 0
      ? db
          .select()
          .from(customers)
          .where(or(custRefs.length ? inArray(customers.externalRef, custRefs) : undefined, custAccounts.length ? inArray(customers.accountNumber, custAccounts) : undefined))
      : Promise.resolve([] as Customer[]),
    db
      .select({ invoice: invoices, accountNumber: customers.accountNumber })
      .from(invoices)
      .innerJoin(customers, eq(customers.id, invoices.customerId))
      .where(inArray(invoices.externalRef, good.map((g) => g.ref))),
    givenNumbers.length > 0 ? db.select({ id: invoices.id, number: invoices.number }).from(invoices).where(inArray(invoices.number, givenNumbers)) : Promise.resolve([]),
  ]);
  const existingIds = existingRows.map((r) => r.invoice.id);
  const [storedLines, paidRows] = existingIds.length
    ? await Promise.all([
        db.select().from(invoiceLines).where(inArray(invoiceLines.invoiceId, existingIds)).orderBy(asc(invoiceLines.invoiceId), asc(invoiceLines.position)),
        // What earlier imports recorded as paid, whatever became of those payments since.
        db
          .select({ invoiceId: sql<string>`split_part(${payments.sourceKey}, ':', 3)`, paidMinor: sql<string>`sum(${payments.amountMinor})` })
          .from(payments)
          .where(and(eq(payments.source, "import"), sql`split_part(${payments.sourceKey}, ':', 2) = 'import-paid'`, inArray(sql`split_part(${payments.sourceKey}, ':', 3)`, existingIds)))
          .groupBy(sql`1`),
      ])
    : [[], []];
  const customerByRef = new Map(customerRows.filter((c) => c.externalRef).map((c) => [c.externalRef!, c]));
  const customerByAccount = new Map(customerRows.map((c) => [c.accountNumber, c]));
  const existingByRef = new Map(existingRows.map((r) => [r.invoice.externalRef!, r]));
  const numberOwner = new Map(numberRows.map((r) => [r.number!, r.id]));
  const linesOf = new Map<string, typeof storedLines>();
  for (const line of storedLines) linesOf.set(line.invoiceId, [...(linesOf.get(line.invoiceId) ?? []), line]);
  const paidBefore = new Map(paidRows.map((r) => [r.invoiceId, Number(r.paidMinor)]));

  const planned: Planned<InvoiceRecord>[] = [];
  for (const group of good) {
    const h = group.header;
    const first = group.rows[0]!;
    const reject = (row: number, column: string | null, message: string) => {
      log.add(row, column, message);
      skip(group);
    };

    const byRef = h.customer_external_ref ? customerByRef.get(h.customer_external_ref.value) : undefined;
    const byAccount = h.customer_account_number ? customerByAccount.get(h.customer_account_number.value) : undefined;
    if (!h.customer_external_ref && !h.customer_account_number) {
      reject(first, "customer_external_ref", "Give customer_external_ref or customer_account_number");
      continue;
    }
    if (h.customer_external_ref && !byRef) {
      reject(h.customer_external_ref.row, "customer_external_ref", `No customer has the external reference ${h.customer_external_ref.value}; import the customers first`);
      continue;
    }
    if (h.customer_account_number && !byAccount) {
      reject(h.customer_account_number.row, "customer_account_number", `No customer has the account number ${h.customer_account_number.value}`);
      continue;
    }
    if (byRef && byAccount && byRef.id !== byAccount.id) {
      reject(h.customer_account_number!.row, "customer_account_number", `Account ${byAccount.accountNumber} is ${byAccount.name}, but external reference ${h.customer_external_ref!.value} is ${byRef.name}`);
      continue;
    }
    const customer = (byRef ?? byAccount)!;
    if (!h.issue_date) {
      reject(first, "issue_date", "issue_date is required");
      continue;
    }
    if (h.currency && h.currency.value !== customer.currency) {
      reject(h.currency.row, "currency", `${customer.name} is billed in ${customer.currency}; this invoice is in ${h.currency.value}`);
      continue;
    }
    const currency = customer.currency;
    if (h.due_date && h.due_date.value < h.issue_date.value) {
      reject(h.due_date.row, "due_date", "due_date is before issue_date");
      continue;
    }
    if (group.lines.length > MAX_INVOICE_LINES) {
      reject(group.lines[MAX_INVOICE_LINES]!.row, "invoice_external_ref", `An invoice has at most ${MAX_INVOICE_LINES} lines; ${group.ref} has ${group.lines.length}`);
      continue;
    }

    const lines: LineInput[] = [];
    for (const line of group.lines) {
      const price = parseAmount(line.unitPrice, currency);
      if (!price.ok) log.add(line.row, "unit_price", `unit_price: ${price.message}`);
      else lines.push({ description: line.description, quantityMilli: line.quantityMilli, unitPriceMinor: price.amountMinor, taxRateBps: line.taxRateBps });
    }
    if (lines.length < group.lines.length) {
      skip(group);
      continue;
    }
    let totalMinor: number;
    try {
      totalMinor = invoiceTotals(lines.map(priceLine)).totalMinor;
    } catch {
      reject(first, "unit_price", "The amounts of this invoice are too large");
      continue;
    }
    if (totalMinor <= 0) {
      reject(first, "unit_price", `The invoice must total more than zero; its lines total ${formatMoney(totalMinor, currency)}`);
      continue;
    }
    let paidMinor = 0;
    if (h.amount_paid) {
      const paid = parseAmount(h.amount_paid.value, currency);
      if (!paid.ok || paid.amountMinor < 0) {
        reject(h.amount_paid.row, "amount_paid", paid.ok ? "amount_paid cannot be negative" : `amount_paid: ${paid.message}`);
        continue;
      }
      if (paid.amountMinor > totalMinor) {
        reject(h.amount_paid.row, "amount_paid", `amount_paid ${formatMoney(paid.amountMinor, currency)} is more than the invoice total ${formatMoney(totalMinor, currency)}`);
        continue;
      }
      paidMinor = paid.amountMinor;
    }

    const existing = existingByRef.get(group.ref);
    const number = h.number?.value ?? null;
    if (number) {
      const inFile = numbers.get(number);
      if (inFile && inFile.ref !== group.ref) {
        reject(h.number!.row, "number", `Invoice number ${number} is also on row ${inFile.row}, for invoice ${inFile.ref}`);
        continue;
      }
      numbers.set(number, { ref: group.ref, row: h.number!.row });
      const owner = numberOwner.get(number);
      if (owner && owner !== existing?.invoice.id) {
        reject(h.number!.row, "number", `Invoice number ${number} is already used by another invoice in Settle`);
        continue;
      }
    }

    const record: InvoiceRecord = {
      ref: group.ref,
      customerId: customer.id,
      currency,
      number,
      issueDate: h.issue_date.value,
      dueDate: h.due_date?.value ?? null,
      poNumber: h.po_number?.value ?? null,
      memo: h.memo?.value ?? null,
      lines,
      paidMinor,
      invoiceId: null,
      paymentMinor: 0,
    };
    if (!existing) {
      planned.push({ rows: group.rows, action: "create", data: record });
      continue;
    }

    const { invoice } = existing;
    const label = `Invoice ${group.ref} (${invoice.number})`;
    if (invoice.customerId !== customer.id) {
      reject(h.customer_external_ref?.row ?? h.customer_account_number!.row, h.customer_external_ref ? "customer_external_ref" : "customer_account_number", `${label} belongs to account ${existing.accountNumber} in Settle. ${CORRECT_IN_SETTLE}`);
      continue;
    }
    if (number && number !== invoice.number) {
      reject(h.number!.row, "number", `${label} is numbered ${invoice.number} in Settle, not ${number}. ${CORRECT_IN_SETTLE}`);
      continue;
    }
    if (record.issueDate !== invoice.issueDate) {
      reject(h.issue_date.row, "issue_date", `${label} was issued on ${invoice.issueDate} in Settle; this file says ${record.issueDate}. ${CORRECT_IN_SETTLE}`);
      continue;
    }
    if (totalMinor !== invoice.totalMinor) {
      reject(first, null, `${label} totals ${formatMoney(invoice.totalMinor, currency)} in Settle; this file totals ${formatMoney(totalMinor, currency)}. ${CORRECT_IN_SETTLE}`);
      continue;
    }
    const stored = linesOf.get(invoice.id) ?? [];
    const differs = lineDifference(group.lines, lines, stored);
    if (differs) {
      reject(differs.row, differs.column, `${label}: ${differs.message} in Settle. ${CORRECT_IN_SETTLE}`);
      continue;
    }
    const before = paidBefore.get(invoice.id) ?? 0;
    if (paidMinor < before) {
      reject(h.amount_paid?.row ?? first, "amount_paid", `${label}: amount_paid went down from ${formatMoney(before, currency)} to ${formatMoney(paidMinor, currency)}. ${CORRECT_IN_SETTLE}`);
      continue;
    }
    if (paidMinor > before) {
      const more = paidMinor - before;
      if (invoice.status !== "open" || more > invoice.openMinor) {
        const open = invoice.status === "open" ? `only ${formatMoney(invoice.openMinor, currency)} is open on it` : `it is ${invoice.status.replace("_", " ")}`;
        reject(h.amount_paid!.row, "amount_paid", `${label}: amount_paid grew by ${formatMoney(more, currency)}, but ${open} in Settle`);
        continue;
      }
      planned.push({ rows: group.rows, action: "update", data: { ...record, invoiceId: invoice.id, paymentMinor: more } });
      continue;
    }
    planned.push({ rows: group.rows, action: "unchanged", data: { ...record, invoiceId: invoice.id } });
  }
  return planned;
}

function lineDifference(read: Line[], lines: LineInput[], stored: { description: string; quantityMilli: number; unitPriceMinor: number; taxRateBps: number }[]) {
  if (lines.length !== stored.length) return { row: read[0]!.row, column: "description", message: `this file has ${lines.length} lines, the invoice has ${stored.length}` };
  for (const [i, line] of lines.entries()) {
    const was = stored[i]!;
    const row = read[i]!.row;
    if (line.description !== was.description) return { row, column: "description", message: `line ${i + 1} reads "${was.description}"` };
    if (line.quantityMilli !== was.quantityMilli) return { row, column: "quantity", message: `line ${i + 1} has quantity ${formatQuantity(was.quantityMilli)}` };
    if (line.unitPriceMinor !== was.unitPriceMinor) return { row, column: "unit_price", message: `line ${i + 1} has another unit price` };
    if (line.taxRateBps !== was.taxRateBps) return { row, column: "tax_rate", message: `line ${i + 1} has another tax rate` };
  }
  return null;
}

/**
 * Applies one planned invoice in its own transaction: a crash leaves it all there or not at all.
 * What the source already received becomes one payment applied to it, keyed by the invoice and
 * the cumulative amount, so a replay records it once.
 */
export async function applyInvoice(record: Planned<InvoiceRecord>, actor: Actor, db: Db = getDb()) {
  if (record.action === "unchanged") return "unchanged" as const;
  const r = record.data;
  return db.transaction(async (tx) => {
    let invoiceId = r.invoiceId;
    let paymentMinor = r.paymentMinor;
    if (!invoiceId) {
      const invoice = await createIssuedInvoice(
        {
          customerId: r.customerId,
          lines: r.lines,
          issueDate: r.issueDate,
          dueDate: r.dueDate ?? undefined,
          poNumber: r.poNumber,
          memo: r.memo,
          externalRef: r.ref,
          source: "import",
          number: r.number ?? undefined,
          notify: false,
        },
        actor,
        tx,
      );
      invoiceId = invoice.id;
      paymentMinor = r.paidMinor;
    }
    if (paymentMinor > 0) {
      await recordPayment(
        {
          customerId: r.customerId,
          currency: r.currency,
          amountMinor: paymentMinor,
          method: "other",
          reference: PAID_REFERENCE,
          receivedOn: maxDate(r.issueDate, today()),
          idempotencyKey: `import-paid:${invoiceId}:${r.paidMinor}`,
          allocations: [{ invoiceId, amountMinor: paymentMinor }],
          source: "import",
        },
        actor,
        tx,
      );
    }
    return r.invoiceId ? ("updated" as const) : ("created" as const);
  });
}
