import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireStaff } from "~/auth/staff-auth.server";
import { fileResponse, refuse } from "~/documents/download.server";
import { metricsCsv, parseMetricsSearch, receivablesMetrics } from "~/reports/metrics.server";
import { today } from "~/utils/dates";

/** Every metric with its value for each period of the trend, as CSV. A bad option answers 400 naming it. */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const parsed = parseMetricsSearch(new URL(request.url).searchParams, today());
  if (!parsed.ok) refuse(400, Object.values(parsed.errors).join("\n"));
  const report = await receivablesMetrics(parsed.query);
  return fileResponse(metricsCsv(report), { filename: `metrics-${report.currency}-${report.period}-${report.periodEnd}.csv`, type: "text/csv; charset=utf-8" });
}
