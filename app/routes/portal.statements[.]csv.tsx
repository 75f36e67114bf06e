import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePortalUser } from "~/auth/portal-auth.server";
import { fileResponse } from "~/documents/download.server";
import { statementCsv } from "~/documents/statement-csv.server";
import { statementFilename } from "~/documents/statement.server";
import { requirePortalStatement } from "~/portal/statements.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { customer } = await requirePortalUser(request);
  const statement = await requirePortalStatement(request, customer.id);
  return fileResponse(statementCsv(statement), { filename: statementFilename(statement, "csv"), type: "text/csv; charset=utf-8" });
}
