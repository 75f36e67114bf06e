import { getEnvOrExit, type Env } from "~/utils/env.server";
import { connect, setConnection, type Connection } from "./client";

/** Opens the database the environment names (PostgreSQL if DATABASE_URL is set, else PGlite) and makes it current. */
export function openConnection(env: Env = getEnvOrExit()): Connection {
  const connection = connect({ databaseUrl: env.DATABASE_URL, pgliteDir: env.PGLITE_DIR, poolSize: env.DATABASE_POOL_SIZE });
  setConnection(connection);
  return connection;
}
