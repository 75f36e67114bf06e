/**
 * Every test starts on a clean, migrated database: PGlite in memory by default, or a database of
 * its own on the server named by TEST_DATABASE_URL (one per vitest worker, `<name>_w<N>`).
 * The connection is made once per worker; tables are truncated before each test.
 */
import postgres from "postgres";
import { afterEach, beforeAll, beforeEach, vi } from "vitest";
import { connect, getConnection, rowsOf, setConnection, type Connection } from "~db/client";
import { migrate } from "~db/migrate";
import { sql } from "drizzle-orm";

const globalForTests = globalThis as { __settleTestConnection?: Promise<Connection> };

async function workerDatabaseUrl(base: string): Promise<string> {
  const url = new URL(base);
  const name = `${url.pathname.slice(1)}_w${process.env.VITEST_POOL_ID ?? "1"}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  return url.toString();
}

async function openTestConnection(): Promise<Connection> {
  const base = process.env.TEST_DATABASE_URL;
  const connection = base
    ? connect({ databaseUrl: await workerDatabaseUrl(base), poolSize: 5 })
    : connect({ pgliteDir: "memory://" });
  await migrate(connection);
  return connection;
}

export async function truncateAll(connection: Connection = getConnection()) {
  const tables = rowsOf<{ tablename: string }>(
    await connection.db.execute(sql`select tablename from pg_tables where schemaname = 'public'`),
  ).map((row) => `"${row.tablename}"`);
  if (tables.length > 0) await connection.db.execute(sql.raw(`truncate ${tables.join(", ")} restart identity cascade`));
}

beforeAll(async () => {
  globalForTests.__settleTestConnection ??= openTestConnection();
  setConnection(await globalForTests.__settleTestConnection);
});

beforeEach(async () => {
  await truncateAll();
});

afterEach(() => {
  vi.restoreAllMocks();
});
