import { apiJson, apiRoute, methodNotAllowed, notFound, pathId } from "~/api/http.server";
import { serializePayment } from "~/api/serializers";
import { getPaymentDetail } from "~/ledger/payments.server";

export const loader = apiRoute(async ({ params }) => {
  const detail = await getPaymentDetail(pathId(params, "paymentId", "Payment"));
  if (!detail) throw notFound("Payment");
  return apiJson(serializePayment(detail));
});

export const action = methodNotAllowed("GET");
