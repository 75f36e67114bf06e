import { existsSync } from "node:fs";
import { chromium } from "@playwright/test";

/**
 * The browser the end-to-end tests drive: CHROMIUM_PATH, then Debian's /usr/bin/chromium, then
 * Playwright's own download if one happens to be there. Null when there is none.
 */
export function findChromium(): string | null {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  if (existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  try {
    const bundled = chromium.executablePath();
    return bundled && existsSync(bundled) ? bundled : null;
  } catch {
    return null;
  }
}

export const chromiumMissingMessage = `No Chromium found for the browser tests.
  On Debian/Ubuntu:  apt-get install -y chromium
  Or point CHROMIUM_PATH at a Chromium or Chrome binary.
The browser tests are part of the suite and are never skipped.`;
