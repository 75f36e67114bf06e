import { describe, expect, it } from "vitest";
import CreditHoldNoticeEmail from "~emails/credit-hold-notice";
import LateFeeChargedEmail from "~emails/late-fee-charged";
import PaymentReminderEmail, { type PaymentReminderEmailProps } from "~emails/payment-reminder";
import PromiseConfirmationEmail from "~emails/promise-confirmation";
import PromiseReminderEmail from "~emails/promise-reminder";
import { renderEmail, templates, type TemplateName } from "./templates.server";

const reminder = PaymentReminderEmail.PreviewProps;
const withTone = (tone: PaymentReminderEmailProps["tone"], more: Partial<PaymentReminderEmailProps> = {}) => renderEmail("payment-reminder", { ...reminder, tone, ...more });

describe("email templates", () => {
  it("every registered template renders its preview props, with a plain-text part free of markup", async () => {
    for (const name of Object.keys(templates) as TemplateName[]) {
      const preview = (templates[name].component as unknown as { PreviewProps?: object }).PreviewProps;
      expect(preview, `${name} has PreviewProps`).toBeDefined();
      const rendered = await renderEmail(name, preview as never);
      expect(rendered.subject.length, name).toBeGreaterThan(0);
      expect(rendered.html, name).toContain("<html");
      expect(rendered.text, name).not.toMatch(/<\/?[a-z]+[\s>]/i);
    }
  });

  describe("payment reminder", () => {
    it("lists the invoices, the total and the four one-click actions, in HTML and in plain text", async () => {
      const { subject, html, text } = await withTone("reminder");
      expect(subject).toBe("Reminder: 2 invoices overdue, $1,234.00 — Northwind Supply Co.");
      for (const content of ["Payment reminder", "INV-000123", "2026-10-24", "30 days overdue", "$984.00", "$250.00 disputed, not included", "INV-000140", "due in 3 days", "$1,234.00", "A late fee of 1.5% a month"]) {
        expect(html).toContain(content);
      }
      for (const url of [reminder.payAllUrl, reminder.promiseUrl, reminder.planUrl, reminder.disputeUrl, reminder.overdue[0]!.viewUrl]) expect(html).toContain(`href="${url}"`);
      for (const label of ["Pay now", "Promise to pay by a date", "Set up a payment plan", "Question an invoice"]) expect(html).toContain(label);

      // Readable plain text: one line per invoice, each action with its address.
      expect(text).toMatch(/INV-000123\s+2026-10-24\s+30 days overdue\s+\$984\.00/);
      expect(text).toContain(`Pay now ${reminder.payAllUrl}`);
      expect(text).toContain(`Promise to pay by a date ${reminder.promiseUrl}`);
      expect(text).toContain(`Set up a payment plan ${reminder.planUrl}`);
      expect(text).toContain(`Question an invoice ${reminder.disputeUrl}`);
      expect(text).not.toContain("credit hold");
    });

    it("changes heading, words, colour and subject with the tone", async () => {
      const upcoming = await withTone("upcoming", { overdue: [], lateFeeNote: null });
      expect(upcoming.subject).toBe("Coming up: 1 invoice due soon, $1,100.00 — Northwind Supply Co.");
      expect(upcoming.html).toContain("A friendly heads-up");
      expect(upcoming.text).toContain(`Pay now ($1,100.00) ${reminder.payAllUrl}`);
      expect(upcoming.html).not.toContain("INV-000123");

      const firm = await withTone("firm");
      expect(firm.subject).toBe("Action needed: 2 invoices overdue, $1,234.00 — Northwind Supply Co.");
      expect(firm.html).toContain("Your account is overdue");
      expect(firm.html).toContain("#b45309");

      const final = await withTone("final");
      expect(final.subject).toBe("Final notice: 2 invoices overdue, $1,234.00 — Northwind Supply Co.");
      expect(final.html).toContain("Final notice before further steps");
      expect(final.text).toMatch(/place your account on credit hold and may pass the debt to a collection agency/);
      expect(final.html).toContain("#b91c1c");
      expect(final.html).not.toContain("#b45309");
    });

    it("says so when the account is on credit hold, and leaves out a late-fee note that is not set", async () => {
      const { html, text } = await withTone("final", { onHold: true, lateFeeNote: null });
      expect(text).toContain("Your account is on credit hold");
      expect(text).not.toContain("we will place your account on credit hold");
      expect(html).not.toContain("late fee");
    });

    it("shows the company's logo when it has one, in its colour", async () => {
      const brand = { ...reminder.brand, logoUrl: "https://cdn.example/logo.png", brandColor: "#0f766e" };
      const { html } = await renderEmail("payment-reminder", { ...reminder, brand });
      expect(html).toMatch(/<img[^>]+src="https:\/\/cdn\.example\/logo\.png"/);
      expect(html).toContain("#0f766e");
    });
  });

  it("promise confirmation: amount, date, who made it, what happens next", async () => {
    const props = PromiseConfirmationEmail.PreviewProps;
    const { subject, html, text } = await renderEmail("promise-confirmation", props);
    expect(subject).toBe("Your promise to pay $1,234.00 by 2026-12-05 — Northwind Supply Co.");
    expect(html).toContain("You promised");
    expect(html).toContain("remind you the day before");
    expect(text).toContain(props.portalUrl);
    const byTeam = await renderEmail("promise-confirmation", { ...props, madeBy: "our team" });
    expect(byTeam.text).toContain("As agreed with our team, you promised to pay $1,234.00 by 2026-12-05");
  });

  it("promise reminder: amount, date and the pay link", async () => {
    const props = PromiseReminderEmail.PreviewProps;
    const { subject, html, text } = await renderEmail("promise-reminder", props);
    expect(subject).toBe("Reminder: $1,234.00 promised for 2026-12-05 — Northwind Supply Co.");
    expect(html).toContain(`href="${props.payUrl}"`);
    expect(text).toContain(`Pay $1,234.00 now ${props.payUrl}`);
  });

  it("late fee charged: the fee invoice, its amount, the invoice it is on, why, and links", async () => {
    const props = LateFeeChargedEmail.PreviewProps;
    const { subject, html, text } = await renderEmail("late-fee-charged", props);
    expect(subject).toBe("Late fee of $14.76 on invoice INV-000123 — Northwind Supply Co.");
    for (const content of ["INV-000152", "$14.76", "INV-000123", "1.5% a month on $984.00, 30 days overdue."]) expect(html).toContain(content);
    expect(html).toContain(`href="${props.viewUrl}"`);
    expect(text).toContain(`Pay now ${props.payUrl}`);
  });

  it("credit hold notice: reason, overdue total, pay link and whom to contact", async () => {
    const props = CreditHoldNoticeEmail.PreviewProps;
    const { subject, html, text } = await renderEmail("credit-hold-notice", props);
    expect(subject).toBe("Your account with Northwind Supply Co. is on credit hold");
    for (const content of [props.reason, "$1,234.00", props.contact]) expect(html).toContain(content);
    expect(text).toContain(`Pay $1,234.00 now ${props.payUrl}`);
  });
});
