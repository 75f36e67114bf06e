import { desc, eq, inArray } from "drizzle-orm";
import { chargebacks, customers, invoices, payments, payoutItems, payouts, refunds, type Allocation, type Chargeback, type Payment } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import { activeApplications, applyToInvoice, lockInvoices, lockPayment, paymentAvailable, reverseApplication } from "~/ledger/applications.server";
import { issueCreditNote } from "~/ledger/credit-notes.server";
import { createIssuedInvoice } from "~/ledger/invoices.server";
import { postEntry } from "~/ledger/journal.server";
import { recordPayment, refund } from "~/ledger/payments.server";
import { settleIntent } from "~/payments/attempts.server";
import { getProcessor, type ProcessorBalanceTransaction, type ProcessorDispute, type ProcessorIntent, type ProcessorPayout, type ProcessorRefund } from "~/payments/processor.server";
import { formatMoney } from "~/money/money";
import { getReconciliationSettings } from "~/settings/settings.server";
import { openException } from "./exceptions.server";
import { dayOfUnixTime, today } from "~/utils/dates";

// What Stripe reports about money after a payment: refunds, disputes and payouts. Each function
// takes the object as it stands now (fetched, never trusted from an event) and brings the books
// to match it, so any number of deliveries in any order converge on the same journal.

const NO_ID = "00000000-0000-0000-0000-000000000000";

/** The ledger payment a PaymentIntent became, bringing it into the books first if it is not yet there. */
export async function paymentForIntent(intentId: string, actor: Actor, db: Db = getDb()): Promise<Payment | null> {
  const known = await findPaymentForIntent(intentId, db);
  if (known) return known;
  const intent = await (await getProcessor()).retrievePaymentIntent(intentId);
  await settleProcessorIntent(intent, actor, db);
  return findPaymentForIntent(intentId, db);
}

async function findPaymentForIntent(intentId: string, db: Db) {
  const [payment] = await db.select().from(payments).where(eq(payments.sourceKey, `payment:processor:${intentId}`));
  return payment ?? null;
}

/**
 * A PaymentIntent into the books: through its attempt when Settle started it (settleIntent), else
 * as money on the exceptions queue: recorded for the customer when the processor's customer is ours,
 * held unrecorded when no customer can be found.
 */
export async function settleProcessorIntent(intent: ProcessorIntent, actor: Actor, db: Db = getDb()): Promise<string | void> {
  const attempt = await settleIntent(intent, actor, db);
  if (attempt) return;
  if (intent.status !== "succeeded") return "No payment attempt matches this PaymentIntent, and it has not succeeded";
  const customer = await customerForIntent(intent, db);
  const occurredOn = today();
  if (!customer) {
    await openException(
      { kind: "unknown_customer", sourceKey: `intent:${intent.id}`, currency: intent.currency, amountMinor: intent.amountMinor, reason: `A ${formatMoney(intent.amountMinor, intent.currency)} payment (${intent.id}) came with no customer Settle knows`, occurredOn, processorObjectId: intent.id },
      actor,
      db,
    );
    return "No customer of ours: on the exceptions queue";
  }
  if (customer.currency !== intent.currency) {
    await openException(
      { kind: "amount_mismatch", sourceKey: `intent:${intent.id}`, currency: intent.currency, amountMinor: intent.amountMinor, reason: `${customer.name} is billed in ${customer.currency}, but this payment is in ${intent.currency}`, occurredOn, customerId: customer.id, processorObjectId: intent.id },
      actor,
      db,
    );
    return "Currency differs from the customer's: on the exceptions queue";
  }
  await db.transaction(async (tx) => {
    const payment = await recordPayment(
      { customerId: customer.id, amountMinor: intent.amountMinor, method: intent.paymentMethodType === "us_bank_account" ? "bank_debit" : "card", reference: intent.id, receivedOn: occurredOn, idempotencyKey: `processor:${intent.id}` },
      actor,
      tx,
    );
    await openException(
      { kind: "unmatched_payment", sourceKey: `intent:${intent.id}`, currency: intent.currency, amountMinor: intent.amountMinor, reason: `A ${formatMoney(intent.amountMinor, intent.currency)} payment (${intent.id}) was not started in Settle; it waits as ${customer.name}'s credit`, occurredOn, customerId: customer.id, paymentId: payment.id, processorObjectId: intent.id },
      actor,
      tx,
    );
  });
  return "Not started in Settle: recorded as credit and put on the exceptions queue";
}

async function customerForIntent(intent: ProcessorIntent, db: Db) {
  const byMetadata = intent.metadata.settle_customer_id;
  if (byMetadata && /^[0-9a-f-]{36}$/i.test(byMetadata)) {
    const [customer] = await db.select().from(customers).where(eq(customers.id, byMetadata));
    if (customer) return customer;
  }
  if (!intent.customer) return null;
  const [customer] = await db.select().from(customers).where(eq(customers.stripeCustomerId, intent.customer));
  return customer ?? null;
}

/**
 * Frees `amountMinor` of a payment that is applied to invoices, newest application first, so a
 * refund or chargeback can take it: whole applications are taken back and what was not needed is
 * applied again. Returns what each invoice lost.
 */
async function takeBackApplications(payment: Payment, amountMinor: number, onDate: string, keyPrefix: string, actor: Actor, db: Db) {
  let short = amountMinor - paymentAvailable(payment);
  const reopened: { invoiceId: string; amountMinor: number }[] = [];
  if (short <= 0) return reopened;
  // Newest first; applications made together are taken in invoice-number order, so the same
  // books result whichever instance or order got here.
  const active = await activeApplications({ paymentId: payment.id }, db);
  const order = new Map(
    (await db.select({ id: invoices.id, dueDate: invoices.dueDate, number: invoices.number }).from(invoices).where(inArray(invoices.id, active.map((a) => a.invoiceId).concat(NO_ID)))).map((i) => [i.id, `${i.dueDate ?? ""}|${i.number ?? ""}`]),
  );
  const applied = active.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (order.get(b.invoiceId) ?? "").localeCompare(order.get(a.invoiceId) ?? ""));
  for (const allocation of applied) {
    if (short <= 0) break;
    await reverseApplication({ allocation, appliedOn: onDate, actor }, db);
    const taken = Math.min(short, allocation.amountMinor);
    short -= taken;
    reopened.push({ invoiceId: allocation.invoiceId, amountMinor: taken });
    const keep = allocation.amountMinor - taken;
    if (keep > 0) await reapply(payment, allocation, keep, onDate, `${keyPrefix}:keep:${allocation.id}`, actor, db);
  }
  if (short > 0) throw new Error(`Payment ${payment.id} has ${formatMoney(amountMinor - short, payment.currency)} to give, not ${formatMoney(amountMinor, payment.currency)}`);
  return reopened;
}

async function reapply(payment: Payment, allocation: Pick<Allocation, "invoiceId">, amountMinor: number, onDate: string, sourceKey: string, actor: Actor, db: Db) {
  const invoice = (await lockInvoices([allocation.invoiceId], db)).get(allocation.invoiceId);
  if (!invoice || invoice.status !== "open") return 0;
  const amount = Math.min(amountMinor, invoice.openMinor);
  if (amount <= 0) return 0;
  await applyToInvoice({ source: { kind: "payment", payment }, invoice, amountMinor: amount, appliedOn: onDate, sourceKey, actor }, db);
  return amount;
}

/**
 * Brings the books up to a refund as the processor reports it now. Every refund of the same payment
 * is booked with it, oldest first: which refund takes back which invoice application then never
 * depends on the order the events arrived in.
 */
export async function applyProcessorRefund(current: ProcessorRefund, actor: Actor, db: Db = getDb()): Promise<string | void> {
  const payment = current.paymentIntent ? await paymentForIntent(current.paymentIntent, actor, db) : null;
  if (!payment) {
    await openException(
      { kind: "unknown_refund", sourceKey: `refund:${current.id}`, currency: current.currency, amountMinor: current.amountMinor, reason: `A ${formatMoney(current.amountMinor, current.currency)} refund (${current.id}) is of a payment Settle does not have`, occurredOn: dayOfUnixTime(current.created), processorObjectId: current.id },
      actor,
      db,
    );
    return "Refund of a payment not in the books: on the exceptions queue";
  }
  return bookRefundsOf(payment, current.paymentIntent!, actor, db, current);
}

/** Books every refund Stripe has for a payment, oldest first (a `charge.refunded` event names none). */
export async function applyRefundsOfIntent(paymentIntent: string, actor: Actor, db: Db = getDb()) {
  const payment = await paymentForIntent(paymentIntent, actor, db);
  if (payment) await bookRefundsOf(payment, paymentIntent, actor, db);
}

async function bookRefundsOf(payment: Payment, paymentIntent: string, actor: Actor, db: Db, current?: ProcessorRefund): Promise<string | void> {
  const all = await (await getProcessor()).listRefunds(paymentIntent);
  if (current && !all.some((r) => r.id === current.id)) all.push(current);
  all.sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
  let note: string | void = undefined;
  for (const each of all) {
    const result = await bookRefund(payment, each, actor, db);
    if (each.id === current?.id) note = result;
  }
  return note;
}

async function bookRefund(payment: Payment, current: ProcessorRefund, actor: Actor, db: Db): Promise<string | void> {
  const occurredOn = dayOfUnixTime(current.created);
  const holds = current.status === "pending" || current.status === "succeeded" || current.status === "requires_action";
  return db.transaction(async (tx) => {
    const locked = await lockPayment(payment.id, tx);
    const sourceKey = `refund:stripe:${current.id}`;
    const [existing] = await tx.select().from(refunds).where(eq(refunds.sourceKey, sourceKey));
    if (!existing) {
      if (!holds) return "A refund that failed before Settle saw it: nothing to book";
      await takeBackApplications(locked, current.amountMinor, occurredOn, `refund:${current.id}`, actor, tx);
      const row = await refund(
        { source: { paymentId: payment.id }, amountMinor: current.amountMinor, method: locked.method, reference: current.id, reason: current.metadata.settle_reason || "Refunded through Stripe", refundedOn: occurredOn, idempotencyKey: `stripe:${current.id}` },
        actor,
        tx,
      );
      if (current.status === "pending") await tx.update(refunds).set({ status: "pending" }).where(eq(refunds.id, row.id));
      return;
    }
    const status = holds ? (current.status === "succeeded" ? "succeeded" : "pending") : "failed";
    if (existing.status === status || existing.status === "failed") return;
    await tx.update(refunds).set({ status }).where(eq(refunds.id, existing.id));
    if (status === "failed") {
      await postEntry(
        {
          sourceKey: `refund:${existing.id}:failed`,
          type: "refund_failed",
          customerId: existing.customerId,
          currency: existing.currency,
          effectiveDate: occurredOn < existing.refundedOn ? existing.refundedOn : occurredOn,
          description: `Refund failed (${current.id}): ${current.failureReason ?? "returned by the bank"}; the money is credit again`,
          paymentId: existing.paymentId,
          refundId: existing.id,
          actor,
          lines: [
            { account: "cash", amountMinor: existing.amountMinor },
            { account: "customer_credit", amountMinor: -existing.amountMinor },
          ],
        },
        tx,
      );
      await recordAudit({ actor, action: "refund.failed", entityType: "payment", entityId: existing.paymentId, customerId: existing.customerId, after: { refund: current.id, reason: current.failureReason } }, tx);
    }
  });
}

/**
 * A card dispute as it stands: once its funds are withdrawn, the payment gives back the amount
 * (reopening the invoices it paid) and, if settings say so, the customer is invoiced the fee; once
 * reinstated, the money returns and goes back onto the same invoices, and the fee is credited.
 */
export async function applyProcessorDispute(current: ProcessorDispute, actor: Actor, db: Db = getDb()): Promise<string | void> {
  const payment = current.paymentIntent ? await paymentForIntent(current.paymentIntent, actor, db) : null;
  if (!payment) {
    await openException(
      { kind: "unknown_chargeback", sourceKey: `dispute:${current.id}`, currency: current.currency, amountMinor: current.amountMinor, reason: `A ${formatMoney(current.amountMinor, current.currency)} chargeback (${current.id}) is on a payment Settle does not have`, occurredOn: dayOfUnixTime(current.created), processorObjectId: current.id },
      actor,
      db,
    );
    return "Chargeback on a payment not in the books: on the exceptions queue";
  }
  const settings = await getReconciliationSettings(db);
  let feeInvoiceToCredit: string | null = null;
  let chargeback: Chargeback | undefined;
  await db.transaction(async (tx) => {
    const locked = await lockPayment(payment.id, tx);
    [chargeback] = await tx.select().from(chargebacks).where(eq(chargebacks.processorDisputeId, current.id));
    const status = current.status === "won" ? "won" : current.status === "lost" ? "lost" : "open";
    if (!chargeback) {
      [chargeback] = await tx
        .insert(chargebacks)
        .values({ processorDisputeId: current.id, customerId: payment.customerId, currency: payment.currency, paymentId: payment.id, amountMinor: current.amountMinor, reason: current.reason, status })
        .returning();
      await recordAudit({ actor, action: "chargeback.open", entityType: "payment", entityId: payment.id, customerId: payment.customerId, after: { dispute: current.id, amountMinor: current.amountMinor, reason: current.reason } }, tx);
    } else if (chargeback.status !== status) {
      [chargeback] = await tx.update(chargebacks).set({ status, updatedAt: new Date() }).where(eq(chargebacks.id, chargeback.id)).returning();
    }
    if (current.withdrawn && !chargeback!.withdrawnOn) {
      const on = dayOfUnixTime(current.withdrawn.at);
      const effective = on < locked.receivedOn ? locked.receivedOn : on;
      const reopened = await takeBackApplications(locked, current.amountMinor, effective, `dispute:${current.id}`, actor, tx);
      [chargeback] = await tx.update(chargebacks).set({ withdrawnOn: effective, feeMinor: current.withdrawn.feeMinor, reopened, updatedAt: new Date() }).where(eq(chargebacks.id, chargeback!.id)).returning();
      await postEntry(
        {
          sourceKey: `chargeback:${current.id}`,
          type: "chargeback",
          customerId: payment.customerId,
          currency: payment.currency,
          effectiveDate: effective,
          description: `Chargeback (${current.id}${current.reason ? `, ${current.reason.replace(/_/g, " ")}` : ""}) of payment ${payment.reference ?? ""}`.trim(),
          paymentId: payment.id,
          actor,
          lines: [
            { account: "customer_credit", amountMinor: current.amountMinor },
            { account: "cash", amountMinor: -current.amountMinor },
          ],
        },
        tx,
      );
      if (settings.chargebackFeeToCustomer && current.withdrawn.feeMinor > 0) {
        const fee = await createIssuedInvoice(
          {
            customerId: payment.customerId,
            lines: [{ description: `Chargeback fee: card dispute ${current.id} of payment ${payment.reference ?? ""}`.trim(), quantityMilli: 1000, unitPriceMinor: current.withdrawn.feeMinor, taxRateBps: 0 }],
            issueDate: effective,
            memo: "The card issuer's dispute fee, passed on under our terms.",
            idempotencyKey: `chargeback-fee:${current.id}`,
            notify: false,
          },
          actor,
          tx,
        );
        [chargeback] = await tx.update(chargebacks).set({ feeInvoiceId: fee.id }).where(eq(chargebacks.id, chargeback!.id)).returning();
      }
      await recordAudit({ actor, action: "chargeback.withdrawn", entityType: "payment", entityId: payment.id, customerId: payment.customerId, after: { dispute: current.id, amountMinor: current.amountMinor, feeMinor: current.withdrawn.feeMinor, reopened } }, tx);
    }
    if (current.reinstated && chargeback!.withdrawnOn && !chargeback!.reinstatedOn) {
      const on = dayOfUnixTime(current.reinstated.at);
      const effective = on < chargeback!.withdrawnOn ? chargeback!.withdrawnOn : on;
      [chargeback] = await tx.update(chargebacks).set({ reinstatedOn: effective, updatedAt: new Date() }).where(eq(chargebacks.id, chargeback!.id)).returning();
      await postEntry(
        {
          sourceKey: `chargeback:${current.id}:reinstated`,
          type: "chargeback_reversed",
          customerId: payment.customerId,
          currency: payment.currency,
          effectiveDate: effective,
          description: `Chargeback won (${current.id}): the money is back`,
          paymentId: payment.id,
          actor,
          lines: [
            { account: "cash", amountMinor: current.amountMinor },
            { account: "customer_credit", amountMinor: -current.amountMinor },
          ],
        },
        tx,
      );
      const fresh = await lockPayment(payment.id, tx);
      for (const { invoiceId, amountMinor } of chargeback!.reopened) {
        await reapply(fresh, { invoiceId }, amountMinor, effective, `dispute:${current.id}:reinstated:${invoiceId}`, actor, tx);
      }
      feeInvoiceToCredit = chargeback!.feeInvoiceId;
      await recordAudit({ actor, action: "chargeback.reinstated", entityType: "payment", entityId: payment.id, customerId: payment.customerId, after: { dispute: current.id, amountMinor: current.amountMinor } }, tx);
    }
  });
  if (feeInvoiceToCredit) await creditChargebackFee(feeInvoiceToCredit, current.id, actor, db);
}

/** A won dispute's fee is given back: what is still open on the fee invoice is credited. */
async function creditChargebackFee(invoiceId: string, disputeId: string, actor: Actor, db: Db) {
  const [invoice] = await db.select().from(invoices).where(eq(invoices.id, invoiceId));
  if (!invoice || invoice.status !== "open" || invoice.openMinor <= 0) return;
  await issueCreditNote(
    {
      customerId: invoice.customerId,
      invoiceId,
      kind: "credit_note",
      lines: [{ description: `Chargeback fee returned: dispute ${disputeId} was won`, amountMinor: invoice.openMinor }],
      reason: `Card dispute ${disputeId} was won`,
      issueDate: invoice.issueDate!,
      applyToInvoice: true,
      idempotencyKey: `chargeback-fee-credit:${disputeId}`,
    },
    actor,
    db,
  );
}

/**
 * A payout as it stands: once paid, each of its balance transactions is found in the books (bringing
 * late payments, refunds and disputes in first) and marked deposited with its fee; the breakdown
 * must add up to the amount, or the payout goes on the exceptions queue.
 */
export async function applyProcessorPayout(current: ProcessorPayout, actor: Actor, db: Db = getDb()): Promise<string | void> {
  const [row] = await db
    .insert(payouts)
    .values({ processorPayoutId: current.id, currency: current.currency, amountMinor: current.amountMinor, status: current.status, arrivalDate: current.arrivalDate, failureMessage: current.failureMessage })
    .onConflictDoUpdate({ target: payouts.processorPayoutId, set: { status: current.status, arrivalDate: current.arrivalDate, failureMessage: current.failureMessage, updatedAt: new Date() } })
    .returning();
  const payout = row!;
  if ((current.status === "failed" || current.status === "canceled") && payout.reconciliation !== "pending") {
    // Paid, then returned by the bank: its payments are no longer deposited; Stripe pays them out again.
    await db.transaction(async (tx) => {
      await tx.update(payments).set({ payoutId: null }).where(eq(payments.payoutId, payout.id));
      await tx.update(payouts).set({ reconciliation: "pending", updatedAt: new Date() }).where(eq(payouts.id, payout.id));
      await recordAudit({ actor, action: "payout.returned", entityType: "payout", entityId: payout.id, after: { payout: current.id, status: current.status, failure: current.failureMessage } }, tx);
    });
    return `Payout ${current.status}: its payments wait for the next payout`;
  }
  if (current.status !== "paid" || payout.reconciliation !== "pending") return;
  const processor = await getProcessor();
  const transactions = await processor.listPayoutTransactions(current.id);
  const problems: string[] = [];
  const totals = { paymentsMinor: 0, refundsMinor: 0, feesMinor: 0, chargebacksMinor: 0, otherMinor: 0 };
  const items: (typeof payoutItems.$inferInsert)[] = [];
  for (const txn of transactions) {
    const item = await linkTransaction(txn, actor, db);
    if (item.problem) problems.push(item.problem);
    totals.feesMinor += txn.feeMinor;
    if (txn.reportingCategory === "charge") totals.paymentsMinor += txn.amountMinor;
    else if (txn.reportingCategory === "refund") totals.refundsMinor -= txn.amountMinor;
    else if (txn.reportingCategory === "dispute" || txn.reportingCategory === "dispute_reversal") totals.chargebacksMinor -= txn.amountMinor;
    else totals.otherMinor += txn.amountMinor;
    items.push({ payoutId: payout.id, balanceTransactionId: txn.id, type: txn.type, reportingCategory: txn.reportingCategory, sourceId: txn.sourceId, grossMinor: txn.amountMinor, feeMinor: txn.feeMinor, netMinor: txn.netMinor, paymentId: item.paymentId, refundId: item.refundId, chargebackId: item.chargebackId });
  }
  const computed = totals.paymentsMinor - totals.refundsMinor - totals.feesMinor - totals.chargebacksMinor + totals.otherMinor;
  if (computed !== current.amountMinor) {
    problems.unshift(`Payments ${formatMoney(totals.paymentsMinor, current.currency)} − refunds ${formatMoney(totals.refundsMinor, current.currency)} − fees ${formatMoney(totals.feesMinor, current.currency)} − chargebacks ${formatMoney(totals.chargebacksMinor, current.currency)} = ${formatMoney(computed, current.currency)}, not the ${formatMoney(current.amountMinor, current.currency)} paid out`);
  }
  await db.transaction(async (tx) => {
    const [locked] = await tx.select().from(payouts).where(eq(payouts.id, payout.id)).for("update");
    if (locked!.reconciliation !== "pending") return;
    if (items.length > 0) await tx.insert(payoutItems).values(items).onConflictDoNothing();
    for (const item of items) {
      if (item.paymentId && item.reportingCategory === "charge") await tx.update(payments).set({ processorFeeMinor: item.feeMinor, payoutId: payout.id }).where(eq(payments.id, item.paymentId));
    }
    await tx
      .update(payouts)
      .set({ ...totals, itemCount: items.length, reconciliation: problems.length === 0 ? "balanced" : "mismatch", updatedAt: new Date() })
      .where(eq(payouts.id, payout.id));
    if (problems.length > 0) {
      await openException(
        { kind: "payout_mismatch", sourceKey: `payout:${current.id}`, currency: current.currency, amountMinor: current.amountMinor, reason: problems.slice(0, 5).join("; "), occurredOn: current.arrivalDate, payoutId: payout.id, processorObjectId: current.id },
        actor,
        tx,
      );
    }
    await recordAudit({ actor, action: "payout.reconciled", entityType: "payout", entityId: payout.id, after: { payout: current.id, amountMinor: current.amountMinor, ...totals, problems } }, tx);
  });
  return problems.length > 0 ? `Payout does not reconcile: ${problems[0]}` : undefined;
}

/** Finds a balance transaction's payment, refund or chargeback in the books, bringing it in if late. */
async function linkTransaction(txn: ProcessorBalanceTransaction, actor: Actor, db: Db): Promise<{ paymentId: string | null; refundId: string | null; chargebackId: string | null; problem?: string }> {
  const none = { paymentId: null, refundId: null, chargebackId: null };
  const processor = await getProcessor();
  if (txn.reportingCategory === "charge") {
    const payment = txn.paymentIntent ? await paymentForIntent(txn.paymentIntent, actor, db) : null;
    return payment ? { ...none, paymentId: payment.id } : { ...none, problem: `Charge ${txn.sourceId} is not a payment in Settle's books` };
  }
  if (txn.reportingCategory === "refund" || txn.reportingCategory === "refund_failure") {
    if (txn.refundId) await applyProcessorRefund(await processor.retrieveRefund(txn.refundId), actor, db);
    const [row] = txn.refundId ? await db.select().from(refunds).where(eq(refunds.sourceKey, `refund:stripe:${txn.refundId}`)) : [];
    return row ? { ...none, paymentId: row.paymentId, refundId: row.id } : { ...none, problem: `Refund ${txn.sourceId} is not in Settle's books` };
  }
  if (txn.reportingCategory === "dispute" || txn.reportingCategory === "dispute_reversal") {
    if (txn.disputeId) await applyProcessorDispute(await processor.retrieveDispute(txn.disputeId), actor, db);
    const [row] = txn.disputeId ? await db.select().from(chargebacks).where(eq(chargebacks.processorDisputeId, txn.disputeId)) : [];
    return row ? { ...none, paymentId: row.paymentId, chargebackId: row.id } : { ...none, problem: `Dispute ${txn.sourceId} is not in Settle's books` };
  }
  return none;
}

export async function listPayouts({ limit = 50 }: { limit?: number } = {}, db: Db = getDb()) {
  return db.select().from(payouts).orderBy(desc(payouts.arrivalDate), desc(payouts.createdAt)).limit(limit);
}

export async function getPayoutDetail(id: string, db: Db = getDb()) {
  const [payout] = await db.select().from(payouts).where(eq(payouts.id, id));
  if (!payout) return null;
  const items = await db
    .select({ item: payoutItems, customerName: customers.name, customerId: customers.id, reference: payments.reference })
    .from(payoutItems)
    .leftJoin(payments, eq(payments.id, payoutItems.paymentId))
    .leftJoin(customers, eq(customers.id, payments.customerId))
    .where(eq(payoutItems.payoutId, id))
    .orderBy(payoutItems.createdAt);
  return { payout, items };
}

/** What the processor did with a payment after it arrived: its disputes and the payout it was deposited in. */
export async function processorMoneyOf(payment: Pick<Payment, "id" | "payoutId">, db: Db = getDb()) {
  const [disputes, [payout]] = await Promise.all([
    db.select().from(chargebacks).where(eq(chargebacks.paymentId, payment.id)).orderBy(chargebacks.createdAt),
    payment.payoutId ? db.select().from(payouts).where(eq(payouts.id, payment.payoutId)) : Promise.resolve([]),
  ]);
  return { chargebacks: disputes, payout: payout ?? null };
}
