import type { Content } from "pdfmake/interfaces";
import { statusLabels } from "~/ledger/status";
import type { InvoiceDocument } from "./documents.server";
import { above, billToBlock, detailsTable, MUTED, num, pdfDate, pdfMoney, renderPdf, rowsLayout, th, titleBlock, totalsTable, type TotalRow } from "./pdf.server";

export function invoicePdf(doc: InvoiceDocument): Promise<Buffer> {
  const money = (minor: number) => pdfMoney(minor, doc.currency);
  const totals: TotalRow[] = [
    ["Subtotal", money(doc.subtotalMinor)],
    ["Tax", money(doc.taxMinor)],
    ["Total", money(doc.totalMinor), true],
    ...doc.adjustments.map(({ label, amountMinor }): TotalRow => [label, money(-amountMinor)]),
    ["Amount due", money(doc.amountDueMinor)],
  ];
  const payable = doc.viewUrl && doc.amountDueMinor > 0;
  const content: Content[] = [
    titleBlock("Invoice", doc.number ?? "Draft, not yet issued"),
    {
      columns: [
        billToBlock("Bill to", doc.customer),
        {
          width: 220,
          stack: [
            detailsTable([
              ["Invoice number", doc.number],
              ["Status", statusLabels[doc.status]],
              ["Issue date", doc.issueDate && pdfDate(doc.issueDate)],
              ["Due date", doc.dueDate && pdfDate(doc.dueDate)],
              ["Terms", doc.terms],
              ["PO number", doc.poNumber],
              ["Account", doc.customer.accountNumber],
            ]),
          ],
        },
      ],
      columnGap: 24,
    },
    {
      table: {
        headerRows: 1,
        dontBreakRows: true,
        widths: ["*", 40, 70, 40, 80],
        body: [
          [th("Description"), th("Qty", "right"), th("Unit price", "right"), th("Tax", "right"), th("Amount", "right")],
          ...doc.lines.map((line) => [line.description, num(line.quantity), num(money(line.unitPriceMinor)), num(line.taxRate), num(money(line.netMinor))]),
        ],
      },
      layout: rowsLayout,
      margin: [0, 22, 0, 0],
    },
    totalsTable(totals),
    ...(doc.voidReason ? [{ text: `This invoice is void: ${doc.voidReason}`, bold: true, margin: above(16) }] : []),
    ...(doc.memo ? [{ text: "Notes", style: "h2" }, doc.memo] : []),
    ...(payable
      ? [
          { text: "How to pay", style: "h2" },
          ...(doc.discountOffer ? [`Take ${doc.discountOffer.percent} off when paid by ${pdfDate(doc.discountOffer.until)}.`] : []),
          { text: ["Pay online: ", { text: doc.viewUrl!, link: doc.viewUrl!, color: doc.company.brandColor, decoration: "underline" as const }] },
          { text: `Or pay by bank transfer or check, quoting invoice ${doc.number} so we can match your payment.`, color: MUTED, margin: above(4) },
        ]
      : []),
  ];
  const watermark = doc.status === "draft" ? "DRAFT" : doc.status === "void" ? "VOID" : undefined;
  return renderPdf({ company: doc.company, title: `Invoice ${doc.number ?? "(draft)"}`, content, watermark });
}
