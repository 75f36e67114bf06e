import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { SearchForm } from "~/components/search-form";
import { listCustomers } from "~/customers/customers.server";
import { PlanFields } from "~/plans/plan-fields";
import { parsePlanForm } from "~/plans/plan-form";
import { planOptions, proposePlan } from "~/plans/plans.server";
import { invalid, newFormKey, runDomain } from "~/utils/action.server";
import { invariantResponse } from "~/utils/responses.server";

export const meta: MetaFunction = () => [{ title: "Propose a payment plan · Settle back office" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "clerk");
  const params = new URL(request.url).searchParams;
  const customerId = params.get("customerId");
  if (customerId === null) {
    const q = z
      .string()
      .trim()
      .max(100)
      .catch("")
      .parse(params.get("q") ?? "");
    const { customers } = await listCustomers({ q: q || undefined });
    return { step: "customer" as const, q, customers };
  }
  invariantResponse(z.uuid().safeParse(customerId).success, "Customer not found");
  const options = await planOptions(customerId);
  invariantResponse(options, "Customer not found");
  return { step: "plan" as const, ...options, formKey: newFormKey() };
}

export async function action({ request }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "clerk");
  const formData = await request.formData();
  const customerId = z.uuid().safeParse(formData.get("customerId"));
  invariantResponse(customerId.success, "Customer not found");
  const options = await planOptions(customerId.data);
  invariantResponse(options, "Customer not found");
  const parsed = parsePlanForm(formData, options.customer.currency);
  if (!parsed.ok) return invalid(parsed.errors);
  const result = await runDomain(() => proposePlan({ customerId: options.customer.id, ...parsed.data }, { type: "staff", id: user.id, label: user.email }));
  if (!result.ok) return result.response;
  throw redirect(`/staff/plans/${result.value.id}`);
}

export default function ProposePlan() {
  const loaded = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/staff/plans">Payment plans</Link> / Propose
          </p>
          <h1>{loaded.step === "plan" ? `Payment plan for ${loaded.customer.name}` : "Propose a payment plan"}</h1>
          <p>On the customer's behalf, as agreed with them. Inside the policy it starts at once; outside it, an admin approves.</p>
        </div>
      </header>
      {loaded.step === "customer" ? (
        <section className="card" aria-labelledby="customer-heading">
          <h2 id="customer-heading">For which customer?</h2>
          <SearchForm name="q" label="Search customers" placeholder="Name, account number or email" defaultValue={loaded.q} button="Find customer" />
          {loaded.customers.length === 0 ? (
            <p className="muted">No customers match “{loaded.q}”.</p>
          ) : (
            <ul className="pick-list">
              {loaded.customers.map((customer) => (
                <li key={customer.id}>
                  <Link to={`?customerId=${customer.id}`}>
                    <strong>{customer.name}</strong>
                    <span className="muted">
                      {customer.accountNumber} · {customer.currency}
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </section>
      ) : loaded.standing.pendingPlanId ? (
        <section className="card plan-empty">
          <p>A plan for this customer is already waiting for approval; it must be decided first.</p>
          <Link className="button secondary" to={`/staff/plans/${loaded.standing.pendingPlanId}`}>
            See that plan
          </Link>
        </section>
      ) : loaded.invoices.length === 0 ? (
        <section className="card plan-empty">
          <p>{loaded.customer.name} has no open invoice outside a plan.</p>
          <Link className="button secondary" to={`/staff/customers/${loaded.customer.id}`}>
            Back to the customer
          </Link>
        </section>
      ) : (
        <PlanFields
          invoices={loaded.invoices}
          currency={loaded.customer.currency}
          policy={loaded.policy}
          standing={loaded.standing}
          today={loaded.today}
          formKey={loaded.formKey}
          errors={actionData?.errors ?? {}}
          message={actionData?.message ?? null}
          audience="staff"
          hidden={{ customerId: loaded.customer.id }}
        />
      )}
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
