import { redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert } from "~/components/forms";
import { exportKinds, exportRangeSchema, journalColumns, paymentColumns, type ExportKind } from "~/exports/export-kinds";
import { addMonths, endOfMonth, startOfMonth, today } from "~/utils/dates";
import { fieldErrors } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Exports · Settle back office" }];

const downloadSchema = z.object({ download: z.enum(exportKinds).optional().catch(undefined) });

/** A download request comes here first, so a bad range is shown on the page rather than as a bare 400. */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const search = Object.fromEntries(new URL(request.url).searchParams);
  const { download } = downloadSchema.parse(search);
  const now = today();
  const lastMonth = startOfMonth(addMonths(now, -1));
  const defaults = { from: startOfMonth(now), to: now, lastMonth: { from: lastMonth, to: endOfMonth(lastMonth) } };
  if (!download) return { defaults, failed: null };
  const range = exportRangeSchema.safeParse(search);
  if (range.success) return redirect(`/staff/exports/${download}.csv?${new URLSearchParams(range.data)}`);
  return { defaults, failed: { kind: download, values: { from: String(search.from ?? ""), to: String(search.to ?? "") }, errors: fieldErrors(range.error) } };
}

const about: Record<ExportKind, { title: string; text: string; columns: string[] }> = {
  journal: {
    title: "Journal",
    text: "Every line of every journal entry dated in the range: invoices, payments, applications, credit notes, discounts, write-offs and refunds. Each entry's debits equal its credits.",
    columns: journalColumns,
  },
  payments: {
    title: "Payments",
    text: "Payments received in the range, with what is applied to invoices, refunded, and still unapplied.",
    columns: paymentColumns,
  },
};

export default function Exports() {
  const { defaults, failed } = useLoaderData<typeof loader>();
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Exports</h1>
          <p>CSV files for your accounting system. Amounts are plain decimals in each row's currency.</p>
        </div>
      </header>
      <div className="grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(320px, 1fr))" }}>
        {exportKinds.map((kind) => {
          const errors: Record<string, string | undefined> = failed?.kind === kind ? failed.errors : {};
          const values = failed?.kind === kind ? failed.values : defaults;
          const lastMonth = new URLSearchParams(defaults.lastMonth);
          return (
            <section key={kind} className="card" aria-labelledby={`${kind}-heading`} style={{ marginBottom: 0 }}>
              <h2 id={`${kind}-heading`}>{about[kind].title}</h2>
              <p>{about[kind].text}</p>
              <Form method="get" reloadDocument noValidate>
                <FormAlert message={errors.form} />
                <input type="hidden" name="download" value={kind} />
                <div className="filters" style={{ alignItems: "start" }}>
                  <Field label="From" name="from" type="date" required defaultValue={values.from} error={errors.from} />
                  <Field label="To" name="to" type="date" required defaultValue={values.to} error={errors.to} />
                </div>
                <div className="actions">
                  <button type="submit" className="button">
                    Download CSV
                  </button>
                  <a className="button secondary" href={`/staff/exports/${kind}.csv?${lastMonth}`} download>
                    Last month ({defaults.lastMonth.from.slice(0, 7)})
                  </a>
                </div>
              </Form>
              <details style={{ marginTop: "1rem" }}>
                <summary>Columns</summary>
                <p className="muted" style={{ marginTop: "0.5rem" }}>
                  {about[kind].columns.map((c, i) => (
                    <span key={c}>
                      {i > 0 ? ", " : ""}
                      <code>{c}</code>
                    </span>
                  ))}
                </p>
              </details>
            </section>
          );
        })}
      </div>
      <p className="muted" style={{ marginTop: "1.25rem" }}>
        From the command line: <code>npm run cli -- export journal --from 2026-01-01 --to 2026-01-31 --out journal.csv</code>
      </p>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
