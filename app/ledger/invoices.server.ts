import { and, asc, desc, eq, ilike, inArray, lt, or, type SQL } from "drizzle-orm";
import { allocations, creditNotes, customers, invoiceLines, invoices, journalEntries, payments, writeOffRequests, type Invoice } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import { generateToken } from "~/auth/crypto.server";
import { recipientsFor } from "~/customers/recipients.server";
import { enqueueEmail } from "~/email/outbox.server";
import { getCompanySettings } from "~/settings/settings.server";
import { addDays, today, type IsoDate } from "~/utils/dates";
import { appUrl, getEnv, portalSignInLink } from "~/utils/env.server";
import { DomainError } from "~/utils/errors";
import { formatMoney } from "~/money/money";
import { staffIdOf } from "./actor";
import { invoiceTotals, priceLine, type LineInput } from "./invoice-math";
import { postEntry } from "./journal.server";
import { takeNumber } from "./numbering.server";
import { invoiceDisplayStatus, type InvoiceDisplayStatus } from "./status";
import { afterCursor, cursorKey, decodeCursor, pageOf } from "~/utils/cursor.server";
import { once } from "~/utils/once.server";
import { likePattern } from "~/utils/like";

export type InvoiceDraftInput = {
  customerId: string;
  lines: LineInput[];
  issueDate?: IsoDate | null;
  dueDate?: IsoDate | null;
  poNumber?: string | null;
  memo?: string | null;
  externalRef?: string | null;
  source?: "settle" | "import" | "api";
  /** The form's or caller's key: creating with the same key again returns the first invoice. */
  idempotencyKey?: string;
};

export const MAX_INVOICE_LINES = 200;

async function lockCustomer(customerId: string, db: Db) {
  const [customer] = await db.select().from(customers).where(eq(customers.id, customerId));
  if (!customer) throw new DomainError("not_found", "Customer not found", "customerId");
  return customer;
}

function checkLines(lines: LineInput[]) {
  if (lines.length === 0) throw new DomainError("invalid", "An invoice needs at least one line", "lines");
  if (lines.length > MAX_INVOICE_LINES) throw new DomainError("invalid", `An invoice has at most ${MAX_INVOICE_LINES} lines`, "lines");
  const priced = lines.map(priceLine);
  const totals = invoiceTotals(priced);
  if (totals.totalMinor < 0) throw new DomainError("invalid", "The invoice total cannot be negative", "lines");
  if (priced.some((line) => line.totalMinor < 0 && line.unitPriceMinor >= 0)) throw new DomainError("invalid", "A line total cannot be negative", "lines");
  return { priced, totals };
}

async function writeLines(invoiceId: string, priced: ReturnType<typeof priceLine>[], db: Db) {
  await db.insert(invoiceLines).values(priced.map((line, position) => ({ invoiceId, position, ...line })));
}

/** A draft: nothing reaches the books until it is issued. Totals are always computed here. */
export async function createDraftInvoice(input: InvoiceDraftInput, actor: Actor, db: Db = getDb()): Promise<Invoice> {
  if (input.idempotencyKey) {
    const { idempotencyKey, ...rest } = input;
    return (await once({ key: `invoice-draft:${idempotencyKey}`, resource: "invoice" }, db, (tx) => createDraftInvoice(rest, actor, tx), loadInvoice)).value;
  }
  return db.transaction(async (tx) => {
    const customer = await lockCustomer(input.customerId, tx);
    if (input.externalRef) {
      const [taken] = await tx.select({ id: invoices.id }).from(invoices).where(eq(invoices.externalRef, input.externalRef));
      if (taken) throw new DomainError("conflict", `External reference ${input.externalRef} is already used by another invoice`, "externalRef");
    }
    const { priced, totals } = checkLines(input.lines);
    const [invoice] = await tx
      .insert(invoices)
      .values({
        customerId: customer.id,
        currency: customer.currency,
        source: input.source ?? "settle",
        issueDate: input.issueDate ?? null,
        dueDate: input.dueDate ?? null,
        paymentTermsDays: customer.paymentTermsDays,
        earlyDiscountBps: customer.earlyDiscountBps,
        earlyDiscountDays: customer.earlyDiscountDays,
        poNumber: input.poNumber ?? null,
        memo: input.memo ?? null,
        externalRef: input.externalRef ?? null,
        publicToken: generateToken(),
        createdBy: staffIdOf(actor),
        ...totals,
      })
      .returning();
    await writeLines(invoice!.id, priced, tx);
    await recordAudit(
      { actor, action: "invoice.create_draft", entityType: "invoice", entityId: invoice!.id, customerId: customer.id, after: { ...totals, lines: priced.length } },
      tx,
    );
    return invoice!;
  });
}

async function loadInvoice(invoiceId: string, db: Db) {
  const [invoice] = await db.select().from(invoices).where(eq(invoices.id, invoiceId));
  return invoice!;
}

async function lockInvoice(invoiceId: string, db: Db) {
  const [invoice] = await db.select().from(invoices).where(eq(invoices.id, invoiceId)).for("update");
  if (!invoice) throw new DomainError("not_found", "Invoice not found");
  return invoice;
}

export async function updateDraftInvoice(invoiceId: string, input: Omit<InvoiceDraftInput, "customerId" | "source">, actor: Actor, db: Db = getDb()) {
  return db.transaction(async (tx) => {
    const before = await lockInvoice(invoiceId, tx);
    if (before.status !== "draft") throw new DomainError("conflict", "Only a draft can be edited; this invoice is issued");
    const { priced, totals } = checkLines(input.lines);
    await tx.delete(invoiceLines).where(eq(invoiceLines.invoiceId, invoiceId));
    await writeLines(invoiceId, priced, tx);
    const [after] = await tx
      .update(invoices)
      .set({ issueDate: input.issueDate ?? null, dueDate: input.dueDate ?? null, poNumber: input.poNumber ?? null, memo: input.memo ?? null, ...totals })
      .where(eq(invoices.id, invoiceId))
      .returning();
    await recordAudit(
      { actor, action: "invoice.update_draft", entityType: "invoice", entityId: invoiceId, customerId: before.customerId, before: pickMoney(before), after: pickMoney(after!) },
      tx,
    );
    return after!;
  });
}

export async function deleteDraftInvoice(invoiceId: string, actor: Actor, db: Db = getDb()) {
  await db.transaction(async (tx) => {
    const invoice = await lockInvoice(invoiceId, tx);
    if (invoice.status !== "draft") throw new DomainError("conflict", "Only a draft can be deleted; void an issued invoice instead");
    await tx.delete(invoices).where(eq(invoices.id, invoiceId));
    await recordAudit({ actor, action: "invoice.delete_draft", entityType: "invoice", entityId: invoiceId, customerId: invoice.customerId, before: pickMoney(invoice) }, tx);
  });
}

const pickMoney = (i: Invoice) => ({
  number: i.number,
  status: i.status,
  issueDate: i.issueDate,
  dueDate: i.dueDate,
  subtotalMinor: i.subtotalMinor,
  taxMinor: i.taxMinor,
  totalMinor: i.totalMinor,
  openMinor: i.openMinor,
});

export type IssueOptions = {
  invoiceId: string;
  issueDate?: IsoDate;
  /** Imported invoices keep the number, dates and terms their source system gave them. */
  number?: string;
  dueDate?: IsoDate;
  /** Email the invoice to the customer (not for invoices another system already sent). */
  notify?: boolean;
};

/**
 * Draft -> open: takes the next gapless number, fixes the dates, posts the receivable, and
 * emails the customer in the same transaction. Issuing an issued invoice changes nothing.
 */
export async function issueInvoice(options: IssueOptions, actor: Actor, db: Db = getDb()): Promise<Invoice> {
  return db.transaction(async (tx) => {
    const draft = await lockInvoice(options.invoiceId, tx);
    if (draft.status !== "draft") {
      if (draft.status === "void") throw new DomainError("conflict", "This invoice is void");
      return draft;
    }
    if (draft.totalMinor <= 0) throw new DomainError("invalid", "An invoice must total more than zero to be issued", "lines");
    const issueDate = options.issueDate ?? draft.issueDate ?? today();
    const dueDate = options.dueDate ?? draft.dueDate ?? addDays(issueDate, draft.paymentTermsDays);
    if (dueDate < issueDate) throw new DomainError("invalid", "The due date cannot be before the issue date", "dueDate");
    if (options.number) {
      const [taken] = await tx.select({ id: invoices.id }).from(invoices).where(eq(invoices.number, options.number));
      if (taken) throw new DomainError("conflict", `Invoice number ${options.number} is already used`, "number");
    }
    const number = options.number ?? (await takeNumber("invoice", tx));
    const [issued] = await tx
      .update(invoices)
      .set({
        status: "open",
        number,
        issueDate,
        dueDate,
        discountDueDate: draft.earlyDiscountBps > 0 ? addDays(issueDate, draft.earlyDiscountDays) : null,
        issuedAt: new Date(),
      })
      .where(eq(invoices.id, draft.id))
      .returning();
    const invoice = issued!;
    await postEntry(
      {
        sourceKey: `invoice:${invoice.id}:issued`,
        type: "invoice_issued",
        customerId: invoice.customerId,
        currency: invoice.currency,
        effectiveDate: issueDate,
        description: `Invoice ${number}`,
        invoiceId: invoice.id,
        actor,
        lines: [
          { account: "receivable", amountMinor: invoice.totalMinor, invoiceId: invoice.id },
          { account: "revenue", amountMinor: -invoice.subtotalMinor },
          { account: "tax_payable", amountMinor: -invoice.taxMinor },
        ],
      },
      tx,
    );
    await recordAudit(
      { actor, action: "invoice.issue", entityType: "invoice", entityId: invoice.id, customerId: invoice.customerId, before: pickMoney(draft), after: pickMoney(invoice) },
      tx,
    );
    if (options.notify !== false) await emailInvoice(invoice, tx);
    return invoice;
  });
}

async function emailInvoice(invoice: Invoice, db: Db) {
  const [customer] = await db.select().from(customers).where(eq(customers.id, invoice.customerId));
  if (!customer) return;
  const brand = await getCompanySettings(db);
  const base = appUrl(getEnv());
  for (const to of await recipientsFor(customer.id, "invoices", db)) {
    await enqueueEmail(
      {
        template: "invoice-issued",
        to,
        dedupeKey: `invoice-issued:${invoice.id}:${to}`,
        customerId: customer.id,
        metadata: { invoiceId: invoice.id },
        props: {
          brand,
          customerName: customer.name,
          invoiceNumber: invoice.number!,
          total: formatMoney(invoice.totalMinor, invoice.currency),
          issueDate: invoice.issueDate!,
          dueDate: invoice.dueDate!,
          viewUrl: `${base}/invoices/${invoice.publicToken}`,
          payUrl: portalSignInLink(`/portal/invoices/${invoice.id}`, base),
        },
      },
      db,
    );
  }
}

/** Creates and issues in one transaction (API, import, "Save and issue"): either both happen or neither. */
export async function createIssuedInvoice(
  input: InvoiceDraftInput & Pick<IssueOptions, "number" | "notify">,
  actor: Actor,
  db: Db = getDb(),
): Promise<Invoice> {
  if (input.idempotencyKey) {
    const { idempotencyKey, ...rest } = input;
    return (await once({ key: `invoice-issue:${idempotencyKey}`, resource: "invoice" }, db, (tx) => createIssuedInvoice(rest, actor, tx), loadInvoice)).value;
  }
  return db.transaction(async (tx) => {
    const draft = await createDraftInvoice(input, actor, tx);
    return issueInvoice({ invoiceId: draft.id, issueDate: input.issueDate ?? undefined, dueDate: input.dueDate ?? undefined, number: input.number, notify: input.notify }, actor, tx);
  });
}

/** Open -> void, only while nothing is applied to it: the journal gets the exact reversal. */
export async function voidInvoice({ invoiceId, reason, voidDate }: { invoiceId: string; reason: string; voidDate?: IsoDate }, actor: Actor, db: Db = getDb()) {
  return db.transaction(async (tx) => {
    const invoice = await lockInvoice(invoiceId, tx);
    if (invoice.status === "void") return invoice;
    if (invoice.status === "draft") throw new DomainError("conflict", "A draft is deleted, not voided");
    if (invoice.openMinor !== invoice.totalMinor) {
      throw new DomainError("conflict", "Payments or credits are applied to this invoice; unapply them or issue a credit note instead");
    }
    const effectiveDate = voidDate ?? today();
    const [voided] = await tx
      .update(invoices)
      .set({ status: "void", voidedAt: new Date(), voidReason: reason })
      .where(eq(invoices.id, invoiceId))
      .returning();
    await postEntry(
      {
        sourceKey: `invoice:${invoiceId}:void`,
        type: "invoice_voided",
        customerId: invoice.customerId,
        currency: invoice.currency,
        effectiveDate: effectiveDate < invoice.issueDate! ? invoice.issueDate! : effectiveDate,
        description: `Invoice ${invoice.number} voided: ${reason}`,
        invoiceId,
        actor,
        lines: [
          { account: "receivable", amountMinor: -invoice.totalMinor, invoiceId },
          // A fee invoice (issue 6) was booked to fee income, not revenue.
          { account: invoice.kind === "standard" ? "revenue" : "fee_income", amountMinor: invoice.subtotalMinor },
          { account: "tax_payable", amountMinor: invoice.taxMinor },
        ],
      },
      tx,
    );
    await recordAudit(
      { actor, action: "invoice.void", entityType: "invoice", entityId: invoiceId, customerId: invoice.customerId, before: pickMoney(invoice), after: { ...pickMoney(voided!), reason } },
      tx,
    );
    return voided!;
  });
}

export type InvoiceFilter = "all" | "draft" | "open" | "overdue" | "paid" | "void" | "written_off";
export const INVOICE_PAGE_SIZE = 25;

/**
 * Newest first, keyset-paginated on (created_at, id) so any page costs what the first does.
 * The cursor is opaque to callers.
 */
export async function listInvoices(
  { q, filter = "all", customerId, after, limit = INVOICE_PAGE_SIZE, asOf = today() }: { q?: string; filter?: InvoiceFilter; customerId?: string; after?: string; limit?: number; asOf?: IsoDate },
  db: Db = getDb(),
) {
  const conditions: (SQL | undefined)[] = [customerId ? eq(invoices.customerId, customerId) : undefined];
  if (filter === "overdue") conditions.push(eq(invoices.status, "open"), lt(invoices.dueDate, asOf));
  else if (filter !== "all") conditions.push(eq(invoices.status, filter));
  if (q) conditions.push(or(ilike(invoices.number, likePattern(q)), ilike(customers.name, likePattern(q)), ilike(invoices.externalRef, likePattern(q)), ilike(invoices.poNumber, likePattern(q))));
  conditions.push(afterCursor(invoices.createdAt, invoices.id, decodeCursor(after)));
  const rows = await db
    .select({
      id: invoices.id,
      number: invoices.number,
      status: invoices.status,
      customerId: invoices.customerId,
      customerName: customers.name,
      accountNumber: customers.accountNumber,
      currency: invoices.currency,
      issueDate: invoices.issueDate,
      dueDate: invoices.dueDate,
      totalMinor: invoices.totalMinor,
      openMinor: invoices.openMinor,
      createdAt: invoices.createdAt,
      cursorAt: cursorKey(invoices.createdAt),
    })
    .from(invoices)
    .innerJoin(customers, eq(customers.id, invoices.customerId))
    .where(and(...conditions))
    .orderBy(desc(invoices.createdAt), desc(invoices.id))
    .limit(limit + 1);
  const { page, nextCursor } = pageOf(rows, limit);
  return { invoices: page.map((row) => ({ ...row, displayStatus: invoiceDisplayStatus(row, asOf) as InvoiceDisplayStatus })), nextCursor };
}

/** Everything the invoice page shows, in a fixed number of queries. */
export async function getInvoiceDetail(invoiceId: string, db: Db = getDb()) {
  const [row] = await db
    .select({ invoice: invoices, customer: customers })
    .from(invoices)
    .innerJoin(customers, eq(customers.id, invoices.customerId))
    .where(eq(invoices.id, invoiceId));
  if (!row) return null;
  const [lines, applied, credits, entries, writeOffs] = await Promise.all([
    db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, invoiceId)).orderBy(asc(invoiceLines.position)),
    db
      .select({
        id: allocations.id,
        kind: allocations.kind,
        amountMinor: allocations.amountMinor,
        appliedOn: allocations.appliedOn,
        reversesId: allocations.reversesId,
        paymentId: allocations.paymentId,
        paymentReference: payments.reference,
        paymentMethod: payments.method,
        creditNoteId: allocations.creditNoteId,
        creditNoteNumber: creditNotes.number,
        createdAt: allocations.createdAt,
      })
      .from(allocations)
      .leftJoin(payments, eq(payments.id, allocations.paymentId))
      .leftJoin(creditNotes, eq(creditNotes.id, allocations.creditNoteId))
      .where(eq(allocations.invoiceId, invoiceId))
      .orderBy(asc(allocations.createdAt)),
    db.select().from(creditNotes).where(eq(creditNotes.invoiceId, invoiceId)).orderBy(asc(creditNotes.createdAt)),
    db.select().from(journalEntries).where(eq(journalEntries.invoiceId, invoiceId)).orderBy(asc(journalEntries.id)),
    db.select().from(writeOffRequests).where(eq(writeOffRequests.invoiceId, invoiceId)).orderBy(desc(writeOffRequests.requestedAt)),
  ]);
  return { invoice: row.invoice, customer: row.customer, lines, applied, credits, entries, writeOffs };
}

export async function getInvoiceByToken(token: string, db: Db = getDb()) {
  const [row] = await db.select({ id: invoices.id }).from(invoices).where(and(eq(invoices.publicToken, token), inArray(invoices.status, ["open", "paid", "written_off", "void"])));
  return row ? getInvoiceDetail(row.id, db) : null;
}

/** A customer's open invoices, oldest due first: the order automatic allocation pays them in. */
export async function listOpenInvoices(customerId: string, db: Db = getDb()) {
  return db
    .select()
    .from(invoices)
    .where(and(eq(invoices.customerId, customerId), eq(invoices.status, "open")))
    .orderBy(asc(invoices.dueDate), asc(invoices.issueDate), asc(invoices.number));
}
