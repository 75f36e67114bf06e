import { Button, Section, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, paragraph, previewBrand, type Brand } from "./_components/layout";

export type PromiseConfirmationEmailProps = {
  brand: Brand;
  customerName: string;
  /** The promised amount, formatted. */
  amount: string;
  promisedOn: string;
  /** Who recorded it: the customer in the portal, or a collector after a call. */
  madeBy: "you" | "our team";
  portalUrl: string;
};

export const promiseConfirmationSubject = (props: PromiseConfirmationEmailProps) => `Your promise to pay ${props.amount} by ${props.promisedOn} — ${props.brand.companyName}`;

export default function PromiseConfirmationEmail({ brand, customerName, amount, promisedOn, madeBy, portalUrl }: PromiseConfirmationEmailProps) {
  return (
    <EmailLayout brand={brand} preview={`${amount} by ${promisedOn}: we will hold reminders until then`} title="Thank you for your promise to pay">
      <Text style={paragraph}>Hello {customerName},</Text>
      <Text style={paragraph}>
        {madeBy === "you" ? "You promised" : "As agreed with our team, you promised"} to pay <strong>{amount}</strong> by <strong>{promisedOn}</strong>.
      </Text>
      <Text style={paragraph}>
        Until then we will not send reminders for that amount. We will remind you the day before; if the payment has not arrived by {promisedOn}, someone from{" "}
        {brand.companyName} will get in touch, and the usual reminders start again.
      </Text>
      <Section style={{ margin: "24px 0" }}>
        <Button href={portalUrl} style={buttonStyle(brand)}>
          View your account
        </Button>
      </Section>
      <Text style={{ ...paragraph, fontSize: 13, color: "#6b7280" }}>
        {madeBy === "our team" ? "If this is not what you agreed, reply to this email and we will put it right." : "You can pay any time before the date from your account."}
      </Text>
    </EmailLayout>
  );
}

PromiseConfirmationEmail.PreviewProps = {
  brand: previewBrand,
  customerName: "Acme Fabrication Ltd",
  amount: "$1,234.00",
  promisedOn: "2026-12-05",
  madeBy: "you",
  portalUrl: `http://localhost:3000/portal/sign-in?redirectTo=${encodeURIComponent("/portal/pay?select=due")}`,
} satisfies PromiseConfirmationEmailProps;
