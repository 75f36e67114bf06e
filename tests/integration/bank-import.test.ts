import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { bankLines, invoices, payments, payouts, reconciliationExceptions } from "~db/schema";
import { runCli } from "~/cli/cli";
import { importBankFile, saveBankMapping } from "~/reconciliation/bank-import.server";
import { resolveException } from "~/reconciliation/exceptions.server";
import { addDays, today } from "~/utils/dates";
import { createCustomer, createStaff, issuedInvoice } from "./factories";
import { ledgerViolations } from "./ledger-invariants";

/** Bank statements against the books: applied, suggested, payouts, noise, and a second import. */

type Entry = { ref: string; amount: string; credit?: boolean; date?: string; payer?: string; text: string };

function camt(entries: Entry[]) {
  const body = entries
    .map(
      (e) => `<Ntry><Amt Ccy="USD">${e.amount}</Amt><CdtDbtInd>${e.credit === false ? "DBIT" : "CRDT"}</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>${e.date ?? today()}</Dt></BookgDt><AcctSvcrRef>${e.ref}</AcctSvcrRef>
        <NtryDtls><TxDtls><RltdPties><Dbtr><Nm>${e.payer ?? ""}</Nm></Dbtr></RltdPties><RmtInf><Ustrd>${e.text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`,
    )
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>S-1120</Id>
<Acct><Id><IBAN>US00SETTLE0000000001</IBAN></Id><Ccy>USD</Ccy></Acct>
${body}
</Stmt></BkToCstmrStmt></Document>`;
}

const dollars = (minor: number) => (minor / 100).toFixed(2);
const system = { type: "system" as const, label: "test" };

async function business() {
  const acme = await createCustomer({ name: "Acme International Limited", accountNumber: "C-20001" });
  const globex = await createCustomer({ name: "Globex Corporation", accountNumber: "C-20002" });
  const a1 = await issuedInvoice({ customerId: acme.id, amounts: [12_500] });
  const a2 = await issuedInvoice({ customerId: acme.id, amounts: [7_300] });
  const a3 = await issuedInvoice({ customerId: acme.id, amounts: [4_100] });
  const g1 = await issuedInvoice({ customerId: globex.id, amounts: [99_900] });
  const g2 = await issuedInvoice({ customerId: globex.id, amounts: [15_000] });
  return { acme, globex, a1, a2, a3, g1, g2 };
}

const invoiceRow = async (id: string) => (await getDb().select().from(invoices).where(eq(invoices.id, id)))[0]!;

describe("importing a camt.053 statement", () => {
  it("applies sure matches, suggests the likely, leaves noise and debits alone, and changes nothing the second time", async () => {
    const { acme, globex, a1, a2, a3, g1, g2 } = await business();
    const [payout] = await getDb().insert(payouts).values({ processorPayoutId: "po_test_1", currency: "USD", amountMinor: 48_213, status: "paid", arrivalDate: addDays(today(), -1), reconciliation: "balanced" }).returning();
    const digits = (n: string | null) => String(Number(n!.replace(/\D/g, "")));
    const xml = camt([
      { ref: "B-1", amount: dollars(12_500), payer: "ACME INTL LTD", text: `Invoice ${a1.number}` },
      { ref: "B-2", amount: dollars(7_300 + 4_100), payer: "Acme International", text: `${digits(a2.number)} and ${digits(a3.number)}` },
      { ref: "B-3", amount: dollars(48_213), payer: "STRIPE", text: "STRIPE PAYOUT po_test_1" },
      { ref: "B-4", amount: "3.17", payer: "First National Bank", text: "Interest November" },
      { ref: "B-5", amount: "250.00", credit: false, payer: "Landlord", text: "Rent" },
      { ref: "B-6", amount: dollars(50_000), payer: "Globex Corp", text: "part payment" },
    ]);
    const first = await importBankFile({ fileName: "nov.xml", content: xml, format: null, mappingId: null }, system);
    const decisions = Object.fromEntries(first.outcomes.map((o) => [o.entryRef, o.decision]));
    expect(decisions).toEqual({ "B-1": "applied", "B-2": "applied", "B-3": "payout", "B-4": "unmatched", "B-5": "ignored", "B-6": "suggested" });
    expect([(await invoiceRow(a1.id)).status, (await invoiceRow(a2.id)).status, (await invoiceRow(a3.id)).status]).toEqual(["paid", "paid", "paid"]);
    for (const outcome of first.outcomes) expect(outcome.reasons.length).toBeGreaterThan(0);
    expect((await getDb().select().from(payouts).where(eq(payouts.id, payout!.id)))[0]!.bankLineId).toBeTruthy();
    const queue = await getDb().select().from(reconciliationExceptions);
    expect(queue.map((e) => e.kind).sort()).toEqual(["bank_suggestion", "bank_unmatched"]);
    const suggestion = queue.find((e) => e.kind === "bank_suggestion")!;
    expect(suggestion.suggestion).toMatchObject({ customerId: globex.id });

    // The same file again, or a file repeating these lines: nothing changes.
    const before = await getDb().select().from(payments);
    const again = await importBankFile({ fileName: "nov-copy.xml", content: xml, format: "camt053", mappingId: null }, system);
    expect(again.outcomes.every((o) => o.decision === "duplicate")).toBe(true);
    expect(await getDb().select().from(payments)).toHaveLength(before.length);
    expect(await getDb().select().from(reconciliationExceptions)).toHaveLength(2);

    // A clerk confirms the suggestion in one click: the line becomes Globex's payment.
    const clerk = await createStaff({ role: "clerk" });
    const proposal = suggestion.suggestion!;
    await resolveException(
      suggestion.id,
      proposal.allocations.length > 0 ? { action: "apply", customerId: proposal.customerId!, allocations: proposal.allocations } : { action: "credit", customerId: proposal.customerId! },
      { type: "staff", id: clerk.id, label: clerk.name },
    );
    const [line] = await getDb().select().from(bankLines).where(eq(bankLines.id, suggestion.bankLineId!));
    expect(line).toMatchObject({ status: "applied", customerId: globex.id });
    const [globexPayment] = await getDb().select().from(payments).where(eq(payments.customerId, globex.id));
    expect(globexPayment).toMatchObject({ amountMinor: 50_000, method: "wire" });
    expect((await invoiceRow(g1.id)).openMinor + (await invoiceRow(g2.id)).openMinor).toBe(99_900 + 15_000 - globexPayment!.allocatedMinor);
    expect(acme.id).toBeTruthy();
    expect(await ledgerViolations()).toEqual([]);
  });

  it("refuses a broken file with a message naming the problem, and stores nothing", async () => {
    await expect(importBankFile({ fileName: "bad.xml", content: "<Document><BkToCstmrStmt><Stmt><Ntry><CdtDbtInd>CRDT</CdtDbtInd></Ntry></Stmt></BkToCstmrStmt></Document>", format: null, mappingId: null }, system)).rejects.toMatchObject({
      field: "file",
      message: expect.stringMatching(/Entry 1.*Amt/),
    });
    await expect(importBankFile({ fileName: "x.csv", content: "a;b\n1;2", format: "csv", mappingId: null }, system)).rejects.toMatchObject({ field: "mappingId" });
    expect(await getDb().select().from(bankLines)).toEqual([]);
  });
});

describe("a bank CSV with a saved mapping, and the CLI", () => {
  it("prints one JSON object per line with its decision, invoices, confidence and reasons", async () => {
    const { a1 } = await business();
    const clerk = await createStaff({ role: "admin" });
    await saveBankMapping(
      { name: "First National", mapping: { delimiter: ";", hasHeader: true, dateColumn: "Datum", dateFormat: "DD.MM.YYYY", amountColumn: "Betrag", decimalSeparator: ",", currency: "USD", payerColumn: "Name", remittanceColumns: ["Zweck"], referenceColumn: "Ref" } },
      { type: "staff", id: clerk.id, label: clerk.name },
    );
    await expect(saveBankMapping({ name: "Broken", mapping: { hasHeader: true } }, { type: "staff", id: clerk.id, label: clerk.name })).rejects.toMatchObject({ field: expect.any(String) });
    const dir = await mkdtemp(join(tmpdir(), "settle-bank-"));
    const file = join(dir, "statement.csv");
    const day = today().split("-").reverse().join(".");
    await writeFile(file, `Datum;Name;Zweck;Betrag;Ref\n${day};ACME INTL LTD;${a1.number};125,00;R-1\n${day};Nobody;Gift;1.000,00;R-2\n`);
    let out = "";
    let err = "";
    const sink = (write: (s: string) => void) => new Writable({ write: (chunk, _e, done) => (write(String(chunk)), done()) });
    const io = { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) };
    expect(await runCli(["bank-import", file, "--mapping", "First National", "--json"], io)).toBe(0);
    const lines = out.trim().split("\n").map((l) => JSON.parse(l) as { entryRef: string; decision: string; invoices: { number: string; amount: number }[]; confidence: number; reasons: string[] });
    expect(lines.map((l) => [l.entryRef, l.decision])).toEqual([["R-1", "applied"], ["R-2", "unmatched"]]);
    expect(lines[0]!.invoices).toEqual([expect.objectContaining({ number: a1.number, amount: 12_500 })]);
    expect(lines[0]!.confidence).toBeGreaterThanOrEqual(90);
    expect(err).toMatch(/1 applied/);
    out = "";
    expect(await runCli(["bank-import", file, "--mapping", "First National", "--json"], io)).toBe(0);
    expect(out.trim().split("\n").map((l) => (JSON.parse(l) as { decision: string }).decision)).toEqual(["duplicate", "duplicate"]);
    expect(await runCli(["bank-import", file], io)).toBe(2);
    expect(err).toMatch(/needs --mapping/);
  });
});

describe("a suggestion for money already in the books", () => {
  it("proposes the open invoices a customer's unplaced payment most likely pays", async () => {
    const customer = await createCustomer({ name: "Northern Lights Dairy" });
    const a = await issuedInvoice({ customerId: customer.id, amounts: [6_000] });
    const b = await issuedInvoice({ customerId: customer.id, amounts: [4_000] });
    await issuedInvoice({ customerId: customer.id, amounts: [7_500] });
    const { recordPayment } = await import("~/ledger/payments.server");
    const { getExceptionDetail, openException } = await import("~/reconciliation/exceptions.server");
    const payment = await recordPayment({ customerId: customer.id, amountMinor: 10_000, method: "card", reference: "pi_x", receivedOn: today(), idempotencyKey: "processor:pi_x" }, system);
    const exception = await openException({ kind: "unmatched_payment", sourceKey: "intent:pi_x", currency: "USD", amountMinor: 10_000, reason: "test", occurredOn: today(), customerId: customer.id, paymentId: payment.id, processorObjectId: "pi_x" }, system);
    const detail = await getExceptionDetail(exception.id, null);
    expect(detail!.exception.suggestion).toMatchObject({ customerId: customer.id, creditMinor: 0 });
    expect(detail!.exception.suggestion!.allocations.map((x) => [x.invoiceId, x.amountMinor]).sort()).toEqual([[a.id, 6_000], [b.id, 4_000]].sort());
    expect(detail!.exception.suggestion!.reasons.join(" ")).toMatch(/Amount equals/);
  });
});
