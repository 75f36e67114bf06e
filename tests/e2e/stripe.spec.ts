import { E2E_FAKE_STRIPE_PORT, type FakeEvent, type LoggedRequest } from "../fakes/stripe";
import { routeStripe } from "../fakes/stripe-js";
import { DEMO_PASSWORD, demoContact, expect, test } from "./fixtures";
import type { Page } from "@playwright/test";

// The portal in Stripe mode: the app's `stripe` SDK talks to the fake Stripe, the browser gets the
// Stripe.js stand-in, and the fake sends signed webhooks to the app, as Stripe would.
const fakeStripe = `http://127.0.0.1:${E2E_FAKE_STRIPE_PORT}`;
const PART = "25.00";

test.beforeEach(async ({ page, context }) => {
  await routeStripe(context, fakeStripe);
  await page.goto("/portal/sign-in");
  await page.getByText("Sign in with a password").click();
  const form = page.locator("form", { has: page.getByRole("button", { name: "Sign in", exact: true }) });
  await form.getByLabel("Email").fill(demoContact.email);
  await form.getByLabel("Password").fill(DEMO_PASSWORD);
  await form.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("portal-customer-name")).toHaveText(demoContact.customer);
});

/** The portal home's balance, in cents. */
async function balance(page: Page) {
  await page.goto("/portal");
  const text = await page.locator(".stat", { hasText: "Balance" }).locator(".value").textContent();
  return Math.round(Number(text!.replace(/[^0-9.-]/g, "")) * 100);
}

/** Chooses part of the first open invoice on the pay page and goes on to the card page. */
async function startPayment(page: Page) {
  await page.goto("/portal/pay");
  await expect(page.getByText("Demo mode")).toHaveCount(0);
  const chosen = page.locator('input[name="invoice"]:checked');
  while ((await chosen.count()) > 0) await chosen.first().uncheck();
  const useCredit = page.getByLabel("Use my unapplied credit first");
  if (await useCredit.isVisible()) await useCredit.uncheck();
  await page
    .getByLabel(/^Amount to pay on invoice/)
    .first()
    .fill(PART);
  await page.getByRole("button", { name: "Continue to payment" }).click();
  await expect(page).toHaveURL(/\/portal\/pay\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1, name: `Pay $${PART}` })).toBeVisible();
  return page.url().split("/").at(-1)!;
}

async function payWithCard(page: Page, number: string) {
  await page.getByLabel("Card number").fill(number);
  await page.getByRole("button", { name: `Pay $${PART}` }).click();
}

/** The fake's events about one attempt's PaymentIntent, once it has sent them all to the app. */
async function deliveredEvents(attemptId: string) {
  let events: FakeEvent[] = [];
  await expect(async () => {
    events = ((await (await fetch(`${fakeStripe}/_fake/events`)).json()) as FakeEvent[]).filter((e) => (e.data.object.metadata as Record<string, string> | undefined)?.settle_attempt_id === attemptId);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.pending_webhooks === 0)).toBe(true);
  }).toPass();
  return events.map((e) => e.type);
}

test("a card that succeeds pays the invoice once: receipt shown, balance lower", async ({ page }) => {
  const before = await balance(page);
  // Stripe does the app's next call but its answer is lost: the SDK retries with the same key and gets the same object.
  await fetch(`${fakeStripe}/_fake/fail-next`, { method: "POST", body: new URLSearchParams({ count: "1", when: "after" }) });
  const attemptId = await startPayment(page);
  const requests = (await (await fetch(`${fakeStripe}/_fake/requests`)).json()) as LoggedRequest[];
  const lost = requests.findLast((r) => r.status === 500)!;
  expect(requests.filter((r) => r.idempotencyKey === lost.idempotencyKey).map((r) => [r.status, r.replayed])).toEqual([
    [500, false],
    [200, true],
  ]);
  await payWithCard(page, "4242 4242 4242 4242");
  await expect(page).toHaveURL(/\/portal\/payments\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: "Payment receipt" })).toBeVisible();
  await expect(page.locator(".receipt")).toContainText(`$${PART}`);
  await page.screenshot({ path: "tests/.tmp/screens/stripe-receipt.png", fullPage: true });

  // The webhook that follows the return page finds the payment already made.
  expect(await deliveredEvents(attemptId)).toEqual(["payment_intent.created", "payment_intent.succeeded"]);
  expect(await balance(page)).toBe(before - 2500);
});

test("a declined card shows the bank's message and pays nothing; another card then pays", async ({ page }) => {
  const before = await balance(page);
  const attemptId = await startPayment(page);
  await payWithCard(page, "4000 0000 0000 0002");
  await expect(page.getByRole("alert")).toHaveText("Your card was declined.");
  await page.screenshot({ path: "tests/.tmp/screens/stripe-declined.png", fullPage: true });
  expect(await deliveredEvents(attemptId)).toEqual(["payment_intent.created", "payment_intent.payment_failed"]);

  expect(await balance(page)).toBe(before);

  // The attempt remembers the decline, and its PaymentIntent takes another card.
  await page.goto(`/portal/pay/${attemptId}`);
  await expect(page.getByRole("alert")).toContainText("Your card was declined. Nothing was charged.");
  await payWithCard(page, "4242 4242 4242 4242");
  await expect(page.getByRole("heading", { name: "Payment receipt" })).toBeVisible();
  expect(await balance(page)).toBe(before - 2500);
});

test("a 3-D Secure card pays once the customer authenticates, not before", async ({ page }) => {
  const before = await balance(page);
  const attemptId = await startPayment(page);
  const challenge = page.getByRole("dialog", { name: "3D Secure 2 Test Page" });
  await payWithCard(page, "4000 0027 6000 3184");
  await challenge.getByRole("button", { name: "Fail" }).click();
  await expect(page.getByRole("alert")).toContainText("We are unable to authenticate your payment method.");

  await payWithCard(page, "4000 0027 6000 3184");
  await expect(challenge).toBeVisible();
  await page.screenshot({ path: "tests/.tmp/screens/stripe-3ds.png", fullPage: true });
  await challenge.getByRole("button", { name: "Complete" }).click();
  await expect(page.getByRole("heading", { name: "Payment receipt" })).toBeVisible();
  expect(await deliveredEvents(attemptId)).toEqual([
    "payment_intent.created",
    "payment_intent.requires_action",
    "payment_intent.payment_failed",
    "payment_intent.requires_action",
    "payment_intent.succeeded",
  ]);
  expect(await balance(page)).toBe(before - 2500);
});

test("a second tab on the same payment cannot charge it again", async ({ page, context }) => {
  const before = await balance(page);
  const attemptId = await startPayment(page);
  const second = await context.newPage();
  await second.goto(`/portal/pay/${attemptId}`);
  await payWithCard(page, "4242 4242 4242 4242");
  await expect(page.getByRole("heading", { name: "Payment receipt" })).toBeVisible();

  await payWithCard(second, "4242 4242 4242 4242");
  await expect(second.getByRole("alert")).toContainText("already succeeded");
  expect(await deliveredEvents(attemptId)).toEqual(["payment_intent.created", "payment_intent.succeeded"]);
  expect(await balance(page)).toBe(before - 2500);
});
