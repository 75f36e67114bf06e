import { Button, Section, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, paragraph, previewBrand, type Brand } from "./_components/layout";

export type PlanNeedsApprovalEmailProps = {
  brand: Brand;
  customerName: string;
  accountNumber: string;
  total: string;
  terms: string;
  /** Why the policy could not approve it at once. */
  reasons: string[];
  message: string | null;
  requestedBy: string;
  reviewUrl: string;
};

export const planNeedsApprovalSubject = (props: PlanNeedsApprovalEmailProps) => `Payment plan to approve: ${props.customerName}, ${props.total}`;

export default function PlanNeedsApprovalEmail({ customerName, accountNumber, total, terms, reasons, message, requestedBy, reviewUrl, brand }: PlanNeedsApprovalEmailProps) {
  return (
    <EmailLayout brand={brand} preview={`${customerName} asks for a plan outside the policy`} title="A payment plan needs your approval">
      <Text style={paragraph}>
        {requestedBy} asked for a plan for <strong>{customerName}</strong> ({accountNumber}): {total}, {terms}.
      </Text>
      <Text style={{ ...paragraph, marginBottom: 0 }}>It is outside the plan policy because:</Text>
      <ul style={{ ...paragraph, marginTop: 4 }}>
        {reasons.map((reason) => (
          <li key={reason}>{reason}</li>
        ))}
      </ul>
      {message ? <Text style={paragraph}>Their message: “{message}”</Text> : null}
      <Section style={{ margin: "24px 0" }}>
        <Button href={reviewUrl} style={buttonStyle(brand)}>
          Review the plan
        </Button>
      </Section>
    </EmailLayout>
  );
}

PlanNeedsApprovalEmail.PreviewProps = {
  brand: previewBrand,
  customerName: "Acme Fabrication Ltd",
  accountNumber: "C-1001",
  total: "$32,000.00",
  terms: "10 monthly instalments from 2026-12-01",
  reasons: ["10 instalments is more than the 6 we can agree to at once", "The total of $32,000.00 is more than the $25,000.00 we can agree to at once"],
  message: "A large order is delayed; we can pay in full by autumn.",
  requestedBy: "Dana Whitfield",
  reviewUrl: "http://localhost:3000/staff/plans/00000000-0000-0000-0000-000000000000",
} satisfies PlanNeedsApprovalEmailProps;
