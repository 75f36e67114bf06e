import { fileURLToPath } from "node:url";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { Connection } from "./client";

export const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/** Applies pending migrations; safe to run from several instances at once. */
export async function migrate(connection: Connection): Promise<void> {
  await connection.withLock("settle:migrate", async (db) => {
    // Both migrators take the drizzle database; the engine decides which one knows its session.
    if (connection.kind === "pglite") await migratePglite(db as never, { migrationsFolder });
    else await migratePostgres(db as never, { migrationsFolder });
  });
}
