import pdfmake from "pdfmake";
import type { Content, CustomTableLayout, Margins, TDocumentDefinitions } from "pdfmake/interfaces";
import { formatMoney, toDecimalString } from "~/money/money";
import type { CompanySettings } from "~/settings/settings.server";
import { formatDate } from "~/utils/format";
import type { BillTo } from "./documents.server";
import { winAnsi } from "./win-ansi";

// The PDF's built-in Helvetica needs no font file. pdfmake hands the font names to its local-file
// check, so exactly these names pass it; every other path and every URL is refused, so a
// document (a logo URL, an image in a memo) can never make the server fetch or read anything.
const HELVETICA = { normal: "Helvetica", bold: "Helvetica-Bold", italics: "Helvetica-Oblique", bolditalics: "Helvetica-BoldOblique" };
const fontNames = new Set(Object.values(HELVETICA));
pdfmake.setFonts({ Helvetica: HELVETICA });
pdfmake.setUrlAccessPolicy(() => false);
pdfmake.setLocalAccessPolicy((path) => fontNames.has(path));

export const INK = "#111827";
export const MUTED = "#5b6472";
export const LINE = "#d8dce3";

/** An amount as the customer reads it; a currency whose symbol Helvetica lacks (₹, ₩) is written by its code. */
export function pdfMoney(amountMinor: number, currency: string): string {
  const formatted = formatMoney(amountMinor, currency);
  if (winAnsi(formatted) === formatted) return formatted;
  return new Intl.NumberFormat("en-US", { style: "currency", currency, currencyDisplay: "code" }).format(toDecimalString(amountMinor, currency) as unknown as number);
}

/** Space above a block. */
export const above = (points: number): Margins => [0, points, 0, 0];

export const pdfDate = (date: string | null | undefined) => (date ? formatDate(date) : "—");

/** Rules between rows only, with room to breathe: the look of every table in our documents. */
export const rowsLayout: CustomTableLayout = {
  hLineWidth: (i, node) => (i === 0 || i === node.table.body.length ? 0 : i === 1 ? 1 : 0.5),
  vLineWidth: () => 0,
  hLineColor: (i) => (i === 1 ? INK : LINE),
  paddingLeft: (i) => (i === 0 ? 0 : 6),
  paddingRight: (i, node) => (i === (node.table.widths?.length ?? 1) - 1 ? 0 : 6),
  paddingTop: () => 5,
  paddingBottom: () => 5,
};

export const th = (text: string, alignment: "left" | "right" = "left"): Content => ({ text, style: "th", alignment });
export const num = (text: string, extra: { bold?: boolean; fontSize?: number } = {}): Content => ({ text, alignment: "right", noWrap: true, ...extra });

/** Label-value pairs in two columns, as the details block beside the address. */
export function detailsTable(rows: [string, string | null | undefined][]): Content {
  return {
    table: { widths: ["auto", "*"], body: rows.filter(([, value]) => value).map(([label, value]) => [{ text: label, color: MUTED }, { text: value!, alignment: "right" }]) },
    layout: "noBorders",
  };
}

export type TotalRow = [label: string, value: string, strong?: boolean];

/** Totals under a table, right-aligned; the last row is the one that matters. */
export function totalsTable(rows: TotalRow[]): Content {
  const last = rows.length - 1;
  return {
    columns: [
      { width: "*", text: "" },
      {
        width: 240,
        table: {
          widths: ["*", "auto"],
          body: rows.map(([label, value, strong], i) =>
            i === last
              ? [{ text: label, bold: true, fontSize: 11 }, num(value, { bold: true, fontSize: 11 })]
              : [{ text: label, color: strong ? INK : MUTED, bold: strong }, num(value, { bold: strong })],
          ),
        },
        layout: { ...rowsLayout, hLineWidth: (i) => (i === last ? 1 : 0), hLineColor: () => INK },
      },
    ],
    margin: [0, 8, 0, 0],
  };
}

/** The "Bill to" block beside a document's details. */
export function billToBlock(label: string, customer: BillTo): Content {
  return {
    stack: [
      { text: label.toUpperCase(), style: "label" },
      { text: customer.name, bold: true, fontSize: 11 },
      ...(customer.legalName ? [customer.legalName] : []),
      ...customer.addressLines,
      ...(customer.email ? [{ text: customer.email, color: MUTED }] : []),
      ...(customer.taxId ? [{ text: `Tax ID ${customer.taxId}`, color: MUTED }] : []),
    ],
  };
}

export const titleBlock = (title: string, subtitle: string | null): Content => ({
  stack: [{ text: title, style: "docTitle" }, ...(subtitle ? [{ text: subtitle, color: MUTED, fontSize: 11, margin: above(2) }] : [])],
  margin: [0, 0, 0, 18],
});

/** Deep copy with every string made safe for Helvetica's WinAnsi encoding. */
function sanitize<T>(value: T): T {
  if (typeof value === "string") return winAnsi(value) as T;
  if (Array.isArray(value)) return value.map(sanitize) as T;
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sanitize(v)])) as T;
  return value;
}

export type PdfDocument = {
  company: CompanySettings;
  /** What the document is, shown at the top of every page after the first ("Invoice INV-000123"). */
  title: string;
  content: Content[];
  watermark?: string;
};

/** Letter pages with the company in its brand colour at the top and page numbers at the foot. */
export async function renderPdf({ company, title, content, watermark }: PdfDocument): Promise<Buffer> {
  const companyName = winAnsi(company.companyName);
  const pageTitle = winAnsi(title);
  const footerNote = winAnsi([company.companyName, company.supportEmail].filter(Boolean).join(" · "));
  const doc: TDocumentDefinitions = {
    pageSize: "LETTER",
    pageMargins: [48, 72, 48, 60],
    info: { title: pageTitle, author: companyName, creator: "Settle" },
    defaultStyle: { font: "Helvetica", fontSize: 9.5, color: INK, lineHeight: 1.2 },
    styles: {
      th: { bold: true, fontSize: 8, color: MUTED },
      docTitle: { fontSize: 20, bold: true },
      h2: { fontSize: 11, bold: true, margin: [0, 16, 0, 6] },
      label: { fontSize: 8, bold: true, color: MUTED, margin: [0, 0, 0, 3] },
    },
    header: (currentPage) => ({
      margin: [48, 30, 48, 0],
      columns: [
        { text: companyName, color: company.brandColor, bold: true, fontSize: 14 },
        { text: currentPage > 1 ? pageTitle : "", alignment: "right", color: MUTED, margin: [0, 4, 0, 0] },
      ],
    }),
    footer: (currentPage, pageCount) => ({
      margin: [48, 20, 48, 0],
      fontSize: 8,
      color: MUTED,
      columns: [{ text: footerNote }, { text: `Page ${currentPage} of ${pageCount}`, alignment: "right" }],
    }),
    content: sanitize(content),
    ...(watermark ? { watermark: { text: watermark, color: "#b42318", opacity: 0.12, bold: true } } : {}),
  };
  return pdfmake.createPdf(doc).getBuffer();
}
