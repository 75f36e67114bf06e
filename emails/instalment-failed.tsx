import { Button, Section, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, paragraph, previewBrand, type Brand } from "./_components/layout";

export type InstalmentFailedEmailProps = {
  brand: Brand;
  customerName: string;
  amount: string;
  dueDate: string;
  reason: string;
  /** When the next automatic try is, or null when the plan has now defaulted. */
  retryOn: string | null;
  payUrl: string;
};

export const instalmentFailedSubject = (props: InstalmentFailedEmailProps) =>
  props.retryOn ? `Your payment plan instalment of ${props.amount} could not be charged` : `Your payment plan with ${props.brand.companyName} has ended`;

export default function InstalmentFailedEmail({ brand, customerName, amount, dueDate, reason, retryOn, payUrl }: InstalmentFailedEmailProps) {
  return (
    <EmailLayout brand={brand} preview={retryOn ? `We will try again on ${retryOn}` : "The instalments were not paid"} title={retryOn ? "An instalment could not be charged" : "Your payment plan has ended"}>
      <Text style={paragraph}>Hello {customerName},</Text>
      <Text style={paragraph}>
        We could not charge the instalment of <strong>{amount}</strong> due {dueDate}: {reason}
      </Text>
      {retryOn ? (
        <Text style={paragraph}>We will try again on {retryOn}. To avoid that, pay it now or update your payment method.</Text>
      ) : (
        <Text style={paragraph}>After several tries the plan has ended, and the invoices it covered are due again. Please pay them, or contact us to agree a new arrangement.</Text>
      )}
      <Section style={{ margin: "24px 0" }}>
        <Button href={payUrl} style={buttonStyle(brand)}>
          Pay now
        </Button>
      </Section>
    </EmailLayout>
  );
}

InstalmentFailedEmail.PreviewProps = {
  brand: previewBrand,
  customerName: "Acme Fabrication Ltd",
  amount: "$400.00",
  dueDate: "2026-12-01",
  reason: "Your card has insufficient funds.",
  retryOn: "2026-12-04",
  payUrl: "http://localhost:3000/portal/plans",
} satisfies InstalmentFailedEmailProps;
