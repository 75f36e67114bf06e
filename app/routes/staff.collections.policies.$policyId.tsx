import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { z } from "zod";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { archivePolicy, getPolicy, policyDisplayCurrency, savePolicy } from "~/collections/policies.server";
import { actionLabels, reminderTones, stepActions, toneLabels } from "~/collections/policy";
import {
  blankStep,
  MAX_STEPS,
  parsePolicyForm,
  parseStepRow,
  policyToForm,
  readPolicyForm,
  readStepRows,
  stepFieldName,
  timelineWords,
  type PolicyFormValues,
  type StepField,
  type StepFormValues,
} from "~/collections/policy-form";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { runDomain } from "~/utils/action.server";
import { formatDateTime } from "~/utils/format";
import { forbidden, invariantResponse } from "~/utils/responses.server";
import type { FieldErrors } from "~/utils/validation";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.policy?.name ?? "New dunning policy"} · Collections · Settle back office` }];

const policyIdSchema = z.union([z.literal("new"), z.uuid()]);

function policyIdOf(params: unknown) {
  const parsed = z.object({ policyId: policyIdSchema }).safeParse(params);
  invariantResponse(parsed.success, "Policy not found");
  return parsed.data.policyId === "new" ? null : parsed.data.policyId;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const policyId = policyIdOf(params);
  const isAdmin = hasRole(user, "admin");
  if (!policyId && !isAdmin) forbidden("Only an admin can create a dunning policy.");
  const policy = policyId ? await getPolicy(policyId) : null;
  invariantResponse(!policyId || policy, "Policy not found");
  const currency = await policyDisplayCurrency();
  return {
    policy: policy
      ? {
          id: policy.id,
          name: policy.name,
          description: policy.description,
          isDefault: policy.isDefault,
          segments: policy.segments,
          archivedAt: policy.archivedAt,
          updatedAt: policy.updatedAt,
          accountCount: policy.accountCount,
          timeline: timelineWords(policy.steps, currency),
        }
      : null,
    values: policyToForm(policy),
    canEdit: isAdmin && !policy?.archivedAt,
    currency,
    saved: new URL(request.url).searchParams.has("saved"),
  };
}

type EditorResponse = { ok: boolean; intent: string; values: PolicyFormValues | null; errors: FieldErrors; message: string | null; revision: string };

const intentSchema = z.union([z.enum(["save", "add-step", "archive"]), z.string().regex(/^remove-step:\d{1,2}$/)]);

export async function action({ request, params }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "admin");
  const policyId = policyIdOf(params);
  const formData = await request.formData();
  const intent = intentSchema.catch("save").parse(formData.get("intent") ?? "save");
  const actor = { type: "staff" as const, id: user.id, label: user.email };
  const reply = (body: Omit<EditorResponse, "revision">, status = 200) => data<EditorResponse>({ ...body, revision: crypto.randomUUID() }, { status });

  if (intent === "archive") {
    invariantResponse(policyId, "Policy not found");
    const result = await runDomain(() => archivePolicy(policyId, actor));
    if (!result.ok) return reply({ ok: false, intent, values: null, errors: {}, message: result.response.data.message }, result.response.init?.status ?? 409);
    throw redirect(`/staff/collections/policies/${policyId}`);
  }

  // Adding or removing a row without JavaScript: the form comes back as typed, one row more or less.
  const values = readPolicyForm(formData);
  if (intent === "add-step") {
    if (values.steps.length < MAX_STEPS) values.steps.push(blankStep());
    return reply({ ok: true, intent, values, errors: {}, message: null });
  }
  if (intent.startsWith("remove-step:")) {
    values.steps.splice(Number(intent.slice("remove-step:".length)), 1);
    return reply({ ok: true, intent, values, errors: {}, message: null });
  }

  const parsed = parsePolicyForm(formData);
  if (!parsed.ok) return reply({ ok: false, intent, values, errors: parsed.errors, message: parsed.message }, 400);
  const result = await runDomain(() => savePolicy({ ...parsed.data, id: policyId }, actor));
  if (!result.ok) {
    const { errors, message } = result.response.data;
    return reply({ ok: false, intent, values, errors, message }, result.response.init?.status ?? 422);
  }
  throw redirect(`/staff/collections/policies/${result.value.id}?saved=1`);
}

export default function PolicyPage() {
  const { policy, values, canEdit, currency, saved } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const failed = actionData && !actionData.ok ? actionData : null;
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/staff/collections/policies">Dunning policies</Link> / {policy ? policy.name : "New"}
          </p>
          <h1 className="title-with-badge">
            {policy ? policy.name : "New dunning policy"} {policy?.isDefault ? <span className="badge brand">Default</span> : null}
            {policy?.archivedAt ? <span className="badge">Archived</span> : null}
          </h1>
          {policy ? <p className="muted">Last changed {formatDateTime(policy.updatedAt)}</p> : <p>Steps run relative to each invoice's due date, each at most once per invoice.</p>}
        </div>
      </header>
      <FormAlert tone="ok" message={saved && !actionData ? "Policy saved." : null} />
      {failed?.intent === "archive" ? <FormAlert message={failed.message} /> : null}
      {policy?.archivedAt ? <FormAlert tone="info" message={`Archived ${formatDateTime(policy.archivedAt)}. No customer follows it any more; it is kept for the run log.`} /> : null}
      {canEdit ? (
        <PolicyEditor
          key={actionData?.revision ?? "loaded"}
          values={actionData?.values ?? values}
          errors={failed?.errors ?? {}}
          message={failed && failed.intent !== "archive" ? failed.message : null}
          currency={currency}
          lockedDefault={Boolean(policy?.isDefault)}
        />
      ) : policy ? (
        <PolicyView policy={policy} />
      ) : null}
      {canEdit && policy && !policy.isDefault ? (
        <section className="card" aria-labelledby="archive-heading" style={{ maxWidth: 640, marginTop: "1.5rem" }}>
          <h2 id="archive-heading">Archive</h2>
          <details className="action-panel">
            <summary>Archive this policy</summary>
            <Form method="post">
              <input type="hidden" name="intent" value="archive" />
              <p className="muted">
                No customer will follow it any more.
                {policy.accountCount > 0
                  ? ` The ${policy.accountCount} account${policy.accountCount === 1 ? "" : "s"} chosen for it by hand go back to their segment's policy or the default.`
                  : ""}
                {policy.segments.length > 0 ? " Its segments go to the default unless another policy takes them." : ""} Steps it already took stay in the run log.
              </p>
              <SubmitButton className="button danger small">Archive policy</SubmitButton>
            </Form>
          </details>
        </section>
      ) : null}
    </>
  );
}

type LoadedPolicy = NonNullable<ReturnType<typeof useLoaderData<typeof loader>>["policy"]>;

function PolicyView({ policy }: { policy: LoadedPolicy }) {
  return (
    <div className="two-col">
      <section className="card" aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Steps</h2>
        <Timeline lines={policy.timeline} />
      </section>
      <section className="card" aria-labelledby="details-heading">
        <h2 id="details-heading">Applies to</h2>
        <dl className="details">
          <dt>Default</dt>
          <dd>{policy.isDefault ? "Yes: every customer without a policy of its own or of its segment" : "No"}</dd>
          <dt>Segments</dt>
          <dd>{policy.segments.length ? policy.segments.join(", ") : "—"}</dd>
          <dt>Accounts chosen by hand</dt>
          <dd>{policy.accountCount}</dd>
          {policy.description ? (
            <>
              <dt>Description</dt>
              <dd>{policy.description}</dd>
            </>
          ) : null}
        </dl>
        <p className="muted small-print">Only an admin can change a dunning policy.</p>
      </section>
    </div>
  );
}

function Timeline({ lines }: { lines: string[] }) {
  if (lines.length === 0) return <p className="muted">No steps: customers on this policy get no reminders, fees or holds.</p>;
  return (
    <ol className="policy-timeline" style={{ margin: 0, paddingLeft: "1.2rem", display: "grid", gap: "0.3rem" }}>
      {lines.map((line, i) => (
        <li key={i}>{line}</li>
      ))}
    </ol>
  );
}

/** The timeline of the rows that read as steps so far; the rest wait until they are complete. */
const previewOf = (rows: StepFormValues[], currency: string | null) =>
  timelineWords(
    rows.flatMap((row, i) => {
      const parsed = parseStepRow(row, i);
      return parsed.ok ? [parsed.step] : [];
    }),
    currency,
  );

type Row = { key: number; values: StepFormValues };

/**
 * The editor. Rows are added and removed in the browser; without JavaScript the "Add step" and
 * "Remove" buttons post the form, which comes back as typed with the row added or removed.
 */
function PolicyEditor({ values, errors: postedErrors, message, currency, lockedDefault }: { values: PolicyFormValues; errors: FieldErrors; message: string | null; currency: string | null; lockedDefault: boolean }) {
  const formRef = useRef<HTMLFormElement>(null);
  const nextKey = useRef(values.steps.length);
  const [rows, setRows] = useState<Row[]>(() => values.steps.map((step, key) => ({ key, values: step })));
  // Errors name rows by position: once a row is added or removed they no longer point at the right one.
  const [errors, setErrors] = useState(postedErrors);
  const [preview, setPreview] = useState(() => previewOf(values.steps, currency));
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);

  const refreshPreview = () => {
    if (formRef.current) setPreview(previewOf(readStepRows(new FormData(formRef.current)), currency));
  };
  useEffect(refreshPreview, [rows]);

  const setRowField = (key: number, field: StepField, value: string) => setRows((current) => current.map((row) => (row.key === key ? { ...row, values: { ...row.values, [field]: value } } : row)));
  const addRow = () => {
    setRows((current) => [...current, { key: nextKey.current++, values: blankStep() }]);
    setErrors((current) => ({ ...current, ...stepErrorsCleared(current) }));
  };
  const removeRow = (key: number) => {
    setRows((current) => current.filter((row) => row.key !== key));
    setErrors((current) => ({ ...current, ...stepErrorsCleared(current) }));
  };

  const problems = [...new Set([message, ...Object.values(errors)].filter((text): text is string => Boolean(text)))];
  return (
    <Form method="post" noValidate ref={formRef} onChange={refreshPreview} className="policy-form">
      {/* Enter in a field saves; it must never press a row's "Remove". */}
      <button type="submit" name="intent" value="save" className="visually-hidden" tabIndex={-1} aria-hidden="true">
        Save
      </button>
      {problems.length > 0 ? (
        <div className="alert error" role="alert">
          <strong>The policy was not saved.</strong>
          <ul className="problems">
            {problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="plan-columns">
        <div>
          <section className="card" aria-labelledby="policy-heading">
            <h2 id="policy-heading">Policy</h2>
            <Field label="Name" name="name" defaultValue={values.name} required maxLength={100} autoComplete="off" error={errors.name} />
            <TextArea label="Description" name="description" defaultValue={values.description} error={errors.description} hint="For staff: when to use this policy." />
            <Field
              label="Segments"
              name="segments"
              defaultValue={values.segments}
              autoComplete="off"
              error={errors.segments}
              hint="Customers in these segments follow this policy unless their account names another. Separate with commas; a segment follows one policy only."
            />
            <div className="field">
              {lockedDefault ? (
                <>
                  <input type="hidden" name="isDefault" value="on" />
                  <label className="checkbox">
                    <input type="checkbox" checked disabled readOnly /> Default policy
                  </label>
                  <span className="hint">This is the default. To change that, make another policy the default.</span>
                </>
              ) : (
                <>
                  <label className="checkbox">
                    <input type="checkbox" name="isDefault" defaultChecked={values.isDefault} aria-describedby="default-hint" /> Make this the default policy
                  </label>
                  <span className="hint" id="default-hint">
                    The default is for every customer without a policy of its own or of its segment. The current default stops being it.
                  </span>
                </>
              )}
              {errors.isDefault ? <span className="error">{errors.isDefault}</span> : null}
            </div>
          </section>

          <section className="card" aria-labelledby="steps-heading">
            <h2 id="steps-heading">Steps</h2>
            <p className="muted small-print">
              Days count from each invoice's due date. Only emails can come before it. One customer gets at most one reminder email a day: the sternest due that day, listing all their overdue
              invoices.
            </p>
            {rows.length === 0 ? <p className="muted">No steps: customers on this policy get no reminders, fees or holds.</p> : null}
            {rows.map((row, index) => (
              <StepRow
                key={row.key}
                index={index}
                row={row}
                errors={errors}
                showAll={!hydrated}
                onField={(field, value) => setRowField(row.key, field, value)}
                onRemove={() => removeRow(row.key)}
              />
            ))}
            {errors.steps ? (
              <p className="error" role="alert">
                {errors.steps}
              </p>
            ) : null}
            {rows.length < MAX_STEPS ? (
              <button
                type="submit"
                name="intent"
                value="add-step"
                className="button secondary small"
                onClick={(event) => {
                  event.preventDefault();
                  addRow();
                }}
              >
                Add step
              </button>
            ) : (
              <p className="muted">A policy can have at most {MAX_STEPS} steps.</p>
            )}
          </section>
          <div className="actions">
            <SubmitButton name="intent" value="save">
              Save policy
            </SubmitButton>
            <Link className="button secondary" to="/staff/collections/policies">
              Cancel
            </Link>
          </div>
        </div>
        <aside className="card plan-preview" aria-labelledby="preview-heading">
          <h2 id="preview-heading">Timeline</h2>
          <div aria-live="polite">
            <Timeline lines={preview} />
          </div>
        </aside>
      </div>
    </Form>
  );
}

const stepErrorsCleared = (errors: FieldErrors): FieldErrors => Object.fromEntries(Object.keys(errors).filter((key) => key.startsWith("steps")).map((key) => [key, undefined]));

function StepRow({
  index,
  row,
  errors,
  showAll,
  onField,
  onRemove,
}: {
  index: number;
  row: Row;
  errors: FieldErrors;
  showAll: boolean;
  onField: (field: StepField, value: string) => void;
  onRemove: () => void;
}) {
  const { values } = row;
  const name = (field: StepField) => stepFieldName(index, field);
  const error = (field: StepField) => errors[name(field)];
  const props = (field: StepField) => ({ name: name(field), label: field, error: error(field), defaultValue: values[field] });
  const shows = (action: string) => showAll || values.action === action;
  const feeShows = (type: string) => showAll || values.feeType === type;
  return (
    <fieldset className="policy-step" style={{ border: "1px solid var(--line)", borderRadius: 6, padding: "0.75rem 1rem 0.25rem", margin: "0 0 0.75rem" }}>
      <legend style={{ fontWeight: 600, padding: "0 0.3rem" }}>Step {index + 1}</legend>
      <input type="hidden" name={name("id")} defaultValue={values.id} />
      <div className="form-row" style={{ gridTemplateColumns: "7rem 10rem 1fr", alignItems: "start" }}>
        <Field {...props("days")} label="Days" inputMode="numeric" autoComplete="off" />
        <Select {...props("timing")} label="When" onChange={(value) => onField("timing", value)}>
          <option value="after">after due</option>
          <option value="before">before due</option>
        </Select>
        <Select {...props("action")} label="Action" onChange={(value) => onField("action", value)}>
          {stepActions.map((action) => (
            <option key={action} value={action}>
              {actionLabels[action]}
            </option>
          ))}
        </Select>
      </div>
      <div hidden={!shows("email")}>
        <Select {...props("template")} label="Email" onChange={(value) => onField("template", value)}>
          {reminderTones.map((tone) => (
            <option key={tone} value={tone}>
              {toneLabels[tone]}
            </option>
          ))}
        </Select>
      </div>
      <div hidden={!shows("task")}>
        <Field {...props("taskTitle")} label="Task title" placeholder="Call the customer about the overdue invoices" autoComplete="off" maxLength={200} />
      </div>
      <div hidden={!shows("late_fee")}>
        <div className="form-row" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(8rem, 1fr))", alignItems: "start" }}>
          <Select {...props("feeType")} label="Fee" onChange={(value) => onField("feeType", value)}>
            <option value="percent">Percent</option>
            <option value="flat">Flat</option>
          </Select>
          <div hidden={!feeShows("percent")}>
            <Field {...props("feePercent")} label="Percent" inputMode="decimal" placeholder="1.5" autoComplete="off" />
          </div>
          <div hidden={!feeShows("flat")}>
            <Field {...props("feeAmount")} label="Amount" inputMode="decimal" placeholder="25.00" autoComplete="off" />
          </div>
          <Field {...props("feeCap")} label="Cap (optional)" inputMode="decimal" placeholder="200.00" autoComplete="off" />
          <Field {...props("feeRepeat")} label="Repeat every (days)" inputMode="numeric" placeholder="Once" autoComplete="off" />
        </div>
        <p className="hint small-print muted">A percent is of the invoice's overdue amount. Amounts are in each invoice's currency. The cap is the most this fee may add up to on one invoice. Blank repeat: charged once per invoice.</p>
      </div>
      <p style={{ margin: "0 0 0.5rem" }}>
        <button
          type="submit"
          name="intent"
          value={`remove-step:${index}`}
          className="button secondary small"
          onClick={(event) => {
            event.preventDefault();
            onRemove();
          }}
        >
          Remove<span className="visually-hidden"> step {index + 1}</span>
        </button>
      </p>
    </fieldset>
  );
}

function Select({ name, label, error, defaultValue, onChange, children }: { name: string; label: string; error?: string; defaultValue: string; onChange: (value: string) => void; children: ReactNode }) {
  const id = `${name}-${useId()}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={name}
        defaultValue={defaultValue}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => onChange(event.currentTarget.value)}
      >
        {children}
      </select>
      {error ? (
        <span className="error" id={`${id}-error`}>
          {error}
        </span>
      ) : null}
    </div>
  );
}

function TextArea({ name, label, error, hint, defaultValue }: { name: string; label: string; error?: string; hint?: string; defaultValue: string }) {
  const id = `${name}-${useId()}`;
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} name={name} rows={2} defaultValue={defaultValue} maxLength={500} aria-invalid={error ? true : undefined} aria-describedby={describedBy} />
      {hint ? (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      {error ? (
        <span className="error" id={`${id}-error`}>
          {error}
        </span>
      ) : null}
    </div>
  );
}
