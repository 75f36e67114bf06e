import type { Page } from "@playwright/test";
import { expect, signInStaff, staff, test } from "./fixtures";

// The clerk's everyday work on the books, in the browser: each test leaves a screenshot in
// tests/.tmp/screens for a person to look at.
const shot = (page: Page, name: string) => page.screenshot({ path: `tests/.tmp/screens/${name}.png`, fullPage: true });

async function openCustomer(page: Page, accountNumber: string) {
  await page.goto(`/staff/customers?q=${accountNumber}`);
  await page.getByRole("link", { name: accountNumber, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
}

async function invoiceNumberOnPage(page: Page) {
  const heading = page.getByRole("heading", { level: 1, name: /^Invoice INV-\d+/ });
  await expect(heading).toBeVisible();
  return (await heading.textContent())!.match(/INV-\d+/)![0];
}

/** Creates and issues a one-line invoice from the customer page; returns its number. */
async function issueInvoice(page: Page, accountNumber: string, line: { description: string; quantity: string; unitPrice: string; taxRate?: string }) {
  await openCustomer(page, accountNumber);
  await page.getByRole("link", { name: "New invoice" }).click();
  const first = page.getByRole("group", { name: "Line 1" });
  await first.getByLabel("Description").fill(line.description);
  await first.getByLabel("Quantity").fill(line.quantity);
  await first.getByLabel("Unit price").fill(line.unitPrice);
  if (line.taxRate) await first.getByLabel("Tax rate").fill(line.taxRate);
  await page.getByRole("button", { name: "Save and issue" }).click();
  return invoiceNumberOnPage(page);
}

test("a clerk creates an invoice, sees the totals worked out, and issues it", async ({ page }) => {
  await signInStaff(page, staff.clerk);
  await openCustomer(page, "C-10002");
  await page.getByRole("link", { name: "New invoice" }).click();
  const first = page.getByRole("group", { name: "Line 1" });
  await first.getByLabel("Description").fill("Pallet wrap film, roll");
  await first.getByLabel("Quantity").fill("12");
  await first.getByLabel("Unit price").fill("18.95");
  await first.getByLabel("Tax rate").fill("8.25");
  const second = page.getByRole("group", { name: "Line 2" });
  await second.getByLabel("Description").fill("Delivery and handling");
  await second.getByLabel("Unit price").fill("45");
  await shot(page, "invoice-new");
  // 12 x 18.95 = 227.40, tax 18.76, plus 45.00 delivery
  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page.getByText("Draft", { exact: true }).first()).toBeVisible();
  await expect(page.getByText(/291\.16/).first()).toBeVisible();
  await page.getByRole("button", { name: "Issue invoice" }).click();
  await invoiceNumberOnPage(page);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Open");
  await shot(page, "invoice-issued");
});

test("a clerk records a check that pays two invoices and leaves the rest as credit", async ({ page }) => {
  await signInStaff(page, staff.clerk);
  const a = await issueInvoice(page, "C-10004", { description: "Workbench, oak top", quantity: "1", unitPrice: "100" });
  const b = await issueInvoice(page, "C-10004", { description: "Safety signage kit", quantity: "1", unitPrice: "250" });
  await openCustomer(page, "C-10004");
  await page.getByRole("link", { name: "Record payment" }).click();
  await page.getByLabel(/^Amount/).first().fill("400.00");
  await page.getByLabel("Method").selectOption("check");
  await page.getByLabel("Reference").fill("1042");
  await page.getByText("Choose invoices").click();
  await page.getByLabel(`Pay invoice ${a} in full`).check();
  await page.getByLabel(`Pay invoice ${b} in full`).check();
  await shot(page, "payment-new");
  await page.getByRole("button", { name: "Record payment" }).click();
  await expect(page.getByText("Payment recorded.")).toBeVisible();
  const applied = page.getByRole("table").filter({ hasText: a });
  await expect(applied).toContainText(b);
  await expect(page.getByText(/\b50\.00/).first()).toBeVisible();
  await shot(page, "payment-recorded");
  await page.getByRole("link", { name: a }).first().click();
  await expect(page.getByText("Paid", { exact: true }).first()).toBeVisible();
});

test("a clerk credits part of an invoice line, and the invoice's open amount drops by it", async ({ page }) => {
  await signInStaff(page, staff.clerk);
  const number = await issueInvoice(page, "C-10005", { description: "Nitrile safety gloves, case of 1,000", quantity: "4", unitPrice: "89.90" });
  await expect(page.getByText(/359\.60/).first()).toBeVisible();
  await page.getByRole("main").getByRole("link", { name: "Credit note", exact: true }).click();
  await page.getByText("Some lines").click();
  await page.getByLabel(/^Amount to credit on Nitrile safety gloves/).fill("89.90");
  await page.getByLabel("Reason").fill("One case arrived damaged");
  await shot(page, "credit-note-new");
  await page.getByRole("button", { name: "Issue credit note" }).click();
  await expect(page.getByRole("heading", { name: /CN-\d+/ })).toBeVisible();
  await shot(page, "credit-note-issued");
  await page.getByRole("link", { name: number }).first().click();
  await expect(page.getByText(/269\.70/).first()).toBeVisible();
});
