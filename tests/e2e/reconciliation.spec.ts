import type { Page } from "@playwright/test";
import { expect, signInStaff, staff, test } from "./fixtures";

// A clerk's reconciliation work on the demo data (db/seed-reconciliation.ts): a card payment nobody
// started in Settle, and this week's bank statement with a suggested match. Screenshots are left in
// tests/.tmp/screens for a person to look at.
const shot = (page: Page, name: string) => page.screenshot({ path: `tests/.tmp/screens/${name}.png`, fullPage: true });

const dollars = (text: string) => Math.round(Number(text.replace(/[^0-9.]/g, "")) * 100);

test("a clerk applies a payment from the exceptions queue to two invoices", async ({ page }) => {
  await signInStaff(page, staff.clerk);
  await page.goto("/staff/reconciliation");
  await shot(page, "reconciliation-overview");
  await page.getByRole("link", { name: "Payment with no matching attempt" }).click();
  await expect(page).toHaveURL(/\/staff\/reconciliation\/exceptions\?.*kind=unmatched_payment/);
  await expect(page.getByRole("heading", { level: 1, name: "Exceptions", exact: true })).toBeVisible();
  await page.getByRole("link", { name: /Payment with no matching attempt/ }).first().click();
  await expect(page.getByRole("heading", { level: 1, name: /^Payment with no matching attempt/ })).toBeVisible();
  const unapplied = dollars((await page.locator("dt:has-text('Unapplied') + dd").textContent()) ?? "");
  expect(unapplied).toBeGreaterThan(0);

  await page.getByText("Apply to invoices").click();
  const amounts = page.getByLabel(/Amount to apply to invoice INV-/);
  await expect(amounts.first()).toBeVisible();
  // The matcher's suggestion fills some amounts in; this clerk chooses for themselves.
  for (const input of await amounts.all()) await input.fill("");
  // The first invoice in full, the rest of the money on the second.
  const firstOpen = dollars((await page.locator("table.allocation-table tbody tr").first().locator("td[data-label='Open']").textContent()) ?? "");
  const second = Math.min(unapplied - firstOpen, dollars((await page.locator("table.allocation-table tbody tr").nth(1).locator("td[data-label='Open']").textContent()) ?? ""));
  expect(second).toBeGreaterThan(0);
  await amounts.nth(0).fill((firstOpen / 100).toFixed(2));
  await amounts.nth(1).fill("99999999");
  await page.getByRole("button", { name: "Apply these amounts" }).click();
  // Too much for the second invoice: refused, naming it, and nothing changes.
  await expect(page.getByText(/has only .* open|at most|only .* is available|available/i).first()).toBeVisible();
  await expect(page.getByText("Open", { exact: true }).first()).toBeVisible();

  await page.getByLabel(/Amount to apply to invoice INV-/).nth(1).fill((second / 100).toFixed(2));
  await page.getByRole("button", { name: "Apply these amounts" }).click();
  await expect(page.getByRole("heading", { name: "Resolution" })).toBeVisible();
  await expect(page.getByText("Priya Raman").or(page.getByText(staff.clerk)).first()).toBeVisible();
  await shot(page, "reconciliation-exception-applied");
  await page.getByRole("link", { name: "See where the money went" }).click();
  await expect(page).toHaveURL(/\/staff\/payments\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(/ from /);
  await expect(page.locator("main").getByRole("link", { name: /INV-/ })).toHaveCount(2);
  await shot(page, "reconciliation-payment-applied");
});

test("a clerk confirms a suggested bank match in one click", async ({ page }) => {
  await signInStaff(page, staff.clerk);
  await page.goto("/staff/reconciliation/bank");
  await page.getByRole("link", { name: /statement-.*\.xml/ }).first().click();
  await expect(page.getByText("Suggested match").first()).toBeVisible();
  await shot(page, "reconciliation-bank-statement");
  await page.goto("/staff/reconciliation/exceptions?kind=bank_suggestion");
  await page.getByRole("link", { name: /Bank line: suggested match/ }).first().click();
  await expect(page.getByRole("heading", { name: "Suggested match", exact: true })).toBeVisible();
  await expect(page.getByText(/Invoice number INV-\d+ in the reference/)).toBeVisible();
  const invoice = (await page.locator(".suggestion").getByRole("link", { name: /INV-\d+/ }).first().textContent())!.trim();
  await page.getByRole("button", { name: "Confirm match" }).click();
  await expect(page.getByRole("heading", { name: "Resolution" })).toBeVisible();
  await shot(page, "reconciliation-bank-confirmed");

  // The invoice is paid, and the bank line now points at its payment.
  await page.goto(`/staff/invoices?q=${invoice}`);
  await page.getByRole("link", { name: invoice, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(invoice);
  await expect(page.getByText("Paid", { exact: true }).first()).toBeVisible();
  await page.goto("/staff/reconciliation/bank");
  await page.getByRole("link", { name: /statement-.*\.xml/ }).first().click();
  await expect(page.getByRole("heading", { level: 1, name: /statement-.*\.xml/ })).toBeVisible();
  await expect(page.getByText("Suggested match")).toHaveCount(0);
});
