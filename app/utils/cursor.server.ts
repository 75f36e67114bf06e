import { sql, type AnyColumn, type SQL } from "drizzle-orm";
import { z } from "zod";

/**
 * Keyset pagination over (created_at, id), newest first: page N costs what page 1 does, and rows
 * added while someone pages neither shift nor repeat pages. The timestamp travels at the
 * database's own microsecond precision (a JS Date would drop it and skip rows made in the same
 * millisecond). The cursor is opaque to callers.
 */
const instant = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/).refine((at) => !Number.isNaN(Date.parse(at)));
const cursorSchema = z.tuple([instant, z.uuid()]);

export type Cursor = { at: string; id: string };

/** Select this beside the row, and pass it to encodeCursor for the page's last row. */
export const cursorKey = (createdAt: AnyColumn) => sql<string>`to_char(${createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export const encodeCursor = (at: string, id: string) => Buffer.from(JSON.stringify([at, id])).toString("base64url");

export function decodeCursor(cursor: string | undefined | null): Cursor | null {
  if (!cursor) return null;
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString()));
    return parsed.success ? { at: parsed.data[0], id: parsed.data[1] } : null;
  } catch {
    return null;
  }
}

/** The WHERE condition for rows after `cursor` in (created_at desc, id desc) order. */
export function afterCursor(createdAt: AnyColumn, id: AnyColumn, cursor: Cursor | null): SQL | undefined {
  return cursor ? sql`(${createdAt}, ${id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)` : undefined;
}

export function pageOf<T extends { cursorAt: string; id: string }>(rows: T[], limit: number) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { page, nextCursor: rows.length > limit && last ? encodeCursor(last.cursorAt, last.id) : undefined };
}
