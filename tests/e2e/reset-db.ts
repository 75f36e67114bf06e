// Gives the end-to-end server an empty database before it starts (it then migrates and seeds).
import { rmSync } from "node:fs";
import postgres from "postgres";

const url = process.env.DATABASE_URL;
if (url) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await sql.unsafe("drop schema if exists public cascade; create schema public; drop schema if exists drizzle cascade;");
  await sql.end();
} else {
  rmSync(process.env.PGLITE_DIR ?? "tests/.tmp/e2e-pglite", { recursive: true, force: true });
}
