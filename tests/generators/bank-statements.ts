/**
 * A deterministic business and a messy bank statement with the answer to every line, so the
 * matching engine's quality can be measured (and the parsers exercised) without real data.
 * Same seed, same scenario: a failure can always be replayed.
 */
import { stringify } from "csv-stringify/sync";
import { maxEarlyDiscount } from "~/ledger/invoice-math";
import { toDecimalString } from "~/money/money";
import type { BankCsvMapping } from "~/reconciliation/bank/bank-csv";
import type { BankLine, CandidateCustomer, CandidateInvoice, CandidatePayout, MatchTruth } from "~/reconciliation/bank/types";
import { addDays, type IsoDate } from "~/utils/dates";

export type LineKind =
  | "clean"
  | "formatted"
  | "typo"
  | "several-numbers"
  | "account-only"
  | "name-only"
  | "combination"
  | "discount"
  | "partial"
  | "overpaid"
  | "on-account"
  | "payout"
  | "noise"
  | "debit";

export type ScenarioLine = { line: BankLine; truth: MatchTruth; kind: LineKind };

export type BankScenario = {
  seed: number;
  statementId: string;
  accountIban: string;
  currency: string;
  periodStart: IsoDate;
  periodEnd: IsoDate;
  openingBalanceMinor: number;
  closingBalanceMinor: number;
  customers: (CandidateCustomer & { iban: string })[];
  invoices: CandidateInvoice[];
  payouts: CandidatePayout[];
  lines: ScenarioLine[];
};

/** mulberry32: small, fast, and the same sequence on every machine. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
type Rng = ReturnType<typeof prng>;

const firstWords = [
  "Acme", "Northwind", "Blue River", "Summit", "Pioneer", "Evergreen", "Redwood", "Silverline", "Atlas", "Horizon", "Granite", "Crescent", "Harbor", "Maple", "Falcon",
  "Orion", "Vertex", "Keystone", "Riverside", "Sterling", "Oakridge", "Bright", "Cedar", "Alpine", "Coastal", "Golden Gate", "Ironclad", "Lakeside", "Meridian", "Nova",
  "Pinnacle", "Quantum", "Rapid", "Sunrise", "Trident", "Union", "Vanguard", "Westfield", "Zenith", "Apex", "Müller", "Schmidt", "Fischer", "Weber", "Becker", "Hoffmann",
  "Dubois", "Laurent", "Rossi", "Bianchi", "Jansen", "de Vries", "Andersson", "Nielsen", "Kowalski", "Novak", "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Clarke",
  "Walker", "Wright", "Hughes", "Baker", "Polaris", "Beacon", "Copperfield", "Driftwood", "Eastgate", "Foxglove", "Highland", "Juniper", "Kingsway", "Larkspur",
] as const;
const businessWords = [
  "International", "Trading", "Logistics", "Manufacturing", "Services", "Technologies", "Industries", "Systems", "Solutions", "Consulting", "Engineering", "Holdings",
  "Group", "Distribution", "Foods", "Pharma", "Textiles", "Electronics", "Construction", "Media", "Software", "Brothers", "Associates", "Partners", "Laboratories",
  "Marketing", "Supplies", "Motors", "Energy", "Design",
] as const;
const legalForms = ["GmbH", "Ltd", "Limited", "LLC", "Inc.", "S.A.", "B.V.", "AG", "Corp.", "Co.", "SARL", "plc"] as const;
const abbreviations: [RegExp, string][] = [
  [/International/, "Intl"],
  [/Services/, "Svcs"],
  [/Manufacturing/, "Mfg"],
  [/Technologies/, "Tech"],
  [/Brothers/, "Bros"],
  [/Laboratories/, "Labs"],
  [/Engineering/, "Eng"],
  [/Associates/, "Assoc"],
];

const pad = (n: number, width = 6) => String(n).padStart(width, "0");
const invoiceNumber = (n: number) => `INV-${pad(n)}`;

function iban(rng: Rng): string {
  const bban = `${pad(rng.int(10_000_000, 99_999_999), 8)}${pad(rng.int(0, 9_999_999_999), 10)}`;
  // ISO 7064 mod 97-10: "DE00" moved to the end, letters as numbers (D=13, E=14).
  const check = 98n - (BigInt(`${bban}131400`) % 97n);
  return `DE${pad(Number(check), 2)}${bban}`;
}

/** Log-uniform amounts: many small invoices, a few large ones, cents included. */
const amount = (rng: Rng, min: number, max: number) => Math.round(Math.exp(Math.log(min) + rng.next() * (Math.log(max) - Math.log(min))));

function payerNameVariant(rng: Rng, name: string): string | null {
  if (rng.chance(0.04)) return null;
  let v = name;
  const legal = new RegExp(`\\s(${legalForms.map((f) => f.replace(/\./g, "\\.")).join("|")})$`);
  if (rng.chance(0.35)) for (const [from, to] of abbreviations) v = v.replace(from, to);
  if (rng.chance(0.3)) v = v.replace(legal, "");
  else if (rng.chance(0.2)) v = legal.test(v) ? v.replace(legal, ` ${rng.pick(legalForms)}`) : `${v} ${rng.pick(legalForms)}`;
  if (rng.chance(0.1)) v = `The ${v}`;
  if (rng.chance(0.3)) v = v.replace(/[.,]/g, "");
  if (rng.chance(0.5)) v = v.toUpperCase();
  else if (rng.chance(0.2)) v = v.toLowerCase();
  // Banks cut names at a fixed width.
  if (rng.chance(0.1) && v.length > 24) v = v.slice(0, 24).trim();
  return v;
}

/** The invoice number as people write it in a transfer. */
function writeNumber(rng: Rng, n: number): string {
  const digits = String(n);
  return rng.pick([
    () => invoiceNumber(n),
    () => invoiceNumber(n),
    () => `INV${pad(n)}`,
    () => `inv-${pad(n)}`,
    () => `INV ${digits}`,
    () => `Inv ${pad(n)}`,
    () => `#${digits}`,
    () => pad(n),
    () => digits,
    () => `INV-${pad(n, 5)}`,
    () => `INV-${pad(n, 7)}`,
    () => `Invoice ${digits}`,
    () => `Rechnung ${invoiceNumber(n)}`,
    () => `RE ${pad(n)}`,
  ])();
}

/** One digit changed or two adjacent digits swapped, in the significant digits. */
function typoOf(rng: Rng, n: number): number {
  const digits = String(n).split("");
  for (let attempt = 0; attempt < 10; attempt++) {
    const d = [...digits];
    const i = rng.int(0, d.length - 1);
    if (rng.chance(0.5) && d.length > 1 && i < d.length - 1 && d[i] !== d[i + 1]) [d[i], d[i + 1]] = [d[i + 1]!, d[i]!];
    else d[i] = String((Number(d[i]) + rng.int(1, 9)) % 10);
    const typo = Number(d.join(""));
    if (typo !== n && typo > 0) return typo;
  }
  return n + 1;
}

const weights: [LineKind, number][] = [
  ["clean", 24],
  ["formatted", 14],
  ["typo", 7],
  ["several-numbers", 7],
  ["account-only", 5],
  ["name-only", 3],
  ["combination", 7],
  ["discount", 6],
  ["partial", 5],
  ["overpaid", 3],
  ["on-account", 2],
  ["payout", 7],
  ["noise", 4],
  ["debit", 6],
];

export type ScenarioOptions = { seed: number; customers: number; invoicesPerCustomer: number; lines: number; currency?: string; periodStart?: IsoDate };

export function generateBankScenario({ seed, customers: customerCount, invoicesPerCustomer, lines: lineCount, currency = "EUR", periodStart = "2026-03-01" }: ScenarioOptions): BankScenario {
  const rng = prng(seed);
  const periodEnd = addDays(periodStart, 30);

  // Customers with distinct names (distinct after the engine's normalisation too: the truth must be knowable).
  const customers: BankScenario["customers"] = [];
  const names = new Set<string>();
  const subscription = new Map<string, number>();
  while (customers.length < customerCount) {
    const words = [rng.pick(firstWords), rng.pick(businessWords), ...(rng.chance(0.5) ? [rng.pick(businessWords)] : [])];
    if (new Set(words).size < words.length) continue;
    const core = words.join(" ");
    if (names.has(core)) continue;
    names.add(core);
    const i = customers.length;
    const customer = { id: `cus_${pad(i + 1)}`, accountNumber: `C-${10_000 + i}`, name: `${core} ${rng.pick(legalForms)}`, currency: rng.chance(0.03) ? "USD" : currency, iban: iban(rng) };
    customers.push(customer);
    subscription.set(customer.id, rng.int(1, 40) * 2_500);
  }

  // Invoices numbered in one series across customers, as Settle numbers them.
  const invoices: CandidateInvoice[] = [];
  const total = customerCount * invoicesPerCustomer;
  for (let n = 1; n <= total; n++) {
    const customer = rng.pick(customers);
    const issueDate = addDays(periodStart, rng.int(-75, 20));
    const totalMinor = rng.chance(0.2) ? subscription.get(customer.id)! : amount(rng, 5_000, 1_500_000);
    const discounted = rng.chance(0.2);
    const paidBefore = rng.chance(0.05) ? rng.int(1, Math.floor(totalMinor / 2)) : 0;
    invoices.push({
      id: `inv_${pad(n, 7)}`,
      customerId: customer.id,
      number: invoiceNumber(n),
      currency: customer.currency,
      openMinor: totalMinor - paidBefore,
      totalMinor,
      issueDate,
      dueDate: addDays(issueDate, rng.pick([14, 30, 30, 45])),
      discountDueDate: discounted ? addDays(issueDate, 10) : null,
      earlyDiscountBps: discounted ? 200 : 0,
    });
  }
  const openByCustomer = new Map<string, CandidateInvoice[]>();
  for (const invoice of invoices) openByCustomer.set(invoice.customerId, [...(openByCustomer.get(invoice.customerId) ?? []), invoice]);
  const used = new Set<string>();
  const eurCustomers = customers.filter((c) => c.currency === currency);
  const customerById = new Map(customers.map((c) => [c.id, c]));
  const free = (customerId: string) => (openByCustomer.get(customerId) ?? []).filter((i) => !used.has(i.id) && i.issueDate <= periodEnd);
  const discountOf = (i: CandidateInvoice, date: IsoDate) =>
    i.earlyDiscountBps > 0 && i.discountDueDate && date <= i.discountDueDate ? maxEarlyDiscount(i.totalMinor, i.earlyDiscountBps) : 0;

  const payouts: CandidatePayout[] = [];
  const payoutId = () => `po_1${Array.from({ length: 20 }, () => rng.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".split(""))).join("")}`;
  // Payouts not on this statement (other accounts, other months) are there to be confused with.
  for (let i = 0; i < Math.ceil(lineCount * 0.05); i++) payouts.push({ id: `pay_${pad(payouts.length + 1)}`, processorPayoutId: payoutId(), amountMinor: amount(rng, 10_000, 5_000_000), currency, arrivalDate: addDays(periodStart, rng.int(-30, 60)) });

  const bookingBetween = (from: IsoDate, to: IsoDate = periodEnd): IsoDate => {
    const start = from > periodStart ? from : periodStart;
    const end = to < periodEnd ? to : periodEnd;
    if (start > end) return end;
    return addDays(start, rng.int(0, Math.round((Date.parse(end) - Date.parse(start)) / 86_400_000)));
  };
  const latestIssue = (list: CandidateInvoice[]) => list.map((i) => i.issueDate).sort().at(-1)!;
  const withAccount = (rng: Rng, customer: CandidateCustomer, text: string) => (rng.chance(0.2) ? `${text} ${rng.pick([customer.accountNumber, customer.accountNumber.replace(/\D/g, ""), `Kd-Nr ${customer.accountNumber}`])}` : text);
  const filler = () => (rng.chance(0.1) ? ` PO 4500${pad(rng.int(0, 999_999), 6)}` : "");

  const lines: ScenarioLine[] = [];
  let seq = 0;
  const makeLine = (partial: Partial<BankLine> & Pick<BankLine, "amountMinor" | "bookingDate" | "remittance">): BankLine => {
    seq += 1;
    const line: BankLine = {
      entryRef: `${partial.bookingDate.replace(/-/g, "")}${pad(seed % 1000, 3)}${pad(seq, 7)}`,
      valueDate: partial.bookingDate,
      currency,
      direction: "credit",
      payerName: null,
      payerAccount: null,
      bankReference: null,
      ...partial,
    };
    line.remittance = line.remittance.replace(/\s+/g, " ").trim();
    // Without an end-to-end id, parsers fall back to the bank's own reference.
    line.bankReference ??= line.entryRef;
    return line;
  };
  const pickCustomer = (minFree: number, filter: (i: CandidateInvoice) => boolean = () => true) => {
    for (let attempt = 0; attempt < 200; attempt++) {
      const c = rng.pick(eurCustomers);
      const list = free(c.id).filter(filter);
      if (list.length >= minFree) return { customer: c, list };
    }
    return null;
  };
  const allocationsOf = (list: CandidateInvoice[], date: IsoDate, discounted = false) =>
    list.map((i) => {
      const discountMinor = discounted ? discountOf(i, date) : 0;
      return { invoiceId: i.id, amountMinor: i.openMinor - discountMinor, discountMinor };
    });
  const fromCustomer = (c: CandidateCustomer & { iban: string }) => ({ payerName: payerNameVariant(rng, c.name), payerAccount: rng.chance(0.9) ? c.iban : null });

  const totalWeight = weights.reduce((s, [, w]) => s + w, 0);
  while (lines.length < lineCount) {
    let roll = rng.next() * totalWeight;
    const kind = weights.find(([, w]) => (roll -= w) < 0)?.[0] ?? "clean";
    const made = buildLine(kind);
    if (made) lines.push({ ...made, kind });
  }

  function buildLine(kind: LineKind): Omit<ScenarioLine, "kind"> | null {
    switch (kind) {
      case "clean":
      case "formatted":
      case "typo": {
        const found = pickCustomer(1);
        if (!found) return null;
        const invoice = rng.pick(found.list);
        used.add(invoice.id);
        const n = Number(invoice.number.slice(4));
        const written = kind === "clean" ? invoiceNumber(n) : kind === "formatted" ? writeNumber(rng, n) : rng.chance(0.5) ? invoiceNumber(typoOf(rng, n)) : writeNumber(rng, typoOf(rng, n));
        const date = bookingBetween(invoice.issueDate);
        const remittance = withAccount(rng, found.customer, rng.pick([written, `Payment ${written}`, `${written} thank you`, `Zahlung ${written}`, `Invoice ${written}`.replace("Invoice Invoice", "Invoice")])) + filler();
        return { line: makeLine({ amountMinor: invoice.openMinor, bookingDate: date, remittance, ...fromCustomer(found.customer) }), truth: { kind: "invoices", customerId: found.customer.id, allocations: allocationsOf([invoice], date), creditMinor: 0 } };
      }
      case "several-numbers": {
        const found = pickCustomer(2);
        if (!found) return null;
        const list = found.list.slice(0, rng.int(2, Math.min(3, found.list.length)));
        list.forEach((i) => used.add(i.id));
        const date = bookingBetween(latestIssue(list));
        const numbers = list.map((i) => Number(i.number.slice(4)));
        const remittance = rng.pick([
          () => numbers.map(invoiceNumber).join(", "),
          () => numbers.map(invoiceNumber).join(" "),
          () => `INV ${numbers.join("/")}`,
          () => `Invoices ${numbers.map((n) => pad(n)).join(" and ")}`,
          () => numbers.map((n) => writeNumber(rng, n)).join(" "),
        ])();
        return { line: makeLine({ amountMinor: list.reduce((s, i) => s + i.openMinor, 0), bookingDate: date, remittance, ...fromCustomer(found.customer) }), truth: { kind: "invoices", customerId: found.customer.id, allocations: allocationsOf(list, date), creditMinor: 0 } };
      }
      case "account-only":
      case "name-only": {
        const found = pickCustomer(1);
        if (!found) return null;
        const invoice = rng.pick(found.list);
        used.add(invoice.id);
        const date = bookingBetween(invoice.issueDate);
        const c = found.customer;
        const remittance = kind === "account-only" ? rng.pick([`Customer ${c.accountNumber}`, `${c.accountNumber} payment`, `Kd-Nr ${c.accountNumber.replace(/\D/g, "")}`, c.accountNumber]) : rng.pick(["Payment", "Thank you", "Zahlung", "", "Transfer"]);
        return { line: makeLine({ amountMinor: invoice.openMinor, bookingDate: date, remittance, ...fromCustomer(c), ...(kind === "name-only" ? { payerName: payerNameVariant(rng, c.name) ?? c.name } : {}) }), truth: { kind: "invoices", customerId: c.id, allocations: allocationsOf([invoice], date), creditMinor: 0 } };
      }
      case "combination": {
        const found = pickCustomer(2);
        if (!found) return null;
        const list = [...found.list].sort(() => rng.next() - 0.5).slice(0, rng.int(2, Math.min(4, found.list.length)));
        list.forEach((i) => used.add(i.id));
        const date = bookingBetween(latestIssue(list));
        const c = found.customer;
        const remittance = withAccount(rng, c, rng.pick(["Payment", "Sammelueberweisung", "Invoices March", "Open items", "Zahlung offene Posten"]));
        return { line: makeLine({ amountMinor: list.reduce((s, i) => s + i.openMinor, 0), bookingDate: date, remittance, ...fromCustomer(c), payerName: payerNameVariant(rng, c.name) ?? c.name }), truth: { kind: "invoices", customerId: c.id, allocations: allocationsOf(list, date), creditMinor: 0 } };
      }
      case "discount": {
        const found = pickCustomer(1, (i) => i.earlyDiscountBps > 0 && i.openMinor === i.totalMinor && i.discountDueDate! >= periodStart && i.issueDate <= periodEnd);
        if (!found) return null;
        const invoice = rng.pick(found.list);
        used.add(invoice.id);
        const date = bookingBetween(invoice.issueDate, invoice.discountDueDate!);
        const discount = discountOf(invoice, date);
        const remittance = withAccount(rng, found.customer, `${writeNumber(rng, Number(invoice.number.slice(4)))}${rng.chance(0.5) ? " less 2% Skonto" : ""}`);
        return { line: makeLine({ amountMinor: invoice.openMinor - discount, bookingDate: date, remittance, ...fromCustomer(found.customer) }), truth: { kind: "invoices", customerId: found.customer.id, allocations: allocationsOf([invoice], date, true), creditMinor: 0 } };
      }
      case "partial":
      case "overpaid": {
        const found = pickCustomer(1, (i) => i.openMinor >= 2_000);
        if (!found) return null;
        const invoice = rng.pick(found.list);
        used.add(invoice.id);
        const date = bookingBetween(invoice.issueDate);
        const paid = kind === "partial" ? Math.round(invoice.openMinor * rng.int(10, 90) / 100) : invoice.openMinor + rng.int(100, 5_000);
        // A partial payment that happens to equal the discounted amount would be read as the discount.
        if (kind === "partial" && paid === invoice.openMinor - discountOf(invoice, date)) return null;
        const remittance = withAccount(rng, found.customer, `${writeNumber(rng, Number(invoice.number.slice(4)))}${kind === "partial" ? rng.pick([" part payment", " 1st instalment", "", " Teilzahlung"]) : ""}`);
        return {
          line: makeLine({ amountMinor: paid, bookingDate: date, remittance, ...fromCustomer(found.customer) }),
          truth: { kind: "invoices", customerId: found.customer.id, allocations: [{ invoiceId: invoice.id, amountMinor: Math.min(paid, invoice.openMinor), discountMinor: 0 }], creditMinor: Math.max(0, paid - invoice.openMinor) },
        };
      }
      case "on-account": {
        const c = rng.pick(eurCustomers);
        const paid = rng.int(1, 200) * 1_000 + 1;
        if (free(c.id).some((i) => i.openMinor === paid)) return null;
        return { line: makeLine({ amountMinor: paid, bookingDate: bookingBetween(periodStart), remittance: `Advance payment ${c.accountNumber}`, ...fromCustomer(c), payerName: c.name.toUpperCase() }), truth: { kind: "invoices", customerId: c.id, allocations: [], creditMinor: paid } };
      }
      case "payout": {
        const arrival = bookingBetween(periodStart);
        const payout: CandidatePayout = { id: `pay_${pad(payouts.length + 1)}`, processorPayoutId: payoutId(), amountMinor: amount(rng, 10_000, 5_000_000), currency, arrivalDate: arrival };
        payouts.push(payout);
        const date = addDays(arrival, rng.int(0, 2));
        const remittance = rng.pick([`STRIPE PAYOUT ${payout.processorPayoutId}`, "STRIPE", `Stripe transfer ${payout.processorPayoutId}`, "STRIPE PAYMENTS", "Payout"]);
        return { line: makeLine({ amountMinor: payout.amountMinor, bookingDate: date, remittance, payerName: rng.pick(["Stripe Payments Europe Ltd", "STRIPE", null]) }), truth: { kind: "payout", payoutId: payout.id } };
      }
      case "noise": {
        const [remittance, payerName] = rng.pick([
          [`Interest ${rng.pick(["Q1", "Q2", "March"])} 2026`, "Our Bank AG"],
          [`Refund credit note CN-${rng.int(100, 999)}`, "Office Supplies Direct Ltd"],
          ["Tax refund", "Finanzamt Mitte"],
          [`Insurance claim ${rng.int(10_000_000, 99_999_999)}`, "Allianz Versicherungs-AG"],
          ["Cashback", "Card Services"],
        ] as const);
        return { line: makeLine({ amountMinor: amount(rng, 100, 200_000), bookingDate: bookingBetween(periodStart), remittance, payerName }), truth: { kind: "none", why: "not a customer payment" } };
      }
      case "debit":
        return {
          line: makeLine({ direction: "debit", amountMinor: amount(rng, 1_000, 1_000_000), bookingDate: bookingBetween(periodStart), remittance: rng.pick(["Rent March", "Salary", "Supplier invoice 8812", "Card settlement"]), payerName: rng.pick(["Landlord GmbH", "Payroll", "Paper Mill Ltd"]) }),
          truth: { kind: "none", why: "debit" },
        };
    }
  }

  lines.sort((a, b) => (a.line.bookingDate < b.line.bookingDate ? -1 : a.line.bookingDate > b.line.bookingDate ? 1 : 0));
  const openingBalanceMinor = rng.int(0, 10_000_000);
  const closingBalanceMinor = lines.reduce((s, { line }) => s + (line.direction === "credit" ? line.amountMinor : -line.amountMinor), openingBalanceMinor);
  void customerById;
  return {
    seed,
    statementId: `STMT-${periodStart.slice(0, 7)}-${seed}`,
    accountIban: iban(prng(seed + 1)),
    currency,
    periodStart,
    periodEnd,
    openingBalanceMinor,
    closingBalanceMinor,
    customers,
    invoices,
    payouts,
    lines,
  };
}

// ---------------------------------------------------------------------------------------------
// Writers

const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Unstructured remittance is at most 140 characters per Ustrd: split between words. */
function ustrdChunks(text: string): string[] {
  const chunks: string[] = [];
  let current = "";
  for (const word of text.split(" ")) {
    if (current && current.length + 1 + word.length > 140) {
      chunks.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  if (current) chunks.push(current);
  return chunks;
}

function balance(code: "OPBD" | "CLBD", amountMinor: number, currency: string, date: IsoDate) {
  return `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="${currency}">${toDecimalString(Math.abs(amountMinor), currency)}</Amt><CdtDbtInd>${amountMinor < 0 ? "DBIT" : "CRDT"}</CdtDbtInd><Dt><Dt>${date}</Dt></Dt></Bal>`;
}

/** The statement as camt.053 XML; version "02" (names parties directly) or "08" (parties wrapped in Pty). */
export function toCamt053(scenario: BankScenario, { version = "02" }: { version?: "02" | "08" } = {}): string {
  const party = (name: string) => (version === "08" ? `<Pty><Nm>${xml(name)}</Nm></Pty>` : `<Nm>${xml(name)}</Nm>`);
  const entries = scenario.lines.map(({ line }) => {
    const role = line.direction === "credit" ? "Dbtr" : "Cdtr";
    const parties = [line.payerName ? `<${role}>${party(line.payerName)}</${role}>` : "", line.payerAccount ? `<${role}Acct><Id><IBAN>${line.payerAccount}</IBAN></Id></${role}Acct>` : ""].join("");
    const amount = `<Amt Ccy="${line.currency}">${toDecimalString(line.amountMinor, line.currency)}</Amt>`;
    return [
      "<Ntry>",
      amount,
      `<CdtDbtInd>${line.direction === "credit" ? "CRDT" : "DBIT"}</CdtDbtInd>`,
      version === "08" ? "<Sts><Cd>BOOK</Cd></Sts>" : "<Sts>BOOK</Sts>",
      `<BookgDt><Dt>${line.bookingDate}</Dt></BookgDt>`,
      line.valueDate ? `<ValDt><Dt>${line.valueDate}</Dt></ValDt>` : "",
      `<AcctSvcrRef>${xml(line.entryRef)}</AcctSvcrRef>`,
      "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>",
      "<NtryDtls><TxDtls>",
      `<Refs><EndToEndId>${xml(line.bankReference && line.bankReference !== line.entryRef ? line.bankReference : "NOTPROVIDED")}</EndToEndId></Refs>`,
      `<AmtDtls><TxAmt>${amount}</TxAmt></AmtDtls>`,
      parties ? `<RltdPties>${parties}</RltdPties>` : "",
      line.remittance ? `<RmtInf>${ustrdChunks(line.remittance).map((c) => `<Ustrd>${xml(c)}</Ustrd>`).join("")}</RmtInf>` : "",
      "</TxDtls></NtryDtls>",
      "</Ntry>",
    ].join("");
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.${version}">`,
    "<BkToCstmrStmt>",
    `<GrpHdr><MsgId>MSG-${scenario.statementId}</MsgId><CreDtTm>${scenario.periodEnd}T23:59:00</CreDtTm></GrpHdr>`,
    "<Stmt>",
    `<Id>${scenario.statementId}</Id>`,
    `<CreDtTm>${scenario.periodEnd}T23:59:00</CreDtTm>`,
    `<Acct><Id><IBAN>${scenario.accountIban}</IBAN></Id><Ccy>${scenario.currency}</Ccy></Acct>`,
    balance("OPBD", scenario.openingBalanceMinor, scenario.currency, scenario.periodStart),
    balance("CLBD", scenario.closingBalanceMinor, scenario.currency, scenario.periodEnd),
    ...entries,
    "</Stmt>",
    "</BkToCstmrStmt>",
    "</Document>",
  ].join("\n");
}

/** "1.234,56" / "-1.234,56", as German banks print amounts. */
function germanAmount(minor: number, currency: string): string {
  const [whole = "0", fraction] = toDecimalString(Math.abs(minor), currency).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  return `${minor < 0 ? "-" : ""}${grouped}${fraction ? `,${fraction}` : ""}`;
}
const germanDate = (date: IsoDate) => `${date.slice(8, 10)}.${date.slice(5, 7)}.${date.slice(0, 4)}`;

/** The statement as a German-style CSV export (";", DD.MM.YYYY, "1.234,56") with the mapping that reads it. */
export function toBankCsv(scenario: BankScenario): { csv: string; mapping: BankCsvMapping } {
  const header = ["Buchungstag", "Valuta", "Auftraggeber/Empfänger", "IBAN", "Verwendungszweck", "Betrag", "Währung", "Referenz"];
  const rows = scenario.lines.map(({ line }) => [
    germanDate(line.bookingDate),
    line.valueDate ? germanDate(line.valueDate) : "",
    line.payerName ?? "",
    line.payerAccount ?? "",
    line.remittance,
    germanAmount(line.direction === "credit" ? line.amountMinor : -line.amountMinor, line.currency),
    line.currency,
    line.entryRef,
  ]);
  const csv = stringify([header, ...rows], { delimiter: ";" });
  return {
    csv,
    mapping: {
      delimiter: ";",
      hasHeader: true,
      dateColumn: "Buchungstag",
      valueDateColumn: "Valuta",
      dateFormat: "DD.MM.YYYY",
      amountColumn: "Betrag",
      decimalSeparator: ",",
      currencyColumn: "Währung",
      payerColumn: "Auftraggeber/Empfänger",
      payerAccountColumn: "IBAN",
      remittanceColumns: ["Verwendungszweck"],
      referenceColumn: "Referenz",
    },
  };
}
