import { defineConfig } from "@playwright/test";
import { chromiumMissingMessage, findChromium } from "./tests/chromium";

const PORT = 3210;
const baseURL = `http://localhost:${PORT}`;
const executablePath = findChromium();
if (!executablePath) throw new Error(chromiumMissingMessage);

// The app under test is the production build on a database of its own: PGlite in tests/.tmp,
// or the server database named by TEST_DATABASE_URL (reset first by tests/e2e/reset-db.ts).
const database: Record<string, string> = process.env.TEST_DATABASE_URL
  ? { DATABASE_URL: process.env.TEST_DATABASE_URL }
  : { PGLITE_DIR: "tests/.tmp/e2e-pglite" };

export default defineConfig({
  testDir: "tests/e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  forbidOnly: Boolean(process.env.CI),
  reporter: process.env.CI ? [["list"]] : [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: { executablePath, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] },
  },
  webServer: {
    command: "tsx tests/e2e/reset-db.ts && npm run build && npm run serve",
    url: `${baseURL}/healthz`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      ...database,
      PORT: String(PORT),
      APP_URL: baseURL,
      LOG_REQUESTS: "false",
      SEED_ON_EMPTY: "true",
    },
  },
});
