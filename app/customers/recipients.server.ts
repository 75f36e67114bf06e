import { and, eq, isNull } from "drizzle-orm";
import { customers, portalUsers } from "~db/schema";
import type { Db } from "~db/client";
import { suppressedAddresses } from "~/email/suppressions.server";

export type EmailKind = "invoices" | "receipts" | "reminders";

const column = { invoices: portalUsers.emailInvoices, receipts: portalUsers.emailReceipts, reminders: portalUsers.emailReminders } as const;

/**
 * Who gets a customer's emails of a kind: the billing address on the customer, and every active
 * portal contact who asked for them on their account page. Each address once; none that
 * bounced or complained (until staff clear it).
 */
export async function recipientsFor(customerId: string, kind: EmailKind, db: Db): Promise<string[]> {
  const [[customer], contacts] = await Promise.all([
    db.select({ email: customers.email }).from(customers).where(eq(customers.id, customerId)),
    db.select({ email: portalUsers.email }).from(portalUsers).where(and(eq(portalUsers.customerId, customerId), isNull(portalUsers.disabledAt), eq(column[kind], true))),
  ]);
  const all = [customer?.email, ...contacts.map((c) => c.email)].filter((email): email is string => Boolean(email)).map((email) => email.toLowerCase());
  const unique = [...new Set(all)];
  const suppressed = await suppressedAddresses(unique, db);
  return unique.filter((email) => !suppressed.has(email));
}

/** A contact's own choices, for their account page. */
export async function setEmailPreferences(portalUserId: string, prefs: Record<EmailKind, boolean>, db: Db) {
  await db
    .update(portalUsers)
    .set({ emailInvoices: prefs.invoices, emailReceipts: prefs.receipts, emailReminders: prefs.reminders, updatedAt: new Date() })
    .where(eq(portalUsers.id, portalUserId));
}
