import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { ensureDefaultPolicy } from "~/collections/dunning.server";
import { listPolicies, policyDisplayCurrency } from "~/collections/policies.server";
import { timelineWords } from "~/collections/policy-form";
import { FormAlert } from "~/components/forms";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { formatDate } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Dunning policies · Collections · Settle back office" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  // A new install's standard policy is made on first need; this page is one.
  await ensureDefaultPolicy();
  const [policies, currency] = await Promise.all([listPolicies(), policyDisplayCurrency()]);
  const rows = policies.map((policy) => ({
    id: policy.id,
    name: policy.name,
    description: policy.description,
    isDefault: policy.isDefault,
    segments: policy.segments,
    archivedAt: policy.archivedAt,
    accountCount: policy.accountCount,
    segmentCustomerCount: policy.segmentCustomerCount,
    timeline: timelineWords(policy.steps, currency),
  }));
  return { live: rows.filter((p) => !p.archivedAt), archived: rows.filter((p) => p.archivedAt), canEdit: hasRole(user, "admin") };
}

type Row = ReturnType<typeof useLoaderData<typeof loader>>["live"][number];

export default function DunningPolicies() {
  const { live, archived, canEdit } = useLoaderData<typeof loader>();
  const hasDefault = live.some((p) => p.isDefault);
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Dunning policies</h1>
          <p>
            What happens as an invoice comes due and stays unpaid. A customer follows the policy named on its account, else the one for its segment, else the default. Each step is taken at
            most once per invoice.
          </p>
        </div>
        {canEdit ? (
          <Link className="button" to="/staff/collections/policies/new">
            New policy
          </Link>
        ) : null}
      </header>
      {live.length > 0 && !hasDefault ? <FormAlert tone="info" message="No policy is the default: customers without a policy of their own or of their segment get no reminders." /> : null}
      <PolicyTable rows={live} empty={canEdit ? "No dunning policies yet. Create one to start sending reminders." : "No dunning policies yet."} />
      {archived.length > 0 ? (
        <>
          <h2>Archived</h2>
          <PolicyTable rows={archived} empty="" />
        </>
      ) : null}
    </>
  );
}

function PolicyTable({ rows, empty }: { rows: Row[]; empty: string }) {
  return (
    <div className="card table-wrap" style={{ padding: 0 }}>
      <table>
        <thead>
          <tr>
            <th scope="col">Policy</th>
            <th scope="col">Applies to</th>
            <th scope="col">Steps</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={3} className="muted">
                {empty}
              </td>
            </tr>
          ) : (
            rows.map((policy) => (
              <tr key={policy.id}>
                <td>
                  <Link to={`/staff/collections/policies/${policy.id}`}>{policy.name}</Link> {policy.isDefault ? <span className="badge brand">Default</span> : null}
                  {policy.archivedAt ? <span className="badge">Archived {formatDate(policy.archivedAt)}</span> : null}
                  {policy.description ? <div className="muted small-print">{policy.description}</div> : null}
                </td>
                <td>
                  {policy.isDefault ? <div>Everyone else</div> : null}
                  {policy.segments.length > 0 ? (
                    <div>
                      Segment{policy.segments.length === 1 ? "" : "s"} {policy.segments.join(", ")}
                      <span className="muted"> ({policy.segmentCustomerCount} customer{policy.segmentCustomerCount === 1 ? "" : "s"})</span>
                    </div>
                  ) : null}
                  {policy.accountCount > 0 ? (
                    <div>
                      {policy.accountCount} account{policy.accountCount === 1 ? "" : "s"} chosen by hand
                    </div>
                  ) : null}
                  {!policy.isDefault && policy.segments.length === 0 && policy.accountCount === 0 ? <span className="muted">No one yet</span> : null}
                </td>
                <td>
                  {policy.timeline.length === 0 ? (
                    <span className="muted">No steps: no reminders, fees or holds</span>
                  ) : (
                    <ol className="policy-timeline compact" style={{ margin: 0, paddingLeft: "1.1rem" }}>
                      {policy.timeline.map((line, i) => (
                        <li key={i}>{line}</li>
                      ))}
                    </ol>
                  )}
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
