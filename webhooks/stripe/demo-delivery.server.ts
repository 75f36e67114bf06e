import Stripe from "stripe";
import { getDb, type Db } from "~db/client";
import { demoWebhookSecret, markDemoEventDelivered, pendingDemoEvents, settleDemoProcessing } from "~/payments/demo-processor.server";
import { appUrl, getEnv } from "~/utils/env.server";

const signer = new Stripe("sk_verify_only");

export type Deliver = (body: string, signature: string) => Promise<boolean>;

/** Posts to this app's own webhook endpoint, exactly as Stripe would. */
export const deliverOverHttp: Deliver = async (body, signature) => {
  const response = await fetch(`${appUrl(getEnv())}/webhooks/stripe`, { method: "POST", headers: { "Content-Type": "application/json", "Stripe-Signature": signature }, body });
  return response.ok;
};

/**
 * The demo processor's side of webhooks: settle the payments whose time has come, then sign and
 * deliver its pending events, oldest first. An event that cannot be delivered waits for the next run.
 */
export async function deliverDemoEvents(deliver: Deliver = deliverOverHttp, db: Db = getDb()) {
  await settleDemoProcessing(Date.now(), db);
  const secret = await demoWebhookSecret(db);
  let delivered = 0;
  for (const row of await pendingDemoEvents(db)) {
    const { delivered: _flag, ...event } = row.data as Record<string, unknown>;
    const body = JSON.stringify(event);
    const signature = signer.webhooks.generateTestHeaderString({ payload: body, secret });
    if (!(await deliver(body, signature).catch(() => false))) break;
    await markDemoEventDelivered(row.id, db);
    delivered++;
  }
  return delivered;
}
