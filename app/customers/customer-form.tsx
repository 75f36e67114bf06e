import { Form, Link } from "@remix-run/react";
import { useEffect, useId, useRef, type ReactNode, type SelectHTMLAttributes } from "react";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { formatBps, toDecimalString } from "~/money/money";
import type { FieldErrors } from "~/utils/validation";

/** What the form starts from: a stored customer when editing, nothing when creating. */
export type CustomerFormValues = {
  accountNumber: string;
  name: string;
  legalName: string | null;
  email: string | null;
  phone: string | null;
  addressLine1: string | null;
  addressLine2: string | null;
  city: string | null;
  region: string | null;
  postalCode: string | null;
  country: string | null;
  currency: string;
  paymentTermsDays: number;
  earlyDiscountBps: number;
  earlyDiscountDays: number;
  creditLimitMinor: number | null;
  creditHold: boolean;
  taxId: string | null;
  externalRef: string | null;
  segment: string | null;
  timeZone: string;
  collectorId: string | null;
};

const commonCurrencies: [string, string][] = [
  ["USD", "US dollar"],
  ["EUR", "Euro"],
  ["GBP", "British pound"],
  ["CAD", "Canadian dollar"],
  ["AUD", "Australian dollar"],
  ["NZD", "New Zealand dollar"],
  ["CHF", "Swiss franc"],
  ["JPY", "Japanese yen"],
  ["SEK", "Swedish krona"],
  ["NOK", "Norwegian krone"],
  ["DKK", "Danish krone"],
  ["PLN", "Polish złoty"],
  ["MXN", "Mexican peso"],
  ["BRL", "Brazilian real"],
  ["INR", "Indian rupee"],
  ["SGD", "Singapore dollar"],
  ["HKD", "Hong Kong dollar"],
  ["ZAR", "South African rand"],
];

/** IANA time zones for the form's suggestions, read on the server so both renders agree. */
export function timeZoneOptions() {
  return ["UTC", ...Intl.supportedValuesOf("timeZone").filter((zone) => zone !== "UTC")];
}

function SelectField({ label, name, error, hint, children, ...select }: SelectHTMLAttributes<HTMLSelectElement> & { label: string; name?: string; error?: string; hint?: ReactNode }) {
  const id = `${name ?? "select"}-${useId()}`;
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...select}>
        {children}
      </select>
      {hint ? (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      {error ? (
        <span className="error" id={`${id}-error`} role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

function Section({ title, children, description }: { title: string; description?: string; children: ReactNode }) {
  return (
    <fieldset className="form-section">
      <legend>{title}</legend>
      {description ? <p className="muted">{description}</p> : null}
      <div className="form-grid">{children}</div>
    </fieldset>
  );
}

/**
 * Every field of customerInputSchema, grouped as AR staff think of an account. Amounts and
 * percentages are typed as people write them; the server parses them in the chosen currency.
 */
export function CustomerForm({
  values,
  errors,
  message,
  collectors,
  timeZones,
  currencyLockedReason,
  nextAccountHint,
  submitLabel,
  cancelTo,
}: {
  values: CustomerFormValues | null;
  errors: FieldErrors;
  message: string | null;
  collectors: { id: string; name: string; inactive?: boolean }[];
  timeZones: string[];
  /** Set when the currency can no longer change, saying why. */
  currencyLockedReason: string | null;
  nextAccountHint: string;
  submitLabel: string;
  cancelTo: string;
}) {
  const v = values;
  const currency = v?.currency ?? "USD";
  const currencies = commonCurrencies.some(([code]) => code === currency) ? commonCurrencies : [[currency, currency] as [string, string], ...commonCurrencies];
  const hasFieldErrors = Object.keys(errors).some((key) => key !== "form");
  const timeZoneListId = `time-zones-${useId()}`;
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    // After a refused save, take the person to the first field that needs them.
    form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errors]);
  return (
    <Form method="post" noValidate className="customer-form" ref={form}>
      <FormAlert message={hasFieldErrors ? "Some fields need attention; nothing was saved." : message} />
      <Section title="Identity">
        <Field label="Name" name="name" defaultValue={v?.name ?? ""} required maxLength={200} autoComplete="organization" error={errors.name} />
        <Field label="Legal name" name="legalName" defaultValue={v?.legalName ?? ""} maxLength={200} error={errors.legalName} hint="If it differs from the name, for invoices and statements." />
        <Field label="Account number" name="accountNumber" defaultValue={v?.accountNumber ?? ""} maxLength={40} autoComplete="off" error={errors.accountNumber} hint={nextAccountHint} />
        <Field label="External reference" name="externalRef" defaultValue={v?.externalRef ?? ""} maxLength={100} autoComplete="off" error={errors.externalRef} hint="The customer's id in your other systems." />
        <Field label="Segment" name="segment" defaultValue={v?.segment ?? ""} maxLength={60} error={errors.segment} hint="A group for reports, like Enterprise or Retail." />
        <Field label="Tax ID" name="taxId" defaultValue={v?.taxId ?? ""} maxLength={50} autoComplete="off" error={errors.taxId} />
      </Section>
      <Section title="Billing contact" description="Invoices, statements and reminders go to the billing email.">
        <Field label="Billing email" name="email" type="email" defaultValue={v?.email ?? ""} maxLength={254} autoComplete="off" error={errors.email} />
        <Field label="Phone" name="phone" type="tel" defaultValue={v?.phone ?? ""} maxLength={40} autoComplete="off" error={errors.phone} />
      </Section>
      <Section title="Address">
        <Field label="Address line 1" name="addressLine1" defaultValue={v?.addressLine1 ?? ""} maxLength={200} autoComplete="off" error={errors.addressLine1} />
        <Field label="Address line 2" name="addressLine2" defaultValue={v?.addressLine2 ?? ""} maxLength={200} autoComplete="off" error={errors.addressLine2} />
        <Field label="City" name="city" defaultValue={v?.city ?? ""} maxLength={100} autoComplete="off" error={errors.city} />
        <Field label="Region" name="region" defaultValue={v?.region ?? ""} maxLength={100} autoComplete="off" error={errors.region} hint="State, province or county." />
        <Field label="Postal code" name="postalCode" defaultValue={v?.postalCode ?? ""} maxLength={20} autoComplete="off" error={errors.postalCode} />
        <Field label="Country" name="country" defaultValue={v?.country ?? ""} maxLength={2} autoComplete="off" className="short" error={errors.country} hint="Two-letter code, like US or GB." />
      </Section>
      <Section title="Terms and credit">
        <Field label="Payment terms (days)" name="paymentTermsDays" inputMode="numeric" defaultValue={String(v?.paymentTermsDays ?? 30)} error={errors.paymentTermsDays} hint="Net days from the invoice date." />
        <Field
          label="Early-payment discount (%)"
          name="earlyDiscountPercent"
          inputMode="decimal"
          defaultValue={v?.earlyDiscountBps ? formatBps(v.earlyDiscountBps).replace("%", "") : ""}
          error={errors.earlyDiscountPercent}
          hint="For 2/10 net 30, enter 2 here and 10 days."
        />
        <Field label="Discount days" name="earlyDiscountDays" inputMode="numeric" defaultValue={v?.earlyDiscountDays ? String(v.earlyDiscountDays) : ""} error={errors.earlyDiscountDays} />
        {currencyLockedReason ? (
          <>
            <input type="hidden" name="currency" value={currency} />
            <SelectField label="Currency" defaultValue={currency} disabled error={errors.currency} hint={currencyLockedReason}>
              <option value={currency}>{currency}</option>
            </SelectField>
          </>
        ) : (
          <SelectField label="Currency" name="currency" defaultValue={currency} error={errors.currency} hint="Invoices, payments and the credit limit are in this currency.">
            {currencies.map(([code, name]) => (
              <option key={code} value={code}>
                {code === name ? code : `${code} · ${name}`}
              </option>
            ))}
          </SelectField>
        )}
        <Field
          label="Credit limit"
          name="creditLimit"
          inputMode="decimal"
          defaultValue={v?.creditLimitMinor != null ? toDecimalString(v.creditLimitMinor, currency) : ""}
          error={errors.creditLimit}
          hint="In the customer's currency; blank for no limit."
        />
        <div className="field checkbox-field">
          <label>
            <input type="checkbox" name="creditHold" defaultChecked={v?.creditHold ?? false} aria-describedby="credit-hold-hint" /> On credit hold
          </label>
          <span className="hint" id="credit-hold-hint">
            Marks the account so no more credit is extended until the hold is lifted.
          </span>
        </div>
      </Section>
      <Section title="Collection">
        <SelectField label="Collector" name="collectorId" defaultValue={v?.collectorId ?? ""} error={errors.collectorId} hint="The clerk who follows up on this account.">
          <option value="">Unassigned</option>
          {collectors.map((c) => (
            <option key={c.id} value={c.id}>
              {c.inactive ? `${c.name} (no longer active)` : c.name}
            </option>
          ))}
        </SelectField>
        <Field label="Time zone" name="timeZone" list={timeZoneListId} defaultValue={v?.timeZone ?? "UTC"} autoComplete="off" error={errors.timeZone} hint="Where the customer is, as a name like America/New_York." />
        <datalist id={timeZoneListId}>
          {timeZones.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
      </Section>
      <div className="actions form-actions">
        <SubmitButton>{submitLabel}</SubmitButton>
        <Link className="button secondary" to={cancelTo}>
          Cancel
        </Link>
      </div>
    </Form>
  );
}
