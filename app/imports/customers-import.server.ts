import { inArray, or } from "drizzle-orm";
import { customers, invoices, payments, type Customer } from "~db/schema";
import { getDb, type Db } from "~db/client";
import type { Actor } from "~/audit/audit.server";
import { customerInputSchema, type CustomerInput } from "~/customers/customer-schema";
import { createCustomer, updateCustomer } from "~/customers/customers.server";
import { formatBps, toDecimalString } from "~/money/money";
import { importColumns } from "./columns";
import { readCsvRows, type CsvRow, type CsvSource } from "./csv.server";
import { emptyCounts, ErrorLog, type Planned, type ScanHooks, type ScanResult } from "./report";

/** CSV column -> field of customerInputSchema. */
const fieldOf = {
  external_ref: "externalRef",
  account_number: "accountNumber",
  name: "name",
  legal_name: "legalName",
  email: "email",
  phone: "phone",
  address_line1: "addressLine1",
  address_line2: "addressLine2",
  city: "city",
  region: "region",
  postal_code: "postalCode",
  country: "country",
  currency: "currency",
  payment_terms_days: "paymentTermsDays",
  early_discount_percent: "earlyDiscountPercent",
  early_discount_days: "earlyDiscountDays",
  credit_limit: "creditLimit",
  credit_hold: "creditHold",
  tax_id: "taxId",
  segment: "segment",
  time_zone: "timeZone",
} as const;
type Column = keyof typeof fieldOf;
const columnOf = Object.fromEntries(Object.entries(fieldOf).map(([column, field]) => [field, column])) as Record<string, Column>;

export type CustomerRecord = { input: CustomerInput; customerId: string | null; name: string };

const BATCH = 500;

/** A stored customer as the form strings the schema reads, for the columns a file leaves out. */
function asInput(c: Customer): Record<string, string> {
  return {
    externalRef: c.externalRef ?? "",
    accountNumber: c.accountNumber,
    name: c.name,
    legalName: c.legalName ?? "",
    email: c.email ?? "",
    phone: c.phone ?? "",
    addressLine1: c.addressLine1 ?? "",
    addressLine2: c.addressLine2 ?? "",
    city: c.city ?? "",
    region: c.region ?? "",
    postalCode: c.postalCode ?? "",
    country: c.country ?? "",
    currency: c.currency,
    paymentTermsDays: String(c.paymentTermsDays),
    earlyDiscountPercent: c.earlyDiscountBps ? formatBps(c.earlyDiscountBps) : "",
    earlyDiscountDays: String(c.earlyDiscountDays),
    creditLimit: c.creditLimitMinor === null ? "" : toDecimalString(c.creditLimitMinor, c.currency),
    creditHold: String(c.creditHold),
    taxId: c.taxId ?? "",
    segment: c.segment ?? "",
    timeZone: c.timeZone,
    collectorId: c.collectorId ?? "",
  };
}

function isUnchanged(input: CustomerInput, c: Customer) {
  const stored: Record<string, unknown> = {
    ...asInput(c),
    earlyDiscountBps: c.earlyDiscountBps,
    earlyDiscountDays: c.earlyDiscountDays,
    paymentTermsDays: c.paymentTermsDays,
    creditLimitMinor: c.creditLimitMinor,
    creditHold: c.creditHold,
  };
  const same = (a: unknown, b: unknown) => (a ?? "") === (b ?? "");
  return (
    (input.accountNumber === undefined || input.accountNumber === c.accountNumber) &&
    (
      [
        "name", "legalName", "email", "phone", "addressLine1", "addressLine2", "city", "region", "postalCode", "country", "currency",
        "paymentTermsDays", "earlyDiscountBps", "earlyDiscountDays", "creditLimitMinor", "creditHold", "taxId", "externalRef", "segment", "timeZone",
      ] as const
    ).every((key) => same(input[key], stored[key]))
  );
}

/**
 * Reads a customers file and decides, row by row, create / update / unchanged / error, matching
 * on external_ref. Columns the file leaves out keep their stored values on an update. Rows are
 * checked (and, when applying, applied) in batches, so memory stays flat for any file size.
 */
export async function scanCustomers(source: CsvSource, hooks: ScanHooks<CustomerRecord> = {}, db: Db = getDb()): Promise<ScanResult> {
  const log = new ErrorLog();
  const counts = emptyCounts();
  const refRows = new Map<string, number>();
  const accountRows = new Map<string, number>();
  let totalRows = 0;
  let validRows = 0;
  let batch: CsvRow[] = [];

  const flush = async () => {
    const planned = await planBatch(batch, { log, refRows, accountRows }, db);
    batch = [];
    for (const record of planned) {
      counts[record.action] += 1;
      validRows += 1;
    }
    if (hooks.onBatch && planned.length > 0) await hooks.onBatch(planned, log);
  };

  for await (const row of readCsvRows(source, importColumns.customers)) {
    totalRows += 1;
    batch.push(row);
    if (batch.length === BATCH) await flush();
    await hooks.onRead?.(totalRows, row.bytes);
  }
  if (batch.length > 0) await flush();
  counts.invalid = log.rowCount;
  return { totalRows, validRows, counts, log };
}

async function planBatch(
  rows: CsvRow[],
  seen: { log: ErrorLog; refRows: Map<string, number>; accountRows: Map<string, number> },
  db: Db,
): Promise<Planned<CustomerRecord>[]> {
  const { log, refRows, accountRows } = seen;
  const candidates: CsvRow[] = [];
  for (const row of rows) {
    if (row.problem) {
      log.add(row.row, row.problem.column, row.problem.message);
      continue;
    }
    const ref = row.values.external_ref ?? "";
    if (!ref) {
      log.add(row.row, "external_ref", "external_ref is required: it is how a re-import finds the customer");
      continue;
    }
    const earlier = refRows.get(ref);
    if (earlier !== undefined) {
      log.add(row.row, "external_ref", `External reference ${ref} is also on row ${earlier}`);
      continue;
    }
    refRows.set(ref, row.row);
    candidates.push(row);
  }
  if (candidates.length === 0) return [];

  const refs = candidates.map((r) => r.values.external_ref!);
  const accounts = candidates.map((r) => r.values.account_number).filter((a): a is string => Boolean(a));
  const stored = await db
    .select()
    .from(customers)
    .where(or(inArray(customers.externalRef, refs), accounts.length > 0 ? inArray(customers.accountNumber, accounts) : undefined));
  const byRef = new Map(stored.filter((c) => c.externalRef).map((c) => [c.externalRef!, c]));
  const byAccount = new Map(stored.map((c) => [c.accountNumber, c]));

  const parsed: { row: CsvRow; input: CustomerInput; existing: Customer | undefined }[] = [];
  for (const row of candidates) {
    const existing = byRef.get(row.values.external_ref!);
    const given = Object.fromEntries(Object.entries(row.values).map(([column, value]) => [fieldOf[column as Column], value]));
    // Columns absent from the file keep what is stored; the collector is never in a file.
    const result = customerInputSchema.safeParse(existing ? { ...asInput(existing), ...given, collectorId: existing.collectorId ?? "" } : given);
    if (!result.success) {
      for (const issue of result.error.issues) {
        const field = String(issue.path[0] ?? "");
        log.add(row.row, columnOf[field] ?? null, issue.message);
      }
      continue;
    }
    const input = result.data;
    if (input.accountNumber) {
      const owner = byAccount.get(input.accountNumber);
      const earlier = accountRows.get(input.accountNumber);
      if (owner && owner.id !== existing?.id) {
        log.add(row.row, "account_number", `Account number ${input.accountNumber} belongs to ${owner.name}${owner.externalRef ? ` (external reference ${owner.externalRef})` : ""}`);
        continue;
      }
      if (earlier !== undefined) {
        log.add(row.row, "account_number", `Account number ${input.accountNumber} is also on row ${earlier}`);
        continue;
      }
      accountRows.set(input.accountNumber, row.row);
    }
    parsed.push({ row, input, existing });
  }

  // The currency is fixed once a customer has anything in the books (updateCustomer refuses too).
  const recurrencied = parsed.filter((p) => p.existing && p.input.currency !== p.existing.currency).map((p) => p.existing!.id);
  const booked = new Set<string>();
  if (recurrencied.length > 0) {
    const [withInvoices, withPayments] = await Promise.all([
      db.selectDistinct({ id: invoices.customerId }).from(invoices).where(inArray(invoices.customerId, recurrencied)),
      db.selectDistinct({ id: payments.customerId }).from(payments).where(inArray(payments.customerId, recurrencied)),
    ]);
    for (const { id } of [...withInvoices, ...withPayments]) booked.add(id);
  }

  const planned: Planned<CustomerRecord>[] = [];
  for (const { row, input, existing } of parsed) {
    if (existing && booked.has(existing.id)) {
      log.add(row.row, "currency", `The currency stays ${existing.currency}: ${existing.name} already has invoices or payments`);
      continue;
    }
    const action = !existing ? "create" : isUnchanged(input, existing) ? "unchanged" : "update";
    planned.push({ rows: [row.row], action, data: { input, customerId: existing?.id ?? null, name: input.name } });
  }
  return planned;
}

/** Applies one planned customer in its own transaction (createCustomer / updateCustomer record the audit). */
export async function applyCustomer(record: Planned<CustomerRecord>, actor: Actor, db: Db = getDb()) {
  const { input, customerId } = record.data;
  if (record.action === "unchanged") return "unchanged" as const;
  if (customerId) {
    await updateCustomer(customerId, input, actor, db);
    return "updated" as const;
  }
  await createCustomer(input, actor, db);
  return "created" as const;
}
