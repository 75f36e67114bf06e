import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireStaff } from "~/auth/staff-auth.server";
import { fileResponse, refuse } from "~/documents/download.server";
import { agingPdf } from "~/reports/aging-pdf.server";
import { parseAgingSearch } from "~/reports/aging-params";
import { agingReportAllRows } from "~/reports/aging.server";
import { today } from "~/utils/dates";

/** The aging report as a PDF, for the query the page shows. A bad option answers 400 naming it. */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const parsed = parseAgingSearch(new URL(request.url).searchParams, today());
  if (!parsed.ok) refuse(400, Object.values(parsed.errors).join("\n"));
  const report = await agingReportAllRows(parsed.query);
  return fileResponse(await agingPdf(report), { filename: `aging-${parsed.query.asOf}.pdf`, type: "application/pdf" });
}
