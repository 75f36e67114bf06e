import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireStaff } from "~/auth/staff-auth.server";
import { fileResponse } from "~/documents/download.server";
import { statementPdf } from "~/documents/statement-pdf.server";
import { requireStatement, statementFilename } from "~/documents/statement.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const statement = await requireStatement(request, params);
  return fileResponse(await statementPdf(statement), { filename: statementFilename(statement, "pdf"), type: "application/pdf" });
}
