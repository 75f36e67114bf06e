import type { Customer, PortalUser } from "~db/schema";
import { getDb, type Db } from "~db/client";
import type { Actor } from "~/audit/audit.server";
import { listPromises, openPromises, PROMISE_MAX_DAYS, recordPromise } from "~/collections/promises.server";
import { recipientsFor } from "~/customers/recipients.server";
import { enqueueEmail } from "~/email/outbox.server";
import { formatMoney, sumMinor } from "~/money/money";
import { payableInvoices } from "~/payments/payable.server";
import { getCompanySettings } from "~/settings/settings.server";
import { addDays, today } from "~/utils/dates";
import { portalSignInLink } from "~/utils/env.server";

export const PROMISES_SHOWN = 10;

type PortalCustomer = Pick<Customer, "id" | "currency" | "timeZone">;

/**
 * The promise-to-pay page: what can still be promised (what is payable less what open promises
 * already cover), a suggested amount (the overdue part of it), the days allowed, and the
 * customer's latest promises with how each turned out.
 */
export async function promisePage(customer: PortalCustomer, db: Db = getDb()) {
  const madeOn = today(customer.timeZone);
  const [payable, open, recent] = await Promise.all([payableInvoices(customer.id, db), openPromises([customer.id], db), listPromises(customer.id, db)]);
  const payableMinor = sumMinor(payable.map((invoice) => invoice.payableMinor));
  const overdueMinor = sumMinor(payable.filter((invoice) => invoice.dueDate !== null && invoice.dueDate < madeOn).map((invoice) => invoice.payableMinor));
  const promisedMinor = sumMinor(open.map((promise) => promise.amountMinor));
  const roomMinor = Math.max(0, payableMinor - promisedMinor);
  return {
    today: madeOn,
    lastDay: addDays(madeOn, PROMISE_MAX_DAYS),
    payableMinor,
    overdueMinor,
    promisedMinor,
    roomMinor,
    // Everything overdue and not yet promised; with nothing overdue, everything payable.
    suggestedMinor: Math.min(roomMinor, overdueMinor > promisedMinor ? overdueMinor - promisedMinor : roomMinor),
    promises: recent.slice(0, PROMISES_SHOWN).map((promise) => ({
      id: promise.id,
      amountMinor: promise.amountMinor,
      promisedOn: promise.promisedOn,
      madeOn: promise.madeOn,
      status: promise.status,
      receivedMinor: promise.receivedMinor,
      // Who recorded it, but never a clerk's note, which is written for colleagues.
      source: promise.source,
    })),
  };
}

/**
 * A promise the customer makes in the portal, and its confirmation to the customer's billing
 * address, the contacts who take reminders and the contact who made it, in one transaction.
 */
export async function promiseFromPortal(
  {
    customer,
    user,
    amountMinor,
    promisedOn,
    note,
  }: { customer: Pick<Customer, "id" | "name">; user: Pick<PortalUser, "id" | "email">; amountMinor: number; promisedOn: string; note: string | null },
  db: Db = getDb(),
) {
  const actor: Actor = { type: "portal", id: user.id, label: user.email };
  return db.transaction(async (tx) => {
    const promise = await recordPromise({ customerId: customer.id, amountMinor, promisedOn, note }, actor, tx);
    const recipients = new Set([...(await recipientsFor(customer.id, "reminders", tx)), user.email.toLowerCase()]);
    const brand = await getCompanySettings(tx);
    for (const to of recipients) {
      await enqueueEmail(
        {
          template: "promise-confirmation",
          to,
          dedupeKey: `promise:${promise.id}:${to}`,
          customerId: customer.id,
          metadata: { promiseId: promise.id },
          props: {
            brand,
            customerName: customer.name,
            amount: formatMoney(promise.amountMinor, promise.currency),
            promisedOn: promise.promisedOn,
            madeBy: "you",
            portalUrl: portalSignInLink("/portal/promise"),
          },
        },
        tx,
      );
    }
    return promise;
  });
}
