import { apiJson, apiRoute, idempotencyKey, page, parseQuery, parseWith, readJson, requireMethod } from "~/api/http.server";
import { createOnce } from "~/api/idempotency.server";
import { invoiceBodySchema, invoiceFieldNames, invoiceInput, invoiceListQuerySchema } from "~/api/schemas.server";
import { serializeInvoice, serializeInvoiceSummary } from "~/api/serializers";
import { createDraftInvoice, createIssuedInvoice, getInvoiceDetail, listInvoices } from "~/ledger/invoices.server";
import { invoiceDisplayStatus } from "~/ledger/status";
import { today } from "~/utils/dates";

export const loader = apiRoute(async ({ request }) => {
  const query = parseQuery(invoiceListQuerySchema, request);
  const { invoices, nextCursor } = await listInvoices({ filter: query.status ?? "all", customerId: query.customer_id, after: query.cursor, limit: query.limit });
  return page(invoices.map(serializeInvoiceSummary), nextCursor);
});

/** Creates and issues in one call (numbered, posted, emailed unless send_email is false), or keeps a draft with `draft: true`. */
export const action = apiRoute(
  async ({ request, actor }) => {
    requireMethod(request, "POST", "GET, POST");
    const key = idempotencyKey(request, { required: false });
    const body = await readJson(request);
    const parsed = parseWith(invoiceBodySchema, body);
    const input = invoiceInput(parsed);
    const { id, created } = await createOnce({ key, resource: "invoice", request: body, actor }, (db) =>
      parsed.draft ? createDraftInvoice(input, actor, db) : createIssuedInvoice(input, actor, db),
    );
    const detail = (await getInvoiceDetail(id))!;
    return apiJson(serializeInvoice(detail, invoiceDisplayStatus(detail.invoice, today())), created ? 201 : 200, { Location: `/api/v1/invoices/${id}` });
  },
  { fieldNames: invoiceFieldNames },
);
