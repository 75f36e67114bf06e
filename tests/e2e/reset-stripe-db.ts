// Gives the Stripe-mode end-to-end server an empty database of its own before it starts: a fresh
// PGlite directory, or a database created anew beside TEST_DATABASE_URL's (named in DATABASE_URL).
import { rmSync } from "node:fs";
import postgres from "postgres";

const url = process.env.DATABASE_URL;
const admin = process.env.TEST_DATABASE_URL;
if (url && admin) {
  const name = new URL(url).pathname.slice(1);
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  await sql.unsafe(`drop database if exists "${name.replaceAll('"', '""')}" with (force)`);
  await sql.unsafe(`create database "${name.replaceAll('"', '""')}"`);
  await sql.end();
} else {
  rmSync(process.env.PGLITE_DIR ?? "tests/.tmp/e2e-stripe-pglite", { recursive: true, force: true });
}
