import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { Money } from "~/components/money";
import { InvoiceStatusBadge } from "~/components/status-badge";
import { listCollectors } from "~/customers/customers.server";
import { acceptDispute, assignDispute, getDispute, rejectDispute, replyToDispute } from "~/disputes/disputes.server";
import { DisputeStatusBadge, DisputeThread, SelectField, TextAreaField } from "~/disputes/dispute-ui";
import { acceptDisputeSchema, assignDisputeSchema, disputeMessageSchema, rejectDisputeSchema } from "~/disputes/form-schemas.server";
import { ageLabel, DISPUTE_MESSAGE_MAX, disputeReasonLabels } from "~/disputes/labels";
import { invoiceDisplayStatus } from "~/ledger/status";
import { formatMoney, formatQuantity, toDecimalString } from "~/money/money";
import { newFormKey, runDomain } from "~/utils/action.server";
import { today } from "~/utils/dates";
import { formatDate, formatDateTime } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";
import { parseForm, type FieldErrors } from "~/utils/validation";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? `Dispute: ${data.customer.name}, ${data.invoice.number}` : "Dispute"} · Settle back office` }];

const paramsSchema = z.object({ disputeId: z.uuid() });
const intentSchema = z.object({ intent: z.enum(["assign", "reply", "accept", "reject"], { message: "Choose an action" }) });
type Intent = z.infer<typeof intentSchema>["intent"];

async function requireDispute(params: unknown) {
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Dispute not found");
  const detail = await getDispute({ disputeId: parsed.data.disputeId });
  invariantResponse(detail, "Dispute not found");
  return detail;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const detail = await requireDispute(params);
  const { dispute, invoice, line, customer, assignee, openedBy, creditNote, messages } = detail;
  const canChange = hasRole(user, "clerk");
  return {
    dispute,
    ageDays: detail.ageDays,
    invoice: { ...invoice, number: invoice.number ?? "", displayStatus: invoiceDisplayStatus(invoice, today()) },
    line,
    customer,
    assignee: assignee?.id ? assignee : null,
    openedBy: openedBy?.email ? openedBy : null,
    creditNote: creditNote?.id ? creditNote : null,
    messages: messages.map((m) => ({
      id: m.id,
      side: m.author,
      author: m.author === "customer" ? `${m.contactName ?? "Customer"} (customer)` : m.author === "staff" ? (m.staffName ?? "Staff") : "Update",
      body: m.body,
      createdAt: m.createdAt,
    })),
    assignees: canChange && dispute.status === "open" ? await listCollectors() : [],
    userId: user.id,
    canChange,
    formKey: newFormKey(),
  };
}

type Outcome = { ok: boolean; intent: Intent | null; errors: FieldErrors; message: string | null; notice: string | null };
const failed = (intent: Intent | null, errors: FieldErrors, status = 400, message: string | null = null) => data<Outcome>({ ok: false, intent, errors, message, notice: null }, { status });

export async function action({ request, params }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "clerk");
  const { dispute } = await requireDispute(params);
  const actor = { type: "staff" as const, id: user.id, label: user.email, role: user.role };
  const form = await request.formData();
  const intent = parseForm(intentSchema, form);
  if (!intent.ok) return failed(null, intent.errors, 400, intent.errors.intent ?? null);

  const run = async <T,>(name: Intent, call: () => Promise<T>, notice: (value: T) => string) => {
    const result = await runDomain(call);
    if (result.ok) return { ok: true, intent: name, errors: {}, message: null, notice: notice(result.value) } satisfies Outcome;
    return failed(name, result.response.data.errors, result.response.init?.status ?? 422, result.response.data.message);
  };

  switch (intent.data.intent) {
    case "assign": {
      const parsed = parseForm(assignDisputeSchema, form);
      if (!parsed.ok) return failed("assign", parsed.errors);
      return run("assign", () => assignDispute({ disputeId: dispute.id, assigneeId: parsed.data.assigneeId }, actor), () => "Assigned.");
    }
    case "reply": {
      const parsed = parseForm(disputeMessageSchema, form);
      if (!parsed.ok) return failed("reply", parsed.errors);
      return run("reply", () => replyToDispute({ disputeId: dispute.id, body: parsed.data.message, idempotencyKey: parsed.data.idempotencyKey }, actor), () => "Reply sent to the customer.");
    }
    case "accept": {
      const parsed = parseForm(acceptDisputeSchema(dispute.currency), form);
      if (!parsed.ok) return failed("accept", parsed.errors);
      return run(
        "accept",
        () => acceptDispute({ disputeId: dispute.id, amountMinor: parsed.data.amount, note: parsed.data.note }, actor),
        (accepted) => `Accepted: ${formatMoney(accepted.acceptedMinor ?? 0, dispute.currency)} credited to the customer.`,
      );
    }
    case "reject": {
      const parsed = parseForm(rejectDisputeSchema, form);
      if (!parsed.ok) return failed("reject", parsed.errors);
      return run("reject", () => rejectDispute({ disputeId: dispute.id, reason: parsed.data.reason }, actor), () => "Rejected. The customer has your reason.");
    }
  }
}

export default function StaffDispute() {
  const { dispute, ageDays, invoice, line, customer, assignee, openedBy, creditNote, messages, assignees, userId, canChange, formKey } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as Outcome | undefined;
  const failedFor = (intent: Intent | null) => (actionData && !actionData.ok && actionData.intent === intent ? actionData : null);
  const errorsFor = (intent: Intent): FieldErrors => failedFor(intent)?.errors ?? {};
  // A message already shown beside its field is not repeated above the form.
  const messageFor = (intent: Intent | null) => {
    const failure = failedFor(intent);
    return failure?.message && !Object.values(failure.errors).includes(failure.message) ? failure.message : null;
  };
  const { currency } = dispute;
  const isOpen = dispute.status === "open";
  const acting = canChange && isOpen;
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/staff/disputes">Disputes</Link> / {invoice.number}
          </p>
          <h1 className="title-with-badge">
            Dispute: {customer.name} <DisputeStatusBadge status={dispute.status} />
          </h1>
          <p>
            <Link to={`/staff/invoices/${invoice.id}`}>Invoice {invoice.number}</Link> · {line.description} · opened {formatDateTime(dispute.createdAt)}
          </p>
        </div>
        <div className="actions">
          <Link className="button secondary" to={`/staff/customers/${customer.id}`}>
            Customer
          </Link>
          <Link className="button secondary" to={`/staff/invoices/${invoice.id}`}>
            Invoice
          </Link>
        </div>
      </header>

      <FormAlert tone="ok" message={actionData?.ok ? actionData.notice : null} />
      <FormAlert message={messageFor(null)} />

      <div className="grid dispute-stats">
        <div className="stat">
          <div className="label">Disputed</div>
          <div className="value">
            <Money minor={dispute.amountMinor} currency={currency} />
          </div>
          <div className="muted small-print">{isOpen ? "On hold: not collected, not dunned" : `of a ${formatMoney(line.totalMinor, currency)} line`}</div>
        </div>
        <div className="stat">
          <div className="label">Line total</div>
          <div className="value">
            <Money minor={line.totalMinor} currency={currency} />
          </div>
          <div className="muted small-print">
            {formatQuantity(line.quantityMilli)} × {formatMoney(line.unitPriceMinor, currency)}
          </div>
        </div>
        <div className="stat">
          <div className="label">Open on the invoice</div>
          <div className="value">
            <Money minor={invoice.status === "open" ? invoice.openMinor : 0} currency={currency} />
          </div>
          <div className="small-print">
            <InvoiceStatusBadge status={invoice.displayStatus} />
          </div>
        </div>
        <div className="stat">
          <div className="label">{isOpen ? "Waiting" : "Was open"}</div>
          <div className="value">{ageLabel(ageDays)}</div>
          <div className="muted small-print">{isOpen ? `Since ${formatDate(dispute.createdAt)}` : `Closed ${formatDate(dispute.resolvedAt)}`}</div>
        </div>
      </div>

      <div className="two-col">
        <div>
          <section className="card" aria-labelledby="thread-heading">
            <h2 id="thread-heading">Thread</h2>
            <p className="muted small-print">The customer sees every message here, including the updates.</p>
            <DisputeThread messages={messages} ownSide="staff" />
            {acting ? (
              <Form method="post" noValidate className="dispute-reply" key={formKey}>
                <input type="hidden" name="idempotencyKey" value={formKey} />
                <FormAlert message={messageFor("reply")} />
                <TextAreaField label="Reply to the customer" name="message" maxLength={DISPUTE_MESSAGE_MAX} error={errorsFor("reply").message ?? errorsFor("reply").idempotencyKey} />
                <SubmitButton name="intent" value="reply">
                  Send reply
                </SubmitButton>
              </Form>
            ) : null}
          </section>
        </div>

        <div>
          <section className="card" aria-labelledby="details-heading">
            <h2 id="details-heading">Details</h2>
            <dl className="details">
              <dt>Customer</dt>
              <dd>
                <Link to={`/staff/customers/${customer.id}`}>{customer.name}</Link>
                <div className="muted small-print">{customer.accountNumber}</div>
              </dd>
              <dt>Invoice</dt>
              <dd>
                <Link to={`/staff/invoices/${invoice.id}`}>{invoice.number}</Link>
              </dd>
              <dt>Line</dt>
              <dd>{line.description}</dd>
              <dt>Reason</dt>
              <dd>{disputeReasonLabels[dispute.reason]}</dd>
              <dt>Opened by</dt>
              <dd className="break">{openedBy ? `${openedBy.name} (${openedBy.email})` : "—"}</dd>
              <dt>Assigned</dt>
              <dd>{assignee ? (assignee.id === userId ? `${assignee.name} (you)` : assignee.name) : "Nobody yet"}</dd>
            </dl>
            {acting ? (
              <Form method="post" noValidate className="dispute-assign">
                <FormAlert message={messageFor("assign")} />
                <SelectField label="Assign to" name="assigneeId" defaultValue={assignee?.id ?? userId} error={errorsFor("assign").assigneeId}>
                  {assignees.map((person) => (
                    <option key={person.id} value={person.id}>
                      {person.id === userId ? `${person.name} (me)` : person.name}
                    </option>
                  ))}
                </SelectField>
                <SubmitButton className="button secondary small" name="intent" value="assign">
                  {assignee ? "Reassign" : "Assign"}
                </SubmitButton>
              </Form>
            ) : null}
          </section>

          {!isOpen ? (
            <section className="card" aria-labelledby="resolution-heading">
              <h2 id="resolution-heading">Resolution</h2>
              <dl className="details">
                <dt>Outcome</dt>
                <dd>
                  <DisputeStatusBadge status={dispute.status} />
                </dd>
                {dispute.acceptedMinor !== null ? (
                  <>
                    <dt>Credited</dt>
                    <dd>
                      <Money minor={dispute.acceptedMinor} currency={currency} /> of <Money minor={dispute.amountMinor} currency={currency} />
                    </dd>
                  </>
                ) : null}
                {creditNote ? (
                  <>
                    <dt>Credit note</dt>
                    <dd>
                      <Link to={`/staff/credit-notes/${creditNote.id}`}>{creditNote.number}</Link>
                      {creditNote.voidedAt ? <span className="badge">Void</span> : null}
                    </dd>
                  </>
                ) : null}
                {dispute.resolutionNote ? (
                  <>
                    <dt>{dispute.status === "rejected" ? "Reason" : "Note"}</dt>
                    <dd className="pre-line">{dispute.resolutionNote}</dd>
                  </>
                ) : null}
                <dt>Closed</dt>
                <dd>{formatDateTime(dispute.resolvedAt)}</dd>
              </dl>
            </section>
          ) : acting ? (
            <section className="card" aria-labelledby="resolve-heading">
              <h2 id="resolve-heading">Resolve</h2>
              <Accept currency={currency} amountMinor={dispute.amountMinor} errors={errorsFor("accept")} message={messageFor("accept")} />
              <Reject amount={formatMoney(dispute.amountMinor, currency)} errors={errorsFor("reject")} message={messageFor("reject")} />
            </section>
          ) : (
            <p className="muted">{canChange ? null : "Resolving disputes needs the clerk role."}</p>
          )}
        </div>
      </div>
    </>
  );
}

function Accept({ currency, amountMinor, errors, message }: { currency: string; amountMinor: number; errors: FieldErrors; message: string | null }) {
  return (
    <details className="action-panel" open={Boolean(message || errors.amount || errors.note) || undefined}>
      <summary>Accept, in full or in part</summary>
      <Form method="post" noValidate>
        <FormAlert message={message} />
        <p className="muted">A credit note for the amount is issued against this line and applied to the invoice. Whatever you don't credit is due again.</p>
        <Field
          label={`Amount to credit (${currency})`}
          name="amount"
          inputMode="decimal"
          autoComplete="off"
          defaultValue={toDecimalString(amountMinor, currency)}
          error={errors.amount}
          hint={`At most the ${formatMoney(amountMinor, currency)} disputed.`}
        />
        <TextAreaField label="Note to the customer (optional)" name="note" rows={3} maxLength={DISPUTE_MESSAGE_MAX} error={errors.note} />
        <SubmitButton className="button small" name="intent" value="accept">
          Accept and issue credit note
        </SubmitButton>
      </Form>
    </details>
  );
}

function Reject({ amount, errors, message }: { amount: string; errors: FieldErrors; message: string | null }) {
  return (
    <details className="action-panel" open={Boolean(message || errors.reason) || undefined}>
      <summary>Reject</summary>
      <Form method="post" noValidate>
        <FormAlert message={message} />
        <p className="muted">The customer reads your reason, and the {amount} is due again.</p>
        <TextAreaField label="Reason" name="reason" rows={3} required maxLength={DISPUTE_MESSAGE_MAX} error={errors.reason} />
        <SubmitButton className="button danger small" name="intent" value="reject">
          Reject dispute
        </SubmitButton>
      </Form>
    </details>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
