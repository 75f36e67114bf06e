/**
 * HTTP under load: the production build of Settle on the bench database, and autocannon's
 * concurrent clients on the pages people open most: the portal home and statements for a
 * signed-in contact, and the staff customer list for a signed-in staff user.
 *
 * The bench builds the app if ./build is older than the sources, starts `server/index.ts` itself
 * (no background jobs: the worker's dunning run would otherwise change the dataset under the
 * measurement), and stops it at the end. On its own, against a dataset already built:
 *
 *   npx tsx bench/http-load.ts [seconds] [connections]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import autocannon from "autocannon";
import { eq, sql } from "drizzle-orm";
import { portalUsers, staffUsers, type StaffUser } from "~db/schema";
import { connect, rowsOf, setConnection, type Db } from "~db/client";
import { migrate } from "~db/migrate";
import { inviteContact } from "~/auth/invitations.server";
import { setPortalPassword } from "~/auth/portal-auth.server";
import { createSession, invalidateSession, sessionCookie } from "~/auth/session.server";
import { createStaffUser } from "~/auth/staff-users.server";
import { formatHttpTable, summarize, type HttpResult } from "./report";

const root = fileURLToPath(new URL("..", import.meta.url));
const BENCH_STAFF = { email: "bench-viewer@bench.example", name: "Bench Viewer", role: "viewer" as const };
// Of a customer with the dataset's typical number of invoices, chosen once (the contact keeps it).
const BENCH_CONTACT = { email: "bench-contact@bench.example", name: "Bench Contact" };
// Not a secret: the bench database is local and throwaway; the hashes are real so both can sign in by hand.
const BENCH_PASSWORD = "settle-bench-password";

export type HttpLoadOptions = { databaseUrl: string; connections?: number; seconds?: number; log?: (line: string) => void };

export async function benchHttp(db: Db, { databaseUrl, connections = 50, seconds = 10, log = console.log }: HttpLoadOptions): Promise<{ results: HttpResult[]; note: string }> {
  await ensureBuild(log);
  const { staff, contactId, customer } = await ensureBenchUsers(db);
  const staffSession = await createSession({ audience: "staff", staffUserId: staff.id }, { userAgent: "settle-bench" }, db);
  const portalSession = await createSession({ audience: "portal", portalUserId: contactId }, { userAgent: "settle-bench" }, db);
  const cookie = async (audience: "staff" | "portal", token: string) => (await sessionCookie(audience, token)).split(";")[0]!;
  const staffCookie = await cookie("staff", staffSession.token);
  const portalCookie = await cookie("portal", portalSession.token);

  let server: Server | undefined;
  try {
    const port = await freePort();
    server = await startServer({ databaseUrl, port }, log);
    const base = `http://127.0.0.1:${port}`;
    const pages = [
      { name: "Portal home", path: "/portal", cookie: portalCookie },
      { name: "Portal statements (this month's activity)", path: "/portal/statements", cookie: portalCookie },
      { name: "Staff customer list", path: "/staff/customers", cookie: staffCookie },
    ];
    const results: HttpResult[] = [];
    for (const page of pages) {
      // A few requests one at a time first: what a page costs alone, and a redirect to sign-in
      // here would make every number below meaningless.
      const solo: number[] = [];
      let status = 0;
      let location: string | null = null;
      let bytes = 0;
      for (let i = 0; i < 6; i++) {
        const start = performance.now();
        const response = await fetch(base + page.path, { headers: { Cookie: page.cookie }, redirect: "manual" });
        bytes = Buffer.byteLength(await response.text());
        if (i > 0) solo.push(performance.now() - start);
        ({ status } = response);
        location = response.headers.get("location");
      }
      const problem = status === 200 ? "" : `answered ${status}${location ? ` → ${location}` : ""}`;
      if (problem) log(`warning: ${page.name}: ${problem}`);
      await load({ url: base + page.path, cookie: page.cookie, connections, seconds: 2 }); // warm-up, not counted
      await idle(base);
      const { result, times } = await load({ url: base + page.path, cookie: page.cookie, connections, seconds });
      // Requests the clients gave up on are still being served: the next page starts on an idle server.
      await idle(base);
      const timing = summarize(times.length ? times : [0]);
      const row: HttpResult = {
        name: page.name,
        path: page.path,
        requestsPerSecond: result.requests.total / (result.duration || seconds),
        median: timing.median,
        p95: timing.p95,
        requests: result.requests.total,
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
        detail: [`${Math.round(bytes / 1024)} KiB of HTML; alone ${summarize(solo).median.toFixed(0)} ms`, problem].filter(Boolean).join("; "),
      };
      results.push(row);
      log(`${row.name.padEnd(44)} ${row.requestsPerSecond.toFixed(1).padStart(7)} req/s   median ${row.median.toFixed(1).padStart(7)} ms   p95 ${row.p95.toFixed(1).padStart(7)} ms   ${row.requests} requests, ${row.non2xx} non-2xx, ${row.errors} errors; ${row.detail}`);
    }
    const note = [
      `${connections} concurrent connections, ${seconds} s a page after a 2 s warm-up, gzip accepted`,
      `production build, server pool of ${process.env.DATABASE_POOL_SIZE ?? 10} database connections, no background jobs`,
      `portal pages of ${customer.accountNumber} (${customer.invoices} invoices, the dataset's average)`,
    ].join("; ");
    return { results, note };
  } finally {
    if (server) await stopServer(server);
    await invalidateSession(staffSession.session.id, db);
    await invalidateSession(portalSession.session.id, db);
  }
}

async function load({ url, cookie, connections, seconds }: { url: string; cookie: string; connections: number; seconds: number }) {
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url, connections, duration: seconds, headers: { Cookie: cookie, "Accept-Encoding": "gzip", Accept: "text/html" } },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => times.push(responseTime));
  });
  return { result, times };
}

/**
 * A viewer for the staff pages, and a contact (with the billing role) of a customer with the
 * dataset's average number of invoices, made once through the app's own functions.
 */
async function ensureBenchUsers(db: Db) {
  const actor = { type: "system" as const, label: "bench" };
  const [existing] = await db.select().from(staffUsers).where(eq(sql`lower(${staffUsers.email})`, BENCH_STAFF.email));
  const staff: StaffUser = existing ?? (await createStaffUser({ ...BENCH_STAFF, password: BENCH_PASSWORD }, actor, db));
  let [contact] = await db.select().from(portalUsers).where(eq(sql`lower(${portalUsers.email})`, BENCH_CONTACT.email));
  if (!contact) {
    await inviteContact({ customerId: await typicalCustomer(db), ...BENCH_CONTACT, invitedBy: staff, ip: "127.0.0.1" }, db);
    [contact] = await db.select().from(portalUsers).where(eq(sql`lower(${portalUsers.email})`, BENCH_CONTACT.email));
    await setPortalPassword({ user: contact!, password: BENCH_PASSWORD, ip: "127.0.0.1" }, db);
  }
  const [customer] = rowsOf<{ account_number: string; invoices: number }>(
    await db.execute(sql`select c.account_number, (select count(*)::int from invoices i where i.customer_id = c.id) as invoices from customers c where c.id = ${contact!.customerId}`),
  );
  return { staff, contactId: contact!.id, customer: { accountNumber: customer!.account_number, invoices: customer!.invoices } };
}

/** The customer whose number of invoices is nearest the dataset's average (the first by account number of those). */
async function typicalCustomer(db: Db) {
  const [row] = rowsOf<{ id: string }>(
    await db.execute(sql`
      with counts as (select customer_id, count(*) as n from invoices group by customer_id)
      select c.id from counts join customers c on c.id = counts.customer_id
       order by abs(counts.n - (select avg(n) from counts)), c.account_number limit 1`),
  );
  if (!row) throw new Error("the bench database has no invoices");
  return row.id;
}

/** Waits until the server answers its health check promptly again. */
async function idle(base: string) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const start = performance.now();
    const ok = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
    if (ok && performance.now() - start < 50) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function newestSource(path: string): Promise<number> {
  const info = await stat(path).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newestSource(`${path}/${entry}`)));
  return Math.max(info.mtimeMs, ...times);
}

/** Reuses ./build when it is newer than everything it is built from; otherwise `npm run build`. */
async function ensureBuild(log: (line: string) => void) {
  const built = (await stat(`${root}build/server/index.js`).catch(() => null))?.mtimeMs ?? 0;
  const sources = await Promise.all(["app", "public", "db", "emails", "vite.config.ts", "remix.config.js", "package-lock.json"].map((p) => newestSource(`${root}${p}`)));
  const newest = Math.max(...sources);
  if (built > newest) {
    log(`HTTP: reusing ./build (built ${new Date(built).toISOString()}, newer than every source)`);
    return;
  }
  log(built ? "HTTP: ./build is older than the sources; running npm run build" : "HTTP: no ./build yet; running npm run build");
  const started = Date.now();
  const { code, output } = await run("npm", ["run", "build"]);
  if (code !== 0) throw new Error(`npm run build failed (exit ${code}):\n${output.slice(-3000)}`);
  log(`HTTP: built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

function run(command: string, args: string[]) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("close", (code) => resolve({ code, output }));
  });
}

function freePort() {
  return new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

type Server = { child: ChildProcess; exited: Promise<number | null> };

/** `npm run serve`, in one Node process (tsx as a loader) so that stopping it stops the server. */
async function startServer({ databaseUrl, port }: { databaseUrl: string; port: number }, log: (line: string) => void): Promise<Server> {
  const { APP_URL: _appUrl, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = { ...inherited, NODE_ENV: "production" as const, DATABASE_URL: databaseUrl, PORT: String(port), HOST: "127.0.0.1", RUN_WORKER: "false", LOG_REQUESTS: "false", SEED_ON_EMPTY: "false" };
  const child = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  // Should the bench itself be stopped midway, the server goes with it.
  const orphaned = () => child.kill("SIGTERM");
  process.once("exit", orphaned);
  void exited.then(() => process.off("exit", orphaned));
  const server = { child, exited };
  log(`HTTP: starting the server on 127.0.0.1:${port} (pid ${child.pid})`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server stopped (exit ${child.exitCode}):\n${output.slice(-3000)}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (ok) return server;
    if (Date.now() > deadline) {
      await stopServer(server);
      throw new Error(`the server did not answer /healthz within 2 minutes:\n${output.slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function stopServer({ child, exited }: Server) {
  if (child.exitCode !== null) return;
  child.kill("SIGTERM");
  const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 15_000))]);
  if (!stopped) {
    child.kill("SIGKILL");
    await exited;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/settle_bench";
  const connection = connect({ databaseUrl, poolSize: 4 });
  setConnection(connection);
  try {
    await migrate(connection);
    const { results, note } = await benchHttp(connection.db, { databaseUrl, seconds: Number(process.argv[2] ?? 10), connections: Number(process.argv[3] ?? 50) });
    console.log(`\nHTTP under load (${note}):\n\n${formatHttpTable(results)}`);
  } finally {
    await connection.close();
  }
}
