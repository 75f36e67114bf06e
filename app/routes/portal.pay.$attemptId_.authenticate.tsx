import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requirePortalUser } from "~/auth/portal-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { SubmitButton } from "~/components/forms";
import { formatMoney } from "~/money/money";
import { getAttemptForCustomer } from "~/payments/attempts.server";
import { attemptPage, authenticateDemo, nextPathFor, portalActor, requirePayer } from "~/payments/portal-pay.server";
import { getCompanySettings } from "~/settings/settings.server";
import { runDomain } from "~/utils/action.server";
import { invariantResponse } from "~/utils/responses.server";

export const meta: MetaFunction = () => [{ title: "Confirm your payment · Customer portal" }];

const paramsSchema = z.object({ attemptId: z.uuid() });
const answerSchema = z.object({ answer: z.enum(["approve", "fail"]) });

async function requireDemoAttempt(request: Request, params: unknown) {
  const session = await requirePortalUser(request);
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Payment not found");
  const attempt = await getAttemptForCustomer(parsed.data.attemptId, session.customer.id);
  // Stripe shows its own 3-D Secure dialog; this page stands in for it in demo mode only.
  invariantResponse(attempt && attempt.processor === "demo", "Payment not found");
  return { ...session, attempt };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, attempt } = await requireDemoAttempt(request, params);
  const { attempt: current, view } = await attemptPage(attempt, portalActor(user));
  invariantResponse(!view.stale, "Payment not found");
  if (current.status !== "requires_action") throw redirect(nextPathFor(current));
  const { companyName } = await getCompanySettings();
  return { amount: formatMoney(current.amountMinor, current.currency), companyName };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, attempt } = await requireDemoAttempt(request, params);
  requirePayer(user);
  const parsed = answerSchema.safeParse({ answer: (await request.formData()).get("answer") });
  invariantResponse(parsed.success, "Choose to complete or fail the authentication", 400);
  const result = await runDomain(() => authenticateDemo(attempt, parsed.data.answer === "approve", portalActor(user)));
  if (!result.ok) return result.response;
  throw redirect(nextPathFor(result.value));
}

export default function DemoAuthentication() {
  const { amount, companyName } = useLoaderData<typeof loader>();
  return (
    <section className="card three-ds" aria-labelledby="three-ds-heading">
      <p className="demo-card-label">
        <span className="badge warn">DEMO</span> A stand-in for 3-D Secure: with a real card, your bank shows this step.
      </p>
      <h1 id="three-ds-heading">Confirm your payment</h1>
      <p>Your bank asks you to confirm this card payment.</p>
      <dl className="details three-ds-details">
        <dt>To</dt>
        <dd>{companyName}</dd>
        <dt>Amount</dt>
        <dd>
          <strong>{amount}</strong>
        </dd>
      </dl>
      <Form method="post" className="actions">
        <SubmitButton name="answer" value="approve">
          Complete authentication
        </SubmitButton>
        <SubmitButton name="answer" value="fail" className="button secondary">
          Fail authentication
        </SubmitButton>
      </Form>
    </section>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
