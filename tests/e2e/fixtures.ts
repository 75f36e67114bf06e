import { expect, test as base, type Browser, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "settle-demo-password";
export const staff = {
  admin: "admin@northwind.example",
  clerk: "clerk@northwind.example",
  viewer: "viewer@northwind.example",
} as const;
export const demoContact = { email: "dana@acme-fab.example", customer: "Acme Fabrication Ltd" };

/** Every page fails its test on a console error, except the browser's own note about a 4xx it was shown on purpose. */
export const test = base.extend<{ page: Page }>({
  page: async ({ page }, use) => {
    const errors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(error.message));
    await use(page);
    expect(errors, "console errors on the page").toEqual([]);
  },
});
export { expect };

/** Signs in on the staff page; unless told the password is wrong, waits until the back office shows. */
export async function signInStaff(page: Page, email: string, password = DEMO_PASSWORD, { expectSuccess = true } = {}) {
  await page.goto("/staff/sign-in");
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  if (expectSuccess) await expect(page.getByTestId("staff-role")).toBeVisible();
}

/** Opens the newest email to `to` in the back office as an admin, and returns its plain-text part. */
export async function readNewestEmail(browser: Browser, to: string, subject: RegExp): Promise<string> {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await signInStaff(page, staff.admin);
    await expect(page).toHaveURL(/\/staff$/);
    await page.goto(`/staff/outbox?to=${encodeURIComponent(to)}`);
    await page.getByRole("link", { name: subject }).first().click();
    return (await page.getByTestId("email-text").textContent()) ?? "";
  } finally {
    await context.close();
  }
}

export function signInLinkIn(text: string): string {
  const match = text.match(/https?:\/\/[^\s\]]+\/portal\/sign-in\/link\?token=[a-z2-7]+/);
  if (!match) throw new Error(`no sign-in link in the email:\n${text}`);
  return match[0];
}

export const uniqueEmail = (label: string) => `${label}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@e2e.example`;
