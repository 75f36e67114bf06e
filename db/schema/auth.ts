import { sql } from "drizzle-orm";
import { check, index, integer, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { portalUsers } from "./customers";
import { staffUsers } from "./staff";

export const sessionAudience = pgEnum("session_audience", ["staff", "portal"]);
export const signInTokenPurpose = pgEnum("sign_in_token_purpose", ["portal_sign_in", "portal_invite"]);

/** Sessions: `id` is the SHA-256 of the cookie's token, so a copied row cannot be used as a cookie. */
export const sessions = pgTable(
  "sessions",
  {
    id: text().primaryKey(),
    audience: sessionAudience().notNull(),
    staffUserId: uuid().references(() => staffUsers.id, { onDelete: "cascade" }),
    portalUserId: uuid().references(() => portalUsers.id, { onDelete: "cascade" }),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    ip: text(),
    userAgent: text(),
  },
  (t) => [
    index("sessions_staff_user_idx").on(t.staffUserId),
    index("sessions_portal_user_idx").on(t.portalUserId),
    check(
      "sessions_one_subject",
      sql`(${t.audience} = 'staff' and ${t.staffUserId} is not null and ${t.portalUserId} is null)
       or (${t.audience} = 'portal' and ${t.portalUserId} is not null and ${t.staffUserId} is null)`,
    ),
  ],
);

/** One-time sign-in links; only the token's SHA-256 is stored. */
export const signInTokens = pgTable(
  "sign_in_tokens",
  {
    id: uuid().primaryKey().defaultRandom(),
    tokenHash: text().notNull().unique(),
    purpose: signInTokenPurpose().notNull(),
    portalUserId: uuid()
      .notNull()
      .references(() => portalUsers.id, { onDelete: "cascade" }),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    requestedIp: text(),
  },
  (t) => [index("sign_in_tokens_portal_user_idx").on(t.portalUserId)],
);

/** Fixed-window counters shared by every app instance. */
export const rateLimits = pgTable("rate_limits", {
  key: text().primaryKey(),
  windowStart: timestamp({ withTimezone: true }).notNull(),
  count: integer().notNull(),
});

export type Session = typeof sessions.$inferSelect;
