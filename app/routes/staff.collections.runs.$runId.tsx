import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { getRun, listRunActions, RUN_ACTION_PAGE_SIZE, runDuration, runStatusLabels, summarizeRun, summaryWords, triggerLabels } from "~/collections/runs.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Money } from "~/components/money";
import { Pager } from "~/components/pager";
import { formatDate, formatDateTime } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Dunning run${data ? ` of ${formatDateTime(data.run.startedAt)}` : ""} · Collections · Settle back office` }];

const takenLabels = { email: "Emailed", task: "Task opened", late_fee: "Fee charged", credit_hold: "Put on hold", escalate: "Escalated" } as const;
const searchSchema = z.object({ after: z.coerce.number().int().positive().optional().catch(undefined) });

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const runId = z.uuid().safeParse(params.runId);
  invariantResponse(runId.success, "Run not found");
  const run = await getRun(runId.data);
  invariantResponse(run, "Run not found");
  const { after } = searchSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const actions = await listRunActions(run.id, { after });
  const summary = summarizeRun(run.stats);
  return {
    run: {
      id: run.id,
      trigger: triggerLabels[run.trigger],
      status: run.status,
      statusLabel: runStatusLabels[run.status],
      asOf: run.asOf,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      startedBy: run.startedByName,
      worker: run.worker,
      duration: runDuration(run.startedAt, run.finishedAt),
      error: run.error,
    },
    summary,
    did: summaryWords(summary),
    actions: actions.map((row) => ({ ...row, actionLabel: takenLabels[row.action] })),
    after: after ?? null,
    nextAfter: actions.length === RUN_ACTION_PAGE_SIZE ? actions.at(-1)!.id : null,
  };
}

const statusTone = { running: "warn", finished: "ok", failed: "danger" } as const;

export default function DunningRun() {
  const { run, summary, did, actions, after, nextAfter } = useLoaderData<typeof loader>();
  const stats: [string, number][] = [
    ["Accounts looked at", summary.customers],
    ["Invoices looked at", summary.invoices],
    ["Reminder emails", summary.emails],
    ["Email steps", summary.taken.email],
    ["Tasks", summary.taken.task],
    ["Late fees", summary.taken.late_fee],
    ["Credit holds", summary.taken.credit_hold],
    ["Escalations", summary.taken.escalate],
    ["Passed over for a later step", summary.superseded],
    ["Promises kept", summary.promisesKept],
    ["Promises broken", summary.promisesBroken],
  ];
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/staff/collections/runs">Dunning runs</Link> / {formatDateTime(run.startedAt)}
          </p>
          <h1 className="title-with-badge">
            Dunning run <span className={`badge ${statusTone[run.status]}`}>{run.statusLabel}</span>
          </h1>
          <p>
            {run.trigger}
            {run.startedBy ? ` by ${run.startedBy}` : ""} · as of {formatDateTime(run.asOf)}
            {run.duration ? ` · took ${run.duration}` : " · still going"}
          </p>
        </div>
      </header>
      {run.error ? (
        <div className="alert error" role="alert">
          The run stopped: {run.error}. What it finished before that stands; the next run picks up the rest.
        </div>
      ) : null}
      <div className="two-col">
        <section className="card" aria-labelledby="did-heading">
          <h2 id="did-heading">What it did</h2>
          <p>{did}</p>
          {summary.fees.length ? <p>Fees charged: {summary.fees.join(" + ")}</p> : null}
          <dl className="details">
            {stats.map(([label, value]) => (
              <Stat key={label} label={label} value={value} />
            ))}
          </dl>
        </section>
        <section className="card" aria-labelledby="skipped-heading">
          <h2 id="skipped-heading">Skipped, and why</h2>
          {summary.skipped.length === 0 ? (
            <p className="muted">Nothing was skipped.</p>
          ) : (
            <dl className="details">
              {summary.skipped.map((row) => (
                <Stat key={row.reason} label={row.label.charAt(0).toUpperCase() + row.label.slice(1)} value={row.count} />
              ))}
            </dl>
          )}
          {summary.examples.length ? (
            <details style={{ marginTop: "0.75rem" }}>
              <summary>Examples</summary>
              <ul className="small-print">
                {summary.examples.map((example, i) => (
                  <li key={i}>{example}</li>
                ))}
              </ul>
            </details>
          ) : null}
          <p className="muted small-print" style={{ marginTop: "0.75rem" }}>
            Worker {run.worker ?? "—"}
            {run.finishedAt ? ` · finished ${formatDateTime(run.finishedAt)}` : ""}
          </p>
        </section>
      </div>

      <h2 id="actions-heading">Steps taken</h2>
      <div className="card table-wrap" style={{ padding: 0 }}>
        <table aria-labelledby="actions-heading">
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">Invoice</th>
              <th scope="col">Step</th>
              <th scope="col">Outcome</th>
              <th scope="col">Why</th>
              <th scope="col" className="num">
                Amount
              </th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {actions.length === 0 ? (
              <tr>
                <td colSpan={7} className="muted">
                  {after ? "No more steps." : "This run took no steps."}
                </td>
              </tr>
            ) : (
              actions.map((row) => (
                <tr key={row.id}>
                  <td>
                    <Link to={`/staff/customers/${row.customerId}`}>{row.customerName}</Link>
                    <div className="muted small-print">{row.accountNumber}</div>
                  </td>
                  <td className="nowrap">
                    <Link to={`/staff/invoices/${row.invoiceId}`}>{row.invoiceNumber ?? "Invoice"}</Link>
                  </td>
                  <td>
                    {row.step}
                    <div className="muted small-print">
                      {row.policyName}
                      {row.period ? ` · period ${row.period}` : ""} · {formatDate(row.takenOn)}
                    </div>
                  </td>
                  <td>
                    {row.outcome === "taken" ? <span className="badge ok">{row.actionLabel}</span> : <span className="badge">Passed over</span>}
                  </td>
                  <td>{row.reason}</td>
                  <td className="num">{row.amountMinor !== null ? <Money minor={row.amountMinor} currency={row.currency} /> : "—"}</td>
                  <td className="nowrap">
                    <ResultLink row={row} />
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <Pager first={after ? "?" : null} next={nextAfter ? `?after=${nextAfter}` : null} />
    </>
  );
}

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <>
      <dt>{label}</dt>
      <dd className="num">{value}</dd>
    </>
  );
}

type ActionRow = ReturnType<typeof useLoaderData<typeof loader>>["actions"][number];

function ResultLink({ row }: { row: ActionRow }) {
  if (row.emailId) return <Link to={`/staff/outbox/${row.emailId}`}>Email</Link>;
  if (row.feeInvoiceId) return <Link to={`/staff/invoices/${row.feeInvoiceId}`}>{row.feeInvoiceNumber ?? "Fee invoice"}</Link>;
  if (row.taskId) return <Link to={`/staff/customers/${row.customerId}`}>Task</Link>;
  if (row.action === "credit_hold" && row.outcome === "taken") return <Link to={`/staff/customers/${row.customerId}`}>Hold</Link>;
  return <span className="muted">—</span>;
}

export const ErrorBoundary = GeneralErrorBoundary;
