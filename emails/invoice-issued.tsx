import { Button, Link, Section, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, paragraph, previewBrand, type Brand } from "./_components/layout";

export type InvoiceIssuedEmailProps = {
  brand: Brand;
  customerName: string;
  invoiceNumber: string;
  total: string;
  issueDate: string;
  dueDate: string;
  viewUrl: string;
  payUrl: string;
};

export const invoiceIssuedSubject = (props: InvoiceIssuedEmailProps) => `Invoice ${props.invoiceNumber} from ${props.brand.companyName}: ${props.total} due ${props.dueDate}`;

export default function InvoiceIssuedEmail({ brand, customerName, invoiceNumber, total, issueDate, dueDate, viewUrl, payUrl }: InvoiceIssuedEmailProps) {
  return (
    <EmailLayout brand={brand} preview={`${total} due ${dueDate}`} title={`Invoice ${invoiceNumber}`}>
      <Text style={paragraph}>Hello {customerName},</Text>
      <Text style={paragraph}>
        {brand.companyName} issued invoice <strong>{invoiceNumber}</strong> on {issueDate} for <strong>{total}</strong>, due on{" "}
        <strong>{dueDate}</strong>.
      </Text>
      <Section style={{ margin: "24px 0" }}>
        <Button href={payUrl} style={buttonStyle(brand)}>
          Pay online
        </Button>
      </Section>
      <Text style={{ ...paragraph, fontSize: 13 }}>
        See the invoice, print it or save it as a PDF: <Link href={viewUrl}>{viewUrl}</Link>
      </Text>
    </EmailLayout>
  );
}

InvoiceIssuedEmail.PreviewProps = {
  brand: previewBrand,
  customerName: "Acme Fabrication Ltd",
  invoiceNumber: "INV-000123",
  total: "$1,250.00",
  issueDate: "2026-11-23",
  dueDate: "2026-12-23",
  viewUrl: "http://localhost:3000/invoices/preview-token",
  payUrl: "http://localhost:3000/portal/sign-in",
} satisfies InvoiceIssuedEmailProps;
