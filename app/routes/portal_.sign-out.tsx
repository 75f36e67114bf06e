import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { recordAudit } from "~/audit/audit.server";
import { getPortalSession } from "~/auth/portal-auth.server";
import { clearSessionCookie, invalidateAllSessions, invalidateSession } from "~/auth/session.server";
import { clientIp } from "~/utils/responses.server";

export async function loader() {
  throw redirect("/portal");
}

export async function action({ request, context }: ActionFunctionArgs) {
  const found = await getPortalSession(request);
  const everywhere = (await request.formData()).get("scope") === "everywhere";
  if (found) {
    if (everywhere) await invalidateAllSessions({ audience: "portal", portalUserId: found.user.id });
    else await invalidateSession(found.session.id);
    await recordAudit({
      actor: { type: "portal", id: found.user.id, label: found.user.email },
      action: everywhere ? "portal.sign_out_everywhere" : "portal.sign_out",
      entityType: "portal_user",
      entityId: found.user.id,
      customerId: found.customer.id,
      ip: clientIp(context),
    });
  }
  throw redirect("/portal/sign-in", { headers: { "Set-Cookie": await clearSessionCookie("portal") } });
}
