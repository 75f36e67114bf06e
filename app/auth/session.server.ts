import { createCookie } from "@remix-run/node";
import { and, eq, lt } from "drizzle-orm";
import { customers, portalUsers, sessions, staffUsers, type Customer, type PortalUser, type Session, type StaffUser } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { getEnv } from "~/utils/env.server";
import { generateToken, hashToken } from "./crypto.server";

export type Audience = "staff" | "portal";

const DAY = 24 * 60 * 60 * 1000;
// Sliding expiry: a session is extended when used in the second half of its life.
export const sessionLifetime: Record<Audience, number> = { staff: 7 * DAY, portal: 30 * DAY };

const cookies = {
  staff: createCookie("settle_staff_session", cookieOptions()),
  portal: createCookie("settle_portal_session", cookieOptions()),
};

function cookieOptions() {
  return { httpOnly: true, sameSite: "lax" as const, path: "/", secure: getEnv().NODE_ENV === "production" && !isLocalHttp() };
}

// `npm start` runs the production build on http://localhost; a Secure cookie would never come back there.
function isLocalHttp() {
  const url = getEnv().APP_URL;
  return url === undefined || url.startsWith("http://localhost") || url.startsWith("http://127.0.0.1");
}

type Subject = { audience: "staff"; staffUserId: string } | { audience: "portal"; portalUserId: string };

export async function createSession(
  subject: Subject,
  meta: { ip?: string; userAgent?: string | null } = {},
  db: Db = getDb(),
): Promise<{ token: string; session: Session }> {
  const token = generateToken();
  const [session] = await db
    .insert(sessions)
    .values({
      id: hashToken(token),
      audience: subject.audience,
      staffUserId: subject.audience === "staff" ? subject.staffUserId : null,
      portalUserId: subject.audience === "portal" ? subject.portalUserId : null,
      expiresAt: new Date(Date.now() + sessionLifetime[subject.audience]),
      ip: meta.ip ?? null,
      userAgent: meta.userAgent?.slice(0, 500) ?? null,
    })
    .returning();
  if (!session) throw new Error("session insert returned no row");
  return { token, session };
}

export type StaffSession = { session: Session; user: StaffUser };
export type PortalSession = { session: Session; user: PortalUser; customer: Customer };

/** Looks a cookie's token up by its hash; extends or deletes the session as its age requires. */
export async function validateSessionToken(token: string, audience: "staff", db?: Db): Promise<StaffSession | null>;
export async function validateSessionToken(token: string, audience: "portal", db?: Db): Promise<PortalSession | null>;
export async function validateSessionToken(
  token: string,
  audience: Audience,
  db: Db = getDb(),
): Promise<StaffSession | PortalSession | null> {
  const id = hashToken(token);
  const found = await findSession(id, audience, db);
  if (!found) return null;
  const { session } = found;
  const now = Date.now();
  if (session.expiresAt.getTime() <= now || found.user.disabledAt) {
    await db.delete(sessions).where(eq(sessions.id, id));
    return null;
  }
  const lifetime = sessionLifetime[audience];
  if (session.expiresAt.getTime() - now < lifetime / 2) {
    session.expiresAt = new Date(now + lifetime);
    await db.update(sessions).set({ expiresAt: session.expiresAt }).where(eq(sessions.id, id));
  }
  return found;
}

async function findSession(id: string, audience: Audience, db: Db) {
  if (audience === "staff") {
    const [row] = await db
      .select({ session: sessions, user: staffUsers })
      .from(sessions)
      .innerJoin(staffUsers, eq(sessions.staffUserId, staffUsers.id))
      .where(and(eq(sessions.id, id), eq(sessions.audience, "staff")));
    return row ?? null;
  }
  const [row] = await db
    .select({ session: sessions, user: portalUsers, customer: customers })
    .from(sessions)
    .innerJoin(portalUsers, eq(sessions.portalUserId, portalUsers.id))
    .innerJoin(customers, eq(portalUsers.customerId, customers.id))
    .where(and(eq(sessions.id, id), eq(sessions.audience, "portal")));
  return row ?? null;
}

export async function invalidateSession(sessionId: string, db: Db = getDb()) {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Sign-out everywhere: every session of this person, on every device. */
export async function invalidateAllSessions(subject: Subject, db: Db = getDb()) {
  const condition =
    subject.audience === "staff" ? eq(sessions.staffUserId, subject.staffUserId) : eq(sessions.portalUserId, subject.portalUserId);
  const deleted = await db.delete(sessions).where(condition).returning({ id: sessions.id });
  return deleted.length;
}

export async function deleteExpiredSessions(db: Db = getDb()) {
  await db.delete(sessions).where(lt(sessions.expiresAt, new Date()));
}

export async function readSessionToken(request: Request, audience: Audience): Promise<string | null> {
  const value: unknown = await cookies[audience].parse(request.headers.get("Cookie"));
  return typeof value === "string" && value.length > 0 ? value : null;
}

// The database decides when a session ends (sliding expiry); the cookie only has to outlive it.
const COOKIE_MAX_AGE_SECONDS = 400 * 24 * 60 * 60;

export function sessionCookie(audience: Audience, token: string) {
  return cookies[audience].serialize(token, { maxAge: COOKIE_MAX_AGE_SECONDS });
}

export function clearSessionCookie(audience: Audience) {
  return cookies[audience].serialize("", { maxAge: 0 });
}
