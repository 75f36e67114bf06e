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
        {/* The company's colour as a band along the top; its logo (or its name) at the head. */}
        <Container style={{ backgroundColor: "#ffffff", borderRadius: 8, maxWidth: 560, padding: "32px 40px", border: "1px solid #e3e6eb", borderTop: `4px solid ${brand.brandColor}` }}>
          <Section>
            {brand.logoUrl ? (
              <Img src={brand.logoUrl} alt={brand.companyName} height={32} style={{ maxWidth: 200, height: 32, width: "auto" }} />
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

/** A call to action in the brand's colour, or in `color` where the message needs its own (a final notice in red). */
export function buttonStyle(brand: Brand, color: string = brand.brandColor) {
  return {
    backgroundColor: color,
    color: "#ffffff",
    borderRadius: 6,
    padding: "12px 20px",
    fontSize: 15,
    fontWeight: 600,
    textDecoration: "none",
    display: "inline-block",
  } as const;
}

/** A secondary action beside the main button: an outlined link in the same colour. */
export function secondaryButtonStyle(brand: Brand, color: string = brand.brandColor) {
  return {
    backgroundColor: "#ffffff",
    color,
    border: `1px solid ${color}`,
    borderRadius: 6,
    padding: "10px 16px",
    fontSize: 14,
    fontWeight: 600,
    textDecoration: "none",
    display: "inline-block",
  } as const;
}

/** A short notice set apart from the text: a credit hold, a late fee. */
export function noticeStyle(color: string) {
  return { ...paragraph, fontSize: 14, borderLeft: `3px solid ${color}`, backgroundColor: "#f9fafb", padding: "8px 12px", margin: "16px 0" } as const;
}
