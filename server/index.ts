import type { ServerBuild } from "@remix-run/node";
import { openConnection } from "~db/connection.server";
import { migrate } from "~db/migrate";
import { DEMO_PASSWORD, demoPortalEmail, demoStaff, hasDemoData, isEmpty, seed } from "~db/seed";
import { startBackgroundJobs } from "~/jobs/background.server";
import { appUrl, getEnvOrExit, isDemoProcessor } from "~/utils/env.server";
import { createApp } from "./app";

const env = getEnvOrExit();
const connection = openConnection(env);
await migrate(connection);

let seeded = false;
if (env.SEED_ON_EMPTY && (await isEmpty(connection.db))) {
  await connection.withLock("settle:seed", async (db) => {
    if (await isEmpty(db)) {
      await seed(db);
      seeded = true;
    }
  });
}

const showDemoSignIns = await hasDemoData(connection.db);

const vite =
  env.NODE_ENV === "production"
    ? undefined
    : await import("vite").then((v) => v.createServer({ server: { middlewareMode: true }, appType: "custom" }));

const build = vite
  ? () => vite.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>
  : ((await import(new URL("../build/server/index.js", import.meta.url).href)) as ServerBuild);

const app = createApp({ env, connection, build, vite });
const jobs = env.RUN_WORKER ? startBackgroundJobs(env) : undefined;

const server = app.listen(env.PORT, env.HOST, () => {
  const url = appUrl(env);
  const lines = [
    "",
    `Settle is running at ${url}  (${env.NODE_ENV}, database: ${connection.kind === "pglite" ? `embedded PGlite in ${env.PGLITE_DIR}` : "PostgreSQL"})`,
    `Payments: ${isDemoProcessor(env) ? "DEMO processor (no Stripe keys set)" : "Stripe"} · Email: ${env.RESEND_API_KEY ? "Resend" : `kept in the outbox, readable at ${url}/staff/outbox`}`,
  ];
  if (showDemoSignIns) {
    lines.push(
      "",
      `Demo sign-ins${seeded ? " (demo data created just now)" : ""}; every password is "${DEMO_PASSWORD}":`,
      ...demoStaff.map((s) => `  staff   ${s.role.padEnd(6)}  ${s.email.padEnd(30)} ${url}/staff/sign-in`),
      `  portal  contact ${demoPortalEmail.padEnd(30)} ${url}/portal/sign-in  (or ask for a link: it lands in the outbox)`,
    );
  }
  if (!showDemoSignIns && seeded === false && env.SEED_ON_EMPTY === false) {
    lines.push("", "No demo data (SEED_ON_EMPTY is off). Create the first admin with: npm run staff:create -- --email you@example.com --name \"Your Name\" --role admin");
  }
  console.log(lines.join("\n") + "\n");
});

let shuttingDown = false;
async function shutdown(signal: string) {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log(`${signal}: finishing in-flight requests, then stopping.`);
  const forceExit = setTimeout(() => {
    console.error("Shutdown took longer than 10 s; exiting now.");
    process.exit(1);
  }, 10_000);
  forceExit.unref();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await jobs?.stop();
  await vite?.close();
  await connection.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
