import { Button, Section, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, noticeStyle, paragraph, previewBrand, type Brand } from "./_components/layout";

export type CreditHoldNoticeEmailProps = {
  brand: Brand;
  customerName: string;
  /** Why the account is on hold, in a sentence. */
  reason: string;
  /** The overdue balance, formatted. */
  overdueTotal: string;
  payUrl: string;
  /** Who to talk to: a name, an address or a phone number. */
  contact: string;
};

export const creditHoldNoticeSubject = (props: CreditHoldNoticeEmailProps) => `Your account with ${props.brand.companyName} is on credit hold`;

export default function CreditHoldNoticeEmail({ brand, customerName, reason, overdueTotal, payUrl, contact }: CreditHoldNoticeEmailProps) {
  return (
    <EmailLayout brand={brand} preview={`${overdueTotal} overdue: new orders wait until it is paid`} title="Your account is on credit hold">
      <Text style={paragraph}>Hello {customerName},</Text>
      <Text style={paragraph}>
        We have placed your account on credit hold. Until the overdue balance of <strong>{overdueTotal}</strong> is paid, or we agree a payment arrangement, new orders
        and deliveries wait.
      </Text>
      <Text style={noticeStyle("#b91c1c")}>Reason: {reason}</Text>
      <Section style={{ margin: "24px 0" }}>
        <Button href={payUrl} style={buttonStyle(brand, "#b91c1c")}>
          Pay {overdueTotal} now
        </Button>
      </Section>
      <Text style={paragraph}>The hold is lifted as soon as the payment arrives. To talk about it, contact {contact}.</Text>
    </EmailLayout>
  );
}

CreditHoldNoticeEmail.PreviewProps = {
  brand: previewBrand,
  customerName: "Acme Fabrication Ltd",
  reason: "Invoices more than 45 days overdue after our final notice.",
  overdueTotal: "$1,234.00",
  payUrl: `http://localhost:3000/portal/sign-in?redirectTo=${encodeURIComponent("/portal/pay?select=due")}`,
  contact: "ar@northwind.example",
} satisfies CreditHoldNoticeEmailProps;
