import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { FormAlert, Field, SubmitButton } from "~/components/forms";
import { getStaffSession, signInStaff } from "~/auth/staff-auth.server";
import { sessionCookie } from "~/auth/session.server";
import { clientIp } from "~/utils/responses.server";
import { emailSchema, parseForm, passwordSchema, safeRedirect } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Staff sign-in · Settle" }];

const signInSchema = z.object({ email: emailSchema, password: passwordSchema, redirectTo: z.string().optional() });

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getStaffSession(request)) throw redirect("/staff");
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = parseForm(signInSchema, await request.formData());
  if (!parsed.ok) return data({ errors: parsed.errors, message: null }, { status: 400 });
  const { email, password, redirectTo } = parsed.data;
  const result = await signInStaff({ email, password, ip: clientIp(context), userAgent: request.headers.get("user-agent") });
  if (!result.ok) {
    const message =
      result.reason === "rate_limited"
        ? `Too many sign-in attempts for this account. Wait ${result.retryAfterSeconds} seconds and try again.`
        : "Email or password is incorrect.";
    return data({ errors: {}, message }, { status: result.reason === "rate_limited" ? 429 : 401 });
  }
  throw redirect(safeRedirect(redirectTo, "/staff"), { headers: { "Set-Cookie": await sessionCookie("staff", result.token) } });
}

export default function StaffSignIn() {
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const errors: Record<string, string | undefined> = actionData?.errors ?? {};
  return (
    <main className="auth-page">
      <div className="auth-card">
        <Link to="/" className="brand">
          Settle · Back office
        </Link>
        <h1>Staff sign-in</h1>
        <p className="sub">For the accounts-receivable team.</p>
        <FormAlert message={actionData?.message} />
        <Form method="post" noValidate>
          <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
          <Field label="Work email" name="email" type="email" autoComplete="username" required autoFocus error={errors.email} />
          <Field label="Password" name="password" type="password" autoComplete="current-password" required error={errors.password} />
          <SubmitButton className="button block">Sign in</SubmitButton>
        </Form>
        <p className="muted" style={{ marginTop: "1.5rem", fontSize: "0.9rem" }}>
          A customer? <Link to="/portal/sign-in">Sign in to the customer portal</Link>.
        </p>
      </div>
    </main>
  );
}
