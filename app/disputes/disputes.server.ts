import { and, asc, desc, eq, inArray, isNull, ne, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import {
  creditNoteLines,
  creditNotes,
  customers,
  disputeMessages,
  disputes,
  invoiceLines,
  invoices,
  portalUsers,
  staffUsers,
  type Dispute,
  type DisputeReason,
  type Invoice,
  type InvoiceLine,
  type PortalUser,
  type StaffRole,
} from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import { hasRole } from "~/auth/roles";
import type { StaffActor } from "~/ledger/actor";
import { lockInvoices } from "~/ledger/applications.server";
import { issueCreditNote } from "~/ledger/credit-notes.server";
import { formatMoney, sumMinor } from "~/money/money";
import { daysBetween, today } from "~/utils/dates";
import { DomainError } from "~/utils/errors";
import { once } from "~/utils/once.server";
import type { DisputeEvent } from "~emails/dispute-customer-update";
import { DISPUTE_MESSAGE_MAX, disputeReasonLabels, disputeReasons, type DisputeStatus } from "./labels";
import { notifyDispute, type DisputeAuthor } from "./notify.server";

/** The portal contact acting: disputes are theirs to open only for their own customer. */
export type DisputeContact = Pick<PortalUser, "id" | "customerId" | "name" | "email" | "role">;
export type DisputeStaff = StaffActor & { role: StaffRole };

const portalActor = (contact: DisputeContact): Actor => ({ type: "portal", id: contact.id, label: contact.email });

function requireBillingContact(contact: DisputeContact, customerId: string) {
  if (contact.customerId !== customerId) throw new DomainError("not_found", "Dispute not found");
  if (contact.role !== "billing") throw new DomainError("forbidden", "Your portal access lets you see invoices; ask a billing contact of your company to dispute them");
}

function requireClerk(actor: DisputeStaff) {
  if (!hasRole(actor, "clerk")) throw new DomainError("forbidden", "Working on disputes needs the clerk role");
}

function messageBody(text: string, field = "message") {
  const body = text.trim();
  if (!body) throw new DomainError("invalid", field === "message" ? "Write a message" : "Give a reason", field);
  if (body.length > DISPUTE_MESSAGE_MAX) throw new DomainError("invalid", `Keep it to ${DISPUTE_MESSAGE_MAX} characters`, field);
  return body;
}

/**
 * What is left to dispute on a line: its total less the live credit notes on it and less the
 * other open disputes of it, and never more than the invoice has open and not yet disputed.
 */
async function disputeRoom(invoice: Invoice, line: InvoiceLine, db: Db) {
  const [[credited], openOnInvoice] = await Promise.all([
    db
      .select({ minor: sql<string>`coalesce(sum(${creditNoteLines.totalMinor}), 0)` })
      .from(creditNoteLines)
      .innerJoin(creditNotes, eq(creditNotes.id, creditNoteLines.creditNoteId))
      .where(and(eq(creditNoteLines.invoiceLineId, line.id), isNull(creditNotes.voidedAt))),
    db
      .select({ id: disputes.id, invoiceLineId: disputes.invoiceLineId, amountMinor: disputes.amountMinor })
      .from(disputes)
      .where(and(eq(disputes.invoiceId, invoice.id), eq(disputes.status, "open"))),
  ]);
  const onLine = openOnInvoice.filter((d) => d.invoiceLineId === line.id);
  const lineDisputedMinor = sumMinor(onLine.map((d) => d.amountMinor));
  const lineLeftMinor = line.totalMinor - Number(credited?.minor ?? 0) - lineDisputedMinor;
  const invoiceLeftMinor = invoice.status === "open" ? invoice.openMinor - sumMinor(openOnInvoice.map((d) => d.amountMinor)) : 0;
  return { lineDisputedMinor, lineLeftMinor, invoiceLeftMinor, maxMinor: Math.max(0, Math.min(lineLeftMinor, invoiceLeftMinor)), openOnLine: onLine.map((d) => d.id) };
}

type Room = Awaited<ReturnType<typeof disputeRoom>>;

/** Why nothing on this line can be disputed now, in the customer's words, or null when something can. */
function nothingToDispute(invoice: Invoice, room: Room): string | null {
  const number = invoice.number ?? "";
  if (invoice.status === "paid") return `Invoice ${number} is paid, so there is nothing on it to put on hold.`;
  if (invoice.status === "void") return `Invoice ${number} was cancelled: you do not owe anything on it.`;
  if (invoice.status === "written_off") return `Invoice ${number} was written off: you do not owe anything on it.`;
  if (room.lineLeftMinor <= 0) return room.lineDisputedMinor > 0 ? "You already dispute all of this line." : "This line has been credited in full.";
  if (room.invoiceLeftMinor <= 0) return `Everything still open on invoice ${number} is already disputed.`;
  return null;
}

/** The dispute form of one line of the customer's invoice, or null when it is not theirs (or a draft). */
export async function getDisputeForm({ customerId, invoiceId, invoiceLineId }: { customerId: string; invoiceId: string; invoiceLineId: string }, db: Db = getDb()) {
  const [row] = await db
    .select({ invoice: invoices, line: invoiceLines })
    .from(invoiceLines)
    .innerJoin(invoices, eq(invoices.id, invoiceLines.invoiceId))
    .where(and(eq(invoiceLines.id, invoiceLineId), eq(invoices.id, invoiceId), eq(invoices.customerId, customerId), ne(invoices.status, "draft")));
  if (!row) return null;
  const room = await disputeRoom(row.invoice, row.line, db);
  const { invoice, line } = row;
  return {
    invoice: { id: invoice.id, number: invoice.number ?? "", status: invoice.status, currency: invoice.currency, totalMinor: invoice.totalMinor, openMinor: invoice.openMinor, dueDate: invoice.dueDate },
    line: { id: line.id, description: line.description, quantityMilli: line.quantityMilli, unitPriceMinor: line.unitPriceMinor, taxMinor: line.taxMinor, totalMinor: line.totalMinor },
    maxMinor: room.maxMinor,
    disputedMinor: room.lineDisputedMinor,
    closedReason: nothingToDispute(invoice, room),
    openOnLine: room.openOnLine,
  };
}

export type OpenDisputeInput = {
  customerId: string;
  invoiceLineId: string;
  amountMinor: number;
  reason: DisputeReason;
  message: string;
  /** The form's key: a double submit opens one dispute. */
  idempotencyKey?: string;
};

/**
 * A customer disputes part or all of one line of an open invoice. The amount goes on hold at
 * once (payableInvoices leaves it out of what is due); the invoice is locked, so two disputes
 * of the same line never add up to more than is there.
 */
export async function openDispute(input: OpenDisputeInput, contact: DisputeContact, db: Db = getDb()): Promise<Dispute> {
  if (!input.idempotencyKey) return db.transaction((tx) => createDispute(input, contact, tx));
  const { value } = await once(
    { key: `dispute:${input.idempotencyKey}`, resource: "dispute", fingerprint: `${input.customerId}:${input.invoiceLineId}` },
    db,
    (tx) => createDispute(input, contact, tx),
    async (id, tx) => (await tx.select().from(disputes).where(eq(disputes.id, id)))[0]!,
  );
  return value;
}

async function createDispute(input: OpenDisputeInput, contact: DisputeContact, tx: Db): Promise<Dispute> {
  requireBillingContact(contact, input.customerId);
  const [line] = await tx.select().from(invoiceLines).where(eq(invoiceLines.id, input.invoiceLineId));
  const invoice = line ? (await lockInvoices([line.invoiceId], tx)).get(line.invoiceId) : undefined;
  if (!line || !invoice || invoice.customerId !== input.customerId || invoice.status === "draft") throw new DomainError("not_found", "Invoice line not found");
  const money = (minor: number) => formatMoney(minor, invoice.currency);

  const room = await disputeRoom(invoice, line, tx);
  const closed = nothingToDispute(invoice, room);
  if (closed) throw new DomainError("conflict", closed, "amount");
  const amount = input.amountMinor;
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new DomainError("invalid", "The amount you dispute must be more than zero", "amount");
  if (amount > room.lineLeftMinor) throw new DomainError("invalid", `You can dispute at most ${money(room.lineLeftMinor)} of “${line.description}”`, "amount");
  if (amount > room.invoiceLeftMinor) throw new DomainError("invalid", `Only ${money(room.invoiceLeftMinor)} of invoice ${invoice.number} is open and not already disputed`, "amount");
  if (!disputeReasons.includes(input.reason)) throw new DomainError("invalid", "Choose what is wrong", "reason");
  const body = messageBody(input.message);

  const [dispute] = await tx
    .insert(disputes)
    .values({ customerId: invoice.customerId, invoiceId: invoice.id, invoiceLineId: line.id, currency: invoice.currency, amountMinor: amount, reason: input.reason, openedBy: contact.id })
    .returning();
  const [message] = await tx.insert(disputeMessages).values({ disputeId: dispute!.id, author: "customer", portalUserId: contact.id, body }).returning();
  await recordAudit(
    {
      actor: portalActor(contact),
      action: "dispute.open",
      entityType: "dispute",
      entityId: dispute!.id,
      customerId: invoice.customerId,
      after: { invoice: invoice.number, line: line.description, amountMinor: amount, currency: invoice.currency, reason: input.reason },
    },
    tx,
  );
  await notifyDispute({ disputeId: dispute!.id, messageId: message!.id, event: "opened", message: body, author: { side: "customer", id: contact.id, name: contact.name } }, tx);
  return dispute!;
}

/** Locks a dispute for a change; with `customerId`, another customer's dispute is not found. */
async function lockDispute(disputeId: string, customerId: string | null, tx: Db) {
  const [dispute] = await tx
    .select()
    .from(disputes)
    .where(and(eq(disputes.id, disputeId), customerId ? eq(disputes.customerId, customerId) : undefined))
    .for("update");
  if (!dispute) throw new DomainError("not_found", "Dispute not found");
  return dispute;
}

function requireOpen(dispute: Dispute) {
  if (dispute.status !== "open") throw new DomainError("conflict", `This dispute is closed: it was ${dispute.status === "rejected" ? "not accepted" : dispute.status}`);
}

async function staffAuthor(actor: DisputeStaff, tx: Db): Promise<DisputeAuthor> {
  const [user] = await tx.select({ name: staffUsers.name }).from(staffUsers).where(eq(staffUsers.id, actor.id));
  return { side: "staff", id: actor.id, name: user?.name ?? actor.label };
}

/** A change of a dispute: the row updated, a message in the thread, the audit entry and the emails, in one transaction. */
async function recordChange(
  tx: Db,
  {
    dispute,
    set,
    event,
    message,
    author,
    actor,
    action,
    before,
    after,
  }: {
    dispute: Dispute;
    set?: Partial<Dispute>;
    event: DisputeEvent;
    message: { author: "customer" | "staff" | "system"; body: string };
    author: DisputeAuthor;
    actor: Actor;
    action: string;
    before?: unknown;
    after?: unknown;
  },
) {
  const [updated] = await tx
    .update(disputes)
    .set({ ...set, updatedAt: new Date() })
    .where(eq(disputes.id, dispute.id))
    .returning();
  const [row] = await tx
    .insert(disputeMessages)
    .values({
      disputeId: dispute.id,
      author: message.author,
      portalUserId: message.author === "customer" ? author.id : null,
      staffUserId: message.author === "staff" ? author.id : null,
      body: message.body,
    })
    .returning();
  await recordAudit({ actor, action, entityType: "dispute", entityId: dispute.id, customerId: dispute.customerId, before, after }, tx);
  await notifyDispute({ disputeId: dispute.id, messageId: row!.id, event, message: message.body, author }, tx);
  return { dispute: updated!, message: row! };
}

/** Runs `post` once per form key (a double submit adds one message). */
async function postOnce(disputeId: string, idempotencyKey: string | undefined, db: Db, post: (tx: Db) => Promise<{ dispute: Dispute; message: { id: string } }>) {
  if (!idempotencyKey) return db.transaction(async (tx) => (await post(tx)).dispute);
  const { value } = await once(
    { key: `dispute-message:${idempotencyKey}`, resource: "dispute", fingerprint: disputeId },
    db,
    async (tx) => (await post(tx)).dispute,
    async (id, tx) => (await tx.select().from(disputes).where(eq(disputes.id, id)))[0]!,
  );
  return value;
}

/** The customer writes in the thread of their open dispute. */
export async function addCustomerMessage(
  { customerId, disputeId, body, idempotencyKey }: { customerId: string; disputeId: string; body: string; idempotencyKey?: string },
  contact: DisputeContact,
  db: Db = getDb(),
) {
  return postOnce(disputeId, idempotencyKey, db, async (tx) => {
    requireBillingContact(contact, customerId);
    const dispute = await lockDispute(disputeId, customerId, tx);
    requireOpen(dispute);
    const text = messageBody(body);
    return recordChange(tx, {
      dispute,
      event: "message",
      message: { author: "customer", body: text },
      author: { side: "customer", id: contact.id, name: contact.name },
      actor: portalActor(contact),
      action: "dispute.message",
    });
  });
}

/** The customer takes their dispute back: the amount is due again. Withdrawing twice is one withdrawal. */
export async function withdrawDispute({ customerId, disputeId }: { customerId: string; disputeId: string }, contact: DisputeContact, db: Db = getDb()) {
  return db.transaction(async (tx) => {
    requireBillingContact(contact, customerId);
    const dispute = await lockDispute(disputeId, customerId, tx);
    if (dispute.status === "withdrawn") return dispute;
    requireOpen(dispute);
    const number = await invoiceNumber(dispute.invoiceId, tx);
    const { dispute: updated } = await recordChange(tx, {
      dispute,
      set: { status: "withdrawn", resolvedAt: new Date() },
      event: "withdrawn",
      message: { author: "system", body: `${contact.name} withdrew the dispute. The ${formatMoney(dispute.amountMinor, dispute.currency)} is no longer on hold and is due with the rest of invoice ${number}.` },
      author: { side: "customer", id: contact.id, name: contact.name },
      actor: portalActor(contact),
      action: "dispute.withdraw",
      before: { status: "open" },
      after: { status: "withdrawn" },
    });
    return updated;
  });
}

async function invoiceNumber(invoiceId: string, tx: Db) {
  const [row] = await tx.select({ number: invoices.number }).from(invoices).where(eq(invoices.id, invoiceId));
  return row?.number ?? "";
}

/** Gives an open dispute to a clerk or admin; the customer is told who handles it. */
export async function assignDispute({ disputeId, assigneeId }: { disputeId: string; assigneeId: string }, actor: DisputeStaff, db: Db = getDb()) {
  requireClerk(actor);
  return db.transaction(async (tx) => {
    const dispute = await lockDispute(disputeId, null, tx);
    requireOpen(dispute);
    const [assignee] = await tx
      .select({ id: staffUsers.id, name: staffUsers.name })
      .from(staffUsers)
      .where(and(eq(staffUsers.id, assigneeId), inArray(staffUsers.role, ["clerk", "admin"]), isNull(staffUsers.disabledAt)));
    if (!assignee) throw new DomainError("invalid", "Choose a clerk or admin who can sign in", "assigneeId");
    if (dispute.assignedTo === assignee.id) return dispute;
    const [previous] = dispute.assignedTo ? await tx.select({ name: staffUsers.name }).from(staffUsers).where(eq(staffUsers.id, dispute.assignedTo)) : [];
    const { dispute: updated } = await recordChange(tx, {
      dispute,
      set: { assignedTo: assignee.id },
      event: "assigned",
      message: { author: "system", body: `${assignee.name} from our accounts team is handling this dispute.` },
      author: await staffAuthor(actor, tx),
      actor,
      action: "dispute.assign",
      before: { assignedTo: previous?.name ?? null },
      after: { assignedTo: assignee.name },
    });
    return updated;
  });
}

/** Staff write to the customer in the thread of an open dispute. */
export async function replyToDispute({ disputeId, body, idempotencyKey }: { disputeId: string; body: string; idempotencyKey?: string }, actor: DisputeStaff, db: Db = getDb()) {
  requireClerk(actor);
  return postOnce(disputeId, idempotencyKey, db, async (tx) => {
    const dispute = await lockDispute(disputeId, null, tx);
    requireOpen(dispute);
    const text = messageBody(body);
    return recordChange(tx, { dispute, event: "message", message: { author: "staff", body: text }, author: await staffAuthor(actor, tx), actor, action: "dispute.message" });
  });
}

/**
 * Accepts all or part of the disputed amount: a credit note of that amount for the line,
 * applied to the invoice (what the invoice no longer has open stays as account credit). The
 * rest of a part acceptance is due again. Accepting the same amount again changes nothing.
 */
export async function acceptDispute({ disputeId, amountMinor, note }: { disputeId: string; amountMinor: number; note?: string | null }, actor: DisputeStaff, db: Db = getDb()) {
  requireClerk(actor);
  return db.transaction(async (tx) => {
    const dispute = await lockDispute(disputeId, null, tx);
    if (dispute.status === "accepted" && dispute.acceptedMinor === amountMinor) return dispute;
    requireOpen(dispute);
    const money = (minor: number) => formatMoney(minor, dispute.currency);
    if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) throw new DomainError("invalid", "The amount to credit must be more than zero", "amount");
    if (amountMinor > dispute.amountMinor) throw new DomainError("invalid", `You can credit at most the ${money(dispute.amountMinor)} disputed`, "amount");
    const resolution = note?.trim() || null;
    if (resolution && resolution.length > DISPUTE_MESSAGE_MAX) throw new DomainError("invalid", `Keep it to ${DISPUTE_MESSAGE_MAX} characters`, "note");
    const [line] = await tx.select().from(invoiceLines).where(eq(invoiceLines.id, dispute.invoiceLineId));
    const number = await invoiceNumber(dispute.invoiceId, tx);

    let credit;
    try {
      credit = await issueCreditNote(
        {
          customerId: dispute.customerId,
          invoiceId: dispute.invoiceId,
          lines: [{ invoiceLineId: dispute.invoiceLineId, amountMinor }],
          applyToInvoice: true,
          reason: `Dispute accepted: ${disputeReasonLabels[dispute.reason].toLowerCase()} (${line!.description})`,
          memo: resolution,
          idempotencyKey: `dispute:${dispute.id}:accept`,
        },
        actor,
        tx,
      );
    } catch (error) {
      // The ledger's refusal (a void invoice, a line credited since) belongs next to the amount.
      if (error instanceof DomainError) throw new DomainError(error.code, error.message, "amount");
      throw error;
    }

    const full = amountMinor === dispute.amountMinor;
    const applied = credit.allocatedMinor;
    const where =
      applied === amountMinor
        ? `, applied to invoice ${number}.`
        : applied > 0
          ? `: ${money(applied)} is applied to invoice ${number} and ${money(amountMinor - applied)} stays on your account as credit.`
          : ", kept on your account as credit.";
    const body = [
      `${full ? "We accepted your dispute" : `We accepted ${money(amountMinor)} of the ${money(dispute.amountMinor)} you disputed`} and issued credit note ${credit.number} for ${money(amountMinor)}${where}`,
      full ? null : `The other ${money(dispute.amountMinor - amountMinor)} is no longer on hold and is due with the rest of the invoice.`,
      resolution,
    ]
      .filter(Boolean)
      .join("\n\n");
    const { dispute: updated } = await recordChange(tx, {
      dispute,
      set: { status: "accepted", acceptedMinor: amountMinor, creditNoteId: credit.id, resolutionNote: resolution, resolvedAt: new Date() },
      event: "accepted",
      message: { author: "system", body },
      author: await staffAuthor(actor, tx),
      actor,
      action: "dispute.accept",
      before: { status: "open", amountMinor: dispute.amountMinor },
      after: { status: "accepted", acceptedMinor: amountMinor, creditNote: credit.number, currency: dispute.currency },
    });
    return updated;
  });
}

/** Rejects a dispute with a reason the customer reads; the amount is due again. */
export async function rejectDispute({ disputeId, reason }: { disputeId: string; reason: string }, actor: DisputeStaff, db: Db = getDb()) {
  requireClerk(actor);
  return db.transaction(async (tx) => {
    const dispute = await lockDispute(disputeId, null, tx);
    if (dispute.status === "rejected") return dispute;
    requireOpen(dispute);
    const text = messageBody(reason, "reason");
    const number = await invoiceNumber(dispute.invoiceId, tx);
    const { dispute: updated } = await recordChange(tx, {
      dispute,
      set: { status: "rejected", resolutionNote: text, resolvedAt: new Date() },
      event: "rejected",
      message: {
        author: "system",
        body: `We looked into your dispute and could not accept it:\n\n${text}\n\nThe ${formatMoney(dispute.amountMinor, dispute.currency)} is no longer on hold and is due with the rest of invoice ${number}.`,
      },
      author: await staffAuthor(actor, tx),
      actor,
      action: "dispute.reject",
      before: { status: "open" },
      after: { status: "rejected", reason: text },
    });
    return updated;
  });
}

/** Whole days a dispute has been (or was) open. */
const ageInDays = ({ createdAt, resolvedAt }: { createdAt: Date; resolvedAt: Date | null }) =>
  daysBetween(createdAt.toISOString().slice(0, 10), resolvedAt ? resolvedAt.toISOString().slice(0, 10) : today());

export const DISPUTE_PAGE_SIZE = 25;

export type DisputeListQuery = {
  customerId?: string;
  status?: DisputeStatus;
  /** A staff user's id, or "unassigned". */
  assignedTo?: string;
  page?: number;
};

/** Disputes, open ones first and oldest first (the queue), then the closed ones, latest first. */
export async function listDisputes({ customerId, status, assignedTo, page = 1 }: DisputeListQuery, db: Db = getDb()) {
  const assignee = alias(staffUsers, "assignee");
  const rows = await db
    .select({
      id: disputes.id,
      status: disputes.status,
      reason: disputes.reason,
      currency: disputes.currency,
      amountMinor: disputes.amountMinor,
      acceptedMinor: disputes.acceptedMinor,
      createdAt: disputes.createdAt,
      updatedAt: disputes.updatedAt,
      resolvedAt: disputes.resolvedAt,
      invoiceId: disputes.invoiceId,
      invoiceNumber: invoices.number,
      lineDescription: invoiceLines.description,
      customerId: disputes.customerId,
      customerName: customers.name,
      accountNumber: customers.accountNumber,
      assigneeId: disputes.assignedTo,
      assigneeName: assignee.name,
    })
    .from(disputes)
    .innerJoin(invoices, eq(invoices.id, disputes.invoiceId))
    .innerJoin(invoiceLines, eq(invoiceLines.id, disputes.invoiceLineId))
    .innerJoin(customers, eq(customers.id, disputes.customerId))
    .leftJoin(assignee, eq(assignee.id, disputes.assignedTo))
    .where(
      and(
        customerId ? eq(disputes.customerId, customerId) : undefined,
        status ? eq(disputes.status, status) : undefined,
        assignedTo === "unassigned" ? isNull(disputes.assignedTo) : assignedTo ? eq(disputes.assignedTo, assignedTo) : undefined,
      ),
    )
    .orderBy(
      sql`${disputes.status} <> 'open'`,
      sql`case when ${disputes.status} = 'open' then ${disputes.createdAt} end asc`,
      desc(disputes.resolvedAt),
      asc(disputes.id),
    )
    .limit(DISPUTE_PAGE_SIZE + 1)
    .offset((Math.max(1, page) - 1) * DISPUTE_PAGE_SIZE);
  return {
    disputes: rows.slice(0, DISPUTE_PAGE_SIZE).map((row) => ({ ...row, ageDays: ageInDays(row) })),
    hasMore: rows.length > DISPUTE_PAGE_SIZE,
  };
}

/** What a customer has on hold: the count and sum of their open disputes. */
export async function openDisputeTotals(customerId: string, db: Db = getDb()) {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int`, onHoldMinor: sql<string>`coalesce(sum(${disputes.amountMinor}), 0)` })
    .from(disputes)
    .where(and(eq(disputes.customerId, customerId), eq(disputes.status, "open")));
  return { count: row?.count ?? 0, onHoldMinor: Number(row?.onHoldMinor ?? 0) };
}

/** One dispute with its invoice line and thread; with `customerId`, only that customer's. */
export async function getDispute({ disputeId, customerId }: { disputeId: string; customerId?: string }, db: Db = getDb()) {
  const assignee = alias(staffUsers, "assignee");
  const [row] = await db
    .select({
      dispute: disputes,
      invoice: { id: invoices.id, number: invoices.number, status: invoices.status, totalMinor: invoices.totalMinor, openMinor: invoices.openMinor, dueDate: invoices.dueDate },
      line: { id: invoiceLines.id, description: invoiceLines.description, quantityMilli: invoiceLines.quantityMilli, unitPriceMinor: invoiceLines.unitPriceMinor, totalMinor: invoiceLines.totalMinor },
      customer: { id: customers.id, name: customers.name, accountNumber: customers.accountNumber, email: customers.email },
      assignee: { id: assignee.id, name: assignee.name },
      openedBy: { name: portalUsers.name, email: portalUsers.email },
      creditNote: { id: creditNotes.id, number: creditNotes.number, totalMinor: creditNotes.totalMinor, allocatedMinor: creditNotes.allocatedMinor, voidedAt: creditNotes.voidedAt },
    })
    .from(disputes)
    .innerJoin(invoices, eq(invoices.id, disputes.invoiceId))
    .innerJoin(invoiceLines, eq(invoiceLines.id, disputes.invoiceLineId))
    .innerJoin(customers, eq(customers.id, disputes.customerId))
    .leftJoin(assignee, eq(assignee.id, disputes.assignedTo))
    .leftJoin(portalUsers, eq(portalUsers.id, disputes.openedBy))
    .leftJoin(creditNotes, eq(creditNotes.id, disputes.creditNoteId))
    .where(and(eq(disputes.id, disputeId), customerId ? eq(disputes.customerId, customerId) : undefined));
  if (!row) return null;
  const messages = await db
    .select({
      id: disputeMessages.id,
      author: disputeMessages.author,
      body: disputeMessages.body,
      createdAt: disputeMessages.createdAt,
      contactName: portalUsers.name,
      staffName: staffUsers.name,
    })
    .from(disputeMessages)
    .leftJoin(portalUsers, eq(portalUsers.id, disputeMessages.portalUserId))
    .leftJoin(staffUsers, eq(staffUsers.id, disputeMessages.staffUserId))
    .where(eq(disputeMessages.disputeId, disputeId))
    .orderBy(asc(disputeMessages.createdAt), asc(disputeMessages.id));
  return { ...row, messages, ageDays: ageInDays(row.dispute) };
}

export type DisputeDetail = NonNullable<Awaited<ReturnType<typeof getDispute>>>;
