import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useId } from "react";
import { z } from "zod";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { importColumns, importKindLabels, importKinds, type ImportKind } from "~/imports/columns";
import { createImportRun, listImportRuns } from "~/imports/imports.server";
import { RunStatus } from "~/imports/run-status";
import { getEnv } from "~/utils/env.server";
import { formatDateTime } from "~/utils/format";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Imports · Settle back office" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  return { runs: await listImportRuns(), canImport: hasRole(user, "clerk"), limitMb: Math.floor(getEnv().UPLOAD_LIMIT_BYTES / 1_048_576) };
}

const uploadSchema = z.object({
  kind: z.enum(importKinds, { message: "Choose what the file holds" }),
  file: z
    .instanceof(File, { message: "Choose a CSV file" })
    .refine((file) => file.name !== "", "Choose a CSV file")
    .refine((file) => file.size > 0, "This file is empty")
    .refine((file) => file.name.length <= 200, "The file name must be at most 200 characters"),
});

export async function action({ request }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "clerk");
  const parsed = parseForm(uploadSchema, await request.formData());
  if (!parsed.ok) return data({ errors: parsed.errors }, { status: 400 });
  const content = await parsed.data.file.text();
  // An .xlsx (a zip), or text in another encoding, decodes with NULs or replacement characters.
  if (content.includes("\u0000") || content.includes("\uFFFD")) {
    return data({ errors: { file: "This file is not UTF-8 CSV text: save the spreadsheet as “CSV UTF-8” and upload that" } }, { status: 400 });
  }
  const { id } = await createImportRun({ kind: parsed.data.kind, filename: parsed.data.file.name, content }, { type: "staff", id: user.id, label: user.email });
  return redirect(`/staff/imports/${id}`);
}

export default function Imports() {
  const { runs, canImport, limitMb } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string | undefined> = actionData?.errors ?? {};
  const kindId = useId();
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Imports</h1>
          <p>Bring customers and open invoices over from your accounting system as CSV files.</p>
        </div>
      </header>
      <div className="two-col">
        <section className="card" aria-labelledby="upload-heading">
          <h2 id="upload-heading">Check a file</h2>
          {canImport ? (
            <Form method="post" encType="multipart/form-data" noValidate>
              <FormAlert message={errors.form} />
              <div className="field">
                <label htmlFor={kindId}>The file holds</label>
                <select id={kindId} name="kind" defaultValue="customers" aria-invalid={errors.kind ? true : undefined}>
                  {importKinds.map((kind) => (
                    <option key={kind} value={kind}>
                      {importKindLabels[kind]}
                    </option>
                  ))}
                </select>
                {errors.kind ? (
                  <span className="error" role="alert">
                    {errors.kind}
                  </span>
                ) : null}
              </div>
              <Field label="CSV file" name="file" type="file" accept=".csv,text/csv" required error={errors.file} hint={`UTF-8, comma-separated, first row naming the columns; up to ${limitMb} MB.`} />
              <p className="muted">Settle checks every row first and shows you what it would do. Nothing changes until you press Import.</p>
              <SubmitButton>Check file</SubmitButton>
            </Form>
          ) : (
            <p className="muted">Importing needs the clerk role.</p>
          )}
        </section>
        <section className="card" aria-labelledby="how-heading">
          <h2 id="how-heading">How imports work</h2>
          <ul style={{ margin: 0, paddingLeft: "1.2rem" }}>
            <li>Rows are matched on their external reference: importing a file again updates customers and leaves imported invoices alone.</li>
            <li>An imported invoice is never changed by a re-import; only a larger amount_paid is recorded, as a payment.</li>
            <li>Import customers before their invoices.</li>
            <li>
              The same imports run from the command line: <code>npm run cli -- help</code>.
            </li>
          </ul>
        </section>
      </div>
      <section className="card" aria-labelledby="recent-heading">
        <h2 id="recent-heading">Recent imports</h2>
        {runs.length === 0 ? (
          <p className="muted">No file has been imported yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Uploaded</th>
                  <th scope="col">File</th>
                  <th scope="col">Holds</th>
                  <th scope="col" className="num">
                    Rows
                  </th>
                  <th scope="col" className="num">
                    With problems
                  </th>
                  <th scope="col">Status</th>
                  <th scope="col">By</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((run) => (
                  <tr key={run.id}>
                    <td>{formatDateTime(run.createdAt)}</td>
                    <td>
                      <Link to={`/staff/imports/${run.id}`}>{run.filename}</Link>
                    </td>
                    <td>{importKindLabels[run.kind]}</td>
                    <td className="num">{run.totalRows.toLocaleString("en-US")}</td>
                    <td className="num">{(run.summary.errorRows ?? 0).toLocaleString("en-US")}</td>
                    <td>
                      <RunStatus status={run.status} fatal={run.summary.fatal} />
                    </td>
                    <td>{run.createdByName ?? <span className="muted">Command line</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {importKinds.map((kind) => (
        <ColumnsCard key={kind} kind={kind} />
      ))}
    </>
  );
}

function ColumnsCard({ kind }: { kind: ImportKind }) {
  const headingId = `columns-${kind}`;
  return (
    <section className="card" aria-labelledby={headingId}>
      <div className="page-header" style={{ marginBottom: "0.75rem" }}>
        <h2 id={headingId} style={{ margin: 0 }}>
          {importKindLabels[kind]}: columns
        </h2>
        <a className="button secondary small" href={`/staff/imports/samples/${kind}.csv`} download>
          Download a sample file
        </a>
      </div>
      {kind === "invoices" ? <p className="muted">One row per invoice line. Rows with the same invoice_external_ref form one invoice; give the invoice's own values on each of its rows, or only on the first.</p> : null}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">Required</th>
              <th scope="col">What it holds</th>
            </tr>
          </thead>
          <tbody>
            {importColumns[kind].map((column) => (
              <tr key={column.name}>
                <td>
                  <code>{column.name}</code>
                </td>
                <td>{column.required ? <span className="badge brand">Required</span> : <span className="muted">Optional</span>}</td>
                <td>{column.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
