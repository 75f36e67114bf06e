import { eq } from "drizzle-orm";
import { customers, disputes, invoiceLines, invoices, portalUsers, staffUsers } from "~db/schema";
import type { Db } from "~db/client";
import { enqueueEmail } from "~/email/outbox.server";
import { formatMoney } from "~/money/money";
import { getCompanySettings } from "~/settings/settings.server";
import { appUrl, getEnv } from "~/utils/env.server";
import type { DisputeEvent } from "~emails/dispute-customer-update";
import { disputeReasonLabels } from "./labels";

/** Who made a change, by name, as both sides read it. */
export type DisputeAuthor = { side: "customer" | "staff"; id: string; name: string };

/**
 * Writes the emails for one change of a dispute, in the change's transaction; the thread
 * message is the cause, so each side gets one email per message however often this runs.
 * The customer's side is the contact who opened the dispute (else the billing address); the
 * staff side is the assigned person (else the support address). A change of status goes to both
 * sides, a message to the other side; nobody is emailed about their own change, except the
 * customer, who gets a confirmation of opening and withdrawing.
 */
export async function notifyDispute({ disputeId, messageId, event, message, author }: { disputeId: string; messageId: string; event: DisputeEvent; message: string; author: DisputeAuthor }, db: Db) {
  const [row] = await db
    .select({ dispute: disputes, customer: customers, invoiceNumber: invoices.number, lineDescription: invoiceLines.description, contact: portalUsers, assignee: staffUsers })
    .from(disputes)
    .innerJoin(customers, eq(customers.id, disputes.customerId))
    .innerJoin(invoices, eq(invoices.id, disputes.invoiceId))
    .innerJoin(invoiceLines, eq(invoiceLines.id, disputes.invoiceLineId))
    .leftJoin(portalUsers, eq(portalUsers.id, disputes.openedBy))
    .leftJoin(staffUsers, eq(staffUsers.id, disputes.assignedTo))
    .where(eq(disputes.id, disputeId));
  if (!row) return;
  const { dispute, customer } = row;
  const brand = await getCompanySettings(db);
  const base = appUrl(getEnv());
  const partly = dispute.acceptedMinor !== null && dispute.acceptedMinor < dispute.amountMinor;
  const shared = { brand, event, invoiceNumber: row.invoiceNumber ?? "", lineDescription: row.lineDescription, amount: formatMoney(dispute.amountMinor, dispute.currency), partly, message };
  const metadata = { disputeId, messageId };

  const contact = row.contact && !row.contact.disabledAt ? row.contact : null;
  const customerTo = contact?.email ?? customer.email;
  const toCustomer = event !== "message" || author.side === "staff";
  if (customerTo && toCustomer) {
    await enqueueEmail(
      {
        template: "dispute-customer-update",
        to: customerTo,
        dedupeKey: `dispute-message:${messageId}:customer`,
        customerId: customer.id,
        metadata,
        props: { ...shared, recipientName: contact?.name ?? customer.name, disputeUrl: `${base}/portal/disputes/${dispute.id}` },
      },
      db,
    );
  }

  const assignee = row.assignee && !row.assignee.disabledAt ? row.assignee : null;
  const staffTo = assignee?.email ?? brand.supportEmail;
  // A staff reply on an unassigned dispute needs no copy in the shared mailbox.
  const toStaff = author.side === "customer" || (assignee ? assignee.id !== author.id : event !== "message");
  if (staffTo && toStaff) {
    await enqueueEmail(
      {
        template: "dispute-staff-update",
        to: staffTo,
        dedupeKey: `dispute-message:${messageId}:staff`,
        customerId: customer.id,
        metadata,
        props: {
          ...shared,
          recipientName: assignee?.name ?? null,
          actorName: author.name,
          customerName: customer.name,
          accountNumber: customer.accountNumber,
          reason: disputeReasonLabels[dispute.reason],
          disputeUrl: `${base}/staff/disputes/${dispute.id}`,
        },
      },
      db,
    );
  }
}
