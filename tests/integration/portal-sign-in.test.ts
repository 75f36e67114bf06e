import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { emailOutbox, signInTokens } from "~db/schema";
import { getDb } from "~db/client";
import { passwords } from "~/auth/crypto.server";
import { inviteContact } from "~/auth/invitations.server";
import { redeemSignInToken, requestSignInLink, signInPortalWithPassword } from "~/auth/portal-auth.server";
import { validateSessionToken } from "~/auth/session.server";
import { DomainError } from "~/utils/errors";
import { createContact, createCustomer, createStaff, TEST_PASSWORD } from "./factories";

const ip = "203.0.113.9";

async function linkTokenFromOutbox(to: string) {
  const [message] = await getDb().select().from(emailOutbox).where(eq(emailOutbox.toAddress, to));
  const match = message?.text.match(/\/portal\/sign-in\/link\?token=([a-z2-7]+)/);
  if (!match?.[1]) throw new Error(`no sign-in link emailed to ${to}`);
  return { token: match[1], message: message! };
}

describe("portal sign-in by link", () => {
  it("emails a one-time link that signs the contact in to their own customer", async () => {
    const customer = await createCustomer({ name: "Acme Fabrication Ltd" });
    const contact = await createContact({ customerId: customer.id, email: "dana@acme.example" });
    expect(await requestSignInLink({ email: "dana@acme.example", ip })).toEqual({ ok: true });

    const { token, message } = await linkTokenFromOutbox("dana@acme.example");
    expect(message.template).toBe("sign-in-link");
    expect(message.status).toBe("pending");
    expect(message.html).toContain(token);
    const [stored] = await getDb().select().from(signInTokens);
    expect(stored!.tokenHash).not.toContain(token);
    expect(stored!.expiresAt.getTime() - stored!.createdAt.getTime()).toBeLessThanOrEqual(15 * 60_000 + 1000);

    const result = await redeemSignInToken({ token, ip });
    expect(result).toMatchObject({ ok: true, purpose: "portal_sign_in" });
    if (!result.ok) return;
    const session = await validateSessionToken(result.token, "portal");
    expect(session?.user.id).toBe(contact.id);
    expect(session?.customer.name).toBe("Acme Fabrication Ltd");
  });

  it("answers an unknown email exactly as a known one, and writes nothing", async () => {
    expect(await requestSignInLink({ email: "stranger@nowhere.example", ip })).toEqual({ ok: true });
    expect(await getDb().select().from(emailOutbox)).toHaveLength(0);
    expect(await getDb().select().from(signInTokens)).toHaveLength(0);
  });

  it("refuses a reused link", async () => {
    const customer = await createCustomer();
    await createContact({ customerId: customer.id, email: "dana@acme.example" });
    await requestSignInLink({ email: "dana@acme.example", ip });
    const { token } = await linkTokenFromOutbox("dana@acme.example");
    expect((await redeemSignInToken({ token, ip })).ok).toBe(true);
    expect(await redeemSignInToken({ token, ip })).toEqual({ ok: false, reason: "used" });
  });

  it("lets only one of two simultaneous clicks sign in", async () => {
    const customer = await createCustomer();
    await createContact({ customerId: customer.id, email: "dana@acme.example" });
    await requestSignInLink({ email: "dana@acme.example", ip });
    const { token } = await linkTokenFromOutbox("dana@acme.example");
    const results = await Promise.all([redeemSignInToken({ token, ip }), redeemSignInToken({ token, ip })]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("refuses an expired link, and changes nothing", async () => {
    const customer = await createCustomer();
    await createContact({ customerId: customer.id, email: "dana@acme.example" });
    await requestSignInLink({ email: "dana@acme.example", ip });
    const { token } = await linkTokenFromOutbox("dana@acme.example");
    await getDb().update(signInTokens).set({ expiresAt: new Date(Date.now() - 1) });
    expect(await redeemSignInToken({ token, ip })).toEqual({ ok: false, reason: "expired" });
    const [stored] = await getDb().select().from(signInTokens);
    expect(stored!.usedAt).toBeNull();
  });

  it("refuses a made-up token", async () => {
    expect(await redeemSignInToken({ token: "a".repeat(32), ip })).toEqual({ ok: false, reason: "unknown" });
  });

  it("limits link requests per address without revealing anything", async () => {
    const customer = await createCustomer();
    await createContact({ customerId: customer.id, email: "dana@acme.example" });
    for (let i = 0; i < 5; i++) expect(await requestSignInLink({ email: "dana@acme.example", ip })).toEqual({ ok: true });
    expect(await requestSignInLink({ email: "dana@acme.example", ip })).toMatchObject({ ok: false, reason: "rate_limited" });
    // An unknown address hits the same wall at the same count.
    for (let i = 0; i < 5; i++) await requestSignInLink({ email: "ghost@acme.example", ip: "198.51.100.2" });
    expect(await requestSignInLink({ email: "ghost@acme.example", ip: "198.51.100.2" })).toMatchObject({ ok: false, reason: "rate_limited" });
    expect(await getDb().select().from(emailOutbox)).toHaveLength(5);
  });
});

describe("portal password", () => {
  it("signs in a contact who set a password; refuses one who did not, with the same answer", async () => {
    const customer = await createCustomer();
    const withPassword = await createContact({ customerId: customer.id, email: "has@acme.example", withPassword: true });
    await createContact({ customerId: customer.id, email: "none@acme.example" });
    const ok = await signInPortalWithPassword({ email: "has@acme.example", password: TEST_PASSWORD, ip });
    expect(ok.ok && ok.user.id).toBe(withPassword.id);
    expect(await signInPortalWithPassword({ email: "none@acme.example", password: TEST_PASSWORD, ip })).toEqual({ ok: false, reason: "invalid" });
    expect(await signInPortalWithPassword({ email: "has@acme.example", password: "nope", ip })).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses the 11th attempt in a minute without checking the password", async () => {
    const customer = await createCustomer();
    await createContact({ customerId: customer.id, email: "has@acme.example", withPassword: true });
    for (let i = 0; i < 10; i++) await signInPortalWithPassword({ email: "has@acme.example", password: "nope", ip });
    const verify = vi.spyOn(passwords, "verify");
    expect(await signInPortalWithPassword({ email: "has@acme.example", password: TEST_PASSWORD, ip })).toMatchObject({ reason: "rate_limited" });
    expect(verify).not.toHaveBeenCalled();
  });
});

describe("contact invitations", () => {
  it("creates the contact and emails a 7-day link in one transaction", async () => {
    const customer = await createCustomer({ name: "Bluebird Logistics Inc." });
    const clerk = await createStaff({ role: "clerk" });
    const contact = await inviteContact({ customerId: customer.id, name: "Luis Moreno", email: "luis@bluebird.example", invitedBy: clerk, ip });
    expect(contact.customerId).toBe(customer.id);
    const { token, message } = await linkTokenFromOutbox("luis@bluebird.example");
    expect(message.template).toBe("contact-invitation");
    expect(message.subject).toContain("Bluebird Logistics Inc.");
    const [stored] = await getDb().select().from(signInTokens);
    expect(stored!.expiresAt.getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const result = await redeemSignInToken({ token, ip });
    expect(result).toMatchObject({ ok: true, purpose: "portal_invite" });
  });

  it("refuses an email that belongs to another customer's contact, and writes nothing", async () => {
    const first = await createCustomer();
    const second = await createCustomer();
    await createContact({ customerId: first.id, email: "shared@example.com" });
    const clerk = await createStaff({ role: "clerk" });
    await expect(
      inviteContact({ customerId: second.id, name: "X", email: "shared@example.com", invitedBy: clerk, ip }),
    ).rejects.toThrowError(DomainError);
    expect(await getDb().select().from(emailOutbox)).toHaveLength(0);
  });
});
