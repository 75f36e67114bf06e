import { Button, Column, Row, Section, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, paragraph, previewBrand, type Brand } from "./_components/layout";

export type PaymentReceiptEmailProps = {
  brand: Brand;
  customerName: string;
  amount: string;
  paidOn: string;
  method: string;
  reference: string;
  applied: { invoiceNumber: string; amount: string }[];
  credit: string | null;
  receiptUrl: string;
};

export const paymentReceiptSubject = (props: PaymentReceiptEmailProps) => `Receipt: ${props.amount} paid to ${props.brand.companyName}`;

export default function PaymentReceiptEmail({ brand, customerName, amount, paidOn, method, reference, applied, credit, receiptUrl }: PaymentReceiptEmailProps) {
  return (
    <EmailLayout brand={brand} preview={`Thank you: we received ${amount}`} title="Thank you for your payment">
      <Text style={paragraph}>Hello {customerName},</Text>
      <Text style={paragraph}>
        We received <strong>{amount}</strong> on {paidOn} by {method}. Reference: {reference}.
      </Text>
      {applied.length > 0 ? (
        <Section style={{ margin: "8px 0 16px" }}>
          {applied.map((row) => (
            <Row key={row.invoiceNumber}>
              <Column style={{ ...paragraph, margin: 0 }}>Invoice {row.invoiceNumber}</Column>
              <Column style={{ ...paragraph, margin: 0, textAlign: "right" }}>{row.amount}</Column>
            </Row>
          ))}
        </Section>
      ) : null}
      {credit ? <Text style={paragraph}>{credit} stays on your account as credit for future invoices.</Text> : null}
      <Section style={{ margin: "24px 0" }}>
        <Button href={receiptUrl} style={buttonStyle(brand)}>
          View the receipt
        </Button>
      </Section>
    </EmailLayout>
  );
}

PaymentReceiptEmail.PreviewProps = {
  brand: previewBrand,
  customerName: "Acme Fabrication Ltd",
  amount: "$1,250.00",
  paidOn: "2026-11-23",
  method: "Visa ending 4242",
  reference: "pi_demo_0123456789",
  applied: [
    { invoiceNumber: "INV-000123", amount: "$1,000.00" },
    { invoiceNumber: "INV-000124", amount: "$250.00" },
  ],
  credit: null,
  receiptUrl: "http://localhost:3000/portal/payments/preview",
} satisfies PaymentReceiptEmailProps;
