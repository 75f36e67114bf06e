import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useId, type ReactNode } from "react";
import { z } from "zod";
import { listAudit } from "~/audit/audit.server";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { AllocationTable, type OpenInvoiceRow } from "~/components/allocation-table";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { Money } from "~/components/money";
import { Confidence, ExceptionStatusBadge, Reasons, resolutionLabels } from "~/components/reconciliation-ui";
import { listCustomers } from "~/customers/customers.server";
import { invoiceNumbersOf, parseAllocationRequest } from "~/ledger/allocation-form";
import { toDecimalString } from "~/money/money";
import { exceptionKindLabels, getExceptionDetail, resolutionsFor, resolveException, type ExceptionKind, type Resolution } from "~/reconciliation/exceptions.server";
import { runDomain } from "~/utils/action.server";
import { optionalText, requiredText } from "~/utils/form-schemas";
import { formatDate, formatDateTime } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";
import { parseForm, type FieldErrors } from "~/utils/validation";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? `Exception: ${data.kindLabel}` : "Exception"} · Reconciliation · Settle back office` }];

/** What each kind means for a clerk, beside the reason Settle wrote when it opened the exception. */
const kindExplanations: Record<ExceptionKind, string> = {
  unmatched_payment: "Stripe took a payment that was not started in Settle. It is in the books as the customer's credit until you say which invoices it pays.",
  amount_mismatch: "The payment's amount or currency is not what Settle expected, so it was not applied automatically.",
  unknown_customer: "Money arrived that Settle cannot tie to any customer. Find out who paid, then apply it or keep it as their credit.",
  overpayment: "The customer paid more than was open. The rest waits as credit; apply it to other invoices, keep it, or refund it.",
  invoice_not_open: "The payment was meant for an invoice that is no longer open (paid, void or written off). Apply it elsewhere, keep it as credit, or refund it.",
  unknown_refund: "Stripe reports a refund of a payment Settle does not have. Check it in Stripe; there is nothing to book here.",
  unknown_chargeback: "Stripe reports a chargeback on a payment Settle does not have. Check it in Stripe; there is nothing to book here.",
  payout_mismatch: "A Stripe payout's parts do not add up to what reached the bank. Check the payout's breakdown.",
  bank_suggestion: "A bank line looks like a customer's payment, but Settle is not sure enough to book it alone. Check the suggestion and confirm it, or choose yourself.",
  bank_unmatched: "A bank line came in that Settle cannot match to any customer or payout.",
};

const paramsSchema = z.object({ exceptionId: z.uuid() });
const searchSchema = z.object({
  customer: z.uuid().optional().catch(undefined),
  customerSearch: z.string().trim().max(100).optional().catch(undefined),
});

async function requireDetail(params: unknown, customerId: string | null) {
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Exception not found");
  const detail = await getExceptionDetail(parsed.data.exceptionId, customerId);
  invariantResponse(detail, "Exception not found");
  // A clerk chooses the customer only when the exception has none of its own.
  if (customerId && detail.exception.customerId && customerId !== detail.exception.customerId) return (await getExceptionDetail(parsed.data.exceptionId, null))!;
  return detail;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const search = searchSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const detail = await requireDetail(params, search.customer ?? null);
  const { exception, customer, openInvoices, payment, availableMinor } = detail;
  const isOpen = exception.status === "open";
  const canAct = hasRole(user, "clerk") && isOpen;
  const suggestion = exception.suggestion;
  const suggestionFits = Boolean(suggestion?.customerId && customer && suggestion.customerId === customer.id);
  const chooseCustomer = canAct && !exception.customerId;
  const [found, history] = await Promise.all([
    chooseCustomer && search.customerSearch ? listCustomers({ q: search.customerSearch, limit: 10 }) : null,
    listAudit({ entityType: "reconciliation_exception", entityId: exception.id, limit: 20 }),
  ]);
  const resolvedEntry = history.find((entry) => /^reconciliation_exception\.(apply|credit|refund|dismiss)$/.test(entry.action));
  return {
    exception: {
      id: exception.id,
      kind: exception.kind,
      status: exception.status,
      resolution: exception.resolution,
      resolutionNote: exception.resolutionNote,
      resolvedAt: exception.resolvedAt,
      reason: exception.reason,
      amountMinor: exception.amountMinor,
      currency: exception.currency,
      occurredOn: exception.occurredOn,
      createdAt: exception.createdAt,
      customerId: exception.customerId,
      processorObjectId: exception.processorObjectId,
      eventId: exception.eventId,
      payoutId: exception.payoutId,
      bankLineId: exception.bankLineId,
    },
    kindLabel: exceptionKindLabels[exception.kind],
    explanation: kindExplanations[exception.kind],
    customer: customer ? { id: customer.id, name: customer.name, accountNumber: customer.accountNumber, currency: customer.currency } : null,
    payment: payment ? { id: payment.id, amountMinor: payment.amountMinor, currency: payment.currency, reference: payment.reference, receivedOn: payment.receivedOn } : null,
    availableMinor,
    invoices: openInvoices.map((invoice): OpenInvoiceRow => ({ id: invoice.id, number: invoice.number, issueDate: invoice.issueDate, dueDate: invoice.dueDate, openMinor: invoice.openMinor, discount: null })),
    suggestion: suggestion
      ? {
          customerName: suggestionFits ? customer!.name : null,
          allocations: suggestion.allocations,
          creditMinor: suggestion.creditMinor,
          confidence: suggestion.confidence,
          reasons: suggestion.reasons,
          payoutId: suggestion.payoutId ?? null,
          confirmable: suggestionFits,
        }
      : null,
    initialAmounts: suggestionFits ? Object.fromEntries(suggestion!.allocations.map((a) => [a.invoiceId, toDecimalString(a.amountMinor, exception.currency)])) : {},
    actions: isOpen ? resolutionsFor(exception) : [],
    canAct,
    canChange: hasRole(user, "clerk"),
    chooseCustomer,
    customerSearch: search.customerSearch ?? "",
    customerMatches: found ? found.customers.map((c) => ({ id: c.id, name: c.name, accountNumber: c.accountNumber, currency: c.currency })) : null,
    resolvedBy: resolvedEntry ? (resolvedEntry.actorLabel ?? "A staff member") : null,
    history: history.map((entry) => ({ id: entry.id, at: entry.at, action: entry.action, by: entry.actorLabel ?? entry.actorType })),
  };
}

const intentSchema = z.object({ intent: z.enum(["apply", "credit", "refund", "dismiss", "confirm"], { message: "Choose what to do with this money" }) });
type Intent = z.infer<typeof intentSchema>["intent"];
const customerSchema = z.object({ customerId: z.uuid({ message: "Choose the customer who paid" }), note: optionalText("Note") });
const requiredNoteSchema = z.object({ note: requiredText("Note") });

type Outcome = { ok: false; intent: Intent | null; errors: FieldErrors; message: string | null };
const failed = (intent: Intent | null, errors: FieldErrors, status = 400, message: string | null = null) => data<Outcome>({ ok: false, intent, errors, message: message ?? errors.form ?? null }, { status });

export async function action({ request, params }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "clerk");
  const { exception } = await requireDetail(params, null);
  const actor = { type: "staff" as const, id: user.id, label: user.email };
  const form = await request.formData();
  const intent = parseForm(intentSchema, form);
  if (!intent.ok) return failed(null, intent.errors, 400, intent.errors.intent ?? null);

  let resolution: Resolution;
  switch (intent.data.intent) {
    case "apply": {
      const fields = parseForm(customerSchema, form);
      if (!fields.ok) return failed("apply", fields.errors);
      // The invoice numbers only name the rows in messages; the domain checks every amount again.
      const { openInvoices } = await requireDetail(params, fields.data.customerId);
      const chosen = parseAllocationRequest(form, { mode: "choose", currency: exception.currency, invoiceNumbers: invoiceNumbersOf(openInvoices) });
      if (!chosen.ok) return failed("apply", chosen.errors);
      if (!Array.isArray(chosen.allocations)) return failed("apply", { allocations: "Enter an amount for at least one invoice" });
      resolution = { action: "apply", customerId: fields.data.customerId, allocations: chosen.allocations, note: fields.data.note };
      break;
    }
    case "credit": {
      const fields = parseForm(customerSchema, form);
      if (!fields.ok) return failed("credit", fields.errors);
      resolution = { action: "credit", customerId: fields.data.customerId, note: fields.data.note };
      break;
    }
    case "refund":
    case "dismiss": {
      const fields = parseForm(requiredNoteSchema, form);
      if (!fields.ok) return failed(intent.data.intent, fields.errors);
      resolution = { action: intent.data.intent, note: fields.data.note };
      break;
    }
    case "confirm": {
      const suggestion = exception.suggestion;
      if (!suggestion?.customerId) return failed("confirm", { form: "There is no suggested match to confirm; choose the customer yourself" });
      const allocations = suggestion.allocations.map((a) => ({ invoiceId: a.invoiceId, amountMinor: a.amountMinor }));
      resolution = allocations.length > 0 ? { action: "apply", customerId: suggestion.customerId, allocations, note: "Confirmed the suggested match" } : { action: "credit", customerId: suggestion.customerId, note: "Confirmed the suggested customer" };
      break;
    }
  }

  const name = intent.data.intent;
  const result = await runDomain(() => resolveException(exception.id, resolution, actor));
  if (!result.ok) return failed(name, result.response.data.errors, result.response.init?.status ?? 422, result.response.data.message);
  throw redirect(`/staff/reconciliation/exceptions/${exception.id}?done=${resolution.action}`);
}

const doneMessages: Record<string, string> = {
  apply: "Resolved: the money is applied to the invoices.",
  credit: "Resolved: the money stays on the customer's account as credit.",
  refund: "Resolved: the refund was sent to the processor.",
  dismiss: "Dismissed.",
};

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;

export default function ExceptionPage() {
  const loaded = useLoaderData<typeof loader>();
  const { exception, kindLabel, explanation, customer, payment, availableMinor, suggestion, actions, canAct, canChange, resolvedBy, history } = loaded;
  const actionData = useActionData<typeof action>() as Outcome | undefined;
  const [params] = useSearchParams();
  const done = doneMessages[params.get("done") ?? ""];
  const failure = (intent: Intent) => (actionData && actionData.intent === intent ? actionData : null);
  const errorsFor = (intent: Intent): FieldErrors => failure(intent)?.errors ?? {};
  // A message already shown beside its field is not repeated above the form.
  const messageFor = (intent: Intent | null) => {
    const f = actionData && actionData.intent === intent ? actionData : null;
    return f?.message && !Object.values(f.errors).includes(f.message) ? f.message : null;
  };
  const { currency } = exception;
  const isOpen = exception.status === "open";
  const can = (a: Resolution["action"]) => canAct && actions.includes(a);
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/staff/reconciliation/exceptions">Exceptions</Link> / {formatDate(exception.occurredOn)}
          </p>
          <h1 className="title-with-badge">
            {kindLabel} <ExceptionStatusBadge status={exception.status} resolution={exception.resolution} />
          </h1>
          <p>
            <Money minor={exception.amountMinor} currency={currency} /> · {formatDate(exception.occurredOn)}
            {customer && exception.customerId ? <> · {customer.name}</> : null}
          </p>
        </div>
      </header>

      <FormAlert tone="ok" message={done} />
      <FormAlert message={messageFor(null)} />

      <div className="two-col">
        <div>
          <section className="card" aria-labelledby="what-heading">
            <h2 id="what-heading">What happened</h2>
            <p>{exception.reason}</p>
            <p className="muted">{explanation}</p>
          </section>

          {suggestion ? <SuggestionCard suggestion={suggestion} currency={currency} canConfirm={canAct && suggestion.confirmable && (can("apply") || can("credit"))} message={messageFor("confirm")} /> : null}

          {!isOpen ? (
            <section className="card" aria-labelledby="resolution-heading">
              <h2 id="resolution-heading">Resolution</h2>
              <dl className="details">
                <dt>How</dt>
                <dd>{exception.resolution ? resolutionLabels[exception.resolution] : "Resolved"}</dd>
                <dt>Who</dt>
                <dd className="break">{resolvedBy ?? "Settle, when the books caught up by themselves"}</dd>
                <dt>When</dt>
                <dd>{formatDateTime(exception.resolvedAt)}</dd>
                {exception.resolutionNote ? (
                  <>
                    <dt>Note</dt>
                    <dd className="pre-line">{exception.resolutionNote}</dd>
                  </>
                ) : null}
                {payment ? (
                  <>
                    <dt>Payment</dt>
                    <dd>
                      <Link to={`/staff/payments/${payment.id}`}>See where the money went</Link>
                    </dd>
                  </>
                ) : null}
              </dl>
            </section>
          ) : canAct ? (
            <section className="card" aria-labelledby="resolve-heading">
              <h2 id="resolve-heading">Resolve</h2>
              {loaded.chooseCustomer && (can("apply") || can("credit")) ? <CustomerChooser loaded={loaded} /> : null}
              {can("apply") ? (
                <ResolvePanel title="Apply to invoices" open={Boolean(failure("apply"))}>
                  {customer ? (
                    <ApplyForm loaded={loaded} errors={errorsFor("apply")} message={messageFor("apply")} />
                  ) : (
                    <p className="muted">Choose the customer who paid first; their open invoices then appear here.</p>
                  )}
                </ResolvePanel>
              ) : null}
              {can("credit") ? (
                <ResolvePanel title="Leave as credit" open={Boolean(failure("credit"))}>
                  {customer ? (
                    <Form method="post" noValidate>
                      <FormAlert message={messageFor("credit")} />
                      <input type="hidden" name="customerId" value={customer.id} />
                      <p className="muted">
                        The <Money minor={availableMinor} currency={currency} /> stays on {customer.name}'s account as unapplied credit, to be applied later or refunded.
                      </p>
                      <Field label="Note (optional)" name="note" autoComplete="off" error={errorsFor("credit").note ?? errorsFor("credit").customerId} />
                      <SubmitButton className="button secondary small" name="intent" value="credit">
                        Leave as credit
                      </SubmitButton>
                    </Form>
                  ) : (
                    <p className="muted">Choose the customer who paid first.</p>
                  )}
                </ResolvePanel>
              ) : null}
              {can("refund") ? (
                <ResolvePanel title="Refund" open={Boolean(failure("refund"))}>
                  <Form method="post" noValidate>
                    <FormAlert message={messageFor("refund")} />
                    <p className="muted">
                      Refunds what is unapplied of this payment (<Money minor={availableMinor} currency={currency} />) to the payer's card or bank account through the payment processor. The money leaves the business's account; this cannot be undone.
                    </p>
                    <Field label="Why refund it? (required)" name="note" autoComplete="off" required error={errorsFor("refund").note} />
                    <SubmitButton className="button danger small" name="intent" value="refund">
                      Refund through the processor
                    </SubmitButton>
                  </Form>
                </ResolvePanel>
              ) : null}
              {can("dismiss") ? (
                <ResolvePanel title="Dismiss" open={Boolean(failure("dismiss"))}>
                  <Form method="post" noValidate>
                    <FormAlert message={messageFor("dismiss")} />
                    <p className="muted">Takes it off the queue without moving any money, for something handled elsewhere or nothing to book. Say why, for whoever looks later.</p>
                    <Field label="Why dismiss it? (required)" name="note" autoComplete="off" required error={errorsFor("dismiss").note} />
                    <SubmitButton className="button secondary small" name="intent" value="dismiss">
                      Dismiss
                    </SubmitButton>
                  </Form>
                </ResolvePanel>
              ) : null}
            </section>
          ) : (
            <p className="muted">{canChange ? null : "Resolving exceptions needs the clerk role."}</p>
          )}
        </div>

        <div>
          <section className="card" aria-labelledby="details-heading">
            <h2 id="details-heading">Details</h2>
            <dl className="details">
              <dt>Amount</dt>
              <dd>
                <Money minor={exception.amountMinor} currency={currency} />
              </dd>
              {isOpen && payment ? (
                <>
                  <dt>Unapplied</dt>
                  <dd>
                    <Money minor={availableMinor} currency={currency} />
                  </dd>
                </>
              ) : null}
              <dt>Customer</dt>
              <dd>
                {customer && exception.customerId ? (
                  <>
                    <Link to={`/staff/customers/${customer.id}`}>{customer.name}</Link>
                    <div className="muted small-print">{customer.accountNumber}</div>
                  </>
                ) : (
                  <span className="muted">Not known</span>
                )}
              </dd>
              <dt>Payment</dt>
              <dd>
                {payment ? (
                  <Link to={`/staff/payments/${payment.id}`}>
                    <Money minor={payment.amountMinor} currency={payment.currency} /> received {formatDate(payment.receivedOn)}
                  </Link>
                ) : (
                  <span className="muted">Not in the books yet</span>
                )}
              </dd>
              {exception.processorObjectId ? (
                <>
                  <dt>Processor id</dt>
                  <dd className="break">
                    <code>{exception.processorObjectId}</code>
                  </dd>
                </>
              ) : null}
              {exception.eventId ? (
                <>
                  <dt>Stripe event</dt>
                  <dd className="break">
                    <Link to={`/staff/reconciliation/events/${encodeURIComponent(exception.eventId)}`}>
                      <code>{exception.eventId}</code>
                    </Link>
                  </dd>
                </>
              ) : null}
              {exception.payoutId ? (
                <>
                  <dt>Payout</dt>
                  <dd>
                    <Link to={`/staff/reconciliation/payouts/${exception.payoutId}`}>See the payout</Link>
                  </dd>
                </>
              ) : null}
              {exception.bankLineId ? (
                <>
                  <dt>Source</dt>
                  <dd>A bank statement line</dd>
                </>
              ) : null}
              <dt>On the queue since</dt>
              <dd>{formatDateTime(exception.createdAt)}</dd>
            </dl>
          </section>
          <section className="card" aria-labelledby="history-heading">
            <h2 id="history-heading">History</h2>
            {history.length === 0 ? (
              <p className="muted">Nothing recorded yet.</p>
            ) : (
              <ul className="reasons">
                {history.map((entry) => (
                  <li key={entry.id}>
                    {formatDateTime(entry.at)}: {historyLabel(entry.action)} <span className="muted">by {entry.by}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      </div>
    </>
  );
}

const historyLabels: Record<string, string> = {
  "reconciliation_exception.open": "put on the queue",
  "reconciliation_exception.apply": "applied to invoices",
  "reconciliation_exception.credit": "left as credit",
  "reconciliation_exception.refund": "refunded",
  "reconciliation_exception.dismiss": "dismissed",
};
const historyLabel = (action: string) => historyLabels[action] ?? action;

function ResolvePanel({ title, open, children }: { title: string; open: boolean; children: ReactNode }) {
  return (
    <details className="action-panel" open={open || undefined}>
      <summary>{title}</summary>
      {children}
    </details>
  );
}

function SuggestionCard({ suggestion, currency, canConfirm, message }: { suggestion: NonNullable<Loaded["suggestion"]>; currency: string; canConfirm: boolean; message: string | null }) {
  return (
    <section className="card suggestion" aria-labelledby="suggestion-heading">
      <h2 id="suggestion-heading">Suggested match</h2>
      <dl className="details">
        <dt>Confidence</dt>
        <dd>
          <Confidence value={suggestion.confidence} />
        </dd>
        <dt>Customer</dt>
        <dd>{suggestion.customerName ?? <span className="muted">{suggestion.payoutId ? "A Stripe payout, not a customer" : "None found"}</span>}</dd>
        <dt>Why</dt>
        <dd>
          <Reasons reasons={suggestion.reasons} />
        </dd>
      </dl>
      {suggestion.allocations.length > 0 ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Invoice</th>
                <th scope="col" className="num">
                  Apply
                </th>
                <th scope="col" className="num">
                  Early-payment discount
                </th>
              </tr>
            </thead>
            <tbody>
              {suggestion.allocations.map((a) => (
                <tr key={a.invoiceId}>
                  <td>
                    <Link to={`/staff/invoices/${a.invoiceId}`}>{a.invoiceNumber}</Link>
                  </td>
                  <td className="num">
                    <Money minor={a.amountMinor} currency={currency} />
                  </td>
                  <td className="num">{a.discountMinor > 0 ? <Money minor={a.discountMinor} currency={currency} /> : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {suggestion.creditMinor > 0 ? (
        <p>
          <Money minor={suggestion.creditMinor} currency={currency} /> would stay as the customer's credit.
        </p>
      ) : null}
      {canConfirm ? (
        <Form method="post" noValidate>
          <FormAlert message={message} />
          <SubmitButton name="intent" value="confirm">
            Confirm match
          </SubmitButton>{" "}
          <span className="muted small-print">{suggestion.allocations.length > 0 ? "Applies the money exactly as suggested." : "Keeps the money as this customer's credit."} Or change it below.</span>
        </Form>
      ) : null}
    </section>
  );
}

function CustomerChooser({ loaded }: { loaded: Loaded }) {
  const { customer, customerSearch, customerMatches, exception } = loaded;
  const searchId = useId();
  return (
    <div className="customer-chooser">
      <p>
        {customer ? (
          <>
            Resolving for <strong>{customer.name}</strong> <span className="muted">{customer.accountNumber}</span>
            {customer.currency !== exception.currency ? <span className="badge danger">Billed in {customer.currency}</span> : null}
          </>
        ) : (
          "Settle does not know who paid. Find the customer first."
        )}
      </p>
      <Form method="get" className="filters" role="search">
        <div className="field">
          <label htmlFor={searchId}>{customer ? "Choose another customer" : "Find the customer who paid"}</label>
          <input id={searchId} name="customerSearch" type="search" defaultValue={customerSearch} placeholder="Name, account number or email" />
        </div>
        <button type="submit" className="button secondary">
          Search
        </button>
      </Form>
      {customerMatches ? (
        customerMatches.length === 0 ? (
          <p className="muted">No customer matches “{customerSearch}”.</p>
        ) : (
          <ul className="customer-matches">
            {customerMatches.map((c) => (
              <li key={c.id}>
                <Link to={`?customer=${c.id}`} aria-current={customer?.id === c.id ? "true" : undefined}>
                  {c.name}
                </Link>{" "}
                <span className="muted small-print">
                  {c.accountNumber} · {c.currency}
                </span>
              </li>
            ))}
          </ul>
        )
      ) : null}
    </div>
  );
}

function ApplyForm({ loaded, errors, message }: { loaded: Loaded; errors: FieldErrors; message: string | null }) {
  const { customer, invoices, availableMinor, exception, initialAmounts, suggestion } = loaded;
  if (!customer) return null;
  return (
    <Form method="post" noValidate>
      <input type="hidden" name="customerId" value={customer.id} />
      <FormAlert message={errors.allocations ?? errors.customerId ?? errors.amount ?? errors.action ?? message} />
      {suggestion?.confirmable && suggestion.allocations.length > 0 ? <p className="muted small-print">The amounts are filled in from the suggestion; change them as you need.</p> : null}
      <AllocationTable invoices={invoices} currency={exception.currency} availableMinor={availableMinor} availableLabel="to apply" initialAmounts={initialAmounts} errors={errors} />
      <Field label="Note (optional)" name="note" autoComplete="off" error={errors.note} />
      {invoices.length > 0 ? (
        <SubmitButton name="intent" value="apply">
          Apply these amounts
        </SubmitButton>
      ) : null}
    </Form>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
