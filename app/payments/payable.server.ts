import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { disputes, invoices } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { today } from "~/utils/dates";

/**
 * What a customer can pay on each open invoice now: what is open less what they dispute (a
 * disputed amount is on hold, not payable, until the dispute is resolved).
 */
export async function payableInvoices(customerId: string, db: Db = getDb(), invoiceIds?: string[]) {
  const disputed = db
    .select({ invoiceId: disputes.invoiceId, disputedMinor: sql<string>`sum(${disputes.amountMinor})`.as("disputed_minor") })
    .from(disputes)
    .where(and(eq(disputes.customerId, customerId), eq(disputes.status, "open")))
    .groupBy(disputes.invoiceId)
    .as("disputed");
  const rows = await db
    .select({
      id: invoices.id,
      number: invoices.number,
      currency: invoices.currency,
      issueDate: invoices.issueDate,
      dueDate: invoices.dueDate,
      totalMinor: invoices.totalMinor,
      openMinor: invoices.openMinor,
      disputedMinor: sql<number>`coalesce(${disputed.disputedMinor}, 0)`.mapWith(Number),
    })
    .from(invoices)
    .leftJoin(disputed, eq(disputed.invoiceId, invoices.id))
    .where(and(eq(invoices.customerId, customerId), eq(invoices.status, "open"), invoiceIds ? inArray(invoices.id, invoiceIds) : undefined))
    .orderBy(asc(invoices.dueDate), asc(invoices.number));
  const asOf = today();
  return rows.map((row) => ({
    ...row,
    payableMinor: Math.max(0, row.openMinor - row.disputedMinor),
    overdue: row.dueDate !== null && row.dueDate < asOf,
  }));
}

export type PayableInvoice = Awaited<ReturnType<typeof payableInvoices>>[number];
