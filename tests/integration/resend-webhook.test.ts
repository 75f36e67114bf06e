import { createHmac } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { auditLog, emailEvents, emailOutbox, emailSuppressions, portalUsers } from "~db/schema";
import { describeAudit } from "~/audit/describe";
import { recipientsFor } from "~/customers/recipients.server";
import { deliverDueEmails, transportFromEnv } from "~/email/delivery.server";
import { listEmailEvents } from "~/email/resend-events.server";
import { clearSuppression, listSuppressionsForCustomer, suppressedAddresses } from "~/email/suppressions.server";
import { parseEnv } from "~/utils/env.server";
import * as outboxPage from "~/routes/staff.outbox.$messageId";
import * as webhook from "~/routes/webhooks.resend";
import { startFakeResend } from "../fakes/resend";
import { createContact, createCustomer, createStaff, issuedInvoice, staffActor } from "./factories";
import * as customerPage from "~/routes/staff.customers.$customerId";
import { context, cookieFor, get, outcome, post as postForm } from "./route-helpers";

/**
 * Resend's delivery events through POST /webhooks/resend, signed the way Resend (Svix) signs
 * them: HMAC-SHA256 over "<svix-id>.<svix-timestamp>.<body>" with the secret after "whsec_".
 */

const SECRET = `whsec_${Buffer.from("settle-test-resend-webhook-signing-key").toString("base64")}`;
const envBefore = process.env.RESEND_WEBHOOK_SECRET;
const resetEnvCache = () => delete (globalThis as { __settleEnv?: unknown }).__settleEnv;

let counter = 0;

function signed(body: string, { id = `msg_test_${++counter}`, timestamp = Math.floor(Date.now() / 1000), secret = SECRET } = {}) {
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const signature = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
  return { "svix-id": id, "svix-timestamp": String(timestamp), "svix-signature": `v1,${signature}` };
}

function resendEvent(type: string, { emailId, to, bounce }: { emailId: string; to: string[]; bounce?: Record<string, string> }) {
  return JSON.stringify({
    type,
    created_at: "2026-11-23T10:15:00.000Z",
    data: {
      created_at: "2026-11-23T10:14:58.000Z",
      email_id: emailId,
      from: "Settle <billing@settle.localhost>",
      to,
      subject: "Invoice INV-000001",
      ...(bounce ? { bounce } : {}),
    },
  });
}

async function post(body: string, headers: Record<string, string>) {
  const request = new Request("http://localhost:3000/webhooks/resend", { method: "POST", body, headers: { "Content-Type": "application/json", ...headers } });
  const response = (await webhook.action({ request, params: {}, context })) as Response;
  return { status: response.status, body: (await response.json()) as { received: boolean; duplicate?: boolean; error?: string } };
}

const send = (body: string, options?: Parameters<typeof signed>[1]) => post(body, signed(body, options));

/** A customer whose invoice email went out through (fake) Resend: the outbox row knows Resend's id. */
async function sentInvoiceEmail() {
  const customer = await createCustomer({ email: "ap@customer.example" });
  await issuedInvoice({ customerId: customer.id, amounts: [12_500] });
  const resend = await startFakeResend();
  try {
    await deliverDueEmails({ transport: transportFromEnv(parseEnv({ RESEND_API_KEY: "re_test_key", RESEND_BASE_URL: resend.baseUrl })) });
  } finally {
    await resend.close();
  }
  const [message] = await getDb().select().from(emailOutbox).where(eq(emailOutbox.customerId, customer.id));
  expect(message).toMatchObject({ status: "sent", toAddress: "ap@customer.example", providerMessageId: expect.any(String) });
  return { customer, message: message! };
}

beforeAll(() => {
  process.env.RESEND_WEBHOOK_SECRET = SECRET;
  resetEnvCache();
});

afterAll(() => {
  // Integration files share a worker: leave the environment as the others expect it.
  if (envBefore === undefined) delete process.env.RESEND_WEBHOOK_SECRET;
  else process.env.RESEND_WEBHOOK_SECRET = envBefore;
  resetEnvCache();
});

describe("POST /webhooks/resend", () => {
  it("stores a signed event once, linked to its outbox message; the same event again changes nothing", async () => {
    const { message } = await sentInvoiceEmail();
    const body = resendEvent("email.delivered", { emailId: message.providerMessageId!, to: [message.toAddress] });
    const headers = signed(body);

    expect(await post(body, headers)).toEqual({ status: 200, body: { received: true } });
    expect(await post(body, headers)).toEqual({ status: 200, body: { received: true, duplicate: true } });

    const rows = await getDb().select().from(emailEvents);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ providerEventId: headers["svix-id"], type: "email.delivered", providerMessageId: message.providerMessageId, outboxId: message.id });
    // Delivered is a record only: no suppression, nothing on the timeline.
    expect(await getDb().select().from(emailSuppressions)).toHaveLength(0);
    expect((await getDb().select().from(auditLog)).filter((e) => e.action.startsWith("email"))).toHaveLength(0);
    expect(await listEmailEvents(message)).toEqual([expect.objectContaining({ type: "email.delivered", at: new Date("2026-11-23T10:15:00.000Z") })]);
  });

  it("stores an event delivered twice at once only once", async () => {
    const { message } = await sentInvoiceEmail();
    const body = resendEvent("email.bounced", { emailId: message.providerMessageId!, to: [message.toAddress], bounce: { type: "Permanent", subType: "General", message: "No such mailbox" } });
    const headers = signed(body);
    const answers = await Promise.all([post(body, headers), post(body, headers), post(body, headers)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.filter((a) => a.body.duplicate)).toHaveLength(2);
    expect(await getDb().select().from(emailEvents)).toHaveLength(1);
    expect(await getDb().select().from(emailSuppressions)).toHaveLength(1);
    expect((await getDb().select().from(auditLog)).filter((e) => e.action === "email.bounced")).toHaveLength(1);
  });

  it("shows the message's delivery events on its staff page", async () => {
    const { message } = await sentInvoiceEmail();
    await send(resendEvent("email.delivery_delayed", { emailId: message.providerMessageId!, to: [message.toAddress] }));
    await send(resendEvent("email.delivered", { emailId: message.providerMessageId!, to: [message.toAddress] }));
    const viewer = await createStaff({ role: "viewer" });
    const cookie = await cookieFor({ audience: "staff", staffUserId: viewer.id });
    const page = await outcome(() => outboxPage.loader({ request: get(`/staff/outbox/${message.id}`, cookie), params: { messageId: message.id }, context }));
    expect(page.status).toBe(200);
    expect(page.data).toMatchObject({ suppressed: false, events: [expect.objectContaining({ type: "email.delivery_delayed" }), expect.objectContaining({ type: "email.delivered" })] });
  });

  it("refuses a bad signature and a stale timestamp with 400, storing nothing", async () => {
    const body = resendEvent("email.bounced", { emailId: "re_unknown", to: ["someone@customer.example"], bounce: { type: "Permanent", subType: "General", message: "No such mailbox" } });

    const forged = await send(body, { secret: `whsec_${Buffer.from("somebody-else's-key").toString("base64")}` });
    expect(forged.status).toBe(400);
    expect(forged.body.error).toMatch(/Signature check failed/);

    const tampered = signed(body);
    expect((await post(body.replace("someone@", "other@"), tampered)).status).toBe(400);

    const stale = await send(body, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.status).toBe(400);
    expect(stale.body.error).toMatch(/too old/);

    expect((await post(body, {})).status).toBe(400);
    expect(await getDb().select().from(emailEvents)).toHaveLength(0);
    expect(await getDb().select().from(emailSuppressions)).toHaveLength(0);
  });

  it("refuses a signed body that is not a Resend event with 400", async () => {
    expect((await send("not json")).status).toBe(400);
    const noEmailId = await send(JSON.stringify({ type: "email.bounced", created_at: "2026-11-23T10:15:00.000Z", data: { to: ["a@b.example"] } }));
    expect(noEmailId).toMatchObject({ status: 400, body: { error: expect.stringMatching(/email_id/) } });
    expect((await send(JSON.stringify({ created_at: "x", data: {} }))).status).toBe(400);
    expect(await getDb().select().from(emailEvents)).toHaveLength(0);
  });

  it("answers 404 when no webhook secret is configured", async () => {
    delete process.env.RESEND_WEBHOOK_SECRET;
    resetEnvCache();
    try {
      const body = resendEvent("email.delivered", { emailId: "re_1", to: ["a@b.example"] });
      const answer = await send(body);
      expect(answer.status).toBe(404);
      expect(answer.body.error).toMatch(/not configured/);
      expect(await getDb().select().from(emailEvents)).toHaveLength(0);
    } finally {
      process.env.RESEND_WEBHOOK_SECRET = SECRET;
      resetEnvCache();
    }
  });

  it("takes only a Resend signing secret as RESEND_WEBHOOK_SECRET", () => {
    expect(parseEnv({ RESEND_WEBHOOK_SECRET: SECRET }).RESEND_WEBHOOK_SECRET).toBe(SECRET);
    expect(parseEnv({ RESEND_WEBHOOK_SECRET: "" }).RESEND_WEBHOOK_SECRET).toBeUndefined();
    expect(() => parseEnv({ RESEND_WEBHOOK_SECRET: "re_123" })).toThrow(/RESEND_WEBHOOK_SECRET: must be the webhook's signing secret from Resend/);
  });

  it("answers 405 to anything but POST", async () => {
    const response = webhook.loader();
    expect(response.status).toBe(405);
  });
});

describe("bounces and complaints", () => {
  it("a hard bounce suppresses the address, notes it on the customer's timeline, and recipientsFor leaves it out", async () => {
    const { customer, message } = await sentInvoiceEmail();
    const contact = await createContact({ customerId: customer.id, email: "Buyer@Customer.example" });
    await getDb().update(portalUsers).set({ emailInvoices: true }).where(eq(portalUsers.id, contact.id));
    expect(await recipientsFor(customer.id, "invoices", getDb())).toEqual(["ap@customer.example", "buyer@customer.example"]);

    const body = resendEvent("email.bounced", {
      emailId: message.providerMessageId!,
      to: ["AP@customer.example"],
      bounce: { type: "Permanent", subType: "General", message: "The recipient's mailbox does not exist." },
    });
    const headers = signed(body);
    expect((await post(body, headers)).status).toBe(200);
    expect((await post(body, headers)).body).toEqual({ received: true, duplicate: true });

    const suppressions = await getDb().select().from(emailSuppressions);
    expect(suppressions).toEqual([expect.objectContaining({ address: "ap@customer.example", reason: "bounced", outboxId: message.id, clearedAt: null })]);
    expect(suppressions[0]!.detail).toContain("mailbox does not exist");
    expect(await recipientsFor(customer.id, "invoices", getDb())).toEqual(["buyer@customer.example"]);
    expect([...(await suppressedAddresses(["Ap@Customer.Example", "buyer@customer.example"]))]).toEqual(["ap@customer.example"]);
    expect(await listSuppressionsForCustomer(customer.id)).toEqual([expect.objectContaining({ address: "ap@customer.example", reason: "bounced" })]);

    // The next invoice goes to the contact only.
    await issuedInvoice({ customerId: customer.id, amounts: [5_000] });
    const pending = await getDb().select({ to: emailOutbox.toAddress }).from(emailOutbox).where(eq(emailOutbox.status, "pending"));
    expect(pending.map((row) => row.to)).toEqual(["buyer@customer.example"]);

    const timeline = (await getDb().select().from(auditLog).where(eq(auditLog.customerId, customer.id))).filter((e) => e.action === "email.bounced");
    expect(timeline).toHaveLength(1);
    expect(describeAudit(timeline[0]!)).toMatch(/^Resend reported that the email “Invoice .*” to ap@customer\.example bounced \(Permanent \/ General: The recipient's mailbox does not exist\.\); Settle no longer emails that address$/);

    // A second bounce of the same address keeps the one suppression.
    const again = resendEvent("email.bounced", { emailId: "re_other", to: ["ap@customer.example"], bounce: { type: "Permanent", subType: "General", message: "Still gone" } });
    expect((await send(again)).status).toBe(200);
    expect(await getDb().select().from(emailSuppressions)).toHaveLength(1);
  });

  it("a transient bounce is stored but suppresses nothing", async () => {
    const { customer, message } = await sentInvoiceEmail();
    const body = resendEvent("email.bounced", { emailId: message.providerMessageId!, to: [message.toAddress], bounce: { type: "Transient", subType: "MailboxFull", message: "Mailbox full" } });
    expect((await send(body)).status).toBe(200);
    expect(await getDb().select().from(emailEvents)).toHaveLength(1);
    expect(await getDb().select().from(emailSuppressions)).toHaveLength(0);
    expect(await recipientsFor(customer.id, "invoices", getDb())).toEqual(["ap@customer.example"]);
  });

  it("a spam complaint suppresses the address the same way", async () => {
    const { customer, message } = await sentInvoiceEmail();
    expect((await send(resendEvent("email.complained", { emailId: message.providerMessageId!, to: [message.toAddress] }))).status).toBe(200);
    expect(await getDb().select().from(emailSuppressions)).toEqual([expect.objectContaining({ address: "ap@customer.example", reason: "complained" })]);
    expect(await recipientsFor(customer.id, "invoices", getDb())).toEqual([]);
    const [entry] = (await getDb().select().from(auditLog).where(eq(auditLog.customerId, customer.id))).filter((e) => e.action === "email.complained");
    expect(describeAudit(entry!)).toMatch(/^Resend reported that ap@customer\.example marked “Invoice .*” as spam; Settle no longer emails that address$/);
  });

  it("staff clearing a suppression make the address a recipient again, audited; clearing twice is refused", async () => {
    const { customer, message } = await sentInvoiceEmail();
    await send(resendEvent("email.bounced", { emailId: message.providerMessageId!, to: [message.toAddress], bounce: { type: "Permanent", subType: "General", message: "No such mailbox" } }));
    expect(await recipientsFor(customer.id, "invoices", getDb())).toEqual([]);
    const [suppression] = await listSuppressionsForCustomer(customer.id);

    const clerk = await createStaff({ role: "clerk" });
    const cleared = await clearSuppression(suppression!.id, staffActor(clerk));
    expect(cleared).toMatchObject({ clearedAt: expect.any(Date), clearedBy: clerk.id });
    expect(await recipientsFor(customer.id, "invoices", getDb())).toEqual(["ap@customer.example"]);
    expect(await listSuppressionsForCustomer(customer.id)).toEqual([]);
    await expect(clearSuppression(suppression!.id, staffActor(clerk))).rejects.toMatchObject({ code: "conflict", field: "suppressionId" });
    await expect(clearSuppression("00000000-0000-0000-0000-000000000000", staffActor(clerk))).rejects.toMatchObject({ code: "not_found" });

    const [entry] = (await getDb().select().from(auditLog).where(eq(auditLog.customerId, customer.id))).filter((e) => e.action === "email_suppression.clear");
    expect(entry).toMatchObject({ actorId: clerk.id, entityType: "email_suppression", entityId: suppression!.id });
    expect(describeAudit({ ...entry!, actorName: clerk.name })).toBe(`${clerk.name} let Settle email ap@customer.example again after it bounced`);

    // A later bounce suppresses it anew (the old row stays as history).
    await send(resendEvent("email.bounced", { emailId: message.providerMessageId!, to: [message.toAddress], bounce: { type: "Permanent", subType: "General", message: "Gone again" } }));
    expect(await getDb().select().from(emailSuppressions)).toHaveLength(2);
    expect(await recipientsFor(customer.id, "invoices", getDb())).toEqual([]);
  });

  it("flags the bounced address on the customer's page, where a clerk (not a viewer) has Settle email it again; another customer's address is refused", async () => {
    const { customer, message } = await sentInvoiceEmail();
    await send(resendEvent("email.bounced", { emailId: message.providerMessageId!, to: [message.toAddress], bounce: { type: "Permanent", subType: "General", message: "No such mailbox" } }));
    const [suppression] = await listSuppressionsForCustomer(customer.id);
    const clerk = await createStaff({ role: "clerk" });
    const clerkCookie = await cookieFor({ audience: "staff", staffUserId: clerk.id });
    const path = `/staff/customers/${customer.id}`;
    const page = await outcome(() => customerPage.loader({ request: get(path, clerkCookie), params: { customerId: customer.id }, context }));
    expect(page.data).toMatchObject({ suppressions: [expect.objectContaining({ address: "ap@customer.example", reason: "bounced" })] });

    const viewer = await createStaff({ role: "viewer" });
    const viewerCookie = await cookieFor({ audience: "staff", staffUserId: viewer.id });
    const byViewer = await outcome(() => customerPage.action({ request: postForm(path, { intent: "clear_suppression", suppressionId: suppression!.id }, viewerCookie), params: { customerId: customer.id }, context }));
    expect(byViewer.status).toBe(403);
    const other = await createCustomer({ name: "Other Co", email: "other@customer.example" });
    const elsewhere = await outcome(() => customerPage.action({ request: postForm(`/staff/customers/${other.id}`, { intent: "clear_suppression", suppressionId: suppression!.id }, clerkCookie), params: { customerId: other.id }, context }));
    expect(elsewhere).toMatchObject({ status: 404, data: { errors: { suppressionId: expect.any(String) } } });
    const bad = await outcome(() => customerPage.action({ request: postForm(path, { intent: "clear_suppression", suppressionId: "nope" }, clerkCookie), params: { customerId: customer.id }, context }));
    expect(bad).toMatchObject({ status: 400, data: { errors: { suppressionId: "Choose the address to email again" } } });
    expect(await listSuppressionsForCustomer(customer.id)).toHaveLength(1);

    const cleared = await outcome(() => customerPage.action({ request: postForm(path, { intent: "clear_suppression", suppressionId: suppression!.id }, clerkCookie), params: { customerId: customer.id }, context }));
    expect(cleared).toMatchObject({ status: 200, data: { cleared: "ap@customer.example" } });
    expect(await listSuppressionsForCustomer(customer.id)).toEqual([]);
    expect(await recipientsFor(customer.id, "invoices", getDb())).toEqual(["ap@customer.example"]);
  });

  it("a bounce for a message Settle does not know still suppresses the address, on the timeline of the customer it belongs to", async () => {
    const customer = await createCustomer({ email: "ap@elsewhere.example" });
    const body = resendEvent("email.bounced", { emailId: "re_not_ours", to: ["ap@elsewhere.example"], bounce: { type: "Permanent", subType: "General", message: "No such mailbox" } });
    expect((await send(body)).status).toBe(200);
    expect(await getDb().select().from(emailEvents)).toEqual([expect.objectContaining({ outboxId: null, providerMessageId: "re_not_ours" })]);
    expect(await recipientsFor(customer.id, "invoices", getDb())).toEqual([]);
    expect((await getDb().select().from(auditLog).where(eq(auditLog.customerId, customer.id))).map((e) => e.action)).toContain("email.bounced");
  });
});

afterEach(() => {
  // A test that removed the secret puts it back even if it failed midway.
  if (process.env.RESEND_WEBHOOK_SECRET !== SECRET) {
    process.env.RESEND_WEBHOOK_SECRET = SECRET;
    resetEnvCache();
  }
});
