import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useEffect, useId, useState, type ReactNode } from "react";
import { z } from "zod";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { agingGroups } from "~/reports/aging-params";
import { riskGradeLabels, riskGrades } from "~/reports/risk";
import { emptyScheduleForm, MAX_RECIPIENTS, readScheduleForm, scheduleReportKeys, scheduleReports, weekdayNames, type ScheduleFormValues, type ScheduleReport } from "~/reports/schedule-form";
import { createReportSchedule, deleteReportSchedule, listReportSchedules, scheduleCurrencies, setReportScheduleActive } from "~/reports/schedules.server";
import { runDomain } from "~/utils/action.server";
import { formatDate } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";
import type { FieldErrors } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Scheduled reports · Reports · Settle back office" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const [schedules, currencies] = await Promise.all([listReportSchedules(), scheduleCurrencies()]);
  return { schedules, currencies, canEdit: hasRole(user, "admin") };
}

type ActionResult = { ok: boolean; intent: string; errors: FieldErrors; values: ScheduleFormValues | null; message: string | null; revision: string };

const intentSchema = z.enum(["create", "pause", "resume", "delete"]);
const scheduleIdSchema = z.object({ scheduleId: z.uuid() });

export async function action({ request }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "admin");
  const actor = { type: "staff" as const, id: user.id, label: user.email };
  const form = Object.fromEntries(await request.formData());
  const intent = intentSchema.catch("create").parse(form.intent);
  const reply = (body: Omit<ActionResult, "revision">, status = 200) => data<ActionResult>({ ...body, revision: crypto.randomUUID() }, { status });

  if (intent === "create") {
    const created = await createReportSchedule(form, actor);
    if (!created.ok) return reply({ ok: false, intent, errors: created.errors, values: readScheduleForm(form), message: "The schedule was not saved: correct the fields marked." }, 400);
    const { report, weekday } = created.schedule;
    return reply({ ok: true, intent, errors: {}, values: null, message: `${scheduleReports[report as ScheduleReport] ?? report} scheduled for every ${weekdayNames[weekday - 1]}.` });
  }

  const target = scheduleIdSchema.safeParse(form);
  invariantResponse(target.success, "Schedule not found");
  const { scheduleId } = target.data;
  const result = await runDomain(() => (intent === "delete" ? deleteReportSchedule(scheduleId, actor) : setReportScheduleActive({ scheduleId, active: intent === "resume" }, actor)));
  if (!result.ok) return reply({ ok: false, intent, errors: {}, values: null, message: result.response.data.message }, result.response.init?.status ?? 422);
  const title = scheduleReports[result.value.report as ScheduleReport] ?? result.value.report;
  const done = { delete: "deleted", pause: "paused: nothing is sent until it is resumed", resume: "resumed" }[intent];
  return reply({ ok: true, intent, errors: {}, values: null, message: `${title} schedule ${done}.` });
}

function useMounted() {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return mounted;
}

function SelectField({ label, name, value, error, hint, children }: { label: string; name: string; value: string; error?: string; hint?: ReactNode; children: ReactNode }) {
  const id = `${name}-${useId()}`;
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} defaultValue={value} aria-invalid={error ? true : undefined} aria-describedby={describedBy}>
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

function CurrencyOptions({ currencies, value, blank }: { currencies: string[]; value: string; blank: string }) {
  // A currency typed before (and refused, or no longer in the books) stays choosable.
  const list = value && !currencies.includes(value.toUpperCase()) ? [...currencies, value] : currencies;
  return (
    <>
      <option value="">{blank}</option>
      {list.map((c) => (
        <option key={c} value={c}>
          {c}
        </option>
      ))}
    </>
  );
}

/**
 * Each report's own options. Without JavaScript every report's options show (only the chosen
 * report's are read); with it, only the chosen report's.
 */
function ReportOptions({ report, values, errors, currencies }: { report: ScheduleReport; values: ScheduleFormValues; errors: FieldErrors; currencies: string[] }) {
  const mounted = useMounted();
  const part = (key: ScheduleReport, children: ReactNode) => (
    <fieldset key={key} hidden={mounted && report !== key} style={{ border: "1px solid var(--line)", borderRadius: "var(--radius)", padding: "0.75rem 1rem 0", margin: "0 0 1rem" }}>
      <legend style={{ fontWeight: 700, fontSize: "0.9rem", padding: "0 0.3rem" }}>{scheduleReports[key]} options</legend>
      <div className="report-form">{children}</div>
    </fieldset>
  );
  return (
    <>
      {part(
        "aging",
        <>
          <SelectField label="Age by" name="aging_basis" value={values.aging_basis} error={errors.aging_basis}>
            <option value="due">Due date</option>
            <option value="invoice">Invoice date</option>
          </SelectField>
          <Field label="Buckets (days)" name="aging_buckets" defaultValue={values.aging_buckets} inputMode="numeric" placeholder="30,60,90" hint="Upper edges, like 30,60,90" error={errors.aging_buckets} />
          <SelectField label="Group by" name="aging_group" value={values.aging_group} error={errors.aging_group}>
            {Object.entries(agingGroups).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </SelectField>
          <SelectField label="Currency" name="aging_currency" value={values.aging_currency} error={errors.aging_currency}>
            <CurrencyOptions currencies={currencies} value={values.aging_currency} blank="All currencies" />
          </SelectField>
        </>,
      )}
      {part(
        "metrics",
        <>
          <SelectField label="Period" name="metrics_period" value={values.metrics_period} error={errors.metrics_period} hint="To the day it is sent">
            <option value="month">Month</option>
            <option value="quarter">Quarter</option>
          </SelectField>
          <SelectField label="Currency" name="metrics_currency" value={values.metrics_currency} error={errors.metrics_currency}>
            <CurrencyOptions currencies={currencies} value={values.metrics_currency} blank="Main currency" />
          </SelectField>
        </>,
      )}
      {part(
        "forecast",
        <SelectField label="Currency" name="forecast_currency" value={values.forecast_currency} error={errors.forecast_currency} hint="Each currency is a CSV of its own">
          <CurrencyOptions currencies={currencies} value={values.forecast_currency} blank="Every currency" />
        </SelectField>,
      )}
      {part(
        "behaviour",
        <SelectField label="Risk grade" name="behaviour_grade" value={values.behaviour_grade} error={errors.behaviour_grade}>
          <option value="">Every grade</option>
          {riskGrades.map((g) => (
            <option key={g} value={g}>
              {g}: {riskGradeLabels[g]}
            </option>
          ))}
        </SelectField>,
      )}
    </>
  );
}

function ScheduleForm({ values, errors, currencies }: { values: ScheduleFormValues; errors: FieldErrors; currencies: string[] }) {
  const [report, setReport] = useState<ScheduleReport>((scheduleReportKeys as string[]).includes(values.report) ? (values.report as ScheduleReport) : "aging");
  const reportId = useId();
  return (
    <Form method="post" noValidate>
      <div className="report-form">
        <div className="field">
          <label htmlFor={reportId}>Report</label>
          <select
            id={reportId}
            name="report"
            value={report}
            onChange={(event) => setReport(event.currentTarget.value as ScheduleReport)}
            aria-invalid={errors.report ? true : undefined}
            aria-describedby={errors.report ? `${reportId}-error` : undefined}
          >
            {scheduleReportKeys.map((key) => (
              <option key={key} value={key}>
                {scheduleReports[key]}
              </option>
            ))}
          </select>
          {errors.report ? (
            <span className="error" id={`${reportId}-error`} role="alert">
              {errors.report}
            </span>
          ) : null}
        </div>
        <SelectField label="Every" name="weekday" value={values.weekday} error={errors.weekday} hint="Sent that day (UTC), as of that day">
          {weekdayNames.map((name, i) => (
            <option key={name} value={String(i + 1)}>
              {name}
            </option>
          ))}
        </SelectField>
      </div>
      <Field
        label="Recipients"
        name="recipients"
        defaultValue={values.recipients}
        autoComplete="off"
        placeholder="controller@northwind.example, cfo@northwind.example"
        hint={`Email addresses separated by commas, up to ${MAX_RECIPIENTS}. Each gets an email of their own.`}
        error={errors.recipients}
      />
      <ReportOptions report={report} values={values} errors={errors} currencies={currencies} />
      <SubmitButton name="intent" value="create">
        Schedule report
      </SubmitButton>
    </Form>
  );
}

type Row = ReturnType<typeof useLoaderData<typeof loader>>["schedules"][number];

function ScheduleActions({ schedule }: { schedule: Row }) {
  return (
    <div className="actions" style={{ flexWrap: "nowrap" }}>
      <Form method="post">
        <input type="hidden" name="scheduleId" value={schedule.id} />
        <SubmitButton name="intent" value={schedule.active ? "pause" : "resume"} className="button secondary small">
          {schedule.active ? "Pause" : "Resume"}
        </SubmitButton>
      </Form>
      <details>
        <summary className="button secondary small">Delete…</summary>
        <Form method="post" style={{ marginTop: "0.5rem", maxWidth: "16rem" }}>
          <p className="muted" style={{ marginBottom: "0.5rem" }}>
            No more {schedule.reportTitle.toLowerCase()} emails to these recipients. Emails already sent stay in the outbox.
          </p>
          <input type="hidden" name="scheduleId" value={schedule.id} />
          <SubmitButton name="intent" value="delete" className="button danger small">
            Delete schedule
          </SubmitButton>
        </Form>
      </details>
    </div>
  );
}

export default function ReportSchedules() {
  const { schedules, currencies, canEdit } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const createFailed = actionData && !actionData.ok && actionData.intent === "create" ? actionData : null;
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Scheduled reports</h1>
          <p>Reports emailed every week, as of the day they are sent: the headline figures in the email, the whole report as CSV attached, and a link to the report itself.</p>
        </div>
      </header>
      <FormAlert tone="ok" message={actionData?.ok ? actionData.message : null} />
      {actionData && !actionData.ok && !createFailed ? <FormAlert message={actionData.message} /> : null}

      {canEdit ? (
        <section className="card" aria-labelledby="new-schedule-heading">
          <h2 id="new-schedule-heading">Schedule a report</h2>
          <FormAlert message={createFailed?.message} />
          {/* Keyed by each answer, so the form starts empty after a schedule is saved and shows the input as typed after a refusal. */}
          <ScheduleForm key={actionData?.revision ?? "new"} values={createFailed?.values ?? emptyScheduleForm()} errors={createFailed?.errors ?? {}} currencies={currencies} />
        </section>
      ) : null}

      <section className="card" aria-labelledby="schedules-heading">
        <h2 id="schedules-heading">Schedules</h2>
        {schedules.length === 0 ? (
          <p className="muted">{canEdit ? "No reports are scheduled yet. Schedule one above." : "No reports are scheduled yet. An admin can schedule one."}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Report</th>
                  <th scope="col">Recipients</th>
                  <th scope="col">Every</th>
                  <th scope="col">Last sent</th>
                  <th scope="col">Status</th>
                  {canEdit ? (
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {schedules.map((schedule) => (
                  <tr key={schedule.id}>
                    <td>
                      <strong>{schedule.reportTitle}</strong>
                      <div className="muted">{schedule.parameters}</div>
                      <div className="muted" style={{ fontSize: "0.82rem" }}>
                        Added {formatDate(schedule.createdAt)} by {schedule.createdByName ?? "a former user"}
                      </div>
                    </td>
                    <td>
                      {schedule.recipients.map((r) => (
                        <div key={r}>{r}</div>
                      ))}
                    </td>
                    <td>{schedule.weekdayName}</td>
                    <td>{schedule.lastSentOn ? formatDate(schedule.lastSentOn) : <span className="muted">Not yet</span>}</td>
                    <td>{schedule.active ? <span className="badge ok">Active</span> : <span className="badge warn">Paused</span>}</td>
                    {canEdit ? (
                      <td>
                        <ScheduleActions schedule={schedule} />
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {canEdit ? null : <p className="muted" style={{ margin: "1rem 0 0" }}>Only an admin can add, pause or delete a schedule.</p>}
      </section>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
