import type { Content } from "pdfmake/interfaces";
import type { Statement } from "~/ledger/statements.server";
import { above, detailsTable, MUTED, num, pdfDate, pdfMoney, renderPdf, rowsLayout, th, titleBlock } from "./pdf.server";
import { lineDetail, statementTitle } from "./statement-params";

const day = (date: string | null) => ({ text: pdfDate(date), noWrap: true });
const dueLabel = (days: number | null) => (days === null ? "" : days > 0 ? `${days}` : "Not due");

export function statementPdf(statement: Statement): Promise<Buffer> {
  const money = (minor: number) => pdfMoney(minor, statement.customer.currency);
  const { customer } = statement;
  const period = statement.from ? `${pdfDate(statement.from)} to ${pdfDate(statement.to)}` : `As of ${pdfDate(statement.to)}`;
  const activity: Content[] =
    statement.kind === "activity"
      ? [
          { text: "Account activity", style: "h2" },
          {
            table: {
              // Long statements run over pages; the header row repeats on each.
              headerRows: 1,
              dontBreakRows: true,
              widths: [62, 74, "*", 60, 60, 64],
              body: [
                [th("Date"), th("Reference"), th("Description"), th("Charges", "right"), th("Credits", "right"), th("Balance", "right")],
                [day(statement.from), { text: "Opening balance", bold: true, colSpan: 4 }, "", "", "", num(money(statement.openingMinor), { bold: true })],
                ...statement.lines.map((line) => {
                  const detail = lineDetail(line);
                  return [
                    day(line.date),
                    line.reference,
                    { stack: [line.type, ...(detail ? [{ text: detail, color: MUTED, fontSize: 8 }] : [])] },
                    num(line.chargeMinor ? money(line.chargeMinor) : ""),
                    num(line.creditMinor ? money(line.creditMinor) : ""),
                    num(money(line.balanceMinor)),
                  ];
                }),
                [day(statement.to), { text: "Closing balance", bold: true, colSpan: 4 }, "", "", "", num(money(statement.closingMinor), { bold: true })],
              ],
            },
            layout: rowsLayout,
          },
          ...(statement.lines.length === 0 ? [{ text: "No activity in this period.", color: MUTED, margin: above(6) }] : []),
        ]
      : [];
  const content: Content[] = [
    titleBlock(statementTitle(statement.kind), period),
    {
      columns: [
        {
          stack: [
            { text: "ACCOUNT", style: "label" },
            { text: customer.name, bold: true, fontSize: 11 },
            ...(customer.address ? [customer.address] : []),
            ...(customer.email ? [{ text: customer.email, color: MUTED }] : []),
          ],
        },
        {
          width: 220,
          stack: [
            detailsTable([
              ["Account number", customer.accountNumber],
              ["Currency", customer.currency],
              ["Statement date", pdfDate(statement.generatedOn)],
              ...(statement.kind === "activity" ? ([["Opening balance", money(statement.openingMinor)]] as [string, string][]) : []),
            ]),
            {
              table: { widths: ["*", "auto"], body: [[{ text: "Balance due", bold: true, fontSize: 11 }, num(money(statement.closingMinor), { bold: true, fontSize: 11 })]] },
              layout: { ...rowsLayout, hLineWidth: (i) => (i === 0 ? 1 : 0) },
            },
          ],
        },
      ],
      columnGap: 24,
    },
    ...activity,
    { text: "Aging", style: "h2" },
    {
      table: {
        headerRows: 1,
        dontBreakRows: true,
        widths: [...statement.aging.map(() => "*"), "*", "*", "*"],
        body: [
          [...statement.aging.map((bucket) => th(bucket.label, "right")), th("Open invoices", "right"), th("Unapplied", "right"), th("Balance due", "right")],
          [
            ...statement.aging.map((bucket) => num(money(bucket.amountMinor))),
            num(money(statement.agingTotalMinor)),
            num(money(-statement.unappliedMinor)),
            num(money(statement.closingMinor), { bold: true }),
          ],
        ],
      },
      layout: rowsLayout,
    },
    { text: "Open items", style: "h2" },
    statement.openItems.length === 0
      ? { text: "Nothing is open on this account.", color: MUTED }
      : {
          table: {
            headerRows: 1,
            dontBreakRows: true,
            widths: ["*", 70, 70, 60, 75, 75],
            body: [
              [th("Reference"), th("Date"), th("Due date"), th("Days past due", "right"), th("Original", "right"), th("Open", "right")],
              ...statement.openItems.map((item) => [
                item.reference,
                day(item.date),
                item.dueDate ? day(item.dueDate) : "",
                num(dueLabel(item.daysPastDue)),
                num(money(item.originalMinor)),
                num(money(item.openMinor), { bold: true }),
              ]),
            ],
          },
          layout: rowsLayout,
        },
  ];
  return renderPdf({ company: statement.company, title: `${statementTitle(statement.kind)} · ${customer.name}`, content });
}
