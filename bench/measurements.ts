import { sql } from "drizzle-orm";
import { rowsOf, type Db } from "~db/client";
import { listCustomers } from "~/customers/customers.server";
import { journalCsv } from "~/exports/exports.server";
import { activityStatement } from "~/ledger/statements.server";
import { addDays, startOfMonth, today } from "~/utils/dates";

export type Measurement = { name: string; runs?: number; run: () => Promise<string | void> };

/** The operations the issues name, each through the code the app runs for it. */
export async function measurements(db: Db): Promise<Measurement[]> {
  const [largest] = rowsOf<{ customer_id: string; n: number }>(
    await db.execute(sql`select customer_id, count(*)::int as n from invoices group by customer_id order by 2 desc limit 1`),
  );
  const asOf = today();
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
  ];
}
