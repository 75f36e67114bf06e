import { sql } from "drizzle-orm";
import { rowsOf, type Db } from "~db/client";
import { runDunning } from "~/collections/dunning.server";
import { listWorklist, refreshAllScores } from "~/collections/worklist.server";
import { listCustomers } from "~/customers/customers.server";
import { journalCsv } from "~/exports/exports.server";
import { activityStatement } from "~/ledger/statements.server";
import { sqlLookup } from "~/reconciliation/bank-import.server";
import { matchBankLine } from "~/reconciliation/bank/matching";
import type { BankLine } from "~/reconciliation/bank/types";
import { addDays, startOfMonth, today } from "~/utils/dates";

/** `run` answers its notes, or its notes and its own time when only part of it is the operation. */
export type Measurement = { name: string; runs?: number; warmUp?: boolean; run: () => Promise<string | void | { detail: string; ms: number }> };

const DUNNING_SAMPLE = 2_000;

/** The operations the issues name, each through the code the app runs for it. */
export async function measurements(db: Db): Promise<Measurement[]> {
  const [largest] = rowsOf<{ customer_id: string; n: number }>(
    await db.execute(sql`select customer_id, count(*)::int as n from invoices group by customer_id order by 2 desc limit 1`),
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
  return [
    {
      name: "Customer statement, one year (largest customer)",
      run: async () => {
        const statement = await activityStatement({ customerId: largest!.customer_id, from: addDays(asOf, -365), to: asOf }, db);
        return `${statement!.lines.length} lines, ${statement!.openItems.length} open items`;
      },
    },
    {
      name: "Customer list, first page (by account number)",
      run: async () => `${(await listCustomers({}, db)).customers.length} rows`,
    },
    {
      name: "Customer list, sorted by balance",
      run: async () => `${(await listCustomers({ sort: "balance" }, db)).customers.length} rows`,
    },
    {
      name: "Customer list, sorted by overdue",
      run: async () => `${(await listCustomers({ sort: "overdue" }, db)).customers.length} rows`,
    },
    {
      name: "Customer list, search \"initech\" (name, account, email, reference)",
      run: async () => `${(await listCustomers({ q: "initech" }, db)).customers.length} rows`,
    },
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
        return `${rows.toLocaleString("en")} lines, ${(bytes / 2 ** 20).toFixed(1)} MiB`;
      },
    },
    {
      name: "Worklist, first page (all accounts by score)",
      run: async () => `${(await listWorklist({ staffId: collector!.id }, db)).rows.length} rows`,
    },
    {
      name: "Worklist, a collector's queue (follow-ups first)",
      run: async () => `${(await listWorklist({ staffId: collector!.id, view: "mine" }, db)).rows.length} rows`,
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
