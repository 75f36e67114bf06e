import { Button, Section, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, paragraph, previewBrand, type Brand } from "./_components/layout";

export type DisputeEvent = "opened" | "message" | "assigned" | "accepted" | "rejected" | "withdrawn";

export type DisputeCustomerUpdateEmailProps = {
  brand: Brand;
  recipientName: string;
  event: DisputeEvent;
  invoiceNumber: string;
  lineDescription: string;
  /** The disputed amount, formatted. */
  amount: string;
  /** Accepted for less than the disputed amount. */
  partly: boolean;
  /** What was said or decided, as the thread shows it. */
  message: string;
  disputeUrl: string;
};

const titles: Record<DisputeEvent, (p: DisputeCustomerUpdateEmailProps) => string> = {
  opened: () => "We received your dispute",
  message: () => "We replied to your dispute",
  assigned: () => "Someone is looking into your dispute",
  accepted: (p) => (p.partly ? "We accepted part of your dispute" : "We accepted your dispute"),
  rejected: () => "We could not accept your dispute",
  withdrawn: () => "You withdrew your dispute",
};

export const disputeCustomerUpdateSubject = (props: DisputeCustomerUpdateEmailProps) =>
  `${titles[props.event](props)}: invoice ${props.invoiceNumber}`;

function lead({ event, amount, invoiceNumber, lineDescription, partly }: DisputeCustomerUpdateEmailProps) {
  const line = `${amount} of “${lineDescription}” on invoice ${invoiceNumber}`;
  switch (event) {
    case "opened":
      return `You disputed ${line}. That amount is on hold: we won't ask you to pay it while we look into it. The rest of the invoice is still due.`;
    case "message":
      return `There is a new message about your dispute of ${line}:`;
    case "assigned":
      return `Your dispute of ${line} is with our accounts team:`;
    case "accepted":
      return partly ? `We looked into your dispute of ${line} and agree with part of it:` : `We looked into your dispute of ${line} and agree:`;
    case "rejected":
      return `We looked into your dispute of ${line}:`;
    case "withdrawn":
      return `You withdrew your dispute of ${line}:`;
  }
}

export default function DisputeCustomerUpdateEmail(props: DisputeCustomerUpdateEmailProps) {
  const { brand, recipientName, event, message, disputeUrl } = props;
  return (
    <EmailLayout brand={brand} preview={lead(props)} title={titles[event](props)}>
      <Text style={paragraph}>Hello {recipientName},</Text>
      <Text style={paragraph}>{lead(props)}</Text>
      <Text style={{ ...paragraph, borderLeft: "3px solid #e3e6eb", paddingLeft: 12, whiteSpace: "pre-wrap" }}>{message}</Text>
      <Section style={{ margin: "24px 0" }}>
        <Button href={disputeUrl} style={buttonStyle(brand)}>
          {event === "opened" || event === "message" || event === "assigned" ? "View or reply" : "View the dispute"}
        </Button>
      </Section>
    </EmailLayout>
  );
}

DisputeCustomerUpdateEmail.PreviewProps = {
  brand: previewBrand,
  recipientName: "Dana Whitfield",
  event: "accepted",
  invoiceNumber: "INV-000123",
  lineDescription: "Steel brackets, 40 mm",
  amount: "$240.00",
  partly: true,
  message: "We accepted $120.00 of the $240.00 you disputed and issued credit note CN-000045 for $120.00, applied to invoice INV-000123. The other $120.00 is due again.",
  disputeUrl: "http://localhost:3000/portal/disputes/preview",
} satisfies DisputeCustomerUpdateEmailProps;
