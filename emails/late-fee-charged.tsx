import { Button, Link, Section, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, paragraph, previewBrand, type Brand } from "./_components/layout";

export type LateFeeChargedEmailProps = {
  brand: Brand;
  customerName: string;
  /** The fee's own invoice. */
  feeInvoiceNumber: string;
  amount: string;
  /** The overdue invoice the fee is charged on. */
  invoiceNumber: string;
  /** Why, in a sentence: "1.5% a month on $984.00, 30 days overdue". */
  reason: string;
  payUrl: string;
  viewUrl: string;
};

export const lateFeeChargedSubject = (props: LateFeeChargedEmailProps) => `Late fee of ${props.amount} on invoice ${props.invoiceNumber} — ${props.brand.companyName}`;

export default function LateFeeChargedEmail({ brand, customerName, feeInvoiceNumber, amount, invoiceNumber, reason, payUrl, viewUrl }: LateFeeChargedEmailProps) {
  return (
    <EmailLayout brand={brand} preview={`Invoice ${invoiceNumber} is overdue: a fee of ${amount} was added`} title="A late fee was charged">
      <Text style={paragraph}>Hello {customerName},</Text>
      <Text style={paragraph}>
        Invoice <strong>{invoiceNumber}</strong> is past due, so we charged a late fee of <strong>{amount}</strong>, billed as invoice <strong>{feeInvoiceNumber}</strong>:{" "}
        {`${reason.replace(/\.$/, "")}.`}
      </Text>
      <Text style={paragraph}>Paying the overdue invoice stops further fees. If you think the fee is wrong, you can question it from the invoice.</Text>
      <Section style={{ margin: "24px 0" }}>
        <Button href={payUrl} style={buttonStyle(brand)}>
          Pay now
        </Button>
      </Section>
      <Text style={{ ...paragraph, fontSize: 13 }}>
        See the fee invoice: <Link href={viewUrl}>{viewUrl}</Link>
      </Text>
    </EmailLayout>
  );
}

LateFeeChargedEmail.PreviewProps = {
  brand: previewBrand,
  customerName: "Acme Fabrication Ltd",
  feeInvoiceNumber: "INV-000152",
  amount: "$14.76",
  invoiceNumber: "INV-000123",
  reason: "1.5% a month on $984.00, 30 days overdue",
  payUrl: `http://localhost:3000/portal/sign-in?redirectTo=${encodeURIComponent("/portal/pay?select=due")}`,
  viewUrl: `http://localhost:3000/portal/sign-in?redirectTo=${encodeURIComponent("/portal/invoices/00000000-0000-0000-0000-000000000152")}`,
} satisfies LateFeeChargedEmailProps;
