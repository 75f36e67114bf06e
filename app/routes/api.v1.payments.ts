import { apiJson, apiRoute, idempotencyKey, page, parseQuery, parseWith, readJson, requireMethod } from "~/api/http.server";
import { createOnce } from "~/api/idempotency.server";
import { paymentBodySchema, paymentFieldNames, paymentListQuerySchema } from "~/api/schemas.server";
import { serializePayment, serializePaymentSummary } from "~/api/serializers";
import { getPaymentDetail, listPayments, recordPayment } from "~/ledger/payments.server";

export const loader = apiRoute(async ({ request }) => {
  const query = parseQuery(paymentListQuerySchema, request);
  const { payments, nextCursor } = await listPayments({ customerId: query.customer_id, after: query.cursor, limit: query.limit });
  return page(payments.map(serializePaymentSummary), nextCursor);
});

/** Records a payment once per Idempotency-Key: a retry answers 200 with the payment the first call recorded. */
export const action = apiRoute(
  async ({ request, actor }) => {
    requireMethod(request, "POST", "GET, POST");
    const key = idempotencyKey(request, { required: true })!;
    const body = await readJson(request);
    const parsed = parseWith(paymentBodySchema, body);
    const { id, created } = await createOnce({ key, resource: "payment", request: body, actor }, (db) =>
      recordPayment(
        {
          customerId: parsed.customer_id,
          amountMinor: parsed.amount_minor,
          currency: parsed.currency,
          method: parsed.method,
          reference: parsed.reference,
          receivedOn: parsed.received_on,
          memo: parsed.memo,
          externalRef: parsed.external_ref,
          idempotencyKey: `api:${key}`,
          allocations: parsed.allocations === "auto" ? "auto" : parsed.allocations?.map((a) => ({ invoiceId: a.invoice_id, amountMinor: a.amount_minor })),
          source: "api",
        },
        actor,
        db,
      ),
    );
    const detail = (await getPaymentDetail(id))!;
    return apiJson(serializePayment(detail), created ? 201 : 200, { Location: `/api/v1/payments/${id}` });
  },
  { fieldNames: paymentFieldNames },
);
