import { getCustomerWithBalance } from "~/api/customers.server";
import { apiJson, apiRoute, methodNotAllowed, notFound, pathId } from "~/api/http.server";
import { serializeCustomer } from "~/api/serializers";

export const loader = apiRoute(async ({ params }) => {
  const found = await getCustomerWithBalance(pathId(params, "customerId", "Customer"));
  if (!found) throw notFound("Customer");
  return apiJson(serializeCustomer(found.customer, found.summary));
});

export const action = methodNotAllowed("GET");
