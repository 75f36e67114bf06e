import { data, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import { createApiKey, listApiKeys, revokeApiKey } from "~/api/keys.server";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { appUrl } from "~/utils/env.server";
import { DomainError } from "~/utils/errors";
import { requiredText } from "~/utils/form-schemas";
import { formatDateTime } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "API keys · Settle back office" }];

// The answer to a create shows the new key's secret: no cache may keep this page.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "admin");
  return { keys: await listApiKeys(), apiBase: `${appUrl()}/api/v1` };
}

const createSchema = z.object({ name: requiredText("Name", 100) });
const revokeSchema = z.object({ keyId: z.uuid() });

type ActionResult = { errors: Partial<Record<string, string>>; created: { name: string; secret: string } | null; revoked: string | null };

export async function action({ request }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "admin");
  const actor = { type: "staff" as const, id: user.id, label: user.email };
  const form = await request.formData();
  if (form.get("intent") === "revoke") {
    const parsed = revokeSchema.safeParse(Object.fromEntries(form));
    invariantResponse(parsed.success, "API key not found");
    try {
      const key = await revokeApiKey(parsed.data.keyId, actor);
      return data<ActionResult>({ errors: {}, created: null, revoked: key.name });
    } catch (error) {
      if (error instanceof DomainError) invariantResponse(error.code !== "not_found", error.message);
      throw error;
    }
  }
  const parsed = parseForm(createSchema, form);
  if (!parsed.ok) return data<ActionResult>({ errors: parsed.errors, created: null, revoked: null }, { status: 400 });
  const { key, secret } = await createApiKey(parsed.data, actor);
  return data<ActionResult>({ errors: {}, created: { name: key.name, secret }, revoked: null });
}

function NewKey({ name, secret }: { name: string; secret: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="alert ok" role="status">
      <p>
        <strong>Key “{name}” created.</strong> Copy it now: Settle keeps only a fingerprint of it, so it cannot be shown again.
      </p>
      <div className="field" style={{ marginBottom: 0 }}>
        <label htmlFor="new-key">New API key</label>
        <div className="actions" style={{ flexWrap: "nowrap" }}>
          <input id="new-key" readOnly value={secret} onFocus={(event) => event.currentTarget.select()} style={{ fontFamily: "ui-monospace, monospace" }} />
          <button
            type="button"
            className="button secondary"
            onClick={() => navigator.clipboard.writeText(secret).then(() => setCopied(true))}
          >
            {copied ? "Copied" : "Copy"}
          </button>
        </div>
      </div>
    </div>
  );
}

export default function ApiKeys() {
  const { keys, apiBase } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <>
      <header className="page-header">
        <div>
          <h1>API keys</h1>
          <p>Keys let your other systems create customers, invoices and payments through the JSON API.</p>
        </div>
      </header>
      <section className="card" aria-labelledby="create-heading">
        <h2 id="create-heading">Create a key</h2>
        {actionData?.created ? <NewKey key={actionData.created.secret} {...actionData.created} /> : null}
        <p className="muted">Give each system its own key, named after it, so that one can be revoked without stopping the others.</p>
        {/* Keyed by the new secret, so the form starts empty again after a key is made. */}
        <Form key={actionData?.created?.secret ?? "form"} method="post" noValidate className="form-row" style={{ gridTemplateColumns: "minmax(0, 24rem) auto", justifyContent: "start" }}>
          <Field label="Name" name="name" autoComplete="off" placeholder="ERP sync" required maxLength={100} error={actionData?.errors.name} />
          <SubmitButton name="intent" value="create">
            Create key
          </SubmitButton>
        </Form>
        <p className="muted" style={{ margin: "1.25rem 0 0" }}>
          Systems send the key with every request to <code>{apiBase}</code> in the header <code style={{ whiteSpace: "nowrap" }}>Authorization: Bearer sk_settle_…</code>. A revoked key stops
          working at once.
        </p>
      </section>
      <section className="card" aria-labelledby="keys-heading">
        <h2 id="keys-heading">Keys</h2>
        <FormAlert tone="ok" message={actionData?.revoked ? `Key “${actionData.revoked}” revoked.` : null} />
        {keys.length === 0 ? (
          <p className="muted">No keys yet. Nothing can use the API until you create one.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.map((key) => (
                  <tr key={key.id}>
                    <td>{key.name}</td>
                    <td>
                      <code>{key.prefix}…</code>
                    </td>
                    <td>
                      {formatDateTime(key.createdAt)}
                      <div className="muted">by {key.createdByName ?? "a former user"}</div>
                    </td>
                    <td>{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : <span className="muted">Never</span>}</td>
                    <td>
                      {key.revokedAt ? (
                        <>
                          <span className="badge">Revoked</span>
                          <div className="muted">
                            {formatDateTime(key.revokedAt)}
                            {key.revokedByName ? ` by ${key.revokedByName}` : ""}
                          </div>
                        </>
                      ) : (
                        <span className="badge ok">Active</span>
                      )}
                    </td>
                    <td>
                      {key.revokedAt ? null : (
                        <details>
                          <summary className="button secondary small">Revoke…</summary>
                          <Form method="post" style={{ marginTop: "0.5rem", maxWidth: "16rem" }}>
                            <p className="muted" style={{ marginBottom: "0.5rem" }}>
                              Anything using “{key.name}” stops working at once. This cannot be undone.
                            </p>
                            <input type="hidden" name="keyId" value={key.id} />
                            <SubmitButton name="intent" value="revoke" className="button danger small">
                              Revoke “{key.name}”
                            </SubmitButton>
                          </Form>
                        </details>
                      )}
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
