import type { Browser, Page } from "@playwright/test";
import { DEMO_PASSWORD, demoContact, expect, readNewestEmail, signInStaff, staff, test } from "./fixtures";

// What a customer comes to the portal for, end to end on the demo processor, with a screenshot
// of each step in tests/.tmp/screens. The customer is the demo contact Dana of Acme Fabrication
// (C-10001); each test first issues the invoices it needs from the back office.
const shot = (page: Page, name: string) => page.screenshot({ path: `tests/.tmp/screens/portal-${name}.png`, fullPage: true });
const iso = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const dollars = (text: string | null) => Number((text ?? "").replace(/[^0-9.-]/g, ""));

async function asStaff<T>(browser: Browser, email: string, work: (page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await signInStaff(page, email);
    return await work(page);
  } finally {
    await context.close();
  }
}

/** Issues a one-line invoice to Acme from the back office; returns its number. */
function issueToAcme(browser: Browser, { description, amount, issueDate, dueDate }: { description: string; amount: string; issueDate?: string; dueDate?: string }) {
  return asStaff(browser, staff.clerk, async (page) => {
    await page.goto("/staff/customers?q=C-10001");
    await page.getByRole("link", { name: "C-10001", exact: true }).click();
    await page.getByRole("link", { name: "New invoice" }).click();
    const line = page.getByRole("group", { name: "Line 1" });
    await line.getByLabel("Description").fill(description);
    await line.getByLabel("Unit price").fill(amount);
    if (issueDate) await page.getByLabel("Issue date").fill(issueDate);
    if (dueDate) await page.getByLabel("Due date").fill(dueDate);
    await page.getByRole("button", { name: "Save and issue" }).click();
    const heading = page.getByRole("heading", { level: 1, name: /^Invoice INV-\d+/ });
    await expect(heading).toBeVisible();
    return { number: (await heading.textContent())!.match(/INV-\d+/)![0], id: page.url().split("/").at(-1)! };
  });
}

async function signInDana(page: Page) {
  await page.goto("/portal/sign-in");
  await page.getByText("Sign in with a password").click();
  const form = page.locator("form", { has: page.getByRole("button", { name: "Sign in", exact: true }) });
  await form.getByLabel("Email").fill(demoContact.email);
  await form.getByLabel("Password").fill(DEMO_PASSWORD);
  await form.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("portal-customer-name")).toHaveText(demoContact.customer);
}

const dueNow = async (page: Page) => {
  await page.goto("/portal");
  return dollars(await page.locator(".due-now .due-amount").textContent());
};
const balance = async (page: Page) => {
  await page.goto("/portal");
  return dollars(await page.locator(".stat", { has: page.getByText("Balance", { exact: true }) }).locator(".value").textContent());
};

test("a customer pays two invoices, one in part, and sees the receipt and the lower balance", async ({ page, browser }) => {
  const { number: first, id: firstId } = await issueToAcme(browser, { description: "Hex bolts, box of 100", amount: "100" });
  const { number: second } = await issueToAcme(browser, { description: "Workbench, oak top", amount: "250" });
  await signInDana(page);
  const before = await balance(page);
  // Arriving from the invoice's "Pay" link chooses that invoice alone; the customer adds the second.
  await page.goto(`/portal/pay?invoice=${firstId}`);
  await expect(page.getByRole("checkbox", { name: `Invoice ${first}`, exact: true })).toBeChecked();
  await page.getByRole("checkbox", { name: `Invoice ${second}`, exact: true }).check();
  await page.getByLabel(`Amount to pay on invoice ${first}`).fill("100.00");
  await page.getByLabel(`Amount to pay on invoice ${second}`).fill("120.00");
  await shot(page, "pay-choose");
  await page.getByRole("button", { name: "Continue to payment" }).click();
  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByLabel("Expiry date").fill("12/30");
  await page.getByLabel("Security code").fill("123");
  await shot(page, "pay-card");
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page).toHaveURL(/\/portal\/payments\/[0-9a-f-]{36}$/);
  await expect(page.getByText(first).first()).toBeVisible();
  await expect(page.getByText(second).first()).toBeVisible();
  await expect(page.getByText("$220.00").first()).toBeVisible();
  await shot(page, "receipt");
  expect(await balance(page)).toBeCloseTo(before - 220, 2);
});

test("a customer disputes half of a line, and what is due now drops by exactly that", async ({ page, browser }) => {
  const { number } = await issueToAcme(browser, { description: "Pallet wrap film, 20 rolls", amount: "300", issueDate: iso(-45), dueDate: iso(-15) });
  await signInDana(page);
  const before = await dueNow(page);
  await page.goto(`/portal/invoices?q=${number}`);
  await page.getByRole("link", { name: number }).first().click();
  await page.getByRole("link", { name: /^Dispute the line/ }).first().click();
  await page.getByLabel(/How much/).fill("150.00");
  await page.getByLabel("Reason").selectOption("damaged");
  await page.getByLabel("Tell us what happened").fill("Half the rolls arrived crushed.");
  await shot(page, "dispute-new");
  await page.getByRole("button", { name: "Open dispute" }).click();
  await expect(page).toHaveURL(/\/portal\/disputes\/[0-9a-f-]{36}/);
  await expect(page.getByText(/on hold/).first()).toBeVisible();
  const disputeUrl = page.url();
  await shot(page, "dispute-open");
  expect(await dueNow(page)).toBeCloseTo(before - 150, 2);

  // Staff accept it; the customer sees the credit note.
  await asStaff(browser, staff.clerk, async (staffPage) => {
    await staffPage.goto("/staff/disputes");
    await staffPage.getByRole("link", { name: new RegExp(number) }).first().click();
    await staffPage.getByText("Accept, in full or in part").click();
    await staffPage.getByRole("button", { name: /^Accept/ }).click();
    await expect(staffPage.getByText(/credited to the customer/)).toBeVisible();
  });
  await page.goto(disputeUrl);
  await expect(page.getByText(/CN-\d+/).first()).toBeVisible();
  await shot(page, "dispute-accepted");
});

test("a 3-instalment plan: the first is charged, a declined second sends the retry email, and the plan defaults after the limit", async ({ page, browser }) => {
  const { number } = await issueToAcme(browser, { description: "Industrial shelving, 3 units", amount: "900" });
  await signInDana(page);
  await page.goto("/portal/plans/new");
  const every = page.getByLabel("Include every invoice");
  await every.check();
  await every.uncheck();
  await page.getByRole("checkbox", { name: number, exact: true }).check();
  await page.getByLabel("Number of instalments").fill("3");
  const firstDate = iso(1);
  await page.getByLabel("First payment date").fill(firstDate);
  await shot(page, "plan-new");
  await page.getByRole("button", { name: "Set up the plan" }).click();
  await expect(page).toHaveURL(/\/portal\/plans\/[0-9a-f-]{36}/);
  // Autopay with the demo card whose first charge succeeds and later ones are declined.
  await page.getByLabel("Card number").fill("4000 0000 0000 4954");
  await page.getByLabel("Expiry date").fill("12/30");
  await page.getByLabel("Security code").fill("123");
  await page.getByRole("button", { name: /Save card/ }).click();
  await expect(page.getByText(/ending 4954/).first()).toBeVisible();
  const planUrl = page.url();

  const chargeAsOf = (date: string) =>
    asStaff(browser, staff.admin, async (admin) => {
      await admin.goto("/staff/plans");
      await admin.getByLabel("As of (demo only)").fill(date);
      await admin.getByRole("button", { name: "Charge due instalments now" }).click();
      await expect(admin.getByRole("status").or(admin.getByRole("alert")).first()).toBeVisible();
    });

  await chargeAsOf(firstDate);
  await page.goto(planUrl);
  await expect(page.getByRole("row", { name: /^1 .*Paid/ })).toBeVisible();
  await shot(page, "plan-first-paid");

  const secondDate = iso(32);
  await chargeAsOf(secondDate);
  const email = await readNewestEmail(browser, "accounts@acme-fabrication.example", /could not be charged/);
  expect(email).toContain("insufficient funds");
  await page.goto(planUrl);
  await expect(page.getByText(/Failed|Retry/).first()).toBeVisible();

  // Retries every few days until the policy's limit; then the plan defaults.
  for (const offset of [36, 40, 44]) await chargeAsOf(iso(offset));
  await page.goto(planUrl);
  await expect(page.getByText(/Defaulted/).first()).toBeVisible();
  await shot(page, "plan-defaulted");
});
