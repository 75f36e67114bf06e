import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { applyRulesToUnassigned, deleteRule, describeRule, listRules, moveRule, saveRule } from "~/collections/assignment.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { listCollectors } from "~/customers/customers.server";
import { toDecimalString } from "~/money/money";
import { runDomain } from "~/utils/action.server";
import type { FieldErrors } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Assignment rules · Collections · Settle back office" }];

const searchSchema = z.object({ edit: z.uuid().optional().catch(undefined) });

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const { edit } = searchSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const [rules, collectors] = await Promise.all([listRules(), listCollectors()]);
  const editing = edit ? rules.find((r) => r.id === edit) : undefined;
  return {
    rules: rules.map((rule) => ({ ...rule, conditions: describeRule(rule) })),
    collectors,
    editing: editing
      ? {
          id: editing.id,
          segment: editing.segment ?? "",
          currency: editing.currency ?? "",
          minOverdue: editing.minOverdueMinor !== null && editing.currency ? toDecimalString(editing.minOverdueMinor, editing.currency) : "",
          collectorId: editing.collectorId,
        }
      : null,
    canEdit: hasRole(user, "admin"),
  };
}

const intentSchema = z.object({
  intent: z.enum(["save", "delete", "up", "down", "apply"], { message: "Unknown action" }),
  id: z.string().optional(),
});
const idSchema = z.uuid({ message: "No such rule" });

export async function action({ request }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "admin");
  const actor = { type: "staff" as const, id: user.id, label: user.email };
  const form = Object.fromEntries(await request.formData());
  const parsed = intentSchema.safeParse(form);
  if (!parsed.success) return data({ ok: false as const, errors: { form: "Unknown action" } as FieldErrors, message: "Unknown action", values: null }, { status: 400 });
  const { intent } = parsed.data;
  if (intent === "apply") {
    const result = await applyRulesToUnassigned();
    throw redirect(`/staff/collections/rules?applied=${result.assigned}`);
  }
  if (intent === "save") {
    const result = await runDomain(() => saveRule(form, actor));
    if (!result.ok) {
      const { errors, message } = result.response.data;
      return data({ ok: false as const, errors, message, values: form as Record<string, string> }, { status: 400 });
    }
    throw redirect("/staff/collections/rules?saved=1");
  }
  const id = idSchema.safeParse(parsed.data.id);
  if (!id.success) return data({ ok: false as const, errors: { form: "No such rule" } as FieldErrors, message: "No such rule", values: null }, { status: 400 });
  const result = await runDomain(async () => {
    if (intent === "delete") await deleteRule({ id: id.data }, actor);
    else await moveRule({ id: id.data, direction: intent }, actor);
  });
  if (!result.ok) return data({ ok: false as const, errors: result.response.data.errors as FieldErrors, message: result.response.data.message, values: null }, { status: result.response.init?.status ?? 400 });
  throw redirect("/staff/collections/rules");
}

export default function AssignmentRules() {
  const { rules, collectors, editing, canEdit } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const errors: FieldErrors = actionData?.errors ?? {};
  const values = (actionData?.values as Record<string, string> | null | undefined) ?? editing ?? { segment: "", currency: "", minOverdue: "", collectorId: "" };
  const shownMessage = actionData?.message && !Object.entries(errors).some(([key, value]) => key !== "form" && value === actionData.message) ? actionData.message : null;
  const applied = params.get("applied");
  const editingId = typeof values.id === "string" && values.id ? values.id : (editing?.id ?? null);
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Assignment rules</h1>
          <p>
            Accounts nobody collects yet go to the collector of the <strong>first</strong> rule they meet, top to bottom, each time the dunning run passes. An empty condition
            matches every account. Accounts with a collector are never moved by a rule.
          </p>
        </div>
      </header>
      <FormAlert tone="ok" message={params.get("saved") ? "Saved the rule." : applied !== null ? `Gave ${applied} unassigned ${applied === "1" ? "account" : "accounts"} a collector.` : null} />
      <FormAlert message={shownMessage} />
      <div className="card table-wrap">
        <table className="rules-table">
          <thead>
            <tr>
              <th scope="col" className="num">
                Order
              </th>
              <th scope="col">Accounts with</th>
              <th scope="col">Go to</th>
              {canEdit ? (
                <th scope="col">
                  <span className="visually-hidden">Change</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {rules.length === 0 ? (
              <tr>
                <td colSpan={canEdit ? 4 : 3} className="muted empty">
                  No rules yet: new overdue accounts stay unassigned until someone assigns them from the worklist.
                </td>
              </tr>
            ) : (
              rules.map((rule, i) => (
                <tr key={rule.id}>
                  <td className="num">{i + 1}</td>
                  <td>{rule.conditions}</td>
                  <td>
                    {rule.collectorName}
                    {rule.collectorActive ? null : <span className="badge warn">Cannot collect: rule skipped</span>}
                  </td>
                  {canEdit ? (
                    <td className="actions nowrap">
                      <Form method="post" className="inline-form">
                        <input type="hidden" name="id" value={rule.id} />
                        <button type="submit" name="intent" value="up" className="button link" disabled={i === 0} aria-label={`Move rule ${i + 1} up`}>
                          Up
                        </button>
                        <button type="submit" name="intent" value="down" className="button link" disabled={i === rules.length - 1} aria-label={`Move rule ${i + 1} down`}>
                          Down
                        </button>
                        <Link to={`?edit=${rule.id}`} className="button link" aria-label={`Edit rule ${i + 1}`}>
                          Edit
                        </Link>
                        <button type="submit" name="intent" value="delete" className="button link danger-text" aria-label={`Delete rule ${i + 1}`}>
                          Delete
                        </button>
                      </Form>
                    </td>
                  ) : null}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {canEdit ? (
        <div className="two-col">
          <section className="card" aria-labelledby="rule-form-heading">
            <h2 id="rule-form-heading">{editingId ? "Edit the rule" : "New rule"}</h2>
            <Form method="post" noValidate key={actionData ? "failed" : (editing?.id ?? "new")} className="rule-form">
              {editingId ? <input type="hidden" name="id" value={editingId} /> : null}
              <Field label="Segment" name="segment" defaultValue={values.segment ?? ""} error={errors.segment} hint="As on the customer (e.g. enterprise); empty for any segment." />
              <Field label="Currency" name="currency" defaultValue={values.currency ?? ""} error={errors.currency} hint="A code like USD; empty for any currency." autoComplete="off" maxLength={3} />
              <Field label="Overdue at least" name="minOverdue" defaultValue={values.minOverdue ?? ""} error={errors.minOverdue} hint="In the currency above (needs one); empty for any amount." inputMode="decimal" />
              <div className="field">
                <label htmlFor="rule-collector">Collector</label>
                <select id="rule-collector" name="collectorId" defaultValue={values.collectorId ?? ""} aria-invalid={errors.collectorId ? true : undefined} aria-describedby={errors.collectorId ? "rule-collector-error" : undefined}>
                  <option value="">Choose a collector</option>
                  {collectors.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name}
                    </option>
                  ))}
                </select>
                {errors.collectorId ? (
                  <span className="error" id="rule-collector-error" role="alert">
                    {errors.collectorId}
                  </span>
                ) : null}
              </div>
              <div className="actions form-actions">
                <SubmitButton name="intent" value="save">
                  {editingId ? "Save the rule" : "Add the rule"}
                </SubmitButton>
                {editingId ? (
                  <Link className="button secondary" to="/staff/collections/rules">
                    Cancel
                  </Link>
                ) : null}
              </div>
            </Form>
          </section>
          <section className="card" aria-labelledby="apply-heading">
            <h2 id="apply-heading">Apply now</h2>
            <p>The dunning run applies the rules every day. To give today's unassigned overdue accounts a collector at once, apply them now.</p>
            <Form method="post">
              <SubmitButton name="intent" value="apply" className="button secondary">
                Assign unassigned accounts now
              </SubmitButton>
            </Form>
          </section>
        </div>
      ) : (
        <p className="muted">Only admins change the assignment rules.</p>
      )}
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
