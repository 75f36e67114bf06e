import type { Locator, Page } from "@playwright/test";
import { expect, signInStaff, staff, test } from "./fixtures";

// A clerk works their queue on the demo data without touching the mouse: a note on the first
// account, a call with a promise on the second, a reminder on the third. An admin then runs the
// dunning as of a later day (the demo processor's clock), the promise is broken, and its
// follow-up is on the account. Screenshots are left in tests/.tmp/screens.
const shot = (page: Page, name: string) => page.screenshot({ path: `tests/.tmp/screens/${name}.png`, fullPage: true });

const addDays = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

test.use({ locale: "en-US" });

/** Presses Tab until `target` has the focus, as a keyboard user would. */
async function tabTo(page: Page, target: Locator) {
  for (let i = 0; i < 8 && !(await target.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
  await expect(target).toBeFocused();
}

test("a clerk works three accounts from the queue with the keyboard, and a broken promise comes back as a follow-up", async ({ page, browser }) => {
  await signInStaff(page, staff.clerk);
  await page.goto("/staff/collections?view=mine");
  await expect(page.getByRole("heading", { level: 1, name: "My queue" })).toBeVisible();
  const rows = page.getByTestId("worklist-row");
  await expect(rows.first()).toBeVisible();
  expect(await rows.count()).toBeGreaterThanOrEqual(3);
  const names = (await page.locator("[data-testid=worklist-row] .account-link").allTextContents()).slice(0, 3);
  // Each row gives its score with the reasons beside it.
  await expect(rows.first().getByText(/overdue/i).first()).toBeVisible();
  await shot(page, "collections-my-queue");

  // j moves to the first account, Enter opens it.
  await page.keyboard.press("j");
  await expect(page.locator("[data-testid=worklist-row] .account-link").first()).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1 })).toContainText(names[0]!);

  // 1. A note: n jumps to it, Tab reaches the button, Enter sends it.
  await page.keyboard.press("n");
  await expect(page.locator("#add-note textarea")).toBeFocused();
  await page.keyboard.type("Accounts payable say the cheque run is on Friday.");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status")).toContainText("Note added.");
  await expect(page.getByText("Accounts payable say the cheque run is on Friday.").first()).toBeVisible();
  // The focus is on the link to the next account: Enter goes there.
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1 })).toContainText(names[1]!);
  const promisedAccount = page.url();

  // 2. A call where the customer promises to pay: c, then the outcome chosen by typing.
  await page.keyboard.press("c");
  await expect(page.locator("#log-call select[name=outcome]")).toBeFocused();
  await page.keyboard.type("Promised");
  await expect(page.locator("#log-call input[name=amount]")).toBeVisible();
  const asOf = (await page.locator("#log-call input[name=promisedOn]").getAttribute("min"))!;
  const promisedOn = addDays(asOf, 1);
  const [year, month, day] = promisedOn.split("-");
  await page.keyboard.press("Tab");
  await expect(page.locator("#log-call input[name=amount]")).toBeFocused();
  await page.keyboard.type("100.00");
  await page.keyboard.press("Tab");
  await expect(page.locator("#log-call input[name=promisedOn]")).toBeFocused();
  await page.keyboard.type(`${month}${day}${year}`);
  await expect(page.locator("#log-call input[name=promisedOn]")).toHaveValue(promisedOn);
  // Tab steps through a date field's parts (and its calendar button) before it leaves it.
  await tabTo(page, page.locator("#log-call textarea[name=note]"));
  await page.keyboard.type("Spoke to Jo in accounts; $100 by tomorrow.");
  // Past the follow-up date, left empty.
  await tabTo(page, page.getByRole("button", { name: "Log call" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status")).toContainText("Call logged, with the promise to pay.");
  await expect(page.getByRole("row", { name: /\$100\.00 Open/ })).toBeVisible();
  await shot(page, "collections-call-with-promise");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1 })).toContainText(names[2]!);

  // 3. A reminder now: r, Tab to the button, Enter.
  await page.keyboard.press("r");
  await expect(page.locator("#send-reminder select")).toBeFocused();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status")).toContainText("Reminder queued");
  await shot(page, "collections-reminder-sent");
  // u goes back to the queue.
  await page.keyboard.press("Escape");
  await page.keyboard.press("u");
  await expect(page.getByRole("heading", { level: 1, name: /Worklist|My queue/ })).toBeVisible();

  // An admin runs the dunning as of three days on; the promise has not been kept by then.
  const adminContext = await browser.newContext();
  try {
    const admin = await adminContext.newPage();
    await signInStaff(admin, staff.admin);
    await admin.goto("/staff/collections/runs");
    await admin.getByLabel("As of (demo only)").fill(addDays(asOf, 3));
    await admin.getByRole("button", { name: "Run now" }).click();
    await expect(admin).toHaveURL(/\/staff\/collections\/runs\/[0-9a-f-]{36}$/);
    await expect(admin.getByText(/1 promise broken|promises? broken/i).first()).toBeVisible();
    await shot(admin, "collections-run");
  } finally {
    await adminContext.close();
  }

  await page.goto(promisedAccount);
  const followUps = page.getByRole("region", { name: "Open tasks" });
  await expect(followUps.getByText(new RegExp(`Promise to pay \\S*100\\.00 by ${promisedOn} was broken`))).toBeVisible();
  await expect(page.getByRole("region", { name: "Promises to pay" }).getByRole("cell", { name: "Broken" })).toBeVisible();
  await shot(page, "collections-broken-promise-follow-up");
});
