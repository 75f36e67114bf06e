import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { requirePortalUser } from "~/auth/portal-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert, SubmitButton } from "~/components/forms";
import { Money } from "~/components/money";
import { addCustomerMessage, getDispute, withdrawDispute } from "~/disputes/disputes.server";
import { DisputeStatusBadge, DisputeThread, TextAreaField } from "~/disputes/dispute-ui";
import { disputeMessageSchema } from "~/disputes/form-schemas.server";
import { DISPUTE_MESSAGE_MAX, disputeReasonLabels } from "~/disputes/labels";
import { formatMoney } from "~/money/money";
import { getCompanySettings } from "~/settings/settings.server";
import { invalid, newFormKey, runDomain } from "~/utils/action.server";
import { formatDate } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? `Dispute of invoice ${data.invoice.number}` : "Dispute"} · Customer portal` }];

const paramsSchema = z.object({ disputeId: z.uuid() });
const intentSchema = z.object({ intent: z.enum(["message", "withdraw"], { message: "Choose an action" }) });

async function requireDispute(request: Request, params: unknown) {
  const session = await requirePortalUser(request);
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Dispute not found");
  const detail = await getDispute({ disputeId: parsed.data.disputeId, customerId: session.customer.id });
  invariantResponse(detail, "Dispute not found");
  return { ...session, detail };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, detail } = await requireDispute(request, params);
  const company = await getCompanySettings();
  const { dispute, invoice, line, creditNote, messages } = detail;
  return {
    dispute: {
      id: dispute.id,
      status: dispute.status,
      reason: dispute.reason,
      currency: dispute.currency,
      amountMinor: dispute.amountMinor,
      acceptedMinor: dispute.acceptedMinor,
      createdAt: dispute.createdAt,
      resolvedAt: dispute.resolvedAt,
    },
    ageDays: detail.ageDays,
    invoice: { id: invoice.id, number: invoice.number ?? "", status: invoice.status, openMinor: invoice.openMinor },
    line: { description: line.description, totalMinor: line.totalMinor },
    openedBy: detail.openedBy?.name ?? null,
    creditNote: creditNote?.id ? { number: creditNote.number, totalMinor: creditNote.totalMinor, voided: creditNote.voidedAt !== null } : null,
    // Staff appear with the company's name, so the customer knows who answered.
    messages: messages.map((m) => ({
      id: m.id,
      side: m.author,
      author: m.author === "customer" ? (m.contactName ?? "Your team") : m.author === "staff" ? `${m.staffName ?? "Accounts team"}, ${company.companyName}` : "Update",
      body: m.body,
      createdAt: m.createdAt,
    })),
    canAct: user.role === "billing" && dispute.status === "open",
    supportEmail: company.supportEmail,
    formKey: newFormKey(),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, customer, detail } = await requireDispute(request, params);
  const form = await request.formData();
  const intent = parseForm(intentSchema, form);
  if (!intent.ok) return invalid(intent.errors);
  const disputeId = detail.dispute.id;
  if (intent.data.intent === "withdraw") {
    const result = await runDomain(() => withdrawDispute({ customerId: customer.id, disputeId }, user));
    return result.ok ? { ok: true as const, errors: {}, message: null, notice: "You withdrew the dispute." } : result.response;
  }
  const parsed = parseForm(disputeMessageSchema, form);
  if (!parsed.ok) return invalid(parsed.errors);
  const result = await runDomain(() => addCustomerMessage({ customerId: customer.id, disputeId, body: parsed.data.message, idempotencyKey: parsed.data.idempotencyKey }, user));
  return result.ok ? { ok: true as const, errors: {}, message: null, notice: "Message sent. We'll reply here and by email." } : result.response;
}

export default function PortalDispute() {
  const { dispute, ageDays, invoice, line, openedBy, creditNote, messages, canAct, supportEmail, formKey } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const errors: Record<string, string | undefined> = actionData && !actionData.ok ? actionData.errors : {};
  const failure = actionData && !actionData.ok ? (actionData.message ?? errors.idempotencyKey ?? errors.intent ?? null) : null;
  const { currency } = dispute;
  const amount = formatMoney(dispute.amountMinor, currency);
  const isOpen = dispute.status === "open";
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/portal/disputes">Disputes</Link> / Invoice {invoice.number}
          </p>
          <h1 className="title-with-badge">
            <span>
              Dispute of invoice <span className="nowrap">{invoice.number}</span>
            </span>{" "}
            <DisputeStatusBadge status={dispute.status} />
          </h1>
          <p>{line.description}</p>
        </div>
        <div className="actions">
          <Link className="button secondary" to={`/portal/invoices/${invoice.id}`}>
            See the invoice
          </Link>
        </div>
      </header>

      {searchParams.get("opened") && isOpen && !actionData ? <FormAlert tone="ok" message="Your dispute is open. We'll reply on this page and by email." /> : null}
      <FormAlert tone="ok" message={actionData?.ok ? actionData.notice : null} />
      <FormAlert message={failure && failure !== errors.message ? failure : null} />
      {isOpen ? (
        <div className="alert info dispute-hold" role="note">
          <strong>The disputed {amount} is on hold:</strong> we won't ask you to pay it while we look into it. The rest of the invoice is still due.
        </div>
      ) : null}

      <div className="grid dispute-stats">
        <div className="stat">
          <div className="label">{isOpen ? "On hold" : "Disputed"}</div>
          <div className="value">
            <Money minor={dispute.amountMinor} currency={currency} />
          </div>
          <div className="muted small-print">of a {formatMoney(line.totalMinor, currency)} charge</div>
        </div>
        {dispute.status === "accepted" && dispute.acceptedMinor !== null ? (
          <div className="stat">
            <div className="label">Credited to you</div>
            <div className="value">
              <Money minor={dispute.acceptedMinor} currency={currency} />
            </div>
            <div className="muted small-print">{creditNote ? `Credit note ${creditNote.number}` : null}</div>
          </div>
        ) : null}
        <div className="stat">
          <div className="label">{isOpen ? "Opened" : "Closed"}</div>
          <div className="value">{formatDate(isOpen ? dispute.createdAt : dispute.resolvedAt)}</div>
          <div className="muted small-print">{isOpen ? (ageDays === 0 ? "Today" : `${ageDays} day${ageDays === 1 ? "" : "s"} ago`) : `Opened ${formatDate(dispute.createdAt)}`}</div>
        </div>
      </div>

      <div className="two-col">
        <section className="card" aria-labelledby="thread-heading">
          <h2 id="thread-heading">Messages</h2>
          <DisputeThread messages={messages} ownSide="customer" />
          {canAct ? (
            <Form method="post" noValidate className="dispute-reply" key={formKey}>
              <input type="hidden" name="idempotencyKey" value={formKey} />
              <TextAreaField label="Add a message" name="message" maxLength={DISPUTE_MESSAGE_MAX} error={errors.message} hint="Anything that helps us: delivery notes, what you expected to pay." />
              <SubmitButton name="intent" value="message">
                Send message
              </SubmitButton>
            </Form>
          ) : !isOpen ? (
            <p className="muted dispute-closed-note">
              This dispute is closed.{" "}
              {supportEmail ? (
                <>
                  Questions? Write to <a href={`mailto:${supportEmail}`}>{supportEmail}</a>.
                </>
              ) : null}
            </p>
          ) : null}
        </section>

        <div>
          <section className="card" aria-labelledby="details-heading">
            <h2 id="details-heading">Details</h2>
            <dl className="details">
              <dt>Invoice</dt>
              <dd>
                <Link to={`/portal/invoices/${invoice.id}`}>{invoice.number}</Link>
              </dd>
              <dt>Charge</dt>
              <dd>{line.description}</dd>
              <dt>Reason</dt>
              <dd>{disputeReasonLabels[dispute.reason]}</dd>
              <dt>Amount</dt>
              <dd>
                <Money minor={dispute.amountMinor} currency={currency} />
              </dd>
              {openedBy ? (
                <>
                  <dt>Opened by</dt>
                  <dd>{openedBy}</dd>
                </>
              ) : null}
              <dt>Opened</dt>
              <dd>{formatDate(dispute.createdAt)}</dd>
              {creditNote ? (
                <>
                  <dt>Credit note</dt>
                  <dd>
                    {creditNote.number} · <Money minor={creditNote.totalMinor} currency={currency} />
                    {creditNote.voided ? <span className="badge">Void</span> : null}
                  </dd>
                </>
              ) : null}
            </dl>
          </section>
          {canAct ? (
            <section className="card" aria-labelledby="withdraw-heading">
              <h2 id="withdraw-heading">Sorted it out?</h2>
              <details className="action-panel">
                <summary>Withdraw this dispute</summary>
                <Form method="post">
                  <p className="muted">The {amount} comes off hold and is due with the rest of invoice {invoice.number}.</p>
                  <SubmitButton className="button danger small" name="intent" value="withdraw">
                    Withdraw dispute
                  </SubmitButton>
                </Form>
              </details>
            </section>
          ) : null}
        </div>
      </div>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
