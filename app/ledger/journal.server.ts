import { eq, inArray } from "drizzle-orm";
import { journalEntries, journalLines, type JournalAccount, type JournalEntryType } from "~db/schema";
import type { Db } from "~db/client";
import type { Actor } from "~/audit/audit.server";
import { checkedMinor } from "~/money/money";

export type JournalLineInput = { account: JournalAccount; amountMinor: number; invoiceId?: string | null };

export type PostEntryInput = {
  /** What caused the entry, uniquely: posting the same source twice posts it once. */
  sourceKey: string;
  type: JournalEntryType;
  customerId: string;
  currency: string;
  effectiveDate: string;
  description: string;
  invoiceId?: string | null;
  paymentId?: string | null;
  creditNoteId?: string | null;
  refundId?: string | null;
  allocationId?: string | null;
  actor: Actor;
  lines: JournalLineInput[];
};

/**
 * The one way anything reaches the journal. Lines are debits (positive) and credits (negative)
 * that must sum to zero; the database checks that again (migration 0003). Returns false when
 * the source was already posted, so callers can treat a replay as done.
 */
export async function postEntry(input: PostEntryInput, db: Db): Promise<{ posted: boolean; entryId: number }> {
  const lines = input.lines.filter((line) => line.amountMinor !== 0);
  const sum = lines.reduce((total, line) => checkedMinor(total + line.amountMinor), 0);
  if (sum !== 0) throw new Error(`journal entry ${input.sourceKey} does not balance (off by ${sum})`);
  if (lines.length === 0) throw new Error(`journal entry ${input.sourceKey} has no amounts`);
  const [entry] = await db
    .insert(journalEntries)
    .values({
      sourceKey: input.sourceKey,
      type: input.type,
      customerId: input.customerId,
      currency: input.currency,
      effectiveDate: input.effectiveDate,
      description: input.description,
      invoiceId: input.invoiceId ?? null,
      paymentId: input.paymentId ?? null,
      creditNoteId: input.creditNoteId ?? null,
      refundId: input.refundId ?? null,
      allocationId: input.allocationId ?? null,
      actorType: input.actor.type,
      actorId: "id" in input.actor ? input.actor.id : null,
    })
    .onConflictDoNothing({ target: journalEntries.sourceKey })
    .returning({ id: journalEntries.id });
  if (!entry) {
    const [existing] = await db.select({ id: journalEntries.id }).from(journalEntries).where(eq(journalEntries.sourceKey, input.sourceKey));
    return { posted: false, entryId: existing!.id };
  }
  // One statement for all lines of the entry: the balance trigger checks per statement.
  await db.insert(journalLines).values(
    lines.map((line) => ({
      entryId: entry.id,
      customerId: input.customerId,
      currency: input.currency,
      account: line.account,
      invoiceId: line.account === "receivable" ? (line.invoiceId ?? input.invoiceId ?? null) : null,
      amountMinor: line.amountMinor,
      effectiveDate: input.effectiveDate,
    })),
  );
  return { posted: true, entryId: entry.id };
}

export async function entryLines(entryIds: number[], db: Db) {
  if (entryIds.length === 0) return [];
  return db.select().from(journalLines).where(inArray(journalLines.entryId, entryIds));
}
