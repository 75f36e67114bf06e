import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { requirePortalUser } from "~/auth/portal-auth.server";
import { DemoCardForm } from "~/components/demo-card-form";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert, SubmitButton } from "~/components/forms";
import { Money } from "~/components/money";
import { StripePaymentForm } from "~/components/stripe-payment-form";
import { demoCards, demoCardSchema, requirePayer } from "~/payments/portal-pay.server";
import { getProcessor } from "~/payments/processor.server";
import { completePlanSetup, saveDemoCardForPlan, startPlanSetup } from "~/plans/autopay-setup.server";
import { startInstalmentPayment } from "~/plans/instalments.server";
import { getPlan, LIVE_PLAN_STATUSES, setPlanAutopay, usableMethods } from "~/plans/plans.server";
import { frequencyLabels, instalmentStatusLabels, instalmentStatusTone, planStatusLabels, planStatusTone } from "~/plans/schedule";
import { invalid, newFormKey, runDomain } from "~/utils/action.server";
import { today } from "~/utils/dates";
import { getEnv } from "~/utils/env.server";
import { idempotencyKeySchema } from "~/utils/form-schemas";
import { formatDate } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Payment plan · Customer portal" }];

const paramsSchema = z.object({ planId: z.uuid() });
const setupReturnSchema = z.string().regex(/^seti_[A-Za-z0-9_]{1,200}$/);

async function requirePlan(request: Request, params: unknown) {
  const session = await requirePortalUser(request);
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Payment plan not found");
  const plan = await getPlan(parsed.data.planId, { customerId: session.customer.id });
  invariantResponse(plan, "Payment plan not found");
  return { ...session, plan };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, customer, plan } = await requirePlan(request, params);
  const search = new URL(request.url).searchParams;
  const actor = { type: "portal" as const, id: user.id, label: user.email };
  // Stripe.js comes back here after saving a card.
  const setupIntent = search.get("setup_intent");
  if (setupIntent !== null) {
    const parsed = setupReturnSchema.safeParse(setupIntent);
    invariantResponse(parsed.success, "Card setup not found");
    const result = await runDomain(() => completePlanSetup({ planId: plan.plan.id, customerId: customer.id, setupIntentId: parsed.data }, actor));
    throw redirect(`/portal/plans/${plan.plan.id}?${result.ok ? "saved=1" : "card=new&setup=failed"}`);
  }
  const live = (LIVE_PLAN_STATUSES as readonly string[]).includes(plan.plan.status);
  const processor = (await getProcessor()).name;
  const methods = live ? await usableMethods(customer.id) : [];
  // The card form shows when asked for, or when autopay waits for a card and none is saved to choose.
  const wantsCard = live && user.role === "billing" && (search.get("card") === "new" || (plan.plan.autopay && !plan.method && methods.length === 0));
  const pageKey = newFormKey();
  const stripe =
    wantsCard && processor === "stripe"
      ? { publishableKey: getEnv().STRIPE_PUBLISHABLE_KEY!, clientSecret: (await startPlanSetup({ planId: plan.plan.id, customerId: customer.id, pageKey })).clientSecret! }
      : null;
  const next = plan.plan.status === "active" ? plan.instalments.find((i) => i.status === "scheduled" || i.status === "failed") : undefined;
  const { id, status, currency, totalMinor, instalmentCount, frequency, firstDate, autopay, customerMessage, decisionNote } = plan.plan;
  return {
    plan: { id, status, currency, totalMinor, instalmentCount, frequency, firstDate, autopay, customerMessage, decisionNote },
    instalments: plan.instalments.map(({ id, seq, dueDate, amountMinor, paidMinor, status, lastError, nextAttemptOn }) => ({ id, seq, dueDate, amountMinor, paidMinor, status, lastError, nextAttemptOn })),
    invoices: plan.invoices,
    method: plan.method,
    policyNotes: plan.policyNotes,
    methods,
    live,
    canPay: user.role === "billing",
    wantsCard,
    demo: wantsCard && processor === "demo" ? { cards: demoCards(), pageKey } : null,
    stripe,
    nextInstalmentId: next?.id ?? null,
    today: today(),
  };
}

const intentSchema = z.object({ intent: z.enum(["save-card", "use-method", "by-hand", "pay-instalment"], { message: "Choose what to do" }) });
const useMethodSchema = z.object({ methodId: z.uuid({ message: "Choose a saved card" }) });
const payInstalmentSchema = z.object({ instalmentId: z.uuid({ message: "Choose an instalment" }) });
const saveCardSchema = demoCardSchema.extend({ pageKey: idempotencyKeySchema });

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, customer, plan } = await requirePlan(request, params);
  requirePayer(user);
  const formData = await request.formData();
  const intent = parseForm(intentSchema, formData);
  if (!intent.ok) return invalid(intent.errors);
  const actor = { type: "portal" as const, id: user.id, label: user.email };
  const ids = { planId: plan.plan.id, customerId: customer.id };
  switch (intent.data.intent) {
    case "pay-instalment": {
      const parsed = parseForm(payInstalmentSchema, formData);
      if (!parsed.ok) return invalid(parsed.errors);
      const result = await runDomain(() => startInstalmentPayment({ ...ids, instalmentId: parsed.data.instalmentId, portalUserId: user.id }));
      if (!result.ok) return result.response;
      throw redirect(`/portal/pay/${result.value.id}`);
    }
    case "save-card": {
      const parsed = parseForm(saveCardSchema, formData);
      if (!parsed.ok) return invalid(parsed.errors);
      const result = await runDomain(() => saveDemoCardForPlan({ ...ids, pageKey: parsed.data.pageKey, cardNumber: parsed.data.cardNumber }, actor));
      if (!result.ok) return result.response;
      throw redirect(`/portal/plans/${plan.plan.id}?saved=1`);
    }
    case "use-method": {
      const parsed = parseForm(useMethodSchema, formData);
      if (!parsed.ok) return invalid(parsed.errors);
      const result = await runDomain(() => setPlanAutopay({ ...ids, savedMethodId: parsed.data.methodId }, actor));
      if (!result.ok) return result.response;
      throw redirect(`/portal/plans/${plan.plan.id}?saved=1`);
    }
    case "by-hand": {
      const result = await runDomain(() => setPlanAutopay({ ...ids, savedMethodId: null }, actor));
      if (!result.ok) return result.response;
      throw redirect(`/portal/plans/${plan.plan.id}?manual=1`);
    }
  }
}

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;

function Notices({ plan, policyNotes }: Pick<Loaded, "plan" | "policyNotes">) {
  const [search] = useSearchParams();
  return (
    <>
      {search.get("created") && plan.status === "active" ? <FormAlert tone="ok" message="Your plan is set up. While you keep to it, we will not send reminders for its invoices." /> : null}
      {search.get("saved") && plan.status === "active" ? <FormAlert tone="ok" message="Autopay is on: each instalment is charged on its date." /> : null}
      {search.get("manual") && plan.status === "active" ? <FormAlert tone="ok" message="Autopay is off: pay each instalment here by its date." /> : null}
      {search.get("setup") === "failed" ? <FormAlert message="The card was not saved. Try again, or use another card." /> : null}
      {plan.status === "pending_approval" ? (
        <section className="alert info plan-notice" role="status">
          <p>
            <strong>Waiting for our team.</strong> This plan is outside what we can agree to at once, so a person will look at it. Until then, the invoices stay due as they are.
          </p>
          <ul>
            {policyNotes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
          {plan.customerMessage ? <p>Your message: “{plan.customerMessage}”</p> : null}
        </section>
      ) : null}
      {plan.status === "rejected" ? (
        <div className="alert error" role="status">
          We could not agree to this plan{plan.decisionNote ? `: “${plan.decisionNote}”` : "."} The invoices are due as before; contact us to find another arrangement.
        </div>
      ) : null}
      {plan.status === "defaulted" ? <div className="alert error">This plan has ended because instalments were not paid. Its invoices are due again; please pay them or contact us.</div> : null}
      {plan.status === "completed" ? <FormAlert tone="ok" message="This plan is complete. Thank you." /> : null}
    </>
  );
}

function Schedule({ plan, instalments, nextInstalmentId, canPay, today }: Pick<Loaded, "plan" | "instalments" | "nextInstalmentId" | "canPay" | "today">) {
  return (
    <section className="card" aria-labelledby="schedule-heading">
      <h2 id="schedule-heading">Instalments</h2>
      <div className="table-wrap">
        <table className="plan-schedule">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Date</th>
              <th scope="col" className="num">
                Amount
              </th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {instalments.map((instalment) => {
              const due = instalment.status === "scheduled" && instalment.dueDate <= today && plan.status === "active";
              return (
                <tr key={instalment.id}>
                  <td data-label="#">{instalment.seq}</td>
                  <td data-label="Date" className="nowrap">
                    {formatDate(instalment.dueDate)}
                  </td>
                  <td data-label="Amount" className="num">
                    <Money minor={instalment.status === "paid" ? instalment.paidMinor : instalment.amountMinor} currency={plan.currency} />
                  </td>
                  <td data-label="Status">
                    <span className={`badge ${due ? "warn" : instalmentStatusTone[instalment.status]}`.trim()}>{due ? "Due" : instalmentStatusLabels[instalment.status]}</span>
                    {instalment.status === "failed" ? (
                      <span className="plan-failure">
                        {instalment.lastError ?? "The charge failed."} {instalment.nextAttemptOn ? `We try again on ${formatDate(instalment.nextAttemptOn)}.` : ""}
                      </span>
                    ) : null}
                  </td>
                  <td className="plan-action">
                    {instalment.id === nextInstalmentId && canPay ? (
                      <Form method="post">
                        <input type="hidden" name="instalmentId" value={instalment.id} />
                        <SubmitButton name="intent" value="pay-instalment" className="button small">
                          Pay this instalment
                        </SubmitButton>
                      </Form>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Autopay({ plan, method, methods, live, canPay, wantsCard, demo, stripe }: Pick<Loaded, "plan" | "method" | "methods" | "live" | "canPay" | "wantsCard" | "demo" | "stripe">) {
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string | undefined> = actionData?.errors ?? {};
  const others = methods.filter((m) => m.id !== method?.id);
  return (
    <section className="card" aria-labelledby="autopay-heading">
      <h2 id="autopay-heading">Autopay</h2>
      {plan.autopay && method ? (
        <p>
          On: we charge <strong>{method.label}</strong> on each date.
        </p>
      ) : plan.autopay ? (
        <p>{methods.length > 0 ? "Choose a card" : "Save a card"} and we charge each instalment on its date.</p>
      ) : (
        <p>Off: you pay each instalment here by its date.</p>
      )}
      {live && canPay ? (
        <>
          {others.length > 0 ? (
            <ul className="plan-methods">
              {others.map((m) => (
                <li key={m.id}>
                  <Form method="post">
                    <input type="hidden" name="methodId" value={m.id} />
                    <SubmitButton name="intent" value="use-method" className="button secondary small">
                      Use {m.label}
                    </SubmitButton>
                  </Form>
                </li>
              ))}
            </ul>
          ) : null}
          {wantsCard && demo ? (
            <DemoCardForm cards={demo.cards} submitLabel="Save card" errors={errors} hidden={{ intent: "save-card", pageKey: demo.pageKey }} />
          ) : wantsCard && stripe ? (
            <StripePaymentForm publishableKey={stripe.publishableKey} clientSecret={stripe.clientSecret} mode="setup" returnUrl={`/portal/plans/${plan.id}`} />
          ) : (
            <p>
              <Link to="?card=new" className="button secondary small">
                {plan.autopay ? "Use a new card" : "Turn on autopay with a new card"}
              </Link>
            </p>
          )}
          {plan.autopay ? (
            <Form method="post" className="plan-by-hand">
              <SubmitButton name="intent" value="by-hand" className="button link">
                Pay by hand instead
              </SubmitButton>
            </Form>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

/** A failure the card form does not show beside its fields (a refused payment, a stale form). */
function formErrorOf(actionData: ReturnType<typeof useActionData<typeof action>>) {
  if (!actionData) return null;
  const errors: Record<string, string | undefined> = actionData.errors;
  if (errors.cardNumber || errors.expiry || errors.cvc) return null;
  return actionData.message ?? errors.pageKey ?? errors.intent ?? errors.methodId ?? errors.instalmentId ?? null;
}

export default function PlanPage() {
  const loaded = useLoaderData<typeof loader>();
  const formError = formErrorOf(useActionData<typeof action>());
  const { plan, invoices } = loaded;
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/portal/plans">Payment plans</Link> / Plan
          </p>
          <h1>
            Payment plan <span className={`badge ${planStatusTone[plan.status]}`.trim()}>{planStatusLabels[plan.status]}</span>
          </h1>
          <p>
            <Money minor={plan.totalMinor} currency={plan.currency} /> in {plan.instalmentCount} instalments, {frequencyLabels[plan.frequency].toLowerCase()} from {formatDate(plan.firstDate)}
          </p>
        </div>
      </header>
      <Notices plan={plan} policyNotes={loaded.policyNotes} />
      <FormAlert message={formError} />
      <div className="two-col">
        <Schedule {...loaded} />
        <div>
          <Autopay {...loaded} />
          <section className="card" aria-labelledby="covered-heading">
            <h2 id="covered-heading">Invoices in the plan</h2>
            <ul className="plan-covered">
              {invoices.map((invoice) => (
                <li key={invoice.id}>
                  <Link to={`/portal/invoices/${invoice.id}`}>{invoice.number}</Link>
                  <span className="muted">
                    {invoice.status === "open" ? (
                      <>
                        <Money minor={invoice.openMinor} currency={plan.currency} /> open
                      </>
                    ) : invoice.status === "paid" ? (
                      "Paid"
                    ) : (
                      "Closed"
                    )}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        </div>
      </div>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
