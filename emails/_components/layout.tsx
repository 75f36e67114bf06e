import { Body, Container, Head, Heading, Hr, Html, Img, Preview, Section, Text } from "@react-email/components";
import type { ReactNode } from "react";

export type Brand = { companyName: string; brandColor: string; logoUrl?: string | null; supportEmail?: string | null };

export const previewBrand: Brand = {
  companyName: "Northwind Supply Co.",
  brandColor: "#1f5fbf",
  logoUrl: null,
  supportEmail: "ar@northwind.example",
};

export function EmailLayout({ brand, preview, title, children }: { brand: Brand; preview: string; title: string; children: ReactNode }) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{preview}</Preview>
      <Body style={{ backgroundColor: "#f4f5f7", fontFamily: "-apple-system, Segoe UI, Helvetica, Arial, sans-serif", margin: 0, padding: "24px 0" }}>
        <Container style={{ backgroundColor: "#ffffff", borderRadius: 8, maxWidth: 560, padding: "32px 40px", border: "1px solid #e3e6eb" }}>
          <Section>
            {brand.logoUrl ? (
              <Img src={brand.logoUrl} alt={brand.companyName} height={32} />
            ) : (
              <Text style={{ fontSize: 18, fontWeight: 700, color: brand.brandColor, margin: 0 }}>{brand.companyName}</Text>
            )}
          </Section>
          <Heading as="h1" style={{ fontSize: 22, color: "#111827", margin: "24px 0 8px" }}>
            {title}
          </Heading>
          {children}
          <Hr style={{ borderColor: "#e3e6eb", margin: "32px 0 16px" }} />
          <Text style={{ fontSize: 12, color: "#6b7280", margin: 0 }}>
            {brand.companyName}
            {brand.supportEmail ? ` · Questions? Write to ${brand.supportEmail}` : ""}
          </Text>
        </Container>
      </Body>
    </Html>
  );
}

export const paragraph = { fontSize: 15, lineHeight: "24px", color: "#374151" } as const;

export function buttonStyle(brand: Brand) {
  return {
    backgroundColor: brand.brandColor,
    color: "#ffffff",
    borderRadius: 6,
    padding: "12px 20px",
    fontSize: 15,
    fontWeight: 600,
    textDecoration: "none",
    display: "inline-block",
  } as const;
}
