import { readFile } from "node:fs/promises";
import { PassThrough } from "node:stream";
import { asc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb, rowsOf } from "~db/client";
import { customers, emailOutbox, importRuns, invoices, payments } from "~db/schema";
import { runCli } from "~/cli/cli";
import type { ImportKind } from "~/imports/columns";
import { applyImportRun, checkImport, claimImportRun, createImportRun, failImportRun, getImportRun, importSettled } from "~/imports/imports.server";
import { createIssuedInvoice } from "~/ledger/invoices.server";
import * as importsPage from "~/routes/staff.imports._index";
import * as importRunPage from "~/routes/staff.imports.$importId";
import * as samplesRoute from "~/routes/staff.imports.samples.$file";
import { createStaff } from "./factories";
import { context, cookieFor, get, outcome, post } from "./route-helpers";
import { ledgerFingerprint, ledgerViolations } from "./ledger-invariants";

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url).pathname;
const read = (name: string) => readFile(fixture(name), "utf8");
const system = { type: "system" as const, label: "test" };

/** Upload, claim and apply, as the back office does (but awaited). */
async function importCsv(kind: ImportKind, content: string, { skipInvalid = false } = {}) {
  const { id } = await createImportRun({ kind, filename: `${kind}.csv`, content }, system);
  await claimImportRun(id, { skipInvalid });
  const outcome = await applyImportRun(id, { actor: system });
  if (!outcome.applied) throw new Error(`not applied: ${JSON.stringify(outcome.report.errors)}`);
  return outcome;
}

/** Every row the imports write, to show that something changed nothing. */
async function snapshot() {
  const db = getDb();
  const [row] = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select (select count(*) from customers) as customers,
             (select string_agg(md5(c::text), ',' order by id) from customers c) as customer_rows,
             (select count(*) from audit_log) as audit,
             (select count(*) from import_runs) as runs`),
  );
  return JSON.stringify(row) + (await ledgerFingerprint());
}

function csv(rows: string[][]) {
  return rows.map((r) => r.map((v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(",")).join("\n") + "\n";
}

describe("customer import", () => {
  it("dry run changes nothing and reports each bad row with its row, column and reason", async () => {
    const before = await snapshot();
    const report = await checkImport("customers", await read("customers-bad.csv"));
    expect(await snapshot()).toBe(before);
    expect(report).toMatchObject({ totalRows: 8, validRows: 2, errorRows: 6, fatal: false, counts: { create: 2, update: 0, unchanged: 0, invalid: 6 } });
    expect(report.errors).toEqual([
      { row: 3, column: "name", message: "Name is required" },
      { row: 4, column: "email", message: "Billing email must be an email address" },
      { row: 5, column: "credit_limit", message: "Credit limit: JPY amounts have no decimals" },
      { row: 6, column: "external_ref", message: expect.stringContaining("external_ref is required") },
      { row: 7, column: "external_ref", message: "External reference ERP-101 is also on row 2" },
      { row: 8, column: "payment_terms_days", message: "Payment terms must be at most 365" },
      { row: 8, column: "time_zone", message: "Time zone must be an IANA name such as America/New_York" },
    ]);
  });

  it("refuses a file it cannot read as a whole, naming the column", async () => {
    expect(await checkImport("customers", "external_ref,name,emial,currency\nX,Y,z@z.example,USD\n")).toMatchObject({
      fatal: true,
      validRows: 0,
      errors: [{ row: 1, column: "emial", message: expect.stringContaining('Unknown column "emial"') }],
    });
    expect((await checkImport("customers", "external_ref,email\nX,z@z.example\n")).errors[0]).toMatchObject({ row: 1, message: "Missing columns: name, currency" });
    expect((await checkImport("customers", 'external_ref,name,currency\nA,"Broken,USD\nB,Fine,USD\n')).fatal).toBe(true);
    expect((await checkImport("customers", "")).errors[0]!.message).toMatch(/empty/);
  });

  it("creates customers, leaves them alone on the same file again, and updates by external reference", async () => {
    const file = await read("customers.csv");
    const first = await importCsv("customers", file);
    expect(first.result).toEqual({ created: 3, updated: 0, unchanged: 0, failed: 0 });
    const harbor = (await getDb().select().from(customers).where(eq(customers.externalRef, "ERP-001")))[0]!;
    expect(harbor).toMatchObject({
      accountNumber: "C-10001",
      email: "ap@harborfreight.example",
      country: "US",
      earlyDiscountBps: 200,
      earlyDiscountDays: 10,
      creditLimitMinor: 5_000_000,
      timeZone: "America/Los_Angeles",
    });
    const nakamura = (await getDb().select().from(customers).where(eq(customers.externalRef, "ERP-003")))[0]!;
    expect(nakamura).toMatchObject({ name: "Nakamura Trading, K.K.", currency: "JPY", creditLimitMinor: 1_000_000, creditHold: true });

    const staff = await createStaff();
    await getDb().update(customers).set({ collectorId: staff.id, phone: "+1 206 555 0100" }).where(eq(customers.id, harbor.id));
    const before = await snapshot();
    const again = await checkImport("customers", file);
    expect(again.counts).toEqual({ create: 0, update: 0, unchanged: 3, invalid: 0 });
    const second = await importCsv("customers", file);
    expect(second.result).toEqual({ created: 0, updated: 0, unchanged: 3, failed: 0 });
    // Only the run and its audit entries are new.
    const withoutRuns = (text: string) => text.replace(/"(audit|runs)":"?\d+"?/g, "");
    expect(withoutRuns(await snapshot())).toBe(withoutRuns(before));

    // A file without the phone column: the name changes, the phone and the collector stay.
    const changed = csv([
      ["external_ref", "name", "currency", "email"],
      ["ERP-001", "Harbor Freight Lines (West)", "USD", "ap@harborfreight.example"],
    ]);
    expect((await importCsv("customers", changed)).result).toEqual({ created: 0, updated: 1, unchanged: 0, failed: 0 });
    const updated = (await getDb().select().from(customers).where(eq(customers.id, harbor.id)))[0]!;
    expect(updated).toMatchObject({ name: "Harbor Freight Lines (West)", accountNumber: "C-10001", phone: "+1 206 555 0100", collectorId: staff.id, creditLimitMinor: 5_000_000 });
    expect(await getDb().select().from(customers)).toHaveLength(3);
  });

  it("applies nothing while rows are bad unless skipping them is confirmed", async () => {
    const { id, report } = await createImportRun({ kind: "customers", filename: "bad.csv", content: await read("customers-bad.csv") }, system);
    expect(report.errorRows).toBe(6);
    await expect(claimImportRun(id, { skipInvalid: false })).rejects.toMatchObject({ field: "skipInvalid", message: expect.stringContaining("6 rows have problems") });
    expect(await getDb().select().from(customers)).toHaveLength(0);
    expect((await getImportRun(id))!.status).toBe("validated");

    await claimImportRun(id, { skipInvalid: true });
    await expect(claimImportRun(id, { skipInvalid: true })).rejects.toThrow("already being applied");
    const outcome = await applyImportRun(id, { actor: system });
    expect(outcome).toMatchObject({ applied: true, result: { created: 2, updated: 0, unchanged: 0, failed: 0 } });
    expect((await getDb().select({ ref: customers.externalRef }).from(customers).orderBy(asc(customers.externalRef))).map((c) => c.ref)).toEqual(["ERP-101", "ERP-107"]);
    const run = (await getImportRun(id))!;
    expect(run).toMatchObject({ status: "applied", totalRows: 8, validRows: 2, processedRows: 2, summary: { result: { created: 2 }, errorRows: 6 } });
    expect(run.errors).toHaveLength(7);
    await expect(claimImportRun(id, { skipInvalid: true })).rejects.toThrow("already imported");
  });
});

describe("invoice import", () => {
  it("creates issued invoices with their source numbers and what was paid before, once", async () => {
    await importCsv("customers", await read("customers.csv"));
    const file = await read("invoices.csv");
    const before = await snapshot();
    const report = await checkImport("invoices", file);
    expect(await snapshot()).toBe(before);
    expect(report).toMatchObject({ totalRows: 4, validRows: 4, errorRows: 0, counts: { create: 3, update: 0, unchanged: 0, invalid: 0 } });

    expect((await importCsv("invoices", file)).result).toEqual({ created: 3, updated: 0, unchanged: 0, failed: 0 });
    const rows = await getDb().select().from(invoices).orderBy(asc(invoices.number));
    expect(rows.map((i) => [i.number, i.status, i.source, i.externalRef, i.issueDate, i.dueDate, i.totalMinor, i.openMinor])).toEqual([
      // 2400.00 + 250 x 0.85 = 212.50 plus 10% tax 21.25; due from the customer's 30 days.
      ["A-1001", "open", "import", "SI-1", "2026-01-05", "2026-02-04", 263_375, 263_375],
      // 2.5 x 150.00 = 375.00 plus 8.25% = 30.94; 100.00 paid before.
      ["A-1002", "open", "import", "SI-2", "2026-01-20", "2026-02-28", 40_594, 30_594],
      ["A-1003", "paid", "import", "SI-3", "2026-01-22", "2026-02-05", 228_000, 0],
    ]);
    const paid = await getDb().select().from(payments).orderBy(asc(payments.amountMinor));
    expect(paid.map((p) => [p.amountMinor, p.currency, p.method, p.reference, p.source])).toEqual([
      [10_000, "USD", "other", "Paid before import", "import"],
      [228_000, "GBP", "other", "Paid before import", "import"],
    ]);
    // Another system already sent these invoices: no email.
    expect(await getDb().select().from(emailOutbox)).toHaveLength(0);
    expect(await ledgerViolations()).toEqual([]);

    const books = await ledgerFingerprint();
    expect((await importCsv("invoices", file)).result).toEqual({ created: 0, updated: 0, unchanged: 3, failed: 0 });
    expect(await ledgerFingerprint()).toBe(books);
  });

  it("records a larger amount_paid as one more payment, and refuses a changed total or a smaller amount_paid", async () => {
    await importCsv("customers", await read("customers.csv"));
    const file = await read("invoices.csv");
    await importCsv("invoices", file);

    const morePaid = file.replace("Consulting,2.5,150.00,8.25,100.00", "Consulting,2.5,150.00,8.25,150.00");
    expect((await checkImport("invoices", morePaid)).counts).toEqual({ create: 0, update: 1, unchanged: 2, invalid: 0 });
    expect((await importCsv("invoices", morePaid)).result).toEqual({ created: 0, updated: 1, unchanged: 2, failed: 0 });
    const si2 = (await getDb().select().from(invoices).where(eq(invoices.externalRef, "SI-2")))[0]!;
    expect(si2.openMinor).toBe(25_594);
    expect((await importCsv("invoices", morePaid)).result).toEqual({ created: 0, updated: 0, unchanged: 3, failed: 0 });
    expect(await getDb().select().from(payments)).toHaveLength(3);

    const books = await ledgerFingerprint();
    const repriced = morePaid.replace("Freight audit,1,2400.00", "Freight audit,1,2500.00");
    const lessPaid = morePaid.replace("8.25,150.00", "8.25,50.00");
    const [a, b] = await Promise.all([checkImport("invoices", repriced), checkImport("invoices", lessPaid)]);
    expect(a.errors).toEqual([{ row: 2, column: null, message: expect.stringMatching(/SI-1 \(A-1001\) totals \$2,633\.75 in Settle; this file totals \$2,733\.75\..*credit note, or void it/) }]);
    expect(a).toMatchObject({ errorRows: 2, validRows: 2, counts: { invalid: 1, unchanged: 2 } });
    expect(b.errors).toEqual([{ row: 4, column: "amount_paid", message: expect.stringMatching(/amount_paid went down from \$150\.00 to \$50\.00\..*credit note/) }]);
    const { id } = await createImportRun({ kind: "invoices", filename: "x.csv", content: repriced }, system);
    await expect(claimImportRun(id, { skipInvalid: false })).rejects.toThrow("2 rows have problems");
    expect(await ledgerFingerprint()).toBe(books);
  });

  it("reports each bad row of an invoices file, skips an invoice whole, and keeps numbers unique", async () => {
    await importCsv("customers", await read("customers.csv"));
    const customer = (await getDb().select().from(customers).where(eq(customers.externalRef, "ERP-001")))[0]!;
    await createIssuedInvoice({ customerId: customer.id, number: "B-18", lines: [{ description: "Earlier", quantityMilli: 1000, unitPriceMinor: 500, taxRateBps: 0 }] }, system);
    const before = await snapshot();
    const report = await checkImport("invoices", await read("invoices-bad.csv"));
    expect(await snapshot()).toBe(before);
    expect(report.errors).toEqual([
      { row: 3, column: "issue_date", message: "issue_date must be a date like 2026-01-31" },
      { row: 4, column: "customer_external_ref", message: "No customer has the external reference ERP-404; import the customers first" },
      { row: 5, column: "currency", message: "Acme Tools is billed in GBP; this invoice is in USD" },
      { row: 7, column: "quantity", message: expect.stringContaining("quantity: Enter a quantity") },
      { row: 8, column: "number", message: "Invoice number B-10 is also on row 2, for invoice SI-10" },
      { row: 9, column: "amount_paid", message: "amount_paid $150.00 is more than the invoice total $100.00" },
      { row: 10, column: "unit_price", message: "unit_price: JPY amounts have no decimals" },
      { row: 11, column: "number", message: "Invoice number B-18 is already used by another invoice in Settle" },
    ]);
    // Row 6 is the good first line of SI-14, skipped with its bad second line.
    expect(report).toMatchObject({ totalRows: 10, validRows: 1, errorRows: 9, counts: { create: 1, invalid: 8 } });

    const { id } = await createImportRun({ kind: "invoices", filename: "bad.csv", content: await read("invoices-bad.csv") }, system);
    await claimImportRun(id, { skipInvalid: true });
    expect(await applyImportRun(id, { actor: system })).toMatchObject({ result: { created: 1, failed: 0 } });
    expect((await getDb().select({ ref: invoices.externalRef }).from(invoices).orderBy(asc(invoices.createdAt))).map((i) => i.ref)).toEqual([null, "SI-10"]);
  });

  it("leaves no half invoice when a run stops, and applying it again finishes the rest", async () => {
    await importCsv("customers", await read("customers.csv"));
    const { id } = await createImportRun({ kind: "invoices", filename: "invoices.csv", content: await read("invoices.csv") }, system);
    await claimImportRun(id, { skipInvalid: false });
    const crash = applyImportRun(id, {
      actor: system,
      onProgress: (phase, done) => {
        if (phase === "applying" && done > 0) throw new Error("power cut");
      },
    });
    await expect(crash).rejects.toThrow("power cut");
    await failImportRun(id, new Error("power cut"));
    expect(await getDb().select().from(invoices)).toHaveLength(1);
    expect(await ledgerViolations()).toEqual([]);
    expect((await getImportRun(id))!).toMatchObject({ status: "failed", failure: "power cut" });

    await claimImportRun(id, { skipInvalid: false });
    expect(await applyImportRun(id, { actor: system })).toMatchObject({ result: { created: 2, unchanged: 1, failed: 0 } });
    expect(await getDb().select().from(invoices)).toHaveLength(3);
    expect(await getDb().select().from(payments)).toHaveLength(2);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("checks a file of 100,000 rows", { timeout: 120_000 }, async () => {
    await importCsv("customers", await read("customers.csv"));
    const rows = [["invoice_external_ref", "customer_external_ref", "issue_date", "description", "quantity", "unit_price", "tax_rate"]];
    for (let i = 0; i < 100_000; i++) rows.push([`BIG-${Math.floor(i / 4)}`, i % 2 ? "ERP-001" : "ERP-002", "2026-03-01", `Line ${i}`, "1", "10.00", "0"]);
    // Every other row names another customer: the 4-line invoices mix two customers and fail whole.
    const report = await checkImport("invoices", csv(rows));
    expect(report).toMatchObject({ totalRows: 100_000, validRows: 0, errorRows: 100_000, counts: { invalid: 25_000 } });
    expect(report.errors).toHaveLength(500);
    expect(report.errors[0]).toEqual({ row: 3, column: "customer_external_ref", message: "customer_external_ref is ERP-001 here but ERP-002 on row 2, for the same invoice" });
  });
});

function collector() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk) => (text += chunk));
  return { stream, text: () => text };
}

async function cli(...argv: string[]) {
  const stdout = collector();
  const stderr = collector();
  const code = await runCli(argv, { stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe("command line", () => {
  it("checks only with --dry-run, refuses bad rows without --skip-invalid, and imports the good ones with it", async () => {
    const dry = await cli("import", "customers", fixture("customers.csv"), "--dry-run");
    expect(dry).toMatchObject({ code: 0, stdout: expect.stringContaining("Customers: 3 to create, 0 to update, 0 unchanged") });
    expect(dry.stderr).toContain("Dry run: nothing was imported.");
    expect(await getDb().select().from(customers)).toHaveLength(0);
    expect(await getDb().select().from(importRuns)).toHaveLength(0);

    const refused = await cli("import", "customers", fixture("customers-bad.csv"));
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("row 3, name: Name is required");
    expect(refused.stderr).toContain("6 rows have problems; nothing was imported");
    expect(await getDb().select().from(customers)).toHaveLength(0);

    const skipped = await cli("import", "customers", fixture("customers-bad.csv"), "--skip-invalid");
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toMatch(/Imported \(run [0-9a-f-]+\): 2 created, 0 updated, 0 unchanged, 0 failed; 6 rows not imported\./);
    expect(await getDb().select().from(customers)).toHaveLength(2);

    expect(await cli("import", "customers", fixture("customers.csv"))).toMatchObject({ code: 0, stdout: expect.stringContaining("3 created") });
    expect(await cli("import", "invoices", fixture("invoices.csv"))).toMatchObject({ code: 0, stdout: expect.stringContaining("3 created") });
    expect(await cli("import", "invoices", fixture("invoices.csv"))).toMatchObject({ code: 0, stdout: expect.stringContaining("0 created, 0 updated, 3 unchanged") });
    expect(await getDb().select().from(invoices)).toHaveLength(3);
  });

  it("prints usage for help and for a wrong command", async () => {
    expect(await cli("help")).toMatchObject({ code: 0, stdout: expect.stringContaining("npm run cli -- import customers FILE") });
    expect(await cli("import", "vendors", "x.csv")).toMatchObject({ code: 2, stderr: expect.stringContaining("Import what?") });
    expect(await cli("import", "customers", "/nonexistent.csv")).toMatchObject({ code: 2, stderr: expect.stringContaining("Cannot read /nonexistent.csv") });
    expect(await cli("export", "journal", "--from", "2026-02-30", "--to", "2026-01-01")).toMatchObject({ code: 2, stderr: expect.stringContaining("--from: From must be a date like 2026-01-31") });
    expect(await cli("import", "customers", "x.csv", "--force")).toMatchObject({ code: 2, stderr: expect.stringContaining("--force") });
  });
});

describe("back office imports", () => {
  function upload(kind: string, name: string, content: string, cookie: string) {
    const form = new FormData();
    form.set("kind", kind);
    form.set("file", new File([content], name, { type: "text/csv" }));
    return new Request("http://localhost:3000/staff/imports", { method: "POST", body: form, headers: { Cookie: cookie } });
  }
  const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context });

  it("uploads and checks a file, imports only with confirmation, in the background, and shows the outcome", async () => {
    const clerk = await cookieFor({ audience: "staff", staffUserId: (await createStaff({ role: "clerk" })).id });
    // As a spreadsheet on Windows saves it: a byte-order mark and CRLF line ends.
    const content = "\uFEFF" + (await read("customers-bad.csv")).replace(/\n/g, "\r\n");
    const uploaded = await outcome(() => importsPage.action(args(upload("customers", "bad.csv", content, clerk))));
    expect(uploaded.status).toBe(302);
    const importId = uploaded.location!.split("/").pop()!;
    const page = await outcome(() => importRunPage.loader(args(get(`/staff/imports/${importId}`, clerk), { importId })));
    expect(page.data).toMatchObject({ run: { status: "validated", filename: "bad.csv", totalRows: 8, validRows: 2, summary: { errorRows: 6 } }, stalled: false, canImport: true });
    expect((page.data as { run: { errors: unknown[] } }).run.errors).toContainEqual({ row: 3, column: "name", message: "Name is required" });

    const unconfirmed = await outcome(() => importRunPage.action(args(post(`/staff/imports/${importId}`, {}, clerk), { importId })));
    expect(unconfirmed).toMatchObject({ status: 422, data: { errors: { skipInvalid: expect.stringContaining("6 rows have problems") } } });
    expect(await getDb().select().from(customers)).toHaveLength(0);

    const started = await outcome(() => importRunPage.action(args(post(`/staff/imports/${importId}`, { skipInvalid: "true" }, clerk), { importId })));
    expect(started).toMatchObject({ status: 302, location: `/staff/imports/${importId}` });
    await importSettled(importId);
    const done = await outcome(() => importRunPage.loader(args(get(`/staff/imports/${importId}`, clerk), { importId })));
    expect(done.data).toMatchObject({ run: { status: "applied", processedRows: 2, summary: { result: { created: 2, failed: 0 } } } });
    expect(await getDb().select().from(customers)).toHaveLength(2);
    const list = await outcome(() => importsPage.loader(args(get("/staff/imports", clerk))));
    expect(list.data).toMatchObject({ runs: [{ id: importId, status: "applied", createdByName: expect.any(String) }], canImport: true });
  });

  it("names the field of a bad upload, keeps viewers to reading, and answers a wrong id with 404", async () => {
    const clerk = await cookieFor({ audience: "staff", staffUserId: (await createStaff({ role: "clerk" })).id });
    const viewer = await cookieFor({ audience: "staff", staffUserId: (await createStaff({ role: "viewer" })).id });
    expect(await outcome(() => importsPage.action(args(upload("vendors", "x.csv", "a,b\n", clerk))))).toMatchObject({ status: 400, data: { errors: { kind: "Choose what the file holds" } } });
    expect(await outcome(() => importsPage.action(args(upload("customers", "x.csv", "", clerk))))).toMatchObject({ status: 400, data: { errors: { file: expect.stringContaining("empty") } } });
    expect(await outcome(() => importsPage.action(args(upload("customers", "x.xlsx", "PK\u0003\u0004\u0000\u0000binary", clerk))))).toMatchObject({
      status: 400,
      data: { errors: { file: expect.stringContaining("not UTF-8 CSV text") } },
    });
    expect(await getDb().select().from(importRuns)).toHaveLength(0);

    expect(await outcome(() => importsPage.action(args(upload("customers", "c.csv", "external_ref,name,currency\nX,Y,USD\n", viewer))))).toMatchObject({ status: 403 });
    expect(await outcome(() => importsPage.loader(args(get("/staff/imports", viewer))))).toMatchObject({ status: 200, data: { canImport: false } });
    expect(await outcome(() => importRunPage.loader(args(get("/staff/imports/nope", viewer), { importId: "nope" })))).toMatchObject({ status: 404 });
    const missing = "00000000-0000-4000-8000-000000000000";
    expect(await outcome(() => importRunPage.loader(args(get(`/staff/imports/${missing}`, viewer), { importId: missing })))).toMatchObject({ status: 404 });
    expect(await outcome(() => importRunPage.action(args(post(`/staff/imports/${missing}`, {}, clerk), { importId: missing })))).toMatchObject({ status: 404 });

    const sample = (await samplesRoute.loader(args(get("/staff/imports/samples/invoices.csv", viewer), { file: "invoices.csv" }))) as Response;
    expect(sample.headers.get("Content-Disposition")).toContain("settle-sample-invoices.csv");
    expect((await sample.text()).split("\n")[0]).toBe(
      "invoice_external_ref,customer_external_ref,customer_account_number,number,issue_date,due_date,currency,po_number,memo,description,quantity,unit_price,tax_rate,amount_paid",
    );
    expect(await outcome(() => samplesRoute.loader(args(get("/staff/imports/samples/x.csv", viewer), { file: "x.csv" })))).toMatchObject({ status: 404 });
  });

  it("accepts the sample files as they are", async () => {
    const cookie = await cookieFor({ audience: "staff", staffUserId: (await createStaff()).id });
    const sample = async (file: string) => ((await samplesRoute.loader(args(get(`/staff/imports/samples/${file}`, cookie), { file }))) as Response).text();
    expect((await importCsv("customers", await sample("customers.csv"))).result).toEqual({ created: 2, updated: 0, unchanged: 0, failed: 0 });
    expect((await importCsv("invoices", await sample("invoices.csv"))).result).toEqual({ created: 2, updated: 0, unchanged: 0, failed: 0 });
    expect(await ledgerViolations()).toEqual([]);
  });
});
