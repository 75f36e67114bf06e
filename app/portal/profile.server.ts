import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import { paymentPlans, portalUsers, savedPaymentMethods } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit } from "~/audit/audit.server";
import { getProcessor } from "~/payments/processor.server";
import { DomainError } from "~/utils/errors";

/** The people of this customer who can sign in to the portal: names, emails and what they may do. */
export async function portalContacts(customerId: string, db: Db = getDb()) {
  return db
    .select({ id: portalUsers.id, name: portalUsers.name, email: portalUsers.email, role: portalUsers.role })
    .from(portalUsers)
    .where(and(eq(portalUsers.customerId, customerId), isNull(portalUsers.disabledAt)))
    .orderBy(asc(portalUsers.name));
}

/** Plans that charge a saved method by themselves: while one runs, its method cannot be removed. */
const autopayPlans = (db: Db, customerId: string) =>
  db
    .select({ id: paymentPlans.id, paymentMethodId: paymentPlans.paymentMethodId })
    .from(paymentPlans)
    .where(and(eq(paymentPlans.customerId, customerId), eq(paymentPlans.autopay, true), inArray(paymentPlans.status, ["active", "pending_approval"])));

/** "Visa ending 4242", "Chase ending 6789": a saved method as people name it. */
export function savedMethodLabel(method: { type: "card" | "us_bank_account"; brand: string | null; bankName: string | null; last4: string | null }) {
  const name = method.type === "card" ? (method.brand ?? "card") : (method.bankName ?? "bank account");
  return `${name.charAt(0).toUpperCase()}${name.slice(1)} ending ${method.last4 ?? "····"}`;
}

/** The customer's saved cards and bank accounts, and whether a payment plan charges each one. */
export async function savedMethods(customerId: string, db: Db = getDb()) {
  const [methods, plans] = await Promise.all([
    db
      .select({ id: savedPaymentMethods.id, type: savedPaymentMethods.type, brand: savedPaymentMethods.brand, last4: savedPaymentMethods.last4, expMonth: savedPaymentMethods.expMonth, expYear: savedPaymentMethods.expYear, bankName: savedPaymentMethods.bankName, createdAt: savedPaymentMethods.createdAt })
      .from(savedPaymentMethods)
      .where(and(eq(savedPaymentMethods.customerId, customerId), isNull(savedPaymentMethods.detachedAt)))
      .orderBy(asc(savedPaymentMethods.createdAt)),
    autopayPlans(db, customerId),
  ]);
  return methods.map((method) => ({ ...method, label: savedMethodLabel(method), usedByPlan: plans.some((plan) => plan.paymentMethodId === method.id) }));
}

type PortalActor = { type: "portal"; id: string; label: string };

/**
 * Removes a saved method: detached at the processor first, so it can never be charged again, then
 * marked here. Removing one already removed does nothing (a double click); another customer's id
 * is not found. A method a running payment plan charges stays until the plan has another.
 */
export async function removeSavedMethod({ methodId, customerId, ip }: { methodId: string; customerId: string; ip?: string }, actor: PortalActor, db: Db = getDb()) {
  const [method] = await db.select().from(savedPaymentMethods).where(and(eq(savedPaymentMethods.id, methodId), eq(savedPaymentMethods.customerId, customerId)));
  if (!method) throw new DomainError("not_found", "Payment method not found");
  if (method.detachedAt) return { removed: false as const, method };
  if ((await autopayPlans(db, customerId)).some((plan) => plan.paymentMethodId === method.id)) {
    throw new DomainError("conflict", "Your payment plan pays with this method. Choose another way to pay for the plan before removing it.", "methodId");
  }
  const processor = await getProcessor();
  // A method saved with the other processor (demo data under Stripe keys, or the reverse) cannot be reached there; it is only forgotten here.
  if (method.processor === processor.name) await processor.detachPaymentMethod(method.processorMethodId);
  return db.transaction(async (tx) => {
    const [removed] = await tx
      .update(savedPaymentMethods)
      .set({ detachedAt: new Date() })
      .where(and(eq(savedPaymentMethods.id, method.id), isNull(savedPaymentMethods.detachedAt)))
      .returning();
    if (!removed) return { removed: false as const, method };
    await recordAudit(
      { actor, action: "payment_method.remove", entityType: "saved_payment_method", entityId: method.id, customerId, before: { type: method.type, brand: method.brand, last4: method.last4 }, ip },
      tx,
    );
    return { removed: true as const, method: removed };
  });
}
