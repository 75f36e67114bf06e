import { useEffect, useRef, useState } from "react";
import { Field, SubmitButton } from "~/components/forms";
import { Money } from "~/components/money";
import { invoiceTotals, priceLine, type PricedLine } from "~/ledger/invoice-math";
import { blankLine, lineFieldName, quantityOrOne, type InvoiceFormValues, type LineValues } from "~/ledger/invoice-form";
import { parseAmount, parsePercentToBps, parseQuantity } from "~/money/money";
import { addDays, isIsoDate } from "~/utils/dates";
import { formatTerms } from "~/utils/format";
import type { FieldErrors } from "~/utils/validation";

type Terms = { paymentTermsDays: number; earlyDiscountBps: number; earlyDiscountDays: number };

/** Rows for a form shown without JavaScript: what is there plus blank rows to type into. */
export function withBlankRows(lines: LineValues[], atLeast = 3): LineValues[] {
  const blanks = Math.max(1, atLeast - lines.length);
  return [...lines, ...Array.from({ length: blanks }, blankLine)];
}

/** The preview's price of a row, or null while it is blank or not yet a valid line. */
function previewLine(row: LineValues, currency: string): PricedLine | null {
  const quantity = parseQuantity(quantityOrOne(row.quantity));
  const price = parseAmount(row.unitPrice, currency);
  const tax = row.taxRate.trim() === "" ? ({ ok: true, bps: 0 } as const) : parsePercentToBps(row.taxRate);
  if (!row.unitPrice.trim() || !quantity.ok || !price.ok || !tax.ok || price.amountMinor <= 0) return null;
  try {
    return priceLine({ description: row.description, quantityMilli: quantity.quantityMilli, unitPriceMinor: price.amountMinor, taxRateBps: tax.bps });
  } catch {
    return null;
  }
}

/** Totals of the rows priced so far; null when they overflow what an amount can hold. */
function previewTotals(priced: (PricedLine | null)[]) {
  try {
    return invoiceTotals(priced.filter((line): line is PricedLine => line !== null));
  } catch {
    return null;
  }
}

const lineFields = ["description", "quantity", "unitPrice", "taxRate"] as const;
const fieldLabels: Record<keyof LineValues, string> = { description: "Description", quantity: "Quantity", unitPrice: "Unit price", taxRate: "Tax rate %" };

/**
 * Invoice lines with a live totals preview. The preview is arithmetic for the person typing; the
 * server prices the lines again from the raw inputs and never reads a total from the form.
 * Without JavaScript the rows it was given still submit (blank rows are ignored).
 */
export function InvoiceLinesEditor({ currency, lines, errors }: { currency: string; lines: LineValues[]; errors: FieldErrors }) {
  const nextKey = useRef(lines.length);
  const [rows, setRows] = useState(() => lines.map((values, key) => ({ key, values })));
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);

  const update = (key: number, field: keyof LineValues, value: string) =>
    setRows((current) => current.map((row) => (row.key === key ? { ...row, values: { ...row.values, [field]: value } } : row)));
  const priced = rows.map((row) => previewLine(row.values, currency));
  const totals = previewTotals(priced);

  return (
    <fieldset className="lines-editor">
      <legend>Lines</legend>
      <div className="line-grid line-head" aria-hidden="true">
        <span>Description</span>
        <span>Quantity</span>
        <span>Unit price ({currency})</span>
        <span>Tax %</span>
        <span className="num">Amount</span>
        <span />
      </div>
      {rows.map((row, index) => (
        <div className="line-grid line-row" key={row.key} role="group" aria-label={`Line ${index + 1}`}>
          {lineFields.map((field) => {
            const id = `line-${row.key}-${field}`;
            const error = errors[lineFieldName(index, field)];
            return (
              <div className={`line-cell ${field}`} key={field}>
                <label htmlFor={id} className="line-label">
                  {fieldLabels[field]}
                  <span className="visually-hidden"> on line {index + 1}</span>
                </label>
                <input
                  id={id}
                  name={lineFieldName(index, field)}
                  defaultValue={row.values[field]}
                  inputMode={field === "description" ? undefined : "decimal"}
                  placeholder={field === "quantity" ? "1" : field === "taxRate" ? "0" : undefined}
                  autoComplete="off"
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? `${id}-error` : undefined}
                  onChange={(event) => update(row.key, field, event.currentTarget.value)}
                />
              </div>
            );
          })}
          <div className="line-cell amount num">
            <span className="line-label" aria-hidden="true">
              Amount
            </span>
            {priced[index] ? <Money minor={priced[index].netMinor} currency={currency} /> : <span className="muted">—</span>}
          </div>
          <div className="line-cell remove">
            {hydrated && rows.length > 1 ? (
              <button type="button" className="button secondary small" onClick={() => setRows((current) => current.filter((r) => r.key !== row.key))}>
                Remove<span className="visually-hidden"> line {index + 1}</span>
              </button>
            ) : null}
          </div>
          {lineFields.some((field) => errors[lineFieldName(index, field)]) ? (
            <ul className="line-errors">
              {lineFields.map((field) => {
                const error = errors[lineFieldName(index, field)];
                return error ? (
                  <li key={field} id={`line-${row.key}-${field}-error`}>
                    {error}
                  </li>
                ) : null;
              })}
            </ul>
          ) : null}
        </div>
      ))}
      {errors.lines ? (
        <p className="error" role="alert">
          {errors.lines}
        </p>
      ) : null}
      <div className="lines-foot">
        {hydrated ? (
          <button type="button" className="button secondary small" onClick={() => setRows((current) => [...current, { key: nextKey.current++, values: blankLine() }])}>
            Add line
          </button>
        ) : (
          <span className="muted">Blank rows are ignored.</span>
        )}
        <dl className="details totals sum">
          <dt>Subtotal</dt>
          <dd>{totals ? <Money minor={totals.subtotalMinor} currency={currency} /> : "—"}</dd>
          <dt>Tax</dt>
          <dd>{totals ? <Money minor={totals.taxMinor} currency={currency} /> : "—"}</dd>
          <dt className="grand">Total</dt>
          <dd className="grand">{totals ? <Money minor={totals.totalMinor} currency={currency} /> : "—"}</dd>
        </dl>
      </div>
    </fieldset>
  );
}

/** The whole invoice form body, shared by the new and edit pages. */
export function InvoiceFormFields({
  currency,
  terms,
  today,
  values,
  errors,
  message,
}: {
  currency: string;
  terms: Terms;
  today: string;
  values: InvoiceFormValues;
  errors: FieldErrors;
  message?: string | null;
}) {
  const [issueDate, setIssueDate] = useState(values.issueDate);
  const from = isIsoDate(issueDate) ? issueDate : today;
  const problems = [...new Set([message, ...Object.values(errors)].filter((text): text is string => Boolean(text)))];
  return (
    <>
      {problems.length > 0 ? (
        <div className="alert error" role="alert">
          <strong>The invoice was not saved.</strong>
          <ul className="problems">
            {problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <InvoiceLinesEditor currency={currency} lines={values.lines} errors={errors} />
      <div className="invoice-meta">
        <Field
          label="Issue date"
          name="issueDate"
          type="date"
          defaultValue={values.issueDate}
          onChange={(event) => setIssueDate(event.currentTarget.value)}
          error={errors.issueDate}
          hint="Blank: the day it is issued."
        />
        <Field
          label="Due date"
          name="dueDate"
          type="date"
          defaultValue={values.dueDate}
          error={errors.dueDate}
          hint={`Blank: ${formatTerms(terms)}, due ${addDays(from, terms.paymentTermsDays)}.`}
        />
        <Field label="PO number" name="poNumber" defaultValue={values.poNumber} autoComplete="off" error={errors.poNumber} />
      </div>
      <div className="field">
        <label htmlFor="invoice-memo">Memo</label>
        <textarea
          id="invoice-memo"
          name="memo"
          rows={3}
          defaultValue={values.memo}
          aria-invalid={errors.memo ? true : undefined}
          aria-describedby={errors.memo ? "invoice-memo-error" : undefined}
        />
        {errors.memo ? (
          <span className="error" id="invoice-memo-error">
            {errors.memo}
          </span>
        ) : null}
      </div>
      <div className="actions">
        <SubmitButton name="intent" value="draft" className="button secondary">
          Save draft
        </SubmitButton>
        <SubmitButton name="intent" value="issue">
          Save and issue
        </SubmitButton>
      </div>
    </>
  );
}
