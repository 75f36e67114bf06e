import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { Money } from "~/components/money";
import { chargeDueInstalmentsNow } from "~/plans/instalments.server";
import { listPlans, planListViews, type PlanListView } from "~/plans/plans.server";
import { planStatusLabels, planStatusTone } from "~/plans/schedule";
import { runDomain } from "~/utils/action.server";
import { today } from "~/utils/dates";
import { isDemoProcessor } from "~/utils/env.server";
import { isoDateSchema } from "~/utils/form-schemas";
import { formatDate } from "~/utils/format";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Payment plans · Settle back office" }];

const tabs: { view: PlanListView; label: string }[] = [
  { view: "current", label: "Current" },
  { view: "pending_approval", label: "Waiting for approval" },
  { view: "active", label: "Active" },
  { view: "defaulted", label: "Defaulted" },
  { view: "closed", label: "Closed" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const view = z
    .enum(planListViews)
    .catch("current")
    .parse(new URL(request.url).searchParams.get("view") ?? "current");
  return { plans: await listPlans({ view }), view, canCharge: hasRole(user, "admin"), canPropose: hasRole(user, "clerk"), demo: isDemoProcessor(), today: today() };
}

const chargeSchema = z.object({ asOf: z.preprocess((value) => (value === "" ? undefined : value), isoDateSchema("As of").optional()) });

export async function action({ request }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "admin");
  const parsed = parseForm(chargeSchema, await request.formData());
  if (!parsed.ok) return data({ ok: false as const, errors: parsed.errors, message: null, run: null }, { status: 400 });
  const result = await runDomain(() => chargeDueInstalmentsNow({ asOf: parsed.data.asOf ?? null }, { type: "staff", id: user.id, label: user.email }));
  if (!result.ok) return result.response;
  return { ok: true as const, errors: {}, message: null, run: result.value };
}

export default function PlansList() {
  const { plans, view, canCharge, canPropose, demo, today } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const run = actionData && "run" in actionData ? actionData.run : null;
  const errors: Record<string, string | undefined> = actionData?.errors ?? {};
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Payment plans</h1>
          <p>Plans waiting for approval first, then active and defaulted ones.</p>
        </div>
        {canPropose ? (
          <Link className="button" to="/staff/plans/new">
            Propose a plan
          </Link>
        ) : null}
      </header>
      {canCharge ? (
        <section className="card plan-run" aria-labelledby="run-heading">
          <h2 id="run-heading">Autopay</h2>
          <p className="muted">
            Due instalments are charged every hour. Run it now to charge what is due without waiting{demo ? "; with the demo processor, a later date runs the schedule ahead of the calendar" : ""}.
          </p>
          <FormAlert message={actionData && !actionData.ok && !errors.asOf ? actionData.message : null} />
          {run ? (
            <FormAlert
              tone="ok"
              message={`As of ${formatDate(run.asOf)}: ${run.charged} charged (${run.succeeded} paid, ${run.failed} failed, ${run.processing} pending), ${run.completed} plans completed, ${run.defaulted} defaulted${run.errors ? `, ${run.errors} could not reach the processor` : ""}.`}
            />
          ) : null}
          <Form method="post" className="filters" noValidate>
            {demo ? <Field label="As of (demo only)" name="asOf" type="date" min={today} defaultValue={today} error={errors.asOf} /> : null}
            <SubmitButton>Charge due instalments now</SubmitButton>
          </Form>
        </section>
      ) : null}
      <nav className="tabs" aria-label="Plan status">
        {tabs.map((tab) => (
          <Link key={tab.view} to={tab.view === "current" ? "?" : `?view=${tab.view}`} aria-current={tab.view === view ? "page" : undefined}>
            {tab.label}
          </Link>
        ))}
      </nav>
      <div className="card table-wrap" style={{ padding: 0 }}>
        <table className="plan-list">
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Total
              </th>
              <th scope="col" className="num">
                Paid
              </th>
              <th scope="col">Next instalment</th>
              <th scope="col">Payment</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {plans.length === 0 ? (
              <tr>
                <td colSpan={7} className="muted">
                  No plans here.
                </td>
              </tr>
            ) : (
              plans.map((plan) => (
                <tr key={plan.id}>
                  <td>
                    <Link to={`/staff/plans/${plan.id}`}>{plan.customerName}</Link>
                    <div className="muted small">{plan.accountNumber}</div>
                  </td>
                  <td>
                    <span className={`badge ${planStatusTone[plan.status]}`.trim()}>{planStatusLabels[plan.status]}</span>
                    {plan.failing && plan.status === "active" ? <span className="badge danger">Failing</span> : null}
                  </td>
                  <td className="num">
                    <Money minor={plan.totalMinor} currency={plan.currency} />
                  </td>
                  <td className="num">
                    <Money minor={plan.paidMinor} currency={plan.currency} />
                    <div className="muted small">
                      {plan.paidCount} of {plan.instalmentCount}
                    </div>
                  </td>
                  <td className="nowrap">
                    {plan.nextDueDate && plan.nextAmountMinor !== null && plan.status === "active" ? (
                      <>
                        <Money minor={plan.nextAmountMinor} currency={plan.currency} /> on {formatDate(plan.nextDueDate)}
                      </>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td>{plan.autopay ? "Autopay" : "By hand"}</td>
                  <td className="nowrap">{formatDate(plan.createdAt)}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
