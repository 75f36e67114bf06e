// `npm run worker`: the background jobs without the web server, for deployments that run
// web instances with RUN_WORKER=false and one or more worker processes beside them.
import { openConnection } from "~db/connection.server";
import { migrate } from "~db/migrate";
import { startBackgroundJobs } from "~/jobs/background.server";
import { getEnvOrExit } from "~/utils/env.server";

const env = getEnvOrExit();
const connection = openConnection(env);
await migrate(connection);
const jobs = startBackgroundJobs(env);
console.log(`Settle worker running (database: ${connection.kind}; email: ${env.RESEND_API_KEY ? "Resend" : "kept in the outbox"}).`);

async function stop() {
  await jobs.stop();
  await connection.close();
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
