import { eq, sql } from "drizzle-orm";
import { rateLimits } from "~db/schema";
import { getDb, type Db } from "~db/client";

export type RateLimitRule = { limit: number; windowSeconds: number };

export const rules = {
  staffSignInPerAccount: { limit: 10, windowSeconds: 60 },
  staffSignInPerIp: { limit: 50, windowSeconds: 60 },
  portalSignInPerAccount: { limit: 10, windowSeconds: 60 },
  portalSignInPerIp: { limit: 50, windowSeconds: 60 },
  signInLinkPerAccount: { limit: 5, windowSeconds: 15 * 60 },
  signInLinkPerIp: { limit: 30, windowSeconds: 15 * 60 },
} satisfies Record<string, RateLimitRule>;

export type RateLimitResult = { allowed: boolean; count: number; retryAfterSeconds: number };

/**
 * Counts one attempt against `key` in a fixed window and says whether it is within the rule.
 * One atomic upsert, so concurrent requests on several instances cannot slip past the limit.
 */
export async function consumeRateLimit(
  key: string,
  rule: RateLimitRule,
  { now = new Date(), db = getDb() }: { now?: Date; db?: Db } = {},
): Promise<RateLimitResult> {
  const windowStartCutoff = new Date(now.getTime() - rule.windowSeconds * 1000);
  const expired = sql`${rateLimits.windowStart} <= ${windowStartCutoff.toISOString()}::timestamptz`;
  const [row] = await db
    .insert(rateLimits)
    .values({ key, windowStart: now, count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${expired} then 1 else ${rateLimits.count} + 1 end`,
        windowStart: sql`case when ${expired} then ${now.toISOString()}::timestamptz else ${rateLimits.windowStart} end`,
      },
    })
    .returning({ count: rateLimits.count, windowStart: rateLimits.windowStart });
  if (!row) throw new Error("rate limit upsert returned no row");
  const windowEnds = row.windowStart.getTime() + rule.windowSeconds * 1000;
  return {
    allowed: row.count <= rule.limit,
    count: row.count,
    retryAfterSeconds: Math.max(1, Math.ceil((windowEnds - now.getTime()) / 1000)),
  };
}

export async function resetRateLimit(key: string, db: Db = getDb()) {
  await db.delete(rateLimits).where(eq(rateLimits.key, key));
}

/** Checks every key (all of them count the attempt) and reports the first that is over. */
export async function consumeAll(
  checks: Array<[key: string, rule: RateLimitRule]>,
  options?: { now?: Date; db?: Db },
): Promise<RateLimitResult> {
  let refused: RateLimitResult | undefined;
  let last: RateLimitResult = { allowed: true, count: 0, retryAfterSeconds: 0 };
  for (const [key, rule] of checks) {
    last = await consumeRateLimit(key, rule, options);
    if (!last.allowed && !refused) refused = last;
  }
  return refused ?? last;
}
