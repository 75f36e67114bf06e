import { sql, type AnyColumn, type SQL } from "drizzle-orm";
import { z } from "zod";
import { isIsoDate, type IsoDate } from "~/utils/dates";

/**
 * Keyset pagination over (a date, a unique key), newest first: customers read their invoices and
 * payments by the date on them, not by when a row was written (imports and demo data write out of
 * order). The cursor is opaque to callers; a tampered one is ignored.
 */
const cursorSchema = z.tuple([z.string().refine(isIsoDate), z.string().min(1).max(100)]);

export type DayCursor = { day: IsoDate; key: string };

export const encodeDayCursor = (day: IsoDate, key: string) => Buffer.from(JSON.stringify([day, key])).toString("base64url");

export function decodeDayCursor(cursor: string | undefined | null, keyType: "uuid" | "text"): DayCursor | null {
  if (!cursor) return null;
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString()));
    if (!parsed.success || (keyType === "uuid" && !z.uuid().safeParse(parsed.data[1]).success)) return null;
    return { day: parsed.data[0], key: parsed.data[1] };
  } catch {
    return null;
  }
}

/** Rows after `cursor` in (day desc, key desc) order. */
export function afterDay(day: AnyColumn, key: AnyColumn, cursor: DayCursor | null, keyType: "uuid" | "text"): SQL | undefined {
  if (!cursor) return undefined;
  return keyType === "uuid" ? sql`(${day}, ${key}) < (${cursor.day}::date, ${cursor.key}::uuid)` : sql`(${day}, ${key}) < (${cursor.day}::date, ${cursor.key})`;
}

export function dayPage<T>(rows: T[], limit: number, cursorOf: (row: T) => [IsoDate, string]) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { page, nextCursor: rows.length > limit && last ? encodeDayCursor(...cursorOf(last)) : undefined };
}
