import { and, eq } from "drizzle-orm";
import { invoiceLines, invoices, type Invoice } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import { generateToken } from "~/auth/crypto.server";
import type { LateFee } from "~/collections/policy";
import { currencyExponent, divideRounded, formatMoney, percentOf } from "~/money/money";
import { today, type IsoDate } from "~/utils/dates";
import { DomainError } from "~/utils/errors";
import { staffIdOf } from "./actor";
import { voidInvoice } from "./invoices.server";
import { postEntry } from "./journal.server";
import { takeNumber } from "./numbering.server";

export type FeeKind = "late_fee" | "interest";
export const feeKindLabels: Record<FeeKind, string> = { late_fee: "Late fee", interest: "Interest" };

/** A policy's decimal amount ("25.00") in minor units of `currency`, rounded half up past its decimals. */
export function decimalToMinor(decimal: string, currency: string): number {
  const [whole = "0", fraction = ""] = decimal.split(".");
  const exponent = currencyExponent(currency);
  const scale = 10n ** BigInt(fraction.length);
  const value = BigInt(whole) * scale + BigInt(fraction || "0");
  return Number(divideRounded(value * 10n ** BigInt(exponent), scale));
}

/**
 * What a policy's fee comes to on an invoice now: flat, or a percent of the collectible overdue
 * amount, never taking the invoice's fees past the cap. Pure, so tests can compute it by hand.
 */
export function computeLateFee({ fee, collectibleMinor, chargedSoFarMinor, currency }: { fee: LateFee; collectibleMinor: number; chargedSoFarMinor: number; currency: string }): number {
  const base = fee.type === "flat" ? decimalToMinor(fee.amount ?? "0", currency) : percentOf(collectibleMinor, fee.percentBps ?? 0);
  const room = fee.cap === null ? base : Math.max(0, decimalToMinor(fee.cap, currency) - chargedSoFarMinor);
  return Math.max(0, Math.min(base, room));
}

export type ChargeFeeInput = {
  invoiceId: string;
  kind: FeeKind;
  amountMinor: number;
  /** The fee's date: today or earlier (backdating is allowed), not before the invoice was issued. */
  effectiveDate: IsoDate;
  /** The period of a policy's fee (0 for a one-off); null for a fee charged by hand. */
  period: number | null;
  reason: string;
  /** The day to treat as today (a dunning run's local day for the customer). */
  today?: IsoDate;
};

/**
 * Charges a fee on an invoice as an invoice of its own (kind late_fee or interest, due at once)
 * with a `late_fee` journal entry, so paying the principal never takes the fee with it. A
 * policy's fee for a period is charged once: the base invoice is locked and the period checked.
 */
export async function chargeFee(input: ChargeFeeInput, actor: Actor, db: Db = getDb()): Promise<Invoice | null> {
  return db.transaction(async (tx) => {
    const [base] = await tx.select().from(invoices).where(eq(invoices.id, input.invoiceId)).for("update");
    if (!base) throw new DomainError("not_found", "Invoice not found", "invoiceId");
    const label = base.number ?? "this draft";
    if (base.status === "void") throw new DomainError("invalid", `Invoice ${label} is void: a fee can only be charged on an issued invoice that is not void`, "invoiceId");
    if (base.status === "draft") throw new DomainError("invalid", "A draft invoice cannot carry a fee; issue it first", "invoiceId");
    if (base.kind !== "standard") throw new DomainError("invalid", `Invoice ${label} is itself a fee; fees are charged on ordinary invoices`, "invoiceId");
    if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0) throw new DomainError("invalid", "The fee must be more than zero", "amount");
    if (input.effectiveDate > (input.today ?? today())) throw new DomainError("invalid", "The fee's date cannot be in the future", "effectiveDate");
    if (input.effectiveDate < base.issueDate!) throw new DomainError("invalid", `The fee's date cannot be before the invoice was issued (${base.issueDate})`, "effectiveDate");
    const reason = input.reason.trim();
    if (!reason) throw new DomainError("invalid", "Say why the fee is charged", "reason");
    if (input.period !== null) {
      const [existing] = await tx
        .select({ id: invoices.id })
        .from(invoices)
        .where(and(eq(invoices.feeForInvoiceId, base.id), eq(invoices.kind, input.kind), eq(invoices.feePeriod, input.period)));
      if (existing) return null;
    }
    const number = await takeNumber("invoice", tx);
    const [fee] = await tx
      .insert(invoices)
      .values({
        customerId: base.customerId,
        currency: base.currency,
        number,
        // A draft first: an issued invoice's lines are fixed (migration 0003), so the line goes in before it opens.
        status: "draft",
        kind: input.kind,
        feeForInvoiceId: base.id,
        feePeriod: input.period,
        issueDate: input.effectiveDate,
        dueDate: input.effectiveDate,
        paymentTermsDays: 0,
        memo: reason,
        subtotalMinor: input.amountMinor,
        taxMinor: 0,
        totalMinor: input.amountMinor,
        publicToken: generateToken(),
        createdBy: staffIdOf(actor),
      })
      .returning();
    await tx.insert(invoiceLines).values({
      invoiceId: fee!.id,
      position: 0,
      description: `${feeKindLabels[input.kind]} on invoice ${base.number}: ${reason}`,
      quantityMilli: 1000,
      unitPriceMinor: input.amountMinor,
      taxRateBps: 0,
      netMinor: input.amountMinor,
      taxMinor: 0,
      totalMinor: input.amountMinor,
    });
    await tx.update(invoices).set({ status: "open", issuedAt: new Date() }).where(eq(invoices.id, fee!.id));
    await postEntry(
      {
        sourceKey: `invoice:${fee!.id}:issued`,
        type: "late_fee",
        customerId: base.customerId,
        currency: base.currency,
        effectiveDate: input.effectiveDate,
        description: `${feeKindLabels[input.kind]} ${number} on invoice ${base.number}`,
        invoiceId: fee!.id,
        actor,
        lines: [
          { account: "receivable", amountMinor: input.amountMinor, invoiceId: fee!.id },
          { account: "fee_income", amountMinor: -input.amountMinor },
        ],
      },
      tx,
    );
    await recordAudit(
      {
        actor,
        action: "fee.charge",
        entityType: "invoice",
        entityId: fee!.id,
        customerId: base.customerId,
        after: { kind: input.kind, number, onInvoice: base.number, amountMinor: input.amountMinor, period: input.period, effectiveDate: input.effectiveDate, reason, text: `${formatMoney(input.amountMinor, base.currency)}` },
      },
      tx,
    );
    return { ...fee!, status: "open" as const };
  });
}

/** Waives a fee nothing has been paid on: the fee invoice is voided, with the reason. */
export async function waiveFee({ feeInvoiceId, reason }: { feeInvoiceId: string; reason: string }, actor: Actor, db: Db = getDb()) {
  return db.transaction(async (tx) => {
    const [fee] = await tx.select().from(invoices).where(eq(invoices.id, feeInvoiceId)).for("update");
    if (!fee || fee.kind === "standard") throw new DomainError("not_found", "Fee not found", "feeInvoiceId");
    if (!reason.trim()) throw new DomainError("invalid", "Say why the fee is waived", "reason");
    if (fee.status === "void") return fee;
    if (fee.openMinor !== fee.totalMinor) throw new DomainError("conflict", `Part of fee ${fee.number} is already paid or credited; issue a credit note for the rest instead`, "feeInvoiceId");
    const voided = await voidInvoice({ invoiceId: fee.id, reason: `Fee waived: ${reason.trim()}` }, actor, tx);
    await recordAudit({ actor, action: "fee.waive", entityType: "invoice", entityId: fee.id, customerId: fee.customerId, before: { status: fee.status }, after: { status: "void", number: fee.number, amountMinor: fee.totalMinor, reason: reason.trim() } }, tx);
    return voided;
  });
}

/** The fees charged on an invoice, oldest first. */
export async function feesOn(invoiceId: string, db: Db = getDb()) {
  return db
    .select({ id: invoices.id, number: invoices.number, kind: invoices.kind, status: invoices.status, issueDate: invoices.issueDate, totalMinor: invoices.totalMinor, openMinor: invoices.openMinor, memo: invoices.memo, feePeriod: invoices.feePeriod })
    .from(invoices)
    .where(eq(invoices.feeForInvoiceId, invoiceId))
    .orderBy(invoices.issueDate, invoices.number);
}
