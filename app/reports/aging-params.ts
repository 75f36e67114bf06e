import { z } from "zod";
import type { IsoDate } from "~/utils/dates";
import { blankToUndefined, currencyParam, pastDateParam } from "~/utils/search-params";
import { fieldErrors, type FieldErrors } from "~/utils/validation";

export type AgingBasis = "due" | "invoice";
export const agingGroups = { customer: "Customer", collector: "Collector", currency: "Currency", segment: "Segment" } as const;
export type AgingGroup = keyof typeof agingGroups;
export const agingSorts = ["total", "overdue", "name"] as const;
export type AgingSort = (typeof agingSorts)[number];

export type AgingQuery = {
  asOf: IsoDate;
  basis: AgingBasis;
  /** Upper edges, in days, of every bucket after "Current"; the last bucket is open-ended. */
  edges: number[];
  groupBy: AgingGroup;
  currency: string | null;
  search: string | null;
  page: number;
  sort: AgingSort;
};

export const DEFAULT_EDGES = [30, 60, 90];
export const MAX_EDGES = 8;


const edgesSchema = z
  .string()
  .transform((text, ctx) => {
    const parts = text.split(",").map((p) => p.trim());
    const edges = parts.map(Number);
    if (parts.some((p) => !/^\d{1,4}$/.test(p)) || edges.some((e) => e < 1)) {
      ctx.addIssue({ code: "custom", message: "Buckets must be whole numbers of days above 0, separated by commas, like 30,60,90" });
      return z.NEVER;
    }
    if (edges.some((e, i) => i > 0 && e <= edges[i - 1]!)) {
      ctx.addIssue({ code: "custom", message: "Buckets must go up, like 30,60,90" });
      return z.NEVER;
    }
    if (edges.length > MAX_EDGES) {
      ctx.addIssue({ code: "custom", message: `Buckets can have at most ${MAX_EDGES} edges` });
      return z.NEVER;
    }
    return edges;
  });

/** The aging report's query string. An empty or missing field takes its default. */
export function agingSearchSchema(today: IsoDate) {
  return z.object({
    as_of: pastDateParam("As-of date", today),
    basis: z.preprocess(blankToUndefined, z.enum(["due", "invoice"], { message: "Age by must be due date or invoice date" }).default("due")),
    buckets: z.preprocess(blankToUndefined, edgesSchema.default(DEFAULT_EDGES)),
    group: z.preprocess(blankToUndefined, z.enum(["customer", "collector", "currency", "segment"], { message: "Group by must be customer, collector, currency or segment" }).default("customer")),
    currency: currencyParam(),
    q: z.preprocess(blankToUndefined, z.string().max(100, "Search must be at most 100 characters").optional()),
    page: z.preprocess(blankToUndefined, z.coerce.number({ message: "Page must be a number" }).int("Page must be a whole number").min(1, "Page must be 1 or more").max(100_000, "Page is too large").default(1)),
    sort: z.preprocess(blankToUndefined, z.enum(agingSorts, { message: "Sort must be total, overdue or name" }).default("total")),
  });
}

export function parseAgingSearch(search: URLSearchParams, today: IsoDate): { ok: true; query: AgingQuery } | { ok: false; errors: FieldErrors } {
  const parsed = agingSearchSchema(today).safeParse(Object.fromEntries(search));
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const p = parsed.data;
  return { ok: true, query: { asOf: p.as_of ?? today, basis: p.basis, edges: p.buckets, groupBy: p.group, currency: p.currency ?? null, search: p.q?.trim() || null, page: p.page, sort: p.sort } };
}

export function defaultAgingQuery(today: IsoDate): AgingQuery {
  return { asOf: today, basis: "due", edges: DEFAULT_EDGES, groupBy: "customer", currency: null, search: null, page: 1, sort: "total" };
}

/** The query as a query string, so the CSV and PDF links give the numbers on screen. */
export function agingSearchString(query: Partial<AgingQuery>): string {
  const params = new URLSearchParams();
  if (query.asOf) params.set("as_of", query.asOf);
  if (query.basis && query.basis !== "due") params.set("basis", query.basis);
  if (query.edges && query.edges.join(",") !== DEFAULT_EDGES.join(",")) params.set("buckets", query.edges.join(","));
  if (query.groupBy && query.groupBy !== "customer") params.set("group", query.groupBy);
  if (query.currency) params.set("currency", query.currency);
  if (query.search) params.set("q", query.search);
  if (query.sort && query.sort !== "total") params.set("sort", query.sort);
  if (query.page && query.page > 1) params.set("page", String(query.page));
  return params.toString();
}

/** Column headings for the buckets an edge list makes: Current, 1–30, 31–60, 61–90, Over 90. */
export function agingColumns(edges: number[], basis: AgingBasis): { key: string; label: string }[] {
  const first = basis === "due" ? { key: "current", label: "Current" } : { key: "d0", label: `0–${edges[0]} days` };
  const columns = [first];
  edges.forEach((edge, i) => {
    if (i === 0 && basis === "invoice") return;
    const from = i === 0 ? 1 : edges[i - 1]! + 1;
    columns.push({ key: `d${from}_${edge}`, label: `${from}–${edge} days` });
  });
  columns.push({ key: `d${edges.at(-1)! + 1}_plus`, label: `Over ${edges.at(-1)} days` });
  return columns;
}
