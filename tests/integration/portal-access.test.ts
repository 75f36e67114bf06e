/**
 * Every portal route, page, file and action answers only for the signed-in contact's own
 * customer. The routes are found on disk, so a new portal route is checked without anyone
 * adding it here; a route whose parameter has no fixture fails until one is added.
 */
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { eq, inArray } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { getDb } from "~db/client";
import { allocations, creditHolds, creditNotes, disputeMessages, disputes, invoiceLines, invoices, paymentAttempts, paymentPlans, payments, planInstalments, planInvoices, promisesToPay, savedPaymentMethods } from "~db/schema";
import { placeHold } from "~/collections/holds.server";
import { recordPromise } from "~/collections/promises.server";
import { issueCreditNote } from "~/ledger/credit-notes.server";
import { recordPayment } from "~/ledger/payments.server";
import { formatMoney } from "~/money/money";
import { startAttempt } from "~/payments/attempts.server";
import { addDays, today } from "~/utils/dates";
import { createContact, createCustomer, createStaff, issuedInvoice } from "./factories";
import { context, cookieFor, get, post } from "./route-helpers";

const routesDir = fileURLToPath(new URL("../../app/routes/", import.meta.url));
const system = { type: "system" as const, label: "test" };

/** Sign-in and sign-out are meant to be reached without a session; they show no customer data. */
const PUBLIC_ROUTES = new Set(["portal_.sign-in.tsx", "portal_.sign-in_.link.tsx", "portal_.sign-out.tsx"]);

type RouteModule = { loader?: (args: unknown) => Promise<unknown>; action?: (args: unknown) => Promise<unknown> };
type PortalRoute = { file: string; params: string[]; path: (values: Record<string, string>) => string; module: RouteModule };

/** Flat-route file name to its parameter names and URL: `portal.invoices.$invoiceId_.dispute.tsx`. */
function parseRouteFile(file: string) {
  const segments = file
    .replace(/\.tsx?$/, "")
    .replace(/\[\.\]/g, "\u0000")
    .split(".");
  const params: string[] = [];
  const parts: ((values: Record<string, string>) => string)[] = [];
  for (const raw of segments) {
    const segment = raw.replace(/_$/, "").replace(/\u0000/g, ".");
    const param = /^\(?\$([A-Za-z0-9]+)\)?(\..*)?$/.exec(segment);
    if (param) {
      params.push(param[1]!);
      parts.push((values) => `${values[param[1]!] ?? ""}${param[2] ?? ""}`);
    } else if (segment !== "_index" && !segment.startsWith("_")) {
      parts.push(() => segment);
    }
  }
  return { params, path: (values: Record<string, string>) => `/${parts.map((part) => part(values)).join("/")}` };
}

async function portalRoutes(): Promise<PortalRoute[]> {
  const files = readdirSync(routesDir).filter((file) => /\.tsx?$/.test(file) && (file.startsWith("portal.") || file.startsWith("portal_.")) && !PUBLIC_ROUTES.has(file));
  return Promise.all(files.sort().map(async (file) => ({ file, ...parseRouteFile(file), module: (await import(`${routesDir}${file}`)) as RouteModule })));
}

/** A PDF's text, so a file can be searched like a page. */
async function pdfText(bytes: ArrayBuffer) {
  const { getDocument } = await import("pdfjs-dist/legacy/build/pdf.mjs");
  const doc = await getDocument({ data: new Uint8Array(bytes), verbosity: 0 }).promise;
  let text = "";
  for (let n = 1; n <= doc.numPages; n++) {
    for (const item of (await (await doc.getPage(n)).getTextContent()).items) if ("str" in item) text += `${item.str} `;
  }
  await doc.destroy();
  return text;
}

type Answer = { status: number; location: string | null; text: string };

/** What a route answered, whether returned or thrown: status, redirect target and every byte of the body as text. */
async function answer(run: () => Promise<unknown>): Promise<Answer> {
  let value: unknown;
  try {
    value = await run();
  } catch (thrown) {
    value = thrown;
  }
  if (value instanceof Response) {
    const bytes = await value.arrayBuffer();
    const text = value.headers.get("Content-Type")?.startsWith("application/pdf") ? await pdfText(bytes) : new TextDecoder().decode(bytes);
    return { status: value.status, location: value.headers.get("Location"), text };
  }
  if (value && typeof value === "object" && (value as { type?: string }).type === "DataWithResponseInit") {
    const { data, init } = value as { data: unknown; init?: { status?: number } | null };
    return { status: init?.status ?? 200, location: null, text: JSON.stringify(data) ?? "" };
  }
  if (value instanceof Error) return { status: 500, location: null, text: `${value.name}: ${value.message}` };
  return { status: 200, location: null, text: JSON.stringify(value ?? null) };
}

/** Customer A (signed in) and customer B, who has one of everything a portal route can name. */
async function twoCustomers() {
  const db = getDb();
  const a = await createCustomer({ name: "Alpha Works Ltd", accountNumber: "A-7001", email: "ap@alpha.example" });
  const b = await createCustomer({ name: "Bravo Secret Holdings", accountNumber: "B-9009", email: "ap@bravo-secret.example" });
  const aContact = await createContact({ customerId: a.id, email: "ann@alpha.example" });
  const bContact = await createContact({ customerId: b.id, email: "bob@bravo-secret.example" });
  const aInvoice = await issuedInvoice({ customerId: a.id, amounts: [10_000, 2_500] });

  const bInvoice = await issuedInvoice({ customerId: b.id, amounts: [765_432, 12_345], issueDate: addDays(today(), -40), dueDate: addDays(today(), -10) });
  const [bLine] = await db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, bInvoice.id));
  const bPayment = await recordPayment({ customerId: b.id, amountMinor: 50_000, method: "check", reference: "BRAVO-REF-5521", memo: "Bravo memo secret", receivedOn: today(), idempotencyKey: "bravo-payment", allocations: [{ invoiceId: bInvoice.id, amountMinor: 40_000 }] }, system);
  const bCredit = await issueCreditNote({ customerId: b.id, lines: [{ description: "Bravo goodwill", amountMinor: 1_000 }], reason: "Bravo reason secret", idempotencyKey: "bravo-credit" }, system);
  const bAttempt = await startAttempt({ customerId: b.id, allocations: [{ invoiceId: bInvoice.id, amountMinor: 20_000 }], idempotencyKey: "bravo-attempt", portalUserId: bContact.id });
  const [bMethod] = await db.insert(savedPaymentMethods).values({ customerId: b.id, processor: "demo", processorMethodId: "pm_demo_bravo", type: "card", brand: "bravobrand", last4: "9876", expMonth: 12, expYear: 2031 }).returning();
  const [bDispute] = await db.insert(disputes).values({ customerId: b.id, invoiceId: bInvoice.id, invoiceLineId: bLine!.id, currency: "USD", amountMinor: 12_345, reason: "pricing", openedBy: bContact.id }).returning();
  await db.insert(disputeMessages).values({ disputeId: bDispute!.id, author: "customer", portalUserId: bContact.id, body: "Bravo dispute secret" });
  const [bPlan] = await db
    .insert(paymentPlans)
    .values({ customerId: b.id, currency: "USD", status: "active", totalMinor: 100_000, instalmentCount: 2, frequency: "monthly", firstDate: addDays(today(), 7), autopay: true, paymentMethodId: bMethod!.id, customerMessage: "Bravo plan secret", requestedBy: bContact.id, activatedAt: new Date() })
    .returning();
  await db.insert(planInvoices).values({ planId: bPlan!.id, invoiceId: bInvoice.id, amountMinor: 100_000 });
  await db.insert(planInstalments).values([
    { planId: bPlan!.id, seq: 1, dueDate: addDays(today(), 7), amountMinor: 50_000, nextAttemptOn: addDays(today(), 7) },
    { planId: bPlan!.id, seq: 2, dueDate: addDays(today(), 37), amountMinor: 50_000, nextAttemptOn: addDays(today(), 37) },
  ]);
  const bPromise = await recordPromise({ customerId: b.id, amountMinor: 33_333, promisedOn: addDays(today(), 5), note: "Bravo promise secret" }, system);
  await placeHold({ customerId: b.id, reason: "Bravo hold secret", source: "manual" }, system);

  return {
    a,
    aInvoice,
    cookie: await cookieFor({ audience: "portal", portalUserId: aContact.id }),
    b,
    /** One of B's objects for each route parameter name. */
    fixtures: { invoiceId: bInvoice.id, paymentId: bPayment.id, attemptId: bAttempt.id, disputeId: bDispute!.id, planId: bPlan!.id, methodId: bMethod!.id, creditNoteId: bCredit.id, promiseId: bPromise.id } as Record<string, string>,
    /** Text that appears only in B's data: a leak of any of it fails the test. */
    markers: [b.name, b.accountNumber, b.email!, bContact.email, bInvoice.number!, bCredit.number, "BRAVO-REF-5521", "Bravo memo secret", "Bravo reason secret", "Bravo goodwill", "Bravo dispute secret", "Bravo plan secret", "Bravo promise secret", "Bravo hold secret", "bravobrand", formatMoney(765_432, "USD"), "7654.32", formatMoney(33_333, "USD"), bPromise.id],
  };
}

/** Everything stored about B, to show that no request changed it. */
async function snapshotOf(customerId: string) {
  const db = getDb();
  const plans = await db.select().from(paymentPlans).where(eq(paymentPlans.customerId, customerId));
  const disputed = await db.select().from(disputes).where(eq(disputes.customerId, customerId));
  return JSON.stringify([
    await db.select().from(invoices).where(eq(invoices.customerId, customerId)),
    await db.select().from(payments).where(eq(payments.customerId, customerId)),
    await db.select().from(allocations).where(eq(allocations.customerId, customerId)),
    await db.select().from(creditNotes).where(eq(creditNotes.customerId, customerId)),
    await db.select().from(paymentAttempts).where(eq(paymentAttempts.customerId, customerId)),
    await db.select().from(savedPaymentMethods).where(eq(savedPaymentMethods.customerId, customerId)),
    disputed,
    disputed.length ? await db.select().from(disputeMessages).where(inArray(disputeMessages.disputeId, disputed.map((d) => d.id))) : [],
    plans,
    plans.length ? await db.select().from(planInstalments).where(inArray(planInstalments.planId, plans.map((p) => p.id))) : [],
    await db.select().from(promisesToPay).where(eq(promisesToPay.customerId, customerId)),
    await db.select().from(creditHolds).where(eq(creditHolds.customerId, customerId)),
  ]);
}

const leaks = (text: string, markers: string[]) => markers.filter((marker) => text.includes(marker));
const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context });
const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

let routes: PortalRoute[];
beforeEach(async () => {
  routes ??= await portalRoutes();
});

describe("the portal's routes", () => {
  it("are found on disk, each guarded route with a loader or an action", () => {
    expect(routes.map((r) => r.file)).toEqual(expect.arrayContaining(["portal.tsx", "portal._index.tsx", "portal.invoices.$invoiceId.tsx", "portal.statements[.]csv.tsx", "portal.payments.$paymentId.tsx", "portal.account.tsx", "portal.promise.tsx"]));
    for (const route of routes) expect(route.module.loader ?? route.module.action, `${route.file} has neither a loader nor an action`).toBeTruthy();
  });

  it("have a fixture for every parameter they take", async () => {
    const { fixtures } = await twoCustomers();
    const missing = routes.flatMap((route) => route.params.filter((name) => !(name in fixtures)).map((name) => `${route.file} takes $${name}`));
    expect(
      missing,
      `Add a fixture (an object of customer B) for each parameter to twoCustomers() in tests/integration/portal-access.test.ts, so the route is checked for access:\n${missing.join("\n")}`,
    ).toEqual([]);
  });

  it("send a signed-out visitor to the portal sign-in, and do not take a staff session for a portal one", async () => {
    const { fixtures } = await twoCustomers();
    const staff = await createStaff({ role: "admin" });
    const staffCookie = await cookieFor({ audience: "staff", staffUserId: staff.id });
    // The staff session's own token under the portal cookie's name is not a portal session either.
    const smuggled = staffCookie.replace("settle_staff_session", "settle_portal_session");
    for (const route of routes) {
      const path = route.path(fixtures);
      for (const cookie of [undefined, staffCookie, smuggled]) {
        const who = cookie === undefined ? "signed out" : cookie === staffCookie ? "staff" : "staff token as portal cookie";
        if (route.module.loader) {
          const result = await answer(() => route.module.loader!(args(get(path, cookie), fixtures)));
          expect([result.status, result.location?.split("?")[0]], `${route.file} loader (${who})`).toEqual([302, "/portal/sign-in"]);
        }
        if (route.module.action) {
          const result = await answer(() => route.module.action!(args(post(path, { intent: "x" }, cookie), fixtures)));
          expect([result.status, result.location?.split("?")[0]], `${route.file} action (${who})`).toEqual([302, "/portal/sign-in"]);
        }
      }
    }
  });

  it("answer 404 and reveal nothing for another customer's ids, a made-up id or a malformed one; nothing of theirs changes", async () => {
    const { b, cookie, fixtures, markers } = await twoCustomers();
    const before = await snapshotOf(b.id);
    const withParams = routes.filter((route) => route.params.length > 0);
    expect(withParams.length).toBeGreaterThan(0);
    for (const route of withParams) {
      for (const [label, values] of [
        ["another customer's id", fixtures],
        ["an unknown id", Object.fromEntries(route.params.map((name) => [name, UNKNOWN_ID]))],
        ["a malformed id", Object.fromEntries(route.params.map((name) => [name, "1 or 1=1"]))],
      ] as const) {
        const params = Object.fromEntries(route.params.map((name) => [name, values[name]!]));
        const path = route.path(params);
        if (route.module.loader) {
          const result = await answer(() => route.module.loader!(args(get(path, cookie), params)));
          expect(result.status, `${route.file} loader with ${label}: ${result.text.slice(0, 300)}`).toBe(404);
          expect(leaks(result.text, markers), `${route.file} loader with ${label} shows customer B's data`).toEqual([]);
        }
        if (route.module.action) {
          const result = await answer(() => route.module.action!(args(post(path, { intent: "x", ...fixtures }, cookie), params)));
          expect(result.status, `${route.file} action with ${label}: ${result.text.slice(0, 300)}`).toBe(404);
          expect(leaks(result.text, markers), `${route.file} action with ${label} shows customer B's data`).toEqual([]);
        }
      }
    }
    expect(await snapshotOf(b.id)).toBe(before);
  });

  it("without parameters show only the signed-in customer's data, whatever ids the query or the form names", async () => {
    const { aInvoice, b, cookie, fixtures, markers } = await twoCustomers();
    const before = await snapshotOf(b.id);
    // The names pages use for ids in a query string or a form, all pointing at B's objects.
    const named = { ...fixtures, invoice: fixtures.invoiceId!, line: fixtures.invoiceId!, payment: fixtures.paymentId!, attempt: fixtures.attemptId!, plan: fixtures.planId!, method: fixtures.methodId!, made: fixtures.promiseId!, promise: fixtures.promiseId!, customerId: b.id };
    const query = new URLSearchParams(named).toString();
    for (const route of routes.filter((r) => r.params.length === 0)) {
      const path = route.path({});
      if (route.module.loader) {
        for (const url of [path, `${path}?${query}`]) {
          const result = await answer(() => route.module.loader!(args(get(url, cookie))));
          expect(result.status, `${route.file} loader at ${url}: ${result.text.slice(0, 300)}`).toBeLessThan(500);
          expect(leaks(result.text, markers), `${route.file} loader at ${url} shows customer B's data`).toEqual([]);
        }
      }
      if (route.module.action) {
        const result = await answer(() => route.module.action!(args(post(path, named, cookie))));
        expect(result.status, `${route.file} action: ${result.text.slice(0, 300)}`).toBeLessThan(500);
        expect(leaks(result.text, markers), `${route.file} action shows customer B's data`).toEqual([]);
      }
    }
    expect(await snapshotOf(b.id)).toBe(before);

    // The downloads are A's own: A's invoice is on A's statement, B's never.
    const csv = routes.find((r) => r.file === "portal.statements[.]csv.tsx")!;
    const statement = await answer(() => csv.module.loader!(args(get(`/portal/statements.csv?kind=open_item&${query}`, cookie))));
    expect(statement.text).toContain(aInvoice.number!);
    expect(leaks(statement.text, markers)).toEqual([]);
  });
});
