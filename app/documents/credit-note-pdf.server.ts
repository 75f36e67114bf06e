import type { Content } from "pdfmake/interfaces";
import type { CreditNoteDocument } from "./documents.server";
import { above, billToBlock, detailsTable, num, pdfDate, pdfMoney, renderPdf, rowsLayout, th, titleBlock, totalsTable } from "./pdf.server";

export function creditNotePdf(doc: CreditNoteDocument): Promise<Buffer> {
  const money = (minor: number) => pdfMoney(minor, doc.currency);
  const content: Content[] = [
    titleBlock(doc.title, doc.number),
    {
      columns: [
        billToBlock("Credit to", doc.customer),
        {
          width: 220,
          stack: [
            detailsTable([
              ["Number", doc.number],
              ["Issue date", pdfDate(doc.issueDate)],
              ["Invoice", doc.invoiceNumber],
              ["Account", doc.customer.accountNumber],
              ["Status", doc.voided ? "Void" : null],
            ]),
          ],
        },
      ],
      columnGap: 24,
    },
    { text: [{ text: "Reason: ", bold: true }, doc.reason], margin: above(18) },
    {
      table: {
        headerRows: 1,
        dontBreakRows: true,
        widths: ["*", 40, 70, 60, 80],
        body: [
          [th("Description"), th("Tax", "right"), th("Net", "right"), th("Tax amount", "right"), th("Amount", "right")],
          ...doc.lines.map((line) => [line.description, num(line.taxRate), num(money(line.netMinor)), num(money(line.taxMinor)), num(money(line.totalMinor))]),
        ],
      },
      layout: rowsLayout,
      margin: above(14),
    },
    totalsTable([
      ["Subtotal", money(doc.subtotalMinor)],
      ["Tax", money(doc.taxMinor)],
      ["Total credit", money(doc.totalMinor)],
    ]),
    ...(doc.applied.length > 0 || doc.refunds.length > 0
      ? [
          { text: "Applied", style: "h2" },
          {
            table: {
              headerRows: 1,
              widths: ["*", 90, 80],
              body: [
                [th("To"), th("Date"), th("Amount", "right")],
                ...doc.applied.map((a) => [`Invoice ${a.invoiceNumber ?? ""}`, pdfDate(a.appliedOn), num(money(a.amountMinor))]),
                ...doc.refunds.map((r) => ["Refunded", pdfDate(r.refundedOn), num(money(r.amountMinor))]),
              ],
            },
            layout: rowsLayout,
          } as Content,
        ]
      : []),
    { text: [{ text: "Credit remaining: ", bold: true }, money(doc.availableMinor)], margin: above(14) },
    ...(doc.voidReason ? [{ text: `This credit note is void: ${doc.voidReason}`, bold: true, margin: above(12) }] : []),
    ...(doc.memo ? [{ text: "Notes", style: "h2" }, doc.memo] : []),
  ];
  return renderPdf({ company: doc.company, title: `${doc.title} ${doc.number}`, content, watermark: doc.voided ? "VOID" : undefined });
}
