import { Button, Link, Section, Text } from "@react-email/components";
import type { CSSProperties } from "react";
import { buttonStyle, EmailLayout, noticeStyle, paragraph, previewBrand, secondaryButtonStyle, type Brand } from "./_components/layout";

export type ReminderInvoice = { number: string; dueDate: string; daysOverdue: number; amount: string; disputed: string | null; payUrl: string; viewUrl: string };

export type ReminderTone = "upcoming" | "reminder" | "firm" | "final";

export type PaymentReminderEmailProps = {
  brand: Brand;
  tone: ReminderTone;
  customerName: string;
  /** Past due, collectible amounts (disputed, planned and promised parts left out). */
  overdue: ReminderInvoice[];
  /** Due soon (daysOverdue <= 0). */
  upcoming: ReminderInvoice[];
  totalOverdue: string;
  totalUpcoming: string;
  /** One click: pay everything listed. */
  payAllUrl: string;
  /** One click: promise to pay by a date. */
  promiseUrl: string;
  /** One click: start a payment plan. */
  planUrl: string;
  /** One click: see the invoices, to question a line. */
  disputeUrl: string;
  /** E.g. "A late fee of 1.5% a month applies from 30 days after the due date." */
  lateFeeNote: string | null;
  /** The account is on credit hold. */
  onHold: boolean;
};

const invoices = (n: number) => `${n} invoice${n === 1 ? "" : "s"}`;

/** The tone sets the heading, the words and the colour of the call to action; null colour is the brand's. */
const tones: Record<ReminderTone, { title: (p: PaymentReminderEmailProps) => string; color: string | null }> = {
  upcoming: { title: (p) => (p.upcoming.length === 1 ? "An invoice is due soon" : "Invoices due soon"), color: null },
  reminder: { title: () => "Payment reminder", color: null },
  firm: { title: () => "Your account is overdue", color: "#b45309" },
  final: { title: () => "Final notice before further steps", color: "#b91c1c" },
};

export const paymentReminderSubject = (props: PaymentReminderEmailProps) => {
  const { tone, overdue, upcoming, totalOverdue, totalUpcoming, brand } = props;
  const from = ` — ${brand.companyName}`;
  // A heads-up speaks of what is coming due; the others of what is overdue (or, with nothing overdue, of what is due).
  if (tone === "upcoming" || overdue.length === 0) return `${tone === "upcoming" ? "Coming up" : "Reminder"}: ${invoices(upcoming.length)} due soon, ${totalUpcoming}${from}`;
  const what = `${invoices(overdue.length)} overdue, ${totalOverdue}`;
  switch (tone) {
    case "reminder":
      return `Reminder: ${what}${from}`;
    case "firm":
      return `Action needed: ${what}${from}`;
    case "final":
      return `Final notice: ${what}${from}`;
  }
};

function lead({ tone, overdue, upcoming, totalOverdue, totalUpcoming, onHold }: PaymentReminderEmailProps) {
  const overdueWords = `${invoices(overdue.length)} for ${totalOverdue} ${overdue.length === 1 ? "is" : "are"} past due`;
  switch (tone) {
    case "upcoming":
      return overdue.length > 0
        ? `A friendly heads-up: ${invoices(upcoming.length)} for ${totalUpcoming} ${upcoming.length === 1 ? "falls" : "fall"} due soon, and ${overdueWords}. Paying before the due date keeps your account in good standing.`
        : `A friendly heads-up: ${invoices(upcoming.length)} for ${totalUpcoming} ${upcoming.length === 1 ? "falls" : "fall"} due soon. Nothing to do if payment is already on its way.`;
    case "reminder":
      return `Our records show that ${overdueWords}. If you have already paid, thank you, and please ignore this reminder; otherwise you can pay in a click below.`;
    case "firm":
      return `${overdueWords[0]!.toUpperCase()}${overdueWords.slice(1)}, and we have not received payment despite earlier reminders. Please pay now, or tell us when you will, so that your account stays in good standing.`;
    case "final":
      return onHold
        ? `This is our final notice: ${overdueWords}, and your account is on credit hold. If we do not receive payment, or hear from you about it, we may pass the debt to a collection agency.`
        : `This is our final notice: ${overdueWords}. If we do not receive payment, or hear from you about it, we will place your account on credit hold and may pass the debt to a collection agency.`;
  }
}

const cell: CSSProperties = { padding: "6px 8px 6px 0", fontSize: 14, lineHeight: "20px", color: "#374151", borderBottom: "1px solid #e3e6eb", verticalAlign: "top" };
const head: CSSProperties = { ...cell, fontSize: 12, color: "#6b7280", fontWeight: 600, textAlign: "left" };
const right: CSSProperties = { textAlign: "right", paddingRight: 0 };

const lateness = (days: number) => (days > 0 ? `${days} day${days === 1 ? "" : "s"} overdue` : days === 0 ? "due today" : `due in ${-days} day${days === -1 ? "" : "s"}`);

function InvoiceTable({ rows, total, caption, brand }: { rows: ReminderInvoice[]; total: string; caption: string; brand: Brand }) {
  return (
    <table data-text-format="dataTable" width="100%" cellPadding={0} cellSpacing={0} role="presentation" style={{ borderCollapse: "collapse", margin: "8px 0 16px" }}>
      <thead>
        <tr>
          <th style={head}>{caption}</th>
          <th style={head}>Due</th>
          <th style={head}>Status</th>
          <th style={{ ...head, ...right }}>Amount</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.number}>
            <td style={cell}>
              {/* The plain-text part shows the number alone: a long address would break its table. */}
              <Link href={row.viewUrl} data-text-href="hide" style={{ color: brand.brandColor }}>
                {row.number}
              </Link>
            </td>
            <td style={cell}>{row.dueDate}</td>
            <td style={{ ...cell, color: row.daysOverdue > 0 ? "#b91c1c" : cell.color }}>{lateness(row.daysOverdue)}</td>
            <td style={{ ...cell, ...right }}>
              {row.amount}
              {row.disputed ? <div style={{ fontSize: 12, color: "#6b7280" }}>{`(${row.disputed} disputed, not included)`}</div> : null}
            </td>
          </tr>
        ))}
        <tr>
          <td style={{ ...cell, fontWeight: 700, borderBottom: "none" }} colSpan={3}>
            Total
          </td>
          <td style={{ ...cell, ...right, fontWeight: 700, borderBottom: "none" }}>{total}</td>
        </tr>
      </tbody>
    </table>
  );
}

export default function PaymentReminderEmail(props: PaymentReminderEmailProps) {
  const { brand, tone, customerName, overdue, upcoming, totalOverdue, totalUpcoming, payAllUrl, promiseUrl, planUrl, disputeUrl, lateFeeNote, onHold } = props;
  const color = tones[tone].color ?? brand.brandColor;
  // "Pay now" pays everything listed; one list has its total on the button.
  const payLabel = overdue.length > 0 && upcoming.length > 0 ? "Pay now" : `Pay now (${overdue.length > 0 ? totalOverdue : totalUpcoming})`;
  return (
    <EmailLayout brand={brand} preview={lead(props)} title={tones[tone].title(props)}>
      <Text style={paragraph}>Hello {customerName},</Text>
      <Text style={paragraph}>{lead(props)}</Text>
      {onHold ? (
        <Text style={noticeStyle("#b91c1c")}>
          Your account is on credit hold: new orders wait until the overdue balance is paid or a payment arrangement is agreed.
        </Text>
      ) : null}
      {overdue.length > 0 ? <InvoiceTable rows={overdue} total={totalOverdue} caption="Overdue invoice" brand={brand} /> : null}
      {upcoming.length > 0 ? <InvoiceTable rows={upcoming} total={totalUpcoming} caption={overdue.length > 0 ? "Due soon" : "Invoice"} brand={brand} /> : null}
      {lateFeeNote ? <Text style={noticeStyle(color)}>{lateFeeNote}</Text> : null}
      <Section style={{ margin: "24px 0 8px" }}>
        <Button href={payAllUrl} style={buttonStyle(brand, color)}>
          {payLabel}
        </Button>
      </Section>
      <Text style={{ ...paragraph, margin: "16px 0 8px" }}>Can't pay it all today? Each of these takes one click:</Text>
      {[
        { href: promiseUrl, label: "Promise to pay by a date" },
        { href: planUrl, label: "Set up a payment plan" },
        { href: disputeUrl, label: "Question an invoice" },
      ].map((action) => (
        <Section key={action.label} style={{ margin: "0 0 8px" }}>
          <Button href={action.href} style={secondaryButtonStyle(brand, color)}>
            {action.label}
          </Button>
        </Section>
      ))}
      {tone === "final" ? (
        <Text style={{ ...paragraph, fontSize: 13, color: "#6b7280" }}>
          If you have already paid, or believe this notice is wrong, reply or question the invoice above and we will hold further steps while we look into it.
        </Text>
      ) : null}
    </EmailLayout>
  );
}

const portal = (path: string) => `http://localhost:3000/portal/sign-in?redirectTo=${encodeURIComponent(path)}`;

PaymentReminderEmail.PreviewProps = {
  brand: previewBrand,
  tone: "reminder",
  customerName: "Acme Fabrication Ltd",
  overdue: [
    {
      number: "INV-000123",
      dueDate: "2026-10-24",
      daysOverdue: 30,
      amount: "$984.00",
      disputed: "$250.00",
      payUrl: portal("/portal/pay?invoice=00000000-0000-0000-0000-000000000123"),
      viewUrl: portal("/portal/invoices/00000000-0000-0000-0000-000000000123"),
    },
    {
      number: "INV-000131",
      dueDate: "2026-11-16",
      daysOverdue: 7,
      amount: "$250.00",
      disputed: null,
      payUrl: portal("/portal/pay?invoice=00000000-0000-0000-0000-000000000131"),
      viewUrl: portal("/portal/invoices/00000000-0000-0000-0000-000000000131"),
    },
  ],
  upcoming: [
    {
      number: "INV-000140",
      dueDate: "2026-11-26",
      daysOverdue: -3,
      amount: "$1,100.00",
      disputed: null,
      payUrl: portal("/portal/pay?invoice=00000000-0000-0000-0000-000000000140"),
      viewUrl: portal("/portal/invoices/00000000-0000-0000-0000-000000000140"),
    },
  ],
  totalOverdue: "$1,234.00",
  totalUpcoming: "$1,100.00",
  payAllUrl: portal("/portal/pay?select=due"),
  promiseUrl: portal("/portal/promise"),
  planUrl: portal("/portal/plans/new"),
  disputeUrl: portal("/portal/invoices/00000000-0000-0000-0000-000000000123"),
  lateFeeNote: "A late fee of 1.5% a month applies from 30 days after the due date.",
  onHold: false,
} satisfies PaymentReminderEmailProps;
