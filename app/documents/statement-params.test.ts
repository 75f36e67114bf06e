import { describe, expect, it } from "vitest";
import { lineDetail, parseStatementQuery, quickPeriods, statementSearch } from "./statement-params";

describe("statement parameters", () => {
  it("default to the current month, today for open items", () => {
    expect(parseStatementQuery(new URLSearchParams(""), "2026-02-14")).toEqual({ ok: true, query: { kind: "activity", from: "2026-02-01", to: "2026-02-28", asOf: "2026-02-14" } });
    expect(parseStatementQuery(new URLSearchParams("kind=open_item&asOf=&from="), "2026-02-14")).toMatchObject({ ok: true, query: { kind: "open_item", asOf: "2026-02-14" } });
  });

  it("name the field that is wrong", () => {
    expect(parseStatementQuery(new URLSearchParams("to=2026-13-01"), "2026-02-14")).toEqual({ ok: false, errors: { to: "To date must be a date like 2026-01-31" } });
    expect(parseStatementQuery(new URLSearchParams("asOf=0000-01-01"), "2026-02-14")).toEqual({ ok: false, errors: { asOf: "As-of date must be between 1900 and 2999" } });
  });

  it("offer this month, last month, this quarter and the year to date", () => {
    expect(quickPeriods("2026-03-31")).toEqual([
      { label: "This month", from: "2026-03-01", to: "2026-03-31" },
      { label: "Last month", from: "2026-02-01", to: "2026-02-28" },
      { label: "This quarter", from: "2026-01-01", to: "2026-03-31" },
      { label: "Year to date", from: "2026-01-01", to: "2026-03-31" },
    ]);
    expect(quickPeriods("2026-11-23")[2]).toEqual({ label: "This quarter", from: "2026-10-01", to: "2026-12-31" });
    expect(quickPeriods("2027-01-05")[1]).toEqual({ label: "Last month", from: "2026-12-01", to: "2026-12-31" });
  });

  it("carry only the parameters the statement uses", () => {
    expect(statementSearch({ kind: "activity", from: "2026-01-01", to: "2026-01-31", asOf: "2026-02-01" })).toBe("kind=activity&from=2026-01-01&to=2026-01-31");
    expect(statementSearch({ kind: "open_item", from: "2026-01-01", to: "2026-01-31", asOf: "2026-02-01" })).toBe("kind=open_item&asOf=2026-02-01");
  });

  it("drop a description that only repeats the type and reference", () => {
    expect(lineDetail({ type: "Invoice", reference: "INV-000040", description: "Invoice INV-000040" })).toBeNull();
    expect(lineDetail({ type: "Payment", reference: "9124", description: "Payment received (Wire transfer 9124)" })).toBe("Payment received (Wire transfer 9124)");
  });
});
