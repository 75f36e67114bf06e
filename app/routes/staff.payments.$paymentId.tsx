import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useFetcher, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { ApplicationsTable, ApplyForm, RefundForm, type FormFailure } from "~/components/allocation-table";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert } from "~/components/forms";
import { Money } from "~/components/money";
import { openInvoiceRows } from "~/ledger/allocation-form";
import { listOpenInvoices } from "~/ledger/invoices.server";
import { creditIntents, handleCreditIntent, type CreditIntent } from "~/ledger/credit-actions.server";
import { earlyDiscountAvailable, getPaymentDetail, methodLabels, reversePayment } from "~/ledger/payments.server";
import { formatMoney } from "~/money/money";
import { processorMoneyOf } from "~/reconciliation/processor-money.server";
import { invalid, newFormKey, runDomain } from "~/utils/action.server";
import { requiredText } from "~/utils/form-schemas";
import { formatDate, formatDateTime } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data ? `Payment ${formatMoney(data.payment.amountMinor, data.payment.currency)} from ${data.customer.name}` : "Payment"} · Settle back office` },
];

const paramsSchema = z.object({ paymentId: z.uuid() });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Payment not found");
  const detail = await getPaymentDetail(parsed.data.paymentId);
  invariantResponse(detail, "Payment not found");
  const { payment } = detail;
  const open = detail.availableMinor > 0 ? await listOpenInvoices(payment.customerId) : [];
  const { chargebacks, payout } = await processorMoneyOf(payment);
  return {
    ...detail,
    chargebacks,
    payout,
    customer: { id: detail.customer.id, name: detail.customer.name, accountNumber: detail.customer.accountNumber },
    invoices: openInvoiceRows(open, (invoice) => earlyDiscountAvailable(invoice, payment.receivedOn)),
    methodLabel: methodLabels[payment.method],
    methodNames: methodLabels,
    methods: Object.entries(methodLabels).map(([value, label]) => ({ value, label })),
    canEdit: hasRole(user, "clerk"),
    applyKey: newFormKey(),
    refundKey: newFormKey(),
  };
}

const intentSchema = z.enum(["apply", "unapply", "refund", "reverse"], { message: "Unknown action" });
const reverseSchema = z.object({
  reason: requiredText("Reason"),
  confirm: z.literal("yes", { message: "Confirm that the invoices will reopen" }),
});

export async function action({ request, params }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "clerk");
  const parsedParams = paramsSchema.safeParse(params);
  invariantResponse(parsedParams.success, "Payment not found");
  const detail = await getPaymentDetail(parsedParams.data.paymentId);
  invariantResponse(detail, "Payment not found");
  const { payment } = detail;
  const actor = { type: "staff" as const, id: user.id, label: user.email };
  const formData = await request.formData();
  const intent = intentSchema.safeParse(formData.get("intent"));
  if (!intent.success) return invalid({ form: "Unknown action" });
  const done = (what: string) => redirect(`/staff/payments/${payment.id}?done=${what}`);

  if ((creditIntents as readonly string[]).includes(intent.data)) {
    const outcome = await handleCreditIntent(intent.data as CreditIntent, formData, { source: { paymentId: payment.id }, customerId: payment.customerId, currency: payment.currency, applied: detail.applied, actor });
    if (!outcome.ok) return outcome.response;
    throw done(outcome.done);
  }
  const fields = parseForm(reverseSchema, formData);
  if (!fields.ok) return invalid(fields.errors);
  const result = await runDomain(() => reversePayment({ paymentId: payment.id, reason: fields.data.reason }, actor));
  if (!result.ok) return result.response;
  throw done("reversed");
}

const doneMessages: Record<string, string> = {
  recorded: "Payment recorded.",
  applied: "Applied to the invoices.",
  unapplied: "Application taken back; the invoice is open again.",
  refunded: "Refund recorded.",
  reversed: "Payment reversed; its invoices are open again.",
};

export default function PaymentPage() {
  const { payment, customer, applied, refunds, availableMinor, invoices, methodLabel, methodNames, methods, canEdit, applyKey, refundKey, chargebacks, payout } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const done = doneMessages[params.get("done") ?? ""];
  const reversed = payment.status === "reversed";
  const reopens = [...new Set(applied.filter((row) => row.amountMinor > 0 && !row.reversed).map((row) => row.invoiceNumber))];
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/staff/payments">Payments</Link> / {payment.reference ?? formatDate(payment.receivedOn)}
          </p>
          <h1>
            <Money minor={payment.amountMinor} currency={payment.currency} /> from {customer.name}
          </h1>
          <p>
            {reversed ? <span className="badge danger">Reversed</span> : <span className="badge ok">Received</span>} {methodLabel}
            {payment.reference ? ` ${payment.reference}` : ""} · received {formatDate(payment.receivedOn)}
          </p>
        </div>
      </header>
      <FormAlert tone="ok" message={done} />
      {reversed ? <FormAlert tone="info" message={`Reversed ${formatDateTime(payment.reversedAt)}: ${payment.reversalReason ?? ""}`} /> : null}
      <div className="grid">
        <Stat label="Amount" minor={payment.amountMinor} currency={payment.currency} />
        <Stat label="Applied" minor={payment.allocatedMinor} currency={payment.currency} />
        <Stat label="Refunded" minor={payment.refundedMinor} currency={payment.currency} />
        {payment.chargedBackMinor > 0 ? <Stat label="Charged back" minor={payment.chargedBackMinor} currency={payment.currency} /> : null}
        <Stat label="Unapplied" minor={availableMinor} currency={payment.currency} />
      </div>
      <div className="two-col">
        <div>
          <section className="card" aria-labelledby="applications-heading">
            <h2 id="applications-heading">Applications</h2>
            <ApplicationsTable rows={applied} currency={payment.currency} canUnapply={canEdit && !reversed} emptyText="Not applied to any invoice yet." />
          </section>
          {chargebacks.length > 0 ? (
            <section className="card" aria-labelledby="chargebacks-heading">
              <h2 id="chargebacks-heading">Card disputes</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Dispute</th>
                    <th scope="col">Status</th>
                    <th scope="col">Withdrawn</th>
                    <th scope="col">Reinstated</th>
                    <th scope="col" className="num">
                      Amount
                    </th>
                    <th scope="col">Fee</th>
                  </tr>
                </thead>
                <tbody>
                  {chargebacks.map((c) => (
                    <tr key={c.id}>
                      <td>
                        <code>{c.processorDisputeId}</code>
                      </td>
                      <td>{c.status === "won" ? "Won" : c.status === "lost" ? "Lost" : "Open"}</td>
                      <td>{formatDate(c.withdrawnOn)}</td>
                      <td>{formatDate(c.reinstatedOn)}</td>
                      <td className="num">
                        <Money minor={c.amountMinor} currency={c.currency} />
                      </td>
                      <td>
                        <Money minor={c.feeMinor} currency={c.currency} />
                        {c.feeInvoiceId ? (
                          <>
                            {" "}
                            <Link to={`/staff/invoices/${c.feeInvoiceId}`}>invoiced</Link>
                          </>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ) : null}
          {refunds.length > 0 ? (
            <section className="card" aria-labelledby="refunds-heading">
              <h2 id="refunds-heading">Refunds</h2>
              <RefundsTable refunds={refunds} methodNames={methodNames} />
            </section>
          ) : null}
        </div>
        <section className="card" aria-labelledby="details-heading">
          <h2 id="details-heading">Details</h2>
          <dl className="details">
            <dt>Customer</dt>
            <dd>
              <Link to={`/staff/customers/${customer.id}`}>{customer.name}</Link> <span className="muted nowrap">{customer.accountNumber}</span>
            </dd>
            <dt>Method</dt>
            <dd>{methodLabel}</dd>
            <dt>Reference</dt>
            <dd>{payment.reference ?? "—"}</dd>
            <dt>Received</dt>
            <dd>{formatDate(payment.receivedOn)}</dd>
            <dt>Recorded</dt>
            <dd>{formatDateTime(payment.createdAt)}</dd>
            <dt>Source</dt>
            <dd>{payment.source}</dd>
            {payment.processorFeeMinor !== null ? (
              <>
                <dt>Processor fee</dt>
                <dd>
                  <Money minor={payment.processorFeeMinor} currency={payment.currency} />
                </dd>
              </>
            ) : null}
            {payout ? (
              <>
                <dt>Deposited</dt>
                <dd>
                  <Link to={`/staff/reconciliation/payouts/${payout.id}`}>Payout {payout.processorPayoutId}</Link>, {formatDate(payout.arrivalDate)}
                </dd>
              </>
            ) : null}
            {payment.memo ? (
              <>
                <dt>Memo</dt>
                <dd>{payment.memo}</dd>
              </>
            ) : null}
          </dl>
        </section>
      </div>
      {canEdit && availableMinor > 0 ? (
        <section className="card" aria-labelledby="apply-heading">
          <h2 id="apply-heading">Apply unapplied credit</h2>
          <ApplyForm invoices={invoices} currency={payment.currency} availableMinor={availableMinor} receivedOn={payment.receivedOn} formKey={applyKey} />
        </section>
      ) : null}
      <div className="action-cards">
        {canEdit && availableMinor > 0 ? (
          <section className="card" aria-labelledby="refund-heading">
            <h2 id="refund-heading">Refund</h2>
            <RefundForm availableMinor={availableMinor} currency={payment.currency} methods={methods} formKey={refundKey} />
          </section>
        ) : null}
        {canEdit && !reversed ? <ReverseForm reopens={reopens} amount={formatMoney(payment.amountMinor, payment.currency)} refunded={payment.refundedMinor > 0} /> : null}
      </div>
    </>
  );
}

function Stat({ label, minor, currency }: { label: string; minor: number; currency: string }) {
  return (
    <div className="stat">
      <div className="label">{label}</div>
      <div className="value">
        <Money minor={minor} currency={currency} />
      </div>
    </div>
  );
}

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;

function RefundsTable({ refunds, methodNames }: Pick<Loaded, "refunds" | "methodNames">) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Method</th>
            <th scope="col">Reference</th>
            <th scope="col">Reason</th>
            <th scope="col" className="num">
              Amount
            </th>
          </tr>
        </thead>
        <tbody>
          {refunds.map((row) => (
            <tr key={row.id}>
              <td>{formatDate(row.refundedOn)}</td>
              <td>{methodNames[row.method]}</td>
              <td>{row.reference ?? "—"}</td>
              <td>{row.reason}</td>
              <td className="num">
                <Money minor={row.amountMinor} currency={row.currency} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ReverseForm({ reopens, amount, refunded }: { reopens: (string | null)[]; amount: string; refunded: boolean }) {
  const fetcher = useFetcher<FormFailure>();
  const errors = fetcher.data?.errors ?? {};
  if (refunded) {
    return (
      <section className="card" aria-labelledby="reverse-heading">
        <h2 id="reverse-heading">Reverse (bounced)</h2>
        <p className="muted">Part of this payment was refunded, so it cannot be reversed.</p>
      </section>
    );
  }
  return (
    <section className="card danger-zone" aria-labelledby="reverse-heading">
      <h2 id="reverse-heading">Reverse (bounced)</h2>
      <p>
        For a returned check or a recalled transfer. The {amount} receipt is reversed
        {reopens.length ? (
          <>
            {" "}
            and every application is taken back: invoice{reopens.length > 1 ? "s" : ""} <strong>{reopens.join(", ")}</strong> will reopen.
          </>
        ) : (
          "."
        )}
      </p>
      <fetcher.Form method="post" noValidate>
        <input type="hidden" name="intent" value="reverse" />
        <FormAlert message={fetcher.data && !errors.reason && !errors.confirm ? fetcher.data.message : null} />
        <Field label="Reason" name="reason" autoComplete="off" required error={errors.reason} hint="Like “Returned NSF by the bank”." />
        <div className="field checkbox-field">
          <label>
            <input type="checkbox" name="confirm" value="yes" aria-invalid={errors.confirm ? true : undefined} aria-describedby={errors.confirm ? "reverse-confirm-error" : undefined} />{" "}
            {reopens.length === 0 ? "I understand this cannot be undone" : `I understand ${reopens.length === 1 ? "the invoice" : "the invoices"} will reopen`}
          </label>
          {errors.confirm ? (
            <span className="error" id="reverse-confirm-error" role="alert">
              {errors.confirm}
            </span>
          ) : null}
        </div>
        <button type="submit" className="button danger" disabled={fetcher.state !== "idle"}>
          Reverse payment
        </button>
      </fetcher.Form>
    </section>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
