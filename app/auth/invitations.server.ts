import { eq } from "drizzle-orm";
import { customers, portalUsers, type PortalUser, type StaffUser } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit } from "~/audit/audit.server";
import { enqueueEmail } from "~/email/outbox.server";
import { getCompanySettings } from "~/settings/settings.server";
import { DomainError } from "~/utils/errors";
import { INVITATION_DAYS } from "./constants";
import { findPortalUserByEmail, issueSignInToken } from "./portal-auth.server";

/**
 * Staff invite a contact of a customer to the portal: the contact is created if new, and an
 * invitation email with a one-time link goes out in the same transaction.
 */
export async function inviteContact(
  { customerId, name, email, invitedBy, ip }: { customerId: string; name: string; email: string; invitedBy: StaffUser; ip: string },
  db: Db = getDb(),
) {
  const [customer] = await db.select().from(customers).where(eq(customers.id, customerId));
  if (!customer) throw new DomainError("not_found", "Customer not found");
  const existing = await findPortalUserByEmail(email, db);
  if (existing && existing.customerId !== customerId) {
    throw new DomainError("conflict", "This email already belongs to a contact of another customer", "email");
  }
  if (existing?.disabledAt) throw new DomainError("conflict", "This contact is disabled; enable it before inviting", "email");
  const brand = await getCompanySettings(db);

  return db.transaction(async (tx) => {
    let contact: PortalUser;
    if (existing) {
      contact = existing;
      await tx.update(portalUsers).set({ invitedAt: new Date() }).where(eq(portalUsers.id, existing.id));
    } else {
      const [created] = await tx.insert(portalUsers).values({ customerId, email, name, invitedAt: new Date() }).returning();
      if (!created) throw new Error("contact insert returned no row");
      contact = created;
    }
    const { tokenId, url } = await issueSignInToken({ portalUserId: contact.id, purpose: "portal_invite", ip }, tx);
    await enqueueEmail(
      {
        template: "contact-invitation",
        props: { brand, name: contact.name, customerName: customer.name, invitedBy: invitedBy.name, url, expiresInDays: INVITATION_DAYS },
        to: contact.email,
        dedupeKey: `sign-in-token:${tokenId}`,
        customerId,
      },
      tx,
    );
    await recordAudit(
      {
        actor: { type: "staff", id: invitedBy.id, label: invitedBy.email },
        action: existing ? "contact.reinvited" : "contact.invited",
        entityType: "portal_user",
        entityId: contact.id,
        customerId,
        after: { email: contact.email, name: contact.name },
        ip,
      },
      tx,
    );
    return contact;
  });
}
