import pdfmake from "pdfmake";
import type { Content, CustomTableLayout, TDocumentDefinitions } from "pdfmake/interfaces";
import { INK, LINE, MUTED, num, pdfDate, rowsLayout, th } from "~/documents/pdf.server";
import { winAnsi } from "~/documents/win-ansi";
import { currencyExponent, toDecimalString } from "~/money/money";
import { getCompanySettings, type CompanySettings } from "~/settings/settings.server";
import { formatDateTime } from "~/utils/format";
import { agingGroups } from "./aging-params";
import type { AgingReport, AgingTotals } from "./aging.server";

/** Deep copy with every string made safe for Helvetica's WinAnsi encoding (as renderPdf does). */
function sanitize<T>(value: T): T {
  if (typeof value === "string") return winAnsi(value) as T;
  if (Array.isArray(value)) return value.map(sanitize) as T;
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sanitize(v)])) as T;
  return value;
}

/**
 * An amount with its digits grouped and no currency sign ("105,273.57"): a row of ten amounts
 * fits the page this way. Each row and total names its currency.
 */
export function pdfAmount(minor: number, currency: string): string {
  const decimal = toDecimalString(minor, currency).replace("-", "");
  const [whole, fraction] = decimal.split(".");
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${minor < 0 ? "-" : ""}${grouped}${currencyExponent(currency) > 0 ? `.${fraction}` : ""}`;
}

/** The documents' table look with narrower gutters, for a table of many amounts. */
const denseLayout = (totalRows: number): CustomTableLayout => ({
  ...rowsLayout,
  hLineColor: (i, node) => (i === 1 || (totalRows > 0 && i === node.table.body.length - totalRows) ? INK : LINE),
  paddingLeft: (i) => (i === 0 ? 0 : 4),
  paddingRight: (i, node) => (i === (node.table.widths?.length ?? 1) - 1 ? 0 : 4),
  paddingTop: () => 4,
  paddingBottom: () => 4,
});

/** What the report covers, in words: "As of Mar 31, 2026 · aged by due date · by customer". */
export function agingSubtitle(report: AgingReport): string {
  const { query } = report;
  return [
    `As of ${pdfDate(query.asOf)}`,
    query.basis === "due" ? "aged by due date" : "aged by invoice date",
    `by ${agingGroups[query.groupBy].toLowerCase()}`,
    ...(query.currency ? [`${query.currency} only`] : []),
    ...(query.search ? [`matching "${query.search}"`] : []),
  ].join(" · ");
}

/**
 * The aging report as a PDF: the totals per currency, then every row. Landscape, because a row
 * carries a column per bucket and four more; the look (header, footer, tables) is that of
 * renderPdf in documents/pdf.server.ts, which draws portrait pages only.
 */
export async function agingPdf(report: AgingReport, company?: CompanySettings): Promise<Buffer> {
  const settings = company ?? (await getCompanySettings());
  const { columns, totals, rows } = report;
  const manyCurrencies = totals.length > 1;
  const amountWidths = [...columns.map(() => "*"), "*", "*", "*", "*"];
  const fontSize = columns.length > 6 ? 7 : 8;
  const currencyNote = manyCurrencies ? "in each row's currency" : `in ${totals[0]?.currency ?? "their currency"}`;
  const figures = (r: AgingTotals, bold = false): Content[] => {
    const money = (minor: number) => num(minor === 0 ? "-" : pdfAmount(minor, r.currency), { bold, fontSize });
    return [...r.bucketsMinor.map(money), money(r.totalMinor), money(r.overdueMinor), money(r.disputedMinor), money(r.plannedMinor)];
  };
  const header = [th(agingGroups[report.query.groupBy]), ...columns.map((c) => th(c.label, "right")), th("Total", "right"), th("Overdue", "right"), th("Disputed", "right"), th("In plans", "right")];

  const totalsTable: Content = {
    table: {
      headerRows: 1,
      dontBreakRows: true,
      widths: [140, ...amountWidths],
      body: [
        [th("Currency"), ...header.slice(1)],
        ...totals.map((t) => [{ text: t.currency, bold: true }, ...figures(t, true)]),
      ],
    },
    layout: denseLayout(0),
  };

  const rowsTable: Content =
    rows.length === 0
      ? { text: "Nothing was open on this date.", color: MUTED }
      : {
          table: {
            headerRows: 1,
            dontBreakRows: true,
            widths: [140, ...amountWidths],
            body: [
              header,
              ...rows.map((r) => [
                {
                  stack: [
                    { text: r.label, fontSize },
                    ...(r.detail || manyCurrencies ? [{ text: [r.detail, manyCurrencies ? r.currency : null].filter(Boolean).join(" · "), color: MUTED, fontSize: fontSize - 1 }] : []),
                  ],
                },
                ...figures(r),
              ]),
              ...totals.map((t) => [{ text: manyCurrencies ? `Total ${t.currency}` : "Total", bold: true, fontSize }, ...figures(t, true)]),
            ],
          },
          layout: denseLayout(totals.length),
        };

  const content: Content[] = [
    { stack: [{ text: "Aging report", fontSize: 20, bold: true }, { text: agingSubtitle(report), color: MUTED, fontSize: 11, margin: [0, 2, 0, 0] }], margin: [0, 0, 0, 14] },
    { text: [{ text: "Totals", fontSize: 11, bold: true }, { text: `  amounts ${currencyNote}`, color: MUTED }], margin: [0, 0, 0, 6] },
    totalsTable,
    {
      text: `${report.rowCount.toLocaleString("en-US")} ${report.rowCount === 1 ? "row" : "rows"}${rows.length < report.rowCount ? `; the first ${rows.length.toLocaleString("en-US")} are printed` : ""}`,
      fontSize: 11,
      bold: true,
      margin: [0, 16, 0, 6],
    },
    rowsTable,
    {
      text: `Amounts ${currencyNote}. Disputed and in-plan amounts are part of the totals and shown apart: they are not collected by reminders. Collector and segment are the customer's current ones.`,
      color: MUTED,
      fontSize: 8,
      margin: [0, 12, 0, 0],
    },
  ];

  const companyName = winAnsi(settings.companyName);
  const pageTitle = winAnsi(`Aging report · ${agingSubtitle(report)}`);
  const doc: TDocumentDefinitions = {
    pageSize: "LETTER",
    pageOrientation: "landscape",
    pageMargins: [40, 64, 40, 52],
    info: { title: pageTitle, author: companyName, creator: "Settle" },
    defaultStyle: { font: "Helvetica", fontSize: 8.5, color: INK, lineHeight: 1.15 },
    styles: { th: { bold: true, fontSize: 7.5, color: MUTED } },
    header: (currentPage) => ({
      margin: [40, 26, 40, 0],
      columns: [
        { text: companyName, color: settings.brandColor, bold: true, fontSize: 14 },
        { text: currentPage > 1 ? pageTitle : `Printed ${formatDateTime(new Date())}`, alignment: "right", color: MUTED, margin: [0, 4, 0, 0] },
      ],
    }),
    footer: (currentPage, pageCount) => ({
      margin: [40, 18, 40, 0],
      fontSize: 8,
      color: MUTED,
      columns: [{ text: companyName }, { text: `Page ${currentPage} of ${pageCount}`, alignment: "right" }],
    }),
    content: sanitize(content),
  };
  return pdfmake.createPdf(doc).getBuffer();
}
