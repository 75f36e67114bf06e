import { Link, useFetcher } from "@remix-run/react";
import { useId, useState } from "react";
import { Field, FormAlert } from "~/components/forms";
import { Money } from "~/components/money";
import { applyFieldName } from "~/ledger/allocation-form";
import { formatMoney, parseAmount, toDecimalString } from "~/money/money";
import { formatDate } from "~/utils/format";
import type { FieldErrors } from "~/utils/validation";

/** An open invoice as the allocation table offers it; `discount` is the early-payment discount still on offer. */
export type OpenInvoiceRow = {
  id: string;
  number: string | null;
  issueDate: string | null;
  dueDate: string | null;
  openMinor: number;
  discount: { until: string; amountMinor: number } | null;
};

/** What an action answers when a form on the page fails; success redirects. */
export type FormFailure = { ok: false; errors: FieldErrors; message: string | null };

const amountOf = (value: string | undefined, currency: string) => {
  if (!value?.trim()) return 0;
  const parsed = parseAmount(value, currency);
  return parsed.ok && parsed.amountMinor > 0 ? parsed.amountMinor : 0;
};

/**
 * The customer's open invoices with an amount to apply to each. The summary only helps the
 * clerk: the server checks every amount again against what is open and what is available.
 */
export function AllocationTable({
  invoices,
  currency,
  availableMinor,
  availableLabel,
  receivedOn,
  initialAmounts = {},
  errors = {},
}: {
  invoices: OpenInvoiceRow[];
  currency: string;
  /** What there is to apply; null while the payment amount is not a valid amount yet. */
  availableMinor: number | null;
  availableLabel: string;
  /** Date the money arrived: inside an invoice's discount window, the discount is offered. */
  receivedOn?: string;
  initialAmounts?: Record<string, string>;
  errors?: FieldErrors;
}) {
  const [amounts, setAmounts] = useState<Record<string, string>>(initialAmounts);
  const set = (id: string, value: string) => setAmounts((current) => ({ ...current, [id]: value }));
  const total = invoices.reduce((sum, invoice) => sum + amountOf(amounts[invoice.id], currency), 0);
  // Amounts past the safe range are the server's to refuse; the summary just stops adding.
  const appliedMinor = Number.isSafeInteger(total) ? total : null;
  const summaryId = useId();

  if (invoices.length === 0) return <p className="muted">This customer has no open invoices.</p>;
  return (
    <>
      <div className="table-wrap">
        <table className="allocation-table" aria-describedby={summaryId}>
          <thead>
            <tr>
              <th scope="col">Invoice</th>
              <th scope="col">Issued</th>
              <th scope="col">Due</th>
              <th scope="col" className="num">
                Open
              </th>
              <th scope="col">Pay in full</th>
              <th scope="col" className="num">
                Amount to apply
              </th>
            </tr>
          </thead>
          <tbody>
            {invoices.map((invoice) => {
              const name = applyFieldName(invoice.id);
              const error = errors[name];
              const value = amounts[invoice.id] ?? "";
              const full = toDecimalString(invoice.openMinor, currency);
              const inWindow = invoice.discount && receivedOn && receivedOn <= invoice.discount.until ? invoice.discount : null;
              const settleFor = inWindow ? toDecimalString(invoice.openMinor - inWindow.amountMinor, currency) : null;
              return (
                <tr key={invoice.id} className={error ? "has-error" : undefined}>
                  <td data-label="Invoice">
                    <Link to={`/staff/invoices/${invoice.id}`} className="nowrap">
                      {invoice.number}
                    </Link>
                    {inWindow && settleFor ? (
                      <div className="discount-note">
                        Early-payment discount of <Money minor={inWindow.amountMinor} currency={currency} /> until {formatDate(inWindow.until)}:{" "}
                        <button type="button" className="button link" onClick={() => set(invoice.id, settleFor)}>
                          apply {formatMoney(invoice.openMinor - inWindow.amountMinor, currency)} to settle it
                        </button>
                      </div>
                    ) : null}
                  </td>
                  <td data-label="Issued" className="nowrap">
                    {formatDate(invoice.issueDate)}
                  </td>
                  <td data-label="Due" className="nowrap">
                    {formatDate(invoice.dueDate)}
                  </td>
                  <td data-label="Open" className="num">
                    <Money minor={invoice.openMinor} currency={currency} />
                  </td>
                  <td data-label="Pay in full">
                    <input
                      type="checkbox"
                      aria-label={`Pay invoice ${invoice.number} in full`}
                      checked={amountOf(value, currency) === invoice.openMinor}
                      onChange={(event) => set(invoice.id, event.target.checked ? full : "")}
                    />
                  </td>
                  <td data-label="Amount to apply" className="num">
                    <label className="visually-hidden" htmlFor={`${summaryId}-${invoice.id}`}>
                      Amount to apply to invoice {invoice.number} ({currency})
                    </label>
                    <input
                      id={`${summaryId}-${invoice.id}`}
                      className="amount-input"
                      name={name}
                      inputMode="decimal"
                      autoComplete="off"
                      placeholder="0.00"
                      value={value}
                      onChange={(event) => set(invoice.id, event.target.value)}
                      aria-invalid={error ? true : undefined}
                      aria-describedby={error ? `${summaryId}-${invoice.id}-error` : undefined}
                    />
                    {error ? (
                      <span className="error" id={`${summaryId}-${invoice.id}-error`}>
                        {error}
                      </span>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <AllocationSummary id={summaryId} appliedMinor={appliedMinor} availableMinor={availableMinor} availableLabel={availableLabel} currency={currency} />
    </>
  );
}

function AllocationSummary({ id, appliedMinor, availableMinor, availableLabel, currency }: { id: string; appliedMinor: number | null; availableMinor: number | null; availableLabel: string; currency: string }) {
  if (appliedMinor === null) {
    return (
      <div id={id} className="allocation-summary over" aria-live="polite">
        Those amounts are too large.
      </div>
    );
  }
  const over = availableMinor !== null && appliedMinor > availableMinor;
  return (
    <div id={id} className={`allocation-summary${over ? " over" : ""}`} aria-live="polite">
      <span>
        Applying <strong>{formatMoney(appliedMinor, currency)}</strong>
        {availableMinor === null ? null : (
          <>
            {" "}
            of {formatMoney(availableMinor, currency)} {availableLabel}
          </>
        )}
      </span>
      {availableMinor === null ? null : over ? (
        <span>That is {formatMoney(appliedMinor - availableMinor, currency)} more than there is to apply.</span>
      ) : (
        <span>
          {formatMoney(availableMinor - appliedMinor, currency)} stays as unapplied credit.
        </span>
      )}
    </div>
  );
}

export type ApplicationRow = { id: string; invoiceId: string; invoiceNumber: string | null; amountMinor: number; appliedOn: string; reversesId: string | null };

/**
 * Where money went. A taken-back application is shown struck through with the day it was
 * unapplied; the negative row that undid it is folded into that label.
 */
export function ApplicationsTable({ rows, currency, canUnapply, emptyText }: { rows: ApplicationRow[]; currency: string; canUnapply: boolean; emptyText: string }) {
  const undoneOn = new Map(rows.filter((row) => row.reversesId).map((row) => [row.reversesId!, row.appliedOn]));
  const applications = rows.filter((row) => !row.reversesId);
  if (applications.length === 0) return <p className="muted">{emptyText}</p>;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Invoice</th>
            <th scope="col">Applied on</th>
            <th scope="col" className="num">
              Amount
            </th>
            <th scope="col">
              <span className="visually-hidden">Status and actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {applications.map((row) => {
            const undone = undoneOn.get(row.id);
            return (
              <tr key={row.id} className={undone ? "undone" : undefined}>
                <td className="nowrap">
                  <Link to={`/staff/invoices/${row.invoiceId}`}>{row.invoiceNumber}</Link>
                </td>
                <td className="nowrap">{formatDate(row.appliedOn)}</td>
                <td className="num">{undone ? <s><Money minor={row.amountMinor} currency={currency} /></s> : <Money minor={row.amountMinor} currency={currency} />}</td>
                <td>
                  {undone ? <span className="badge">Unapplied {formatDate(undone)}</span> : canUnapply ? <UnapplyForm allocationId={row.id} invoiceNumber={row.invoiceNumber} /> : <span className="badge ok">Applied</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function UnapplyForm({ allocationId, invoiceNumber }: { allocationId: string; invoiceNumber: string | null }) {
  const fetcher = useFetcher<FormFailure>();
  const failure = fetcher.data;
  return (
    <details className="row-action" open={failure ? true : undefined}>
      <summary className="button secondary small">
        <span className="when-closed">Unapply…</span>
        <span className="when-open">Cancel</span>
      </summary>
      <fetcher.Form method="post" noValidate className="row-action-form">
        <input type="hidden" name="intent" value="unapply" />
        <input type="hidden" name="allocationId" value={allocationId} />
        <FormAlert message={failure && !failure.errors.reason ? failure.message : null} />
        <Field label={`Why unapply it from invoice ${invoiceNumber}?`} name="reason" required error={failure?.errors.reason} />
        <button type="submit" className="button small" disabled={fetcher.state !== "idle"}>
          Unapply
        </button>
      </fetcher.Form>
    </details>
  );
}

/** A select of payment methods; the labels come from the server (methodLabels). */
export function MethodField({ label, options, error, defaultValue }: { label: string; options: { value: string; label: string }[]; error?: string; defaultValue?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name="method" defaultValue={defaultValue ?? ""} required aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined}>
        <option value="" disabled>
          Choose…
        </option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {error ? (
        <span className="error" id={`${id}-error`} role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** Pays unapplied money back: from a payment or from a credit note (the page's action decides). */
export function RefundForm({ availableMinor, currency, methods, formKey }: { availableMinor: number; currency: string; methods: { value: string; label: string }[]; formKey: string }) {
  const fetcher = useFetcher<FormFailure>();
  const errors = fetcher.data?.errors ?? {};
  return (
    <fetcher.Form method="post" noValidate key={formKey}>
      <input type="hidden" name="intent" value="refund" />
      <input type="hidden" name="idempotencyKey" value={formKey} />
      <FormAlert message={fetcher.data && !errors.amount && !errors.reason ? fetcher.data.message : null} />
      <Field label={`Amount (${currency})`} name="amount" inputMode="decimal" autoComplete="off" required error={errors.amount} hint={<>Up to <Money minor={availableMinor} currency={currency} /></>} />
      <MethodField label="Refund method" options={methods} error={errors.method} />
      <Field label="Reference" name="reference" autoComplete="off" error={errors.reference} hint="Check number, transfer reference…" />
      <Field label="Reason" name="reason" autoComplete="off" required error={errors.reason} />
      <button type="submit" className="button secondary" disabled={fetcher.state !== "idle"}>
        Record refund
      </button>
    </fetcher.Form>
  );
}

/** Applies what is unapplied (of a payment or a credit note) to open invoices: chosen amounts, or oldest due first. */
export function ApplyForm({ invoices, currency, availableMinor, receivedOn, formKey }: { invoices: OpenInvoiceRow[]; currency: string; availableMinor: number; receivedOn?: string; formKey: string }) {
  const fetcher = useFetcher<FormFailure>();
  const errors = fetcher.data?.errors ?? {};
  if (invoices.length === 0) return <p className="muted">The customer has no open invoices to apply it to.</p>;
  return (
    <fetcher.Form method="post" noValidate key={formKey}>
      <input type="hidden" name="intent" value="apply" />
      <input type="hidden" name="requestKey" value={formKey} />
      <FormAlert message={errors.allocations ?? fetcher.data?.message} />
      <AllocationTable invoices={invoices} currency={currency} availableMinor={availableMinor} availableLabel="unapplied" receivedOn={receivedOn} errors={errors} />
      <div className="actions form-actions">
        <button type="submit" name="applyMode" value="choose" className="button" disabled={fetcher.state !== "idle"}>
          Apply these amounts
        </button>
        <button type="submit" name="applyMode" value="auto" className="button secondary" disabled={fetcher.state !== "idle"}>
          Apply oldest due first
        </button>
      </div>
    </fetcher.Form>
  );
}
