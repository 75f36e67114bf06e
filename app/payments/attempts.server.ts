import { and, eq, inArray } from "drizzle-orm";
import { customers, invoices, paymentAttempts, savedPaymentMethods, type PaymentAttempt } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import { recordPayment } from "~/ledger/payments.server";
import { currencyExponent, formatMoney, sumMinor } from "~/money/money";
import { getPortalSettings } from "~/settings/settings.server";
import { today } from "~/utils/dates";
import { DomainError } from "~/utils/errors";
import { payableInvoices } from "./payable.server";
import { getProcessor, type ProcessorIntent, type ProcessorPaymentMethod } from "./processor.server";
import { sendReceipt } from "./receipts.server";
import { instalmentFailed, instalmentSucceeded } from "~/plans/instalment-outcomes.server";
import { openException } from "~/reconciliation/exceptions.server";

export type AttemptAllocation = { invoiceId: string; amountMinor: number };

/**
 * Checks what a customer chose to pay against the books: each invoice theirs and open, each
 * amount at most what is payable (open less disputed), and a part payment at least the minimum
 * in settings. Returns the amounts the server will charge; the client's amounts are only a choice.
 */
export async function checkPortalAllocations(customerId: string, chosen: AttemptAllocation[], db: Db = getDb()) {
  if (chosen.length === 0) throw new DomainError("invalid", "Choose at least one invoice to pay", "invoices");
  const ids = chosen.map((c) => c.invoiceId);
  if (new Set(ids).size !== ids.length) throw new DomainError("invalid", "An invoice is listed twice", "invoices");
  const payable = new Map((await payableInvoices(customerId, db, ids)).map((i) => [i.id, i]));
  const { partialPaymentMinimum } = await getPortalSettings(db);
  for (const { invoiceId, amountMinor } of chosen) {
    const invoice = payable.get(invoiceId);
    if (!invoice) throw new DomainError("invalid", "That invoice is not open on your account", `amount.${invoiceId}`);
    const field = `amount.${invoiceId}`;
    if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) throw new DomainError("invalid", `Invoice ${invoice.number}: enter an amount above zero`, field);
    if (amountMinor > invoice.payableMinor) {
      const held = invoice.disputedMinor > 0 ? ` (${formatMoney(invoice.disputedMinor, invoice.currency)} is disputed and on hold)` : "";
      throw new DomainError("invalid", `Invoice ${invoice.number}: at most ${formatMoney(invoice.payableMinor, invoice.currency)} can be paid${held}`, field);
    }
    const minimum = partialPaymentMinimum * 10 ** currencyExponent(invoice.currency);
    if (amountMinor < invoice.payableMinor && amountMinor < minimum) {
      throw new DomainError("invalid", `Invoice ${invoice.number}: a part payment must be at least ${formatMoney(minimum, invoice.currency)}`, field);
    }
  }
  return chosen;
}

/** The processor's customer for ours, made once; an id from the other processor is replaced. */
export async function processorCustomer(customerId: string, db: Db, { replace = false }: { replace?: boolean } = {}) {
  const processor = await getProcessor();
  const [customer] = await db.select().from(customers).where(eq(customers.id, customerId));
  if (!customer) throw new DomainError("not_found", "Customer not found");
  const isDemoId = customer.stripeCustomerId?.startsWith("cus_demo_") ?? false;
  if (customer.stripeCustomerId && isDemoId === (processor.name === "demo") && !replace) return customer.stripeCustomerId;
  const id = await processor.createCustomer(
    { name: customer.name, email: customer.email, settleCustomerId: customer.id },
    replace ? `customer:${customer.id}:${processor.name}:replacing:${customer.stripeCustomerId}` : `customer:${customer.id}:${processor.name}`,
  );
  await db.update(customers).set({ stripeCustomerId: id }).where(eq(customers.id, customer.id));
  return id;
}

const attemptStatus = (intent: ProcessorIntent): PaymentAttempt["status"] =>
  intent.status === "succeeded"
    ? "succeeded"
    : intent.status === "processing"
      ? "processing"
      : intent.status === "requires_action"
        ? "requires_action"
        : intent.status === "canceled"
          ? "canceled"
          : intent.lastError
            ? "failed"
            : "created";

export type StartAttemptInput = {
  customerId: string;
  allocations: AttemptAllocation[];
  /** The page's key: a double click, a second tab or a retry is the same attempt. */
  idempotencyKey: string;
  portalUserId?: string | null;
  saveMethod?: boolean;
  /** Autopay: charge this saved method now, without the customer. */
  savedMethodId?: string;
  planInstalmentId?: string;
};

/**
 * Starts (or finds again) a payment attempt and its PaymentIntent. The amounts must already be
 * checked (checkPortalAllocations or the plan's instalment). For an off-session charge the
 * outcome is known at once and applied through settleIntent, like any other.
 */
export async function startAttempt(input: StartAttemptInput, db: Db = getDb()): Promise<PaymentAttempt> {
  const [existing] = await db.select().from(paymentAttempts).where(eq(paymentAttempts.idempotencyKey, input.idempotencyKey));
  if (existing?.processorIntentId) return existing;
  const processor = await getProcessor();
  const [customer] = await db.select({ currency: customers.currency }).from(customers).where(eq(customers.id, input.customerId));
  if (!customer) throw new DomainError("not_found", "Customer not found");
  const saved = input.savedMethodId
    ? (await db.select().from(savedPaymentMethods).where(and(eq(savedPaymentMethods.id, input.savedMethodId), eq(savedPaymentMethods.customerId, input.customerId))))[0]
    : undefined;
  if (input.savedMethodId && (!saved || saved.detachedAt)) throw new DomainError("invalid", "That saved payment method is no longer available", "paymentMethod");
  const attempt =
    existing ??
    (
      await db
        .insert(paymentAttempts)
        .values({
          customerId: input.customerId,
          portalUserId: input.portalUserId ?? null,
          kind: input.planInstalmentId ? "instalment" : "portal",
          planInstalmentId: input.planInstalmentId ?? null,
          currency: customer.currency,
          amountMinor: sumMinor(input.allocations.map((a) => a.amountMinor)),
          allocations: input.allocations,
          idempotencyKey: input.idempotencyKey,
          processor: processor.name,
          paymentMethodId: saved?.id ?? null,
          saveMethod: input.saveMethod ?? false,
        })
        .onConflictDoNothing({ target: paymentAttempts.idempotencyKey })
        .returning()
    )[0] ??
    (await db.select().from(paymentAttempts).where(eq(paymentAttempts.idempotencyKey, input.idempotencyKey)))[0]!;
  if (attempt.processorIntentId) return attempt;
  const create = async (customer: string) =>
    processor.createPaymentIntent({
      amountMinor: attempt.amountMinor,
      currency: attempt.currency,
      customer,
      metadata: { settle_attempt_id: attempt.id, settle_customer_id: attempt.customerId, settle_invoices: attempt.allocations.map((a) => a.invoiceId).join(",").slice(0, 500) },
      // Keyed by the attempt (and the processor's customer, which is replaced if the processor lost it):
      // a crash between creating the intent and saving its id retries into the same intent.
      idempotencyKey: `attempt:${attempt.id}:${customer}`,
      offSessionMethod: saved?.processorMethodId,
      saveMethod: attempt.saveMethod,
    });
  let intent: ProcessorIntent;
  try {
    intent = await create(await processorCustomer(input.customerId, db));
  } catch (error) {
    // A remembered customer the processor no longer knows (keys switched, test data reset) is replaced once.
    const missing = error as { code?: string; param?: string };
    if (missing.code !== "resource_missing" || missing.param !== "customer") throw error;
    intent = await create(await processorCustomer(input.customerId, db, { replace: true }));
  }
  const [updated] = await db
    .update(paymentAttempts)
    .set({ processorIntentId: intent.id, clientSecret: intent.clientSecret, updatedAt: new Date() })
    .where(eq(paymentAttempts.id, attempt.id))
    .returning();
  // An off-session charge already has its outcome; it reaches the books the one way.
  if (attemptStatus(intent) !== "created") return (await settleIntent(intent, { type: "system", label: "autopay" }, db)) ?? updated!;
  return updated!;
}

/**
 * The one way a processor's PaymentIntent reaches the books, whoever brings it: the webhook, the
 * return page after Stripe.js, or an autopay job. Idempotent and safe in any order: the ledger
 * payment is keyed by the intent, and an attempt that succeeded never goes back.
 */
export async function settleIntent(intent: ProcessorIntent, actor: Actor, db: Db = getDb()): Promise<PaymentAttempt | null> {
  const byId = intent.metadata.settle_attempt_id;
  const which = byId && /^[0-9a-f-]{36}$/i.test(byId) ? eq(paymentAttempts.id, byId) : eq(paymentAttempts.processorIntentId, intent.id);
  // A card to keep is read from the processor before the transaction: no network call holds row
  // locks, and the demo processor (which reads through the shared connection) never waits on us.
  const [peek] = await db.select({ saveMethod: paymentAttempts.saveMethod, paymentId: paymentAttempts.paymentId }).from(paymentAttempts).where(which);
  const methodToKeep =
    peek?.saveMethod && !peek.paymentId && intent.status === "succeeded" && intent.paymentMethod ? await (await getProcessor()).retrievePaymentMethod(intent.paymentMethod) : null;
  return db.transaction(async (tx) => {
    const [attempt] = await tx.select().from(paymentAttempts).where(which).for("update");
    if (!attempt) return null;
    if (attempt.paymentId) return attempt;
    const status = attemptStatus(intent);
    if (status !== "succeeded") {
      if (status === attempt.status && (status !== "failed" || attempt.failureCode === intent.lastError?.code)) return attempt;
      const [updated] = await tx
        .update(paymentAttempts)
        .set({ status, processorIntentId: intent.id, failureCode: intent.lastError?.code ?? null, failureMessage: intent.lastError?.message ?? null, updatedAt: new Date() })
        .where(eq(paymentAttempts.id, attempt.id))
        .returning();
      if (status === "failed" && attempt.planInstalmentId) await instalmentFailed(updated!, tx);
      return updated!;
    }
    const occurredOn = today();
    if (intent.currency !== attempt.currency) {
      // Money in another currency cannot be a payment of this customer's: a clerk decides (refund, most likely).
      await openException(
        { kind: "amount_mismatch", sourceKey: `intent:${intent.id}`, currency: intent.currency, amountMinor: intent.amountMinor, reason: `Expected ${formatMoney(attempt.amountMinor, attempt.currency)}, but ${formatMoney(intent.amountMinor, intent.currency)} arrived`, occurredOn, customerId: attempt.customerId, processorObjectId: intent.id },
        actor,
        tx,
      );
      return attempt;
    }
    const amountDiffers = intent.amountMinor !== attempt.amountMinor;
    // Invoices may have been paid another way meanwhile: apply what is still open, keep the rest as credit.
    const open = new Map(
      (await tx.select({ id: invoices.id, openMinor: invoices.openMinor, status: invoices.status, number: invoices.number }).from(invoices).where(inArray(invoices.id, attempt.allocations.map((a) => a.invoiceId).concat("00000000-0000-0000-0000-000000000000"))))
        .filter((i) => i.status === "open")
        .map((i) => [i.id, i]),
    );
    const allocations = amountDiffers
      ? []
      : attempt.allocations.map((a) => ({ invoiceId: a.invoiceId, amountMinor: Math.min(a.amountMinor, open.get(a.invoiceId)?.openMinor ?? 0) })).filter((a) => a.amountMinor > 0);
    const payment = await recordPayment(
      {
        customerId: attempt.customerId,
        amountMinor: intent.amountMinor,
        currency: intent.currency,
        method: intent.paymentMethodType === "us_bank_account" ? "bank_debit" : "card",
        reference: intent.id,
        receivedOn: occurredOn,
        idempotencyKey: `processor:${intent.id}`,
        allocations,
        source: "settle",
      },
      actor,
      tx,
    );
    const unapplied = intent.amountMinor - sumMinor(allocations.map((a) => a.amountMinor));
    if (amountDiffers || unapplied > 0) {
      const notOpen = attempt.allocations.filter((a) => !open.has(a.invoiceId)).length;
      await openException(
        {
          kind: amountDiffers ? "amount_mismatch" : notOpen > 0 ? "invoice_not_open" : "overpayment",
          sourceKey: `intent:${intent.id}`,
          currency: intent.currency,
          amountMinor: unapplied,
          reason: amountDiffers
            ? `Expected ${formatMoney(attempt.amountMinor, attempt.currency)} for the chosen invoices, but ${formatMoney(intent.amountMinor, intent.currency)} arrived; it waits as credit`
            : `${formatMoney(unapplied, intent.currency)} could not be applied: ${notOpen > 0 ? "an invoice it was for was paid, voided or written off meanwhile" : "it is more than the invoices still had open"}; it waits as credit`,
          occurredOn,
          customerId: attempt.customerId,
          paymentId: payment.id,
          processorObjectId: intent.id,
        },
        actor,
        tx,
      );
    }
    const [updated] = await tx
      .update(paymentAttempts)
      .set({ status: "succeeded", processorIntentId: intent.id, paymentId: payment.id, failureCode: null, failureMessage: null, updatedAt: new Date() })
      .where(eq(paymentAttempts.id, attempt.id))
      .returning();
    if (attempt.saveMethod && intent.paymentMethod) await rememberMethod(attempt.customerId, intent.paymentMethod, tx, methodToKeep ?? undefined);
    await recordAudit({ actor, action: "online_payment.succeeded", entityType: "payment", entityId: payment.id, customerId: attempt.customerId, after: { intent: intent.id, amountMinor: intent.amountMinor, attemptId: attempt.id } }, tx);
    if (attempt.planInstalmentId) await instalmentSucceeded(updated!, tx);
    await sendReceipt(updated!, tx);
    return updated!;
  });
}

/** Keeps a processor's PaymentMethod as a saved method of the customer (once). */
export async function rememberMethod(customerId: string, processorMethodId: string, db: Db = getDb(), fetched?: ProcessorPaymentMethod) {
  const processor = await getProcessor();
  const [known] = await db.select().from(savedPaymentMethods).where(eq(savedPaymentMethods.processorMethodId, processorMethodId));
  if (known) return known;
  const method = fetched ?? (await processor.retrievePaymentMethod(processorMethodId));
  const [saved] = await db
    .insert(savedPaymentMethods)
    .values({ customerId, processor: processor.name, processorMethodId, type: method.type, brand: method.brand, last4: method.last4, expMonth: method.expMonth, expYear: method.expYear, bankName: method.bankName })
    .onConflictDoNothing()
    .returning();
  return saved ?? (await db.select().from(savedPaymentMethods).where(eq(savedPaymentMethods.processorMethodId, processorMethodId)))[0]!;
}

/** An attempt as its customer may see it; another customer's id is simply not there. */
export async function getAttemptForCustomer(attemptId: string, customerId: string, db: Db = getDb()) {
  const [attempt] = await db.select().from(paymentAttempts).where(and(eq(paymentAttempts.id, attemptId), eq(paymentAttempts.customerId, customerId)));
  return attempt ?? null;
}

/** The return page after the processor: fetch the PaymentIntent's state and apply it now. */
export async function refreshAttempt(attempt: PaymentAttempt, actor: Actor, db: Db = getDb()) {
  if (!attempt.processorIntentId || attempt.status === "succeeded") return attempt;
  const intent = await (await getProcessor()).retrievePaymentIntent(attempt.processorIntentId);
  return (await settleIntent(intent, actor, db)) ?? attempt;
}
