import { expect, test } from "@playwright/test";

test("health check reports the database", async ({ request }) => {
  const response = await request.get("/healthz");
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ status: "ok", database: process.env.TEST_DATABASE_URL ? "postgres" : "pglite" });
});

test("a post without an Origin is refused with a message, and changes nothing", async ({ request }) => {
  const response = await request.post("/staff/sign-in", {
    form: { email: "admin@northwind.example", password: "settle-demo-password" },
    headers: { Accept: "text/html" },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(403);
  expect(await response.text()).toContain("This request has no Origin header");
  expect(response.headers()["set-cookie"]).toBeUndefined();
});

test("a post from another site is refused", async ({ request }) => {
  const response = await request.post("/portal/sign-in", {
    form: { intent: "link", email: "dana@acme-fab.example" },
    headers: { Origin: "https://evil.example", Accept: "application/json" },
  });
  expect(response.status()).toBe(403);
  expect((await response.json()).error).toContain("came from https://evil.example");
});

test("an oversized body is refused before it is read", async ({ request, baseURL }) => {
  const response = await request.post("/portal/sign-in", {
    data: "email=" + "x".repeat(2 * 1024 * 1024),
    headers: { Origin: baseURL!, "Content-Type": "application/x-www-form-urlencoded", Accept: "text/html" },
  });
  expect(response.status()).toBe(413);
  expect(await response.text()).toContain("The request is too large");
});

test("pages carry security headers, with a CSP that allows Stripe.js", async ({ request }) => {
  const response = await request.get("/");
  const csp = response.headers()["content-security-policy"]!;
  expect(csp).toContain("script-src 'self' 'nonce-");
  expect(csp).toContain("https://js.stripe.com");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(response.headers()["x-content-type-options"]).toBe("nosniff");
  expect(response.headers()["referrer-policy"]).toBe("same-origin");
});
