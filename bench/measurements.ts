import { sql } from "drizzle-orm";
import { rowsOf, type Db } from "~db/client";
import { listCustomers } from "~/customers/customers.server";
import { journalCsv } from "~/exports/exports.server";
import { activityStatement } from "~/ledger/statements.server";
import { sqlLookup } from "~/reconciliation/bank-import.server";
import { matchBankLine } from "~/reconciliation/bank/matching";
import type { BankLine } from "~/reconciliation/bank/types";
import { addDays, startOfMonth, today } from "~/utils/dates";

export type Measurement = { name: string; runs?: number; run: () => Promise<string | void> };

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
