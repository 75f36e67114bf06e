import { describe, expect, it } from "vitest";
import { createMemoryLookup, decide, isNearNumber, matchBankLine, readReferences } from "./matching";
import { nameSimilarity, nameTokens } from "./names";
import type { BankLine, CandidateCustomer, CandidateInvoice, CandidatePayout, MatchResult } from "./types";

const customers: CandidateCustomer[] = [
  { id: "acme", accountNumber: "C-10023", name: "Acme International Limited", currency: "EUR" },
  { id: "globex", accountNumber: "C-10024", name: "Globex Trading GmbH", currency: "EUR" },
  { id: "initech", accountNumber: "C-10025", name: "Initech Software B.V.", currency: "EUR" },
  { id: "umbrella-de", accountNumber: "C-10026", name: "Umbrella Logistics GmbH", currency: "EUR" },
  { id: "umbrella-uk", accountNumber: "C-10027", name: "Umbrella Logistics Ltd", currency: "EUR" },
  { id: "dollar", accountNumber: "C-10028", name: "Dollar Corp", currency: "USD" },
];

const invoice = (id: string, customerId: string, n: number, openMinor: number, extra: Partial<CandidateInvoice> = {}): CandidateInvoice => ({
  id,
  customerId,
  number: `INV-${String(n).padStart(6, "0")}`,
  currency: "EUR",
  openMinor,
  totalMinor: openMinor,
  issueDate: "2026-02-01",
  dueDate: "2026-03-03",
  discountDueDate: null,
  earlyDiscountBps: 0,
  ...extra,
});

const invoices: CandidateInvoice[] = [
  invoice("i123", "acme", 123, 100_000),
  invoice("i127", "acme", 127, 25_050, { dueDate: "2026-02-20" }),
  invoice("i130", "acme", 130, 40_000, { issueDate: "2026-02-25", dueDate: "2026-03-27", discountDueDate: "2026-03-07", earlyDiscountBps: 200 }),
  invoice("i456", "globex", 456, 77_700),
  invoice("i457", "globex", 457, 12_345),
  invoice("i458", "globex", 458, 30_000),
  invoice("i459", "globex", 459, 5_000),
  invoice("i500", "initech", 500, 10_000),
  invoice("i501", "initech", 501, 10_000),
  invoice("i502", "initech", 502, 20_000),
  invoice("i600", "umbrella-de", 600, 99_900),
  invoice("i601", "umbrella-uk", 601, 99_900),
  invoice("i700", "dollar", 700, 100_000, { currency: "USD" }),
  invoice("i128", "globex", 128, 3_333),
];

const payouts: CandidatePayout[] = [
  { id: "p1", processorPayoutId: "po_1AbcDEF123", amountMinor: 512_345, currency: "EUR", arrivalDate: "2026-03-05" },
  { id: "p2", processorPayoutId: "po_1XyzXYZ999", amountMinor: 88_800, currency: "EUR", arrivalDate: "2026-03-05" },
  { id: "p3", processorPayoutId: "po_1QrsQRS777", amountMinor: 88_800, currency: "EUR", arrivalDate: "2026-03-06" },
];

const lookup = createMemoryLookup({ customers, invoices, payouts });

const credit = (amountMinor: number, remittance: string, extra: Partial<BankLine> = {}): BankLine => ({
  entryRef: "E1",
  bookingDate: "2026-03-05",
  valueDate: null,
  amountMinor,
  currency: "EUR",
  direction: "credit",
  payerName: null,
  payerAccount: null,
  remittance,
  bankReference: null,
  ...extra,
});

const allocations = (r: MatchResult) => (r.kind === "invoices" ? r.allocations.map((a) => [a.invoiceId, a.amountMinor, a.discountMinor]) : r.kind);
const match = (line: BankLine) => matchBankLine(line, lookup);

describe("reading references", () => {
  it("finds invoice numbers however they are written, several per line", () => {
    const digits = (text: string) => readReferences(text, null).invoiceRefs.map((r) => r.digits);
    expect(digits("INV-000123")).toEqual(["123"]);
    expect(digits("inv000123 thanks")).toEqual(["123"]);
    expect(digits("Inv 123")).toEqual(["123"]);
    expect(digits("#123")).toEqual(["123"]);
    expect(digits("000123")).toEqual(["123"]);
    expect(digits("INV-000123, INV-000127")).toEqual(["123", "127"]);
    expect(digits("Invoices 123/127 and 130")).toEqual(["123", "127", "130"]);
    // Dates, IBANs, amounts and bare years are not invoice numbers.
    expect(digits("paid 2026-03-01 from DE89 3704 0044 0532 0130 00 EUR 1.234,56")).toEqual([]);
    expect(readReferences("Interest Q1 2026", null).invoiceRefs.map((r) => r.strength)).toEqual(["year"]);
    expect(readReferences("Kd-Nr C-10023", null).accounts).toContain("C10023");
  });

  it("knows one-digit typos and adjacent swaps, with or without leading zeros", () => {
    expect(isNearNumber("128", "123")).toBe("substitution");
    expect(isNearNumber("132", "123")).toBe("transposition");
    expect(isNearNumber("10123", "123")).toBe("substitution");
    expect(isNearNumber("321", "123")).toBeNull();
  });

  it("compares payer names without legal forms, case, punctuation or abbreviations", () => {
    expect(nameTokens("The ACME INT'L Ltd.")).toEqual(["ACME", "INTERNATIONAL"]);
    expect(nameTokens("Initech S.A.")).toEqual(["INITECH"]);
    expect(nameSimilarity("ACME INTL LTD", "Acme International Limited")).toBe(1);
    expect(nameSimilarity("ACME INTERNATIONAL GM", "Acme International Limited")).toBe(1);
    expect(nameSimilarity("acme internatonal", "Acme International Limited")).toBeGreaterThan(0.9);
    expect(nameSimilarity("Globex Trading", "Acme International")).toBe(0);
  });
});

describe("matchBankLine", () => {
  it("ignores debits", async () => {
    expect(await match(credit(100_000, "INV-000123", { direction: "debit" }))).toEqual({ kind: "none", confidence: 0, reasons: ["Debit: not a customer payment"] });
  });

  it("applies an invoice number with the exact open amount", async () => {
    const r = await match(credit(100_000, "Payment inv 123", { payerName: "ACME INTL LTD" }));
    expect(allocations(r)).toEqual([["i123", 100_000, 0]]);
    expect(decide(r)).toBe("applied");
    expect(r.reasons).toContain("Invoice number INV-000123 in the reference (as 'INV 123')");
    expect(r.reasons).toContain("Amount equals the open amount of INV-000123");
    expect(r.reasons).toContain("Payer 'ACME INTL LTD' matches customer 'Acme International Limited'");
  });

  it("applies several numbers in one line when the amount is their sum", async () => {
    const r = await match(credit(125_050, "INV-000123, INV-000127"));
    expect(allocations(r)).toEqual([["i127", 25_050, 0], ["i123", 100_000, 0]]);
    expect(decide(r)).toBe("applied");
  });

  it("matches a typo only within a customer found another way, and only when the amount confirms it", async () => {
    // 128 exists (another customer's invoice) but the payer and amount say 123.
    const typo = await match(credit(100_000, "INV-000128", { payerName: "Acme International Ltd" }));
    expect(allocations(typo)).toEqual([["i123", 100_000, 0]]);
    expect(typo.reasons).toContain("'INV-000128' looks like INV-000123 with a typo (one digit differs)");
    // Without a customer the typo is not followed: at most the wrong number is suggested, never applied.
    const alone = await match(credit(100_000, "INV-000128"));
    expect(decide(alone)).not.toBe("applied");
    // A typo whose amount does not confirm is not taken.
    const unconfirmed = await match(credit(99_000, "INV-000132", { payerName: "Acme International Ltd" }));
    expect(allocations(unconfirmed)).not.toEqual([["i123", 99_000, 0]]);
    expect(decide(unconfirmed)).not.toBe("applied");
  });

  it("takes the early-payment discount only by the discount date and only when the shortfall equals it", async () => {
    const r = await match(credit(39_200, "INV-000130", { payerName: "Acme International" }));
    expect(allocations(r)).toEqual([["i130", 39_200, 800]]);
    expect(r.reasons).toContain("Short by 8.00 EUR: the 2% early-payment discount, paid by the discount date");
    expect(decide(r)).toBe("applied");
    const late = await match(credit(39_200, "INV-000130", { payerName: "Acme International", bookingDate: "2026-03-08" }));
    expect(allocations(late)).toEqual([["i130", 39_200, 0]]); // a partial payment now, no discount
    const wrongShortfall = await match(credit(39_100, "INV-000130"));
    expect(allocations(wrongShortfall)).toEqual([["i130", 39_100, 0]]);
  });

  it("allocates a partial payment to the named invoice and leaves an overpayment as credit", async () => {
    const partial = await match(credit(40_000, "INV-000123 part payment", { payerName: "Acme International Ltd" }));
    expect(allocations(partial)).toEqual([["i123", 40_000, 0]]);
    expect(partial.reasons).toContain("Partial payment: 400.00 EUR of 1000.00 EUR open on INV-000123");
    const over = await match(credit(101_500, "INV-000123", { payerName: "Acme International Ltd" }));
    expect(over).toMatchObject({ kind: "invoices", customerId: "acme", creditMinor: 1_500 });
    expect(allocations(over)).toEqual([["i123", 100_000, 0]]);
    expect(over.reasons).toContain("Overpaid by 15.00 EUR: the rest stays as credit");
  });

  it("finds the combination of open invoices a payment without numbers covers", async () => {
    const r = await match(credit(77_700 + 5_000, "Payment", { payerName: "GLOBEX TRADING" }));
    expect(allocations(r)).toEqual([["i456", 77_700, 0], ["i459", 5_000, 0]]);
    expect(r.reasons[0]).toBe("Amount equals INV-000456 + INV-000459 (no numbers given)");
  });

  it("lowers the confidence when two combinations fit", async () => {
    // 20,000 = INV-500 + INV-501 = INV-502 alone.
    const r = await match(credit(20_000, "Payment", { payerName: "Initech Software BV" }));
    expect(r.kind).toBe("invoices");
    expect(decide(r)).toBe("suggested");
  });

  it("finds the customer by account number", async () => {
    const r = await match(credit(12_345, "Kd-Nr C-10024"));
    expect(r).toMatchObject({ kind: "invoices", customerId: "globex" });
    expect(allocations(r)).toEqual([["i457", 12_345, 0]]);
    expect(r.reasons).toContain("Account number C-10024 in the reference");
  });

  it("suggests leaving the money as credit when the customer is known but nothing fits", async () => {
    const r = await match(credit(1_111, "Advance C-10023", { payerName: "Acme International" }));
    expect(r).toMatchObject({ kind: "invoices", customerId: "acme", allocations: [], creditMinor: 1_111 });
    expect(decide(r)).toBe("suggested");
  });

  it("does not apply when two customers are equally likely", async () => {
    const r = await match(credit(99_900, "Payment", { payerName: "UMBRELLA LOGISTICS" }));
    expect(decide(r)).toBe("suggested");
    expect(r.reasons.some((x) => x.startsWith("Also possible"))).toBe(true);
  });

  it("matches payouts by amount and date, surer when the text names Stripe or the payout", async () => {
    const named = await match(credit(88_800, "STRIPE PAYOUT po_1QrsQRS777"));
    expect(named).toMatchObject({ kind: "payout", payoutId: "p3" });
    expect(decide(named)).toBe("applied");
    const stripe = await match(credit(512_345, "STRIPE", { bookingDate: "2026-03-07" }));
    expect(stripe).toMatchObject({ kind: "payout", payoutId: "p1" });
    expect(decide(stripe)).toBe("applied");
    const silent = await match(credit(512_345, "Transfer"));
    expect(decide(silent)).toBe("suggested");
    const twoOfThem = await match(credit(88_800, "STRIPE"));
    expect(decide(twoOfThem)).toBe("suggested");
    const tooLate = await match(credit(512_345, "STRIPE", { bookingDate: "2026-03-09" }));
    expect(tooLate.kind).toBe("none");
  });

  it("never matches across currencies and leaves unrelated credits alone", async () => {
    expect((await match(credit(100_000, "INV-000700"))).kind).toBe("none");
    expect((await match(credit(100_000, "INV-000123", { currency: "USD" }))).kind).toBe("none");
    expect((await match(credit(4_321, "Interest Q1 2026", { payerName: "Our Bank AG" }))).kind).toBe("none");
  });

  it("always allocates exactly the line amount and never more than an invoice's open amount", async () => {
    const lines = [credit(100_000, "INV-000123"), credit(130_000, "INV-000123 INV-000127"), credit(500, "INV-000123"), credit(82_700, "", { payerName: "Globex Trading" }), credit(101_500, "INV-000123")];
    for (const line of lines) {
      const r = await match(line);
      if (r.kind !== "invoices") continue;
      expect(r.allocations.reduce((s, a) => s + a.amountMinor, 0) + r.creditMinor).toBe(line.amountMinor);
      for (const a of r.allocations) expect(a.amountMinor + a.discountMinor).toBeLessThanOrEqual(invoices.find((i) => i.id === a.invoiceId)!.openMinor);
    }
  });
});
