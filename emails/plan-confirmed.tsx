import { Button, Column, Row, Section, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, paragraph, previewBrand, type Brand } from "./_components/layout";

export type PlanInstalmentLine = { date: string; amount: string };

export type PlanConfirmedEmailProps = {
  brand: Brand;
  customerName: string;
  total: string;
  instalments: PlanInstalmentLine[];
  /** How the instalments get paid, in a sentence. */
  howToPay: string;
  planUrl: string;
};

export const planConfirmedSubject = (props: PlanConfirmedEmailProps) => `Your payment plan of ${props.total} with ${props.brand.companyName} is set up`;

export function InstalmentRows({ instalments }: { instalments: PlanInstalmentLine[] }) {
  return (
    <Section style={{ margin: "8px 0 16px" }}>
      {instalments.map((row, i) => (
        <Row key={`${row.date}-${i}`}>
          <Column style={{ ...paragraph, margin: 0 }}>{row.date}</Column>
          <Column style={{ ...paragraph, margin: 0, textAlign: "right" }}>{row.amount}</Column>
        </Row>
      ))}
    </Section>
  );
}

export default function PlanConfirmedEmail({ brand, customerName, total, instalments, howToPay, planUrl }: PlanConfirmedEmailProps) {
  return (
    <EmailLayout brand={brand} preview={`${instalments.length} instalments, the first on ${instalments[0]?.date ?? ""}`} title="Your payment plan is set up">
      <Text style={paragraph}>Hello {customerName},</Text>
      <Text style={paragraph}>
        Your plan to pay <strong>{total}</strong> in {instalments.length} instalments is active. While you keep to it, we will not send reminders for the invoices it covers.
      </Text>
      <InstalmentRows instalments={instalments} />
      <Text style={paragraph}>{howToPay}</Text>
      <Section style={{ margin: "24px 0" }}>
        <Button href={planUrl} style={buttonStyle(brand)}>
          View your plan
        </Button>
      </Section>
    </EmailLayout>
  );
}

PlanConfirmedEmail.PreviewProps = {
  brand: previewBrand,
  customerName: "Acme Fabrication Ltd",
  total: "$2,400.00",
  instalments: [
    { date: "2026-12-01", amount: "$800.00" },
    { date: "2027-01-01", amount: "$800.00" },
    { date: "2027-02-01", amount: "$800.00" },
  ],
  howToPay: "We will charge your Visa ending 4242 on each date.",
  planUrl: "http://localhost:3000/portal/plans/00000000-0000-0000-0000-000000000000",
} satisfies PlanConfirmedEmailProps;
