import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { staffUsers } from "./staff";

/** Keys for the JSON API. Only the SHA-256 of a key is stored; its prefix identifies it in lists. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    prefix: text().notNull(),
    tokenHash: text().notNull(),
    createdBy: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    revokedBy: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
  },
  (t) => [uniqueIndex("api_keys_token_hash_key").on(t.tokenHash)],
);

export const importKind = pgEnum("import_kind", ["customers", "invoices"]);
export const importStatus = pgEnum("import_status", ["validated", "applying", "applied", "failed"]);

/**
 * One uploaded file: validated first (a dry run that changes nothing), applied only when asked.
 * The file is kept so that whichever instance applies it reads the same bytes.
 */
export const importRuns = pgTable(
  "import_runs",
  {
    id: uuid().primaryKey().defaultRandom(),
    kind: importKind().notNull(),
    filename: text().notNull(),
    content: text().notNull(),
    status: importStatus().notNull().default("validated"),
    totalRows: integer().notNull().default(0),
    validRows: integer().notNull().default(0),
    processedRows: integer().notNull().default(0),
    errors: jsonb().notNull().default(sql`'[]'::jsonb`),
    summary: jsonb().notNull().default(sql`'{}'::jsonb`),
    failure: text(),
    createdBy: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index("import_runs_created_idx").on(t.createdAt)],
);

export type ApiKey = typeof apiKeys.$inferSelect;
export type ImportRun = typeof importRuns.$inferSelect;
