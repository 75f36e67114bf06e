import { createHash } from "node:crypto";
import { and, asc, between, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import {
  allocations,
  bankCsvMappings,
  bankLines,
  bankStatements,
  customers,
  invoices,
  payments,
  payouts,
  reconciliationExceptions,
  type BankLineRow,
} from "~db/schema";
import { getDb, rowsOf, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import { recordPayment } from "~/ledger/payments.server";
import { getReconciliationSettings } from "~/settings/settings.server";
import { addDays, type IsoDate } from "~/utils/dates";
import { DomainError } from "~/utils/errors";
import { bankCsvMappingSchema, parseBankCsv, type BankCsvMapping } from "./bank/bank-csv";
import { parseCamt053 } from "./bank/camt053";
import { decide, matchBankLine } from "./bank/matching";
import { BankFileError, type BankLine, type CandidateCustomer, type CandidateInvoice, type MatchAllocation, type MatchLookup, type MatchResult, type ParsedStatement } from "./bank/types";
import { openException } from "./exceptions.server";

export type BankFormat = "camt053" | "csv";

export type BankLineOutcome = {
  lineId: string | null;
  entryRef: string;
  bookingDate: IsoDate;
  amountMinor: number;
  currency: string;
  direction: "credit" | "debit";
  payerName: string | null;
  remittance: string;
  decision: "applied" | "suggested" | "unmatched" | "payout" | "ignored" | "duplicate";
  customerId: string | null;
  allocations: MatchAllocation[];
  creditMinor: number;
  confidence: number;
  reasons: string[];
};

/** A format from the file's name or content when the clerk did not choose one. */
export function guessFormat(fileName: string, content: string): BankFormat {
  if (/\.xml$/i.test(fileName) || /^\s*(<\?xml|<Document)/.test(content)) return "camt053";
  return "csv";
}

/** The matcher's lookups answered by SQL, so a statement matches against any number of invoices. */
export function sqlLookup(db: Db): MatchLookup {
  const candidateInvoice = {
    id: invoices.id,
    customerId: invoices.customerId,
    number: invoices.number,
    currency: invoices.currency,
    openMinor: invoices.openMinor,
    totalMinor: invoices.totalMinor,
    issueDate: invoices.issueDate,
    dueDate: invoices.dueDate,
    discountDueDate: invoices.discountDueDate,
    earlyDiscountBps: invoices.earlyDiscountBps,
  };
  const asCandidate = (rows: { number: string | null; issueDate: string | null; dueDate: string | null }[]) => rows as unknown as CandidateInvoice[];
  const candidateCustomer = { id: customers.id, accountNumber: customers.accountNumber, name: customers.name, currency: customers.currency };
  return {
    async invoicesByNumberDigits(digits, currency) {
      const wanted = [...new Set(digits.map((d) => d.replace(/^0+/, "")).filter(Boolean))];
      if (wanted.length === 0) return [];
      // Matches the expression index of migration 0010.
      return asCandidate(
        await db
          .select(candidateInvoice)
          .from(invoices)
          .where(and(eq(invoices.status, "open"), eq(invoices.currency, currency), inArray(sql`ltrim(regexp_replace(${invoices.number}, '\\D', '', 'g'), '0')`, wanted)))
          .limit(200),
      );
    },
    async customersByAccountNumbers(accounts) {
      const keys = [...new Set(accounts.map((a) => a.replace(/[^A-Za-z0-9]/g, "").toUpperCase()))];
      const digits = [...new Set(accounts.filter((a) => /^\d+$/.test(a)).map((a) => a.replace(/^0+/, "")).filter(Boolean))];
      if (keys.length === 0) return [];
      return db
        .select(candidateCustomer)
        .from(customers)
        .where(
          sql`regexp_replace(upper(${customers.accountNumber}), '[^A-Z0-9]', '', 'g') in ${keys} ${digits.length ? sql`or ltrim(regexp_replace(${customers.accountNumber}, '\\D', '', 'g'), '0') in ${digits}` : sql``}`,
        )
        .limit(50);
    },
    async customersByNameTokens(tokens, currency) {
      // Whole words or their beginnings ("COU" for a name the bank cut short), by the index of migration 0011.
      const words = [...new Set(tokens.map((t) => t.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "")).filter((t) => t.length >= 3))].slice(0, 6);
      if (words.length === 0) return [];
      const query = words.map((w) => `${w}:*`).join(" | ");
      return db
        .select(candidateCustomer)
        .from(customers)
        .where(and(eq(customers.currency, currency), sql`to_tsvector('simple', ${customers.name}) @@ to_tsquery('simple', ${query})`))
        .limit(200);
    },
    async openInvoicesOf(customerId) {
      return asCandidate(
        await db
          .select(candidateInvoice)
          .from(invoices)
          .where(and(eq(invoices.customerId, customerId), eq(invoices.status, "open")))
          .orderBy(asc(invoices.dueDate), asc(invoices.number))
          .limit(500),
      );
    },
    async payoutsNear(amountMinor, currency, date) {
      return db
        .select({ id: payouts.id, processorPayoutId: payouts.processorPayoutId, amountMinor: payouts.amountMinor, currency: payouts.currency, arrivalDate: payouts.arrivalDate })
        .from(payouts)
        .where(and(eq(payouts.currency, currency), eq(payouts.amountMinor, amountMinor), isNull(payouts.bankLineId), between(payouts.arrivalDate, addDays(date, -3), addDays(date, 3))));
    },
  };
}

async function parseFile(content: string, format: BankFormat, mappingId: string | null, db: Db): Promise<{ parsed: ParsedStatement; accountFallback: string }> {
  try {
    if (format === "camt053") return { parsed: parseCamt053(content), accountFallback: "camt053" };
    if (!mappingId) throw new DomainError("invalid", "Choose the bank's column mapping for a CSV file", "mappingId");
    const [mapping] = await db.select().from(bankCsvMappings).where(eq(bankCsvMappings.id, mappingId));
    if (!mapping) throw new DomainError("invalid", "That column mapping no longer exists", "mappingId");
    return { parsed: parseBankCsv(content, mapping.mapping as BankCsvMapping), accountFallback: `csv:${mapping.name}` };
  } catch (error) {
    if (error instanceof BankFileError) throw new DomainError("invalid", error.message, "file");
    throw error;
  }
}

/**
 * Imports a bank statement: each new line is stored once (a line already imported from any file is
 * skipped), debits are ignored, and each credit is matched: a payout, or a customer's invoices.
 * Sure matches are applied as a payment (never beyond what is open: the ledger refuses it); the
 * rest wait on the exceptions queue as suggestions or unmatched lines.
 */
export async function importBankFile(
  { fileName, content, format, mappingId }: { fileName: string; content: string; format: BankFormat | null; mappingId: string | null },
  actor: Actor,
  db: Db = getDb(),
): Promise<{ statement: typeof bankStatements.$inferSelect; outcomes: BankLineOutcome[] }> {
  if (!content.trim()) throw new DomainError("invalid", "The file is empty", "file");
  const chosen = format ?? guessFormat(fileName, content);
  const { parsed, accountFallback } = await parseFile(content, chosen, mappingId, db);
  const { autoApplyConfidence } = await getReconciliationSettings(db);
  const accountId = parsed.accountId ?? accountFallback;
  const fileSha256 = createHash("sha256").update(content).digest("hex");
  // The very same file again: nothing to store, not even a second statement row.
  const [seen] = await db.select().from(bankStatements).where(and(eq(bankStatements.fileSha256, fileSha256), eq(bankStatements.accountId, accountId)));
  if (seen) {
    const already = "Already imported from an earlier file: nothing changed";
    return {
      statement: seen,
      outcomes: parsed.lines.map((line) => ({ lineId: null, entryRef: line.entryRef, bookingDate: line.bookingDate, amountMinor: line.amountMinor, currency: line.currency, direction: line.direction, payerName: line.payerName, remittance: line.remittance, decision: "duplicate" as const, customerId: null, allocations: [], creditMinor: 0, confidence: 0, reasons: [already] })),
    };
  }
  const [statement] = await db
    .insert(bankStatements)
    .values({
      fileName: fileName.slice(0, 255),
      format: chosen,
      fileSha256,
      accountId,
      statementRef: parsed.statementId,
      currency: parsed.currency,
      openingBalanceMinor: parsed.openingBalanceMinor,
      closingBalanceMinor: parsed.closingBalanceMinor,
      lineCount: parsed.lines.length,
      importedBy: actor.type === "staff" ? actor.id : null,
    })
    .returning();
  const lookup = sqlLookup(db);
  const outcomes: BankLineOutcome[] = [];
  for (const line of parsed.lines) outcomes.push(await importLine(statement!.id, accountId, line, lookup, autoApplyConfidence, actor, db));
  const fresh = outcomes.filter((o) => o.decision !== "duplicate").length;
  const [updated] = await db.update(bankStatements).set({ newLineCount: fresh }).where(eq(bankStatements.id, statement!.id)).returning();
  await recordAudit(
    {
      actor,
      action: "bank_statement.import",
      entityType: "bank_statement",
      entityId: statement!.id,
      after: { fileName, format: chosen, lines: parsed.lines.length, new: fresh, ...Object.fromEntries(["applied", "suggested", "unmatched", "payout", "ignored", "duplicate"].map((d) => [d, outcomes.filter((o) => o.decision === d).length])) },
    },
    db,
  );
  return { statement: updated!, outcomes };
}

async function importLine(statementId: string, accountId: string, line: BankLine, lookup: MatchLookup, threshold: number, actor: Actor, db: Db): Promise<BankLineOutcome> {
  const base = { entryRef: line.entryRef, bookingDate: line.bookingDate, amountMinor: line.amountMinor, currency: line.currency, direction: line.direction, payerName: line.payerName, remittance: line.remittance };
  const match: MatchResult = line.direction === "credit" ? await matchBankLine(line, lookup) : { kind: "none", confidence: 0, reasons: ["Debit: not a customer payment"] };
  const decision = line.direction === "debit" ? "ignored" : match.kind === "payout" ? (decide(match, threshold) === "applied" ? "payout" : "unmatched") : decide(match, threshold);
  const outcome: BankLineOutcome = {
    ...base,
    lineId: null,
    decision,
    customerId: match.kind === "invoices" ? match.customerId : null,
    allocations: match.kind === "invoices" ? match.allocations : [],
    creditMinor: match.kind === "invoices" ? match.creditMinor : 0,
    confidence: match.confidence,
    reasons: match.kind === "payout" && decision === "unmatched" ? [...match.reasons, "Not sure enough that this is the payout"] : match.reasons,
  };
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(bankLines)
      .values({
        statementId,
        accountId,
        entryRef: line.entryRef,
        bookingDate: line.bookingDate,
        valueDate: line.valueDate,
        amountMinor: line.amountMinor,
        currency: line.currency,
        direction: line.direction,
        payerName: line.payerName,
        payerAccount: line.payerAccount,
        remittance: line.remittance,
        bankReference: line.bankReference,
        status: decision === "applied" || decision === "suggested" || decision === "unmatched" || decision === "payout" || decision === "ignored" ? decision : "unmatched",
        confidence: match.confidence,
        reasons: outcome.reasons,
        customerId: outcome.customerId,
        payoutId: match.kind === "payout" && decision === "payout" ? match.payoutId : null,
      })
      .onConflictDoNothing({ target: [bankLines.accountId, bankLines.entryRef] })
      .returning();
    if (!row) return { ...outcome, lineId: null, decision: "duplicate" as const, reasons: ["Already imported from an earlier file: nothing changed"] };
    outcome.lineId = row.id;
    if (decision === "payout" && match.kind === "payout") {
      await tx.update(payouts).set({ bankLineId: row.id, updatedAt: new Date() }).where(eq(payouts.id, match.payoutId));
      return outcome;
    }
    if (decision === "applied" && match.kind === "invoices") {
      const applied = await tryApply(row, match, actor, tx);
      if (applied) return outcome;
      outcome.decision = "suggested";
      outcome.reasons = [...outcome.reasons, "Not applied: the invoices changed since they were read; confirm it again"];
    }
    if (line.direction === "debit") return outcome;
    await tx.update(bankLines).set({ status: outcome.decision === "suggested" ? "suggested" : "unmatched", reasons: outcome.reasons }).where(eq(bankLines.id, row.id));
    await openException(
      {
        kind: outcome.decision === "suggested" ? "bank_suggestion" : "bank_unmatched",
        sourceKey: `bank:${row.id}`,
        currency: line.currency,
        amountMinor: line.amountMinor,
        reason:
          outcome.decision === "suggested"
            ? `Bank line from ${line.payerName ?? "an unnamed payer"} ("${line.remittance.slice(0, 120)}"): a likely match at ${match.confidence}% confidence, below the ${threshold}% needed to apply it alone`
            : `Bank line from ${line.payerName ?? "an unnamed payer"} ("${line.remittance.slice(0, 120)}"): ${outcome.reasons[0] ?? "no match found"}`,
        occurredOn: line.bookingDate,
        customerId: outcome.customerId,
        bankLineId: row.id,
        suggestion: match.kind === "invoices" ? { customerId: match.customerId, allocations: match.allocations, creditMinor: match.creditMinor, confidence: match.confidence, reasons: match.reasons } : null,
      },
      actor,
      tx,
    );
    return outcome;
  });
}

/** Records the line as the customer's payment applied as matched; false (nothing written) if the books moved. */
async function tryApply(row: BankLineRow, match: Extract<MatchResult, { kind: "invoices" }>, actor: Actor, db: Db) {
  try {
    await db.transaction(async (tx) => {
      const payment = await recordPaymentFromLine(row, match.customerId, match.allocations, actor, tx);
      await tx.update(bankLines).set({ status: "applied", paymentId: payment.id, customerId: match.customerId }).where(eq(bankLines.id, row.id));
    });
    return true;
  } catch (error) {
    if (error instanceof DomainError) return false;
    throw error;
  }
}

/** The one way a bank line becomes a payment: keyed by the line, so it is recorded once. */
export async function recordPaymentFromLine(row: Pick<BankLineRow, "id" | "amountMinor" | "bookingDate" | "bankReference" | "entryRef" | "payerName" | "remittance">, customerId: string, chosen: { invoiceId: string; amountMinor: number }[], actor: Actor, db: Db) {
  return recordPayment(
    {
      customerId,
      amountMinor: row.amountMinor,
      method: "wire",
      reference: (row.bankReference ?? row.entryRef).slice(0, 200),
      receivedOn: row.bookingDate,
      memo: `Bank: ${row.payerName ?? ""} ${row.remittance}`.trim().slice(0, 500),
      idempotencyKey: `bank:${row.id}`,
      allocations: chosen.filter((a) => a.amountMinor > 0).map((a) => ({ invoiceId: a.invoiceId, amountMinor: a.amountMinor })),
    },
    actor,
    db,
  );
}

export async function listBankStatements(db: Db = getDb()) {
  return db.select().from(bankStatements).orderBy(desc(bankStatements.createdAt)).limit(50);
}

export async function getBankStatement(id: string, db: Db = getDb()) {
  const [statement] = await db.select().from(bankStatements).where(eq(bankStatements.id, id));
  if (!statement) return null;
  const lines = await db
    .select({ line: bankLines, customerName: customers.name })
    .from(bankLines)
    .leftJoin(customers, eq(customers.id, bankLines.customerId))
    .where(eq(bankLines.statementId, id))
    .orderBy(asc(bankLines.bookingDate), asc(bankLines.createdAt));
  return { statement, lines: lines.map(({ line, customerName }) => ({ ...line, customerName })) };
}

export async function listBankMappings(db: Db = getDb()) {
  return db.select().from(bankCsvMappings).orderBy(asc(bankCsvMappings.name));
}

export async function saveBankMapping({ name, mapping }: { name: string; mapping: unknown }, actor: Extract<Actor, { type: "staff" }>, db: Db = getDb()) {
  const trimmed = name.trim();
  if (!trimmed) throw new DomainError("invalid", "Name the bank this mapping is for", "name");
  const parsed = bankCsvMappingSchema.safeParse(mapping);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DomainError("invalid", issue.message, issue.path.join(".") || "mapping");
  }
  const [saved] = await db
    .insert(bankCsvMappings)
    .values({ name: trimmed.slice(0, 100), mapping: parsed.data })
    .onConflictDoUpdate({ target: bankCsvMappings.name, set: { mapping: parsed.data, updatedAt: new Date() } })
    .returning();
  await recordAudit({ actor, action: "bank_mapping.save", entityType: "bank_mapping", entityId: saved!.id, after: { name: saved!.name, mapping: parsed.data } }, db);
  return saved!;
}

export async function findBankMappingByName(name: string, db: Db = getDb()) {
  const [mapping] = await db.select().from(bankCsvMappings).where(eq(bankCsvMappings.name, name));
  return mapping ?? null;
}

/**
 * The clerk's view of a period: per day and currency, what Stripe received, what reached the bank,
 * what was applied to invoices and what still waits as exceptions.
 */
export async function reconciliationOverview({ from, to }: { from: IsoDate; to: IsoDate }, db: Db = getDb()) {
  const rows = rowsOf<{ day: string; currency: string; received_minor: string; deposited_minor: string; applied_minor: string; exception_minor: string; exception_count: string }>(
    await db.execute(sql`
      with received as (
        select received_on as day, currency, sum(amount_minor) as amount from ${payments}
        where received_on between ${from} and ${to} and source_key like 'payment:processor:%' group by 1, 2
      ), deposited as (
        select booking_date as day, currency, sum(amount_minor) as amount from ${bankLines}
        where booking_date between ${from} and ${to} and status in ('payout', 'applied') group by 1, 2
      ), applied as (
        select a.applied_on as day, a.currency, sum(a.amount_minor) as amount from ${allocations} a join ${payments} p on p.id = a.payment_id
        where a.applied_on between ${from} and ${to} and a.kind = 'payment' and (p.source_key like 'payment:processor:%' or p.source_key like 'payment:bank:%') group by 1, 2
      ), waiting as (
        select occurred_on as day, currency, sum(amount_minor) as amount, count(*) as n from ${reconciliationExceptions}
        where occurred_on between ${from} and ${to} and status = 'open' group by 1, 2
      ), keys as (
        select day, currency from received union select day, currency from deposited union select day, currency from applied union select day, currency from waiting
      )
      select k.day::text as day, k.currency, coalesce(r.amount, 0) as received_minor, coalesce(d.amount, 0) as deposited_minor,
             coalesce(a.amount, 0) as applied_minor, coalesce(w.amount, 0) as exception_minor, coalesce(w.n, 0) as exception_count
      from keys k
      left join received r on r.day = k.day and r.currency = k.currency
      left join deposited d on d.day = k.day and d.currency = k.currency
      left join applied a on a.day = k.day and a.currency = k.currency
      left join waiting w on w.day = k.day and w.currency = k.currency
      order by k.day desc, k.currency`),
  );
  const days = rows.map((r) => ({
    day: r.day,
    currency: r.currency,
    receivedMinor: Number(r.received_minor),
    depositedMinor: Number(r.deposited_minor),
    appliedMinor: Number(r.applied_minor),
    exceptionMinor: Number(r.exception_minor),
    exceptionCount: Number(r.exception_count),
  }));
  const recentPayouts = await db.select().from(payouts).where(between(payouts.arrivalDate, from, addDays(to, 7))).orderBy(desc(payouts.arrivalDate)).limit(50);
  const [open] = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(reconciliationExceptions).where(eq(reconciliationExceptions.status, "open"));
  return { days, payouts: recentPayouts, openExceptions: open?.n ?? 0 };
}
