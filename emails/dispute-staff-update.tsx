import { Button, Section, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, paragraph, previewBrand, type Brand } from "./_components/layout";
import type { DisputeEvent } from "./dispute-customer-update";

export type DisputeStaffUpdateEmailProps = {
  brand: Brand;
  /** The assigned person's name, or null when the email goes to the shared support address. */
  recipientName: string | null;
  event: DisputeEvent;
  /** Who made the change: a customer contact or a staff member. */
  actorName: string;
  customerName: string;
  accountNumber: string;
  invoiceNumber: string;
  lineDescription: string;
  amount: string;
  /** Accepted for less than the disputed amount. */
  partly: boolean;
  reason: string;
  message: string;
  disputeUrl: string;
};

const verbs: Record<DisputeEvent, string> = {
  opened: "opened a dispute",
  message: "wrote about a dispute",
  assigned: "assigned a dispute",
  accepted: "accepted a dispute",
  rejected: "rejected a dispute",
  withdrawn: "withdrew a dispute",
};

const titles: Record<DisputeEvent, string> = {
  opened: "New dispute",
  message: "New message on a dispute",
  assigned: "Dispute assigned",
  accepted: "Dispute accepted",
  rejected: "Dispute rejected",
  withdrawn: "Dispute withdrawn",
};

export const disputeStaffUpdateSubject = (props: DisputeStaffUpdateEmailProps) => `${titles[props.event]}: ${props.customerName}, invoice ${props.invoiceNumber}, ${props.amount}`;

export default function DisputeStaffUpdateEmail(props: DisputeStaffUpdateEmailProps) {
  const { brand, recipientName, event, actorName, customerName, accountNumber, invoiceNumber, lineDescription, amount, partly, reason, message, disputeUrl } = props;
  const summary = `${actorName} ${partly ? "accepted part of a dispute" : verbs[event]} of ${amount} on invoice ${invoiceNumber} (${customerName}).`;
  return (
    <EmailLayout brand={brand} preview={summary} title={titles[event]}>
      <Text style={paragraph}>Hello {recipientName ?? "team"},</Text>
      <Text style={paragraph}>{summary}</Text>
      <Text style={{ ...paragraph, margin: "0 0 16px" }}>
        Account {accountNumber} · “{lineDescription}” · {reason}
      </Text>
      <Text style={{ ...paragraph, borderLeft: "3px solid #e3e6eb", paddingLeft: 12, whiteSpace: "pre-wrap" }}>{message}</Text>
      <Section style={{ margin: "24px 0" }}>
        <Button href={disputeUrl} style={buttonStyle(brand)}>
          Open the dispute
        </Button>
      </Section>
    </EmailLayout>
  );
}

DisputeStaffUpdateEmail.PreviewProps = {
  brand: previewBrand,
  recipientName: "Pat Okafor",
  event: "opened",
  actorName: "Dana Whitfield",
  customerName: "Acme Fabrication Ltd",
  accountNumber: "C-10042",
  invoiceNumber: "INV-000123",
  lineDescription: "Steel brackets, 40 mm",
  amount: "$240.00",
  partly: false,
  reason: "It arrived damaged or faulty",
  message: "Twelve of the brackets were bent in transit. Photos attached to our email of 3 March.",
  disputeUrl: "http://localhost:3000/staff/disputes/preview",
} satisfies DisputeStaffUpdateEmailProps;
