import type { IsoDate } from "~/utils/dates";

/** One movement on a bank statement, as the bank reported it. Amounts are minor units (ADR 003). */
export type BankLine = {
  /** Stable id of the line within the bank account: the same file imported twice gives the same refs. */
  entryRef: string;
  bookingDate: IsoDate;
  valueDate: IsoDate | null;
  /** Always positive; `direction` carries the sign. */
  amountMinor: number;
  currency: string;
  direction: "credit" | "debit";
  /** The counterparty: who paid a credit, who was paid by a debit. */
  payerName: string | null;
  payerAccount: string | null;
  /** Free text and structured references, joined with spaces. */
  remittance: string;
  bankReference: string | null;
};

export type ParsedStatement = {
  format: "camt053" | "csv";
  statementId: string | null;
  accountId: string | null;
  currency: string | null;
  openingBalanceMinor: number | null;
  closingBalanceMinor: number | null;
  lines: BankLine[];
};

/** A file that cannot be read as a statement; the message names what is wrong and where. */
export class BankFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BankFileError";
  }
}

export type CandidateCustomer = { id: string; accountNumber: string; name: string; currency: string };

export type CandidateInvoice = {
  id: string;
  customerId: string;
  number: string;
  currency: string;
  openMinor: number;
  totalMinor: number;
  issueDate: IsoDate;
  dueDate: IsoDate;
  discountDueDate: IsoDate | null;
  earlyDiscountBps: number;
};

export type CandidatePayout = { id: string; processorPayoutId: string; amountMinor: number; currency: string; arrivalDate: IsoDate };

/** Where the engine looks things up: an in-memory index in tests and the bench, SQL in the app. All async. */
export interface MatchLookup {
  /** Open invoices whose number's digits (leading zeros stripped) equal any given digit string. */
  invoicesByNumberDigits(digits: string[], currency: string): Promise<CandidateInvoice[]>;
  /** Customers whose account number equals a given one, compared without case and punctuation, or by its digits alone. */
  customersByAccountNumbers(accounts: string[]): Promise<CandidateCustomer[]>;
  /**
   * Customers whose normalised name (`nameTokens`) shares a token: candidates the engine scores.
   * A lookup may return only those sharing the most tokens (a few hundred at most).
   */
  customersByNameTokens(tokens: string[], currency: string): Promise<CandidateCustomer[]>;
  openInvoicesOf(customerId: string): Promise<CandidateInvoice[]>;
  /** Unreconciled payouts with this amount arriving within a few days. */
  payoutsNear(amountMinor: number, currency: string, date: IsoDate): Promise<CandidatePayout[]>;
}

/** `amountMinor` is cash applied; `discountMinor` the early-payment discount granted on top. */
export type MatchAllocation = { invoiceId: string; invoiceNumber: string; amountMinor: number; discountMinor: number };

export type MatchResult =
  | { kind: "payout"; payoutId: string; confidence: number; reasons: string[] }
  /** creditMinor: the rest left as customer credit; allocations may be empty (customer known, invoices unknown). */
  | { kind: "invoices"; customerId: string; allocations: MatchAllocation[]; creditMinor: number; confidence: number; reasons: string[] }
  | { kind: "none"; confidence: 0; reasons: string[] };

export type MatchDecision = "applied" | "suggested" | "unmatched";

/** What a line really was: the answer key of generated statements, scored by `quality.ts`. */
export type MatchTruth =
  | { kind: "payout"; payoutId: string }
  | { kind: "invoices"; customerId: string; allocations: { invoiceId: string; amountMinor: number; discountMinor: number }[]; creditMinor: number }
  | { kind: "none"; why: string };
