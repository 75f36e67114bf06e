import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requirePortalUser } from "~/auth/portal-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Money } from "~/components/money";
import { listCustomerPlans, planOptions } from "~/plans/plans.server";
import { frequencyLabels, planStatusLabels, planStatusTone } from "~/plans/schedule";
import { formatDate } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";

export const meta: MetaFunction = () => [{ title: "Payment plans · Customer portal" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, customer } = await requirePortalUser(request);
  const [plans, options] = await Promise.all([listCustomerPlans(customer.id), planOptions(customer.id)]);
  invariantResponse(options, "Account not found");
  return { plans, canAsk: user.role === "billing" && options.invoices.length > 0 && !options.standing.pendingPlanId, policy: options.policy };
}

export default function Plans() {
  const { plans, canAsk, policy } = useLoaderData<typeof loader>();
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Payment plans</h1>
          <p>
            Pay what you owe in instalments. Up to {policy.planMaxInstalments} instalments over {policy.planMaxMonths} months start at once; anything else, our team reviews.
          </p>
        </div>
        {canAsk ? (
          <Link className="button" to="/portal/plans/new">
            Set up a payment plan
          </Link>
        ) : null}
      </header>
      {plans.length === 0 ? (
        <section className="card plan-empty">
          <h2>No payment plans yet</h2>
          <p className="muted">
            A plan spreads open invoices over weekly, fortnightly or monthly instalments, paid automatically from a card or by hand. While you keep to it, we do not send reminders for its invoices.
          </p>
        </section>
      ) : (
        <ul className="plan-cards">
          {plans.map((plan) => (
            <li key={plan.id} className="card">
              <div className="plan-card-head">
                <h2>
                  <Link to={`/portal/plans/${plan.id}`}>
                    <Money minor={plan.totalMinor} currency={plan.currency} /> in {plan.instalmentCount} instalments
                  </Link>
                </h2>
                <span className={`badge ${planStatusTone[plan.status]}`.trim()}>{planStatusLabels[plan.status]}</span>
              </div>
              <dl className="details">
                <dt>Schedule</dt>
                <dd>
                  {frequencyLabels[plan.frequency]} from {formatDate(plan.firstDate)}
                </dd>
                <dt>Paid so far</dt>
                <dd>
                  <Money minor={plan.paidMinor} currency={plan.currency} /> ({plan.paidCount} of {plan.instalmentCount})
                </dd>
                {plan.nextDueDate && plan.nextAmountMinor !== null && plan.status === "active" ? (
                  <>
                    <dt>Next</dt>
                    <dd>
                      <Money minor={plan.nextAmountMinor} currency={plan.currency} /> on {formatDate(plan.nextDueDate)}
                      {plan.failing ? <span className="badge danger">Payment failed</span> : null}
                    </dd>
                  </>
                ) : null}
                <dt>Payment</dt>
                <dd>{plan.autopay ? "Automatic" : "By hand"}</dd>
              </dl>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
