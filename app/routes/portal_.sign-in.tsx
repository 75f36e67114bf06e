import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { SIGN_IN_LINK_MINUTES } from "~/auth/constants";
import { getPortalSession, requestSignInLink, signInPortalWithPassword } from "~/auth/portal-auth.server";
import { sessionCookie } from "~/auth/session.server";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { clientIp } from "~/utils/responses.server";
import { emailSchema, parseForm, passwordSchema, safeRedirect } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Sign in · Customer portal" }];

const linkSchema = z.object({ intent: z.literal("link"), email: emailSchema });
const passwordSignInSchema = z.object({ intent: z.literal("password"), email: emailSchema, password: passwordSchema, redirectTo: z.string().optional() });

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getPortalSession(request)) throw redirect("/portal");
  return null;
}

type ActionData = { intent: "link" | "password"; errors: Record<string, string | undefined>; message: string | null; sent: boolean };

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const ip = clientIp(context);
  if (form.get("intent") === "password") {
    const parsed = parseForm(passwordSignInSchema, form);
    if (!parsed.ok) return data<ActionData>({ intent: "password", errors: parsed.errors, message: null, sent: false }, { status: 400 });
    const result = await signInPortalWithPassword({ ...parsed.data, ip, userAgent: request.headers.get("user-agent") });
    if (!result.ok) {
      const message =
        result.reason === "rate_limited"
          ? `Too many sign-in attempts. Wait ${result.retryAfterSeconds} seconds and try again, or sign in with an emailed link.`
          : "Email or password is incorrect. If you have not set a password, sign in with an emailed link.";
      return data<ActionData>({ intent: "password", errors: {}, message, sent: false }, { status: result.reason === "rate_limited" ? 429 : 401 });
    }
    throw redirect(safeRedirect(parsed.data.redirectTo, "/portal"), { headers: { "Set-Cookie": await sessionCookie("portal", result.token) } });
  }

  const parsed = parseForm(linkSchema, form);
  if (!parsed.ok) return data<ActionData>({ intent: "link", errors: parsed.errors, message: null, sent: false }, { status: 400 });
  const result = await requestSignInLink({ email: parsed.data.email, ip });
  if (!result.ok) {
    return data<ActionData>(
      { intent: "link", errors: {}, message: `Too many links requested. Wait ${Math.ceil(result.retryAfterSeconds / 60)} minutes and try again.`, sent: false },
      { status: 429 },
    );
  }
  return data<ActionData>({ intent: "link", errors: {}, message: null, sent: true });
}

export default function PortalSignIn() {
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const linkErrors = actionData?.intent === "link" ? actionData.errors : {};
  const passwordErrors = actionData?.intent === "password" ? actionData.errors : {};
  return (
    <main className="auth-page">
      <div className="auth-card">
        <Link to="/" className="brand">
          Settle · Customer portal
        </Link>
        <h1>Sign in to see and pay your invoices</h1>
        <p className="sub">We'll email you a link that signs you in. No password needed.</p>
        {actionData?.sent ? (
          <FormAlert
            tone="ok"
            message={`If that address belongs to a customer contact, a sign-in link is on its way. It works once, for ${SIGN_IN_LINK_MINUTES} minutes.`}
          />
        ) : null}
        {actionData?.intent === "link" ? <FormAlert message={actionData.message} /> : null}
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="link" />
          <Field label="Email" name="email" type="email" autoComplete="email" required autoFocus error={linkErrors.email} />
          <SubmitButton className="button block" name="intent" value="link">
            Email me a sign-in link
          </SubmitButton>
        </Form>
        <div className="divider">or</div>
        <details className="more" open={actionData?.intent === "password"}>
          <summary>Sign in with a password</summary>
          {actionData?.intent === "password" ? <FormAlert message={actionData.message} /> : null}
          <Form method="post" noValidate>
            <input type="hidden" name="intent" value="password" />
            <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
            <Field label="Email" name="email" type="email" autoComplete="username" required error={passwordErrors.email} />
            <Field label="Password" name="password" type="password" autoComplete="current-password" required error={passwordErrors.password} />
            <SubmitButton className="button secondary block" name="intent" value="password">
              Sign in
            </SubmitButton>
          </Form>
        </details>
        <p className="muted" style={{ marginTop: "1.5rem", fontSize: "0.9rem" }}>
          Work on the accounts team? <Link to="/staff/sign-in">Staff sign-in</Link>.
        </p>
      </div>
    </main>
  );
}
