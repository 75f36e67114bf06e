import { apiError, apiRoute } from "~/api/http.server";

// Anything under /api/v1 that is not an endpoint answers in the API's shape, not with an HTML page.
const noSuchEndpoint = apiRoute(async ({ request }) => {
  throw apiError(404, "not_found", `There is no endpoint ${new URL(request.url).pathname}`);
});

export const loader = noSuchEndpoint;
export const action = noSuchEndpoint;
