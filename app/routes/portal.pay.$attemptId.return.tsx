import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requirePortalUser } from "~/auth/portal-auth.server";
import { getAttemptForCustomer } from "~/payments/attempts.server";
import { nextPathFor, portalActor, refreshFromProcessor } from "~/payments/portal-pay.server";
import { invariantResponse } from "~/utils/responses.server";

const paramsSchema = z.object({ attemptId: z.uuid() });

/**
 * Where Stripe.js sends the customer after confirming: the PaymentIntent is read now and applied
 * through settleIntent (the webhook may come later; either way one payment), then the customer
 * goes to the receipt, or back to the pay page, which shows a pending or failed payment.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, customer } = await requirePortalUser(request);
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Payment not found");
  const attempt = await getAttemptForCustomer(parsed.data.attemptId, customer.id);
  invariantResponse(attempt, "Payment not found");
  throw redirect(nextPathFor(await refreshFromProcessor(attempt, portalActor(user))));
}
