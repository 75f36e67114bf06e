import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { requirePortalUser } from "~/auth/portal-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { requirePayer } from "~/payments/portal-pay.server";
import { PlanFields } from "~/plans/plan-fields";
import { parsePlanForm } from "~/plans/plan-form";
import { planOptions, proposePlan } from "~/plans/plans.server";
import { invalid, newFormKey, runDomain } from "~/utils/action.server";
import { invariantResponse } from "~/utils/responses.server";

export const meta: MetaFunction = () => [{ title: "Set up a payment plan · Customer portal" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { customer } = await requirePortalUser(request);
  const options = await planOptions(customer.id);
  invariantResponse(options, "Account not found");
  return { ...options, formKey: newFormKey() };
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, customer } = await requirePortalUser(request);
  requirePayer(user);
  const parsed = parsePlanForm(await request.formData(), customer.currency);
  if (!parsed.ok) return invalid(parsed.errors);
  const result = await runDomain(() => proposePlan({ customerId: customer.id, ...parsed.data }, { type: "portal", id: user.id, label: user.email }));
  if (!result.ok) return result.response;
  throw redirect(`/portal/plans/${result.value.id}?created=1`);
}

export default function NewPlan() {
  const { customer, invoices, policy, standing, today, formKey } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/portal/plans">Payment plans</Link> / New
          </p>
          <h1>Set up a payment plan</h1>
          <p>Spread what you owe over instalments. Plans inside our policy start at once; others go to our team.</p>
        </div>
      </header>
      {standing.pendingPlanId ? (
        <section className="card plan-empty">
          <p>Your last plan request is waiting for our team. You can ask for another one once it is decided.</p>
          <Link className="button secondary" to={`/portal/plans/${standing.pendingPlanId}`}>
            See that request
          </Link>
        </section>
      ) : invoices.length === 0 ? (
        <section className="card plan-empty">
          <p>There is nothing a plan could cover: no open invoice is left outside a plan.</p>
          <Link className="button secondary" to="/portal/plans">
            Back to your plans
          </Link>
        </section>
      ) : (
        <PlanFields
          invoices={invoices}
          currency={customer.currency}
          policy={policy}
          standing={standing}
          today={today}
          formKey={formKey}
          errors={actionData?.errors ?? {}}
          message={actionData?.message ?? null}
          audience="portal"
        />
      )}
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
