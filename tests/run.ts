// `npm test`: the vitest suites, then the browser tests, then one summary line that CI reads.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { chromiumMissingMessage, findChromium } from "./chromium";

const chromium = findChromium();
if (!chromium) {
  console.error(chromiumMissingMessage);
  process.exit(1);
}

mkdirSync("tests/.tmp", { recursive: true });
const vitestJson = "tests/.tmp/vitest.json";
const playwrightJson = "tests/.tmp/playwright.json";
rmSync(vitestJson, { force: true });
rmSync(playwrightJson, { force: true });

const database = process.env.TEST_DATABASE_URL ? `PostgreSQL (${new URL(process.env.TEST_DATABASE_URL).pathname.slice(1)})` : "embedded PGlite";
console.log(`\n== Unit and integration tests (vitest) on ${database}\n`);
const vitest = spawnSync("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${vitestJson}`], { stdio: "inherit" });

console.log(`\n== Browser tests (Playwright, ${chromium}) on ${database}\n`);
const playwright = spawnSync("npx", ["playwright", "test", "--reporter=list,json"], {
  stdio: "inherit",
  env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson },
});

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

const v = readJson<{ numPassedTests: number; numFailedTests: number }>(vitestJson);
const p = readJson<{ stats: { expected: number; unexpected: number; flaky: number } }>(playwrightJson);
const passed = (v?.numPassedTests ?? 0) + (p ? p.stats.expected + p.stats.flaky : 0);
let failed = (v?.numFailedTests ?? 0) + (p?.stats.unexpected ?? 0);
// A runner that died before writing its report still fails the run.
if (vitest.status !== 0 && (!v || v.numFailedTests === 0)) failed += 1;
if (playwright.status !== 0 && (!p || p.stats.unexpected === 0)) failed += 1;

console.log(`\nvitest: ${v ? `${v.numPassedTests} passed, ${v.numFailedTests} failed` : "no report"} · playwright: ${p ? `${p.stats.expected + p.stats.flaky} passed, ${p.stats.unexpected} failed` : "no report"}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(vitest.status === 0 && playwright.status === 0 ? 0 : 1);
