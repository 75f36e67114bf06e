import { redirect } from "@remix-run/node";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { portalUsers, signInTokens, type PortalUser } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit } from "~/audit/audit.server";
import { enqueueEmail } from "~/email/outbox.server";
import { getCompanySettings } from "~/settings/settings.server";
import { appUrl } from "~/utils/env.server";
import { INVITATION_DAYS, SIGN_IN_LINK_MINUTES } from "./constants";
import { generateToken, hashToken, passwords } from "./crypto.server";
import { checkPassword } from "./password-sign-in.server";
import { consumeAll, rules } from "./rate-limit.server";
import { createSession, readSessionToken, validateSessionToken, type PortalSession } from "./session.server";


export async function getPortalSession(request: Request): Promise<PortalSession | null> {
  const token = await readSessionToken(request, "portal");
  return token ? validateSessionToken(token, "portal") : null;
}

/** The guard of every portal route: the session decides the customer, never a parameter. */
export async function requirePortalUser(request: Request): Promise<PortalSession> {
  const found = await getPortalSession(request);
  if (!found) {
    const url = new URL(request.url);
    throw redirect(`/portal/sign-in?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
  }
  return found;
}

export async function findPortalUserByEmail(email: string, db: Db = getDb()) {
  const [row] = await db.select().from(portalUsers).where(eq(sql`lower(${portalUsers.email})`, email));
  return row ?? null;
}

/** Creates a one-time token for a contact; returns the secret to put in the link. */
export async function issueSignInToken(
  { portalUserId, purpose, ip }: { portalUserId: string; purpose: "portal_sign_in" | "portal_invite"; ip?: string },
  db: Db = getDb(),
) {
  const token = generateToken();
  const lifetimeMs = purpose === "portal_invite" ? INVITATION_DAYS * 86_400_000 : SIGN_IN_LINK_MINUTES * 60_000;
  const [row] = await db
    .insert(signInTokens)
    .values({ tokenHash: hashToken(token), purpose, portalUserId, expiresAt: new Date(Date.now() + lifetimeMs), requestedIp: ip ?? null })
    .returning({ id: signInTokens.id });
  if (!row) throw new Error("sign-in token insert returned no row");
  return { token, tokenId: row.id, url: `${appUrl()}/portal/sign-in/link?token=${token}` };
}

export type LinkRequestResult = { ok: true } | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

/**
 * Emails a sign-in link if the address belongs to an active contact. The answer is the same
 * whether it does or not, so the form cannot be used to find out who is a customer.
 */
export async function requestSignInLink(input: { email: string; ip: string }, db: Db = getDb()): Promise<LinkRequestResult> {
  // Known and unknown addresses take the same time to answer, so timing does not tell them apart.
  return takingAtLeast(LINK_REQUEST_MIN_MS, () => sendSignInLink(input, db));
}

const LINK_REQUEST_MIN_MS = 400;

async function takingAtLeast<T>(ms: number, run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await run();
  const left = ms - (Date.now() - started);
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  return result;
}

async function sendSignInLink({ email, ip }: { email: string; ip: string }, db: Db): Promise<LinkRequestResult> {
  const limit = await consumeAll(
    [
      [`sign-in-link:account:${email}`, rules.signInLinkPerAccount],
      [`sign-in-link:ip:${ip}`, rules.signInLinkPerIp],
    ],
    { db },
  );
  if (!limit.allowed) return { ok: false, reason: "rate_limited", retryAfterSeconds: limit.retryAfterSeconds };

  const user = await findPortalUserByEmail(email, db);
  if (!user || user.disabledAt) return { ok: true };
  const brand = await getCompanySettings(db);
  await db.transaction(async (tx) => {
    const { tokenId, url } = await issueSignInToken({ portalUserId: user.id, purpose: "portal_sign_in", ip }, tx);
    await enqueueEmail(
      {
        template: "sign-in-link",
        props: { brand, name: user.name, url, expiresInMinutes: SIGN_IN_LINK_MINUTES },
        to: user.email,
        dedupeKey: `sign-in-token:${tokenId}`,
        customerId: user.customerId,
      },
      tx,
    );
    await recordAudit(
      { actor: { type: "portal", id: user.id, label: user.email }, action: "portal.sign_in_link_requested", entityType: "portal_user", entityId: user.id, customerId: user.customerId, ip },
      tx,
    );
  });
  return { ok: true };
}

export type RedeemResult =
  | { ok: true; token: string; user: PortalUser; purpose: "portal_sign_in" | "portal_invite" }
  | { ok: false; reason: "unknown" | "expired" | "used" | "disabled" };

/** Uses a sign-in link once: the update that marks it used is what decides, so two clicks cannot both win. */
export async function redeemSignInToken(
  { token, ip, userAgent }: { token: string; ip: string; userAgent?: string | null },
  db: Db = getDb(),
): Promise<RedeemResult> {
  const tokenHash = hashToken(token);
  return db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(signInTokens)
      .set({ usedAt: new Date() })
      .where(and(eq(signInTokens.tokenHash, tokenHash), isNull(signInTokens.usedAt), gt(signInTokens.expiresAt, new Date())))
      .returning();
    if (!claimed) {
      const [existing] = await tx.select().from(signInTokens).where(eq(signInTokens.tokenHash, tokenHash));
      if (!existing) return { ok: false, reason: "unknown" } as const;
      return { ok: false, reason: existing.usedAt ? "used" : "expired" } as const;
    }
    const [user] = await tx.select().from(portalUsers).where(eq(portalUsers.id, claimed.portalUserId));
    if (!user || user.disabledAt) return { ok: false, reason: "disabled" } as const;
    const session = await createSession({ audience: "portal", portalUserId: user.id }, { ip, userAgent }, tx);
    await tx.update(portalUsers).set({ lastSignInAt: new Date() }).where(eq(portalUsers.id, user.id));
    await recordAudit(
      { actor: { type: "portal", id: user.id, label: user.email }, action: claimed.purpose === "portal_invite" ? "portal.invitation_accepted" : "portal.sign_in", entityType: "portal_user", entityId: user.id, customerId: user.customerId, ip },
      tx,
    );
    return { ok: true, token: session.token, user, purpose: claimed.purpose } as const;
  });
}

export type PortalPasswordResult =
  | { ok: true; token: string; user: PortalUser }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

export async function signInPortalWithPassword(
  { email, password, ip, userAgent }: { email: string; password: string; ip: string; userAgent?: string | null },
  db: Db = getDb(),
): Promise<PortalPasswordResult> {
  const checked = await checkPassword(
    {
      scope: "portal-sign-in",
      email,
      password,
      ip,
      perAccount: rules.portalSignInPerAccount,
      perIp: rules.portalSignInPerIp,
      findUser: () => findPortalUserByEmail(email, db),
    },
    db,
  );
  if (!checked.ok) return checked;
  const { user } = checked;
  const { token } = await createSession({ audience: "portal", portalUserId: user.id }, { ip, userAgent }, db);
  await db.update(portalUsers).set({ lastSignInAt: new Date() }).where(eq(portalUsers.id, user.id));
  await recordAudit(
    { actor: { type: "portal", id: user.id, label: user.email }, action: "portal.sign_in", entityType: "portal_user", entityId: user.id, customerId: user.customerId, ip },
    db,
  );
  return { ok: true, token, user };
}

export async function setPortalPassword(
  { user, password, ip }: { user: PortalUser; password: string | null; ip: string },
  db: Db = getDb(),
) {
  const passwordHash = password === null ? null : await passwords.hash(password);
  await db.transaction(async (tx) => {
    await tx.update(portalUsers).set({ passwordHash, updatedAt: new Date() }).where(eq(portalUsers.id, user.id));
    await recordAudit(
      { actor: { type: "portal", id: user.id, label: user.email }, action: password === null ? "portal.password_removed" : "portal.password_set", entityType: "portal_user", entityId: user.id, customerId: user.customerId, ip },
      tx,
    );
  });
}
