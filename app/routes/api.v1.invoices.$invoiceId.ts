import { apiJson, apiRoute, methodNotAllowed, notFound, pathId } from "~/api/http.server";
import { serializeInvoice } from "~/api/serializers";
import { getInvoiceDetail } from "~/ledger/invoices.server";
import { invoiceDisplayStatus } from "~/ledger/status";
import { today } from "~/utils/dates";

export const loader = apiRoute(async ({ params }) => {
  const detail = await getInvoiceDetail(pathId(params, "invoiceId", "Invoice"));
  if (!detail) throw notFound("Invoice");
  return apiJson(serializeInvoice(detail, invoiceDisplayStatus(detail.invoice, today())));
});

export const action = methodNotAllowed("GET");
