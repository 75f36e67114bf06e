import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

/** The database, whichever engine is behind it; transactions have the same type. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export type Connection = {
  kind: "postgres" | "pglite";
  db: Db;
  /** Runs `fn` while holding a cluster-wide lock, so only one app instance does it at a time. */
  withLock<T>(name: string, fn: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

export type ConnectOptions = { databaseUrl?: string; pgliteDir?: string; poolSize?: number };

export function connect({ databaseUrl, pgliteDir = ".data/pglite", poolSize = 10 }: ConnectOptions): Connection {
  if (databaseUrl) return connectPostgres(databaseUrl, poolSize);
  return connectPglite(pgliteDir);
}

function connectPostgres(url: string, poolSize: number): Connection {
  const sql = postgres(url, { max: poolSize, onnotice: () => {} });
  const db = drizzlePostgres({ client: sql, schema, casing: "snake_case" }) as unknown as Db;
  return {
    kind: "postgres",
    db,
    async withLock(name, fn) {
      // A session-level advisory lock needs one dedicated connection for its whole life.
      const single = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await single`select pg_advisory_lock(hashtext(${name}))`;
        return await fn(drizzlePostgres({ client: single, schema, casing: "snake_case" }) as unknown as Db);
      } finally {
        await single`select pg_advisory_unlock(hashtext(${name}))`.catch(() => {});
        await single.end();
      }
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

function connectPglite(dir: string): Connection {
  if (!dir.startsWith("memory://")) mkdirSync(dir, { recursive: true });
  const client = new PGlite(dir);
  const db = drizzlePglite({ client, schema, casing: "snake_case" }) as unknown as Db;
  return {
    kind: "pglite",
    db,
    // PGlite lives in this one process, so there is nobody to lock against.
    withLock: (_name, fn) => fn(db),
    close: () => client.close(),
  };
}

// The Remix server bundle and the Node server each load this module; the connection is shared
// through globalThis so that PGlite's data directory is opened once per process.
const globalForDb = globalThis as { __settleConnection?: Connection };

export function setConnection(connection: Connection | undefined) {
  globalForDb.__settleConnection = connection;
}

export function getConnection(): Connection {
  if (!globalForDb.__settleConnection) {
    throw new Error("No database connection: the server (or test setup) must call setConnection() first");
  }
  return globalForDb.__settleConnection;
}

export const getDb = (): Db => getConnection().db;

/** The rows of a raw `db.execute()`: postgres.js returns an array, PGlite an object with `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

export { schema };
