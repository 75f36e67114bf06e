import { and, asc, count, eq, gte } from "drizzle-orm";
import { bankStatements, customers, invoices, reconciliationExceptions } from "./schema";
import type { Db } from "./client";
import { demoProcessor } from "~/payments/demo-processor.server";
import { processorCustomer } from "~/payments/attempts.server";
import { importBankFile, saveBankMapping } from "~/reconciliation/bank-import.server";
import { settleProcessorIntent } from "~/reconciliation/processor-money.server";
import { systemActor } from "~/ledger/actor";
import { addDays, today as todayIn, type IsoDate } from "~/utils/dates";

/**
 * Reconciliation work for the demo: a card payment nobody started in Settle (it waits as credit on
 * the exceptions queue), and this week's bank statement with clean, messy and unknown lines, so a
 * clerk has something to confirm and resolve. Customers from C-10020 on, away from the ones the
 * portal and ledger demos use. Idempotent: skipped once any statement or exception exists.
 */
export async function seedReconciliation(db: Db, { today = todayIn() }: { today?: IsoDate } = {}) {
  const [done] = await db.select({ n: count() }).from(bankStatements);
  const [queued] = await db.select({ n: count() }).from(reconciliationExceptions);
  if ((done?.n ?? 0) > 0 || (queued?.n ?? 0) > 0) return;
  const actor = systemActor("demo data");
  const candidates = await db.select().from(customers).where(and(gte(customers.accountNumber, "C-10020"), eq(customers.currency, "USD"))).orderBy(asc(customers.accountNumber)).limit(40);
  const openOf = async (customerId: string) =>
    db
      .select()
      .from(invoices)
      .where(and(eq(invoices.customerId, customerId), eq(invoices.status, "open")))
      .orderBy(asc(invoices.dueDate), asc(invoices.number));
  const withOpen: { customer: (typeof candidates)[number]; open: Awaited<ReturnType<typeof openOf>> }[] = [];
  for (const customer of candidates) {
    const open = (await openOf(customer.id)).filter((i) => i.openMinor === i.totalMinor && i.issueDate! < addDays(today, -7));
    // Distinct amounts, so the demo's matches are the clear ones they are meant to be.
    if (open.length >= 3 && new Set(open.map((i) => i.openMinor)).size === open.length) withOpen.push({ customer, open });
    if (withOpen.length === 6) break;
  }
  if (withOpen.length < 6) return;
  type Pick = (typeof withOpen)[number];
  const [card, exact, pair, byName, typo, partial] = withOpen as [Pick, Pick, Pick, Pick, Pick, Pick];

  // A card payment made outside Settle (a phone order keyed into the processor's dashboard).
  const cardInvoices = card.open.slice(0, 2);
  const intent = await demoProcessor.createPaymentIntent({
    amountMinor: cardInvoices.reduce((s, i) => s + i.openMinor, 0),
    currency: card.customer.currency,
    customer: await processorCustomer(card.customer.id, db),
    metadata: { settle_customer_id: card.customer.id, note: "Phone order keyed into the dashboard" },
    idempotencyKey: "demo-seed:dashboard-payment",
  });
  await settleProcessorIntent(await demoProcessor.confirmPayment(intent.id, "4242424242424242", db), actor, db);

  // This week's bank statement.
  const number = (i: { number: string | null }) => i.number!;
  const bare = (i: { number: string | null }) => String(Number(i.number!.replace(/\D/g, "")));
  const typoOf = (i: { number: string | null }) => {
    const digits = bare(i).split("");
    const last = digits.length - 1;
    [digits[last - 1], digits[last]] = [digits[last]!, digits[last - 1]!];
    return digits.join("") === bare(i) ? `${bare(i)}9` : digits.join("");
  };
  const money = (minor: number) => (minor / 100).toFixed(2);
  const lines = [
    { ref: "DEMO-STMT-1", amount: exact.open[0]!.openMinor, payer: exact.customer.name.toUpperCase(), text: `Invoice ${number(exact.open[0]!)}` },
    { ref: "DEMO-STMT-2", amount: pair.open[0]!.openMinor + pair.open[1]!.openMinor, payer: pair.customer.legalName ?? pair.customer.name, text: `Inv ${bare(pair.open[0]!)} + ${bare(pair.open[1]!)}` },
    // No payer name and a bare number: likely, not sure enough to apply alone.
    { ref: "DEMO-STMT-3", amount: byName.open[1]!.openMinor, payer: "", text: `Payment ${bare(byName.open[1]!)}` },
    { ref: "DEMO-STMT-4", amount: typo.open[0]!.openMinor, payer: typo.customer.name, text: `Re ${typoOf(typo.open[0]!)}` },
    { ref: "DEMO-STMT-5", amount: Math.floor(partial.open[0]!.openMinor / 2), payer: partial.customer.name, text: `${number(partial.open[0]!)} part payment` },
    { ref: "DEMO-STMT-6", amount: 1_243, payer: "First Harbor Bank", text: "Interest" },
    { ref: "DEMO-STMT-7", amount: 250_000, payer: "Bayside Properties LLC", text: "Rent", debit: true },
  ];
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>DEMO-${today}</MsgId><CreDtTm>${today}T18:00:00</CreDtTm></GrpHdr><Stmt><Id>DEMO-${today}</Id>
<Acct><Id><IBAN>US64SETTLEDEMO0000000001</IBAN></Id><Ccy>USD</Ccy></Acct>
${lines
  .map(
    (l, index) => `<Ntry><Amt Ccy="USD">${money(l.amount)}</Amt><CdtDbtInd>${l.debit ? "DBIT" : "CRDT"}</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>${addDays(today, -(lines.length - index) % 4)}</Dt></BookgDt><AcctSvcrRef>${l.ref}</AcctSvcrRef>
<NtryDtls><TxDtls><RltdPties><${l.debit ? "Cdtr" : "Dbtr"}><Nm>${escapeXml(l.payer)}</Nm></${l.debit ? "Cdtr" : "Dbtr"}></RltdPties><RmtInf><Ustrd>${escapeXml(l.text)}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`,
  )
  .join("\n")}
</Stmt></BkToCstmrStmt></Document>`;
  await importBankFile({ fileName: `statement-${today}.xml`, content: xml, format: "camt053", mappingId: null }, actor, db);
  await saveBankMapping(
    {
      name: "First Harbor Bank (CSV export)",
      mapping: { delimiter: ",", hasHeader: true, dateColumn: "Date", dateFormat: "MM/DD/YYYY", creditColumn: "Credit", debitColumn: "Debit", decimalSeparator: ".", currency: "USD", payerColumn: "Description", remittanceColumns: ["Memo"], referenceColumn: "Reference" },
    },
    { type: "staff", id: (await firstAdmin(db))!, label: "demo data" },
    db,
  );
}

const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

async function firstAdmin(db: Db) {
  const { staffUsers } = await import("./schema");
  const [admin] = await db.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.role, "admin")).limit(1);
  return admin?.id;
}
