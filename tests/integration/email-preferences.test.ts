import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { emailOutbox, portalUsers } from "~db/schema";
import * as account from "~/routes/portal.account";
import { context, cookieFor, outcome, post } from "./route-helpers";
import { createContact, createCustomer, issuedInvoice } from "./factories";

const recipientsOf = async (template: string) =>
  (await getDb().select({ to: emailOutbox.toAddress }).from(emailOutbox).where(eq(emailOutbox.template, template))).map((row) => row.to).sort();

describe("a contact's email choices", () => {
  it("adds the contact to the invoices they asked for, beside the billing address, and removes them again", async () => {
    const customer = await createCustomer({ email: "ap@customer.example" });
    const contact = await createContact({ customerId: customer.id, email: "buyer@customer.example" });
    const cookie = await cookieFor({ audience: "portal", portalUserId: contact.id });
    const save = (fields: Record<string, string>) => outcome(() => account.action({ request: post("/portal/account", { intent: "emails", ...fields }, cookie), params: {}, context }));

    await issuedInvoice({ customerId: customer.id, amounts: [1000] });
    expect(await recipientsOf("invoice-issued")).toEqual(["ap@customer.example"]);

    expect((await save({ invoices: "on" })).status).toBe(200);
    const [row] = await getDb().select().from(portalUsers).where(eq(portalUsers.id, contact.id));
    expect(row).toMatchObject({ emailInvoices: true, emailReceipts: false, emailReminders: false });
    await issuedInvoice({ customerId: customer.id, amounts: [2000] });
    expect(await recipientsOf("invoice-issued")).toEqual(["ap@customer.example", "ap@customer.example", "buyer@customer.example"]);

    await save({});
    await issuedInvoice({ customerId: customer.id, amounts: [3000] });
    expect((await recipientsOf("invoice-issued")).filter((to) => to === "buyer@customer.example")).toHaveLength(1);
  });

  it("sends to a contact who asked even when the customer has no billing address, and never to a disabled one", async () => {
    const customer = await createCustomer({ email: null });
    const active = await createContact({ customerId: customer.id, email: "active@customer.example" });
    const disabled = await createContact({ customerId: customer.id, email: "gone@customer.example" });
    await getDb().update(portalUsers).set({ emailInvoices: true }).where(eq(portalUsers.customerId, customer.id));
    await getDb().update(portalUsers).set({ disabledAt: new Date() }).where(eq(portalUsers.id, disabled.id));
    await issuedInvoice({ customerId: customer.id, amounts: [1000] });
    expect(await recipientsOf("invoice-issued")).toEqual([active.email]);
  });
});
