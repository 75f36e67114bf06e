import { parse } from "csv-parse/sync";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { InvoiceDocumentView } from "~/components/invoice-document";
import { StatementView } from "~/components/statement-view";
import { issueCreditNote } from "~/ledger/credit-notes.server";
import { createDraftInvoice, createIssuedInvoice } from "~/ledger/invoices.server";
import { recordPayment } from "~/ledger/payments.server";
import type { Statement } from "~/ledger/statements.server";
import { formatMoney, toDecimalString } from "~/money/money";
import * as creditNotePdfRoute from "~/routes/staff.credit-notes.$creditNoteId.pdf";
import * as statementPage from "~/routes/staff.customers.$customerId_.statement";
import * as statementCsvRoute from "~/routes/staff.customers.$customerId.statement[.]csv";
import * as statementPdfRoute from "~/routes/staff.customers.$customerId.statement[.]pdf";
import * as invoicePdfRoute from "~/routes/staff.invoices.$invoiceId.pdf";
import * as publicInvoice from "~/routes/invoices.$token";
import * as publicInvoicePdf from "~/routes/invoices.$token[.]pdf";
import { formatDate } from "~/utils/format";
import { createContact, createCustomer, createStaff } from "./factories";
import { context, cookieFor, get, outcome } from "./route-helpers";

const system = { type: "system" as const, label: "test" };
const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context });
const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

/** The PDF's text, one string per printed line (items sharing a baseline, left to right). */
async function pdfLines(pdf: ArrayBuffer | Uint8Array): Promise<string[]> {
  const { getDocument } = await import("pdfjs-dist/legacy/build/pdf.mjs");
  const doc = await getDocument({ data: new Uint8Array(pdf), verbosity: 0 }).promise;
  const lines: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const rows = new Map<number, { x: number; str: string }[]>();
    for (const item of (await page.getTextContent()).items) {
      if (!("str" in item)) continue;
      const y = Math.round(item.transform[5] as number);
      rows.set(y, [...(rows.get(y) ?? []), { x: item.transform[4] as number, str: item.str }]);
    }
    for (const [, items] of [...rows].sort(([a], [b]) => b - a)) lines.push(items.sort((a, b) => a.x - b.x).map((i) => i.str).join("").replace(/\u00a0/g, " "));
  }
  await doc.destroy();
  return lines;
}

/** Each table row of the markup as its cells' text, separated by " | ". */
function htmlRows(markup: string): string[] {
  return [...markup.matchAll(/<tr[^>]*>(.*?)<\/tr>/gs)].map(([, row]) =>
    [...row!.matchAll(/<t[dh][^>]*>(.*?)<\/t[dh]>/gs)].map(([, cell]) => cell!.replace(/<[^>]+>/g, "").replace(/&amp;/g, "&")).join(" | "),
  );
}

/** True when one of `rows` holds every part, in this order. */
function hasRow(rows: string[], parts: string[]) {
  return rows.some((row) => {
    let at = 0;
    for (const part of parts) {
      const found = row.indexOf(part, at);
      if (found === -1) return false;
      at = found + part.length;
    }
    return true;
  });
}

const expectRow = (rows: string[], parts: string[]) => expect(hasRow(rows, parts), `no row with ${JSON.stringify(parts)} in\n${rows.join("\n")}`).toBe(true);

/**
 * Two months of business for a euro customer with an accented name: invoices, a part payment, a
 * credit note, and a payment left unapplied.
 */
async function ledger() {
  const customer = await createCustomer({ name: "Zoë Ørsted & Søn", currency: "EUR", email: "ap@orsted.example", addressLine1: "Købmagergade 1", city: "København", postalCode: "1150", country: "DK" });
  const staff = await createStaff({ role: "viewer" });
  const invoice = (issueDate: string, lines: { description: string; quantityMilli: number; unitPriceMinor: number; taxRateBps: number }[]) =>
    createIssuedInvoice({ customerId: customer.id, issueDate, lines }, system);
  const a = await invoice("2026-01-05", [
    { description: "Pallets of widgets", quantityMilli: 4000, unitPriceMinor: 25000, taxRateBps: 2500 },
    { description: "Delivery", quantityMilli: 1000, unitPriceMinor: 4500, taxRateBps: 2500 },
  ]);
  const b = await invoice("2026-01-20", [{ description: "Consulting, 3.5 hours", quantityMilli: 3500, unitPriceMinor: 12000, taxRateBps: 0 }]);
  await recordPayment({ customerId: customer.id, amountMinor: 50000, method: "wire", reference: "WX-1", receivedOn: "2026-01-25", idempotencyKey: "doc-p1", allocations: [{ invoiceId: a.id, amountMinor: 50000 }] }, system);
  const c = await invoice("2026-02-10", [{ description: "Spare parts", quantityMilli: 2000, unitPriceMinor: 9999, taxRateBps: 2500 }]);
  const credit = await issueCreditNote({ customerId: customer.id, invoiceId: b.id, lines: [{ description: "Half an hour not worked", amountMinor: 6000 }], reason: "Billed too many hours", issueDate: "2026-02-12", applyToInvoice: true, idempotencyKey: "doc-cn1" }, system);
  await recordPayment({ customerId: customer.id, amountMinor: 30000, method: "check", reference: "CHK 88", receivedOn: "2026-02-20", idempotencyKey: "doc-p2" }, system);
  const d = await invoice("2026-03-10", [{ description: "Widgets", quantityMilli: 1000, unitPriceMinor: 15000, taxRateBps: 0 }]);
  return { customer, staff, cookie: await cookieFor({ audience: "staff", staffUserId: staff.id }), invoices: { a, b, c, d }, credit };
}

type Ledger = Awaited<ReturnType<typeof ledger>>;

async function statementIn3Formats({ customer, cookie }: Ledger, search: string) {
  const path = `/staff/customers/${customer.id}/statement`;
  const page = await outcome(() => statementPage.loader(args(get(`${path}?${search}`, cookie), { customerId: customer.id })));
  expect(page.status).toBe(200);
  const statement = (page.data as { statement: Statement }).statement;
  const html = htmlRows(renderToStaticMarkup(createElement(StatementView, { statement })));
  const pdfResponse = (await statementPdfRoute.loader(args(get(`${path}.pdf?${search}`, cookie), { customerId: customer.id }))) as Response;
  expect(pdfResponse.headers.get("Content-Type")).toBe("application/pdf");
  const pdf = await pdfLines(await pdfResponse.arrayBuffer());
  const csvResponse = (await statementCsvRoute.loader(args(get(`${path}.csv?${search}`, cookie), { customerId: customer.id }))) as Response;
  expect(csvResponse.headers.get("Content-Disposition")).toMatch(/^attachment; filename="statement-T-\d+-\d{4}-\d{2}-\d{2}\.csv"$/);
  const csvBytes = new Uint8Array(await csvResponse.arrayBuffer());
  expect([...csvBytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const csv = parse(Buffer.from(csvBytes), { columns: true, bom: true }) as Record<string, string>[];
  return { statement, html, pdf, csv };
}

/** Every figure of the statement appears, in its row, on the page, in the PDF and in the CSV. */
function expectSameFigures({ statement, html, pdf, csv }: Awaited<ReturnType<typeof statementIn3Formats>>) {
  const money = (minor: number) => formatMoney(minor, "EUR");
  const decimal = (minor: number) => toDecimalString(minor, "EUR");
  const byType = (type: string) => csv.filter((row) => row.record_type === type);
  for (const rows of [html, pdf]) {
    if (statement.kind === "activity") {
      expectRow(rows, ["Opening balance", money(statement.openingMinor)]);
      for (const line of statement.lines) {
        expectRow(rows, [formatDate(line.date), line.reference, line.type, ...(line.chargeMinor ? [money(line.chargeMinor)] : []), ...(line.creditMinor ? [money(line.creditMinor)] : []), money(line.balanceMinor)]);
      }
      expectRow(rows, ["Closing balance", money(statement.closingMinor)]);
    }
    expectRow(rows, [...statement.aging.map((b) => money(b.amountMinor)), money(statement.agingTotalMinor), money(-statement.unappliedMinor), money(statement.closingMinor)]);
    for (const item of statement.openItems) expectRow(rows, [item.reference, money(item.originalMinor), money(item.openMinor)]);
  }
  if (statement.kind === "activity") {
    expect(byType("opening")).toEqual([expect.objectContaining({ balance: decimal(statement.openingMinor), currency: "EUR" })]);
    expect(byType("line").map((row) => [row.date, row.reference, row.charge, row.credit, row.balance])).toEqual(
      statement.lines.map((line) => [line.date, line.reference, line.chargeMinor ? decimal(line.chargeMinor) : "", line.creditMinor ? decimal(line.creditMinor) : "", decimal(line.balanceMinor)]),
    );
  } else {
    expect(byType("opening")).toEqual([]);
  }
  expect(byType("closing")).toEqual([expect.objectContaining({ date: statement.to, balance: decimal(statement.closingMinor) })]);
  expect(byType("aging").map((row) => [row.type, row.amount])).toEqual([...statement.aging.map((b) => [b.key, decimal(b.amountMinor)]), ["total", decimal(statement.agingTotalMinor)]]);
  expect(byType("unapplied").map((row) => row.amount)).toEqual([decimal(-statement.unappliedMinor)]);
  expect(byType("open_item").map((row) => [row.reference, row.original, row.amount])).toEqual(statement.openItems.map((i) => [i.reference, decimal(i.originalMinor), decimal(i.openMinor)]));
}

describe("statements", () => {
  it("show the same opening, lines, closing and aging on the page, in the PDF and in the CSV; one month closes where the next opens", async () => {
    const books = await ledger();
    const january = await statementIn3Formats(books, "kind=activity&from=2026-01-01&to=2026-01-31");
    const february = await statementIn3Formats(books, "kind=activity&from=2026-02-01&to=2026-02-28");
    // A: 4 x 250.00 + 45.00 = 1,045.00 + 25% tax = 1,306.25; B: 3.5 x 120.00 = 420.00; 500.00 paid.
    expect(january.statement).toMatchObject({ openingMinor: 0, closingMinor: 130625 + 42000 - 50000 });
    expect(january.statement.lines.map((l) => [l.type, l.chargeMinor, l.creditMinor])).toEqual([
      ["Invoice", 130625, 0],
      ["Invoice", 42000, 0],
      ["Payment", 0, 50000],
    ]);
    expect(february.statement.openingMinor).toBe(january.statement.closingMinor);
    // C: 2 x 99.99 = 199.98 + 49.995 -> 50.00 tax = 249.98; the credit note 60.00; 300.00 unapplied.
    expect(february.statement.closingMinor).toBe(january.statement.closingMinor + 24998 - 6000 - 30000);
    expect(february.statement.unappliedMinor).toBe(30000);
    expectSameFigures(january);
    expectSameFigures(february);
    expectRow(february.pdf, ["Opening balance", formatMoney(january.statement.closingMinor, "EUR")]);
    expect(february.csv.find((row) => row.record_type === "opening")!.balance).toBe(january.csv.find((row) => row.record_type === "closing")!.balance);
    // Accents and the euro survive Helvetica's encoding.
    expect(january.pdf.join("\n")).toContain("Zoë Ørsted & Søn");
    expect(january.pdf.join("\n")).toContain("Købmagergade 1");
  });

  it("as open items, age what is open on the as-of date and match in every format", async () => {
    const books = await ledger();
    const open = await statementIn3Formats(books, "kind=open_item&asOf=2026-03-20");
    const { a, b, c, d } = books.invoices;
    expect(open.statement.openItems.map((i) => [i.reference, i.openMinor])).toEqual([
      [a.number, 80625],
      [b.number, 36000],
      [c.number, 24998],
      [d.number, 15000],
      ["Payment CHK 88", -30000],
    ]);
    // Due Feb 4 (44 days), Feb 19 (29), Mar 12 (8), Apr 9 (not yet due).
    expect(Object.fromEntries(open.statement.aging.map((b) => [b.key, b.amountMinor]))).toEqual({ current: 15000, d1_30: 36000 + 24998, d31_60: 80625, d61_90: 0, d90_plus: 0 });
    expect(open.statement.closingMinor).toBe(80625 + 36000 + 24998 + 15000 - 30000);
    expectSameFigures(open);
    expect(open.statement.closingMinor).toBe((await statementIn3Formats(books, "kind=activity&from=2026-03-01&to=2026-03-20")).statement.closingMinor);
  });

  it("name the field of a bad date or a reversed period and draw nothing", async () => {
    const { customer, cookie } = await ledger();
    const path = `/staff/customers/${customer.id}/statement`;
    const load = (search: string) => outcome(() => statementPage.loader(args(get(`${path}?${search}`, cookie), { customerId: customer.id })));
    expect(await load("from=2026-02-30")).toMatchObject({ status: 400, data: { statement: null, errors: { from: "From date must be a date like 2026-01-31" } } });
    expect(await load("from=2026-03-01&to=2026-02-01")).toMatchObject({ status: 400, data: { errors: { from: "From date must be on or before the To date" } } });
    expect(await load("kind=open_item&asOf=yesterday")).toMatchObject({ status: 400, data: { errors: { asOf: "As-of date must be a date like 2026-01-31" } } });
    expect(await load("kind=weekly")).toMatchObject({ status: 400, data: { errors: { kind: "Statement must be Activity or Open items" } } });
    // Empty fields take the defaults: this month.
    const defaults = await load("from=&to=");
    expect(defaults.status).toBe(200);
    expect((defaults.data as { statement: Statement }).statement.from).toMatch(/^\d{4}-\d{2}-01$/);
    const pdf = (await outcome(() => statementPdfRoute.loader(args(get(`${path}.pdf?to=0000-01-01`, cookie), { customerId: customer.id })))) as { status: number };
    expect(pdf.status).toBe(400);
    const csv = await statementCsvRoute.loader(args(get(`${path}.csv?from=2026-02-01&to=2026-01-01`, cookie), { customerId: customer.id })).catch((r: Response) => r);
    expect(csv.status).toBe(400);
    expect(await csv.text()).toBe("From date must be on or before the To date");
  });

  it("answer 404 for a wrong or malformed customer id and send a signed-out visitor to sign in", async () => {
    const staff = await createStaff({ role: "viewer" });
    const cookie = await cookieFor({ audience: "staff", staffUserId: staff.id });
    for (const customerId of [UNKNOWN_ID, "not-a-uuid"]) {
      for (const route of [statementPage, statementPdfRoute, statementCsvRoute]) {
        expect((await outcome(() => route.loader(args(get(`/staff/customers/${customerId}/statement`, cookie), { customerId })))).status).toBe(404);
      }
    }
    const customer = await createCustomer();
    for (const route of [statementPage, statementPdfRoute, statementCsvRoute]) {
      expect(await outcome(() => route.loader(args(get(`/staff/customers/${customer.id}/statement.pdf`), { customerId: customer.id })))).toMatchObject({
        status: 302,
        location: expect.stringMatching(/^\/staff\/sign-in\?redirectTo=/),
      });
    }
    const contact = await createContact({ customerId: customer.id });
    const portalCookie = await cookieFor({ audience: "portal", portalUserId: contact.id });
    expect((await outcome(() => statementCsvRoute.loader(args(get(`/staff/customers/${customer.id}/statement.csv`, portalCookie), { customerId: customer.id })))).status).toBe(302);
  });
});

describe("invoice and credit note PDFs", () => {
  it("carry the number, the customer and the total, and download as INV-000123.pdf", async () => {
    const { cookie, invoices, credit } = await ledger();
    const response = (await invoicePdfRoute.loader(args(get(`/staff/invoices/${invoices.a.id}/pdf`, cookie), { invoiceId: invoices.a.id }))) as Response;
    expect(response.headers.get("Content-Disposition")).toBe(`attachment; filename="${invoices.a.number}.pdf"`);
    const text = (await pdfLines(await response.arrayBuffer())).join("\n");
    expect(text).toContain(invoices.a.number!);
    expect(text).toContain("Zoë Ørsted & Søn");
    expectRow(text.split("\n"), ["Total", "€1,306.25"]);
    expectRow(text.split("\n"), ["Paid", "-€500.00"]);
    expectRow(text.split("\n"), ["Amount due", "€806.25"]);
    expectRow(text.split("\n"), ["Pallets of widgets", "4", "€250.00", "25%", "€1,000.00"]);
    expect(text).toContain(`/invoices/${invoices.a.publicToken}`);

    const note = (await creditNotePdfRoute.loader(args(get(`/staff/credit-notes/${credit.id}/pdf`, cookie), { creditNoteId: credit.id }))) as Response;
    expect(note.headers.get("Content-Disposition")).toBe(`attachment; filename="${credit.number}.pdf"`);
    const noteText = await pdfLines(await note.arrayBuffer());
    expect(noteText.join("\n")).toContain(credit.number);
    expect(noteText.join("\n")).toContain("Zoë Ørsted & Søn");
    expectRow(noteText, ["Total credit", "€60.00"]);
    expectRow(noteText, [`Invoice ${invoices.b.number}`, "€60.00"]);
  });

  it("print dollars, pounds and yen, and write what Helvetica cannot print as plain letters", async () => {
    const cases = [
      { currency: "USD", unitPriceMinor: 123456, total: "$1,234.56" },
      { currency: "GBP", unitPriceMinor: 99, total: "£0.99" },
      { currency: "JPY", unitPriceMinor: 150000, total: "¥150,000" },
      { currency: "INR", unitPriceMinor: 50000, total: "INR 500.00" },
    ];
    const staff = await createStaff({ role: "viewer" });
    const cookie = await cookieFor({ audience: "staff", staffUserId: staff.id });
    for (const { currency, unitPriceMinor, total } of cases) {
      const customer = await createCustomer({ name: "Łódź Trading 株式会社", currency });
      const invoice = await createIssuedInvoice({ customerId: customer.id, lines: [{ description: "Ünïcödé “quoted” item — 1–30", quantityMilli: 1000, unitPriceMinor, taxRateBps: 0 }] }, system);
      const response = (await invoicePdfRoute.loader(args(get(`/staff/invoices/${invoice.id}/pdf`, cookie), { invoiceId: invoice.id }))) as Response;
      const lines = await pdfLines(await response.arrayBuffer());
      expectRow(lines, ["Total", total]);
      expect(lines.join("\n")).toContain("Lódz Trading ????");
      expect(lines.join("\n")).toContain("Ünïcödé “quoted” item — 1–30");
    }
  });

  it("mark a draft as such and answer 404 for wrong or malformed ids", async () => {
    const staff = await createStaff({ role: "viewer" });
    const cookie = await cookieFor({ audience: "staff", staffUserId: staff.id });
    const customer = await createCustomer();
    const draft = await createDraftInvoice({ customerId: customer.id, lines: [{ description: "Not yet", quantityMilli: 1000, unitPriceMinor: 500, taxRateBps: 0 }] }, system);
    const response = (await invoicePdfRoute.loader(args(get(`/staff/invoices/${draft.id}/pdf`, cookie), { invoiceId: draft.id }))) as Response;
    expect(response.headers.get("Content-Disposition")).toBe(`attachment; filename="draft-${draft.id.slice(0, 8)}.pdf"`);
    const text = (await pdfLines(await response.arrayBuffer())).join("\n");
    expect(text).toContain("DRAFT");
    expect(text).not.toContain("Pay online");
    for (const id of [UNKNOWN_ID, "123"]) {
      expect((await outcome(() => invoicePdfRoute.loader(args(get(`/staff/invoices/${id}/pdf`, cookie), { invoiceId: id })))).status).toBe(404);
      expect((await outcome(() => creditNotePdfRoute.loader(args(get(`/staff/credit-notes/${id}/pdf`, cookie), { creditNoteId: id })))).status).toBe(404);
    }
    expect(await outcome(() => invoicePdfRoute.loader(args(get(`/staff/invoices/${draft.id}/pdf`), { invoiceId: draft.id })))).toMatchObject({ status: 302 });
    expect(await outcome(() => creditNotePdfRoute.loader(args(get(`/staff/credit-notes/${UNKNOWN_ID}/pdf`), { creditNoteId: UNKNOWN_ID })))).toMatchObject({ status: 302 });
  });
});

describe("public invoice link", () => {
  it("shows an issued invoice without sign-in, as a page and a PDF, and nothing else of the customer's", async () => {
    const { invoices } = await ledger();
    const token = invoices.a.publicToken;
    const page = await outcome(() => publicInvoice.loader(args(get(`/invoices/${token}`), { token })));
    expect(page.status).toBe(200);
    const { doc, pdfHref, payHref } = page.data as Awaited<ReturnType<typeof publicInvoice.loader>>;
    expect(pdfHref).toBe(`/invoices/${token}.pdf`);
    expect(payHref).toBe("/portal/sign-in?redirectTo=%2Fportal");
    expect(Object.keys(doc.customer).sort()).toEqual(["accountNumber", "addressLines", "email", "legalName", "name", "taxId"]);
    const markup = renderToStaticMarkup(createElement(InvoiceDocumentView, { doc, headingLevel: "h1" }));
    expectRow(htmlRows(markup), ["Pallets of widgets", "4", "€250.00", "25%", "€1,000.00"]);
    expect(markup).toContain("€806.25");
    const pdf = (await publicInvoicePdf.loader(args(get(`/invoices/${token}.pdf`), { token }))) as Response;
    expect(pdf.headers.get("Content-Disposition")).toBe(`attachment; filename="${invoices.a.number}.pdf"`);
    expect((await pdfLines(await pdf.arrayBuffer())).join("\n")).toContain("€806.25");
  });

  it("answers the same 404 for an unknown token, a malformed one and a draft's", async () => {
    const customer = await createCustomer();
    const draft = await createDraftInvoice({ customerId: customer.id, lines: [{ description: "Secret", quantityMilli: 1000, unitPriceMinor: 500, taxRateBps: 0 }] }, system);
    for (const token of [draft.publicToken, "a".repeat(32), "../../etc/passwd", ""]) {
      for (const route of [publicInvoice, publicInvoicePdf]) {
        const thrown = await route.loader(args(get(`/invoices/${token}`), { token })).catch((r: Response) => r);
        expect(thrown).toBeInstanceOf(Response);
        expect((thrown as Response).status).toBe(404);
        expect(await (thrown as Response).text()).toBe("This invoice link is not valid. Check the link in the email you received, or ask the sender for a new one.");
      }
    }
  });
});
