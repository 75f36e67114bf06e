import { DEMO_PASSWORD, expect, signInStaff, staff, test } from "./fixtures";

test("a clerk signs in with a password and sees the back office", async ({ page }) => {
  await signInStaff(page, staff.clerk);
  await expect(page).toHaveURL(/\/staff$/);
  await expect(page.getByTestId("staff-role")).toHaveText("clerk");
  await page.getByRole("navigation", { name: "Back office" }).getByRole("link", { name: "Customers" }).click();
  await expect(page.getByRole("heading", { name: "Customers" })).toBeVisible();
  await expect(page.getByRole("row")).toHaveCount(26); // header + a page of 25
});

test("a wrong password is refused on the sign-in page", async ({ page }) => {
  await signInStaff(page, staff.clerk, "not-the-password", { expectSuccess: false });
  await expect(page.getByText("Email or password is incorrect.")).toBeVisible();
  await expect(page).toHaveURL(/\/staff\/sign-in/);
  await page.goto("/staff");
  await expect(page).toHaveURL(/\/staff\/sign-in\?redirectTo=%2Fstaff/);
});

test("signing out ends the session; signing out everywhere ends the others too", async ({ page, browser }) => {
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signInStaff(otherPage, staff.admin);
  await expect(otherPage).toHaveURL(/\/staff$/);

  await signInStaff(page, staff.admin);
  await expect(page).toHaveURL(/\/staff$/);
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/staff\/sign-in$/);
  await page.goto("/staff/customers");
  await expect(page).toHaveURL(/\/staff\/sign-in\?redirectTo=/);

  // The other device is still signed in until "everywhere".
  await otherPage.goto("/staff/customers");
  await expect(otherPage.getByRole("heading", { name: "Customers" })).toBeVisible();
  await signInStaff(page, staff.admin);
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/staff\/sign-in$/);
  await otherPage.goto("/staff/customers");
  await expect(otherPage).toHaveURL(/\/staff\/sign-in\?redirectTo=/);
  await other.close();
});

test("a viewer is refused the clerk-only invitation with 403, and nothing is created", async ({ page, baseURL }) => {
  await signInStaff(page, staff.viewer);
  await expect(page.getByTestId("staff-role")).toHaveText("viewer");
  await page.goto("/staff/customers");
  await page.getByRole("link", { name: "C-10002" }).click();
  await expect(page).toHaveURL(/\/staff\/customers\/[0-9a-f-]{36}$/);
  const customerUrl = page.url();
  await expect(page.getByText("Inviting contacts needs the clerk role.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Send invitation" })).toHaveCount(0);

  const email = `forbidden-${Date.now()}@e2e.example`;
  const response = await page.request.post(customerUrl, { form: { name: "Forbidden Person", email }, headers: { Origin: baseURL! } });
  expect(response.status()).toBe(403);
  await page.reload();
  await expect(page.getByText(email)).toHaveCount(0);
});

test("admin pages answer a clerk with 403", async ({ page }) => {
  await signInStaff(page, staff.clerk);
  const response = await page.goto("/staff/settings");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "You don't have access to this" })).toBeVisible();
});

test("the demo password is the one printed for every demo sign-in", async ({ page }) => {
  for (const email of [staff.admin, staff.viewer]) {
    await signInStaff(page, email, DEMO_PASSWORD);
    await expect(page).toHaveURL(/\/staff$/);
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(page).toHaveURL(/\/staff\/sign-in$/);
  }
});
