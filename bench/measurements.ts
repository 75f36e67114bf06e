import { sql } from "drizzle-orm";
import { rowsOf, type Db } from "~db/client";
import { activityStatement } from "~/ledger/statements.server";
import { addDays, today } from "~/utils/dates";

export type Measurement = { name: string; runs?: number; run: () => Promise<string | void> };

/** The operations the issues name, each through the code the app runs for it. */
export async function measurements(db: Db): Promise<Measurement[]> {
  const [largest] = rowsOf<{ customer_id: string; n: number }>(
    await db.execute(sql`select customer_id, count(*)::int as n from invoices group by customer_id order by 2 desc limit 1`),
  );
  const asOf = today();
  return [
    {
      name: "Customer statement, one year (largest customer)",
      run: async () => {
        const statement = await activityStatement({ customerId: largest!.customer_id, from: addDays(asOf, -365), to: asOf }, db);
        return `${statement!.lines.length} lines, ${statement!.openItems.length} open items`;
      },
    },
  ];
}
