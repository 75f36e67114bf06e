import { and, asc, desc, eq, gt, inArray, lt, sql } from "drizzle-orm";
import { bankLines, customers, invoices, payments, reconciliationExceptions, type ExceptionSuggestion, type ReconciliationException } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import { allocatePayment, recordPayment, refund } from "~/ledger/payments.server";
import { lockPayment, paymentAvailable } from "~/ledger/applications.server";
import { getProcessor } from "~/payments/processor.server";
import { formatMoney, sumMinor } from "~/money/money";
import { today, type IsoDate } from "~/utils/dates";
import { DomainError } from "~/utils/errors";
import { recordPaymentFromLine, sqlLookup } from "./bank-import.server";
import { matchBankLine } from "./bank/matching";

export type ExceptionKind = ReconciliationException["kind"];

export const exceptionKindLabels: Record<ExceptionKind, string> = {
  unmatched_payment: "Payment with no matching attempt",
  amount_mismatch: "Amount or currency differs",
  unknown_customer: "Customer not found",
  overpayment: "Overpayment",
  invoice_not_open: "Invoice no longer open",
  unknown_refund: "Refund of an unknown payment",
  unknown_chargeback: "Chargeback on an unknown payment",
  payout_mismatch: "Payout does not add up",
  bank_suggestion: "Bank line: suggested match",
  bank_unmatched: "Bank line: no match",
};

export type OpenExceptionInput = {
  kind: ExceptionKind;
  /** Where it came from (an event's object, a bank line): the same source opens one exception, ever. */
  sourceKey: string;
  currency: string;
  amountMinor: number;
  reason: string;
  occurredOn: IsoDate;
  customerId?: string | null;
  paymentId?: string | null;
  payoutId?: string | null;
  bankLineId?: string | null;
  processorObjectId?: string | null;
  eventId?: string | null;
  suggestion?: ExceptionSuggestion | null;
};

/** Puts money that could not be applied on the queue, once per source. */
export async function openException(input: OpenExceptionInput, actor: Actor, db: Db = getDb()): Promise<ReconciliationException> {
  const [created] = await db
    .insert(reconciliationExceptions)
    .values({ ...input, currency: input.currency.toUpperCase() })
    .onConflictDoNothing({ target: reconciliationExceptions.sourceKey })
    .returning();
  if (!created) return (await db.select().from(reconciliationExceptions).where(eq(reconciliationExceptions.sourceKey, input.sourceKey)))[0]!;
  await recordAudit({ actor, action: "reconciliation_exception.open", entityType: "reconciliation_exception", entityId: created.id, customerId: created.customerId, after: { kind: created.kind, amountMinor: created.amountMinor, currency: created.currency, reason: created.reason } }, db);
  return created;
}

export const EXCEPTION_PAGE_SIZE = 50;

/**
 * The queue: open exceptions oldest first (work them in order), resolved ones newest first. `cursor`
 * is the last row's createdAt (open) or resolvedAt (resolved) from the previous page.
 */
export async function listExceptions({ status = "open", kind, cursor }: { status?: "open" | "resolved"; kind?: ExceptionKind; cursor?: string } = {}, db: Db = getDb()) {
  const at = cursor && !Number.isNaN(Date.parse(cursor)) ? new Date(cursor) : null;
  const page = status === "open" ? (at ? gt(reconciliationExceptions.createdAt, at) : undefined) : at ? lt(reconciliationExceptions.resolvedAt, at) : undefined;
  const rows = await db
    .select({ exception: reconciliationExceptions, customerName: customers.name, accountNumber: customers.accountNumber })
    .from(reconciliationExceptions)
    .leftJoin(customers, eq(customers.id, reconciliationExceptions.customerId))
    .where(and(eq(reconciliationExceptions.status, status), kind ? eq(reconciliationExceptions.kind, kind) : undefined, page))
    .orderBy(status === "open" ? asc(reconciliationExceptions.createdAt) : desc(reconciliationExceptions.resolvedAt))
    .limit(EXCEPTION_PAGE_SIZE + 1);
  const more = rows.length > EXCEPTION_PAGE_SIZE;
  const shown = rows.slice(0, EXCEPTION_PAGE_SIZE);
  const last = shown.at(-1)?.exception;
  const nextCursor = more && last ? (status === "open" ? last.createdAt : last.resolvedAt)?.toISOString() : undefined;
  return Object.assign(shown, { nextCursor });
}

export async function countOpenExceptions(db: Db = getDb()) {
  const rows = await db
    .select({ kind: reconciliationExceptions.kind, count: sql<number>`count(*)`.mapWith(Number), amountMinor: sql<number>`coalesce(sum(${reconciliationExceptions.amountMinor}), 0)`.mapWith(Number), currency: reconciliationExceptions.currency })
    .from(reconciliationExceptions)
    .where(eq(reconciliationExceptions.status, "open"))
    .groupBy(reconciliationExceptions.kind, reconciliationExceptions.currency);
  return rows;
}

/** An exception with what a clerk needs to resolve it: the customer's open invoices and the payment. */
export async function getExceptionDetail(id: string, customerId: string | null, db: Db = getDb()) {
  const [exception] = await db.select().from(reconciliationExceptions).where(eq(reconciliationExceptions.id, id));
  if (!exception) return null;
  const forCustomer = customerId ?? exception.customerId ?? exception.suggestion?.customerId ?? null;
  const [customer] = forCustomer ? await db.select().from(customers).where(eq(customers.id, forCustomer)) : [];
  const openInvoices = customer
    ? await db
        .select({ id: invoices.id, number: invoices.number, issueDate: invoices.issueDate, dueDate: invoices.dueDate, totalMinor: invoices.totalMinor, openMinor: invoices.openMinor, currency: invoices.currency })
        .from(invoices)
        .where(and(eq(invoices.customerId, customer.id), eq(invoices.status, "open")))
        .orderBy(asc(invoices.dueDate), asc(invoices.number))
        .limit(200)
    : [];
  const [payment] = exception.paymentId ? await db.select().from(payments).where(eq(payments.id, exception.paymentId)) : [];
  const availableMinor = payment ? paymentAvailable(payment) : exception.amountMinor;
  // Money of a known customer gets the bank matcher's proposal too: which open invoices it most likely pays.
  const suggestion =
    exception.suggestion ??
    (exception.status === "open" && customer && suggestable.has(exception.kind) && availableMinor > 0 && customer.currency === exception.currency
      ? await suggestApplication({ id: customer.id, name: customer.name }, availableMinor, exception.currency, db)
      : null);
  return { exception: { ...exception, suggestion }, customer: customer ?? null, openInvoices, payment: payment ?? null, availableMinor };
}

const suggestable = new Set<ExceptionKind>(["unmatched_payment", "amount_mismatch", "overpayment", "invoice_not_open", "unknown_customer"]);

/** The one matcher, asked as if the customer had paid this amount by bank with no reference. */
async function suggestApplication(customer: { id: string; name: string }, amountMinor: number, currency: string, db: Db): Promise<ExceptionSuggestion | null> {
  const line = { entryRef: "", bookingDate: today(), valueDate: null, amountMinor, currency, direction: "credit" as const, payerName: customer.name, payerAccount: null, remittance: "", bankReference: null };
  const match = await matchBankLine(line, sqlLookup(db));
  if (match.kind !== "invoices" || match.customerId !== customer.id || match.allocations.length === 0) return null;
  return { customerId: customer.id, allocations: match.allocations, creditMinor: match.creditMinor, confidence: match.confidence, reasons: match.reasons.filter((r) => !r.startsWith("Payer ")) };
}

export type Resolution =
  | { action: "apply"; customerId: string; allocations: { invoiceId: string; amountMinor: number }[]; note?: string | null }
  | { action: "credit"; customerId: string; note?: string | null }
  | { action: "refund"; note: string }
  | { action: "dismiss"; note: string };

/** Which resolutions make sense: money already in the books can be applied, kept or refunded. */
export function resolutionsFor(exception: Pick<ReconciliationException, "kind" | "paymentId" | "processorObjectId" | "bankLineId">): Resolution["action"][] {
  if (exception.kind === "unknown_refund" || exception.kind === "unknown_chargeback" || exception.kind === "payout_mismatch" || exception.kind === "bank_unmatched") {
    return exception.kind === "bank_unmatched" ? ["apply", "credit", "dismiss"] : ["dismiss"];
  }
  const refundable = Boolean(exception.paymentId && exception.processorObjectId?.startsWith("pi_")) || Boolean(!exception.paymentId && exception.processorObjectId?.startsWith("pi_"));
  return ["apply", "credit", ...(refundable ? (["refund"] as const) : []), "dismiss"];
}

/**
 * Resolves an exception the one way for each choice; every choice is audited with who and why.
 * Money not yet in the books (an unknown customer's payment, a bank line) is recorded as a payment
 * first, keyed by its source, so resolving twice never records it twice.
 */
export async function resolveException(id: string, resolution: Resolution, actor: Extract<Actor, { type: "staff" }>, db: Db = getDb()) {
  // A refund goes to the processor first (outside the transaction: no network call holds locks);
  // its idempotency key is the exception, so a retry asks for the same refund.
  const [before] = await db.select().from(reconciliationExceptions).where(eq(reconciliationExceptions.id, id));
  if (!before) throw new DomainError("not_found", "Exception not found");
  if (before.status === "resolved") throw new DomainError("conflict", "This exception is already resolved");
  if (!resolutionsFor(before).includes(resolution.action)) throw new DomainError("invalid", "That resolution does not fit this exception", "action");
  let processorRefundId: string | null = null;
  if (resolution.action === "refund") {
    const [payment] = before.paymentId ? await db.select().from(payments).where(eq(payments.id, before.paymentId)) : [];
    const amountMinor = payment ? paymentAvailable(payment) : before.amountMinor;
    if (amountMinor <= 0) throw new DomainError("invalid", "Nothing of this payment is unapplied to refund; unapply it from invoices first", "action");
    const made = await (await getProcessor()).createRefund({ paymentIntent: before.processorObjectId!, amountMinor, reason: resolution.note, idempotencyKey: `exception:${before.id}:refund`, metadata: { settle_exception_id: before.id } });
    processorRefundId = made.id;
  }
  return db.transaction(async (tx) => {
    const [exception] = await tx.select().from(reconciliationExceptions).where(eq(reconciliationExceptions.id, id)).for("update");
    if (!exception || exception.status === "resolved") throw new DomainError("conflict", "This exception is already resolved");
    let paymentId = exception.paymentId;
    if ((resolution.action === "apply" || resolution.action === "credit") && !paymentId) {
      const [customer] = await tx.select().from(customers).where(eq(customers.id, resolution.customerId));
      if (!customer) throw new DomainError("invalid", "Choose the customer who paid", "customerId");
      if (customer.currency !== exception.currency) throw new DomainError("invalid", `${customer.name} is billed in ${customer.currency}; this money is ${exception.currency}`, "customerId");
      const [line] = exception.bankLineId ? await tx.select().from(bankLines).where(eq(bankLines.id, exception.bankLineId)) : [];
      const payment = line
        ? await recordPaymentFromLine(line, customer.id, [], actor, tx)
        : await recordPayment(
            {
              customerId: customer.id,
              amountMinor: exception.amountMinor,
              method: "card",
              reference: exception.processorObjectId ?? null,
              receivedOn: exception.occurredOn,
              idempotencyKey: exception.processorObjectId?.startsWith("pi_") ? `processor:${exception.processorObjectId}` : `exception:${exception.id}`,
              memo: `From the reconciliation queue: ${exception.reason}`,
            },
            actor,
            tx,
          );
      if (line) await tx.update(bankLines).set({ status: "applied", paymentId: payment.id, customerId: customer.id }).where(eq(bankLines.id, line.id));
      paymentId = payment.id;
    }
    if (resolution.action === "apply") {
      if (resolution.allocations.length === 0) throw new DomainError("invalid", "Enter an amount for at least one invoice", "allocations");
      await allocatePayment({ paymentId: paymentId!, allocations: resolution.allocations, requestKey: `exception:${exception.id}:apply`, appliedOn: today() }, actor, tx);
    }
    if (resolution.action === "refund" && paymentId) {
      const payment = await lockPayment(paymentId, tx);
      await refund({ source: { paymentId }, amountMinor: paymentAvailable(payment), method: payment.method, reference: processorRefundId, reason: resolution.note, idempotencyKey: `stripe:${processorRefundId}` }, actor, tx);
    }
    const note = "note" in resolution ? (resolution.note?.trim() || null) : null;
    const resolvedAs = resolution.action === "apply" ? "applied" : resolution.action === "credit" ? "credit" : resolution.action === "refund" ? "refunded" : "dismissed";
    const [updated] = await tx
      .update(reconciliationExceptions)
      .set({ status: "resolved", resolution: resolvedAs, resolutionNote: note, resolvedBy: actor.id, resolvedAt: new Date(), paymentId, customerId: exception.customerId ?? ("customerId" in resolution ? resolution.customerId : null) })
      .where(eq(reconciliationExceptions.id, id))
      .returning();
    await recordAudit(
      {
        actor,
        action: `reconciliation_exception.${resolution.action}`,
        entityType: "reconciliation_exception",
        entityId: id,
        customerId: updated!.customerId,
        before: { status: exception.status, kind: exception.kind },
        after: {
          resolution: resolvedAs,
          note,
          paymentId,
          ...(resolution.action === "apply" ? { allocations: resolution.allocations, totalMinor: sumMinor(resolution.allocations.map((a) => a.amountMinor)) } : {}),
          ...(processorRefundId ? { refund: processorRefundId } : {}),
        },
      },
      tx,
    );
    return updated!;
  });
}

/** Marks exceptions about a payment resolved when the books caught up by themselves (a late event). */
export async function closeExceptionsBySource(sourceKeys: string[], note: string, db: Db) {
  if (sourceKeys.length === 0) return;
  await db
    .update(reconciliationExceptions)
    .set({ status: "resolved", resolution: "dismissed", resolutionNote: note, resolvedAt: new Date() })
    .where(and(inArray(reconciliationExceptions.sourceKey, sourceKeys), eq(reconciliationExceptions.status, "open")));
}

export const describeAmount = (e: Pick<ReconciliationException, "amountMinor" | "currency">) => formatMoney(e.amountMinor, e.currency);
