import { sql } from "drizzle-orm";
import { rowsOf, type Db } from "~db/client";
import { runDunning } from "~/collections/dunning.server";
import { listWorklist, refreshAllScores } from "~/collections/worklist.server";
import { listCustomers, type CustomerListQuery } from "~/customers/customers.server";
import { journalCsv } from "~/exports/exports.server";
import { activityStatement } from "~/ledger/statements.server";
import { sqlLookup } from "~/reconciliation/bank-import.server";
import { matchBankLine } from "~/reconciliation/bank/matching";
import type { BankLine } from "~/reconciliation/bank/types";
import { AGING_PAGE_SIZE, agingReport } from "~/reports/aging.server";
import { DEFAULT_EDGES } from "~/reports/aging-params";
import { DASHBOARD_TOP_ACCOUNTS, DSO_WINDOW_DAYS, dashboardSummary, weekStart } from "~/reports/dashboard.server";
import { mainCurrency } from "~/reports/metrics.server";
import { addDays, startOfMonth, today, type IsoDate } from "~/utils/dates";
import { agingFloor, agingRowKey, customerListFloor, dashboardFloor, journalExportFloor, listRowKey, statementFloor, worklistFloor, worklistRowKey } from "./floors";

/**
 * `run` answers its notes; or its notes and its own time, when only part of it is the operation;
 * and, when it has a floor, its answer in the floor's shape, so the two can be compared.
 */
export type Outcome = { detail: string; ms?: number; answer?: unknown };
export type Measurement = {
  name: string;
  runs?: number;
  warmUp?: boolean;
  /** Held to issue 7's bar: at most 500 ms at the median and within 2× of the floor. */
  target?: boolean;
  run: () => Promise<string | void | Outcome>;
  /** The same answer by the plainest hand-written SQL over the same tables (bench/floors.ts). */
  floor?: () => Promise<unknown>;
};

const DUNNING_SAMPLE = 2_000;

/** The operations the issues name, each through the code the app runs for it. */
export async function measurements(db: Db): Promise<Measurement[]> {
  const [largest] = rowsOf<{ customer_id: string; n: number }>(
    await db.execute(sql`select customer_id, count(*)::int as n from invoices group by customer_id order by 2 desc, customer_id limit 1`),
  );
  const asOf = today();
  // Bank lines for 200 open invoices of the dataset: number in the text, payer's name, the open amount.
  const bankSample = rowsOf<{ number: string; open_minor: string; currency: string; name: string; issue_date: string }>(
    await db.execute(sql`select i.number, i.open_minor, i.currency, c.name, i.issue_date::text from invoices i join customers c on c.id = i.customer_id where i.status = 'open' order by i.id limit 200`),
  );
  const bankLines: BankLine[] = bankSample.map((row, index) => ({
    entryRef: `bench-${index}`,
    bookingDate: asOf,
    valueDate: null,
    amountMinor: Number(row.open_minor),
    currency: row.currency,
    direction: "credit",
    payerName: row.name.toUpperCase(),
    payerAccount: null,
    remittance: index % 2 ? `Invoice ${row.number}` : `${row.number.replace(/\D/g, "").replace(/^0+/, "")} thanks`,
    bankReference: null,
  }));
  // The worklist reads cached scores: made once for the dataset (the dunning run keeps them after).
  const [cached] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from collection_accounts`));
  if (cached!.n === 0) await refreshAllScores(asOf, db);
  const [collector] = rowsOf<{ id: string }>(await db.execute(sql`select id from staff_users where email = 'collector1@bench.example'`));
  const dunning = once(() => dunningSample(db));
  const lastMonth = { from: startOfMonth(addDays(startOfMonth(asOf), -1)), to: addDays(startOfMonth(asOf), -1) };
  const statementPeriod = { customerId: largest!.customer_id, from: addDays(asOf, -365), to: asOf };
  const list = (name: string, query: CustomerListQuery, floor: Parameters<typeof customerListFloor>[1]): Measurement => ({
    name,
    target: true,
    run: async () => {
      const { customers } = await listCustomers(query, db);
      return { detail: `${customers.length} rows`, answer: customers.map(listRowKey) };
    },
    floor: () => customerListFloor(db, floor),
  });
  const aging = (name: string, on: IsoDate): Measurement => ({
    name,
    target: true,
    run: async () => {
      const report = await agingReport({ asOf: on, basis: "due", edges: DEFAULT_EDGES, groupBy: "customer", currency: null, search: null, page: 1, sort: "total" }, db);
      const total = report.totals.reduce((sum, t) => sum + t.totalMinor, 0);
      return {
        detail: `${report.rowCount.toLocaleString("en")} customers, ${(total / 100).toLocaleString("en", { maximumFractionDigits: 0 })} open; page of ${report.rows.length}`,
        answer: {
          rows: report.rows.map((r) => agingRowKey(r.key, r.bucketsMinor, r.totalMinor)),
          totals: report.totals.map((t) => agingRowKey(t.currency, t.bucketsMinor, t.totalMinor)).join("; "),
        },
      };
    },
    floor: () => agingFloor(db, { asOf: on, limit: AGING_PAGE_SIZE }),
  });
  const worklist = (name: string, view: "all" | "mine"): Measurement => ({
    name,
    target: true,
    run: async () => {
      const { rows } = await listWorklist({ staffId: collector!.id, view }, db);
      return { detail: `${rows.length} rows`, answer: rows.map((r) => worklistRowKey({ ...r, promisedMinor: r.openPromise?.amountMinor ?? null })) };
    },
    floor: () => worklistFloor(db, { view, staffId: collector!.id, asOf }),
  });
  const currency = (await mainCurrency(db)) ?? "USD";
  return [
    aging("Aging report as of today (by customer, first page)", asOf),
    aging("Aging report as of 90 days ago (rebuilt from the journal)", addDays(asOf, -90)),
    {
      name: "Dashboard, today (floor: its headline figures)",
      target: true,
      run: async () => {
        const d = await dashboardSummary({ asOf, currency: null }, db);
        const money = (minor: number) => (minor / 100).toLocaleString("en", { maximumFractionDigits: 0 });
        return {
          detail: `${d.currency} ${money(d.receivableMinor)} receivable, ${money(d.overdueMinor)} overdue, DSO ${d.dso ?? "—"}, ${d.dsoTrend.length}-month trend`,
          answer: {
            receivableMinor: d.receivableMinor,
            overdueMinor: d.overdueMinor,
            aging: d.aging.map((b) => b.amountMinor),
            disputedMinor: d.disputedMinor,
            inPlansMinor: d.inPlansMinor,
            unappliedMinor: d.unappliedMinor,
            dso: d.dso,
            collectedWeekMinor: d.collected.weekMinor,
            collectedMonthMinor: d.collected.monthMinor,
            topAccounts: d.topAccounts.map((a) => a.customerId),
            exceptionsOpen: d.exceptionsOpen,
          },
        };
      },
      floor: () => dashboardFloor(db, { asOf, currency, weekStart: weekStart(asOf), monthStart: startOfMonth(asOf), dsoWindowDays: DSO_WINDOW_DAYS, top: DASHBOARD_TOP_ACCOUNTS }),
    },
    {
      name: "Customer statement, one year (largest customer)",
      target: true,
      run: async () => {
        const statement = (await activityStatement(statementPeriod, db))!;
        return {
          detail: `${statement.lines.length} lines, ${statement.openItems.length} open items`,
          answer: {
            openingMinor: statement.openingMinor,
            closingMinor: statement.closingMinor,
            lines: statement.lines.length,
            openItems: statement.openItems.length,
            openItemsMinor: statement.openItems.reduce((sum, i) => sum + i.openMinor, 0),
          },
        };
      },
      floor: () => statementFloor(db, statementPeriod),
    },
    list("Customer list, first page (by account number)", {}, { order: "account", asOf }),
    list("Customer list, sorted by balance", { sort: "balance" }, { order: "balance", asOf }),
    list("Customer list, sorted by overdue", { sort: "overdue" }, { order: "overdue", asOf }),
    list("Customer list, search \"initech\" (name, account, email, reference)", { q: "initech" }, { order: "account", q: "initech", asOf }),
    worklist("Worklist, first page (all accounts by score)", "all"),
    worklist("Worklist, a collector's queue (follow-ups first)", "mine"),
    {
      name: "Journal export, last month (CSV, streamed)",
      runs: 3,
      run: async () => {
        let rows = 0;
        let bytes = 0;
        for await (const chunk of journalCsv(lastMonth, db)) {
          bytes += chunk.length;
          rows += chunk.split("\n").length - 1;
        }
        // The first line is the header.
        return { detail: `${rows.toLocaleString("en")} lines, ${(bytes / 2 ** 20).toFixed(1)} MiB`, answer: rows - 1 };
      },
      floor: () => journalExportFloor(db, lastMonth),
    },
    {
      name: `Dunning run, first run over a backlog (${DUNNING_SAMPLE.toLocaleString("en")} customers)`,
      runs: 1,
      warmUp: false,
      run: async () => (await dunning()).backlog,
    },
    {
      name: `Dunning run, the next day (same ${DUNNING_SAMPLE.toLocaleString("en")} customers)`,
      runs: 1,
      warmUp: false,
      run: async () => (await dunning()).nextDay,
    },
    {
      name: "Bank lines matched against the books (200 lines, SQL)",
      runs: 3,
      run: async () => {
        const lookup = sqlLookup(db);
        let sure = 0;
        for (const line of bankLines) if ((await matchBankLine(line, lookup)).confidence >= 90) sure++;
        return `${sure} of ${bankLines.length} sure enough to apply`;
      },
    },
  ];
}

function once<T>(make: () => Promise<T>) {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

/**
 * The daily dunning run over a slice of the dataset's customers that no run has touched yet,
 * twice: the first run, which finds every old invoice's steps due at once, and the next day's.
 * Both commit, as in production (a run inside a rolled-back transaction measures PostgreSQL's
 * subtransaction lookups, not the run); each bench run takes a fresh slice.
 */
async function dunningSample(db: Db) {
  const ids = rowsOf<{ id: string }>(
    await db.execute(sql`
      select c.id from customers c
      where not exists (select 1 from collection_accounts a where a.customer_id = c.id and a.last_dunned_on is not null)
      order by c.id limit ${DUNNING_SAMPLE}`),
  ).map((r) => r.id);
  const [{ invoices } = { invoices: 0 }] = rowsOf<{ invoices: number }>(
    await db.execute(sql`select count(*)::int as invoices from invoices where status = 'open' and customer_id in (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)})`),
  );
  const timed = async (now: Date) => {
    const start = process.hrtime.bigint();
    const { stats } = await runDunning({ trigger: "cli", customerIds: ids, now }, db);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const taken = Object.values(stats.taken).reduce((a, b) => a + b, 0);
    return { ms, detail: `${stats.customers.toLocaleString("en")} accounts, ${invoices.toLocaleString("en")} open invoices: ${taken.toLocaleString("en")} steps taken, ${stats.superseded.toLocaleString("en")} passed over, ${stats.emails.toLocaleString("en")} emails; ${(ms / Math.max(1, stats.customers)).toFixed(1)} ms an account` };
  };
  const backlog = await timed(new Date());
  // As autovacuum would after a large first run.
  await db.execute(sql`analyze dunning_actions, collection_accounts, collection_tasks, credit_holds, email_outbox`);
  const nextDay = await timed(new Date(Date.now() + 86_400_000));
  return { backlog, nextDay };
}
