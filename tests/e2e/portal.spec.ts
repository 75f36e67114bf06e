import { demoContact, expect, readNewestEmail, signInLinkIn, signInStaff, staff, test, uniqueEmail } from "./fixtures";

test("a customer signs in with an emailed link, once", async ({ page, browser }) => {
  await page.goto("/portal");
  await expect(page).toHaveURL(/\/portal\/sign-in\?redirectTo=%2Fportal/);
  await page.getByLabel("Email").first().fill(demoContact.email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByText(/If that address belongs to a customer contact/)).toBeVisible();

  const link = signInLinkIn(await readNewestEmail(browser, demoContact.email, /Your sign-in link/));
  await page.goto(link);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/portal$/);
  await expect(page.getByTestId("portal-customer-name")).toHaveText(demoContact.customer);

  // The same link a second time is refused, in another browser.
  const second = await browser.newContext();
  const secondPage = await second.newPage();
  await secondPage.goto(link);
  await secondPage.getByRole("button", { name: "Sign in" }).click();
  await expect(secondPage.getByText(/already been used/)).toBeVisible();
  await secondPage.goto("/portal");
  await expect(secondPage).toHaveURL(/\/portal\/sign-in/);
  await second.close();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/portal\/sign-in$/);
  await page.goto("/portal");
  await expect(page).toHaveURL(/\/portal\/sign-in\?redirectTo=/);
});

test("an unknown email gets the same answer and no email", async ({ page }) => {
  const stranger = uniqueEmail("stranger");
  await page.goto("/portal/sign-in");
  await page.getByLabel("Email").first().fill(stranger);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByText(/If that address belongs to a customer contact/)).toBeVisible();
  await signInStaff(page, staff.admin);
  await page.goto(`/staff/outbox?to=${encodeURIComponent(stranger)}`);
  await expect(page.getByText("No emails yet.")).toBeVisible();
});

test("a malformed email is named on the form", async ({ page }) => {
  await page.goto("/portal/sign-in");
  await page.getByLabel("Email").first().fill("dana@");
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByText("Enter an email address like name@example.com")).toBeVisible();
});

test("a made-up link explains itself", async ({ page }) => {
  await page.goto("/portal/sign-in/link?token=not-a-real-token");
  await expect(page.getByRole("heading", { name: "This link can't be used" })).toBeVisible();
  await expect(page.getByText(/not valid/)).toBeVisible();
});

test("a clerk invites a contact, who follows the invitation into the portal", async ({ page, browser }) => {
  const email = uniqueEmail("invitee");
  await signInStaff(page, staff.clerk);
  await page.goto("/staff/customers?q=Bluebird");
  await page.getByRole("link", { name: /^C-/ }).first().click();
  await expect(page).toHaveURL(/\/staff\/customers\/[0-9a-f-]{36}$/);
  // The list's own heading may still be on screen for a moment after the address changes.
  await expect(page.getByRole("heading", { level: 1 })).not.toHaveText("Customers");
  const customerName = (await page.getByRole("heading", { level: 1 }).textContent())!.trim();
  await page.getByLabel("Name").fill("Ines Invitee");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByText(`Invitation sent to ${email}.`)).toBeVisible();
  await expect(page.getByRole("region", { name: "Portal contacts" }).getByText(email, { exact: true })).toBeVisible();

  const link = signInLinkIn(await readNewestEmail(browser, email, /invited you to the billing portal/));
  const invitee = await browser.newContext();
  const inviteePage = await invitee.newPage();
  await inviteePage.goto(link);
  await inviteePage.getByRole("button", { name: "Sign in" }).click();
  await expect(inviteePage.getByText("Welcome, Ines. Your account is ready.")).toBeVisible();
  await expect(inviteePage.getByTestId("portal-customer-name")).toHaveText(customerName);
  await invitee.close();
});

test("a customer with a password signs in with it, and sets a new one", async ({ page }) => {
  await page.goto("/portal/sign-in");
  await page.getByText("Sign in with a password").click();
  const form = page.locator("form", { has: page.getByRole("button", { name: "Sign in", exact: true }) });
  await form.getByLabel("Email").fill(demoContact.email);
  await form.getByLabel("Password").fill("settle-demo-password");
  await form.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("portal-customer-name")).toHaveText(demoContact.customer);
  await page.getByRole("link", { name: "Account" }).first().click();
  await page.getByLabel("New password").fill("short");
  await page.getByLabel("Repeat the password").fill("short");
  await page.getByRole("button", { name: "Save password" }).click();
  await expect(page.getByText("Password must be at least 12 characters")).toBeVisible();
});
