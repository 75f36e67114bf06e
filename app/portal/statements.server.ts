import type { Statement } from "~/ledger/statements.server";
import { refuse } from "~/documents/download.server";
import { getStatement } from "~/documents/statement.server";
import { parseStatementQuery } from "~/documents/statement-params";
import { today } from "~/utils/dates";

/**
 * The statement a portal download asks for, always of the signed-in customer (the session names
 * the customer, never the URL): 400 naming a bad field, like the back office's downloads.
 */
export async function requirePortalStatement(request: Request, customerId: string): Promise<Statement> {
  const parsed = parseStatementQuery(new URL(request.url).searchParams, today());
  if (!parsed.ok) refuse(400, Object.values(parsed.errors).join("\n"));
  return (await getStatement(customerId, parsed.query)) ?? refuse(404, "Account not found");
}
