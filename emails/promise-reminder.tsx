import { Button, Section, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, paragraph, previewBrand, type Brand } from "./_components/layout";

export type PromiseReminderEmailProps = {
  brand: Brand;
  customerName: string;
  /** The promised amount still to pay, formatted. */
  amount: string;
  promisedOn: string;
  payUrl: string;
};

export const promiseReminderSubject = (props: PromiseReminderEmailProps) => `Reminder: ${props.amount} promised for ${props.promisedOn} — ${props.brand.companyName}`;

export default function PromiseReminderEmail({ brand, customerName, amount, promisedOn, payUrl }: PromiseReminderEmailProps) {
  return (
    <EmailLayout brand={brand} preview={`Your payment of ${amount} is due tomorrow, ${promisedOn}`} title="Your promised payment is due tomorrow">
      <Text style={paragraph}>Hello {customerName},</Text>
      <Text style={paragraph}>
        A reminder that you promised to pay <strong>{amount}</strong> by <strong>{promisedOn}</strong>. If it is already on its way, thank you: there is nothing more to
        do.
      </Text>
      <Section style={{ margin: "24px 0" }}>
        <Button href={payUrl} style={buttonStyle(brand)}>
          Pay {amount} now
        </Button>
      </Section>
      <Text style={{ ...paragraph, fontSize: 13, color: "#6b7280" }}>
        If you cannot pay by then, let us know before the date: we would rather agree a new one than start reminders again.
      </Text>
    </EmailLayout>
  );
}

PromiseReminderEmail.PreviewProps = {
  brand: previewBrand,
  customerName: "Acme Fabrication Ltd",
  amount: "$1,234.00",
  promisedOn: "2026-12-05",
  payUrl: `http://localhost:3000/portal/sign-in?redirectTo=${encodeURIComponent("/portal/pay?select=due")}`,
} satisfies PromiseReminderEmailProps;
