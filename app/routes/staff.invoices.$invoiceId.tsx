import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import { listAudit } from "~/audit/audit.server";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { Money } from "~/components/money";
import { InvoiceStatusBadge } from "~/components/status-badge";
import { chargeFee, feeKindLabels, feesOn, waiveFee } from "~/ledger/fees.server";
import { deleteDraftInvoice, getInvoiceDetail, issueInvoice, voidInvoice } from "~/ledger/invoices.server";
import { methodLabels } from "~/ledger/payments.server";
import { invoiceDisplayStatus } from "~/ledger/status";
import { requestWriteOff, writeOffThresholdMinor } from "~/ledger/write-offs.server";
import { formatBps, formatMoney, formatQuantity, parseAmount, toDecimalString } from "~/money/money";
import { newFormKey, runDomain } from "~/utils/action.server";
import { daysBetween, today } from "~/utils/dates";
import { amountSchema, idempotencyKeySchema, isoDateSchema, requiredText } from "~/utils/form-schemas";
import { formatDate, formatDateTime, formatTerms } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.invoice.number ? `Invoice ${data.invoice.number}` : "Draft invoice"} · Settle back office` }];

const paramsSchema = z.object({ invoiceId: z.uuid() });

async function requireInvoice(params: unknown) {
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Invoice not found");
  const detail = await getInvoiceDetail(parsed.data.invoiceId);
  invariantResponse(detail, "Invoice not found");
  return detail;
}

const kindLabels = { payment: "Payment", credit_note: "Credit note", discount: "Early-payment discount", write_off: "Write-off" } as const;

const activityLabels: Record<string, string> = {
  "invoice.create_draft": "Draft created",
  "invoice.update_draft": "Draft edited",
  "invoice.issue": "Issued",
  "invoice.void": "Voided",
  "write_off.request": "Write-off requested",
  "write_off.approve": "Write-off approved",
  "write_off.reject": "Write-off rejected",
  "fee.charge": "Fee charged",
  "fee.waive": "Fee waived",
};

const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;
const sentence = (code: string) => code.charAt(0).toUpperCase() + code.slice(1).replaceAll("_", " ");

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const { invoice, customer, lines, applied, credits, entries, writeOffs } = await requireInvoice(params);
  const [audit, thresholdMinor, fees] = await Promise.all([
    listAudit({ entityType: "invoice", entityId: invoice.id, limit: 100 }),
    writeOffThresholdMinor(invoice.currency),
    invoice.kind === "standard" && invoice.status !== "draft" ? feesOn(invoice.id) : [],
  ]);
  return {
    invoice,
    displayStatus: invoiceDisplayStatus(invoice, today()),
    daysToDue: invoice.status === "open" && invoice.dueDate ? daysBetween(today(), invoice.dueDate) : null,
    customer: { id: customer.id, name: customer.name, accountNumber: customer.accountNumber },
    lines,
    applied: applied.map((row) => ({
      ...row,
      kindLabel: kindLabels[row.kind],
      document: row.paymentId
        ? { to: `/staff/payments/${row.paymentId}`, label: [methodLabels[row.paymentMethod!], row.paymentReference].filter(Boolean).join(" ") }
        : { to: `/staff/credit-notes/${row.creditNoteId}`, label: row.creditNoteNumber ?? "Credit note" },
    })),
    credits: credits.map((note) => ({ ...note, kindLabel: kindLabels[note.kind] })),
    entries: entries.map((entry) => ({ ...entry, typeLabel: sentence(entry.type) })),
    writeOffs,
    fees: fees.map((fee) => ({ ...fee, kindLabel: feeKindLabels[fee.kind as keyof typeof feeKindLabels] ?? sentence(fee.kind) })),
    activity: audit.map((entry) => ({ ...entry, label: activityLabels[entry.action] ?? entry.action })),
    canChange: hasRole(user, "clerk"),
    isAdmin: hasRole(user, "admin"),
    thresholdMinor,
    formKey: newFormKey(),
    today: today(),
  };
}

const intentSchema = z.object({ intent: z.enum(["issue", "delete", "void", "write_off", "fee", "waive_fee"], { message: "Choose an action" }) });
const voidSchema = z.object({ reason: requiredText("Reason", 500) });
const feeSchema = (currency: string) =>
  z.object({
    amount: amountSchema(currency, "Fee amount"),
    kind: z.enum(["late_fee", "interest"], { message: "Choose a late fee or interest" }),
    effectiveDate: isoDateSchema("Fee date").refine((date) => date <= today(), "Fee date cannot be in the future"),
    reason: requiredText("Reason", 500),
  });
const waiveFeeSchema = z.object({ feeInvoiceId: z.uuid({ message: "Choose a fee to waive" }), reason: requiredText("Reason", 500) });
const writeOffSchema = (currency: string) =>
  z.object({ amount: amountSchema(currency, "Amount to write off"), reason: requiredText("Reason", 500), idempotencyKey: idempotencyKeySchema });

export async function action({ request, params }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "clerk");
  const { invoice } = await requireInvoice(params);
  const formData = await request.formData();
  const intent = parseForm(intentSchema, formData);
  if (!intent.ok) return data({ ok: false as const, intent: null, errors: intent.errors, message: intent.errors.intent ?? null, notice: null }, { status: 400 });
  const actor = { type: "staff" as const, id: user.id, label: user.email };
  const failed = (intentName: string, response: { data: { errors: Record<string, string | undefined>; message: string | null }; init: ResponseInit | null }) =>
    data({ ok: false as const, intent: intentName, errors: response.data.errors, message: response.data.message, notice: null }, response.init ?? undefined);
  const done = (intentName: string, notice: string) => ({ ok: true as const, intent: intentName, errors: {}, message: null, notice });

  switch (intent.data.intent) {
    case "issue": {
      const result = await runDomain(() => issueInvoice({ invoiceId: invoice.id }, actor));
      return result.ok ? done("issue", `Issued as ${result.value.number}.`) : failed("issue", result.response);
    }
    case "delete": {
      const result = await runDomain(() => deleteDraftInvoice(invoice.id, actor));
      return result.ok ? redirect("/staff/invoices?status=draft") : failed("delete", result.response);
    }
    case "void": {
      const parsed = parseForm(voidSchema, formData);
      if (!parsed.ok) return data({ ok: false as const, intent: "void", errors: parsed.errors, message: null, notice: null }, { status: 400 });
      const result = await runDomain(() => voidInvoice({ invoiceId: invoice.id, reason: parsed.data.reason }, actor));
      return result.ok ? done("void", "The invoice is void.") : failed("void", result.response);
    }
    case "write_off": {
      const parsed = parseForm(writeOffSchema(invoice.currency), formData);
      if (!parsed.ok) return data({ ok: false as const, intent: "write_off", errors: parsed.errors, message: null, notice: null }, { status: 400 });
      const result = await runDomain(() => requestWriteOff({ invoiceId: invoice.id, amountMinor: parsed.data.amount, reason: parsed.data.reason, idempotencyKey: parsed.data.idempotencyKey }, { ...actor, role: user.role }));
      if (!result.ok) return failed("write_off", result.response);
      const amount = formatMoney(parsed.data.amount, invoice.currency);
      return done("write_off", result.value.outcome === "written_off" ? `${amount} written off.` : `The write-off of ${amount} is waiting for an admin's approval.`);
    }
    case "fee": {
      const parsed = parseForm(feeSchema(invoice.currency), formData);
      if (!parsed.ok) return data({ ok: false as const, intent: "fee", errors: parsed.errors, message: null, notice: null }, { status: 400 });
      const { amount, kind, effectiveDate, reason } = parsed.data;
      const result = await runDomain(() => chargeFee({ invoiceId: invoice.id, kind, amountMinor: amount, effectiveDate, period: null, reason }, actor));
      if (!result.ok) return failed("fee", result.response);
      return done("fee", `${feeKindLabels[kind]} of ${formatMoney(amount, invoice.currency)} charged as invoice ${result.value?.number ?? ""}.`.replace(" .", "."));
    }
    case "waive_fee": {
      const parsed = parseForm(waiveFeeSchema, formData);
      if (!parsed.ok) return data({ ok: false as const, intent: "waive_fee", errors: parsed.errors, message: null, notice: null }, { status: 400 });
      const fees = await feesOn(invoice.id);
      const fee = fees.find((row) => row.id === parsed.data.feeInvoiceId);
      invariantResponse(fee, "Fee not found");
      const result = await runDomain(() => waiveFee({ feeInvoiceId: fee.id, reason: parsed.data.reason }, actor));
      return result.ok ? done("waive_fee", `Fee ${fee.number ?? ""} waived.`.replace("  ", " ")) : failed("waive_fee", result.response);
    }
  }
}

export default function InvoicePage() {
  const { invoice, displayStatus, daysToDue, customer, lines, applied, credits, entries, writeOffs, fees, activity, canChange, isAdmin, thresholdMinor, formKey, today } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const failedIntent = actionData && !actionData.ok ? actionData : null;
  const errorsFor = (intent: string): Record<string, string | undefined> => (failedIntent?.intent === intent ? failedIntent.errors : {});
  const messageFor = (intent: string | null) => (failedIntent && failedIntent.intent === intent ? failedIntent.message : null);
  const currency = invoice.currency;
  const isDraft = invoice.status === "draft";
  const isOpen = invoice.status === "open";
  const nothingApplied = invoice.openMinor === invoice.totalMinor;
  // A draft is not owed yet and a void invoice no longer is, though both keep their total.
  const openMinor = isDraft || invoice.status === "void" ? 0 : invoice.openMinor;
  const pendingWriteOff = writeOffs.find((request) => request.status === "pending");
  const pageMessage = messageFor("issue") ?? messageFor("delete") ?? messageFor(null);

  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/staff/invoices">Invoices</Link> / {invoice.number ?? "Draft"}
          </p>
          <h1 className="title-with-badge">
            {invoice.number ? `Invoice ${invoice.number}` : "Draft invoice"} <InvoiceStatusBadge status={displayStatus} />
          </h1>
          <p>
            <Link to={`/staff/customers/${customer.id}`}>{customer.name}</Link> · {customer.accountNumber}
          </p>
        </div>
        <div className="actions">
          {canChange && isDraft ? (
            <>
              <Link className="button secondary" to={`/staff/invoices/${invoice.id}/edit`}>
                Edit
              </Link>
              <Form method="post">
                <input type="hidden" name="intent" value="issue" />
                <SubmitButton>Issue invoice</SubmitButton>
              </Form>
            </>
          ) : null}
          {canChange && isOpen ? (
            <>
              <Link className="button" to={`/staff/payments/new?${new URLSearchParams({ customerId: customer.id, invoiceId: invoice.id })}`}>
                Record payment
              </Link>
              <Link className="button secondary" to={`/staff/credit-notes/new?invoiceId=${invoice.id}`}>
                Credit note
              </Link>
            </>
          ) : null}
          <a className="button secondary" href={`/staff/invoices/${invoice.id}/pdf`}>
            PDF
          </a>
          {!isDraft ? (
            <a className="button secondary" href={`/invoices/${invoice.publicToken}`} target="_blank" rel="noreferrer">
              Customer view
            </a>
          ) : null}
        </div>
      </header>

      <FormAlert tone="ok" message={actionData?.ok ? actionData.notice : null} />
      <FormAlert message={pageMessage} />
      {invoice.status === "void" ? <FormAlert tone="info" message={`Voided ${formatDateTime(invoice.voidedAt)}: ${invoice.voidReason ?? ""}`} /> : null}
      {invoice.kind !== "standard" && invoice.feeForInvoiceId ? (
        <div className="alert info" role="status">
          {invoice.kind === "interest" ? "Interest" : "A late fee"} charged on <Link to={`/staff/invoices/${invoice.feeForInvoiceId}`}>another invoice</Link>. Paying that invoice does not pay this one.
        </div>
      ) : null}
      {pendingWriteOff && !actionData?.ok ? (
        <FormAlert tone="info" message={`A write-off of ${formatMoney(pendingWriteOff.amountMinor, currency)} is waiting for an admin's approval.`} />
      ) : null}

      <div className="grid invoice-stats">
        <div className="stat">
          <div className="label">Total</div>
          <div className="value">
            <Money minor={invoice.totalMinor} currency={currency} />
          </div>
        </div>
        <div className="stat">
          <div className="label">Open</div>
          <div className="value">{isDraft ? "Not issued" : <Money minor={openMinor} currency={currency} />}</div>
        </div>
        <div className="stat">
          <div className="label">Due</div>
          <div className="value">{invoice.dueDate ? formatDate(invoice.dueDate) : "On issue"}</div>
          {daysToDue !== null ? (
            <div className={daysToDue < 0 ? "label overdue" : "label"}>
              {daysToDue < 0 ? `${days(-daysToDue)} overdue` : daysToDue === 0 ? "Due today" : `In ${days(daysToDue)}`}
            </div>
          ) : null}
        </div>
      </div>
      <div className="two-col invoice-layout">
        <div>
          <section className="card" aria-labelledby="lines-heading">
            <h2 id="lines-heading">Lines</h2>
            <div className="table-wrap">
              <table className="invoice-lines">
                <thead>
                  <tr>
                    <th scope="col">Description</th>
                    <th scope="col" className="num">
                      Qty
                    </th>
                    <th scope="col" className="num">
                      Unit price
                    </th>
                    <th scope="col" className="num">
                      Tax rate
                    </th>
                    <th scope="col" className="num">
                      Net
                    </th>
                    <th scope="col" className="num">
                      Tax
                    </th>
                    <th scope="col" className="num">
                      Total
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {lines.map((line) => (
                    <tr key={line.id}>
                      <td>{line.description}</td>
                      <td className="num">{formatQuantity(line.quantityMilli)}</td>
                      <td className="num">
                        <Money minor={line.unitPriceMinor} currency={currency} />
                      </td>
                      <td className="num">{formatBps(line.taxRateBps)}</td>
                      <td className="num">
                        <Money minor={line.netMinor} currency={currency} />
                      </td>
                      <td className="num">
                        <Money minor={line.taxMinor} currency={currency} />
                      </td>
                      <td className="num">
                        <Money minor={line.totalMinor} currency={currency} />
                      </td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <td colSpan={4}>Total</td>
                    <td className="num">
                      <Money minor={invoice.subtotalMinor} currency={currency} />
                    </td>
                    <td className="num">
                      <Money minor={invoice.taxMinor} currency={currency} />
                    </td>
                    <td className="num">
                      <Money minor={invoice.totalMinor} currency={currency} />
                    </td>
                  </tr>
                </tfoot>
              </table>
            </div>
            {invoice.memo ? (
              <p className="memo">
                <span className="muted">Memo: </span>
                {invoice.memo}
              </p>
            ) : null}
          </section>

          {!isDraft ? (
            <>
              <section className="card" aria-labelledby="applied-heading">
                <h2 id="applied-heading">Applied</h2>
                {applied.length === 0 ? (
                  <p className="muted">No payments or credits are applied to this invoice.</p>
                ) : (
                  <div className="table-wrap">
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">Date</th>
                          <th scope="col">Kind</th>
                          <th scope="col">Document</th>
                          <th scope="col" className="num">
                            Amount
                          </th>
                        </tr>
                      </thead>
                      <tbody>
                        {applied.map((row) => (
                          <tr key={row.id}>
                            <td className="date">{formatDate(row.appliedOn)}</td>
                            <td>
                              {row.kindLabel}
                              {row.reversesId ? <span className="badge">Unapplied</span> : null}
                            </td>
                            <td>
                              <Link to={row.document.to}>{row.document.label}</Link>
                            </td>
                            <td className="num">
                              <Money minor={row.amountMinor} currency={currency} />
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
              </section>

              {credits.length > 0 ? (
                <section className="card" aria-labelledby="credits-heading">
                  <h2 id="credits-heading">Credit documents against this invoice</h2>
                  <div className="table-wrap">
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">Number</th>
                          <th scope="col">Kind</th>
                          <th scope="col">Date</th>
                          <th scope="col">Reason</th>
                          <th scope="col" className="num">
                            Total
                          </th>
                        </tr>
                      </thead>
                      <tbody>
                        {credits.map((note) => (
                          <tr key={note.id}>
                            <td>
                              <Link to={`/staff/credit-notes/${note.id}`}>{note.number}</Link> {note.voidedAt ? <span className="badge">Void</span> : null}
                            </td>
                            <td>{note.kindLabel}</td>
                            <td className="date">{formatDate(note.issueDate)}</td>
                            <td>{note.reason}</td>
                            <td className="num">
                              <Money minor={note.totalMinor} currency={currency} />
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </section>
              ) : null}

              {writeOffs.length > 0 ? (
                <section className="card" aria-labelledby="write-offs-heading">
                  <h2 id="write-offs-heading">Write-off requests</h2>
                  <div className="table-wrap">
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">Requested</th>
                          <th scope="col">Reason</th>
                          <th scope="col">Status</th>
                          <th scope="col">Decision</th>
                          <th scope="col" className="num">
                            Amount
                          </th>
                        </tr>
                      </thead>
                      <tbody>
                        {writeOffs.map((request) => (
                          <tr key={request.id}>
                            <td className="date">{formatDateTime(request.requestedAt)}</td>
                            <td>{request.reason}</td>
                            <td>
                              <span className={`badge ${request.status === "approved" ? "ok" : request.status === "rejected" ? "danger" : "warn"}`}>
                                {sentence(request.status)}
                              </span>
                            </td>
                            <td>
                              {request.decidedAt ? formatDateTime(request.decidedAt) : "—"}
                              {request.decisionNote ? <div className="muted">{request.decisionNote}</div> : null}
                            </td>
                            <td className="num">
                              <Money minor={request.amountMinor} currency={currency} />
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </section>
              ) : null}

              {invoice.kind === "standard" && (fees.length > 0 || canChange || failedIntent?.intent === "fee") ? (
                <LateFees
                  fees={fees}
                  currency={currency}
                  canAdd={canChange && invoice.status !== "void"}
                  canWaive={canChange}
                  today={today}
                  issueDate={invoice.issueDate}
                  feeErrors={errorsFor("fee")}
                  feeMessage={messageFor("fee")}
                  waiveErrors={errorsFor("waive_fee")}
                  waiveMessage={messageFor("waive_fee")}
                />
              ) : null}

              <section className="card" aria-labelledby="journal-heading">
                <h2 id="journal-heading">Journal entries</h2>
                {entries.length === 0 ? (
                  <p className="muted">Nothing is posted for this invoice.</p>
                ) : (
                  <div className="table-wrap">
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">Effective</th>
                          <th scope="col">Entry</th>
                          <th scope="col">Description</th>
                          <th scope="col">Posted</th>
                        </tr>
                      </thead>
                      <tbody>
                        {entries.map((entry) => (
                          <tr key={entry.id}>
                            <td className="date">{formatDate(entry.effectiveDate)}</td>
                            <td>{entry.typeLabel}</td>
                            <td>{entry.description}</td>
                            <td className="date muted">{formatDateTime(entry.createdAt)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
              </section>
            </>
          ) : null}
        </div>
        <div>
          <section className="card" aria-labelledby="details-heading">
            <h2 id="details-heading">Details</h2>
            <dl className="details">
              <dt>Customer</dt>
              <dd>
                <Link to={`/staff/customers/${customer.id}`}>{customer.name}</Link>
              </dd>
              <dt>Issue date</dt>
              <dd>{invoice.issueDate ? formatDate(invoice.issueDate) : isDraft ? "When issued" : "—"}</dd>
              <dt>Due date</dt>
              <dd>{invoice.dueDate ? formatDate(invoice.dueDate) : isDraft ? "From the terms" : "—"}</dd>
              <dt>Terms</dt>
              <dd>{formatTerms(invoice)}</dd>
              {invoice.discountDueDate ? (
                <>
                  <dt>Discount until</dt>
                  <dd>{formatDate(invoice.discountDueDate)}</dd>
                </>
              ) : null}
              <dt>PO number</dt>
              <dd>{invoice.poNumber ?? "—"}</dd>
              {invoice.externalRef ? (
                <>
                  <dt>External ref</dt>
                  <dd>{invoice.externalRef}</dd>
                </>
              ) : null}
              <dt>Currency</dt>
              <dd>{currency}</dd>
            </dl>
          </section>
          {!isDraft ? (
            <section className="card" aria-labelledby="balance-heading">
              <h2 id="balance-heading">Balance</h2>
              <dl className="details totals sum">
                <dt>Subtotal</dt>
                <dd>
                  <Money minor={invoice.subtotalMinor} currency={currency} />
                </dd>
                <dt>Tax</dt>
                <dd>
                  <Money minor={invoice.taxMinor} currency={currency} />
                </dd>
                <dt>Total</dt>
                <dd>
                  <Money minor={invoice.totalMinor} currency={currency} />
                </dd>
                <dt>Paid</dt>
                <dd>
                  <Money minor={invoice.paidMinor} currency={currency} />
                </dd>
                <dt>Credited</dt>
                <dd>
                  <Money minor={invoice.creditedMinor} currency={currency} />
                </dd>
                <dt>Discount</dt>
                <dd>
                  <Money minor={invoice.discountedMinor} currency={currency} />
                </dd>
                <dt>Written off</dt>
                <dd>
                  <Money minor={invoice.writtenOffMinor} currency={currency} />
                </dd>
                <dt className="grand">Open</dt>
                <dd className="grand">
                  <Money minor={openMinor} currency={currency} />
                </dd>
              </dl>
            </section>
          ) : null}
          {canChange && (isDraft || isOpen) ? (
            <section className="card" aria-labelledby="more-heading">
              <h2 id="more-heading">More actions</h2>
              {isDraft ? <DeleteDraft /> : null}
              {isOpen && nothingApplied ? <VoidInvoice errors={errorsFor("void")} message={messageFor("void")} /> : null}
              {isOpen && !nothingApplied ? <p className="muted small-print">Money is applied to this invoice, so it cannot be voided; issue a credit note instead.</p> : null}
              {isOpen ? (
                <WriteOff
                  key={invoice.openMinor}
                  currency={currency}
                  openMinor={invoice.openMinor}
                  thresholdMinor={thresholdMinor}
                  isAdmin={isAdmin}
                  formKey={formKey}
                  errors={errorsFor("write_off")}
                  message={messageFor("write_off")}
                />
              ) : null}
            </section>
          ) : null}
          <section className="card" aria-labelledby="activity-heading">
            <h2 id="activity-heading">Activity</h2>
            {activity.length === 0 ? (
              <p className="muted">No activity recorded for this invoice.</p>
            ) : (
              <ul className="activity">
                {activity.map((entry) => (
                  <li key={entry.id}>
                    <span className="muted">{formatDateTime(entry.at)}</span> · {entry.actorLabel ?? entry.actorType} · {entry.label}
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

function DeleteDraft() {
  return (
    <details className="action-panel">
      <summary>Delete this draft</summary>
      <Form method="post">
        <input type="hidden" name="intent" value="delete" />
        <p className="muted">The draft and its lines are removed. Nothing was posted for it, so the books do not change.</p>
        <SubmitButton className="button danger small">Yes, delete the draft</SubmitButton>
      </Form>
    </details>
  );
}

function VoidInvoice({ errors, message }: { errors: Record<string, string | undefined>; message: string | null | undefined }) {
  const failed = Boolean(message || errors.reason);
  return (
    <details className="action-panel" open={failed || undefined}>
      <summary>Void invoice</summary>
      <Form method="post" noValidate>
        <input type="hidden" name="intent" value="void" />
        <FormAlert message={message && message !== errors.reason ? message : null} />
        <p className="muted">Voiding reverses the invoice in the books. The customer no longer owes it.</p>
        <Field label="Reason" name="reason" required autoComplete="off" error={errors.reason} />
        <SubmitButton className="button danger small">Void invoice</SubmitButton>
      </Form>
    </details>
  );
}

function WriteOff({
  currency,
  openMinor,
  thresholdMinor,
  isAdmin,
  formKey,
  errors,
  message,
}: {
  currency: string;
  openMinor: number;
  thresholdMinor: number;
  isAdmin: boolean;
  formKey: string;
  errors: Record<string, string | undefined>;
  message: string | null | undefined;
}) {
  const [amount, setAmount] = useState(toDecimalString(openMinor, currency));
  const parsed = parseAmount(amount, currency);
  const needsApproval = !isAdmin && parsed.ok && parsed.amountMinor > thresholdMinor;
  const threshold = formatMoney(thresholdMinor, currency);
  const hint = isAdmin
    ? "As an admin, your write-off takes effect at once."
    : needsApproval
      ? `Above ${threshold}: this will wait for an admin's approval.`
      : `Up to ${threshold} takes effect at once; more needs an admin's approval.`;
  const failed = Boolean(message || errors.amount || errors.reason);
  return (
    <details className="action-panel" open={failed || undefined}>
      <summary>Write off</summary>
      <Form method="post" noValidate>
        <input type="hidden" name="intent" value="write_off" />
        <input type="hidden" name="idempotencyKey" value={formKey} />
        <FormAlert message={message && message !== errors.amount && message !== errors.reason ? message : null} />
        <Field
          label={`Amount (${currency})`}
          name="amount"
          inputMode="decimal"
          autoComplete="off"
          defaultValue={amount}
          onChange={(event) => setAmount(event.currentTarget.value)}
          error={errors.amount}
          hint={hint}
        />
        <Field label="Reason" name="reason" required autoComplete="off" error={errors.reason} />
        <SubmitButton className="button danger small">{needsApproval ? "Request write-off" : "Write off"}</SubmitButton>
      </Form>
    </details>
  );
}

type Fee = ReturnType<typeof useLoaderData<typeof loader>>["fees"][number];
type Errors = Record<string, string | undefined>;

/** Fees charged on this invoice (each an invoice of its own), with adding one by hand and waiving one. */
function LateFees({
  fees,
  currency,
  canAdd,
  canWaive,
  today,
  issueDate,
  feeErrors,
  feeMessage,
  waiveErrors,
  waiveMessage,
}: {
  fees: Fee[];
  currency: string;
  canAdd: boolean;
  canWaive: boolean;
  today: string;
  issueDate: string | null;
  feeErrors: Errors;
  feeMessage: string | null | undefined;
  waiveErrors: Errors;
  waiveMessage: string | null | undefined;
}) {
  const feeFieldShown = (message: string | null | undefined) => Boolean(message) && [feeErrors.amount, feeErrors.kind, feeErrors.effectiveDate, feeErrors.reason].includes(message ?? undefined);
  const sectionMessage = (feeMessage && !feeFieldShown(feeMessage) ? feeMessage : null) ?? waiveMessage ?? waiveErrors.reason ?? waiveErrors.feeInvoiceId ?? null;
  const addFailed = Boolean(feeMessage || feeErrors.amount || feeErrors.kind || feeErrors.effectiveDate || feeErrors.reason);
  return (
    <section className="card" aria-labelledby="fees-heading">
      <h2 id="fees-heading">Late fees</h2>
      <FormAlert message={sectionMessage} />
      {fees.length === 0 ? (
        <p className="muted">No fees are charged on this invoice.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Fee</th>
                <th scope="col">Date</th>
                <th scope="col">Reason</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col" className="num">
                  Open
                </th>
                {canWaive ? <th scope="col">Waive</th> : null}
              </tr>
            </thead>
            <tbody>
              {fees.map((fee) => (
                <tr key={fee.id}>
                  <td>
                    <Link to={`/staff/invoices/${fee.id}`}>{fee.number}</Link> {fee.kindLabel}
                    {fee.status === "void" ? <span className="badge">Waived</span> : fee.status === "paid" ? <span className="badge ok">Paid</span> : null}
                    {fee.feePeriod !== null ? <div className="muted small-print">By the policy{fee.feePeriod > 0 ? `, period ${fee.feePeriod}` : ""}</div> : <div className="muted small-print">By hand</div>}
                  </td>
                  <td className="date">{formatDate(fee.issueDate)}</td>
                  <td>{fee.memo}</td>
                  <td className="num">
                    <Money minor={fee.totalMinor} currency={currency} />
                  </td>
                  <td className="num">{fee.status === "void" ? "—" : <Money minor={fee.openMinor} currency={currency} />}</td>
                  {canWaive ? (
                    <td>
                      {fee.status === "open" && fee.openMinor === fee.totalMinor ? (
                        <details className="action-panel">
                          <summary>
                            Waive<span className="visually-hidden"> fee {fee.number}</span>
                          </summary>
                          <Form method="post" noValidate>
                            <input type="hidden" name="intent" value="waive_fee" />
                            <input type="hidden" name="feeInvoiceId" value={fee.id} />
                            <Field label="Reason" name="reason" required autoComplete="off" />
                            <SubmitButton className="button danger small">Waive fee</SubmitButton>
                          </Form>
                        </details>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canAdd ? (
        // Remounted when a fee is added, so the form closes empty.
        <details key={fees.length} className="action-panel" open={addFailed || undefined}>
          <summary>Add a fee</summary>
          <Form method="post" noValidate>
            <input type="hidden" name="intent" value="fee" />
            <p className="muted small-print">The fee becomes an invoice of its own, due at once: paying this invoice never pays the fee. It can be dated back, not ahead.</p>
            <div className="field">
              <label htmlFor="fee-kind">Kind</label>
              <select id="fee-kind" name="kind" defaultValue="late_fee" aria-invalid={feeErrors.kind ? true : undefined}>
                <option value="late_fee">Late fee</option>
                <option value="interest">Interest</option>
              </select>
              {feeErrors.kind ? <span className="error">{feeErrors.kind}</span> : null}
            </div>
            <Field label={`Amount (${currency})`} name="amount" inputMode="decimal" autoComplete="off" error={feeErrors.amount} />
            <Field label="Fee date" name="effectiveDate" type="date" defaultValue={today} min={issueDate ?? undefined} max={today} error={feeErrors.effectiveDate} />
            <Field label="Reason" name="reason" required autoComplete="off" error={feeErrors.reason} />
            <SubmitButton className="button small">Add fee</SubmitButton>
          </Form>
        </details>
      ) : null}
    </section>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
