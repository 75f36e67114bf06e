import { Form } from "@remix-run/react";
import { useState } from "react";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { Money } from "~/components/money";
import { parseAmount, sumMinor } from "~/money/money";
import { formatDate } from "~/utils/format";
import type { FieldErrors } from "~/utils/validation";
import { buildSchedule, frequencyLabels, PLAN_LIMITS, planFrequencies, policyBreaches, termsProblem, type PlanFrequency, type PlanPolicy, type PlanStanding } from "./schedule";

export type PlanInvoiceOption = { id: string; number: string | null; dueDate: string | null; openMinor: number; disputedMinor: number; payableMinor: number; overdue: boolean };

type Props = {
  invoices: PlanInvoiceOption[];
  currency: string;
  policy: PlanPolicy;
  standing: PlanStanding;
  today: string;
  formKey: string;
  errors: FieldErrors;
  message: string | null;
  /** The customer asks in the portal; a clerk proposes in the back office. The copy follows. */
  audience: "portal" | "staff";
  hidden?: Record<string, string>;
};

/**
 * The plan form with a live preview: the schedule and whether it starts at once are computed in
 * the browser by the same functions the server decides with.
 */
export function PlanFields({ invoices, currency, policy, standing, today, formKey, errors, message, audience, hidden = {} }: Props) {
  const [chosen, setChosen] = useState(() => new Set(invoices.map((i) => i.id)));
  const [count, setCount] = useState(String(Math.min(3, policy.planMaxInstalments)));
  const [frequency, setFrequency] = useState<PlanFrequency>("monthly");
  const [firstDate, setFirstDate] = useState(today);
  const [firstAmount, setFirstAmount] = useState("");
  const [payment, setPayment] = useState<"autopay" | "by_hand">("autopay");
  const toggle = (id: string) =>
    setChosen((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const totalMinor = sumMinor(invoices.filter((i) => chosen.has(i.id)).map((i) => i.payableMinor));
  const parsedFirst = firstAmount.trim() === "" ? null : parseAmount(firstAmount, currency);
  const terms = { totalMinor, instalmentCount: Number(count), frequency, firstDate, firstAmountMinor: parsedFirst?.ok ? parsedFirst.amountMinor : null };
  const problem =
    chosen.size === 0
      ? "Choose at least one invoice."
      : !/^\d+$/.test(count.trim())
        ? "Enter the number of instalments."
        : parsedFirst && !parsedFirst.ok
          ? `First payment: ${parsedFirst.message}`
          : !/^\d{4}-\d{2}-\d{2}$/.test(firstDate)
            ? "Choose the first payment date."
            : (termsProblem(terms, currency, today)?.message ?? null);
  const schedule = problem ? [] : buildSchedule(terms);
  const breaches = problem ? [] : policyBreaches({ terms, currency, policy, standing, today });
  const we = audience === "portal" ? "we" : "the policy";
  return (
    <Form method="post" noValidate className="plan-form">
      <input type="hidden" name="idempotencyKey" value={formKey} />
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <div className="plan-columns">
        <div>
          <FormAlert message={message && !Object.keys(errors).some((k) => k !== "form") ? message : null} />
          <section className="card" aria-labelledby="plan-invoices-heading">
            <h2 id="plan-invoices-heading">Invoices in the plan</h2>
            {errors.invoices ? (
              <p className="error" role="alert">
                {errors.invoices}
              </p>
            ) : null}
            <div className="table-wrap">
              <table className="plan-invoice-table">
                <thead>
                  <tr>
                    <th scope="col" className="pick">
                      <input
                        type="checkbox"
                        aria-label="Include every invoice"
                        checked={chosen.size === invoices.length}
                        onChange={() => setChosen(chosen.size === invoices.length ? new Set() : new Set(invoices.map((i) => i.id)))}
                      />
                    </th>
                    <th scope="col">Invoice</th>
                    <th scope="col">Due</th>
                    <th scope="col" className="num">
                      Open
                    </th>
                    <th scope="col" className="num">
                      In the plan
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {invoices.map((invoice) => (
                    <tr key={invoice.id} className={chosen.has(invoice.id) ? "chosen" : undefined}>
                      <td className="pick">
                        <input type="checkbox" id={`plan-invoice-${invoice.id}`} name="invoiceId" value={invoice.id} checked={chosen.has(invoice.id)} onChange={() => toggle(invoice.id)} />
                      </td>
                      <td className="invoice">
                        <label htmlFor={`plan-invoice-${invoice.id}`}>{invoice.number}</label>
                        {invoice.overdue ? <span className="badge danger">Overdue</span> : null}
                      </td>
                      <td data-label="Due" className="nowrap">
                        {formatDate(invoice.dueDate)}
                      </td>
                      <td data-label="Open" className="num">
                        <Money minor={invoice.openMinor} currency={currency} />
                      </td>
                      <td data-label="In the plan" className="num">
                        <Money minor={invoice.payableMinor} currency={currency} />
                        {invoice.disputedMinor > 0 ? (
                          <span className="plan-held">
                            <Money minor={invoice.disputedMinor} currency={currency} /> disputed, on hold
                          </span>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>

          <section className="card" aria-labelledby="plan-terms-heading">
            <h2 id="plan-terms-heading">Instalments</h2>
            <div className="field-grid">
              <Field
                label="Number of instalments"
                name="instalmentCount"
                type="number"
                inputMode="numeric"
                min={PLAN_LIMITS.minInstalments}
                max={PLAN_LIMITS.maxInstalments}
                required
                value={count}
                onChange={(event) => setCount(event.target.value)}
                error={errors.instalmentCount}
                hint={`Up to ${policy.planMaxInstalments} start at once`}
              />
              <div className="field">
                <label htmlFor="plan-frequency">How often</label>
                <select
                  id="plan-frequency"
                  name="frequency"
                  value={frequency}
                  onChange={(event) => setFrequency(event.target.value as PlanFrequency)}
                  aria-invalid={errors.frequency ? true : undefined}
                >
                  {planFrequencies.map((f) => (
                    <option key={f} value={f}>
                      {frequencyLabels[f]}
                    </option>
                  ))}
                </select>
                {errors.frequency ? <span className="error">{errors.frequency}</span> : null}
              </div>
              <Field label="First payment date" name="firstDate" type="date" min={today} required value={firstDate} onChange={(event) => setFirstDate(event.target.value)} error={errors.firstDate} />
              <Field
                label={`Larger first payment (${currency}, optional)`}
                name="firstAmount"
                inputMode="decimal"
                autoComplete="off"
                value={firstAmount}
                onChange={(event) => setFirstAmount(event.target.value)}
                error={errors.firstAmount}
                hint={policy.planMinFirstPercent > 0 ? `At least ${policy.planMinFirstPercent}% of the total starts at once` : "The rest is split evenly"}
              />
            </div>
          </section>

          <section className="card" aria-labelledby="plan-pay-heading">
            <h2 id="plan-pay-heading">{audience === "portal" ? "How you will pay" : "How the customer will pay"}</h2>
            <fieldset className="choice-group">
              <legend className="visually-hidden">How the instalments are paid</legend>
              <label className={`choice${payment === "autopay" ? " selected" : ""}`}>
                <input type="radio" name="payment" value="autopay" checked={payment === "autopay"} onChange={() => setPayment("autopay")} />
                <span>
                  <strong>Automatically</strong>
                  <span className="muted">
                    {audience === "portal" ? "Save a card next and we charge each instalment on its date." : "The customer saves a card in the portal; each instalment is charged on its date."}
                  </span>
                </span>
              </label>
              <label className={`choice${payment === "by_hand" ? " selected" : ""}`}>
                <input type="radio" name="payment" value="by_hand" checked={payment === "by_hand"} onChange={() => setPayment("by_hand")} />
                <span>
                  <strong>By hand</strong>
                  <span className="muted">{audience === "portal" ? "Pay each instalment yourself in the portal by its date." : "The customer pays each instalment in the portal (or by check)."}</span>
                </span>
              </label>
            </fieldset>
            {errors.payment ? <p className="error">{errors.payment}</p> : null}
            <div className="field">
              <label htmlFor="plan-message">{audience === "portal" ? "Message for our team (optional)" : "Note for the approver (optional)"}</label>
              <textarea id="plan-message" name="message" rows={3} maxLength={1000} aria-invalid={errors.message ? true : undefined} aria-describedby="plan-message-hint" />
              <span className="hint" id="plan-message-hint">
                {audience === "portal" ? "Read when the plan needs approval: tell us what you can pay and why." : "Shown with the plan when it needs an admin's approval."}
              </span>
              {errors.message ? <span className="error">{errors.message}</span> : null}
            </div>
          </section>
        </div>

        <aside className="card plan-preview" aria-labelledby="plan-preview-heading">
          <h2 id="plan-preview-heading">{audience === "portal" ? "Your plan" : "The plan"}</h2>
          <div aria-live="polite">
            <dl className="details plan-total">
              <dt>Total</dt>
              <dd>
                <Money minor={totalMinor} currency={currency} />
              </dd>
            </dl>
            {problem ? (
              <p className="plan-verdict problem">{problem}</p>
            ) : breaches.length === 0 ? (
              <p className="plan-verdict ok">
                <strong>Starts at once.</strong> {audience === "portal" ? "It is inside our plan policy." : "It is inside the plan policy."}
              </p>
            ) : (
              <div className="plan-verdict review">
                <p>
                  <strong>{audience === "portal" ? "Our team will review it" : "Needs an admin's approval"}</strong>, because:
                </p>
                <ul>
                  {breaches.map((b) => (
                    <li key={b}>{b}</li>
                  ))}
                </ul>
                <p className="muted">{audience === "portal" ? `Until ${we} approve it, the invoices stay due as they are.` : "Until then the invoices stay in normal collections."}</p>
              </div>
            )}
            {schedule.length > 0 ? (
              <ol className="plan-schedule-preview">
                {schedule.map((s) => (
                  <li key={s.seq}>
                    <span>{formatDate(s.dueDate)}</span>
                    <Money minor={s.amountMinor} currency={currency} />
                  </li>
                ))}
              </ol>
            ) : null}
          </div>
          <SubmitButton className="button block">{breaches.length > 0 && !problem ? "Ask for this plan" : audience === "portal" ? "Set up the plan" : "Create the plan"}</SubmitButton>
        </aside>
      </div>
    </Form>
  );
}
