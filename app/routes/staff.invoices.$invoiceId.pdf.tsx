import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { fileResponse, refuse } from "~/documents/download.server";
import { invoiceDocument } from "~/documents/documents.server";
import { invoicePdf } from "~/documents/invoice-pdf.server";

const paramsSchema = z.object({ invoiceId: z.uuid() });

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const parsed = paramsSchema.safeParse(params);
  if (!parsed.success) refuse(404, "Invoice not found");
  const doc = (await invoiceDocument(parsed.data.invoiceId)) ?? refuse(404, "Invoice not found");
  return fileResponse(await invoicePdf(doc), { filename: `${doc.number ?? `draft-${parsed.data.invoiceId.slice(0, 8)}`}.pdf`, type: "application/pdf" });
}
