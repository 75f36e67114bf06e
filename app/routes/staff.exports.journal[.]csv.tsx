import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireStaff } from "~/auth/staff-auth.server";
import { csvResponse, exportFilename, journalCsv, requireExportRange } from "~/exports/exports.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const range = requireExportRange(new URL(request.url));
  return csvResponse(exportFilename("journal", range), journalCsv(range));
}
