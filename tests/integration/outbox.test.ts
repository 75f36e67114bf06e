import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { emailOutbox } from "~db/schema";
import { getDb } from "~db/client";
import { deliverDueEmails, MAX_ATTEMPTS, transportFromEnv, type EmailTransport } from "~/email/delivery.server";
import { enqueueEmail } from "~/email/outbox.server";
import { parseEnv } from "~/utils/env.server";
import { startFakeResend } from "../fakes/resend";

const brand = { companyName: "Northwind Supply Co.", brandColor: "#1f5fbf", logoUrl: null, supportEmail: null };

function enqueueSignIn(dedupeKey: string, to = "dana@acme.example") {
  return enqueueEmail({
    template: "sign-in-link",
    props: { brand, name: "Dana", url: "http://localhost:3000/portal/sign-in/link?token=abc", expiresInMinutes: 15 },
    to,
    dedupeKey,
  });
}

describe("outbox", () => {
  it("renders HTML and a plain-text part, and writes one message per cause", async () => {
    const first = await enqueueSignIn("cause-1");
    const again = await enqueueSignIn("cause-1");
    expect(first).toEqual(expect.any(String));
    expect(again).toBeNull();
    const rows = await getDb().select().from(emailOutbox);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.subject).toBe("Your sign-in link for Northwind Supply Co.");
    expect(rows[0]!.html).toContain("<html");
    expect(rows[0]!.text).toContain("http://localhost:3000/portal/sign-in/link?token=abc");
    expect(rows[0]!.text).not.toContain("<");
  });

  it("disappears with the transaction that caused it", async () => {
    await expect(
      getDb().transaction(async (tx) => {
        await enqueueEmail(
          { template: "sign-in-link", props: { brand, name: "D", url: "http://x.example/", expiresInMinutes: 15 }, to: "d@x.example", dedupeKey: "rolled-back" },
          tx,
        );
        throw new Error("the cause failed");
      }),
    ).rejects.toThrow("the cause failed");
    expect(await getDb().select().from(emailOutbox)).toHaveLength(0);
  });

  it("keeps messages when no provider is configured", async () => {
    await enqueueSignIn("cause-1");
    expect(await deliverDueEmails({ transport: { kind: "keep" } })).toMatchObject({ kept: 1 });
    const [row] = await getDb().select().from(emailOutbox);
    expect(row!.status).toBe("kept");
    expect(await deliverDueEmails({ transport: { kind: "keep" } })).toMatchObject({ kept: 0 });
  });
});

describe("delivery through Resend (local fake, real SDK)", () => {
  let resend: Awaited<ReturnType<typeof startFakeResend>>;
  let transport: EmailTransport;

  beforeEach(async () => {
    resend = await startFakeResend();
    transport = transportFromEnv(parseEnv({ RESEND_API_KEY: "re_test_key", RESEND_BASE_URL: resend.baseUrl }));
  });
  afterEach(() => resend.close());

  it("sends each message once with its idempotency key", async () => {
    const id = await enqueueSignIn("cause-1");
    expect(await deliverDueEmails({ transport })).toMatchObject({ sent: 1 });
    expect(await deliverDueEmails({ transport })).toMatchObject({ sent: 0 });
    expect(resend.received).toHaveLength(1);
    expect(resend.received[0]).toMatchObject({
      idempotencyKey: `settle-outbox-${id}`,
      authorization: "Bearer re_test_key",
      body: expect.objectContaining({ to: "dana@acme.example", subject: "Your sign-in link for Northwind Supply Co." }),
    });
    const [row] = await getDb().select().from(emailOutbox);
    expect(row).toMatchObject({ status: "sent", providerMessageId: "fake-1", attempts: 1 });
  });

  it("never lets two workers send the same message", async () => {
    for (let i = 0; i < 10; i++) await enqueueSignIn(`cause-${i}`, `person${i}@acme.example`);
    const runs = await Promise.all([deliverDueEmails({ transport }), deliverDueEmails({ transport }), deliverDueEmails({ transport })]);
    expect(runs.reduce((sum, r) => sum + r.sent, 0)).toBe(10);
    expect(resend.received).toHaveLength(10);
    expect(new Set(resend.received.map((r) => r.idempotencyKey)).size).toBe(10);
  });

  it("resends with the same key after a worker died mid-send, so the recipient gets it once", async () => {
    const id = await enqueueSignIn("cause-1");
    // A worker claimed the message and the provider accepted it, then the process died before marking it sent.
    if (transport.kind !== "send") throw new Error("expected a sending transport");
    await transport.send((await getDb().select().from(emailOutbox))[0]!, `settle-outbox-${id}`);
    await getDb()
      .update(emailOutbox)
      .set({ status: "sending", attempts: 1, lockedUntil: new Date(Date.now() - 1000) })
      .where(eq(emailOutbox.id, id!));
    expect(await deliverDueEmails({ transport })).toMatchObject({ sent: 1 });
    expect(resend.received).toHaveLength(2);
    expect(resend.received.map((r) => r.idempotencyKey)).toEqual([`settle-outbox-${id}`, `settle-outbox-${id}`]);
    expect(resend.delivered).toHaveLength(1);
  });

  it("leaves a message claimed by a live worker alone", async () => {
    const id = await enqueueSignIn("cause-1");
    await getDb().update(emailOutbox).set({ status: "sending", lockedUntil: new Date(Date.now() + 60_000) }).where(eq(emailOutbox.id, id!));
    expect(await deliverDueEmails({ transport })).toMatchObject({ sent: 0 });
    expect(resend.received).toHaveLength(0);
  });

  it("retries a failure later, and gives up after the last attempt", async () => {
    const id = await enqueueSignIn("cause-1");
    resend.failNextRequests(1);
    expect(await deliverDueEmails({ transport })).toMatchObject({ retried: 1 });
    let [row] = await getDb().select().from(emailOutbox);
    expect(row!.status).toBe("pending");
    expect(row!.lastError).toContain("fake outage");
    expect(row!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    // Not due yet: nothing is sent.
    expect(await deliverDueEmails({ transport })).toMatchObject({ sent: 0, retried: 0 });

    await getDb().update(emailOutbox).set({ nextAttemptAt: new Date(), attempts: MAX_ATTEMPTS - 1 }).where(eq(emailOutbox.id, id!));
    resend.failNextRequests(1);
    expect(await deliverDueEmails({ transport })).toMatchObject({ failed: 1 });
    [row] = await getDb().select().from(emailOutbox);
    expect(row!.status).toBe("failed");
  });
});
