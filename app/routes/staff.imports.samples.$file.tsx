import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { sampleCsv } from "~/imports/samples.server";

const paramsSchema = z.object({ file: z.enum(["customers.csv", "invoices.csv"]) });

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const parsed = paramsSchema.safeParse(params);
  if (!parsed.success) throw new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const kind = parsed.data.file === "customers.csv" ? "customers" : "invoices";
  return new Response(sampleCsv(kind), {
    headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="settle-sample-${kind}.csv"` },
  });
}
