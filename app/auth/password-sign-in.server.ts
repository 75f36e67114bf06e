import type { Db } from "~db/client";
import { decoyPasswordHash, passwords } from "./crypto.server";
import { consumeAll, resetRateLimit, type RateLimitRule } from "./rate-limit.server";

type Account = { passwordHash: string | null; disabledAt: Date | null };

export type PasswordCheck<U> =
  | { ok: true; user: U }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

/**
 * The one password check for staff and customers. Attempts are counted per account and per
 * address before the password is looked at, so past the limit it is never checked; an unknown
 * account is verified against a decoy hash, so its answer takes as long as a known one's.
 */
export async function checkPassword<U extends Account>(
  {
    scope,
    email,
    password,
    ip,
    perAccount,
    perIp,
    findUser,
  }: { scope: string; email: string; password: string; ip: string; perAccount: RateLimitRule; perIp: RateLimitRule; findUser: () => Promise<U | null> },
  db: Db,
): Promise<PasswordCheck<U>> {
  const accountKey = `${scope}:account:${email}`;
  const limit = await consumeAll(
    [
      [accountKey, perAccount],
      [`${scope}:ip:${ip}`, perIp],
    ],
    { db },
  );
  if (!limit.allowed) return { ok: false, reason: "rate_limited", retryAfterSeconds: limit.retryAfterSeconds };

  const user = await findUser();
  const valid = await passwords.verify(user?.passwordHash ?? (await decoyPasswordHash()), password);
  if (!user || !user.passwordHash || !valid || user.disabledAt) return { ok: false, reason: "invalid" };
  await resetRateLimit(accountKey, db);
  return { ok: true, user };
}
