import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useRevalidator } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { z } from "zod";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert, SubmitButton } from "~/components/forms";
import { importKindLabels } from "~/imports/columns";
import { getImportRun, isStalled, startImportRun } from "~/imports/imports.server";
import { MAX_REPORTED_ERRORS } from "~/imports/report";
import { RunStatus } from "~/imports/run-status";
import { runDomain } from "~/utils/action.server";
import { formatDateTime } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.run.filename ?? "Import"} · Imports · Settle back office` }];

const paramsSchema = z.object({ importId: z.uuid() });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Import not found");
  const run = await getImportRun(parsed.data.importId);
  invariantResponse(run, "Import not found");
  return { run, stalled: isStalled(run), canImport: hasRole(user, "clerk") };
}

const applySchema = z.object({ skipInvalid: z.literal("true").optional() });

export async function action({ request, params }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "clerk");
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Import not found");
  const form = applySchema.safeParse(Object.fromEntries(await request.formData()));
  const skipInvalid = form.success && form.data.skipInvalid === "true";
  const started = await runDomain(() => startImportRun(parsed.data.importId, { skipInvalid }, { type: "staff", id: user.id, label: user.email }));
  if (!started.ok) return started.response;
  return redirect(`/staff/imports/${parsed.data.importId}`);
}

const count = (n: number) => n.toLocaleString("en-US");

/** While a run is applying, its page reloads its data every second to move the progress bar. */
function usePolling(active: boolean) {
  const revalidator = useRevalidator();
  const latest = useRef(revalidator);
  latest.current = revalidator;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (latest.current.state === "idle") latest.current.revalidate();
    }, 1000);
    return () => clearInterval(timer);
  }, [active]);
}

export default function ImportRunPage() {
  const { run, stalled, canImport } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string | undefined> = actionData?.errors ?? {};
  usePolling(run.status === "applying" && !stalled);
  const { counts, result, errorRows = 0, fatal } = run.summary;
  const unit = run.kind === "customers" ? "customers" : "invoices";
  const listedRows = new Set(run.errors.map((e) => e.row)).size;
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/staff/imports">Imports</Link> / {run.filename}
          </p>
          <h1>
            {importKindLabels[run.kind]}: {run.filename}
          </h1>
          <p>
            <RunStatus status={run.status} fatal={fatal} /> Uploaded {formatDateTime(run.createdAt)} by {run.createdByName ?? "the command line"}
            {run.finishedAt ? ` · finished ${formatDateTime(run.finishedAt)}` : ""}
          </p>
        </div>
      </header>

      {fatal ? null : (
        <div className="grid">
          <Stat label="Rows read" value={count(run.totalRows)} />
          <Stat label={run.status === "applied" ? "Rows imported" : "Rows that can be imported"} value={count(run.validRows)} />
          <Stat label="Rows with problems" value={count(errorRows)} />
          {result ? (
            <Stat label={importKindLabels[run.kind]} lines={[`${count(result.created)} created`, `${count(result.updated)} updated`, `${count(result.unchanged)} unchanged`]} />
          ) : counts ? (
            <Stat label={importKindLabels[run.kind]} lines={[`${count(counts.create)} to create`, `${count(counts.update)} to update`, `${count(counts.unchanged)} unchanged`]} />
          ) : null}
        </div>
      )}

      {run.status === "applying" ? (
        <Progress phase={run.summary.phase ?? "checking"} done={run.processedRows} total={run.summary.phase === "applying" ? run.validRows : run.totalRows} stalled={stalled} />
      ) : null}

      {run.status === "applied" && result ? (
        <FormAlert
          tone={result.failed > 0 ? "error" : "ok"}
          message={`Imported: ${count(result.created)} ${unit} created, ${count(result.updated)} updated, ${count(result.unchanged)} unchanged${result.failed > 0 ? `, ${count(result.failed)} failed (listed below)` : ""}.${errorRows > 0 ? ` ${count(errorRows)} rows were not imported.` : ""}`}
        />
      ) : null}
      {run.status === "failed" ? (
        <FormAlert message={`The import stopped: ${run.failure ?? "unknown error"}. Every ${unit === "customers" ? "customer" : "invoice"} it wrote is complete; import again to finish the rest.`} />
      ) : null}
      {fatal ? <FormAlert message="This file cannot be read as a whole, so nothing in it can be imported. Fix the problem below and upload it again." /> : null}

      {canImport && !fatal && run.validRows > 0 && (run.status === "validated" || run.status === "failed" || stalled) ? (
        <section className="card" aria-labelledby="apply-heading">
          <h2 id="apply-heading">{run.status === "validated" ? "Import" : "Import again"}</h2>
          <FormAlert message={actionData?.message && !errors.skipInvalid ? actionData.message : null} />
          <Form method="post" noValidate>
            {errorRows > 0 ? (
              <div className="field">
                <label style={{ display: "flex", gap: "0.5rem", alignItems: "center", fontWeight: 500 }}>
                  <input type="checkbox" name="skipInvalid" value="true" style={{ width: "auto", margin: 0 }} aria-invalid={errors.skipInvalid ? true : undefined} aria-describedby={errors.skipInvalid ? "skip-error" : undefined} />
                  Skip the {count(errorRows)} rows with problems and import the other {count(run.validRows)}
                </label>
                {errors.skipInvalid ? (
                  <span className="error" id="skip-error" role="alert">
                    {errors.skipInvalid}
                  </span>
                ) : null}
              </div>
            ) : null}
            <p className="muted">Each {unit === "customers" ? "customer" : "invoice"} is written whole or not at all. The file is checked again first, against the books as they are now.</p>
            <SubmitButton>
              Import {count(run.validRows)} rows
            </SubmitButton>
          </Form>
        </section>
      ) : null}

      <section className="card" aria-labelledby="problems-heading">
        <h2 id="problems-heading">Problems</h2>
        {run.errors.length === 0 ? (
          <p className="muted">{run.status === "applied" ? "None: every row was imported." : "None: every row can be imported."}</p>
        ) : (
          <>
            {errorRows > listedRows ? (
              <p className="muted">
                {count(errorRows)} rows cannot be imported. {run.kind === "invoices" ? "An invoice with a problem on one row is skipped whole, so its other rows count too. " : ""}
                {run.errors.length >= MAX_REPORTED_ERRORS ? `The first ${MAX_REPORTED_ERRORS} problems are listed.` : ""}
              </p>
            ) : null}
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col" className="num">
                      Row
                    </th>
                    <th scope="col">Column</th>
                    <th scope="col">Problem</th>
                  </tr>
                </thead>
                <tbody>
                  {run.errors.map((e, i) => (
                    <tr key={`${e.row}-${i}`}>
                      <td className="num">{e.row}</td>
                      <td>{e.column ? <code>{e.column}</code> : <span className="muted">—</span>}</td>
                      <td>{e.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
    </>
  );
}

function Stat({ label, value, lines }: { label: string; value?: string; lines?: string[] }) {
  return (
    <div className="stat">
      <div className="label">{label}</div>
      {lines ? (
        <ul style={{ listStyle: "none", margin: "0.2rem 0 0", padding: 0, fontWeight: 600, fontVariantNumeric: "tabular-nums" }}>
          {lines.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      ) : (
        <div className="value">{value}</div>
      )}
    </div>
  );
}

function Progress({ phase, done, total, stalled }: { phase: "checking" | "applying"; done: number; total: number; stalled: boolean }) {
  const shown = Math.min(done, total);
  const percent = total > 0 ? Math.floor((shown / total) * 100) : 0;
  const label = phase === "checking" ? "Checking the file again" : "Importing";
  return (
    <section className="card" aria-labelledby="progress-heading">
      <h2 id="progress-heading">{stalled ? "This import stopped responding" : `${label}…`}</h2>
      <progress id="import-progress" max={Math.max(total, 1)} value={shown} aria-labelledby="progress-heading" style={{ width: "100%", height: "1.25rem", accentColor: "var(--brand)" }}>
        {percent}%
      </progress>
      <p className="muted" role="status" style={{ margin: "0.5rem 0 0" }}>
        {stalled
          ? "The server that was importing it stopped. Import again to finish the rest: what is already in Settle is left as it is."
          : `${count(shown)} of ${count(total)} rows (${percent}%). You can leave this page; the import goes on.`}
      </p>
    </section>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
