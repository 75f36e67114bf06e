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
import { getCreditNoteDetail, voidCreditNote } from "~/ledger/credit-notes.server";
import { creditNoteKindLabels } from "~/ledger/status";
import { listOpenInvoices } from "~/ledger/invoices.server";
import { creditIntents, handleCreditIntent, type CreditIntent } from "~/ledger/credit-actions.server";
import { methodLabels } from "~/ledger/payments.server";
import { formatBps } from "~/money/money";
import { invalid, newFormKey, runDomain } from "~/utils/action.server";
import { requiredText } from "~/utils/form-schemas";
import { formatDate, formatDateTime } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.note.number ?? "Credit note"} · Settle back office` }];


const paramsSchema = z.object({ creditNoteId: z.uuid() });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Credit note not found");
  const detail = await getCreditNoteDetail(parsed.data.creditNoteId);
  invariantResponse(detail, "Credit note not found");
  const open = detail.availableMinor > 0 ? await listOpenInvoices(detail.note.customerId) : [];
  return {
    ...detail,
    customer: { id: detail.customer.id, name: detail.customer.name, accountNumber: detail.customer.accountNumber },
    invoices: openInvoiceRows(open),
    methods: Object.entries(methodLabels).map(([value, label]) => ({ value, label })),
    methodNames: methodLabels,
    canEdit: hasRole(user, "clerk"),
    applyKey: newFormKey(),
    refundKey: newFormKey(),
  };
}

const intentSchema = z.enum(["apply", "unapply", "refund", "void"]);
const voidSchema = z.object({ reason: requiredText("Reason") });

export async function action({ request, params }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "clerk");
  const parsedParams = paramsSchema.safeParse(params);
  invariantResponse(parsedParams.success, "Credit note not found");
  const detail = await getCreditNoteDetail(parsedParams.data.creditNoteId);
  invariantResponse(detail, "Credit note not found");
  const { note } = detail;
  const actor = { type: "staff" as const, id: user.id, label: user.email };
  const formData = await request.formData();
  const intent = intentSchema.safeParse(formData.get("intent"));
  if (!intent.success) return invalid({ form: "Unknown action" });
  const done = (what: string) => redirect(`/staff/credit-notes/${note.id}?done=${what}`);

  if ((creditIntents as readonly string[]).includes(intent.data)) {
    const outcome = await handleCreditIntent(intent.data as CreditIntent, formData, { source: { creditNoteId: note.id }, customerId: note.customerId, currency: note.currency, applied: detail.applied, actor });
    if (!outcome.ok) return outcome.response;
    throw done(outcome.done);
  }
  const fields = parseForm(voidSchema, formData);
  if (!fields.ok) return invalid(fields.errors);
  const result = await runDomain(() => voidCreditNote({ creditNoteId: note.id, reason: fields.data.reason }, actor));
  if (!result.ok) return result.response;
  throw done("voided");
}

const doneMessages: Record<string, string> = {
  issued: "Credit note issued.",
  applied: "Credit applied to the invoices.",
  unapplied: "Application taken back; the invoice is open again.",
  refunded: "Refund recorded.",
  voided: "Voided; its applications were taken back.",
};

export default function CreditNotePage() {
  const { note, customer, invoice, lines, applied, refunds, availableMinor, invoices, methods, methodNames, canEdit, applyKey, refundKey } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const done = doneMessages[params.get("done") ?? ""];
  const live = !note.voidedAt;
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to={`/staff/credit-notes?kind=${note.kind}`}>Credit notes</Link> / {note.number}
          </p>
          <h1>
            {creditNoteKindLabels[note.kind]} {note.number}
          </h1>
          <p>
            {live ? null : <span className="badge">Void</span>} <Money minor={note.totalMinor} currency={note.currency} /> to {customer.name} · issued {formatDate(note.issueDate)}
          </p>
        </div>
        <a href={`/staff/credit-notes/${note.id}/pdf`} className="button secondary">
          Download PDF
        </a>
      </header>
      <FormAlert tone="ok" message={done} />
      {live ? null : <FormAlert tone="info" message={`Voided ${formatDateTime(note.voidedAt)}: ${note.voidReason ?? ""}`} />}
      <div className="grid">
        <Stat label="Total" minor={note.totalMinor} currency={note.currency} />
        <Stat label="Applied" minor={note.allocatedMinor} currency={note.currency} />
        <Stat label="Refunded" minor={note.refundedMinor} currency={note.currency} />
        <Stat label="Available" minor={availableMinor} currency={note.currency} />
      </div>
      <div className="two-col">
        <div>
          <section className="card" aria-labelledby="lines-heading">
            <h2 id="lines-heading">Lines</h2>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Description</th>
                    <th scope="col">Tax rate</th>
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
                      <td>{formatBps(line.taxRateBps)}</td>
                      <td className="num">
                        <Money minor={line.netMinor} currency={note.currency} />
                      </td>
                      <td className="num">
                        <Money minor={line.taxMinor} currency={note.currency} />
                      </td>
                      <td className="num">
                        <Money minor={line.totalMinor} currency={note.currency} />
                      </td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <td colSpan={2}>Total</td>
                    <td className="num">
                      <Money minor={note.subtotalMinor} currency={note.currency} />
                    </td>
                    <td className="num">
                      <Money minor={note.taxMinor} currency={note.currency} />
                    </td>
                    <td className="num">
                      <Money minor={note.totalMinor} currency={note.currency} />
                    </td>
                  </tr>
                </tfoot>
              </table>
            </div>
          </section>
          <section className="card" aria-labelledby="applications-heading">
            <h2 id="applications-heading">Applications</h2>
            <ApplicationsTable
              rows={applied}
              currency={note.currency}
              canUnapply={canEdit && live && note.kind === "credit_note"}
              emptyText={live ? "Not applied to any invoice yet." : "Nothing is applied: the credit note is void."}
            />
          </section>
          {refunds.length > 0 ? (
            <section className="card" aria-labelledby="refunds-heading">
              <h2 id="refunds-heading">Refunds</h2>
              <ul className="plain-list">
                {refunds.map((row) => (
                  <li key={row.id}>
                    <Money minor={row.amountMinor} currency={row.currency} /> by {methodNames[row.method]}
                    {row.reference ? ` ${row.reference}` : ""} on {formatDate(row.refundedOn)} <span className="muted">· {row.reason}</span>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </div>
        <section className="card" aria-labelledby="details-heading">
          <h2 id="details-heading">Details</h2>
          <dl className="details">
            <dt>Kind</dt>
            <dd>{creditNoteKindLabels[note.kind]}</dd>
            <dt>Customer</dt>
            <dd>
              <Link to={`/staff/customers/${customer.id}`}>{customer.name}</Link> <span className="muted nowrap">{customer.accountNumber}</span>
            </dd>
            <dt>Invoice</dt>
            <dd>{invoice ? <Link to={`/staff/invoices/${invoice.id}`}>{invoice.number}</Link> : "Account credit"}</dd>
            <dt>Issued</dt>
            <dd>{formatDate(note.issueDate)}</dd>
            <dt>Reason</dt>
            <dd>{note.reason}</dd>
            {note.memo ? (
              <>
                <dt>Memo</dt>
                <dd>{note.memo}</dd>
              </>
            ) : null}
          </dl>
        </section>
      </div>
      {canEdit && live && availableMinor > 0 ? (
        <section className="card" aria-labelledby="apply-heading">
          <h2 id="apply-heading">Apply available credit</h2>
          <ApplyForm invoices={invoices} currency={note.currency} availableMinor={availableMinor} formKey={applyKey} />
        </section>
      ) : null}
      <div className="action-cards">
        {canEdit && live && availableMinor > 0 && note.kind === "credit_note" ? (
          <section className="card" aria-labelledby="refund-heading">
            <h2 id="refund-heading">Refund</h2>
            <RefundForm availableMinor={availableMinor} currency={note.currency} methods={methods} formKey={refundKey} />
          </section>
        ) : null}
        {canEdit && live ? <VoidForm refunded={note.refundedMinor > 0} applied={note.allocatedMinor > 0} /> : null}
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

function VoidForm({ refunded, applied }: { refunded: boolean; applied: boolean }) {
  const fetcher = useFetcher<FormFailure>();
  const errors = fetcher.data?.errors ?? {};
  return (
    <section className="card danger-zone" aria-labelledby="void-heading">
      <h2 id="void-heading">Void</h2>
      {refunded ? (
        <p className="muted">Part of this credit was refunded, so it cannot be voided.</p>
      ) : (
        <>
          <p>{applied ? "Its applications are taken back first, so the invoices it paid reopen." : "The credit leaves the customer's account."}</p>
          <fetcher.Form method="post" noValidate>
            <input type="hidden" name="intent" value="void" />
            <FormAlert message={fetcher.data && !errors.reason ? fetcher.data.message : null} />
            <Field label="Reason" name="reason" autoComplete="off" required error={errors.reason} />
            <button type="submit" className="button danger" disabled={fetcher.state !== "idle"}>
              Void credit note
            </button>
          </fetcher.Form>
        </>
      )}
    </section>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
