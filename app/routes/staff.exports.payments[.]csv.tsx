import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireStaff } from "~/auth/staff-auth.server";
import { csvResponse, exportFilename, paymentsCsv, requireExportRange } from "~/exports/exports.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const range = requireExportRange(new URL(request.url));
  return csvResponse(exportFilename("payments", range), paymentsCsv(range));
}
