import { sql } from "drizzle-orm";
import { numberSeries } from "~db/schema";
import type { Db } from "~db/client";
import { rowsOf } from "~db/client";

export type SeriesKey = "invoice" | "credit_note" | "discount" | "write_off";

const defaults: Record<SeriesKey, { prefix: string; padding: number }> = {
  invoice: { prefix: "INV-", padding: 6 },
  credit_note: { prefix: "CN-", padding: 6 },
  discount: { prefix: "DSC-", padding: 6 },
  write_off: { prefix: "WO-", padding: 6 },
};

/**
 * The next number of a series, gapless: the row lock is held until the issuing transaction
 * ends, and a rolled-back transaction gives its number back. Must run inside that transaction.
 */
export async function takeNumber(key: SeriesKey, db: Db): Promise<string> {
  const { prefix, padding } = defaults[key];
  await db.insert(numberSeries).values({ key, prefix, padding }).onConflictDoNothing();
  const [row] = rowsOf<{ value: string | number; prefix: string; padding: number }>(
    await db.execute(
      sql`update ${numberSeries} set next_value = next_value + 1 where key = ${key} returning next_value - 1 as value, prefix, padding`,
    ),
  );
  return `${row!.prefix}${String(row!.value).padStart(row!.padding, "0")}`;
}
