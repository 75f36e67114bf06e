import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requirePortalUser } from "~/auth/portal-auth.server";
import { fileResponse, refuse } from "~/documents/download.server";
import { invoicePdf } from "~/documents/invoice-pdf.server";
import { portalInvoiceDocument } from "~/portal/invoices.server";

const paramsSchema = z.object({ invoiceId: z.uuid() });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { customer } = await requirePortalUser(request);
  const parsed = paramsSchema.safeParse(params);
  if (!parsed.success) refuse(404, "Invoice not found");
  const doc = (await portalInvoiceDocument(parsed.data.invoiceId, customer.id)) ?? refuse(404, "Invoice not found");
  return fileResponse(await invoicePdf(doc), { filename: `${doc.number}.pdf`, type: "application/pdf" });
}
