import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { Money } from "~/components/money";
import { InvoiceStatusBadge } from "~/components/status-badge";
import { invoiceDisplayStatus } from "~/ledger/status";
import { decidePlan, getPlan } from "~/plans/plans.server";
import { frequencyLabels, instalmentStatusLabels, instalmentStatusTone, planStatusLabels, planStatusTone } from "~/plans/schedule";
import { invalid, runDomain } from "~/utils/action.server";
import { today } from "~/utils/dates";
import { optionalText } from "~/utils/form-schemas";
import { formatDate, formatDateTime } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Payment plan of ${data?.customerName ?? "a customer"} · Settle back office` }];

const paramsSchema = z.object({ planId: z.uuid() });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Payment plan not found");
  const plan = await getPlan(parsed.data.planId);
  invariantResponse(plan, "Payment plan not found");
  const asOf = today();
  return { ...plan, invoices: plan.invoices.map((i) => ({ ...i, displayStatus: invoiceDisplayStatus(i, asOf) })), canDecide: hasRole(user, "admin") };
}

const decisionSchema = z.object({
  intent: z.enum(["approve", "reject"], { message: "Choose Approve or Reject" }),
  note: optionalText("Note", 500),
});

export async function action({ request, params }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "admin");
  const parsedParams = paramsSchema.safeParse(params);
  invariantResponse(parsedParams.success, "Payment plan not found");
  const parsed = parseForm(decisionSchema, await request.formData());
  if (!parsed.ok) return invalid(parsed.errors);
  const { intent, note } = parsed.data;
  const result = await runDomain(() => decidePlan({ planId: parsedParams.data.planId, approve: intent === "approve", note }, { type: "staff", id: user.id, label: user.email, role: user.role }));
  if (!result.ok) return result.response;
  return { ok: true as const, errors: {}, message: intent === "approve" ? "Approved: the plan is active and the customer is told." : "Rejected: the customer is told, with your note." };
}

const attemptLabels = { created: "Started", requires_action: "Needs authentication", processing: "Processing", succeeded: "Paid", failed: "Failed", canceled: "Canceled" } as const;
const attemptTone = { created: "", requires_action: "warn", processing: "warn", succeeded: "ok", failed: "danger", canceled: "" } as const;

export default function StaffPlan() {
  const { plan, customerName, accountNumber, requestedByName, proposedByName, decidedByName, instalments, invoices, method, attempts, policyNotes, canDecide } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string | undefined> = actionData?.errors ?? {};
  const seqOf = new Map(instalments.map((i) => [i.id, i.seq]));
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/staff/plans">Payment plans</Link> / {accountNumber}
          </p>
          <h1>
            Plan of {customerName} <span className={`badge ${planStatusTone[plan.status]}`.trim()}>{planStatusLabels[plan.status]}</span>
          </h1>
          <p>
            <Money minor={plan.totalMinor} currency={plan.currency} /> in {plan.instalmentCount} instalments, {frequencyLabels[plan.frequency].toLowerCase()} from {formatDate(plan.firstDate)}
          </p>
        </div>
        <div className="actions">
          <Link className="button secondary" to={`/staff/customers/${plan.customerId}`}>
            Customer
          </Link>
        </div>
      </header>
      <FormAlert tone="ok" message={actionData?.ok ? actionData.message : null} />
      <FormAlert message={actionData && !actionData.ok && !errors.note ? actionData.message : null} />

      {plan.status === "pending_approval" ? (
        <section className="card plan-decision" aria-labelledby="decision-heading">
          <h2 id="decision-heading">Outside the policy</h2>
          <ul className="plain-list">
            {policyNotes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
          {plan.customerMessage ? <blockquote className="plan-message">“{plan.customerMessage}”</blockquote> : <p className="muted">No message with the request.</p>}
          {canDecide ? (
            <Form method="post" noValidate className="plan-decision-form">
              <Field label="Note to the customer" name="note" autoComplete="off" error={errors.note} hint="Required to reject; the customer reads it." />
              <div className="actions">
                <SubmitButton name="intent" value="approve">
                  Approve
                </SubmitButton>
                <SubmitButton name="intent" value="reject" className="button secondary">
                  Reject
                </SubmitButton>
              </div>
            </Form>
          ) : (
            <p className="muted">An admin approves or rejects plans outside the policy.</p>
          )}
        </section>
      ) : null}

      <div className="two-col">
        <div>
          <section className="card" aria-labelledby="schedule-heading">
            <h2 id="schedule-heading">Schedule</h2>
            <div className="table-wrap">
              <table className="plan-schedule">
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">Date</th>
                    <th scope="col" className="num">
                      Amount
                    </th>
                    <th scope="col" className="num">
                      Paid
                    </th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {instalments.map((i) => (
                    <tr key={i.id}>
                      <td data-label="#">{i.seq}</td>
                      <td data-label="Date" className="nowrap">
                        {formatDate(i.dueDate)}
                      </td>
                      <td data-label="Amount" className="num">
                        <Money minor={i.amountMinor} currency={plan.currency} />
                      </td>
                      <td data-label="Paid" className="num">
                        <Money minor={i.paidMinor} currency={plan.currency} />
                      </td>
                      <td data-label="Status">
                        <span className={`badge ${instalmentStatusTone[i.status]}`.trim()}>{instalmentStatusLabels[i.status]}</span>
                        {i.failures > 0 ? <span className="muted small"> {i.failures} failed</span> : null}
                        {i.lastError && i.status !== "paid" ? <span className="plan-failure">{i.lastError}</span> : null}
                        {i.nextAttemptOn ? <span className="plan-failure muted">Next try {formatDate(i.nextAttemptOn)}</span> : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>

          <section className="card" aria-labelledby="invoices-heading">
            <h2 id="invoices-heading">Invoices</h2>
            <div className="table-wrap">
              <table className="plan-invoices">
                <thead>
                  <tr>
                    <th scope="col">Invoice</th>
                    <th scope="col" className="num">
                      Planned
                    </th>
                    <th scope="col" className="num">
                      Open
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {invoices.map((invoice) => (
                    <tr key={invoice.id}>
                      <td className="invoice nowrap">
                        <Link to={`/staff/invoices/${invoice.id}`}>{invoice.number}</Link> <InvoiceStatusBadge status={invoice.displayStatus} />
                      </td>
                      <td className="num">
                        <Money minor={invoice.plannedMinor} currency={plan.currency} />
                      </td>
                      <td className="num">
                        <Money minor={invoice.openMinor} currency={plan.currency} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>

          <section className="card" aria-labelledby="attempts-heading">
            <h2 id="attempts-heading">Charges</h2>
            {attempts.length === 0 ? (
              <p className="muted">Nothing charged yet.</p>
            ) : (
              <div className="table-wrap">
                <table className="plan-charges">
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Instalment</th>
                      <th scope="col">How</th>
                      <th scope="col" className="num">
                        Amount
                      </th>
                      <th scope="col">Result</th>
                    </tr>
                  </thead>
                  <tbody>
                    {attempts.map((a) => (
                      <tr key={a.id}>
                        <td className="nowrap">{formatDateTime(a.createdAt)}</td>
                        <td>#{seqOf.get(a.planInstalmentId ?? "") ?? "?"}</td>
                        <td>{a.byHand ? "By the customer" : "Autopay"}</td>
                        <td className="num">
                          <Money minor={a.amountMinor} currency={plan.currency} />
                        </td>
                        <td className="result">
                          {a.paymentId ? (
                            <Link to={`/staff/payments/${a.paymentId}`}>
                              <span className={`badge ${attemptTone[a.status]}`.trim()}>{attemptLabels[a.status]}</span>
                            </Link>
                          ) : (
                            <span className={`badge ${attemptTone[a.status]}`.trim()}>{attemptLabels[a.status]}</span>
                          )}
                          {a.failureMessage ? <span className="plan-failure">{a.failureMessage}</span> : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </div>

        <div>
          <section className="card" aria-labelledby="details-heading">
            <h2 id="details-heading">Details</h2>
            <dl className="details">
              <dt>Customer</dt>
              <dd>
                <Link to={`/staff/customers/${plan.customerId}`}>{customerName}</Link>
              </dd>
              <dt>Asked by</dt>
              <dd>{proposedByName ? `${proposedByName} (staff)` : (requestedByName ?? "—")}</dd>
              <dt>Created</dt>
              <dd>{formatDateTime(plan.createdAt)}</dd>
              <dt>Payment</dt>
              <dd>{plan.autopay ? (method ? `Autopay from ${method.label}` : "Autopay, no card saved yet") : "By hand"}</dd>
              {decidedByName ? (
                <>
                  <dt>Decided by</dt>
                  <dd>
                    {decidedByName}
                    {plan.decisionNote ? `: “${plan.decisionNote}”` : ""}
                  </dd>
                </>
              ) : null}
              {plan.status !== "pending_approval" && plan.customerMessage ? (
                <>
                  <dt>Customer's message</dt>
                  <dd>{plan.customerMessage}</dd>
                </>
              ) : null}
              {plan.endedAt ? (
                <>
                  <dt>Ended</dt>
                  <dd>{formatDateTime(plan.endedAt)}</dd>
                </>
              ) : null}
            </dl>
          </section>
        </div>
      </div>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
