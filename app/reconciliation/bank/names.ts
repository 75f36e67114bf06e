/**
 * Payer names as banks print them ("ACME INTL LTD", "The Acme International Co.") compared with
 * customer names ("Acme International Limited"): both are reduced to the words that identify
 * the business, then compared word by word.
 */

const abbreviations: Record<string, string> = {
  INTL: "INTERNATIONAL",
  INTERNATL: "INTERNATIONAL",
  INTNL: "INTERNATIONAL",
  MFG: "MANUFACTURING",
  SVCS: "SERVICES",
  SVC: "SERVICES",
  SERV: "SERVICES",
  TECH: "TECHNOLOGIES",
  TECHNOLOGY: "TECHNOLOGIES",
  BROS: "BROTHERS",
  ASSOC: "ASSOCIATES",
  INDS: "INDUSTRIES",
  IND: "INDUSTRIES",
  MGMT: "MANAGEMENT",
  GRP: "GROUP",
  HLDGS: "HOLDINGS",
  HLDG: "HOLDINGS",
  SYS: "SYSTEMS",
  SOLNS: "SOLUTIONS",
  LABS: "LABORATORIES",
  LAB: "LABORATORIES",
  ENGG: "ENGINEERING",
  ENG: "ENGINEERING",
  DIST: "DISTRIBUTION",
  NATL: "NATIONAL",
  MKTG: "MARKETING",
  LOGISTIK: "LOGISTICS",
  CTR: "CENTER",
  CENTRE: "CENTER",
  DEV: "DEVELOPMENT",
  PRODS: "PRODUCTS",
};

// Legal forms say nothing about which business it is and banks add, drop or abbreviate them.
const legalForms = new Set([
  "LTD", "LIMITED", "LLC", "LLP", "LP", "INC", "INCORPORATED", "CORP", "CORPORATION", "CO", "COMPANY", "GMBH", "MBH", "AG", "KG", "KGAA", "UG", "EV",
  "SA", "SAS", "SARL", "SRL", "SPA", "BV", "NV", "PLC", "PTY", "OY", "AB", "AS", "APS", "OHG", "GBR", "SE", "SL", "LDA", "KFT", "SP", "ZOO",
]);
const cutLegalForms = ["GMBH", "LIMITED", "CORPORATION", "INCORPORATED", "COMPANY", "SARL"];
const stopWords = new Set(["THE", "AND", "OF", "DE", "DER", "DIE", "LA", "LE", "ET", "UND"]);

const cache = new Map<string, string[]>();

/** The identifying words of a business name, upper case, legal forms and filler dropped. */
export function nameTokens(name: string): string[] {
  const cached = cache.get(name);
  if (cached) return cached;
  const plain = name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toUpperCase()
    .replace(/ß/g, "SS")
    .replace(/['’`]/g, "")
    .replace(/&/g, " AND ")
    .replace(/[^A-Z0-9]+/g, " ")
    .trim();
  // "S A" and "B V" (from "S.A.", "B.V.") are one word: runs of single letters are joined.
  const joined: string[] = [];
  let run = "";
  for (const token of plain.split(" ").filter(Boolean)) {
    if (token.length === 1) {
      run += token;
      continue;
    }
    if (run) joined.push(run);
    run = "";
    joined.push(token);
  }
  if (run) joined.push(run);
  const tokens = joined.map((t) => abbreviations[t] ?? t).filter((t) => !stopWords.has(t));
  // Banks cut long names: a last word like "GM" or "LIMI" is what is left of a legal form.
  const last = tokens[tokens.length - 1];
  if (tokens.length > 2 && last !== undefined && last.length >= 2 && cutLegalForms.some((f) => f.startsWith(last))) tokens.pop();
  const meaningful = tokens.filter((t) => !legalForms.has(t));
  // A name that is nothing but a legal form ("AG") keeps it, so it still has a word.
  const result = meaningful.length > 0 ? meaningful : tokens;
  if (cache.size > 200_000) cache.clear();
  cache.set(name, result);
  return result;
}

/** Edit distance of at most one (one letter changed, added or dropped), in linear time. */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** How well one word stands for another: equal 1, a typo in a long word 0.85, a cut-off word 0.8. */
function tokenSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length >= 5 && b.length >= 5 && withinOneEdit(a, b)) return 0.85;
  // Banks cut payer names at 35 characters or so: the last word may end early.
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  if (short.length >= 3 && long.startsWith(short)) return 0.8;
  return 0;
}

/**
 * 0 to 1: how surely two names are the same business. Dice coefficient over words, each word
 * matched at most once, so "Acme Industries" vs "Acme Logistics Industries" is 0.8.
 */
export function nameSimilarity(payer: string, customer: string): number {
  return tokenSetSimilarity(nameTokens(payer), nameTokens(customer));
}

/** `nameSimilarity` on names already reduced by `nameTokens`. */
export function tokenSetSimilarity(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const used = new Set<number>();
  let matched = 0;
  for (const token of a) {
    let best = 0;
    let bestIndex = -1;
    b.forEach((other, j) => {
      if (used.has(j)) return;
      const s = tokenSimilarity(token, other);
      if (s > best) [best, bestIndex] = [s, j];
    });
    if (bestIndex >= 0) {
      used.add(bestIndex);
      matched += best;
    }
  }
  // Word order aside, a name squashed together ("ACMEINTERNATIONAL") still reads the same.
  if (matched < a.length && a.join("") === b.join("")) return 0.95;
  return (2 * matched) / (a.length + b.length);
}
