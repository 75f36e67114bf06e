import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useId, type ReactNode } from "react";
import { z } from "zod";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { NothingHere } from "~/components/reconciliation-ui";
import { bankCsvMappingSchema } from "~/reconciliation/bank/bank-csv";
import { listBankMappings, saveBankMapping } from "~/reconciliation/bank-import.server";
import { runDomain } from "~/utils/action.server";
import { formatDateTime } from "~/utils/format";
import type { FieldErrors } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "CSV column mappings · Reconciliation · Settle back office" }];

/** The mapping as the form shows it: every field a string, remittance columns comma-separated. */
type MappingForm = {
  name: string;
  delimiter: string;
  hasHeader: boolean;
  dateColumn: string;
  dateFormat: string;
  amountColumn: string;
  creditColumn: string;
  debitColumn: string;
  decimalSeparator: string;
  currencyColumn: string;
  currency: string;
  payerColumn: string;
  payerAccountColumn: string;
  remittanceColumns: string;
  referenceColumn: string;
  valueDateColumn: string;
};

const textFields = ["dateColumn", "amountColumn", "creditColumn", "debitColumn", "currencyColumn", "currency", "payerColumn", "payerAccountColumn", "referenceColumn", "valueDateColumn"] as const;

const blankForm: MappingForm = {
  name: "",
  delimiter: "",
  hasHeader: true,
  dateColumn: "",
  dateFormat: "YYYY-MM-DD",
  amountColumn: "",
  creditColumn: "",
  debitColumn: "",
  decimalSeparator: ".",
  currencyColumn: "",
  currency: "",
  payerColumn: "",
  payerAccountColumn: "",
  remittanceColumns: "",
  referenceColumn: "",
  valueDateColumn: "",
};

function toForm(name: string, stored: unknown): MappingForm {
  const m = (stored && typeof stored === "object" ? stored : {}) as Record<string, unknown>;
  const text = (key: string) => (typeof m[key] === "string" ? (m[key] as string) : "");
  return {
    ...blankForm,
    name,
    delimiter: text("delimiter"),
    hasHeader: m.hasHeader !== false,
    dateFormat: text("dateFormat") || blankForm.dateFormat,
    decimalSeparator: text("decimalSeparator") || blankForm.decimalSeparator,
    remittanceColumns: Array.isArray(m.remittanceColumns) ? m.remittanceColumns.join(", ") : "",
    ...Object.fromEntries(textFields.map((key) => [key, text(key)])),
  };
}

const searchSchema = z.object({ edit: z.uuid().optional().catch(undefined) });

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const { edit } = searchSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const mappings = await listBankMappings();
  const editing = edit ? mappings.find((m) => m.id === edit) : undefined;
  return {
    mappings: mappings.map((m) => ({ id: m.id, name: m.name, updatedAt: m.updatedAt, summary: summarize(m.mapping) })),
    editing: editing ? { id: editing.id, form: toForm(editing.name, editing.mapping) } : null,
    dateFormats: bankCsvMappingSchema.shape.dateFormat.options as readonly string[],
    canEdit: hasRole(user, "clerk"),
  };
}

function summarize(stored: unknown) {
  const m = toForm("", stored);
  const amount = m.amountColumn ? `amount in “${m.amountColumn}”` : `credit “${m.creditColumn}”, debit “${m.debitColumn}”`;
  return `Date “${m.dateColumn}” (${m.dateFormat}), ${amount}, ${m.currency || `currency in “${m.currencyColumn}”`}`;
}

// Form fields are read as text; what they must hold is the domain's to say (bankCsvMappingSchema),
// so a bad mapping is refused by saveBankMapping with the field named.
const formSchema = z.object({
  name: z.string().default(""),
  delimiter: z.string().default(""),
  hasHeader: z.string().optional(),
  dateFormat: z.string().default(""),
  decimalSeparator: z.string().default(""),
  remittanceColumns: z.string().default(""),
  ...Object.fromEntries(textFields.map((key) => [key, z.string().default("")])),
});

export async function action({ request }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "clerk");
  const raw = formSchema.parse(Object.fromEntries(await request.formData())) as Record<string, string | undefined>;
  const optional = (key: string) => raw[key]?.trim() || undefined;
  const mapping = {
    delimiter: raw.delimiter === "tab" ? "\t" : optional("delimiter"),
    hasHeader: raw.hasHeader === "yes",
    dateColumn: raw.dateColumn ?? "",
    dateFormat: raw.dateFormat ?? "",
    amountColumn: optional("amountColumn"),
    creditColumn: optional("creditColumn"),
    debitColumn: optional("debitColumn"),
    decimalSeparator: raw.decimalSeparator ?? "",
    currencyColumn: optional("currencyColumn"),
    currency: optional("currency"),
    payerColumn: optional("payerColumn"),
    payerAccountColumn: optional("payerAccountColumn"),
    remittanceColumns: (raw.remittanceColumns ?? "")
      .split(",")
      .map((c) => c.trim())
      .filter(Boolean),
    referenceColumn: optional("referenceColumn"),
    valueDateColumn: optional("valueDateColumn"),
  };
  const result = await runDomain(() => saveBankMapping({ name: raw.name ?? "", mapping }, { type: "staff", id: user.id, label: user.email }));
  if (!result.ok) {
    // "remittanceColumns.1" is shown on the remittanceColumns field.
    const errors: FieldErrors = Object.fromEntries(Object.entries(result.response.data.errors).map(([key, value]) => [key.split(".")[0]!, value]));
    return data({ ok: false as const, errors, message: result.response.data.message, values: raw }, { status: result.response.init?.status === 422 ? 400 : (result.response.init?.status ?? 400) });
  }
  throw redirect(`/staff/reconciliation/bank/mappings?saved=${encodeURIComponent(result.value.name)}`);
}

export default function BankMappings() {
  const { mappings, editing, dateFormats, canEdit } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const saved = params.get("saved");
  const errors: FieldErrors = actionData?.errors ?? {};
  const values: MappingForm = actionData
    ? { ...blankForm, ...(actionData.values as Partial<Record<keyof MappingForm, string>>), hasHeader: actionData.values.hasHeader === "yes" }
    : (editing?.form ?? blankForm);
  const shownMessage = actionData?.message && !Object.values(errors).includes(actionData.message) ? actionData.message : null;
  const formKey = actionData ? "failed" : (editing?.id ?? "new");
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/staff/reconciliation/bank">Bank statements</Link> / CSV column mappings
          </p>
          <h1>CSV column mappings</h1>
          <p>Every bank lays out its CSV export differently. A mapping tells Settle which column holds what; save one per bank, then choose it when you import.</p>
        </div>
      </header>
      <FormAlert tone="ok" message={saved ? `Saved the mapping “${saved}”.` : null} />
      <div className="two-col">
        <section className="card" aria-labelledby="form-heading">
          <h2 id="form-heading">{editing && !actionData ? `Edit “${editing.form.name}”` : "New mapping"}</h2>
          {canEdit ? (
            <Form method="post" noValidate key={formKey} className="mapping-form">
              <FormAlert message={shownMessage} />
              <Field label="Bank (the mapping's name)" name="name" defaultValue={values.name} required error={errors.name} hint="Saving under an existing name replaces that mapping." />
              <fieldset>
                <legend>The file</legend>
                <Choice label="Separator" name="delimiter" defaultValue={values.delimiter === "\t" ? "tab" : values.delimiter} error={errors.delimiter} options={[["", "Detect it"], [",", "Comma"], [";", "Semicolon"], ["tab", "Tab"]]} />
                <div className="field checkbox-field">
                  <label>
                    <input type="checkbox" name="hasHeader" value="yes" defaultChecked={values.hasHeader} /> The first row names the columns
                  </label>
                  <span className="hint">Without a header row, give columns by number: 1, 2, 3…</span>
                </div>
                <Choice label="Decimal separator" name="decimalSeparator" defaultValue={values.decimalSeparator} error={errors.decimalSeparator} options={[[".", "Point (1,234.56)"], [",", "Comma (1.234,56)"]]} />
              </fieldset>
              <fieldset>
                <legend>Date and amount</legend>
                <Field label="Date column (dateColumn)" name="dateColumn" defaultValue={values.dateColumn} required error={errors.dateColumn} />
                <Choice label="Date format (dateFormat)" name="dateFormat" defaultValue={values.dateFormat} error={errors.dateFormat} options={dateFormats.map((f) => [f, f])} />
                <Field label="Value date column (valueDateColumn, optional)" name="valueDateColumn" defaultValue={values.valueDateColumn} error={errors.valueDateColumn} />
                <Field
                  label="Amount column (amountColumn)"
                  name="amountColumn"
                  defaultValue={values.amountColumn}
                  error={errors.amountColumn}
                  hint="One signed amount column; or leave it empty and give both a credit and a debit column."
                />
                <Field label="Credit column (creditColumn)" name="creditColumn" defaultValue={values.creditColumn} error={errors.creditColumn} />
                <Field label="Debit column (debitColumn)" name="debitColumn" defaultValue={values.debitColumn} error={errors.debitColumn} />
                <Field label="Currency (currency)" name="currency" defaultValue={values.currency} error={errors.currency} hint="A code like EUR when the whole file is in one currency; or leave it empty and name the currency column." autoComplete="off" />
                <Field label="Currency column (currencyColumn)" name="currencyColumn" defaultValue={values.currencyColumn} error={errors.currencyColumn} />
              </fieldset>
              <fieldset>
                <legend>Who paid and why</legend>
                <Field label="Payer name column (payerColumn, optional)" name="payerColumn" defaultValue={values.payerColumn} error={errors.payerColumn} />
                <Field label="Payer account column (payerAccountColumn, optional)" name="payerAccountColumn" defaultValue={values.payerAccountColumn} error={errors.payerAccountColumn} />
                <Field
                  label="Remittance columns (remittanceColumns)"
                  name="remittanceColumns"
                  defaultValue={values.remittanceColumns}
                  error={errors.remittanceColumns}
                  hint="The columns with the payment's text, comma-separated; Settle reads invoice numbers from them."
                />
                <Field label="Bank reference column (referenceColumn, optional)" name="referenceColumn" defaultValue={values.referenceColumn} error={errors.referenceColumn} />
              </fieldset>
              <div className="actions form-actions">
                <SubmitButton>Save mapping</SubmitButton>
                {editing ? (
                  <Link className="button secondary" to="/staff/reconciliation/bank/mappings">
                    New mapping instead
                  </Link>
                ) : null}
              </div>
            </Form>
          ) : (
            <p className="muted">Saving mappings needs the clerk role.</p>
          )}
        </section>
        <section className="card" aria-labelledby="saved-heading">
          <h2 id="saved-heading">Saved mappings</h2>
          {mappings.length === 0 ? (
            <NothingHere>No mapping yet. camt.053 files need none.</NothingHere>
          ) : (
            <ul className="mapping-list">
              {mappings.map((m) => (
                <li key={m.id}>
                  <strong>{m.name}</strong>
                  {canEdit ? (
                    <>
                      {" "}
                      <Link to={`?edit=${m.id}`} aria-label={`Edit the mapping ${m.name}`}>
                        Edit
                      </Link>
                    </>
                  ) : null}
                  <div className="muted small-print">{m.summary}</div>
                  <div className="muted small-print">Saved {formatDateTime(m.updatedAt)}</div>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}

function Choice({ label, name, defaultValue, error, options }: { label: string; name: string; defaultValue: string; error?: string; options: (readonly [string, ReactNode])[] }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} defaultValue={defaultValue} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined}>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
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

export const ErrorBoundary = GeneralErrorBoundary;
