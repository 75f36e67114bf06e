/**
 * Cash application: which customer paid a bank credit and which invoices it settles, or which
 * processor payout it is. Every answer carries a confidence (0–100) and reasons in plain words;
 * `decide` turns the confidence into "applied" (booked without a person), "suggested" or
 * "unmatched". Wrong automatic applications cost far more than suggestions, so every path that
 * can auto-apply needs two independent pieces of evidence (a reference and the amount, or the
 * payer and the amount), and any close alternative pulls the answer below the threshold.
 */
import { maxEarlyDiscount } from "~/ledger/invoice-math";
import { currencyExponent, toDecimalString } from "~/money/money";
import { daysBetween, type IsoDate } from "~/utils/dates";
import { nameTokens, tokenSetSimilarity } from "./names";
import type { BankLine, CandidateCustomer, CandidateInvoice, CandidatePayout, MatchAllocation, MatchDecision, MatchLookup, MatchResult } from "./types";

export const DEFAULT_THRESHOLD = 90;
/** Below this an answer is not worth showing as a suggestion. */
const MIN_SUGGESTION = 40;

export function decide(result: MatchResult, threshold = DEFAULT_THRESHOLD): MatchDecision {
  if (result.kind === "none") return "unmatched";
  return result.confidence >= threshold ? "applied" : "suggested";
}

// ---------------------------------------------------------------------------------------------
// Reading references out of the remittance text

/** How an invoice number appeared: after a word like "INV" or "#", zero-padded like Settle's, or a bare number. */
type RefStrength = "prefixed" | "padded" | "bare" | "year";
type InvoiceRef = { digits: string; raw: string; strength: RefStrength };
type References = { invoiceRefs: InvoiceRef[]; accounts: string[]; payoutIds: string[]; mentionsProcessor: boolean };

const stripZeros = (digits: string) => digits.replace(/^0+/, "");

// Masked before looking for numbers: IBANs, dates and decimal amounts are never invoice numbers.
const noise = [
  /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b/g,
  /\b\d{4}-\d{2}-\d{2}\b/g,
  /\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b/g,
  /\b\d{1,3}(?:[.,' ]\d{3})*[.,]\d{2}\b(?![.,]?\d)/g,
];

const prefixedRef =
  /(?:\bINV(?:OICES?)?|\bRE(?:CHNUNG)?|\bRGN?|\bFACT(?:URE|URA)?|\bBILL|\bDOC|#)\s*(?:NOS?\b|NRN?\b|NUMBERS?\b|N°)?[\s.:#-]*(\d+(?:-\d+)*)\b((?:\s*(?:,|\/|&|\+|;|\bAND\b|\bUND\b|\bET\b)\s*(?:(?:INV(?:OICE)?)?[\s.:#-]*)?\d+\b)*)/g;
const accountWithLetters = /\b([A-Z]{1,4})[\s-]?(\d{3,})\b/g;

export function readReferences(remittance: string, bankReference: string | null): References {
  const payoutIds = [...`${remittance} ${bankReference ?? ""}`.matchAll(/\bpo_[A-Za-z0-9]{6,}\b/g)].map((m) => m[0]);
  let text = ` ${remittance.toUpperCase().replace(/\bPO_[A-Z0-9]+\b/g, " ")} `;
  for (const pattern of noise) text = text.replace(pattern, " ");
  // The end-to-end id is often the payer's own document number: only prefixed numbers count there.
  const reference = ` ${(bankReference ?? "").toUpperCase()} `;

  const invoiceRefs: InvoiceRef[] = [];
  const add = (raw: string, strength: RefStrength) => {
    const digits = stripZeros(raw.replace(/\D/g, ""));
    if (!digits || digits.length > 12) return;
    const existing = invoiceRefs.find((r) => r.digits === digits);
    const rank = { prefixed: 0, padded: 1, bare: 2, year: 3 };
    if (!existing) invoiceRefs.push({ digits, raw: raw.trim(), strength });
    else if (rank[strength] < rank[existing.strength]) Object.assign(existing, { raw: raw.trim(), strength });
  };
  for (const source of [text, reference]) {
    for (const m of source.matchAll(prefixedRef)) {
      add(m[0].slice(0, m[0].indexOf(m[1]!) + m[1]!.length), "prefixed");
      for (const more of (m[2] ?? "").matchAll(/\d+/g)) add(more[0], "prefixed");
    }
  }
  const accounts = new Set<string>();
  const accountDigits = new Set<string>();
  for (const m of text.matchAll(accountWithLetters)) {
    if (/^(INV|INVOICE|RE|RG|RGN|NR|NO|DOC|BILL|FACT|PO|REF)$/.test(m[1]!)) continue;
    accounts.add(`${m[1]}${m[2]}`);
    accountDigits.add(m[2]!);
  }
  const masked = text.replace(prefixedRef, " ");
  for (const m of masked.matchAll(/(?<![A-Z0-9-])\d{3,12}(?![A-Z0-9])/g)) {
    const raw = m[0];
    // A bare year ("Interest Q1 2026") is more likely a date than invoice 2026: it counts only
    // for a customer the line points to otherwise.
    const year = /^(19[89]\d|20\d\d)$/.test(raw);
    if (!accountDigits.has(raw)) add(raw, year ? "year" : raw.startsWith("0") && raw.length >= 5 ? "padded" : "bare");
    accounts.add(raw);
  }
  return { invoiceRefs, accounts: [...accounts], payoutIds, mentionsProcessor: /\bSTRIPE\b/i.test(`${remittance} ${bankReference ?? ""}`) || payoutIds.length > 0 };
}

// ---------------------------------------------------------------------------------------------
// Amounts

const show = (minor: number, currency: string) => `${toDecimalString(minor, currency)} ${currency}`;

/** The early-payment discount an invoice allows on `date`, 0 when none (same rule as the ledger's). */
export function discountAvailable(invoice: CandidateInvoice, date: IsoDate): number {
  if (invoice.earlyDiscountBps <= 0 || !invoice.discountDueDate || date > invoice.discountDueDate) return 0;
  const discount = maxEarlyDiscount(invoice.totalMinor, invoice.earlyDiscountBps);
  return discount > 0 && discount < invoice.openMinor ? discount : 0;
}

type Fit =
  | { type: "exact"; allocations: MatchAllocation[]; creditMinor: 0 }
  | { type: "discount"; allocations: MatchAllocation[]; creditMinor: 0 }
  | { type: "partial"; allocations: MatchAllocation[]; creditMinor: 0 }
  | { type: "over"; allocations: MatchAllocation[]; creditMinor: number };

const oldestFirst = (a: CandidateInvoice, b: CandidateInvoice) => (a.dueDate === b.dueDate ? (a.number < b.number ? -1 : 1) : a.dueDate < b.dueDate ? -1 : 1);

/** How `amount` settles these invoices: in full, in full less discounts, partly (oldest first), or with money left over. */
function fitAmount(invoices: CandidateInvoice[], amount: number, date: IsoDate): Fit {
  const sorted = [...invoices].sort(oldestFirst);
  const open = sorted.reduce((s, i) => s + i.openMinor, 0);
  const full = (discounted: boolean): MatchAllocation[] =>
    sorted.map((i) => {
      const discountMinor = discounted ? discountAvailable(i, date) : 0;
      return { invoiceId: i.id, invoiceNumber: i.number, amountMinor: i.openMinor - discountMinor, discountMinor };
    });
  if (amount === open) return { type: "exact", allocations: full(false), creditMinor: 0 };
  const discounts = sorted.reduce((s, i) => s + discountAvailable(i, date), 0);
  if (discounts > 0 && amount === open - discounts) return { type: "discount", allocations: full(true), creditMinor: 0 };
  if (amount > open) return { type: "over", allocations: full(false), creditMinor: amount - open };
  const allocations: MatchAllocation[] = [];
  let left = amount;
  for (const i of sorted) {
    if (left === 0) break;
    const part = Math.min(left, i.openMinor);
    allocations.push({ invoiceId: i.id, invoiceNumber: i.number, amountMinor: part, discountMinor: 0 });
    left -= part;
  }
  return { type: "partial", allocations, creditMinor: 0 };
}

/**
 * Combinations of 2 to `maxSize` of the oldest `maxInvoices` invoices whose amounts (open, or
 * open less the discount when `discounted`) sum to `amount`; at most `limit` are returned,
 * fewest invoices first, then oldest.
 */
function combinations(invoices: CandidateInvoice[], amount: number, date: IsoDate, discounted: boolean, { maxInvoices = 25, maxSize = 5, limit = 3 } = {}): CandidateInvoice[][] {
  const pool = [...invoices].sort(oldestFirst).slice(0, maxInvoices);
  const values = pool.map((i) => i.openMinor - (discounted ? discountAvailable(i, date) : 0));
  // Suffix minimum lets a branch stop as soon as nothing further can fit.
  const found: number[][] = [];
  const chosen: number[] = [];
  let steps = 0;
  const search = (start: number, size: number, left: number): void => {
    if (found.length >= limit || steps++ > 200_000) return;
    if (chosen.length === size) {
      if (left === 0) found.push([...chosen]);
      return;
    }
    for (let i = start; i <= pool.length - (size - chosen.length); i++) {
      const v = values[i]!;
      if (v > left || v <= 0) continue;
      chosen.push(i);
      search(i + 1, size, left - v);
      chosen.pop();
      if (found.length >= limit) return;
    }
  };
  for (let size = 2; size <= Math.min(maxSize, pool.length) && found.length < limit; size++) search(0, size, amount);
  return found.map((indexes) => indexes.map((i) => pool[i]!));
}

/** One digit changed, or two adjacent digits swapped: the typos people make copying a number. */
export function isNearNumber(a: string, b: string): "substitution" | "transposition" | null {
  const width = Math.max(a.length, b.length, 6);
  const x = a.padStart(width, "0");
  const y = b.padStart(width, "0");
  const diffs: number[] = [];
  for (let i = 0; i < width && diffs.length <= 2; i++) if (x[i] !== y[i]) diffs.push(i);
  if (diffs.length === 1) return "substitution";
  if (diffs.length === 2 && diffs[1] === diffs[0]! + 1 && x[diffs[0]!] === y[diffs[1]!] && x[diffs[1]!] === y[diffs[0]!]) return "transposition";
  return null;
}

// ---------------------------------------------------------------------------------------------
// Evidence about customers

type CustomerEvidence = {
  customer: CandidateCustomer;
  account: "exact" | "digits" | null;
  accountText: string | null;
  name: number;
  /** Another customer's name fits the payer about as well. */
  nameAmbiguous: boolean;
};

/** 0–1: how surely the line came from this customer, judged without the invoices. */
function identity(e: CustomerEvidence): number {
  const account = e.account === "exact" ? 1 : e.account === "digits" ? 0.75 : 0;
  const name = e.nameAmbiguous ? Math.min(e.name, 0.7) : e.name;
  if (account >= 0.75 && e.name >= 0.8) return 1;
  return Math.max(account, name);
}

// ---------------------------------------------------------------------------------------------
// Hypotheses

type Hypothesis = {
  result: Extract<MatchResult, { kind: "payout" | "invoices" }>;
  /** Equal keys are the same answer reached two ways; different keys compete. */
  key: string;
  /** "Leave it as credit": the answer when nothing else fits, never a rival to a real match. */
  fallback?: boolean;
};

const invoiceKey = (customerId: string, allocations: MatchAllocation[], credit: number) =>
  `${customerId}|${allocations.map((a) => `${a.invoiceId}:${a.amountMinor}:${a.discountMinor}`).sort().join(",")}|${credit}`;

const clamp = (n: number) => Math.max(1, Math.min(99, Math.round(n)));

function invoiceHypothesis(customerId: string, fit: { allocations: MatchAllocation[]; creditMinor: number }, confidence: number, reasons: string[], fallback = false): Hypothesis {
  return {
    result: { kind: "invoices", customerId, allocations: fit.allocations, creditMinor: fit.creditMinor, confidence: clamp(confidence), reasons },
    key: invoiceKey(customerId, fit.allocations, fit.creditMinor),
    fallback,
  };
}

function describeFit(fit: Fit, invoices: CandidateInvoice[], amount: number, currency: string, named: boolean): string[] {
  const numbers = invoices.map((i) => i.number).join(" + ");
  switch (fit.type) {
    case "exact":
      return [invoices.length === 1 ? `Amount equals the open amount of ${numbers}` : `Amount equals ${numbers}${named ? "" : " (no numbers given)"}`];
    case "discount": {
      const discount = fit.allocations.reduce((s, a) => s + a.discountMinor, 0);
      const rates = [...new Set(invoices.filter((i) => i.earlyDiscountBps > 0).map((i) => `${i.earlyDiscountBps / 100}%`))].join("/");
      return [`Amount equals ${numbers} less the early-payment discount`, `Short by ${show(discount, currency)}: the ${rates} early-payment discount, paid by the discount date`];
    }
    case "partial": {
      const open = invoices.reduce((s, i) => s + i.openMinor, 0);
      return [`Partial payment: ${show(amount, currency)} of ${show(open, currency)} open on ${numbers}`];
    }
    case "over":
      return [`Amount covers ${numbers} in full`, `Overpaid by ${show(fit.creditMinor, currency)}: the rest stays as credit`];
  }
}

type Context = { line: BankLine; refs: References; lookup: MatchLookup; evidence: Map<string, CustomerEvidence>; bestOtherName: (customerId: string) => CustomerEvidence | null };

function customerReasons(e: CustomerEvidence | undefined, payerName: string | null): string[] {
  if (!e) return [];
  const reasons: string[] = [];
  if (e.account) reasons.push(`Account number ${e.customer.accountNumber} in the reference${e.account === "digits" ? ` (as '${e.accountText}')` : ""}`);
  if (e.name >= 0.8 && payerName) reasons.push(`Payer '${payerName}' matches customer '${e.customer.name}'${e.nameAmbiguous ? " (but another customer's name fits as well)" : ""}`);
  else if (e.name >= 0.5 && payerName) reasons.push(`Payer '${payerName}' resembles customer '${e.customer.name}'`);
  return reasons;
}

/** Hypotheses from invoice numbers found verbatim in the text, grouped by the invoices' customer. */
function referencedHypotheses(ctx: Context, referenced: CandidateInvoice[]): Hypothesis[] {
  const { line } = ctx;
  const byCustomer = new Map<string, CandidateInvoice[]>();
  for (const invoice of referenced) byCustomer.set(invoice.customerId, [...(byCustomer.get(invoice.customerId) ?? []), invoice]);
  const hypotheses: Hypothesis[] = [];
  for (const [customerId, invoices] of byCustomer) {
    const evidence = ctx.evidence.get(customerId);
    const id = evidence ? identity(evidence) : 0;
    const rival = ctx.bestOtherName(customerId);
    // The payer is clearly someone else: the number may be a typo that hit another customer's invoice.
    const conflict = rival !== null && rival.name >= 0.85 && !rival.nameAmbiguous && (evidence?.name ?? 0) < 0.5 && evidence?.account !== "exact";
    const refOf = (i: CandidateInvoice) => ctx.refs.invoiceRefs.find((r) => r.digits === stripZeros(i.number.replace(/\D/g, "")))!;
    const refReasons = (list: CandidateInvoice[]) => list.map((i) => `Invoice number ${i.number} in the reference (as '${refOf(i).raw}')`);
    const weakest = (list: CandidateInvoice[]) => (list.some((i) => refOf(i).strength === "bare" || refOf(i).strength === "year") ? "bare" : "strong");
    if (id < 0.5 && invoices.every((i) => refOf(i).strength === "year")) continue;
    const extra = [...customerReasons(evidence, line.payerName), ...(conflict ? [`But payer '${line.payerName}' looks like customer '${rival!.customer.name}'`] : [])];

    const consider = (list: CandidateInvoice[], subsetOf: number) => {
      const fit = fitAmount(list, line.amountMinor, line.bookingDate);
      const bare = weakest(list) === "bare";
      let confidence: number;
      if (fit.type === "exact" || fit.type === "discount") {
        confidence = (bare ? 86 : 95) - (fit.type === "discount" ? 1 : 0) + (id >= 0.8 ? 4 : id >= 0.5 ? 2 : 0);
        // Some numbers in the text were not part of the payment: plausible, less sure.
        if (subsetOf > list.length) confidence -= 8;
      } else if (fit.type === "partial") {
        confidence = list.length > 1 ? 60 + id * 20 : (bare ? 50 : 68) + id * 24;
      } else {
        confidence = (bare ? 50 : 66) + id * 25;
      }
      if (conflict) confidence = Math.min(confidence - 15, 80);
      if (list.some((i) => i.issueDate > line.bookingDate)) confidence -= 20;
      hypotheses.push(invoiceHypothesis(customerId, fit, confidence, [...refReasons(list), ...describeFit(fit, list, line.amountMinor, line.currency, true), ...extra]));
    };
    consider(invoices, invoices.length);
    // When several numbers were found but the amount fits only some of them, say so.
    if (invoices.length > 1 && invoices.length <= 8) {
      const total = invoices.reduce((s, i) => s + i.openMinor, 0);
      if (total !== line.amountMinor) {
        for (const subset of [...combinations(invoices, line.amountMinor, line.bookingDate, false), ...combinations(invoices, line.amountMinor, line.bookingDate, true)]) consider(subset, invoices.length);
        for (const single of invoices) if (fitAmount([single], line.amountMinor, line.bookingDate).type === "exact") consider([single], invoices.length);
      }
    }
  }
  return hypotheses;
}

/** Hypotheses for a customer identified by name or account: typos, amounts alone, combinations, credit. */
async function customerHypotheses(ctx: Context, evidence: CustomerEvidence, exactlyReferenced: Set<string>, referenceSettles: boolean): Promise<Hypothesis[]> {
  const { line, refs } = ctx;
  const id = identity(evidence);
  const all = (await ctx.lookup.openInvoicesOf(evidence.customer.id)).filter((i) => i.currency === line.currency && i.openMinor > 0 && i.issueDate <= line.bookingDate);
  const invoices = all.filter((i) => !exactlyReferenced.has(i.id));
  const who = customerReasons(evidence, line.payerName);
  const hypotheses: Hypothesis[] = [];
  const fits = (list: CandidateInvoice[]) => {
    const fit = fitAmount(list, line.amountMinor, line.bookingDate);
    return fit.type === "exact" || fit.type === "discount" ? fit : null;
  };

  // A number one typo away from an open invoice of this customer, confirmed by the amount.
  const typos: Hypothesis[] = [];
  const hitDigits = new Set(all.filter((i) => exactlyReferenced.has(i.id)).map((i) => stripZeros(i.number.replace(/\D/g, ""))));
  for (const ref of refs.invoiceRefs) {
    if (hitDigits.has(ref.digits)) continue; // the number is right as written
    for (const invoice of invoices) {
      const kind = isNearNumber(ref.digits, stripZeros(invoice.number.replace(/\D/g, "")));
      const fit = kind && fits([invoice]);
      if (!kind || !fit) continue;
      const how = kind === "substitution" ? "one digit differs" : "two digits swapped";
      typos.push(invoiceHypothesis(evidence.customer.id, fit, 80 + (id >= 0.9 ? 10 : id >= 0.75 ? 5 : 0) - (fit.type === "discount" ? 1 : 0), [`'${ref.raw}' looks like ${invoice.number} with a typo (${how})`, ...describeFit(fit, [invoice], line.amountMinor, line.currency, true), ...who]));
    }
  }
  hypotheses.push(...typos);

  // More money than the referenced invoices: the rest may pay other open invoices, not credit.
  const referencedHere = all.filter((i) => exactlyReferenced.has(i.id));
  const referencedOpen = referencedHere.reduce((sum, i) => sum + i.openMinor, 0);
  if (referencedHere.length > 0 && line.amountMinor > referencedOpen) {
    const rest = line.amountMinor - referencedOpen;
    const restFits = [...invoices.filter((i) => i.openMinor === rest).map((i) => [i]), ...combinations(invoices, rest, line.bookingDate, false, { maxSize: 3, limit: 2 })];
    if (restFits.length > 0) {
      const list = [...referencedHere, ...restFits[0]!];
      const fit = fitAmount(list, line.amountMinor, line.bookingDate);
      hypotheses.push(invoiceHypothesis(evidence.customer.id, fit, 80 + (id >= 0.9 ? 8 : 0) - (restFits.length > 1 ? 15 : 0), [
        `The amount beyond ${referencedHere.map((i) => i.number).join(" + ")} equals ${restFits[0]!.map((i) => i.number).join(" + ")} (no number given)`,
        ...describeFit(fit, list, line.amountMinor, line.currency, false),
        ...who,
      ]));
    }
  }

  // No usable number: the amount alone, against one invoice or a combination. When a number in
  // the text already settles the line, an equal amount elsewhere is a coincidence, not a rival.
  if (referenceSettles) return hypotheses.length ? hypotheses : [];
  const singles = invoices.filter((i) => fits([i]));
  const combos = [...combinations(invoices, line.amountMinor, line.bookingDate, false), ...combinations(invoices, line.amountMinor, line.bookingDate, true)];
  const distinct = new Map(combos.map((c) => [c.map((i) => i.id).sort().join(","), c]));
  if (singles.length > 0) {
    const ambiguous = singles.length > 1 || distinct.size > 0;
    const invoice = [...singles].sort(oldestFirst)[0]!;
    const fit = fits([invoice])!;
    const base = ambiguous ? 62 : 78 + (id >= 0.9 ? 13 : id >= 0.75 ? 8 : 0);
    hypotheses.push(
      invoiceHypothesis(evidence.customer.id, fit, base, [
        ...describeFit(fit, [invoice], line.amountMinor, line.currency, false),
        ...(singles.length > 1 ? [`${singles.length} open invoices of this customer have this amount: the oldest is taken`] : []),
        ...(distinct.size > 0 ? ["A combination of other open invoices adds up to the same amount"] : []),
        ...who,
      ]),
    );
  }
  if (distinct.size > 0) {
    const ordered = [...distinct.values()].sort((a, b) => a.length - b.length);
    const best = ordered[0]!;
    const fit = fits(best)!;
    const ambiguous = distinct.size > 1 || singles.length > 0;
    const base = ambiguous ? 60 : (best.length <= 4 ? 79 : 76) + (id >= 0.9 ? 12 : id >= 0.75 ? 7 : 0);
    hypotheses.push(
      invoiceHypothesis(evidence.customer.id, fit, base, [
        ...describeFit(fit, best, line.amountMinor, line.currency, false),
        ...(ambiguous ? [`Other combinations of this customer's open invoices add up to the same amount`] : []),
        ...who,
      ]),
    );
  }
  if (hypotheses.length === 0) {
    hypotheses.push(
      invoiceHypothesis(evidence.customer.id, { allocations: [], creditMinor: line.amountMinor }, 35 + id * 25, [...who, "No open invoice of this customer fits the amount: leave it as credit"], true),
    );
  }
  return hypotheses;
}

function payoutHypotheses(line: BankLine, refs: References, payouts: CandidatePayout[]): Hypothesis[] {
  const near = payouts.filter((p) => p.currency === line.currency && p.amountMinor === line.amountMinor && Math.abs(daysBetween(p.arrivalDate, line.bookingDate)) <= 3);
  return near.map((p) => {
    const named = refs.payoutIds.includes(p.processorPayoutId);
    const days = Math.abs(daysBetween(p.arrivalDate, line.bookingDate));
    const confidence = named ? 99 : near.length > 1 ? (refs.mentionsProcessor ? 72 : 58) - days : (refs.mentionsProcessor ? 96 : 76) - days;
    const reasons = [
      named ? `Payout ${p.processorPayoutId} named in the reference` : refs.mentionsProcessor ? "The reference names Stripe" : "Nothing in the reference names the processor",
      `Amount equals payout ${p.processorPayoutId}, arriving ${p.arrivalDate}${days ? ` (${days} day${days > 1 ? "s" : ""} apart)` : ""}`,
      ...(near.length > 1 && !named ? [`${near.length} payouts of this amount arrive within 3 days`] : []),
    ];
    return { result: { kind: "payout", payoutId: p.id, confidence: clamp(confidence), reasons }, key: `payout|${p.id}` } satisfies Hypothesis;
  });
}

/**
 * Common words ("International", "Trading") bring back hundreds of candidates: only those sharing
 * nearly as many words with the payer as the best one are worth a full comparison.
 */
function namesWorthScoring(payerTokens: string[], candidates: CandidateCustomer[]): CandidateCustomer[] {
  if (candidates.length <= 20) return candidates;
  const payer = new Set(payerTokens);
  const shared = candidates.map((c) => nameTokens(c.name).reduce((n, t) => n + (payer.has(t) ? 1 : 0), 0));
  const most = Math.max(...shared);
  return candidates.filter((_, i) => shared[i]! >= Math.max(1, most - 1));
}

// ---------------------------------------------------------------------------------------------

export async function matchBankLine(line: BankLine, lookup: MatchLookup, _options: { today?: IsoDate } = {}): Promise<MatchResult> {
  if (line.direction === "debit") return { kind: "none", confidence: 0, reasons: ["Debit: not a customer payment"] };
  if (!(line.amountMinor > 0)) return { kind: "none", confidence: 0, reasons: ["No amount"] };
  currencyExponent(line.currency);

  const refs = readReferences(line.remittance, line.bankReference);
  const payerTokens = line.payerName ? nameTokens(line.payerName).filter((t) => t.length >= 2) : [];
  const [referenced, byAccount, byName, payouts] = await Promise.all([
    refs.invoiceRefs.length ? lookup.invoicesByNumberDigits(refs.invoiceRefs.map((r) => r.digits), line.currency) : [],
    refs.accounts.length ? lookup.customersByAccountNumbers(refs.accounts) : [],
    payerTokens.length ? lookup.customersByNameTokens(payerTokens, line.currency) : [],
    lookup.payoutsNear(line.amountMinor, line.currency, line.bookingDate),
  ]);

  const evidence = new Map<string, CustomerEvidence>();
  const get = (c: CandidateCustomer) => {
    let e = evidence.get(c.id);
    if (!e) evidence.set(c.id, (e = { customer: c, account: null, accountText: null, name: 0, nameAmbiguous: false }));
    return e;
  };
  const normalisedAccounts = new Set(refs.accounts.map((a) => a.replace(/[^A-Z0-9]/gi, "").toUpperCase()));
  for (const c of byAccount) {
    if (c.currency !== line.currency) continue;
    const e = get(c);
    const own = c.accountNumber.replace(/[^A-Z0-9]/gi, "").toUpperCase();
    const exact = normalisedAccounts.has(own) && /\D/.test(own);
    const digits = stripZeros(own.replace(/\D/g, ""));
    if (exact || e.account !== "exact") {
      e.account = exact ? "exact" : "digits";
      e.accountText = exact ? c.accountNumber : (refs.accounts.find((a) => stripZeros(a.replace(/\D/g, "")) === digits) ?? digits);
    }
  }
  for (const c of namesWorthScoring(payerTokens, byName)) {
    const score = tokenSetSimilarity(payerTokens, nameTokens(c.name));
    if (score >= 0.5) get(c).name = score;
  }
  const byScore = [...evidence.values()].filter((e) => e.name >= 0.8).sort((a, b) => b.name - a.name);
  for (const e of byScore) e.nameAmbiguous = byScore.some((o) => o !== e && o.name >= e.name - 0.05);
  const bestOtherName = (customerId: string) => byScore.find((e) => e.customer.id !== customerId) ?? null;

  const ctx: Context = { line, refs, lookup, evidence, bestOtherName };
  const openReferenced = referenced.filter((i) => i.currency === line.currency && i.openMinor > 0);
  const hypotheses: Hypothesis[] = [...referencedHypotheses(ctx, openReferenced), ...payoutHypotheses(line, refs, payouts)];

  // Look further only at customers the line itself points to, strongest first, a few at most.
  const identified = [...evidence.values()].filter((e) => identity(e) >= 0.6).sort((a, b) => identity(b) - identity(a)).slice(0, 4);
  const exactly = new Set(openReferenced.map((i) => i.id));
  const referenceSettles = hypotheses.some((h) => h.result.kind === "invoices" && h.result.creditMinor === 0 && h.result.allocations.length > 0 && h.result.allocations.every((a) => {
    const invoice = openReferenced.find((i) => i.id === a.invoiceId);
    return invoice !== undefined && a.amountMinor + a.discountMinor === invoice.openMinor;
  }) && h.result.confidence >= 80);
  for (const e of identified) hypotheses.push(...(await customerHypotheses(ctx, e, exactly, referenceSettles)));

  if (hypotheses.length === 0) {
    const reasons = ["No invoice number, customer or payout found for this line"];
    if (refs.invoiceRefs.length) reasons.push(`Numbers read (${refs.invoiceRefs.map((r) => r.raw).join(", ")}) match no open invoice in ${line.currency}`);
    return { kind: "none", confidence: 0, reasons };
  }

  // Same answer reached several ways: keep the surest. Then a close rival lowers the winner.
  const bestByKey = new Map<string, Hypothesis>();
  for (const h of hypotheses) {
    const seen = bestByKey.get(h.key);
    if (!seen) bestByKey.set(h.key, h);
    else {
      // Reached again by other evidence (a near number and the amount alone): a little surer.
      const [better, other] = h.result.confidence > seen.result.confidence ? [h, seen] : [seen, h];
      const reasons = [...better.result.reasons, ...other.result.reasons.filter((r) => !better.result.reasons.includes(r))];
      bestByKey.set(h.key, { ...better, result: { ...better.result, confidence: clamp(Math.min(97, Math.max(better.result.confidence, other.result.confidence + 4))), reasons } });
    }
  }
  // "Leave as credit" is the last resort: any real match worth showing comes first.
  const rank = (h: Hypothesis) => (h.fallback ? 0 : h.result.confidence >= 50 ? 2 : 1);
  const ranked = [...bestByKey.values()].sort((a, b) => rank(b) - rank(a) || b.result.confidence - a.result.confidence);
  const winner = ranked[0]!;
  const rival = ranked.find((h) => h !== winner && !h.fallback && !(winner.fallback && h.result.kind === "invoices" && winner.result.kind === "invoices" && h.result.customerId === winner.result.customerId));
  // A guess this weak wastes a reviewer's time more than it saves.
  if (winner.result.confidence < MIN_SUGGESTION) return { kind: "none", confidence: 0, reasons: ["Nothing fits well enough to suggest", `Weak guess: ${describeHypothesis(winner)} (${winner.result.reasons[0] ?? ""})`] };
  const result = { ...winner.result, reasons: [...winner.result.reasons] };
  if (rival) {
    const gap = winner.result.confidence - rival.result.confidence;
    if (gap < 15) {
      result.confidence = clamp(Math.min(result.confidence, DEFAULT_THRESHOLD - 1) - Math.max(0, 10 - gap));
      result.reasons.push(`Also possible: ${describeHypothesis(rival)}`);
    }
  }
  return result;
}

function describeHypothesis(h: Hypothesis): string {
  const r = h.result;
  if (r.kind === "payout") return `payout ${r.reasons[1]?.replace(/^Amount equals payout /, "") ?? r.payoutId}`;
  return r.allocations.length ? r.allocations.map((a) => a.invoiceNumber).join(" + ") : "leave as credit";
}

// ---------------------------------------------------------------------------------------------
// In-memory lookup for tests and the bench: every index built once.

const accountKey = (account: string) => account.replace(/[^A-Z0-9]/gi, "").toUpperCase();

export function createMemoryLookup({ customers, invoices, payouts }: { customers: CandidateCustomer[]; invoices: CandidateInvoice[]; payouts: CandidatePayout[] }): MatchLookup {
  const byDigits = new Map<string, CandidateInvoice[]>();
  const byCustomer = new Map<string, CandidateInvoice[]>();
  for (const invoice of invoices) {
    if (invoice.openMinor <= 0) continue;
    const digits = stripZeros(invoice.number.replace(/\D/g, ""));
    if (digits) byDigits.set(digits, [...(byDigits.get(digits) ?? []), invoice]);
    const list = byCustomer.get(invoice.customerId) ?? [];
    list.push(invoice);
    byCustomer.set(invoice.customerId, list);
  }
  for (const list of byCustomer.values()) list.sort(oldestFirst);

  const byAccount = new Map<string, CandidateCustomer[]>();
  const byAccountDigits = new Map<string, CandidateCustomer[]>();
  const byToken = new Map<string, CandidateCustomer[]>();
  const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => map.set(key, [...(map.get(key) ?? []), value]);
  for (const customer of customers) {
    push(byAccount, accountKey(customer.accountNumber), customer);
    const digits = stripZeros(customer.accountNumber.replace(/\D/g, ""));
    if (digits) push(byAccountDigits, digits, customer);
    for (const token of new Set(nameTokens(customer.name))) push(byToken, token, customer);
  }
  const byAmount = new Map<string, CandidatePayout[]>();
  for (const payout of payouts) push(byAmount, `${payout.currency}:${payout.amountMinor}`, payout);

  const unique = <T extends { id: string }>(items: T[]) => [...new Map(items.map((i) => [i.id, i])).values()];
  return {
    async invoicesByNumberDigits(digits, currency) {
      return unique(digits.flatMap((d) => byDigits.get(stripZeros(d)) ?? [])).filter((i) => i.currency === currency);
    },
    async customersByAccountNumbers(accounts) {
      // Digits alone ("10023") also find "C-10023": payers often drop the letters.
      return unique(accounts.flatMap((a) => [...(byAccount.get(accountKey(a)) ?? []), ...(/^\d+$/.test(a) ? (byAccountDigits.get(stripZeros(a)) ?? []) : [])]));
    },
    // Like the SQL lookup: customers sharing the most words with the payer first, a bounded number.
    async customersByNameTokens(tokens, currency) {
      const shared = new Map<CandidateCustomer, number>();
      for (const token of new Set(tokens)) for (const c of byToken.get(token) ?? []) if (c.currency === currency) shared.set(c, (shared.get(c) ?? 0) + 1);
      let most = 0;
      for (const n of shared.values()) most = Math.max(most, n);
      const floor = most >= 2 ? most - 1 : 1;
      return [...shared].filter(([, n]) => n >= floor).sort((a, b) => b[1] - a[1]).slice(0, 200).map(([c]) => c);
    },
    async openInvoicesOf(customerId) {
      return byCustomer.get(customerId) ?? [];
    },
    async payoutsNear(amountMinor, currency, date) {
      return (byAmount.get(`${currency}:${amountMinor}`) ?? []).filter((p) => Math.abs(daysBetween(p.arrivalDate, date)) <= 3);
    },
  };
}
