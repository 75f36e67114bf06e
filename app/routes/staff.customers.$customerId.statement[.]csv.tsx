import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireStaff } from "~/auth/staff-auth.server";
import { fileResponse } from "~/documents/download.server";
import { statementCsv } from "~/documents/statement-csv.server";
import { requireStatement, statementFilename } from "~/documents/statement.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const statement = await requireStatement(request, params);
  return fileResponse(statementCsv(statement), { filename: statementFilename(statement, "csv"), type: "text/csv; charset=utf-8" });
}
