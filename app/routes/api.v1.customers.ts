import { getCustomerWithBalance, listCustomersPage } from "~/api/customers.server";
import { apiJson, apiRoute, idempotencyKey, page, parseQuery, readJson, requireMethod } from "~/api/http.server";
import { createOnce } from "~/api/idempotency.server";
import { customerFieldNames, customerListQuerySchema, parseCustomerBody } from "~/api/schemas.server";
import { serializeCustomer } from "~/api/serializers";
import { createCustomer } from "~/customers/customers.server";

export const loader = apiRoute(async ({ request }) => {
  const query = parseQuery(customerListQuerySchema, request);
  const { customers, nextCursor } = await listCustomersPage({ after: query.cursor, limit: query.limit, accountNumber: query.account_number, externalRef: query.external_ref });
  return page(customers.map((customer) => serializeCustomer(customer)), nextCursor);
});

export const action = apiRoute(
  async ({ request, actor }) => {
    requireMethod(request, "POST", "GET, POST");
    const key = idempotencyKey(request, { required: false });
    const body = await readJson(request);
    const input = parseCustomerBody(body);
    const { id, created } = await createOnce({ key, resource: "customer", request: body, actor }, async (db) => {
      const customer = await createCustomer(input, actor, db);
      return { id: customer.id, customerId: customer.id };
    });
    const found = await getCustomerWithBalance(id);
    return apiJson(serializeCustomer(found!.customer, found!.summary), created ? 201 : 200, { Location: `/api/v1/customers/${id}` });
  },
  { fieldNames: customerFieldNames },
);
