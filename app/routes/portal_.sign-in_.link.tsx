import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { redeemSignInToken } from "~/auth/portal-auth.server";
import { sessionCookie } from "~/auth/session.server";
import { FormAlert, SubmitButton } from "~/components/forms";
import { clientIp } from "~/utils/responses.server";

export const meta: MetaFunction = () => [{ title: "Sign in · Customer portal" }];

// Tokens are 32 base32 characters; anything else is not a link we sent.
const tokenSchema = z.string().regex(/^[a-z2-7]{32}$/, "This sign-in link is not valid. Check that the whole link was copied.");

const reasons = {
  unknown: "This sign-in link is not valid. Check that the whole link was copied, or request a new one.",
  expired: "This sign-in link has expired. Links work for 15 minutes (invitations for 7 days); request a new one.",
  used: "This sign-in link has already been used. Each link works once; request a new one.",
  disabled: "This contact can no longer sign in. Ask your account manager for access.",
} as const;

/**
 * Opening the link only shows a button: email scanners that fetch links must not use up the
 * one-time token. The POST is what signs in.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const token = tokenSchema.safeParse(new URL(request.url).searchParams.get("token") ?? "");
  return { token: token.success ? token.data : null, error: token.success ? null : reasons.unknown };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const token = tokenSchema.safeParse((await request.formData()).get("token"));
  if (!token.success) return data({ error: reasons.unknown }, { status: 400 });
  const result = await redeemSignInToken({ token: token.data, ip: clientIp(context), userAgent: request.headers.get("user-agent") });
  if (!result.ok) return data({ error: reasons[result.reason] }, { status: result.reason === "unknown" ? 400 : 410 });
  const to = result.purpose === "portal_invite" ? "/portal?welcome=1" : "/portal";
  throw redirect(to, { headers: { "Set-Cookie": await sessionCookie("portal", result.token) } });
}

export default function RedeemLink() {
  const { token, error } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const problem = actionData?.error ?? error;
  return (
    <main className="auth-page">
      <div className="auth-card">
        <Link to="/" className="brand">
          Settle · Customer portal
        </Link>
        <h1>{problem ? "This link can't be used" : "Continue to your account"}</h1>
        <FormAlert message={problem} />
        {problem ? (
          <Link className="button block" to="/portal/sign-in">
            Get a new sign-in link
          </Link>
        ) : (
          <Form method="post">
            <input type="hidden" name="token" value={token ?? ""} />
            <p className="sub">You're one click from your invoices and statements.</p>
            <SubmitButton className="button block">Sign in</SubmitButton>
          </Form>
        )}
      </div>
    </main>
  );
}
