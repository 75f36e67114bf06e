import { and, asc, desc, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { customers, invoices, staffUsers, writeOffRequests } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import { hasRole } from "~/auth/roles";
import { currencyExponent, formatMoney } from "~/money/money";
import { getLedgerSettings } from "~/settings/settings.server";
import { today } from "~/utils/dates";
import { DomainError } from "~/utils/errors";
import type { StaffActor } from "./actor";
import { lockInvoices } from "./applications.server";
import { issueCreditNote } from "./credit-notes.server";
import { once } from "~/utils/once.server";

/** The approval threshold in minor units of `currency` (the setting is in whole units). */
export async function writeOffThresholdMinor(currency: string, db: Db = getDb()) {
  const { writeOffApprovalAbove } = await getLedgerSettings(db);
  return writeOffApprovalAbove * 10 ** currencyExponent(currency);
}

export type WriteOffOutcome = { outcome: "written_off"; creditNoteId: string } | { outcome: "pending_approval"; requestId: string };

/**
 * Writes off part or all of what is open on an invoice. At or under the threshold (or by an
 * admin) it happens at once; above it, it waits for an admin's approval.
 */
export async function requestWriteOff(
  { invoiceId, amountMinor, reason, idempotencyKey }: { invoiceId: string; amountMinor?: number; reason: string; idempotencyKey?: string },
  actor: StaffActor & { role: "admin" | "clerk" | "viewer" },
  db: Db = getDb(),
): Promise<WriteOffOutcome> {
  if (idempotencyKey) {
    // A repeated submit returns what the first one did: the write-off, or the request for approval.
    const { value } = await once(
      { key: `write-off:${idempotencyKey}`, resource: "write_off" },
      db,
      async (tx) => {
        const outcome = await requestWriteOff({ invoiceId, amountMinor, reason }, actor, tx);
        return { id: outcome.outcome === "written_off" ? outcome.creditNoteId : outcome.requestId, outcome };
      },
      async (id, tx) => {
        const [request] = await tx.select({ id: writeOffRequests.id }).from(writeOffRequests).where(eq(writeOffRequests.id, id));
        return { id, outcome: request ? { outcome: "pending_approval" as const, requestId: id } : { outcome: "written_off" as const, creditNoteId: id } };
      },
    );
    return value.outcome;
  }
  return db.transaction(async (tx) => {
    const invoice = (await lockInvoices([invoiceId], tx)).get(invoiceId);
    if (!invoice) throw new DomainError("not_found", "Invoice not found");
    if (invoice.status !== "open") throw new DomainError("conflict", `Only an open invoice can be written off; this one is ${invoice.status.replace("_", " ")}`);
    const amount = amountMinor ?? invoice.openMinor;
    if (!Number.isSafeInteger(amount) || amount <= 0) throw new DomainError("invalid", "The amount to write off must be more than zero", "amount");
    if (amount > invoice.openMinor) throw new DomainError("invalid", `Only ${formatMoney(invoice.openMinor, invoice.currency)} is open`, "amount");
    if (!reason.trim()) throw new DomainError("invalid", "Give a reason for the write-off", "reason");
    const threshold = await writeOffThresholdMinor(invoice.currency, tx);
    if (hasRole(actor, "admin") || amount <= threshold) {
      const note = await executeWriteOff({ invoiceId, amountMinor: amount, reason: reason.trim(), key: `write-off:${invoiceId}:${invoice.writtenOffMinor}:${amount}` }, actor, tx);
      return { outcome: "written_off", creditNoteId: note.id };
    }
    const [pending] = await tx.select().from(writeOffRequests).where(and(eq(writeOffRequests.invoiceId, invoiceId), eq(writeOffRequests.status, "pending")));
    if (pending) throw new DomainError("conflict", "A write-off of this invoice is already waiting for approval");
    const [request] = await tx
      .insert(writeOffRequests)
      .values({ invoiceId, customerId: invoice.customerId, currency: invoice.currency, amountMinor: amount, reason: reason.trim(), requestedBy: actor.id })
      .returning();
    await recordAudit(
      { actor, action: "write_off.request", entityType: "invoice", entityId: invoiceId, customerId: invoice.customerId, after: { amountMinor: amount, reason: reason.trim(), thresholdMinor: threshold } },
      tx,
    );
    return { outcome: "pending_approval", requestId: request!.id };
  });
}

function executeWriteOff({ invoiceId, amountMinor, reason, key }: { invoiceId: string; amountMinor: number; reason: string; key: string }, actor: Actor, db: Db) {
  return db.transaction(async (tx) => {
    const [invoice] = await tx.select().from(invoices).where(eq(invoices.id, invoiceId));
    return issueCreditNote(
      {
        customerId: invoice!.customerId,
        invoiceId,
        kind: "write_off",
        lines: [{ description: `Write-off of invoice ${invoice!.number}`, amountMinor }],
        reason,
        issueDate: today(),
        applyToInvoice: true,
        idempotencyKey: key,
      },
      actor,
      tx,
    );
  });
}

export async function decideWriteOff(
  { requestId, approve, note }: { requestId: string; approve: boolean; note?: string | null },
  actor: StaffActor & { role: "admin" | "clerk" | "viewer" },
  db: Db = getDb(),
) {
  if (!hasRole(actor, "admin")) throw new DomainError("forbidden", "Only an admin can approve or reject a write-off");
  return db.transaction(async (tx) => {
    const [request] = await tx.select().from(writeOffRequests).where(eq(writeOffRequests.id, requestId)).for("update");
    if (!request) throw new DomainError("not_found", "Write-off request not found");
    if (request.status !== "pending") return request;
    let creditNoteId: string | null = null;
    if (approve) {
      const invoice = (await lockInvoices([request.invoiceId], tx)).get(request.invoiceId)!;
      if (invoice.status !== "open" || invoice.openMinor < request.amountMinor) {
        throw new DomainError("conflict", `Invoice ${invoice.number} now has ${formatMoney(invoice.openMinor, invoice.currency)} open; reject this request and ask again`);
      }
      const credit = await executeWriteOff({ invoiceId: request.invoiceId, amountMinor: request.amountMinor, reason: request.reason, key: `write-off-request:${request.id}` }, actor, tx);
      creditNoteId = credit.id;
    }
    const [decided] = await tx
      .update(writeOffRequests)
      .set({ status: approve ? "approved" : "rejected", decidedBy: actor.id, decidedAt: new Date(), decisionNote: note ?? null, creditNoteId })
      .where(eq(writeOffRequests.id, requestId))
      .returning();
    await recordAudit(
      { actor, action: approve ? "write_off.approve" : "write_off.reject", entityType: "invoice", entityId: request.invoiceId, customerId: request.customerId, before: { status: "pending" }, after: { status: decided!.status, note: note ?? null } },
      tx,
    );
    return decided!;
  });
}

export async function listWriteOffRequests({ status = "pending" }: { status?: "pending" | "approved" | "rejected" } = {}, db: Db = getDb()) {
  const requester = alias(staffUsers, "requester");
  const decider = alias(staffUsers, "decider");
  return db
    .select({
      requestedByName: requester.name,
      decidedByName: decider.name,
      id: writeOffRequests.id,
      invoiceId: writeOffRequests.invoiceId,
      invoiceNumber: invoices.number,
      customerId: writeOffRequests.customerId,
      customerName: customers.name,
      currency: writeOffRequests.currency,
      amountMinor: writeOffRequests.amountMinor,
      openMinor: invoices.openMinor,
      reason: writeOffRequests.reason,
      status: writeOffRequests.status,
      requestedAt: writeOffRequests.requestedAt,
      decidedAt: writeOffRequests.decidedAt,
      decisionNote: writeOffRequests.decisionNote,
    })
    .from(writeOffRequests)
    .innerJoin(invoices, eq(invoices.id, writeOffRequests.invoiceId))
    .innerJoin(customers, eq(customers.id, writeOffRequests.customerId))
    .leftJoin(requester, eq(requester.id, writeOffRequests.requestedBy))
    .leftJoin(decider, eq(decider.id, writeOffRequests.decidedBy))
    .where(eq(writeOffRequests.status, status))
    .orderBy(status === "pending" ? asc(writeOffRequests.requestedAt) : desc(writeOffRequests.decidedAt))
    .limit(200);
}
