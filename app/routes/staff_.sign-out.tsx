import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { recordAudit } from "~/audit/audit.server";
import { clearSessionCookie, invalidateAllSessions, invalidateSession } from "~/auth/session.server";
import { getStaffSession } from "~/auth/staff-auth.server";
import { clientIp } from "~/utils/responses.server";

export async function loader() {
  throw redirect("/staff");
}

export async function action({ request, context }: ActionFunctionArgs) {
  const found = await getStaffSession(request);
  const everywhere = (await request.formData()).get("scope") === "everywhere";
  if (found) {
    if (everywhere) await invalidateAllSessions({ audience: "staff", staffUserId: found.user.id });
    else await invalidateSession(found.session.id);
    await recordAudit({
      actor: { type: "staff", id: found.user.id, label: found.user.email },
      action: everywhere ? "staff.sign_out_everywhere" : "staff.sign_out",
      entityType: "staff_user",
      entityId: found.user.id,
      ip: clientIp(context),
    });
  }
  throw redirect("/staff/sign-in", { headers: { "Set-Cookie": await clearSessionCookie("staff") } });
}
