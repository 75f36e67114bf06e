import { redirect } from "@remix-run/node";
import { eq, sql } from "drizzle-orm";
import { staffUsers, type StaffRole, type StaffUser } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit } from "~/audit/audit.server";
import { forbidden } from "~/utils/responses.server";
import { hasRole } from "./roles";
import { checkPassword } from "./password-sign-in.server";
import { rules } from "./rate-limit.server";
import { createSession, readSessionToken, validateSessionToken, type StaffSession } from "./session.server";


export async function getStaffSession(request: Request): Promise<StaffSession | null> {
  const token = await readSessionToken(request, "staff");
  return token ? validateSessionToken(token, "staff") : null;
}

/**
 * The one guard of every staff route: signed out goes to the staff sign-in page,
 * signed in without the role gets 403.
 */
export async function requireStaff(request: Request, atLeast: StaffRole = "viewer"): Promise<StaffSession> {
  const found = await getStaffSession(request);
  if (!found) {
    const url = new URL(request.url);
    const back = url.pathname + url.search;
    throw redirect(`/staff/sign-in?redirectTo=${encodeURIComponent(back)}`);
  }
  if (!hasRole(found.user, atLeast)) forbidden(`This needs the ${atLeast} role; you are signed in as ${found.user.role}.`);
  return found;
}

export type StaffSignInResult =
  | { ok: true; token: string; user: StaffUser }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

export async function signInStaff(
  { email, password, ip, userAgent }: { email: string; password: string; ip: string; userAgent?: string | null },
  db: Db = getDb(),
): Promise<StaffSignInResult> {
  const checked = await checkPassword(
    {
      scope: "staff-sign-in",
      email,
      password,
      ip,
      perAccount: rules.staffSignInPerAccount,
      perIp: rules.staffSignInPerIp,
      findUser: async () => (await db.select().from(staffUsers).where(eq(sql`lower(${staffUsers.email})`, email)))[0] ?? null,
    },
    db,
  );
  if (!checked.ok) {
    if (checked.reason === "invalid") {
      await recordAudit({ actor: { type: "system", label: "sign-in" }, action: "staff.sign_in_failed", entityType: "staff_user", after: { email }, ip }, db);
    }
    return checked;
  }
  const { user } = checked;
  const { token } = await createSession({ audience: "staff", staffUserId: user.id }, { ip, userAgent }, db);
  await db.update(staffUsers).set({ lastSignInAt: new Date() }).where(eq(staffUsers.id, user.id));
  await recordAudit(
    { actor: { type: "staff", id: user.id, label: user.email }, action: "staff.sign_in", entityType: "staff_user", entityId: user.id, ip },
    db,
  );
  return { ok: true, token, user };
}
