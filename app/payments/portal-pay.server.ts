import { and, asc, eq, gt, inArray, isNull, ne, or, sql } from "drizzle-orm";
import { z } from "zod";
import { allocations, invoices, paymentAttempts, payments, savedPaymentMethods, type Customer, type PaymentAttempt, type PortalUser, type SavedPaymentMethod } from "~db/schema";
import { getDb, type Db } from "~db/client";
import type { Actor } from "~/audit/audit.server";
import { claimOperationKey } from "~/ledger/applications.server";
import { applyCreditNote, creditNotesWithCredit } from "~/ledger/credit-notes.server";
import { allocatePayment } from "~/ledger/payments.server";
import { currencyExponent, sumMinor } from "~/money/money";
import { getPortalSettings } from "~/settings/settings.server";
import { today } from "~/utils/dates";
import { DomainError } from "~/utils/errors";
import { amountSchema, idempotencyKeySchema } from "~/utils/form-schemas";
import { forbidden } from "~/utils/responses.server";
import type { FieldErrors } from "~/utils/validation";
import { checkPortalAllocations, refreshAttempt, startAttempt, type AttemptAllocation } from "./attempts.server";
import { DEMO_CARDS, DemoCardError, demoProcessor } from "./demo-processor.server";
import { payableInvoices } from "./payable.server";
import { getProcessor } from "./processor.server";

/**
 * The portal's pay pages: what a customer can pay, starting the payment they chose (their
 * unapplied credit first, if they ask), and the demo processor's card and 3-D Secure steps.
 * Every read is scoped by the customer; every amount is the server's.
 */

export const portalActor = (user: Pick<PortalUser, "id" | "email">): Actor => ({ type: "portal", id: user.id, label: user.email });

/** Viewer contacts see invoices; billing contacts may also pay them. */
export const canPay = (user: Pick<PortalUser, "role">) => user.role === "billing";

export function requirePayer(user: Pick<PortalUser, "role">) {
  if (!canPay(user)) forbidden("Your access lets you see invoices, not pay them. Ask a colleague with billing access to pay.");
}

/** One page of the pay form is one attempt, and one application of credit. */
const PAGE_KEY_PREFIX = "portal-pay:";
const pageAttemptKey = (pageKey: string) => `${PAGE_KEY_PREFIX}${pageKey}`;

const amountField = (invoiceId: string) => `amount.${invoiceId}`;

const brands: Record<string, string> = { visa: "Visa", mastercard: "Mastercard", amex: "American Express", discover: "Discover" };

export function methodLabel(method: Pick<SavedPaymentMethod, "type" | "brand" | "last4" | "bankName">) {
  if (method.type === "us_bank_account") return `${method.bankName ?? "Bank account"} ending ${method.last4 ?? "····"}`;
  const brand = method.brand ? (brands[method.brand] ?? method.brand.charAt(0).toUpperCase() + method.brand.slice(1)) : "Card";
  return `${brand} ending ${method.last4 ?? "····"}`;
}

/** The customer's saved methods that the processor in use can charge. */
async function usableMethods(customerId: string, db: Db) {
  const processor = await getProcessor();
  return db
    .select()
    .from(savedPaymentMethods)
    .where(and(eq(savedPaymentMethods.customerId, customerId), eq(savedPaymentMethods.processor, processor.name), isNull(savedPaymentMethods.detachedAt)))
    .orderBy(asc(savedPaymentMethods.createdAt));
}

/** Unapplied money on the account (payments not fully applied, credit notes), oldest first; a payment before a credit note of the same day. */
async function creditSources(customerId: string, db: Db) {
  const unapplied = sql<number>`${payments.amountMinor} - ${payments.allocatedMinor} - ${payments.refundedMinor} - ${payments.chargedBackMinor}`.mapWith(Number);
  const [paid, notes] = await Promise.all([
    db
      .select({ id: payments.id, date: payments.receivedOn, availableMinor: unapplied })
      .from(payments)
      .where(and(eq(payments.customerId, customerId), eq(payments.status, "received"), gt(unapplied, 0)))
      .orderBy(asc(payments.receivedOn), asc(payments.createdAt)),
    creditNotesWithCredit(customerId, db),
  ]);
  return [
    ...paid.map((p) => ({ kind: "payment" as const, id: p.id, date: p.date, availableMinor: p.availableMinor })),
    ...notes.map((n) => ({ kind: "credit_note" as const, id: n.id, date: n.issueDate, availableMinor: n.totalMinor - n.allocatedMinor - n.refundedMinor })),
  ].sort((a, b) => a.date.localeCompare(b.date));
}

/**
 * Credit this page applied, per invoice. The ledger keys each application by its request key and
 * invoice (`payment-apply:<request>:<invoice>`, `credit-apply:<request>:<invoice>`), and the page's
 * request keys all start with its attempt key.
 */
export async function creditedByPage(customerId: string, pageKey: string, db: Db = getDb()) {
  const prefix = `${pageAttemptKey(pageKey)}:`;
  return db
    .select({ invoiceId: allocations.invoiceId, number: invoices.number, amountMinor: sql<number>`sum(${allocations.amountMinor})`.mapWith(Number) })
    .from(allocations)
    .innerJoin(invoices, eq(invoices.id, allocations.invoiceId))
    .where(
      and(
        eq(allocations.customerId, customerId),
        or(sql`starts_with(${allocations.sourceKey}, ${`payment-apply:${prefix}`})`, sql`starts_with(${allocations.sourceKey}, ${`credit-apply:${prefix}`})`),
      ),
    )
    .groupBy(allocations.invoiceId, invoices.number, invoices.dueDate)
    .orderBy(asc(invoices.dueDate), asc(invoices.number));
}

export type PaySelection = { invoice?: string; select?: "due" | "all" };

/**
 * What /portal/pay shows: the payable invoices (disputed amounts on hold), which are chosen to
 * start with, the unapplied credit and the saved methods. Null when `invoice` is not the customer's.
 */
export async function payPage(customer: Customer, selection: PaySelection, db: Db = getDb()) {
  const [open, sources, methods, settings, processor] = await Promise.all([
    payableInvoices(customer.id, db),
    creditSources(customer.id, db),
    usableMethods(customer.id, db),
    getPortalSettings(db),
    getProcessor(),
  ]);
  const asOf = today();
  const rows = open.map((invoice) => ({ ...invoice, dueNow: invoice.dueDate !== null && invoice.dueDate <= asOf }));
  let notice: string | null = null;
  if (selection.invoice && !rows.some((row) => row.id === selection.invoice && row.payableMinor > 0)) {
    const [own] = await db.select({ number: invoices.number, status: invoices.status }).from(invoices).where(and(eq(invoices.id, selection.invoice), eq(invoices.customerId, customer.id), ne(invoices.status, "draft")));
    if (!own) return null;
    notice = own.status === "open" ? `Invoice ${own.number} is disputed in full, so nothing on it can be paid until the dispute is resolved.` : `Invoice ${own.number} has nothing left to pay.`;
  }
  const payable = rows.filter((row) => row.payableMinor > 0);
  const dueNow = payable.filter((row) => row.dueNow);
  // With nothing named, what is due now is chosen, or everything when nothing is due yet.
  const chosen = selection.invoice ? payable.filter((row) => row.id === selection.invoice) : selection.select === "all" || (!selection.select && dueNow.length === 0) ? payable : dueNow;
  return {
    currency: customer.currency,
    invoices: rows,
    chosen: chosen.map((row) => row.id),
    notice,
    creditMinor: sumMinor(sources.map((source) => source.availableMinor)),
    minimumMinor: settings.partialPaymentMinimum * 10 ** currencyExponent(customer.currency),
    savedMethods: methods.map((method) => ({ id: method.id, label: methodLabel(method), expires: method.expMonth && method.expYear ? `${String(method.expMonth).padStart(2, "0")}/${method.expYear}` : null })),
    processor: processor.name,
  };
}

// ---------------------------------------------------------------- the form

const isoCurrencies = new Set(Intl.supportedValuesOf("currency"));

/** The customer's own currency marks ("USD", "usd", "$", "US$"), longest first, which an amount may carry. */
function ownMarks(currency: string) {
  const mark = (currencyDisplay: "symbol" | "narrowSymbol") =>
    new Intl.NumberFormat("en-US", { style: "currency", currency, currencyDisplay }).formatToParts(0).find((part) => part.type === "currency")?.value ?? currency;
  return [...new Set([currency, currency.toLowerCase(), mark("symbol"), mark("narrowSymbol")])].sort((a, b) => b.length - a.length);
}

/** An amount typed for an invoice, in the customer's currency: another currency's symbol or code is refused, not ignored. */
function invoiceAmountSchema(currency: string, label: string) {
  const marks = ownMarks(currency);
  return z
    .string({ message: `${label} is required` })
    .superRefine((value, ctx) => {
      const bare = marks.reduce((rest, mark) => rest.split(mark).join(""), value);
      const foreign = /\p{Sc}/u.exec(bare)?.[0] ?? bare.match(/\b[A-Za-z]{3}\b/g)?.find((code) => isoCurrencies.has(code.toUpperCase()));
      if (foreign) ctx.addIssue({ code: "custom", message: `${label}: amounts are in ${currency}; remove “${foreign}”` });
      else if (/[^\d\s.,+-]/.test(bare)) ctx.addIssue({ code: "custom", message: `${label}: enter an amount like 1250.00` });
    })
    .pipe(amountSchema(currency, label));
}

const payFormSchema = z.object({
  pageKey: idempotencyKeySchema,
  invoices: z.array(z.uuid({ message: "That invoice is not on your account; reload the page" })).min(1, "Choose at least one invoice to pay"),
  useCredit: z.literal("on", { message: "Tick “Use my unapplied credit first” or leave it empty" }).optional(),
  saveMethod: z.literal("on", { message: "Tick “Save this card for next time” or leave it empty" }).optional(),
  method: z.union([z.literal("new"), z.uuid({ message: "Choose how to pay" })], { message: "Choose how to pay" }).default("new"),
});

export type PayForm = { pageKey: string; chosen: AttemptAllocation[]; useCredit: boolean; saveMethod: boolean; savedMethodId: string | null };

/**
 * Reads the pay form: the ticked invoices and the amount typed for each (rows left unticked are
 * ignored). Each bad amount is reported on its row with the invoice's number; `form` repeats the
 * first problem for the page's alert.
 */
export async function parsePayForm(formData: FormData, customer: Customer, db: Db = getDb()): Promise<{ ok: true; data: PayForm } | { ok: false; errors: FieldErrors }> {
  const text = (name: string) => {
    const value = formData.get(name);
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const fields = payFormSchema.safeParse({
    pageKey: formData.get("pageKey") ?? undefined,
    invoices: formData.getAll("invoice"),
    useCredit: text("useCredit"),
    saveMethod: text("saveMethod"),
    method: text("method"),
  });
  const errors: FieldErrors = {};
  if (!fields.success) for (const issue of fields.error.issues) errors[String(issue.path[0])] ??= issue.message;
  // Only ownership here: whether each invoice can still be paid is the attempt's check (a replay may find it paid).
  const ids = fields.success ? fields.data.invoices : [];
  const numbers = new Map(
    ids.length ? (await db.select({ id: invoices.id, number: invoices.number }).from(invoices).where(and(eq(invoices.customerId, customer.id), inArray(invoices.id, ids), ne(invoices.status, "draft")))).map((row) => [row.id, row.number]) : [],
  );
  const chosen: AttemptAllocation[] = [];
  for (const invoiceId of ids) {
    const field = amountField(invoiceId);
    const number = numbers.get(invoiceId);
    if (!number) {
      errors[field] = "That invoice is not open on your account; reload the page";
      continue;
    }
    const amount = invoiceAmountSchema(customer.currency, `Amount for invoice ${number}`).safeParse(formData.get(field) ?? undefined);
    if (amount.success) chosen.push({ invoiceId, amountMinor: amount.data });
    else errors[field] = amount.error.issues[0]?.message;
  }
  const first = Object.values(errors)[0];
  if (!fields.success || first) return { ok: false, errors: { ...errors, form: first } };
  const { pageKey, useCredit, saveMethod, method } = fields.data;
  return { ok: true, data: { pageKey, chosen, useCredit: useCredit === "on", saveMethod: saveMethod === "on", savedMethodId: method === "new" ? null : method } };
}

// ---------------------------------------------------------------- starting a payment

/**
 * Applies the customer's unapplied credit to the invoices they chose, oldest credit first and
 * the earliest due invoice first, keyed by the page. Open amounts are read again before each
 * credit, since an application can also settle an invoice with its early-payment discount.
 */
async function applyCreditFirst(customerId: string, chosen: AttemptAllocation[], pageKey: string, actor: Actor, db: Db) {
  const ids = chosen.map((c) => c.invoiceId);
  const wanted = new Map(chosen.map((c) => [c.invoiceId, c.amountMinor]));
  for (const source of await creditSources(customerId, db)) {
    const payable = await payableInvoices(customerId, db, ids);
    let left = source.availableMinor;
    const plan: AttemptAllocation[] = [];
    for (const invoice of payable) {
      const amountMinor = Math.min(left, wanted.get(invoice.id) ?? 0, invoice.payableMinor);
      if (amountMinor <= 0) continue;
      plan.push({ invoiceId: invoice.id, amountMinor });
      wanted.set(invoice.id, wanted.get(invoice.id)! - amountMinor);
      left -= amountMinor;
    }
    if (plan.length === 0) return;
    const requestKey = `${pageAttemptKey(pageKey)}:${source.id}`;
    if (source.kind === "payment") await allocatePayment({ paymentId: source.id, allocations: plan, requestKey }, actor, db);
    else await applyCreditNote({ creditNoteId: source.id, allocations: plan, requestKey }, actor, db);
  }
}

export type StartPortalPaymentInput = PayForm & { customer: Customer; user: PortalUser };

/**
 * Starts what the pay page asked for, once per page: a double click, a second tab or the back
 * button sends the same page key and gets the same attempt (or the same credit) back. The credit
 * step claims the page key in its transaction, so a replay racing the first request waits for
 * it and then only charges what the credit left.
 */
export async function startPortalPayment(input: StartPortalPaymentInput, db: Db = getDb()): Promise<{ kind: "attempt"; attempt: PaymentAttempt } | { kind: "credited" }> {
  const { customer, user, pageKey, chosen } = input;
  const key = pageAttemptKey(pageKey);
  const [existing] = await db.select().from(paymentAttempts).where(eq(paymentAttempts.idempotencyKey, key));
  if (existing) {
    if (existing.customerId !== customer.id) throw new DomainError("invalid", "The form expired; reload the page and try again", "pageKey");
    return { kind: "attempt", attempt: existing };
  }
  const method = input.savedMethodId ? (await usableMethods(customer.id, db)).find((m) => m.id === input.savedMethodId) : undefined;
  if (input.savedMethodId && !method) throw new DomainError("invalid", "That saved card is no longer available; choose another way to pay", "method");
  const actor = portalActor(user);
  const rest = await db.transaction(async (tx) => {
    const first = await claimOperationKey(key, tx);
    if (first) {
      await checkPortalAllocations(customer.id, chosen, tx);
      if (input.useCredit) await applyCreditFirst(customer.id, chosen, pageKey, actor, tx);
    }
    const credited = new Map((await creditedByPage(customer.id, pageKey, tx)).map((row) => [row.invoiceId, row.amountMinor]));
    const payable = new Map((await payableInvoices(customer.id, tx, chosen.map((c) => c.invoiceId))).map((invoice) => [invoice.id, invoice.payableMinor]));
    const left = chosen
      .map((c) => ({ invoiceId: c.invoiceId, amountMinor: Math.min(c.amountMinor - (credited.get(c.invoiceId) ?? 0), payable.get(c.invoiceId) ?? 0) }))
      .filter((c) => c.amountMinor > 0);
    // A replay's amounts were not checked with the credit step: check what it would charge.
    if (!first && left.length > 0) await checkPortalAllocations(customer.id, left, tx);
    return left;
  });
  if (rest.length === 0) return { kind: "credited" };
  const attempt = await startAttempt(
    { customerId: customer.id, allocations: rest, idempotencyKey: key, portalUserId: user.id, saveMethod: !method && input.saveMethod, savedMethodId: method?.id },
    db,
  );
  return { kind: "attempt", attempt };
}

/** Where an attempt's customer goes next: the receipt once paid, the demo's 3-D Secure page when asked, else the pay page. */
export function nextPathFor(attempt: Pick<PaymentAttempt, "id" | "status" | "paymentId" | "processor">) {
  if (attempt.status === "succeeded" && attempt.paymentId) return `/portal/payments/${attempt.paymentId}`;
  if (attempt.status === "requires_action" && attempt.processor === "demo") return `/portal/pay/${attempt.id}/authenticate`;
  return `/portal/pay/${attempt.id}`;
}

// ---------------------------------------------------------------- paying an attempt

/**
 * Whether an unpaid attempt would now pay an invoice beyond what is payable: paid another way
 * (say in another tab) or disputed since it was started. Such an attempt is not charged.
 */
async function isOutdated(attempt: PaymentAttempt, db: Db) {
  if (attempt.status !== "created" && attempt.status !== "failed") return false;
  const payable = new Map((await payableInvoices(attempt.customerId, db, attempt.allocations.map((a) => a.invoiceId))).map((invoice) => [invoice.id, invoice.payableMinor]));
  return attempt.allocations.some((a) => (payable.get(a.invoiceId) ?? 0) < a.amountMinor);
}

const outdatedMessage = "What you chose to pay has changed since (an invoice may have been paid already), so nothing was charged. Choose what to pay again.";

/**
 * An attempt as its pay page shows it. States still moving (a bank debit processing, a 3-D
 * Secure step) are read again from the processor first, and applied if they finished.
 */
export async function attemptPage(attempt: PaymentAttempt, actor: Actor, db: Db = getDb()) {
  const current = attempt.status === "processing" || attempt.status === "requires_action" ? await refreshFromProcessor(attempt, actor, db) : attempt;
  const ids = current.allocations.map((a) => a.invoiceId);
  const pageKey = current.idempotencyKey.startsWith(PAGE_KEY_PREFIX) ? current.idempotencyKey.slice(PAGE_KEY_PREFIX.length) : null;
  const [numbers, credited, [method], processor, outdated] = await Promise.all([
    ids.length ? db.select({ id: invoices.id, number: invoices.number }).from(invoices).where(and(eq(invoices.customerId, current.customerId), inArray(invoices.id, ids))) : [],
    pageKey ? creditedByPage(current.customerId, pageKey, db) : [],
    current.paymentMethodId ? db.select().from(savedPaymentMethods).where(and(eq(savedPaymentMethods.id, current.paymentMethodId), eq(savedPaymentMethods.customerId, current.customerId))) : [],
    getProcessor(),
    isOutdated(current, db),
  ]);
  const numberOf = new Map(numbers.map((row) => [row.id, row.number]));
  return {
    attempt: current,
    view: {
      id: current.id,
      status: current.status,
      currency: current.currency,
      amountMinor: current.amountMinor,
      failureMessage: current.status === "failed" ? current.failureMessage : null,
      lines: current.allocations.map((a) => ({ invoiceId: a.invoiceId, number: numberOf.get(a.invoiceId) ?? "—", amountMinor: a.amountMinor })),
      credited: credited.map((row) => ({ invoiceId: row.invoiceId, number: row.number ?? "—", amountMinor: row.amountMinor })),
      savedMethod: method ? methodLabel(method) : null,
      // An attempt begun with the other processor (keys added or removed since) cannot be paid here.
      stale: current.processor !== processor.name,
      outdated: outdated ? outdatedMessage : null,
      processor: processor.name,
    },
  };
}

/** refreshAttempt, for the pay pages; an attempt begun with the other processor is left as it is. */
export async function refreshFromProcessor(attempt: PaymentAttempt, actor: Actor, db: Db = getDb()) {
  if (attempt.processor !== (await getProcessor()).name) return attempt;
  return refreshAttempt(attempt, actor, db);
}

/** The demo card form's fields; the demo processor decides by the card number what happens. */
export const demoCardSchema = z.object({
  cardNumber: z
    .string({ message: "Card number is required" })
    .trim()
    .min(1, "Card number is required")
    .transform((value) => value.replace(/[\s-]/g, ""))
    .refine((digits) => /^\d{12,19}$/.test(digits), "Card number: enter the digits on the card"),
  expiry: z
    .string({ message: "Expiry date is required" })
    .trim()
    .min(1, "Expiry date is required")
    .superRefine((value, ctx) => {
      const match = /^(\d{1,2})\s*\/\s*(\d{2}|\d{4})$/.exec(value);
      const month = match ? Number(match[1]) : 0;
      if (!match || month < 1 || month > 12) return void ctx.addIssue({ code: "custom", message: "Expiry date: enter it as MM / YY" });
      const year = match[2]!.length === 2 ? 2000 + Number(match[2]) : Number(match[2]);
      const now = new Date();
      if (year * 12 + month < now.getUTCFullYear() * 12 + now.getUTCMonth() + 1) ctx.addIssue({ code: "custom", message: "Expiry date: this card has expired" });
    }),
  cvc: z.string({ message: "Security code is required" }).trim().regex(/^\d{3,4}$/, "Security code: enter the 3 or 4 digits on the card"),
});

/** The demo test cards and what each does, for the card forms. */
export const demoCards = () => DEMO_CARDS.map(({ number, label }) => ({ number, label }));

async function requireDemo(attempt: PaymentAttempt) {
  if (attempt.processor !== "demo" || (await getProcessor()).name !== "demo") throw new DomainError("not_found", "Not found");
}

/**
 * Pays an attempt with a demo test card, as Stripe.js would confirm it. A paid attempt stays
 * paid: confirming again (a replay, a second tab) changes nothing; after a decline another card
 * confirms the same PaymentIntent.
 */
export async function payWithDemoCard(attempt: PaymentAttempt, cardNumber: string, actor: Actor, db: Db = getDb()) {
  await requireDemo(attempt);
  if (attempt.status === "succeeded" || !attempt.processorIntentId) return attempt;
  if (await isOutdated(attempt, db)) throw new DomainError("conflict", outdatedMessage);
  try {
    await demoProcessor.confirmPayment(attempt.processorIntentId, cardNumber, db);
  } catch (error) {
    if (error instanceof DemoCardError) throw new DomainError("invalid", error.message, "cardNumber");
    throw error;
  }
  return refreshFromProcessor(attempt, actor, db);
}

/** The demo 3-D Secure page's answer; asked again after it was answered, it changes nothing. */
export async function authenticateDemo(attempt: PaymentAttempt, approve: boolean, actor: Actor, db: Db = getDb()) {
  await requireDemo(attempt);
  if (attempt.status === "succeeded" || !attempt.processorIntentId) return attempt;
  await demoProcessor.completeAuthentication(attempt.processorIntentId, approve, db);
  return refreshFromProcessor(attempt, actor, db);
}
