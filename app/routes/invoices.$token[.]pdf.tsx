import type { LoaderFunctionArgs } from "@remix-run/node";
import { fileResponse } from "~/documents/download.server";
import { invoicePdf } from "~/documents/invoice-pdf.server";
import { requirePublicInvoice } from "~/documents/public-invoice.server";

// Public: whoever holds the invoice's unguessable link may download it, as they may view it.
export async function loader({ params }: LoaderFunctionArgs) {
  const { doc } = await requirePublicInvoice(params);
  const response = fileResponse(await invoicePdf(doc), { filename: `${doc.number}.pdf`, type: "application/pdf" });
  response.headers.set("X-Robots-Tag", "noindex, nofollow");
  return response;
}
