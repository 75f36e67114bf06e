/**
 * ISO 20022 camt.053 (bank-to-customer statement), versions .001.02 to .001.08, read into
 * `ParsedStatement`. Namespace prefixes are dropped, so the version only shows in the few places
 * where the schema moved a field (v8 wraps the debtor in `Pty`).
 */
import { createHash } from "node:crypto";
import { XMLParser } from "fast-xml-parser";
import { currencyExponent, MoneyError } from "~/money/money";
import { isIsoDate, type IsoDate } from "~/utils/dates";
import { BankFileError, type BankLine, type ParsedStatement } from "./types";

type Node = Record<string, unknown>;

// Elements that may repeat: always arrays, so one entry and many read the same way.
const repeated = new Set(["Stmt", "Bal", "Ntry", "NtryDtls", "TxDtls", "Ustrd", "Strd", "CdtrRefInf"]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  removeNSPrefix: true,
  // Amounts stay strings: a parsed number would be a float (ADR 003).
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => repeated.has(name),
});

/**
 * "1234.5" in `currency` -> 123450 minor units, by string arithmetic. More decimals than the
 * currency has are refused unless they are zeros; `where` prefixes the error message.
 */
export function decimalToMinor(text: string, currency: string, where: string): number {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new BankFileError(`${where}: "${text}" is not an amount`);
  const exponent = currencyExponent(currency);
  const [, whole = "", rawFraction = ""] = match;
  const fraction = rawFraction.replace(/0+$/, "");
  if (fraction.length > exponent) throw new BankFileError(`${where}: "${text}" has more decimals than ${currency} allows`);
  const value = BigInt(whole + fraction.padEnd(exponent, "0"));
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new BankFileError(`${where}: "${text}" is too large`);
  return Number(value);
}

const asNode = (value: unknown): Node | undefined => (value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Node) : undefined);

/** The node at a path of element names; arrays on the way are entered at their first item. */
function at(node: unknown, ...path: string[]): unknown {
  let current: unknown = node;
  for (const name of path) {
    if (Array.isArray(current)) current = current[0];
    const object = asNode(current);
    if (!object) return undefined;
    current = object[name];
  }
  return Array.isArray(current) && path.length > 0 && !repeated.has(path[path.length - 1]!) ? current[0] : current;
}

function text(node: unknown, ...path: string[]): string | null {
  const value = at(node, ...path);
  if (typeof value === "string") return value.trim() || null;
  const object = asNode(value);
  if (object && typeof object["#text"] === "string") return object["#text"].trim() || null;
  return null;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

function readCurrency(code: string | null, where: string): string {
  if (!code) throw new BankFileError(`${where}: the amount has no Ccy attribute`);
  try {
    currencyExponent(code);
  } catch (error) {
    if (error instanceof MoneyError) throw new BankFileError(`${where}: "${code}" is not a currency code`);
    throw error;
  }
  return code;
}

/** An `Amt` element with its `Ccy` attribute, in minor units. */
function readAmount(node: unknown, where: string): { amountMinor: number; currency: string } | null {
  const amount = asNode(node);
  if (node === undefined) return null;
  const value = typeof node === "string" ? node : amount && typeof amount["#text"] === "string" ? amount["#text"] : null;
  if (value === null) throw new BankFileError(`${where}: Amt has no value`);
  const currency = readCurrency(amount && typeof amount["@_Ccy"] === "string" ? amount["@_Ccy"] : null, where);
  return { amountMinor: decimalToMinor(value, currency, where), currency };
}

/** `Dt` or `DtTm` under a date element; a date-time keeps the date as written (the bank's day). */
function readDate(node: unknown, where: string, name: string): IsoDate | null {
  if (node === undefined) return null;
  const value = text(node, "Dt") ?? text(node, "DtTm")?.slice(0, 10) ?? null;
  if (value === null) throw new BankFileError(`${where}: ${name} has neither Dt nor DtTm`);
  if (!isIsoDate(value)) throw new BankFileError(`${where}: ${name} "${value}" is not a date`);
  return value;
}

function readDirection(node: unknown, where: string): "credit" | "debit" {
  const indicator = text(node, "CdtDbtInd");
  if (indicator === "CRDT") return "credit";
  if (indicator === "DBIT") return "debit";
  throw new BankFileError(indicator ? `${where}: CdtDbtInd "${indicator}" is neither CRDT nor DBIT` : `${where}: CdtDbtInd is missing`);
}

// v2 names the party directly (Dbtr/Nm); v8 wraps it (Dbtr/Pty/Nm).
const partyName = (parties: unknown, role: "Dbtr" | "Cdtr") => text(parties, role, "Nm") ?? text(parties, role, "Pty", "Nm");
const partyAccount = (parties: unknown, role: "DbtrAcct" | "CdtrAcct") => text(parties, role, "Id", "IBAN") ?? text(parties, role, "Id", "Othr", "Id");

function remittanceOf(node: unknown): string {
  const info = at(node, "RmtInf");
  const unstructured = list(at(info, "Ustrd")).map((u) => (typeof u === "string" ? u : text(u)) ?? "");
  const structured = list(at(info, "Strd")).flatMap((s) => list(at(s, "CdtrRefInf")).map((ref) => text(ref, "Ref") ?? ""));
  return [...unstructured, ...structured].map((part) => part.trim()).filter(Boolean).join(" ");
}

const sha256 = (parts: unknown[]) => createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32);

// Entries a bank lists but has not booked are not money on the account yet.
const unbooked = new Set(["PDNG", "INFO", "FUTR"]);

export function parseCamt053(xml: string): ParsedStatement {
  let document: Node;
  try {
    document = parser.parse(xml, true) as Node;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new BankFileError(`The file is not well-formed XML: ${detail}`);
  }
  const root = at(document, "Document", "BkToCstmrStmt");
  if (!asNode(root)) {
    const other = at(document, "Document", "BkToCstmrAcctRpt") !== undefined ? "camt.052" : at(document, "Document", "BkToCstmrDbtCdtNtfctn") !== undefined ? "camt.054" : null;
    throw new BankFileError(other ? `This is a ${other} file, not a camt.053 statement` : "Not a camt.053 statement: Document/BkToCstmrStmt is missing");
  }
  const statements = list(at(root, "Stmt"));
  if (statements.length === 0) throw new BankFileError("The statement file holds no Stmt");

  const result: ParsedStatement = { format: "camt053", statementId: null, accountId: null, currency: null, openingBalanceMinor: null, closingBalanceMinor: null, lines: [] };
  let entryNumber = 0;
  statements.forEach((statement, s) => {
    const statementId = text(statement, "Id");
    const accountId = text(statement, "Acct", "Id", "IBAN") ?? text(statement, "Acct", "Id", "Othr", "Id");
    if (s === 0) {
      result.statementId = statementId;
      result.accountId = accountId;
      result.currency = text(statement, "Acct", "Ccy");
    } else if (accountId !== result.accountId) {
      throw new BankFileError(`Statement ${s + 1} is for account ${accountId ?? "(none)"}, the first for ${result.accountId ?? "(none)"}: import one account per file`);
    }
    for (const [b, balance] of list(at(statement, "Bal")).entries()) {
      const code = text(balance, "Tp", "CdOrPrtry", "Cd");
      if (code !== "OPBD" && code !== "PRCD" && code !== "CLBD") continue;
      const where = `Statement ${s + 1}, balance ${b + 1} (${code})`;
      const amount = readAmount(at(balance, "Amt"), where);
      if (!amount) throw new BankFileError(`${where}: Amt is missing`);
      const signed = readDirection(balance, where) === "debit" ? -amount.amountMinor : amount.amountMinor;
      // A file of several statements opens with the first and closes with the last.
      if (code === "CLBD") result.closingBalanceMinor = signed;
      else if (s === 0 && (code === "OPBD" || result.openingBalanceMinor === null)) result.openingBalanceMinor = signed;
    }
    for (const entry of list(at(statement, "Ntry"))) {
      entryNumber += 1;
      result.lines.push(...readEntry(entry, entryNumber, statementId));
    }
  });
  return result;
}

function readEntry(entry: unknown, entryNumber: number, statementId: string | null): BankLine[] {
  const where = `Entry ${entryNumber}`;
  const status = text(entry, "Sts") ?? text(entry, "Sts", "Cd");
  if (status && unbooked.has(status)) return [];
  const amount = readAmount(at(entry, "Amt"), where);
  if (!amount) throw new BankFileError(`${where}: Amt is missing`);
  if (amount.amountMinor === 0) return [];
  const direction = readDirection(entry, where);
  const bookingDate = readDate(at(entry, "BookgDt"), where, "BookgDt") ?? readDate(at(entry, "ValDt"), where, "ValDt");
  if (!bookingDate) throw new BankFileError(`${where}: BookgDt is missing`);
  const valueDate = readDate(at(entry, "ValDt"), where, "ValDt");
  const servicerRef = text(entry, "AcctSvcrRef");
  const entryRef = text(entry, "NtryRef");
  const transactions = list(at(entry, "NtryDtls")).flatMap((details) => list(at(details, "TxDtls")));
  const counterparty = direction === "credit" ? "Dbtr" : "Cdtr";

  const lineOf = (tx: unknown, amountMinor: number, ref: string): BankLine => {
    const parties = at(tx, "RltdPties");
    const endToEnd = text(tx, "Refs", "EndToEndId");
    return {
      entryRef: ref,
      bookingDate,
      valueDate,
      amountMinor,
      currency: amount.currency,
      direction,
      payerName: partyName(parties, counterparty),
      payerAccount: partyAccount(parties, counterparty === "Dbtr" ? "DbtrAcct" : "CdtrAcct"),
      remittance: remittanceOf(tx) || (text(tx, "AddtlTxInf") ?? text(entry, "AddtlNtryInf") ?? ""),
      bankReference: (endToEnd && endToEnd !== "NOTPROVIDED" ? endToEnd : null) ?? text(tx, "Refs", "AcctSvcrRef") ?? servicerRef ?? entryRef,
    };
  };
  const fallbackRef = (remittance: string) => servicerRef ?? entryRef ?? `sha256:${sha256([statementId, entryNumber, amount.amountMinor, amount.currency, bookingDate, remittance])}`;

  if (transactions.length > 1) {
    const amounts = transactions.map((tx, t) => {
      const txWhere = `${where}, transaction ${t + 1}`;
      const txAmount = readAmount(at(tx, "AmtDtls", "TxAmt", "Amt"), txWhere) ?? readAmount(at(tx, "Amt"), txWhere);
      return txAmount && txAmount.currency === amount.currency ? txAmount.amountMinor : null;
    });
    // Split only when the parts add up to the entry; otherwise (charges, foreign currency) one line keeps the money right.
    if (amounts.every((a): a is number => a !== null && a > 0) && amounts.reduce((sum, a) => sum + a, 0) === amount.amountMinor) {
      const base = fallbackRef(transactions.map(remittanceOf).join(" "));
      return transactions.map((tx, t) => lineOf(tx, amounts[t]!, `${base}/${t + 1}`));
    }
    const line = lineOf(transactions[0], amount.amountMinor, "");
    line.remittance = transactions.map(remittanceOf).filter(Boolean).join(" ");
    line.entryRef = fallbackRef(line.remittance);
    return [line];
  }
  const line = lineOf(transactions[0] ?? {}, amount.amountMinor, "");
  line.entryRef = fallbackRef(line.remittance);
  return [line];
}
