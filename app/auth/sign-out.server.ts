import { redirect } from "@remix-run/node";
import { recordAudit } from "~/audit/audit.server";
import { getPortalSession } from "./portal-auth.server";
import { clearSessionCookie, invalidateAllSessions, invalidateSession, type Audience } from "./session.server";
import { getStaffSession } from "./staff-auth.server";

/** Ends this session, or with `everywhere` every session of the person, and goes to the sign-in page. */
export async function signOut({ request, audience, ip }: { request: Request; audience: Audience; ip: string }): Promise<never> {
  const everywhere = (await request.formData()).get("scope") === "everywhere";
  const found = audience === "staff" ? await getStaffSession(request) : await getPortalSession(request);
  if (found) {
    const subject =
      audience === "staff" ? { audience, staffUserId: found.user.id } : { audience, portalUserId: found.user.id };
    if (everywhere) await invalidateAllSessions(subject);
    else await invalidateSession(found.session.id);
    await recordAudit({
      actor: { type: audience, id: found.user.id, label: found.user.email },
      action: `${audience}.${everywhere ? "sign_out_everywhere" : "sign_out"}`,
      entityType: audience === "staff" ? "staff_user" : "portal_user",
      entityId: found.user.id,
      customerId: "customer" in found ? found.customer.id : null,
      ip,
    });
  }
  throw redirect(`/${audience}/sign-in`, { headers: { "Set-Cookie": await clearSessionCookie(audience) } });
}
