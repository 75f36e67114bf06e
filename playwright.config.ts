import { defineConfig } from "@playwright/test";
import { chromiumMissingMessage, findChromium } from "./tests/chromium";
import { E2E_FAKE_STRIPE_PORT as FAKE_STRIPE_PORT, FAKE_STRIPE_KEYS } from "./tests/fakes/stripe";

const PORT = 3210;
const baseURL = `http://localhost:${PORT}`;
const executablePath = findChromium();
if (!executablePath) throw new Error(chromiumMissingMessage);

// The app under test is the production build on a database of its own: PGlite in tests/.tmp,
// or the server database named by TEST_DATABASE_URL (reset first by tests/e2e/reset-db.ts).
const database: Record<string, string> = process.env.TEST_DATABASE_URL
  ? { DATABASE_URL: process.env.TEST_DATABASE_URL }
  : { PGLITE_DIR: "tests/.tmp/e2e-pglite" };

// A second app in Stripe mode: its Stripe API is the local fake (tests/fakes/stripe.ts, its own
// process), its database its own (PGlite, or "<TEST_DATABASE_URL name>_stripe" made by reset-stripe-db.ts).
const STRIPE_PORT = 3220;
const stripeBaseURL = `http://localhost:${STRIPE_PORT}`;
const stripeKeys = { STRIPE_SECRET_KEY: FAKE_STRIPE_KEYS.secretKey, STRIPE_PUBLISHABLE_KEY: FAKE_STRIPE_KEYS.publishableKey, STRIPE_WEBHOOK_SECRET: FAKE_STRIPE_KEYS.webhookSecret };
const stripeDatabase: Record<string, string> = process.env.TEST_DATABASE_URL
  ? { DATABASE_URL: withDatabaseSuffix(process.env.TEST_DATABASE_URL, "_stripe") }
  : { PGLITE_DIR: "tests/.tmp/e2e-stripe-pglite" };

function withDatabaseSuffix(url: string, suffix: string) {
  const parsed = new URL(url);
  parsed.pathname = `${parsed.pathname}${suffix}`;
  return parsed.toString();
}

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
  projects: [
    // The app as it runs with no Stripe keys: the demo processor.
    { name: "demo", testIgnore: "stripe.spec.ts" },
    { name: "stripe", testMatch: "stripe.spec.ts", use: { baseURL: stripeBaseURL } },
  ],
  // Started in this order, one after the other: the Stripe-mode app serves the build the first one made.
  webServer: [
    {
      command: "tsx tests/e2e/reset-db.ts && npm run build && npm run serve",
      url: `${baseURL}/healthz`,
      timeout: 300_000,
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
    {
      command: "tsx tests/fakes/stripe.ts",
      url: `http://127.0.0.1:${FAKE_STRIPE_PORT}/_fake/health`,
      timeout: 30_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
      env: { ...stripeKeys, FAKE_STRIPE_PORT: String(FAKE_STRIPE_PORT), FAKE_STRIPE_WEBHOOK_URL: `${stripeBaseURL}/webhooks/stripe` },
    },
    {
      command: "tsx tests/e2e/reset-stripe-db.ts && npm run serve",
      url: `${stripeBaseURL}/healthz`,
      timeout: 300_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
      env: {
        ...stripeDatabase,
        ...stripeKeys,
        STRIPE_API_BASE: `http://127.0.0.1:${FAKE_STRIPE_PORT}`,
        PORT: String(STRIPE_PORT),
        APP_URL: stripeBaseURL,
        LOG_REQUESTS: "false",
        SEED_ON_EMPTY: "true",
      },
    },
  ],
});
