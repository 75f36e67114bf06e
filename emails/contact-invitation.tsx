import { Button, Link, Section, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, paragraph, previewBrand, type Brand } from "./_components/layout";

export type ContactInvitationEmailProps = {
  brand: Brand;
  name: string;
  customerName: string;
  invitedBy: string;
  url: string;
  expiresInDays: number;
};

export const contactInvitationSubject = (props: ContactInvitationEmailProps) =>
  `${props.brand.companyName} invited you to the billing portal for ${props.customerName}`;

export default function ContactInvitationEmail({ brand, name, customerName, invitedBy, url, expiresInDays }: ContactInvitationEmailProps) {
  return (
    <EmailLayout brand={brand} preview={`See and pay ${customerName}'s invoices online`} title={`You're invited to ${brand.companyName}'s billing portal`}>
      <Text style={paragraph}>Hello {name},</Text>
      <Text style={paragraph}>
        {invitedBy} at {brand.companyName} has given you access to the billing portal for <strong>{customerName}</strong>. There you
        can see your balance, invoices and statements, and pay online.
      </Text>
      <Section style={{ margin: "24px 0" }}>
        <Button href={url} style={buttonStyle(brand)}>
          Open the portal
        </Button>
      </Section>
      <Text style={{ ...paragraph, fontSize: 13 }}>
        This invitation works once and expires in {expiresInDays} days. After that, sign in any time with a link sent to this
        address. Or paste this into your browser: <Link href={url}>{url}</Link>
      </Text>
    </EmailLayout>
  );
}

ContactInvitationEmail.PreviewProps = {
  brand: previewBrand,
  name: "Dana Whitfield",
  customerName: "Acme Fabrication Ltd",
  invitedBy: "Priya Raman",
  url: "http://localhost:3000/portal/sign-in/link?token=preview",
  expiresInDays: 7,
} satisfies ContactInvitationEmailProps;
