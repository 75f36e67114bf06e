import { Button, Section, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, paragraph, previewBrand, type Brand } from "./_components/layout";
import { InstalmentRows, type PlanInstalmentLine } from "./plan-confirmed";

export type PlanDecidedEmailProps = {
  brand: Brand;
  customerName: string;
  approved: boolean;
  total: string;
  note: string | null;
  instalments: PlanInstalmentLine[];
  howToPay: string;
  planUrl: string;
};

export const planDecidedSubject = (props: PlanDecidedEmailProps) =>
  props.approved ? `Your payment plan of ${props.total} is approved` : `Your payment plan request of ${props.total} was not approved`;

export default function PlanDecidedEmail({ brand, customerName, approved, total, note, instalments, howToPay, planUrl }: PlanDecidedEmailProps) {
  return (
    <EmailLayout
      brand={brand}
      preview={approved ? "Your plan is active" : "Please contact us about another arrangement"}
      title={approved ? "Your payment plan is approved" : "Your payment plan was not approved"}
    >
      <Text style={paragraph}>Hello {customerName},</Text>
      {approved ? (
        <>
          <Text style={paragraph}>
            We approved your plan to pay <strong>{total}</strong> in {instalments.length} instalments. While you keep to it, we will not send reminders for the invoices it covers.
          </Text>
          <InstalmentRows instalments={instalments} />
          <Text style={paragraph}>{howToPay}</Text>
        </>
      ) : (
        <Text style={paragraph}>
          We could not agree to your plan to pay <strong>{total}</strong>. The invoices it would have covered are due as before; please pay them, or contact us to agree another arrangement.
        </Text>
      )}
      {note ? <Text style={paragraph}>Our note: “{note}”</Text> : null}
      <Section style={{ margin: "24px 0" }}>
        <Button href={planUrl} style={buttonStyle(brand)}>
          {approved ? "View your plan" : "See your plans"}
        </Button>
      </Section>
    </EmailLayout>
  );
}

PlanDecidedEmail.PreviewProps = {
  brand: previewBrand,
  customerName: "Acme Fabrication Ltd",
  approved: true,
  total: "$32,000.00",
  note: "Approved as agreed on the phone.",
  instalments: [
    { date: "2026-12-01", amount: "$3,200.00" },
    { date: "2027-01-01", amount: "$3,200.00" },
  ],
  howToPay: "Pay each instalment in the portal by its date.",
  planUrl: "http://localhost:3000/portal/plans/00000000-0000-0000-0000-000000000000",
} satisfies PlanDecidedEmailProps;
