import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useId } from "react";
import { z } from "zod";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { Money } from "~/components/money";
import { BankLineCells, bankDecisionText, NothingHere, type BankDecisionName } from "~/components/reconciliation-ui";
import { importBankFile, listBankMappings, listBankStatements } from "~/reconciliation/bank-import.server";
import { runDomain } from "~/utils/action.server";
import { getEnv } from "~/utils/env.server";
import { formatDateTime } from "~/utils/format";
import { parseForm, type FieldErrors } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Bank statements · Reconciliation · Settle back office" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const [statements, mappings] = await Promise.all([listBankStatements(), listBankMappings()]);
  return {
    statements,
    mappings: mappings.map((m) => ({ id: m.id, name: m.name })),
    canImport: hasRole(user, "clerk"),
    limitMb: Math.floor(getEnv().UPLOAD_LIMIT_BYTES / 1_048_576),
  };
}

const uploadSchema = z.object({
  format: z.enum(["auto", "camt053", "csv"], { message: "Choose the file's format" }).default("auto"),
  mappingId: z.union([z.literal(""), z.uuid({ message: "Choose a saved column mapping" })]).default(""),
  file: z
    .instanceof(File, { message: "Choose a bank statement file" })
    .refine((file) => file.name !== "", "Choose a bank statement file")
    .refine((file) => file.size > 0, "This file is empty")
    .refine((file) => file.name.length <= 200, "The file name must be at most 200 characters"),
});

type Outcome = Awaited<ReturnType<typeof importBankFile>>["outcomes"][number];
type ImportResult = { ok: true; statementId: string; fileName: string; counts: Record<BankDecisionName, number>; outcomes: Outcome[] };
type ImportFailure = { ok: false; errors: FieldErrors; message: string | null };

/** Bank files are UTF-8 or, from older banks, Windows-1252; anything with NULs is not text at all. */
function decode(bytes: ArrayBuffer): string | null {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder("windows-1252").decode(bytes);
  }
  return text.includes("\u0000") ? null : text;
}

export async function action({ request }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "clerk");
  const parsed = parseForm(uploadSchema, await request.formData());
  if (!parsed.ok) return data<ImportFailure>({ ok: false, errors: parsed.errors, message: null }, { status: 400 });
  const { file, format, mappingId } = parsed.data;
  const content = decode(await file.arrayBuffer());
  if (content === null) return data<ImportFailure>({ ok: false, errors: { file: "This is not a text file: upload the camt.053 XML or the CSV export from your bank" }, message: null }, { status: 400 });
  const result = await runDomain(() =>
    importBankFile({ fileName: file.name, content, format: format === "auto" ? null : format, mappingId: mappingId || null }, { type: "staff", id: user.id, label: user.email }),
  );
  if (!result.ok) return data<ImportFailure>({ ok: false, errors: result.response.data.errors, message: result.response.data.message }, { status: result.response.init?.status ?? 422 });
  const { statement, outcomes } = result.value;
  const counts = Object.fromEntries(Object.keys(bankDecisionText).map((d) => [d, outcomes.filter((o) => o.decision === d).length])) as Record<BankDecisionName, number>;
  return data<ImportResult>({ ok: true, statementId: statement.id, fileName: statement.fileName, counts, outcomes });
}

export default function BankStatements() {
  const { statements, mappings, canImport, limitMb } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ImportResult | ImportFailure | undefined;
  const errors: FieldErrors = actionData && !actionData.ok ? actionData.errors : {};
  const message = actionData && !actionData.ok && actionData.message && !Object.values(errors).includes(actionData.message) ? actionData.message : null;
  const formatId = useId();
  const mappingSelectId = useId();
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Bank statements</h1>
          <p>Import the bank account's statement to match incoming transfers to invoices and Stripe payouts. Sure matches are applied; likely ones wait on the exceptions queue for you to confirm.</p>
        </div>
        <div className="actions">
          <Link className="button secondary" to="/staff/reconciliation/bank/mappings">
            CSV column mappings
          </Link>
        </div>
      </header>

      {actionData?.ok ? <ImportOutcome result={actionData} /> : null}

      <div className="two-col">
        <section className="card" aria-labelledby="upload-heading">
          <h2 id="upload-heading">Import a statement</h2>
          {canImport ? (
            <Form method="post" encType="multipart/form-data" noValidate>
              <FormAlert message={message ?? errors.form} />
              <Field label="Statement file" name="file" type="file" accept=".xml,.csv,.txt,application/xml,text/xml,text/csv" required error={errors.file} hint={`camt.053 XML, or your bank's CSV export; up to ${limitMb} MB. Importing the same file again adds nothing.`} />
              <div className="field">
                <label htmlFor={formatId}>Format</label>
                <select id={formatId} name="format" defaultValue="auto" aria-invalid={errors.format ? true : undefined}>
                  <option value="auto">From the file name (.xml is camt.053, otherwise CSV)</option>
                  <option value="camt053">camt.053 (ISO 20022 XML)</option>
                  <option value="csv">CSV</option>
                </select>
                {errors.format ? (
                  <span className="error" role="alert">
                    {errors.format}
                  </span>
                ) : null}
              </div>
              <div className="field">
                <label htmlFor={mappingSelectId}>Column mapping (CSV only)</label>
                <select id={mappingSelectId} name="mappingId" defaultValue="" aria-invalid={errors.mappingId ? true : undefined} aria-describedby={errors.mappingId ? `${mappingSelectId}-error` : `${mappingSelectId}-hint`}>
                  <option value="">None (camt.053 file)</option>
                  {mappings.map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.name}
                    </option>
                  ))}
                </select>
                <span className="hint" id={`${mappingSelectId}-hint`}>
                  {mappings.length === 0 ? (
                    <>
                      No mapping saved yet: <Link to="/staff/reconciliation/bank/mappings">describe your bank's CSV columns</Link> first.
                    </>
                  ) : (
                    "Which columns of your bank's CSV hold the date, amount and reference."
                  )}
                </span>
                {errors.mappingId ? (
                  <span className="error" id={`${mappingSelectId}-error`} role="alert">
                    {errors.mappingId}
                  </span>
                ) : null}
              </div>
              <SubmitButton>Import and match</SubmitButton>
            </Form>
          ) : (
            <p className="muted">Importing statements needs the clerk role.</p>
          )}
        </section>
        <section className="card" aria-labelledby="how-heading">
          <h2 id="how-heading">How matching works</h2>
          <ul className="reasons">
            <li>Each incoming line is compared with open invoices (numbers in the reference, amounts, the payer's name and account number) and with Stripe payouts.</li>
            <li>A match at or above the confidence set in Settings is applied at once, as a wire payment.</li>
            <li>A likely match is suggested on the exceptions queue; a line with no match goes there too.</li>
            <li>Outgoing lines (debits) are ignored.</li>
          </ul>
        </section>
      </div>

      <section className="card" aria-labelledby="statements-heading">
        <h2 id="statements-heading">Imported statements</h2>
        {statements.length === 0 ? (
          <NothingHere>No statement imported yet. Nothing to reconcile.</NothingHere>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Imported</th>
                  <th scope="col">File</th>
                  <th scope="col">Format</th>
                  <th scope="col">Account</th>
                  <th scope="col" className="num">
                    Lines
                  </th>
                  <th scope="col" className="num">
                    New
                  </th>
                </tr>
              </thead>
              <tbody>
                {statements.map((s) => (
                  <tr key={s.id}>
                    <td className="nowrap">{formatDateTime(s.createdAt)}</td>
                    <td className="break">
                      <Link to={`/staff/reconciliation/bank/${s.id}`}>{s.fileName}</Link>
                      {s.statementRef ? <div className="muted small-print">{s.statementRef}</div> : null}
                    </td>
                    <td>{s.format === "camt053" ? "camt.053" : "CSV"}</td>
                    <td className="break">
                      {s.accountId} {s.currency ? <span className="muted">{s.currency}</span> : null}
                    </td>
                    <td className="num">{s.lineCount.toLocaleString("en-US")}</td>
                    <td className="num">{s.newLineCount.toLocaleString("en-US")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

const countOrder: BankDecisionName[] = ["applied", "suggested", "unmatched", "payout", "ignored", "duplicate"];

function ImportOutcome({ result }: { result: ImportResult }) {
  return (
    <section className="card" aria-labelledby="outcome-heading" role="status">
      <h2 id="outcome-heading">Imported {result.fileName}</h2>
      <div className="grid bank-counts">
        {countOrder.map((d) => (
          <div className="stat" key={d}>
            <div className="label">{bankDecisionText[d].label}</div>
            <div className="value">{result.counts[d]}</div>
          </div>
        ))}
      </div>
      <p>
        {result.counts.suggested + result.counts.unmatched > 0 ? (
          <>
            {result.counts.suggested + result.counts.unmatched} line{result.counts.suggested + result.counts.unmatched === 1 ? "" : "s"} wait for you on the{" "}
            <Link to="/staff/reconciliation/exceptions">exceptions queue</Link>.{" "}
          </>
        ) : null}
        <Link to={`/staff/reconciliation/bank/${result.statementId}`}>See this statement</Link>
      </p>
      {result.outcomes.length === 0 ? (
        <NothingHere>The file has no lines.</NothingHere>
      ) : (
        <div className="table-wrap">
          <table className="bank-lines">
            <thead>
              <tr>
                <th scope="col">Booked</th>
                <th scope="col">Payer and reference</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Decision</th>
                <th scope="col">Confidence</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {result.outcomes.map((o) => (
                <tr key={`${o.entryRef}-${o.lineId ?? "dup"}`}>
                  <BankLineCells line={o} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
