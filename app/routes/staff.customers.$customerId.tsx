import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { inviteContact } from "~/auth/invitations.server";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { collectionsSummary } from "~/collections/account.server";
import { StageBadge } from "~/components/collections-ui";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { Money } from "~/components/money";
import { InvoiceStatusBadge } from "~/components/status-badge";
import { getCustomerOverview } from "~/customers/customers.server";
import { clearSuppression, listSuppressionsForCustomer } from "~/email/suppressions.server";
import { listCustomerPlans } from "~/plans/plans.server";
import { paymentBehaviour } from "~/reports/behaviour.server";
import { daysLateText, daysText, percentOfBps, riskGradeTones, trendLabels } from "~/reports/risk";
import { planStatusLabels, planStatusTone } from "~/plans/schedule";
import { DomainError } from "~/utils/errors";
import { formatAddress, formatDate, formatDateTime, formatTerms } from "~/utils/format";
import { clientIp, invariantResponse } from "~/utils/responses.server";
import { emailSchema, parseForm } from "~/utils/validation";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.customer.name ?? "Customer"} · Settle back office` }];

const paramsSchema = z.object({ customerId: z.uuid() });
const activitySchema = z.coerce.number().int().positive().optional().catch(undefined);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Customer not found");
  const activityBefore = activitySchema.parse(new URL(request.url).searchParams.get("before") ?? undefined);
  const [overview, plans, collections, suppressions, behaviour] = await Promise.all([
    getCustomerOverview(parsed.data.customerId, { activityBefore }),
    listCustomerPlans(parsed.data.customerId),
    collectionsSummary(parsed.data.customerId),
    listSuppressionsForCustomer(parsed.data.customerId),
    paymentBehaviour(parsed.data.customerId),
  ]);
  invariantResponse(overview, "Customer not found");
  const canChange = hasRole(user, "clerk");
  return { ...overview, plans, collections, suppressions, behaviour, canChange, canInvite: canChange };
}

const inviteSchema = z.object({
  name: z.string({ message: "Name is required" }).trim().min(1, "Name is required").max(120, "Name must be at most 120 characters"),
  email: emailSchema,
});

const clearSuppressionSchema = z.object({ suppressionId: z.uuid({ message: "Choose the address to email again" }) });

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "clerk");
  const parsedParams = paramsSchema.safeParse(params);
  invariantResponse(parsedParams.success, "Customer not found");
  const form = await request.formData();
  try {
    if (form.get("intent") === "clear_suppression") {
      const cleared = parseForm(clearSuppressionSchema, form);
      if (!cleared.ok) return data({ errors: cleared.errors, message: null, invited: null }, { status: 400 });
      // Only an address of this customer's (billing or a contact) is cleared from its page.
      const mine = await listSuppressionsForCustomer(parsedParams.data.customerId);
      if (!mine.some((s) => s.id === cleared.data.suppressionId)) return data({ errors: { suppressionId: "That address is not one this customer is kept from emailing" }, message: null, invited: null }, { status: 404 });
      const row = await clearSuppression(cleared.data.suppressionId, { type: "staff", id: user.id, label: user.email });
      return { errors: {}, message: null, invited: null, cleared: row.address };
    }
    const parsed = parseForm(inviteSchema, form);
    if (!parsed.ok) return data({ errors: parsed.errors, message: null, invited: null }, { status: 400 });
    const contact = await inviteContact({ customerId: parsedParams.data.customerId, ...parsed.data, invitedBy: user, ip: clientIp(context) });
    return { errors: {}, message: null, invited: contact.email };
  } catch (error) {
    if (error instanceof DomainError) {
      invariantResponse(error.code !== "not_found", error.message);
      return data({ errors: error.field ? { [error.field]: error.message } : {}, message: error.field ? null : error.message, invited: null }, { status: error.status });
    }
    throw error;
  }
}

const agingLabels: Record<string, string> = { current: "Current", d1_30: "1–30", d31_60: "31–60", d61_90: "61–90", d90_plus: "90+" };
const creditKindLabels: Record<string, string> = { credit_note: "Credit note", discount: "Discount", write_off: "Write-off" };

/** Share of `part` in `whole` as a CSS percentage with one decimal, in integer arithmetic. */
const share = (part: number, whole: number) => (whole > 0 ? `${Math.round((Math.max(part, 0) * 1000) / whole) / 10}%` : "0%");

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;

function Figures({ summary }: { summary: Loaded["summary"] }) {
  const { currency } = summary;
  return (
    <div className="grid customer-stats">
      <div className="stat">
        <div className="label">Balance</div>
        <div className="value">
          <Money minor={summary.balanceMinor} currency={currency} />
        </div>
        <div className="muted small">{summary.balanceMinor < 0 ? "In the customer's favour" : "Open invoices less unapplied credit"}</div>
      </div>
      <div className="stat">
        <div className="label">Open on invoices</div>
        <div className="value">
          <Money minor={summary.openMinor} currency={currency} />
        </div>
        <div className="muted small">
          {summary.openInvoiceCount} open invoice{summary.openInvoiceCount === 1 ? "" : "s"}
        </div>
      </div>
      <div className={`stat${summary.overdueMinor > 0 ? " stat-danger" : ""}`}>
        <div className="label">Overdue</div>
        <div className="value">
          <Money minor={summary.overdueMinor} currency={currency} />
        </div>
        <div className="muted small">Past the due date</div>
      </div>
      <div className="stat">
        <div className="label">Unapplied credit</div>
        <div className="value">
          <Money minor={summary.unappliedMinor} currency={currency} />
        </div>
        <div className="muted small">Payments and credits not yet applied</div>
      </div>
    </div>
  );
}

function CreditCard({ summary }: { summary: Loaded["summary"] }) {
  const { currency, creditLimitMinor, creditUsedPercent, availableCreditMinor } = summary;
  // A zero limit has no percentage: any balance is over it.
  const used = creditUsedPercent ?? (summary.balanceMinor > 0 ? 101 : 0);
  return (
    <section className="card" aria-labelledby="credit-heading">
      <h2 id="credit-heading">Credit</h2>
      {creditLimitMinor === null || availableCreditMinor === null ? (
        <p className="muted">No credit limit is set for this account.</p>
      ) : (
        <>
          <div className="credit-usage-head">
            <span>
              <Money minor={Math.max(summary.balanceMinor, 0)} currency={currency} /> of <Money minor={creditLimitMinor} currency={currency} /> used
            </span>
            {creditUsedPercent !== null ? <strong className={creditUsedPercent > 100 ? "text-danger" : undefined}>{creditUsedPercent}%</strong> : null}
          </div>
          <div className={`usage-bar${used > 100 ? " over" : used >= 80 ? " near" : ""}`} role="img" aria-label={creditUsedPercent === null ? "No credit is extended" : `${creditUsedPercent}% of the credit limit used`}>
            <span style={{ width: `${Math.min(used, 100)}%` }} />
          </div>
          <p className={availableCreditMinor < 0 ? "text-danger" : "muted"}>
            {availableCreditMinor < 0 ? (
              <>
                Over the limit by <Money minor={-availableCreditMinor} currency={currency} />
              </>
            ) : (
              <>
                <Money minor={availableCreditMinor} currency={currency} /> available
              </>
            )}
          </p>
        </>
      )}
    </section>
  );
}

function AgingCard({ summary }: { summary: Loaded["summary"] }) {
  const total = summary.aging.reduce((sum, bucket) => sum + bucket.amountMinor, 0);
  return (
    <section className="card" aria-labelledby="aging-heading">
      <h2 id="aging-heading">Aging</h2>
      {total === 0 ? (
        <p className="muted">Nothing is open on invoices.</p>
      ) : (
        <>
          <div className="aging-bar" aria-hidden="true">
            {summary.aging.map((bucket) =>
              bucket.amountMinor > 0 ? <span key={bucket.key} className={`aging-${bucket.key}`} style={{ width: share(bucket.amountMinor, total) }} /> : null,
            )}
          </div>
          <dl className="aging-legend">
            {summary.aging.map((bucket) => (
              <div key={bucket.key}>
                <dt>
                  <span className={`swatch aging-${bucket.key}`} aria-hidden="true" />
                  {agingLabels[bucket.key] ?? bucket.label}
                </dt>
                <dd>
                  <Money minor={bucket.amountMinor} currency={summary.currency} />
                </dd>
              </div>
            ))}
          </dl>
        </>
      )}
    </section>
  );
}

function PlansCard({ plans, customerId, canPropose }: { plans: Loaded["plans"]; customerId: string; canPropose: boolean }) {
  return (
    <section className="card" aria-labelledby="plans-heading">
      <div className="card-head">
        <h2 id="plans-heading">Payment plans</h2>
        {canPropose ? <Link to={`/staff/plans/new?customerId=${customerId}`}>Propose a plan</Link> : null}
      </div>
      {plans.length === 0 ? (
        <p className="muted">No payment plans.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Total
                </th>
                <th scope="col" className="num">
                  Paid
                </th>
                <th scope="col">Next instalment</th>
              </tr>
            </thead>
            <tbody>
              {plans.map((plan) => (
                <tr key={plan.id}>
                  <td className="nowrap">
                    <Link to={`/staff/plans/${plan.id}`}>{formatDate(plan.createdAt)}</Link>
                  </td>
                  <td>
                    <span className={`badge ${planStatusTone[plan.status]}`.trim()}>{planStatusLabels[plan.status]}</span>
                  </td>
                  <td className="num">
                    <Money minor={plan.totalMinor} currency={plan.currency} />
                  </td>
                  <td className="num">
                    <Money minor={plan.paidMinor} currency={plan.currency} />
                  </td>
                  <td className="nowrap">
                    {plan.status === "active" && plan.nextDueDate && plan.nextAmountMinor !== null ? (
                      <>
                        <Money minor={plan.nextAmountMinor} currency={plan.currency} /> on {formatDate(plan.nextDueDate)}
                      </>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function CollectionsCard({ collections, customerId, currency }: { collections: Loaded["collections"]; customerId: string; currency: string }) {
  return (
    <section className="card" aria-labelledby="collections-heading">
      <div className="card-head">
        <h2 id="collections-heading">Collections</h2>
        <Link to={`/staff/collections/${customerId}`}>Open the account</Link>
      </div>
      <dl className="details">
        <dt>Stage</dt>
        <dd>
          <StageBadge stage={collections.stage} /> <span className="muted small">score {collections.score}</span>
        </dd>
        <dt>Credit hold</dt>
        <dd>{collections.holdReasons.length ? collections.holdReasons.join("; ") : "No"}</dd>
        <dt>Promises</dt>
        <dd>
          {collections.openPromiseCount === 0 ? (
            "None open"
          ) : (
            <>
              <Money minor={collections.promisedMinor} currency={currency} /> promised, next by {formatDate(collections.nextPromiseOn)}
            </>
          )}
        </dd>
        <dt>Open tasks</dt>
        <dd>
          {collections.openTaskCount}
          {collections.nextFollowUpOn ? <span className="muted small"> · next {formatDate(collections.nextFollowUpOn)}</span> : null}
        </dd>
        {collections.snoozedUntil ? (
          <>
            <dt>Snoozed</dt>
            <dd>Until {formatDate(collections.snoozedUntil)}</dd>
          </>
        ) : null}
        {collections.agency ? (
          <>
            <dt>Agency</dt>
            <dd>{collections.agency}</dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

/** How the customer pays, and the risk grade that sums it up (app/reports/risk.ts), with its reasons. */
function BehaviourCard({ behaviour }: { behaviour: Loaded["behaviour"] }) {
  if (!behaviour) return null;
  return (
    <section className="card" aria-labelledby="behaviour-heading" data-testid="behaviour-card">
      <div className="card-head">
        <h2 id="behaviour-heading">Payment behaviour</h2>
        <Link to="/staff/reports/behaviour">All customers</Link>
      </div>
      <p>
        <span className={`badge ${riskGradeTones[behaviour.grade]}`.trim()}>Grade {behaviour.grade}</span> <span className="muted">{behaviour.gradeLabel}</span>
      </p>
      <dl className="details">
        <dt>Invoices paid</dt>
        <dd>{behaviour.invoicesPaid} in the last 12 months</dd>
        <dt>Average days to pay</dt>
        <dd>{daysText(behaviour.avgDaysToPay)}</dd>
        <dt>Average lateness</dt>
        <dd>{daysLateText(behaviour.avgDaysLate)}</dd>
        <dt>Paid on time</dt>
        <dd>{behaviour.onTimeBps === null ? "—" : `${percentOfBps(behaviour.onTimeBps)} of the amount`}</dd>
        <dt>Trend</dt>
        <dd>
          {behaviour.trend ? (
            <>
              {trendLabels[behaviour.trend]}{" "}
              <span className="muted small">
                ({daysLateText(behaviour.recentDaysLate)} in the last 90 days, {daysLateText(behaviour.priorDaysLate)} before)
              </span>
            </>
          ) : (
            <span className="muted">Not enough recent payments</span>
          )}
        </dd>
      </dl>
      {behaviour.reasons.length > 0 ? (
        <ul className="plain-list small" aria-label="Why this grade">
          {behaviour.reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      ) : null}
      <p className="muted small card-foot">
        Amounts weighted by invoice total.{" "}
        {behaviour.computedAt ? `Graded ${formatDateTime(behaviour.computedAt)}.` : "Worked out just now; the nightly refresh stores it."} The cash forecast expects {behaviour.collectabilityBps / 100}% of what this customer owes.
      </p>
    </section>
  );
}

export default function CustomerPage() {
  const loaded = useLoaderData<typeof loader>();
  const { customer, collectorName, summary, openInvoices, payments, morePayments, creditNotes, plans, collections, suppressions, behaviour, contacts, activity, olderActivity, canChange, canInvite } = loaded;
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const errors: Record<string, string | undefined> = actionData?.errors ?? {};
  const address = formatAddress(customer);
  const { currency } = customer;
  const id = customer.id;
  return (
    <div className="customer-page">
      <header className="page-header customer-header">
        <div>
          <p className="muted">
            <Link to="/staff/customers">Customers</Link> / {customer.accountNumber}
          </p>
          <h1>{customer.name}</h1>
          <p className="badges">
            <span className="account-number">{customer.accountNumber}</span>
            {customer.creditHold ? <span className="badge danger">Credit hold</span> : <span className="badge ok">{customer.status === "active" ? "Active" : "Inactive"}</span>}
            {suppressions.length > 0 ? <span className="badge danger">Email bounced</span> : null}
            {summary.overdueMinor > 0 ? <span className="badge warn">Overdue</span> : null}
            {summary.availableCreditMinor !== null && summary.availableCreditMinor < 0 ? <span className="badge danger">Over credit limit</span> : null}
            {customer.segment ? <span className="badge">{customer.segment}</span> : null}
            <span className="badge">{currency}</span>
          </p>
        </div>
        <div className="actions" aria-label="Account actions" role="group">
          {canChange ? (
            <>
              <Link className="button" to={`/staff/invoices/new?customerId=${id}`}>
                New invoice
              </Link>
              <Link className="button secondary" to={`/staff/payments/new?customerId=${id}`}>
                Record payment
              </Link>
              <Link className="button secondary" to={`/staff/credit-notes/new?customerId=${id}`}>
                Credit note
              </Link>
            </>
          ) : null}
          <Link className="button secondary" to={`/staff/customers/${id}/statement`}>
            Statement
          </Link>
          {canChange ? (
            <Link className="button secondary" to={`/staff/customers/${id}/edit`}>
              Edit
            </Link>
          ) : null}
        </div>
      </header>

      <Figures summary={summary} />
      <div className="customer-figures">
        <AgingCard summary={summary} />
        <CreditCard summary={summary} />
      </div>

      <div className="two-col">
        <div>
          <section className="card" aria-labelledby="open-heading">
            <div className="card-head">
              <h2 id="open-heading">Open invoices</h2>
              <Link to={`/staff/invoices?customerId=${id}`}>All invoices</Link>
            </div>
            {openInvoices.length === 0 ? (
              <p className="muted">No open invoices.</p>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Invoice</th>
                      <th scope="col">Issued</th>
                      <th scope="col">Due</th>
                      <th scope="col" className="num">
                        Total
                      </th>
                      <th scope="col" className="num">
                        Open
                      </th>
                      <th scope="col">Status</th>
                    </tr>
                  </thead>
                  <tbody>
                    {openInvoices.map((invoice) => (
                      <tr key={invoice.id}>
                        <td className="nowrap">
                          <Link to={`/staff/invoices/${invoice.id}`}>{invoice.number}</Link>
                        </td>
                        <td className="nowrap">{formatDate(invoice.issueDate)}</td>
                        <td className="nowrap">{formatDate(invoice.dueDate)}</td>
                        <td className="num">
                          <Money minor={invoice.totalMinor} currency={currency} />
                        </td>
                        <td className="num">
                          <Money minor={invoice.openMinor} currency={currency} />
                        </td>
                        <td>
                          <InvoiceStatusBadge status={invoice.displayStatus} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {summary.openInvoiceCount > openInvoices.length ? (
              <p className="muted card-foot">
                The {openInvoices.length} due soonest of {summary.openInvoiceCount} open invoices.
              </p>
            ) : null}
          </section>

          <section className="card" aria-labelledby="payments-heading">
            <div className="card-head">
              <h2 id="payments-heading">Recent payments</h2>
              <Link to={`/staff/payments?customerId=${id}`}>All payments</Link>
            </div>
            {payments.length === 0 ? (
              <p className="muted">No payments yet.</p>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Received</th>
                      <th scope="col">Method</th>
                      <th scope="col">Reference</th>
                      <th scope="col" className="num">
                        Amount
                      </th>
                      <th scope="col" className="num">
                        Applied
                      </th>
                      <th scope="col" className="num">
                        Unapplied
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {payments.map((payment) => (
                      <tr key={payment.id}>
                        <td className="nowrap">
                          <Link to={`/staff/payments/${payment.id}`}>{formatDate(payment.receivedOn)}</Link>
                          {payment.status === "reversed" ? <span className="badge danger">Reversed</span> : null}
                        </td>
                        <td>{payment.methodLabel}</td>
                        <td>{payment.reference ?? <span className="muted">—</span>}</td>
                        <td className="num">
                          <Money minor={payment.amountMinor} currency={currency} />
                        </td>
                        <td className="num">
                          <Money minor={payment.allocatedMinor} currency={currency} />
                        </td>
                        <td className="num">
                          <Money minor={payment.unappliedMinor} currency={currency} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {morePayments ? <p className="muted card-foot">The {payments.length} most recent payments.</p> : null}
          </section>

          <section className="card" aria-labelledby="credits-heading">
            <div className="card-head">
              <h2 id="credits-heading">Credit notes</h2>
              <Link to={`/staff/credit-notes?customerId=${id}`}>All credit notes</Link>
            </div>
            {creditNotes.length === 0 ? (
              <p className="muted">No credit notes, discounts or write-offs.</p>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Number</th>
                      <th scope="col">Kind</th>
                      <th scope="col">Issued</th>
                      <th scope="col">Invoice</th>
                      <th scope="col" className="num">
                        Total
                      </th>
                      <th scope="col" className="num">
                        Unapplied
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {creditNotes.map((note) => (
                      <tr key={note.id}>
                        <td className="nowrap">
                          <Link to={`/staff/credit-notes/${note.id}`}>{note.number}</Link>
                          {note.voidedAt ? <span className="badge">Void</span> : null}
                        </td>
                        <td>{creditKindLabels[note.kind] ?? note.kind}</td>
                        <td className="nowrap">{formatDate(note.issueDate)}</td>
                        <td>{note.invoiceId ? <Link to={`/staff/invoices/${note.invoiceId}`}>{note.invoiceNumber}</Link> : <span className="muted">On account</span>}</td>
                        <td className="num">
                          <Money minor={note.totalMinor} currency={currency} />
                        </td>
                        <td className="num">
                          <Money minor={note.unappliedMinor} currency={currency} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>

          <PlansCard plans={plans} customerId={id} canPropose={canChange} />

          <section className="card" aria-labelledby="activity-heading" id="activity">
            <h2 id="activity-heading">Activity</h2>
            {activity.length === 0 ? (
              <p className="muted">{searchParams.get("before") ? "Nothing older." : "Nothing has happened on this account yet."}</p>
            ) : (
              <ol className="timeline">
                {activity.map((entry) => (
                  <li key={entry.id}>
                    <time dateTime={new Date(entry.at).toISOString()}>{formatDateTime(entry.at)}</time>
                    <span>{entry.text}</span>
                  </li>
                ))}
              </ol>
            )}
            {olderActivity || searchParams.get("before") ? (
              <nav className="pager" aria-label="Activity pages">
                {searchParams.get("before") ? (
                  <Link className="button secondary small" to="?#activity" preventScrollReset>
                    Newest
                  </Link>
                ) : null}
                {olderActivity ? (
                  <Link className="button secondary small" to={`?before=${olderActivity}#activity`} preventScrollReset>
                    Older
                  </Link>
                ) : null}
              </nav>
            ) : null}
          </section>
        </div>

        <div>
          <CollectionsCard collections={collections} customerId={id} currency={currency} />
          <BehaviourCard behaviour={behaviour} />
          <FormAlert tone="ok" message={actionData && "cleared" in actionData && actionData.cleared ? `Settle will email ${actionData.cleared} again.` : null} />
          {suppressions.length > 0 ? (
            <section className="card" aria-labelledby="bounced-heading">
              <h2 id="bounced-heading">Addresses Settle no longer emails</h2>
              <FormAlert message={errors.suppressionId ?? null} />
              <ul className="plain-list">
                {suppressions.map((s) => (
                  <li key={s.id}>
                    <strong className="break">{s.address}</strong>{" "}
                    <span className="badge danger">{s.reason === "complained" ? "Marked as spam" : "Bounced"}</span>
                    <div className="small muted">
                      {formatDateTime(s.createdAt)}
                      {s.detail ? ` · ${s.detail}` : ""}
                    </div>
                    {canChange ? (
                      <Form method="post">
                        <input type="hidden" name="suppressionId" value={s.id} />
                        <SubmitButton className="button link small" name="intent" value="clear_suppression">
                          Email this address again
                        </SubmitButton>
                      </Form>
                    ) : null}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}

          <section className="card" aria-labelledby="account-heading">
            <h2 id="account-heading">Account</h2>
            <dl className="details">
              <dt>Account number</dt>
              <dd>{customer.accountNumber}</dd>
              {customer.legalName ? (
                <>
                  <dt>Legal name</dt>
                  <dd>{customer.legalName}</dd>
                </>
              ) : null}
              <dt>Billing email</dt>
              <dd className="break">{customer.email ?? "—"}</dd>
              <dt>Phone</dt>
              <dd>{customer.phone ?? "—"}</dd>
              <dt>Address</dt>
              <dd>{address || "—"}</dd>
              <dt>Currency</dt>
              <dd>{currency}</dd>
              <dt>Terms</dt>
              <dd>{formatTerms(customer)}</dd>
              <dt>Credit limit</dt>
              <dd>{customer.creditLimitMinor === null ? "None" : <Money minor={customer.creditLimitMinor} currency={currency} />}</dd>
              <dt>Collector</dt>
              <dd>{collectorName ?? "Unassigned"}</dd>
              <dt>Segment</dt>
              <dd>{customer.segment ?? "—"}</dd>
              <dt>Tax ID</dt>
              <dd>{customer.taxId ?? "—"}</dd>
              <dt>External reference</dt>
              <dd className="break">{customer.externalRef ?? "—"}</dd>
              <dt>Time zone</dt>
              <dd>{customer.timeZone}</dd>
              <dt>Customer since</dt>
              <dd>{formatDate(customer.createdAt)}</dd>
            </dl>
          </section>

          <section className="card" aria-labelledby="contacts-heading">
            <h2 id="contacts-heading">Portal contacts</h2>
            {contacts.length === 0 ? (
              <p className="muted">Nobody from this customer can sign in to the portal yet.</p>
            ) : (
              <ul className="contact-list">
                {contacts.map((contact) => (
                  <li key={contact.id}>
                    <div>
                      <strong>{contact.name}</strong> <span className="badge">{contact.role}</span>
                      {contact.disabledAt ? <span className="badge danger">Disabled</span> : null}
                    </div>
                    <div className="break">{contact.email}</div>
                    <div className="muted small">
                      Invited {formatDateTime(contact.invitedAt)} · Last sign-in {formatDateTime(contact.lastSignInAt)}
                    </div>
                  </li>
                ))}
              </ul>
            )}
            {canInvite ? (
              <Form method="post" noValidate className="invite-form" aria-labelledby="invite-heading">
                <h3 id="invite-heading">Invite a contact to the portal</h3>
                <FormAlert message={actionData?.message} />
                <FormAlert tone="ok" message={actionData?.invited ? `Invitation sent to ${actionData.invited}.` : null} />
                <Field label="Name" name="name" autoComplete="off" required error={errors.name} />
                <Field label="Email" name="email" type="email" autoComplete="off" required error={errors.email} />
                <SubmitButton>Send invitation</SubmitButton>
              </Form>
            ) : (
              <p className="muted invite-form">Inviting contacts needs the clerk role.</p>
            )}
          </section>
        </div>
      </div>
    </div>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
