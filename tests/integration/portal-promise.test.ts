import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { auditLog, emailOutbox, portalUsers, promisesToPay } from "~db/schema";
import { placeHold } from "~/collections/holds.server";
import { openPromises, recordPromise } from "~/collections/promises.server";
import { getCustomerOverview } from "~/customers/customers.server";
import * as portalHome from "~/routes/portal._index";
import * as promisePage from "~/routes/portal.promise";
import { addDays, today } from "~/utils/dates";
import { createContact, createCustomer, createStaff, issuedInvoice, staffActor } from "./factories";
import { context, cookieFor, get, outcome, post } from "./route-helpers";

const args = (request: Request) => ({ request, params: {}, context });

/** A customer owing $1,200.00 overdue and $300.00 not yet due, with a billing contact signed in. */
async function owingCustomer({ role = "billing" as "billing" | "viewer", name = "Acme Fabrication Ltd", email = "ap@acme.example" } = {}) {
  const customer = await createCustomer({ name, email, creditLimitMinor: 500_000 });
  const contact = await createContact({ customerId: customer.id, email: `dana@${email.split("@")[1]}` });
  if (role === "viewer") await getDb().update(portalUsers).set({ role }).where(eq(portalUsers.id, contact.id));
  await issuedInvoice({ customerId: customer.id, amounts: [120_000], issueDate: addDays(today(), -45), dueDate: addDays(today(), -15) });
  await issuedInvoice({ customerId: customer.id, amounts: [30_000], dueDate: addDays(today(), 15) });
  return { customer, contact, cookie: await cookieFor({ audience: "portal", portalUserId: contact.id }) };
}

const promise = (cookie: string, fields: Record<string, string>) => outcome(() => promisePage.action(args(post("/portal/promise", fields, cookie))));
const stored = async () => ({
  promises: await getDb().select().from(promisesToPay),
  emails: await getDb().select().from(emailOutbox).where(eq(emailOutbox.template, "promise-confirmation")),
  audit: await getDb().select().from(auditLog).where(eq(auditLog.action, "collections.promise")),
});

describe("promise to pay in the portal", () => {
  it("suggests everything overdue, records the promise from the portal, and confirms it by email", async () => {
    const { customer, contact, cookie } = await owingCustomer();
    const page = await outcome(() => promisePage.loader(args(get("/portal/promise", cookie))));
    expect(page).toMatchObject({
      status: 200,
      data: { canPromise: true, today: today(), lastDay: addDays(today(), 90), payableMinor: 150_000, overdueMinor: 120_000, roomMinor: 150_000, suggestedMinor: 120_000, promises: [], made: null },
    });

    const promisedOn = addDays(today(), 14);
    const result = await promise(cookie, { amount: "500.00", promisedOn, note: "Wire after our month-end run" });
    const [row] = await getDb().select().from(promisesToPay);
    expect(result).toMatchObject({ status: 302, location: `/portal/promise?made=${row!.id}` });
    expect(row).toMatchObject({ customerId: customer.id, amountMinor: 50_000, promisedOn, madeOn: today(), status: "open", source: "portal", portalUserId: contact.id, staffId: null, note: "Wire after our month-end run" });
    // What pauses dunning and what the worklist reads.
    expect((await openPromises([customer.id])).map((p) => p.id)).toEqual([row!.id]);

    // On the customer's timeline, in words, by the contact.
    const overview = await getCustomerOverview(customer.id);
    expect(overview!.activity[0]!.text).toMatch(new RegExp(`^${contact.name} promised to pay \\$500\\.00 by `));

    // Confirmed to the billing address and to the contact who made it, once each.
    const emails = await getDb().select().from(emailOutbox).where(eq(emailOutbox.template, "promise-confirmation"));
    expect(emails.map((e) => [e.toAddress, e.dedupeKey]).sort()).toEqual([
      ["ap@acme.example", `promise:${row!.id}:ap@acme.example`],
      [contact.email, `promise:${row!.id}:${contact.email}`],
    ]);
    expect(emails[0]!.subject).toContain("$500.00");
    expect(emails[0]!.text).toContain("$500.00");

    const after = await outcome(() => promisePage.loader(args(get(`/portal/promise?made=${row!.id}`, cookie))));
    expect(after.data).toMatchObject({
      promisedMinor: 50_000,
      roomMinor: 100_000,
      suggestedMinor: 70_000,
      made: { id: row!.id, amountMinor: 50_000, promisedOn },
      promises: [{ id: row!.id, status: "open", source: "portal" }],
    });
  });

  it("shows the open promise and the standing on the portal home page, with a hold in the customer's words", async () => {
    const { customer, cookie } = await owingCustomer();
    expect(await promise(cookie, { amount: "500", promisedOn: addDays(today(), 10) })).toMatchObject({ status: 302 });
    await placeHold({ customerId: customer.id, reason: "Internal: cheque bounced twice", source: "manual" }, { type: "system", label: "test" });
    const home = await outcome(() => portalHome.loader(args(get("/portal", cookie))));
    expect(home.data).toMatchObject({
      standing: {
        creditLimitMinor: 500_000,
        availableMinor: 350_000,
        onHold: true,
        holdSince: today(),
        holdWords: "Our accounts team placed this hold. Please get in touch with us to talk about it.",
        promises: [{ amountMinor: 50_000, promisedOn: addDays(today(), 10) }],
      },
    });
    // A clerk's reason is for colleagues: the customer never sees it.
    expect(JSON.stringify(home.data)).not.toContain("cheque bounced");
  });

  it("refuses a past date, a date too far off, more than is owed and an amount that is not a number, on their fields, storing nothing", async () => {
    const { cookie } = await owingCustomer();
    const cases: [Record<string, string>, number, Record<string, string>][] = [
      [{ amount: "100.00", promisedOn: addDays(today(), -1) }, 422, { promisedOn: `The promised date cannot be in the past (today is ${today()})` }],
      [{ amount: "100.00", promisedOn: addDays(today(), 91) }, 422, { promisedOn: "The promised date must be within 90 days" }],
      [{ amount: "1,500.01", promisedOn: addDays(today(), 7) }, 422, { amount: "The promised amount cannot be more than the balance not yet promised ($1,500.00)" }],
      [{ amount: "lots", promisedOn: addDays(today(), 7) }, 400, { amount: expect.stringMatching(/^Amount: /) }],
      [{ amount: "0", promisedOn: "2026-02-30" }, 400, { amount: "Amount must be more than zero", promisedOn: "Date must be a date like 2026-01-31" }],
      [{ promisedOn: "" }, 400, { amount: "Amount is required", promisedOn: "Date must be a date like 2026-01-31" }],
      [{ amount: "10", promisedOn: addDays(today(), 7), note: "x".repeat(501) }, 400, { note: "Note must be at most 500 characters" }],
    ];
    for (const [fields, status, errors] of cases) {
      expect(await promise(cookie, fields), JSON.stringify(fields)).toMatchObject({ status, data: { ok: false, errors } });
    }
    expect(await stored()).toEqual({ promises: [], emails: [], audit: [] });
  });

  it("counts open promises against what can still be promised", async () => {
    const { cookie } = await owingCustomer();
    expect(await promise(cookie, { amount: "1,000.00", promisedOn: addDays(today(), 7) })).toMatchObject({ status: 302 });
    expect(await promise(cookie, { amount: "500.01", promisedOn: addDays(today(), 8) })).toMatchObject({
      status: 422,
      data: { errors: { amount: "The promised amount cannot be more than the balance not yet promised ($500.00)" } },
    });
    expect(await promise(cookie, { amount: "500.00", promisedOn: addDays(today(), 8) })).toMatchObject({ status: 302 });
    const page = await outcome(() => promisePage.loader(args(get("/portal/promise", cookie))));
    expect(page.data).toMatchObject({ roomMinor: 0, promisedMinor: 150_000 });
  });

  it("lets a viewer contact see the page but not promise", async () => {
    const { cookie } = await owingCustomer({ role: "viewer" });
    expect(await outcome(() => promisePage.loader(args(get("/portal/promise", cookie))))).toMatchObject({ status: 200, data: { canPromise: false } });
    expect((await promise(cookie, { amount: "100.00", promisedOn: addDays(today(), 7) })).status).toBe(403);
    expect(await stored()).toEqual({ promises: [], emails: [], audit: [] });
  });

  it("never shows another customer's promises, even named in the URL", async () => {
    const mine = await owingCustomer();
    const theirs = await owingCustomer({ name: "Bravo Secret Holdings", email: "ap@bravo.example" });
    const clerk = await createStaff({ role: "clerk" });
    const secret = await recordPromise({ customerId: theirs.customer.id, amountMinor: 77_777, promisedOn: addDays(today(), 5), note: "Bravo promise secret" }, staffActor(clerk));
    const page = await outcome(() => promisePage.loader(args(get(`/portal/promise?made=${secret.id}`, mine.cookie))));
    expect(page).toMatchObject({ status: 200, data: { made: null, promises: [], promisedMinor: 0 } });
    const home = await outcome(() => portalHome.loader(args(get("/portal", mine.cookie))));
    expect(home.data).toMatchObject({ standing: { promises: [] } });
    for (const text of [JSON.stringify(page.data), JSON.stringify(home.data)]) {
      expect(text).not.toContain(secret.id);
      expect(text).not.toContain("777.77");
      expect(text).not.toContain("77777");
      expect(text).not.toContain("Bravo");
    }
    // Their own page shows it, without the clerk's note.
    const own = await outcome(() => promisePage.loader(args(get("/portal/promise", theirs.cookie))));
    expect(own.data).toMatchObject({ promises: [{ id: secret.id, source: "staff", status: "open" }] });
    expect(JSON.stringify(own.data)).not.toContain("Bravo promise secret");
  });
});
