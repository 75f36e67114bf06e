import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requirePortalUser, setPortalPassword } from "~/auth/portal-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { formatDateTime } from "~/utils/format";
import { clientIp } from "~/utils/responses.server";
import { newPasswordSchema, parseForm } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Account · Customer portal" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, session } = await requirePortalUser(request);
  return {
    user: { name: user.name, email: user.email, role: user.role, hasPassword: user.passwordHash !== null, lastSignInAt: user.lastSignInAt },
    sessionExpiresAt: session.expiresAt,
  };
}

const passwordFormSchema = z
  .object({ intent: z.literal("set-password"), password: newPasswordSchema, confirm: z.string() })
  .refine((v) => v.password === v.confirm, { message: "The two passwords do not match", path: ["confirm"] });

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requirePortalUser(request);
  const form = await request.formData();
  if (form.get("intent") === "remove-password") {
    await setPortalPassword({ user, password: null, ip: clientIp(context) });
    return { errors: {}, message: "Password removed. Sign in with an emailed link from now on." };
  }
  const parsed = parseForm(passwordFormSchema, form);
  if (!parsed.ok) return data({ errors: parsed.errors, message: null }, { status: 400 });
  await setPortalPassword({ user, password: parsed.data.password, ip: clientIp(context) });
  return { errors: {}, message: "Password saved. You can now sign in with it, or with an emailed link." };
}

export default function PortalAccount() {
  const { user } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string | undefined> = actionData?.errors ?? {};
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Account</h1>
          <p>How you sign in to this portal.</p>
        </div>
      </header>
      <section className="card" aria-labelledby="you-heading">
        <h2 id="you-heading">You</h2>
        <dl className="details">
          <dt>Name</dt>
          <dd>{user.name}</dd>
          <dt>Email</dt>
          <dd>{user.email}</dd>
          <dt>Access</dt>
          <dd>{user.role === "billing" ? "See and pay invoices" : "See invoices"}</dd>
          <dt>Last sign-in</dt>
          <dd>{formatDateTime(user.lastSignInAt)}</dd>
        </dl>
      </section>
      <section className="card" aria-labelledby="password-heading" style={{ maxWidth: 560 }}>
        <h2 id="password-heading">Password (optional)</h2>
        <p className="muted">
          {user.hasPassword
            ? "You have a password. You can also always sign in with an emailed link."
            : "You sign in with emailed links. Set a password if you'd rather type one."}
        </p>
        <FormAlert tone="ok" message={actionData?.message} />
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="set-password" />
          <Field label={user.hasPassword ? "New password" : "Password"} name="password" type="password" autoComplete="new-password" hint="At least 12 characters." error={errors.password} />
          <Field label="Repeat the password" name="confirm" type="password" autoComplete="new-password" error={errors.confirm} />
          <SubmitButton name="intent" value="set-password">
            Save password
          </SubmitButton>
        </Form>
        {user.hasPassword ? (
          <Form method="post" style={{ marginTop: "1rem" }}>
            <input type="hidden" name="intent" value="remove-password" />
            <button type="submit" className="button secondary">
              Remove password
            </button>
          </Form>
        ) : null}
      </section>
      <section className="card" aria-labelledby="sessions-heading" style={{ maxWidth: 560 }}>
        <h2 id="sessions-heading">Signed-in devices</h2>
        <p className="muted">Lost a phone, or signed in on a shared computer? Sign out on every device at once.</p>
        <Form method="post" action="/portal/sign-out">
          <input type="hidden" name="scope" value="everywhere" />
          <button type="submit" className="button secondary">
            Sign out everywhere
          </button>
        </Form>
      </section>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
