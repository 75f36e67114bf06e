import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { Money } from "~/components/money";
import { decideWriteOff, listWriteOffRequests } from "~/ledger/write-offs.server";
import { runDomain } from "~/utils/action.server";
import { optionalText } from "~/utils/form-schemas";
import { formatDateTime } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Approvals · Settle back office" }];

const RECENT_DECISIONS = 20;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "admin");
  const [pending, approved, rejected] = await Promise.all([
    listWriteOffRequests({ status: "pending" }),
    listWriteOffRequests({ status: "approved" }),
    listWriteOffRequests({ status: "rejected" }),
  ]);
  const recent = [...approved, ...rejected].sort((a, b) => (b.decidedAt?.getTime() ?? 0) - (a.decidedAt?.getTime() ?? 0)).slice(0, RECENT_DECISIONS);
  return { pending, recent };
}

const decisionSchema = z.object({
  intent: z.enum(["approve", "reject"], { message: "Choose Approve or Reject" }),
  requestId: z.string(),
  note: optionalText("Note", 500),
});

export async function action({ request }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "admin");
  const parsed = parseForm(decisionSchema, await request.formData());
  if (!parsed.ok) return data({ ok: false as const, requestId: null, errors: parsed.errors, message: parsed.errors.intent ?? null, notice: null }, { status: 400 });
  const { intent, requestId, note } = parsed.data;
  invariantResponse(z.uuid().safeParse(requestId).success, "Write-off request not found");
  const result = await runDomain(() => decideWriteOff({ requestId, approve: intent === "approve", note }, { type: "staff", id: user.id, label: user.email, role: user.role }));
  if (!result.ok)
    return data({ ok: false as const, requestId, errors: result.response.data.errors, message: result.response.data.message, notice: null }, result.response.init ?? undefined);
  return { ok: true as const, requestId, errors: {}, message: null, notice: intent === "approve" ? "Approved: the amount is written off." : "Rejected: the invoice stays open." };
}

const statusTone = { approved: "ok", rejected: "danger", pending: "warn" } as const;

export default function Approvals() {
  const { pending, recent } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Approvals</h1>
          <p>Write-offs above the approval threshold wait here for an admin.</p>
        </div>
      </header>
      <FormAlert tone="ok" message={actionData?.ok ? actionData.notice : null} />
      <FormAlert message={actionData && !actionData.ok && !actionData.requestId ? actionData.message : null} />
      <section className="card" aria-labelledby="pending-heading">
        <h2 id="pending-heading">Waiting for a decision ({pending.length})</h2>
        {pending.length === 0 ? (
          <p className="muted">Nothing is waiting for approval.</p>
        ) : (
          <ul className="approval-list">
            {pending.map((request) => {
              const failed = actionData && !actionData.ok && actionData.requestId === request.id ? actionData : null;
              return (
                <li key={request.id} className="approval">
                  <div className="approval-summary">
                    <h3>
                      Write off <Money minor={request.amountMinor} currency={request.currency} /> of{" "}
                      <Link to={`/staff/invoices/${request.invoiceId}`}>invoice {request.invoiceNumber}</Link>
                    </h3>
                    <dl className="details">
                      <dt>Customer</dt>
                      <dd>
                        <Link to={`/staff/customers/${request.customerId}`}>{request.customerName}</Link>
                      </dd>
                      <dt>Open now</dt>
                      <dd>
                        <Money minor={request.openMinor} currency={request.currency} />
                      </dd>
                      <dt>Reason</dt>
                      <dd>{request.reason}</dd>
                      <dt>Requested</dt>
                      <dd>{formatDateTime(request.requestedAt)}</dd>
                    </dl>
                  </div>
                  <Form method="post" className="approval-decision" noValidate>
                    <input type="hidden" name="requestId" value={request.id} />
                    <FormAlert message={failed?.message} />
                    <Field label="Note (optional)" name="note" autoComplete="off" error={failed?.errors.note} />
                    <div className="actions">
                      <SubmitButton name="intent" value="approve">
                        Approve
                      </SubmitButton>
                      <SubmitButton name="intent" value="reject" className="button secondary">
                        Reject
                      </SubmitButton>
                    </div>
                  </Form>
                </li>
              );
            })}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby="recent-heading">
        <h2 id="recent-heading">Recent decisions</h2>
        {recent.length === 0 ? (
          <p className="muted">No decisions yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Decided</th>
                  <th scope="col">Invoice</th>
                  <th scope="col">Customer</th>
                  <th scope="col">Decision</th>
                  <th scope="col">Note</th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                </tr>
              </thead>
              <tbody>
                {recent.map((request) => (
                  <tr key={request.id}>
                    <td className="date">{formatDateTime(request.decidedAt)}</td>
                    <td>
                      <Link to={`/staff/invoices/${request.invoiceId}`}>{request.invoiceNumber}</Link>
                    </td>
                    <td>{request.customerName}</td>
                    <td>
                      <span className={`badge ${statusTone[request.status]}`}>{request.status === "approved" ? "Approved" : "Rejected"}</span>
                    </td>
                    <td>{request.decisionNote ?? <span className="muted">—</span>}</td>
                    <td className="num">
                      <Money minor={request.amountMinor} currency={request.currency} />
                    </td>
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

export const ErrorBoundary = GeneralErrorBoundary;
