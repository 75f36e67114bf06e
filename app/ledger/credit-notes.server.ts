import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { allocations, creditNoteLines, creditNotes, customers, invoiceLines, invoices, refunds, type CreditNote, type CreditNoteKind, type Invoice } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import { generateToken } from "~/auth/crypto.server";
import { formatMoney, sumMinor } from "~/money/money";
import { today, type IsoDate } from "~/utils/dates";
import { DomainError } from "~/utils/errors";
import { staffIdOf } from "./actor";
import {
  activeApplications,
  applyToInvoice,
  creditAvailable,
  claimOperationKey,
  lockCreditNote,
  lockCandidates,
  lockInvoices,
  planAllocations,
  reverseApplication,
  type AllocationRequest,
} from "./applications.server";
import { splitGross } from "./invoice-math";
import { postEntry, type JournalLineInput } from "./journal.server";
import { getInvoiceDetail } from "./invoices.server";
import { takeNumber } from "./numbering.server";
import { creditNoteKindLabels } from "./status";

export type CreditLineInput =
  /** Part or all of an invoice line, as a gross amount (tax included, split at the line's rate). */
  | { invoiceLineId: string; amountMinor: number; description?: string }
  /** A free line: account credit not tied to an invoice line. */
  | { invoiceLineId?: undefined; description: string; amountMinor: number; taxRateBps?: number };

export type IssueCreditNoteInput = {
  customerId: string;
  invoiceId?: string | null;
  /** Credit every line of `invoiceId` for what is left of it. */
  wholeInvoice?: boolean;
  lines?: CreditLineInput[];
  reason: string;
  memo?: string | null;
  issueDate?: IsoDate;
  /** Apply the credit to `invoiceId` at once (up to what is open); the rest stays as account credit. */
  applyToInvoice?: boolean;
  kind?: CreditNoteKind;
  idempotencyKey: string;
};

const kindLabel = creditNoteKindLabels;

/** What each invoice line has had credited already, so no line is credited beyond its total. */
async function creditedByLine(invoiceId: string, db: Db) {
  const rows = await db
    .select({ invoiceLineId: creditNoteLines.invoiceLineId, credited: sql<string>`sum(${creditNoteLines.totalMinor})` })
    .from(creditNoteLines)
    .innerJoin(creditNotes, eq(creditNotes.id, creditNoteLines.creditNoteId))
    .innerJoin(invoiceLines, eq(invoiceLines.id, creditNoteLines.invoiceLineId))
    .where(and(eq(invoiceLines.invoiceId, invoiceId), isNull(creditNotes.voidedAt)))
    .groupBy(creditNoteLines.invoiceLineId);
  return new Map(rows.map((r) => [r.invoiceLineId!, Number(r.credited)]));
}

/**
 * Issues a credit document: a credit note proper, an early-payment discount or a write-off
 * (ADR 009). It credits the customer's account; applied to an invoice, it reduces what is open.
 * The same idempotency key issues it once.
 */
export async function issueCreditNote(input: IssueCreditNoteInput, actor: Actor, db: Db = getDb()): Promise<CreditNote> {
  return db.transaction(async (tx) => {
    const sourceKey = `credit:${input.idempotencyKey}`;
    const [existing] = await tx.select().from(creditNotes).where(eq(creditNotes.sourceKey, sourceKey));
    if (existing) return existing;

    const kind = input.kind ?? "credit_note";
    const [customer] = await tx.select().from(customers).where(eq(customers.id, input.customerId));
    if (!customer) throw new DomainError("not_found", "Customer not found", "customerId");
    let invoice: Invoice | undefined;
    if (input.invoiceId) {
      invoice = (await lockInvoices([input.invoiceId], tx)).get(input.invoiceId);
      if (!invoice || invoice.customerId !== customer.id) throw new DomainError("invalid", "That invoice is not this customer's", "invoiceId");
      if (invoice.status === "draft" || invoice.status === "void") throw new DomainError("conflict", `A ${invoice.status} invoice cannot be credited`, "invoiceId");
    }
    if (!input.reason.trim()) throw new DomainError("invalid", "Give a reason for the credit", "reason");

    const lines = await resolveLines(input, invoice, tx);
    if (lines.length === 0) throw new DomainError("invalid", "A credit note needs at least one line with an amount", "lines");
    const subtotalMinor = sumMinor(lines.map((l) => l.netMinor));
    const taxMinor = sumMinor(lines.map((l) => l.taxMinor));
    const totalMinor = subtotalMinor + taxMinor;
    const issueDate = input.issueDate ?? today();
    const number = await takeNumber(kind, tx);
    const [note] = await tx
      .insert(creditNotes)
      .values({
        customerId: customer.id,
        kind,
        number,
        invoiceId: invoice?.id ?? null,
        currency: customer.currency,
        issueDate: invoice && issueDate < invoice.issueDate! ? invoice.issueDate! : issueDate,
        reason: input.reason.trim(),
        memo: input.memo ?? null,
        subtotalMinor,
        taxMinor,
        totalMinor,
        sourceKey,
        publicToken: generateToken(),
        createdBy: staffIdOf(actor),
      })
      .returning();
    await tx.insert(creditNoteLines).values(lines.map((line, position) => ({ creditNoteId: note!.id, position, ...line })));

    const debit: JournalLineInput[] =
      kind === "credit_note"
        ? [
            { account: "sales_returns", amountMinor: subtotalMinor },
            { account: "tax_payable", amountMinor: taxMinor },
          ]
        : [{ account: kind === "discount" ? "discounts_allowed" : "bad_debt", amountMinor: totalMinor }];
    await postEntry(
      {
        sourceKey: `credit_note:${note!.id}:issued`,
        type: kind === "credit_note" ? "credit_note_issued" : kind,
        customerId: customer.id,
        currency: customer.currency,
        effectiveDate: note!.issueDate,
        description: `${kindLabel[kind]} ${number}${invoice ? ` for invoice ${invoice.number}` : ""}`,
        invoiceId: invoice?.id ?? null,
        creditNoteId: note!.id,
        actor,
        lines: [...debit, { account: "customer_credit", amountMinor: -totalMinor }],
      },
      tx,
    );
    await recordAudit(
      {
        actor,
        action: `${kind}.issue`,
        entityType: "credit_note",
        entityId: note!.id,
        customerId: customer.id,
        after: { number, kind, invoice: invoice?.number ?? null, totalMinor, reason: note!.reason },
      },
      tx,
    );
    if (invoice && input.applyToInvoice !== false && invoice.openMinor > 0) {
      await applyToInvoice(
        {
          source: { kind, creditNote: note! },
          invoice,
          amountMinor: Math.min(totalMinor, invoice.openMinor),
          appliedOn: note!.issueDate,
          sourceKey: `${sourceKey}:apply:${invoice.id}`,
          actor,
        },
        tx,
      );
    }
    const [fresh] = await tx.select().from(creditNotes).where(eq(creditNotes.id, note!.id));
    return fresh!;
  });
}

type ResolvedLine = { invoiceLineId: string | null; description: string; taxRateBps: number; netMinor: number; taxMinor: number; totalMinor: number };

async function resolveLines(input: IssueCreditNoteInput, invoice: Invoice | undefined, db: Db): Promise<ResolvedLine[]> {
  const invoiceLineRows = invoice ? await db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, invoice.id)).orderBy(asc(invoiceLines.position)) : [];
  const credited = invoice ? await creditedByLine(invoice.id, db) : new Map<string, number>();
  const remainingOf = (lineId: string) => {
    const line = invoiceLineRows.find((l) => l.id === lineId)!;
    return line.totalMinor - (credited.get(lineId) ?? 0);
  };
  if (input.wholeInvoice) {
    if (!invoice) throw new DomainError("invalid", "Choose the invoice to credit", "invoiceId");
    return invoiceLineRows
      .filter((line) => remainingOf(line.id) > 0)
      .map((line) => ({ invoiceLineId: line.id, description: line.description, taxRateBps: line.taxRateBps, ...splitGross(remainingOf(line.id), line.taxRateBps) }));
  }
  return (input.lines ?? []).map((line, index) => {
    if (!Number.isSafeInteger(line.amountMinor) || line.amountMinor <= 0) throw new DomainError("invalid", `Line ${index + 1}: the amount must be more than zero`, "lines");
    if (line.invoiceLineId) {
      const source = invoiceLineRows.find((l) => l.id === line.invoiceLineId);
      if (!source) throw new DomainError("invalid", `Line ${index + 1}: that line is not on the invoice`, "lines");
      const remaining = remainingOf(source.id);
      if (line.amountMinor > remaining) {
        throw new DomainError("invalid", `Line ${index + 1}: only ${formatMoney(remaining, invoice!.currency)} of "${source.description}" is left to credit`, "lines");
      }
      credited.set(source.id, (credited.get(source.id) ?? 0) + line.amountMinor);
      return { invoiceLineId: source.id, description: line.description ?? source.description, taxRateBps: source.taxRateBps, ...splitGross(line.amountMinor, source.taxRateBps) };
    }
    const free = line as Extract<CreditLineInput, { invoiceLineId?: undefined }>;
    if (!free.description?.trim()) throw new DomainError("invalid", `Line ${index + 1}: describe the credit`, "lines");
    const taxRateBps = free.taxRateBps ?? 0;
    return { invoiceLineId: null, description: free.description.trim(), taxRateBps, ...splitGross(line.amountMinor, taxRateBps) };
  });
}

/** An issued invoice with what each line still has to credit (its total less live credit-note lines). */
export async function getCreditableInvoice(invoiceId: string, db: Db = getDb()) {
  const [detail, credited] = await Promise.all([getInvoiceDetail(invoiceId, db), creditedByLine(invoiceId, db)]);
  if (!detail) return null;
  return {
    ...detail,
    lines: detail.lines.map((line) => ({
      id: line.id,
      description: line.description,
      taxRateBps: line.taxRateBps,
      totalMinor: line.totalMinor,
      remainingMinor: line.totalMinor - (credited.get(line.id) ?? 0),
    })),
  };
}

/** Applies a credit document's unapplied amount to open invoices of its customer. */
export async function applyCreditNote(
  { creditNoteId, allocations: request, requestKey, appliedOn }: { creditNoteId: string; allocations: AllocationRequest; requestKey: string; appliedOn?: IsoDate },
  actor: Actor,
  db: Db = getDb(),
) {
  return db.transaction(async (tx) => {
    const note = await lockCreditNote(creditNoteId, tx);
    const opKey = `credit-apply:${requestKey}`;
    if (!(await claimOperationKey(opKey, tx))) return note;
    if (note.voidedAt) throw new DomainError("conflict", "This credit note is void");
    const keyFor = (invoiceId: string) => `${opKey}:${invoiceId}`;
    const candidates = await lockCandidates(note.customerId, request, tx);
    const plan = planAllocations(request, creditAvailable(note), candidates);
    for (const { invoice, amountMinor } of plan) {
      await applyToInvoice({ source: { kind: note.kind, creditNote: note }, invoice, amountMinor, appliedOn: appliedOn ?? today(), sourceKey: keyFor(invoice.id), actor }, tx);
    }
    await recordAudit(
      { actor, action: "credit_note.apply", entityType: "credit_note", entityId: note.id, customerId: note.customerId, after: plan.map((p) => ({ invoice: p.invoice.number, amountMinor: p.amountMinor })) },
      tx,
    );
    return (await lockCreditNote(creditNoteId, tx));
  });
}

/**
 * Voids a credit document: its applications are taken back first, then the issuing entry is
 * reversed. A refunded credit cannot be voided.
 */
export async function voidCreditNote({ creditNoteId, reason, voidDate }: { creditNoteId: string; reason: string; voidDate?: IsoDate }, actor: Actor, db: Db = getDb()) {
  return db.transaction(async (tx) => {
    const note = await lockCreditNote(creditNoteId, tx);
    if (note.voidedAt) return note;
    if (note.refundedMinor > 0) throw new DomainError("conflict", "Part of this credit was refunded; it cannot be voided");
    const effectiveDate = voidDate ?? today();
    for (const allocation of await activeApplications({ creditNoteId }, tx)) {
      await reverseApplication({ allocation, appliedOn: effectiveDate, actor }, tx);
    }
    const [voided] = await tx.update(creditNotes).set({ voidedAt: new Date(), voidReason: reason }).where(eq(creditNotes.id, creditNoteId)).returning();
    const credit: JournalLineInput[] =
      note.kind === "credit_note"
        ? [
            { account: "sales_returns", amountMinor: -note.subtotalMinor },
            { account: "tax_payable", amountMinor: -note.taxMinor },
          ]
        : [{ account: note.kind === "discount" ? "discounts_allowed" : "bad_debt", amountMinor: -note.totalMinor }];
    await postEntry(
      {
        sourceKey: `credit_note:${note.id}:voided`,
        type: "credit_note_voided",
        customerId: note.customerId,
        currency: note.currency,
        effectiveDate: effectiveDate < note.issueDate ? note.issueDate : effectiveDate,
        description: `${kindLabel[note.kind]} ${note.number} voided: ${reason}`,
        invoiceId: note.invoiceId,
        creditNoteId: note.id,
        actor,
        lines: [{ account: "customer_credit", amountMinor: note.totalMinor }, ...credit],
      },
      tx,
    );
    await recordAudit({ actor, action: `${note.kind}.void`, entityType: "credit_note", entityId: note.id, customerId: note.customerId, before: { number: note.number, totalMinor: note.totalMinor }, after: { reason } }, tx);
    return voided!;
  });
}

export const CREDIT_NOTE_PAGE_SIZE = 25;

export async function listCreditNotes({ customerId, kind, limit = CREDIT_NOTE_PAGE_SIZE, before }: { customerId?: string; kind?: CreditNoteKind; limit?: number; before?: string }, db: Db = getDb()) {
  return db
    .select({
      id: creditNotes.id,
      number: creditNotes.number,
      kind: creditNotes.kind,
      customerId: creditNotes.customerId,
      customerName: customers.name,
      invoiceId: creditNotes.invoiceId,
      invoiceNumber: invoices.number,
      currency: creditNotes.currency,
      issueDate: creditNotes.issueDate,
      reason: creditNotes.reason,
      totalMinor: creditNotes.totalMinor,
      allocatedMinor: creditNotes.allocatedMinor,
      refundedMinor: creditNotes.refundedMinor,
      voidedAt: creditNotes.voidedAt,
      createdAt: creditNotes.createdAt,
    })
    .from(creditNotes)
    .innerJoin(customers, eq(customers.id, creditNotes.customerId))
    .leftJoin(invoices, eq(invoices.id, creditNotes.invoiceId))
    .where(and(customerId ? eq(creditNotes.customerId, customerId) : undefined, kind ? eq(creditNotes.kind, kind) : undefined, before ? sql`${creditNotes.number} < ${before}` : undefined))
    .orderBy(desc(creditNotes.createdAt), desc(creditNotes.number))
    .limit(limit);
}

export async function getCreditNoteDetail(creditNoteId: string, db: Db = getDb()) {
  const [row] = await db.select({ note: creditNotes, customer: customers }).from(creditNotes).innerJoin(customers, eq(customers.id, creditNotes.customerId)).where(eq(creditNotes.id, creditNoteId));
  if (!row) return null;
  const [lines, applied, refundRows, invoice] = await Promise.all([
    db.select().from(creditNoteLines).where(eq(creditNoteLines.creditNoteId, creditNoteId)).orderBy(asc(creditNoteLines.position)),
    db
      .select({ id: allocations.id, invoiceId: allocations.invoiceId, invoiceNumber: invoices.number, amountMinor: allocations.amountMinor, appliedOn: allocations.appliedOn, reversesId: allocations.reversesId })
      .from(allocations)
      .innerJoin(invoices, eq(invoices.id, allocations.invoiceId))
      .where(eq(allocations.creditNoteId, creditNoteId))
      .orderBy(asc(allocations.createdAt)),
    db.select().from(refunds).where(eq(refunds.creditNoteId, creditNoteId)),
    row.note.invoiceId ? db.select({ id: invoices.id, number: invoices.number }).from(invoices).where(eq(invoices.id, row.note.invoiceId)).then((r) => r[0] ?? null) : Promise.resolve(null),
  ]);
  return { note: row.note, customer: row.customer, lines, applied, refunds: refundRows, invoice, availableMinor: creditAvailable(row.note) };
}

export async function creditNotesWithCredit(customerId: string, db: Db = getDb()) {
  return db
    .select()
    .from(creditNotes)
    .where(and(eq(creditNotes.customerId, customerId), isNull(creditNotes.voidedAt), sql`${creditNotes.totalMinor} - ${creditNotes.allocatedMinor} - ${creditNotes.refundedMinor} > 0`, inArray(creditNotes.kind, ["credit_note", "discount", "write_off"])))
    .orderBy(asc(creditNotes.issueDate));
}
