import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { activityStatement, openItemStatement, type Statement } from "~/ledger/statements.server";
import { today } from "~/utils/dates";
import { refuse } from "./download.server";
import { parseStatementQuery, type StatementQuery } from "./statement-params";

/** The one statement behind the page, the PDF and the CSV, so all three show the same numbers. */
export function getStatement(customerId: string, { kind, from, to, asOf }: StatementQuery): Promise<Statement | null> {
  return kind === "activity" ? activityStatement({ customerId, from, to }) : openItemStatement({ customerId, asOf });
}

const paramsSchema = z.object({ customerId: z.uuid() });

/** The statement a download link asks for: 404 for a wrong customer id, 400 naming a bad field. */
export async function requireStatement(request: Request, params: LoaderFunctionArgs["params"]): Promise<Statement> {
  const parsedParams = paramsSchema.safeParse(params);
  if (!parsedParams.success) refuse(404, "Customer not found");
  const parsed = parseStatementQuery(new URL(request.url).searchParams, today());
  if (!parsed.ok) refuse(400, Object.values(parsed.errors).join("\n"));
  return (await getStatement(parsedParams.data.customerId, parsed.query)) ?? refuse(404, "Customer not found");
}

export const statementFilename = (statement: Statement, extension: "pdf" | "csv") => `statement-${statement.customer.accountNumber}-${statement.to}.${extension}`;
