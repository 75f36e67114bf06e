import { describe, expect, it } from "vitest";
import { generateBankScenario, toCamt053 } from "../../../tests/generators/bank-statements";
import { parseCamt053 } from "./camt053";
import { BankFileError } from "./types";

const v2 = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-03-31T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-0331</Id>
      <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-01</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">12.5</Amt><CdtDbtInd>DBIT</CdtDbtInd><Dt><Dt>2026-03-31</Dt></Dt></Bal>
      <Ntry>
        <Amt Ccy="EUR">1234.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2026-03-02</Dt></BookgDt><ValDt><Dt>2026-03-03</Dt></ValDt>
        <AcctSvcrRef>BANK-1</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>E2E-77</EndToEndId></Refs>
          <RltdPties><Dbtr><Nm>ACME INTL LTD</Nm></Dbtr><DbtrAcct><Id><IBAN>GB29NWBK60161331926819</IBAN></Id></DbtrAcct></RltdPties>
          <RmtInf><Ustrd>INV-000123</Ustrd><Ustrd>thank you</Ustrd><Strd><CdtrRefInf><Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <NtryRef>N-2</NtryRef>
        <Amt Ccy="EUR">99</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><DtTm>2026-03-04T09:30:00+01:00</DtTm></BookgDt>
        <NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><RltdPties><Cdtr><Nm>Landlord GmbH</Nm></Cdtr></RltdPties><RmtInf><Ustrd>Rent &amp; fees</Ustrd></RmtInf></TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>PDNG</Sts><BookgDt><Dt>2026-03-05</Dt></BookgDt>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-03-06</Dt></BookgDt>
        <AddtlNtryInf>Interest March</AddtlNtryInf>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>`;

// v8: namespace prefix, Sts/Cd, Dbtr/Pty/Nm, one entry batching two transfers.
const v8 = `<?xml version="1.0"?>
<ns:Document xmlns:ns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <ns:BkToCstmrStmt>
    <ns:Stmt>
      <ns:Id>S8</ns:Id>
      <ns:Acct><ns:Id><ns:Othr><ns:Id>0532013000</ns:Id></ns:Othr></ns:Id><ns:Ccy>JPY</ns:Ccy></ns:Acct>
      <ns:Ntry>
        <ns:Amt Ccy="JPY">30000</ns:Amt><ns:CdtDbtInd>CRDT</ns:CdtDbtInd><ns:Sts><ns:Cd>BOOK</ns:Cd></ns:Sts>
        <ns:BookgDt><ns:Dt>2026-04-01</ns:Dt></ns:BookgDt>
        <ns:AcctSvcrRef>BATCH-9</ns:AcctSvcrRef>
        <ns:NtryDtls>
          <ns:TxDtls>
            <ns:Refs><ns:EndToEndId>A1</ns:EndToEndId></ns:Refs>
            <ns:Amt Ccy="JPY">10000</ns:Amt>
            <ns:RltdPties><ns:Dbtr><ns:Pty><ns:Nm>Tanaka KK</ns:Nm></ns:Pty></ns:Dbtr><ns:DbtrAcct><ns:Id><ns:Othr><ns:Id>123-456</ns:Id></ns:Othr></ns:Id></ns:DbtrAcct></ns:RltdPties>
            <ns:RmtInf><ns:Ustrd>INV-000001</ns:Ustrd></ns:RmtInf>
          </ns:TxDtls>
          <ns:TxDtls>
            <ns:Refs><ns:EndToEndId>A2</ns:EndToEndId></ns:Refs>
            <ns:AmtDtls><ns:TxAmt><ns:Amt Ccy="JPY">20000</ns:Amt></ns:TxAmt></ns:AmtDtls>
            <ns:RltdPties><ns:Dbtr><ns:Pty><ns:Nm>Suzuki GK</ns:Nm></ns:Pty></ns:Dbtr></ns:RltdPties>
            <ns:RmtInf><ns:Strd><ns:CdtrRefInf><ns:Ref>INV-000002</ns:Ref></ns:CdtrRefInf></ns:Strd></ns:RmtInf>
          </ns:TxDtls>
        </ns:NtryDtls>
      </ns:Ntry>
    </ns:Stmt>
  </ns:BkToCstmrStmt>
</ns:Document>`;

const errorOf = (xml: string) => {
  try {
    parseCamt053(xml);
  } catch (error) {
    expect(error).toBeInstanceOf(BankFileError);
    return (error as Error).message;
  }
  throw new Error("expected a BankFileError");
};

describe("parseCamt053", () => {
  it("reads a v2 statement: header, balances, entries, parties and remittance", () => {
    const s = parseCamt053(v2);
    expect(s).toMatchObject({ format: "camt053", statementId: "STMT-0331", accountId: "DE89370400440532013000", currency: "EUR", openingBalanceMinor: 100_000, closingBalanceMinor: -1250 });
    expect(s.lines).toHaveLength(3); // the pending entry is skipped
    expect(s.lines[0]).toEqual({
      entryRef: "BANK-1",
      bookingDate: "2026-03-02",
      valueDate: "2026-03-03",
      amountMinor: 123_450,
      currency: "EUR",
      direction: "credit",
      payerName: "ACME INTL LTD",
      payerAccount: "GB29NWBK60161331926819",
      remittance: "INV-000123 thank you RF18539007547034",
      bankReference: "E2E-77",
    });
    expect(s.lines[1]).toMatchObject({ entryRef: "N-2", bookingDate: "2026-03-04", amountMinor: 9900, direction: "debit", payerName: "Landlord GmbH", remittance: "Rent & fees", bankReference: "N-2" });
    expect(s.lines[2]).toMatchObject({ amountMinor: 500, remittance: "Interest March" });
    expect(s.lines[2]!.entryRef).toMatch(/^sha256:[0-9a-f]{32}$/);
  });

  it("gives the same refs when the same file is imported again", () => {
    expect(parseCamt053(v2).lines.map((l) => l.entryRef)).toEqual(parseCamt053(v2).lines.map((l) => l.entryRef));
  });

  it("reads a v8 statement with a prefix and splits a batched entry into its transactions", () => {
    const s = parseCamt053(v8);
    expect(s).toMatchObject({ statementId: "S8", accountId: "0532013000", currency: "JPY" });
    expect(s.lines.map((l) => [l.entryRef, l.amountMinor, l.payerName, l.payerAccount, l.remittance, l.bankReference])).toEqual([
      ["BATCH-9/1", 10_000, "Tanaka KK", "123-456", "INV-000001", "A1"],
      ["BATCH-9/2", 20_000, "Suzuki GK", null, "INV-000002", "A2"],
    ]);
  });

  it("keeps a batch as one line when its parts do not add up to the entry", () => {
    const s = parseCamt053(v8.replace(">20000<", ">19000<"));
    expect(s.lines).toHaveLength(1);
    expect(s.lines[0]).toMatchObject({ entryRef: "BATCH-9", amountMinor: 30_000, remittance: "INV-000001 INV-000002" });
  });

  it("refuses bad files, naming what is wrong and where", () => {
    expect(errorOf("<Document><BkToCstmrStmt><Stmt>")).toMatch(/not well-formed XML/);
    expect(errorOf("<Document><BkToCstmrAcctRpt/></Document>")).toBe("This is a camt.052 file, not a camt.053 statement");
    expect(errorOf("<Foo/>")).toMatch(/BkToCstmrStmt is missing/);
    const entries = (n: string) => v2.replace(/<Ntry>[\s\S]*<\/Ntry>/, n);
    expect(errorOf(entries(`<Ntry><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-03-02</Dt></BookgDt></Ntry>`))).toBe("Entry 1: Amt is missing");
    expect(errorOf(entries(`<Ntry><Amt>1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>`))).toBe("Entry 1: the amount has no Ccy attribute");
    expect(errorOf(entries(`<Ntry><Amt Ccy="EUR">1.001</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>`))).toBe('Entry 1: "1.001" has more decimals than EUR allows');
    expect(errorOf(entries(`<Ntry><Amt Ccy="EUR">1,00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>`))).toBe('Entry 1: "1,00" is not an amount');
    expect(errorOf(entries(`<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>X</CdtDbtInd></Ntry>`))).toBe('Entry 1: CdtDbtInd "X" is neither CRDT nor DBIT');
    expect(errorOf(entries(`<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>`))).toBe("Entry 1: BookgDt is missing");
    expect(errorOf(entries(`<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-02-30</Dt></BookgDt></Ntry>`))).toBe('Entry 1: BookgDt "2026-02-30" is not a date');
  });

  it("reads back every line of a generated statement exactly, in v2 and v8", () => {
    const scenario = generateBankScenario({ seed: 7, customers: 50, invoicesPerCustomer: 4, lines: 200 });
    for (const version of ["02", "08"] as const) {
      const parsed = parseCamt053(toCamt053(scenario, { version }));
      expect(parsed.lines).toEqual(scenario.lines.map((l) => l.line));
      expect(parsed.closingBalanceMinor).toBe(scenario.closingBalanceMinor);
    }
  });
});
