import { describe, expect, it } from "vitest";
import { emailOutbox, portalUsers, rateLimits, settings } from "~db/schema";
import { getDb } from "~db/client";
import * as portalAccount from "~/routes/portal.account";
import * as portalHome from "~/routes/portal._index";
import * as portalLayout from "~/routes/portal";
import * as portalSignIn from "~/routes/portal_.sign-in";
import * as redeemLink from "~/routes/portal_.sign-in_.link";
import * as staffAudit from "~/routes/staff.audit";
import * as customerPage from "~/routes/staff.customers.$customerId";
import * as customerList from "~/routes/staff.customers._index";
import * as staffOutbox from "~/routes/staff.outbox._index";
import * as outboxMessage from "~/routes/staff.outbox.$messageId";
import * as staffSettings from "~/routes/staff.settings";
import { getReconciliationSettings } from "~/settings/settings.server";
import * as staffLayout from "~/routes/staff";
import * as staffSignIn from "~/routes/staff_.sign-in";
import { createContact, createCustomer, createStaff, TEST_PASSWORD } from "./factories";
import { context, cookieFor, get, outcome, post } from "./route-helpers";

const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context });

describe("signed-out requests", () => {
  it("send /staff and /portal to their own sign-in pages", async () => {
    expect(await outcome(() => staffLayout.loader(args(get("/staff/customers"))))).toMatchObject({
      status: 302,
      location: "/staff/sign-in?redirectTo=%2Fstaff%2Fcustomers",
    });
    expect(await outcome(() => portalLayout.loader(args(get("/portal"))))).toMatchObject({ status: 302, location: "/portal/sign-in?redirectTo=%2Fportal" });
  });

  it("do not accept a portal session in the back office", async () => {
    const customer = await createCustomer();
    const contact = await createContact({ customerId: customer.id });
    const cookie = (await cookieFor({ audience: "portal", portalUserId: contact.id })).replace("settle_portal_session", "settle_staff_session");
    expect(await outcome(() => staffLayout.loader(args(get("/staff", cookie))))).toMatchObject({ status: 302 });
  });
});

describe("staff sign-in form", () => {
  it("names the field for a malformed email and a missing password, and changes nothing", async () => {
    const result = await outcome(() => staffSignIn.action(args(post("/staff/sign-in", { email: "not-an-email", password: "" }))));
    expect(result.status).toBe(400);
    expect(result.data).toMatchObject({
      errors: { email: "Enter an email address like name@example.com", password: "Password is required" },
    });
    expect(await getDb().select().from(rateLimits)).toHaveLength(0);
  });

  it("signs in and redirects only to a path on this site", async () => {
    await createStaff({ email: "pat@northwind.example" });
    const ok = await outcome(() =>
      staffSignIn.action(args(post("/staff/sign-in", { email: "Pat@Northwind.example ", password: TEST_PASSWORD, redirectTo: "//evil.example/x" }))),
    );
    expect(ok).toMatchObject({ status: 302, location: "/staff" });
  });

  it("answers a wrong password with 401 and a message that does not say which part was wrong", async () => {
    await createStaff({ email: "pat@northwind.example" });
    const result = await outcome(() => staffSignIn.action(args(post("/staff/sign-in", { email: "pat@northwind.example", password: "nope" }))));
    expect(result).toMatchObject({ status: 401, data: { message: "Email or password is incorrect." } });
  });
});

describe("portal sign-in forms", () => {
  it("names the field for a malformed email and sends nothing", async () => {
    const result = await outcome(() => portalSignIn.action(args(post("/portal/sign-in", { intent: "link", email: "dana@" }))));
    expect(result).toMatchObject({ status: 400, data: { errors: { email: "Enter an email address like name@example.com" } } });
    expect(await getDb().select().from(emailOutbox)).toHaveLength(0);
  });

  it("explains a malformed, reused or expired link", async () => {
    const malformed = await outcome(() => redeemLink.action(args(post("/portal/sign-in/link", { token: "<script>" }))));
    expect(malformed.status).toBe(400);
    expect(malformed.data).toMatchObject({ error: expect.stringContaining("not valid") });

    const customer = await createCustomer();
    await createContact({ customerId: customer.id, email: "dana@acme.example" });
    await portalSignIn.action(args(post("/portal/sign-in", { intent: "link", email: "dana@acme.example" })));
    const [message] = await getDb().select().from(emailOutbox);
    const token = message!.text.match(/token=([a-z2-7]{32})/)![1]!;
    expect(await outcome(() => redeemLink.action(args(post("/portal/sign-in/link", { token }))))).toMatchObject({ status: 302, location: "/portal" });
    const reused = await outcome(() => redeemLink.action(args(post("/portal/sign-in/link", { token }))));
    expect(reused).toMatchObject({ status: 410, data: { error: expect.stringContaining("already been used") } });
  });
});

describe("staff roles", () => {
  it("refuses a viewer the clerk-only invitation with 403, and creates nothing", async () => {
    const customer = await createCustomer();
    const viewer = await createStaff({ role: "viewer" });
    const cookie = await cookieFor({ audience: "staff", staffUserId: viewer.id });
    const result = await outcome(() =>
      customerPage.action(args(post(`/staff/customers/${customer.id}`, { name: "Eve", email: "eve@example.com" }, cookie), { customerId: customer.id })),
    );
    expect(result.status).toBe(403);
    expect(await getDb().select().from(portalUsers)).toHaveLength(0);
    expect(await getDb().select().from(emailOutbox)).toHaveLength(0);
    // The viewer still reads the page, without the form.
    const page = await outcome(() => customerPage.loader(args(get(`/staff/customers/${customer.id}`, cookie), { customerId: customer.id })));
    expect(page).toMatchObject({ status: 200, data: { canInvite: false } });
  });

  it("lets a clerk invite, and names the bad field when the input is wrong", async () => {
    const customer = await createCustomer();
    const clerk = await createStaff({ role: "clerk" });
    const cookie = await cookieFor({ audience: "staff", staffUserId: clerk.id });
    const bad = await outcome(() =>
      customerPage.action(args(post(`/staff/customers/${customer.id}`, { name: "", email: "x" }, cookie), { customerId: customer.id })),
    );
    expect(bad).toMatchObject({ status: 400, data: { errors: { name: "Name is required", email: "Enter an email address like name@example.com" } } });
    const ok = await outcome(() =>
      customerPage.action(args(post(`/staff/customers/${customer.id}`, { name: "Eve", email: "eve@example.com" }, cookie), { customerId: customer.id })),
    );
    expect(ok).toMatchObject({ status: 200, data: { invited: "eve@example.com" } });
  });

  it("keeps admin pages from clerks and viewers", async () => {
    for (const role of ["viewer", "clerk"] as const) {
      const user = await createStaff({ role });
      const cookie = await cookieFor({ audience: "staff", staffUserId: user.id });
      expect((await outcome(() => staffAudit.loader(args(get("/staff/audit", cookie))))).status).toBe(403);
      expect((await outcome(() => staffSettings.loader(args(get("/staff/settings", cookie))))).status).toBe(403);
      expect((await outcome(() => staffSettings.action(args(post("/staff/settings", { companyName: "Hijacked", brandColor: "#000000" }, cookie)))))).toMatchObject({ status: 403 });
    }
    expect(await getDb().select().from(settings)).toHaveLength(0);
  });

  it("answers 404 for a malformed or unknown customer id", async () => {
    const viewer = await createStaff({ role: "viewer" });
    const cookie = await cookieFor({ audience: "staff", staffUserId: viewer.id });
    for (const customerId of ["123", "00000000-0000-4000-8000-000000000000"]) {
      expect((await outcome(() => customerPage.loader(args(get(`/staff/customers/${customerId}`, cookie), { customerId })))).status).toBe(404);
    }
  });

  it("validates settings and changes nothing on bad input", async () => {
    const admin = await createStaff({ role: "admin" });
    const cookie = await cookieFor({ audience: "staff", staffUserId: admin.id });
    const bad = await outcome(() => staffSettings.action(args(post("/staff/settings", { companyName: "Acme", brandColor: "blue", supportEmail: "nope" }, cookie))));
    expect(bad).toMatchObject({
      status: 400,
      data: { errors: { brandColor: "Brand colour must be a hex colour like #1f5fbf", supportEmail: "Support email must be an email address" } },
    });
    expect(await getDb().select().from(settings)).toHaveLength(0);
  });

  it("saves the reconciliation settings, refusing a confidence out of range by name", async () => {
    const admin = await createStaff({ role: "admin" });
    const cookie = await cookieFor({ audience: "staff", staffUserId: admin.id });
    const bad = await outcome(() => staffSettings.action(args(post("/staff/settings", { intent: "reconciliation", autoApplyConfidence: "30" }, cookie))));
    expect(bad).toMatchObject({ status: 400, data: { section: "reconciliation", errors: { autoApplyConfidence: expect.stringContaining("at least 50") } } });
    expect(await getDb().select().from(settings)).toHaveLength(0);
    await staffSettings.action(args(post("/staff/settings", { intent: "reconciliation", autoApplyConfidence: "95" }, cookie)));
    expect(await getReconciliationSettings()).toEqual({ autoApplyConfidence: 95, chargebackFeeToCustomer: false });
  });
});

describe("a portal user sees only their own customer", () => {
  it("on every portal route", async () => {
    const mine = await createCustomer({ name: "Mine Ltd", accountNumber: "M-1" });
    await createCustomer({ name: "Theirs Inc", accountNumber: "T-1" });
    const me = await createContact({ customerId: mine.id, email: "me@mine.example" });
    const cookie = await cookieFor({ audience: "portal", portalUserId: me.id });
    const routes = [
      () => portalLayout.loader(args(get("/portal", cookie))),
      () => portalHome.loader(args(get("/portal", cookie))),
      () => portalAccount.loader(args(get("/portal/account", cookie))),
    ];
    for (const route of routes) {
      const result = await outcome(route);
      expect(result.status).toBe(200);
      const text = JSON.stringify(result.data);
      expect(text).not.toContain("Theirs Inc");
      expect(text).not.toContain("T-1");
    }
    expect(JSON.stringify((await outcome(routes[0]!)).data)).toContain("Mine Ltd");
  });

  it("cannot reach staff lists with a portal cookie", async () => {
    const customer = await createCustomer();
    const contact = await createContact({ customerId: customer.id });
    const cookie = await cookieFor({ audience: "portal", portalUserId: contact.id });
    for (const route of [() => customerList.loader(args(get("/staff/customers", cookie))), () => staffOutbox.loader(args(get("/staff/outbox", cookie)))]) {
      expect((await outcome(route)).status).toBe(302);
    }
  });
});

describe("the outbox", () => {
  it("shows sign-in emails to admins only, since their link signs in as the customer", async () => {
    const customer = await createCustomer();
    await createContact({ customerId: customer.id, email: "dana@acme.example" });
    await portalSignIn.action(args(post("/portal/sign-in", { intent: "link", email: "dana@acme.example" })));
    const [message] = await getDb().select().from(emailOutbox);
    const params = { messageId: message!.id };
    for (const role of ["viewer", "clerk"] as const) {
      const cookie = await cookieFor({ audience: "staff", staffUserId: (await createStaff({ role })).id });
      const seen = await outcome(() => outboxMessage.loader(args(get(`/staff/outbox/${message!.id}`, cookie), params)));
      expect(seen).toMatchObject({ status: 200, data: { message: { redacted: true, text: "", html: "" } } });
      expect(JSON.stringify(seen.data)).not.toContain("token=");
    }
    const admin = await cookieFor({ audience: "staff", staffUserId: (await createStaff({ role: "admin" })).id });
    const full = await outcome(() => outboxMessage.loader(args(get(`/staff/outbox/${message!.id}`, admin), params)));
    expect(full).toMatchObject({ status: 200, data: { message: { redacted: false, text: expect.stringContaining("token=") } } });
  });
});
