import { Button, Link, Section, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, paragraph, previewBrand, type Brand } from "./_components/layout";

export type SignInLinkEmailProps = { brand: Brand; name: string; url: string; expiresInMinutes: number };

export const signInLinkSubject = (props: SignInLinkEmailProps) => `Your sign-in link for ${props.brand.companyName}`;

export default function SignInLinkEmail({ brand, name, url, expiresInMinutes }: SignInLinkEmailProps) {
  return (
    <EmailLayout brand={brand} preview={`Sign in to your ${brand.companyName} account`} title="Sign in to your account">
      <Text style={paragraph}>Hello {name},</Text>
      <Text style={paragraph}>
        Use the button below to sign in to the {brand.companyName} billing portal. The link works once and expires in{" "}
        {expiresInMinutes} minutes.
      </Text>
      <Section style={{ margin: "24px 0" }}>
        <Button href={url} style={buttonStyle(brand)}>
          Sign in
        </Button>
      </Section>
      <Text style={{ ...paragraph, fontSize: 13 }}>
        Or paste this address into your browser: <Link href={url}>{url}</Link>
      </Text>
      <Text style={{ ...paragraph, fontSize: 13, color: "#6b7280" }}>
        If you did not ask to sign in, you can ignore this email; nobody can sign in without the link.
      </Text>
    </EmailLayout>
  );
}

SignInLinkEmail.PreviewProps = {
  brand: previewBrand,
  name: "Dana Whitfield",
  url: "http://localhost:3000/portal/sign-in/link?token=preview",
  expiresInMinutes: 15,
} satisfies SignInLinkEmailProps;
