import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireStaff } from "~/auth/staff-auth.server";
import { fileResponse, refuse } from "~/documents/download.server";
import { parseAgingSearch } from "~/reports/aging-params";
import { agingCsv, agingReportAllRows } from "~/reports/aging.server";
import { today } from "~/utils/dates";

/** The aging report's every row as CSV, for the query the page shows. A bad option answers 400 naming it. */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const parsed = parseAgingSearch(new URL(request.url).searchParams, today());
  if (!parsed.ok) refuse(400, Object.values(parsed.errors).join("\n"));
  const report = await agingReportAllRows(parsed.query);
  return fileResponse(agingCsv(report), { filename: `aging-${parsed.query.asOf}.csv`, type: "text/csv; charset=utf-8" });
}
