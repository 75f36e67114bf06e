import { z } from "zod";
import { apiJson, apiRoute, methodNotAllowed, notFound, parseQuery, pathId } from "~/api/http.server";
import { serializeCreditStanding } from "~/api/serializers";
import { creditStanding } from "~/collections/credit.server";

// Like every amount the API takes: whole minor units of the customer's currency, never a decimal.
const wholeMinor = "order_amount_minor must be a whole number of minor units (12.50 is 1250)";

const creditQuerySchema = z.object({
  order_amount_minor: z
    .string()
    .regex(/^\d{1,15}$/, wholeMinor)
    .transform(Number)
    .optional(),
});

/** GET /api/v1/customers/{id}/credit: may the order system ship (this order) to the customer? */
export const loader = apiRoute(async ({ request, params }) => {
  const customerId = pathId(params, "customerId", "Customer");
  const query = parseQuery(creditQuerySchema, request);
  const standing = await creditStanding(customerId, { orderAmountMinor: query.order_amount_minor ?? null });
  if (!standing) throw notFound("Customer");
  return apiJson(serializeCreditStanding(standing));
});

export const action = methodNotAllowed("GET");
