import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { runDunningNow } from "~/collections/dunning.server";
import { listRuns, RUN_PAGE_SIZE, runDuration, runStatusLabels, summarizeRun, summaryWords, triggerLabels } from "~/collections/runs.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { Pager } from "~/components/pager";
import { runDomain } from "~/utils/action.server";
import { today } from "~/utils/dates";
import { isDemoProcessor } from "~/utils/env.server";
import { isoDateSchema } from "~/utils/form-schemas";
import { formatDateTime } from "~/utils/format";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Dunning runs · Collections · Settle back office" }];

const searchSchema = z.object({ before: z.iso.datetime({ offset: true }).optional().catch(undefined) });

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const { before } = searchSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const runs = await listRuns({ before });
  const last = runs.at(-1);
  return {
    runs: runs.map((run) => {
      const summary = summarizeRun(run.stats);
      return {
        id: run.id,
        trigger: triggerLabels[run.trigger],
        status: run.status,
        statusLabel: runStatusLabels[run.status],
        startedAt: run.startedAt,
        startedBy: run.startedByName,
        duration: runDuration(run.startedAt, run.finishedAt),
        error: run.error,
        summary,
        did: summaryWords(summary),
      };
    }),
    before: before ?? null,
    nextBefore: runs.length === RUN_PAGE_SIZE && last ? new Date(last.startedAt).toISOString() : null,
    canRun: hasRole(user, "admin"),
    demo: isDemoProcessor(),
    today: today(),
  };
}

const runSchema = z.object({ asOf: z.preprocess((value) => (value === "" ? undefined : value), isoDateSchema("As of").optional()) });

export async function action({ request }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "admin");
  const parsed = parseForm(runSchema, await request.formData());
  if (!parsed.ok) return data({ ok: false as const, errors: parsed.errors, message: null }, { status: 400 });
  const result = await runDomain(() => runDunningNow({ asOf: parsed.data.asOf ?? null }, { type: "staff", id: user.id, label: user.email }));
  if (!result.ok) return result.response;
  throw redirect(`/staff/collections/runs/${result.value.runId}`);
}

const statusTone = { running: "warn", finished: "ok", failed: "danger" } as const;

export default function DunningRuns() {
  const { runs, before, nextBefore, canRun, demo, today } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors = actionData && "errors" in actionData ? actionData.errors : {};
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Dunning runs</h1>
          <p>Each day's pass over the accounts, and what it did and why. A step is taken at most once per invoice however many times the run goes.</p>
        </div>
        {canRun ? (
          <Form method="post" className="filters" noValidate>
            {demo ? (
              <Field
                label="As of (demo only)"
                name="asOf"
                type="date"
                min={today}
                defaultValue={today}
                error={errors.asOf}
                hint="A later day shows what the policy will do then; those accounts are not run again until that day comes"
              />
            ) : null}
            <SubmitButton>Run now</SubmitButton>
          </Form>
        ) : null}
      </header>
      <FormAlert message={actionData && "message" in actionData && !errors.asOf ? actionData.message : null} />
      <div className="card table-wrap" style={{ padding: 0 }}>
        <table>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Trigger</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Duration
              </th>
              <th scope="col">Did</th>
              <th scope="col">Skipped</th>
            </tr>
          </thead>
          <tbody>
            {runs.length === 0 ? (
              <tr>
                <td colSpan={6} className="muted">
                  No dunning runs yet. The run goes every day by itself{canRun ? "; “Run now” starts one at once" : ""}.
                </td>
              </tr>
            ) : (
              runs.map((run) => (
                <tr key={run.id}>
                  <td className="nowrap">
                    <Link to={`/staff/collections/runs/${run.id}`}>{formatDateTime(run.startedAt)}</Link>
                  </td>
                  <td>
                    {run.trigger}
                    {run.startedBy ? <div className="muted small-print">by {run.startedBy}</div> : null}
                  </td>
                  <td>
                    <span className={`badge ${statusTone[run.status]}`}>{run.statusLabel}</span>
                    {run.error ? <div className="muted small-print">{run.error}</div> : null}
                  </td>
                  <td className="num nowrap">{run.duration ?? "—"}</td>
                  <td>
                    {run.did}
                    <div className="muted small-print">
                      {run.summary.customers} account{run.summary.customers === 1 ? "" : "s"}, {run.summary.invoices} invoice{run.summary.invoices === 1 ? "" : "s"}
                    </div>
                  </td>
                  <td>{run.summary.skipped.length ? run.summary.skipped.map((s) => `${s.count} ${s.label}`).join(" · ") : <span className="muted">—</span>}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <Pager first={before ? "?" : null} next={nextBefore ? `?before=${encodeURIComponent(nextBefore)}` : null} />
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
