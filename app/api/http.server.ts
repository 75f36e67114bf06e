import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import type { ApiKey } from "~db/schema";
import type { Actor } from "~/audit/audit.server";
import { DomainError, type DomainErrorCode } from "~/utils/errors";
import { apiActor, findApiKey, touchApiKey } from "./keys.server";

/** The JSON API's plumbing: key check, JSON in and out, one error shape for every failure. */

type Params = LoaderFunctionArgs["params"];

export type ApiErrorCode = DomainErrorCode | "bad_request" | "method_not_allowed" | "internal";
export type ApiFields = Record<string, string>;

export function apiJson(body: unknown, status = 200, headers: Record<string, string> = {}) {
  return Response.json(body, { status, headers: { "Cache-Control": "no-store", ...headers } });
}

/** A failure answer; thrown by the helpers below and returned by `apiRoute`. */
export function apiError(status: number, code: ApiErrorCode, message: string, { fields, headers }: { fields?: ApiFields; headers?: Record<string, string> } = {}) {
  return apiJson({ error: { code, message, ...(fields ? { fields } : {}) } }, status, headers);
}

export function invalidFields(fields: ApiFields) {
  const names = Object.keys(fields);
  const message = names.length === 1 ? fields[names[0]!]! : `${names.length} fields are invalid: ${names.join(", ")}`;
  return apiError(422, "invalid", message, { fields });
}

export const notFound = (what: string) => apiError(404, "not_found", `${what} not found`);

const unauthorized = (message: string) => apiError(401, "unauthorized", message, { headers: { "WWW-Authenticate": 'Bearer realm="Settle API"' } });

/** The key behind `Authorization: Bearer <key>`, or a thrown 401/403. */
export async function authenticate(request: Request): Promise<ApiKey> {
  const match = /^Bearer +(\S+) *$/i.exec(request.headers.get("Authorization") ?? "");
  if (!match) throw unauthorized("Send an API key in the Authorization header: Bearer <key>");
  const key = await findApiKey(match[1]!);
  if (!key) throw unauthorized("That API key is not valid");
  if (key.revokedAt) throw apiError(403, "forbidden", "This API key was revoked");
  await touchApiKey(key);
  return key;
}

/** Issue paths as the caller wrote them: `lines[0].quantity`. */
export function zodFields(error: z.ZodError, rename: (field: string) => string = (field) => field): ApiFields {
  const fields: ApiFields = {};
  for (const issue of error.issues) {
    const path = issue.path.map((part, i) => (typeof part === "number" ? `[${part}]` : `${i > 0 ? "." : ""}${rename(String(part))}`)).join("") || "body";
    fields[path] ??= issue.message;
  }
  return fields;
}

export function parseWith<T extends z.ZodType>(schema: T, input: unknown, rename?: (field: string) => string): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw invalidFields(zodFields(result.error, rename));
  return result.data;
}

export const parseQuery = <T extends z.ZodType>(schema: T, request: Request) => parseWith(schema, Object.fromEntries(new URL(request.url).searchParams));

/** The body as a JSON object; anything else is a 400 that says what is wrong with it. */
export async function readJson(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (!text.trim()) throw apiError(400, "bad_request", "The request body is empty; send a JSON object");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw apiError(400, "bad_request", `The request body is not valid JSON (${(error as Error).message})`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw apiError(400, "bad_request", "The request body must be a JSON object");
  return body as Record<string, unknown>;
}

const IDEMPOTENCY_HEADER = "Idempotency-Key";

export function idempotencyKey(request: Request, { required }: { required: boolean }): string | null {
  const key = request.headers.get(IDEMPOTENCY_HEADER);
  if (key === null) {
    if (!required) return null;
    throw invalidFields({ [IDEMPOTENCY_HEADER]: "The Idempotency-Key header is required: a unique value per payment, such as a UUID" });
  }
  if (!/^[A-Za-z0-9._:-]{8,200}$/.test(key)) {
    throw invalidFields({ [IDEMPOTENCY_HEADER]: "The Idempotency-Key header must be 8 to 200 letters, digits, dots, colons, dashes or underscores, such as a UUID" });
  }
  return key;
}

/** A path id that is not a UUID names nothing: the same 404 as an unknown one. */
export function pathId(params: Params, name: string, what: string): string {
  const parsed = z.uuid().safeParse(params[name]);
  if (!parsed.success) throw notFound(what);
  return parsed.data;
}

export function requireMethod(request: Request, method: string, allow: string) {
  if (request.method !== method) throw methodNotAllowedResponse(allow);
}

const methodNotAllowedResponse = (allow: string) => apiError(405, "method_not_allowed", `This endpoint answers ${allow}`, { headers: { Allow: allow } });

export const page = <T>(data: T[], nextCursor: string | undefined) => apiJson({ data, next_cursor: nextCursor ?? null });

/** `limit` and `cursor` of a list; `isCursor` says whether a cursor is one this list handed out. */
export function pageQuerySchema(isCursor: (cursor: string) => boolean) {
  return z.object({
    limit: z.coerce
      .number({ message: "limit must be a whole number from 1 to 100" })
      .int("limit must be a whole number from 1 to 100")
      .min(1, "limit must be a whole number from 1 to 100")
      .max(100, "limit must be a whole number from 1 to 100")
      .default(25),
    cursor: z
      .string()
      .max(300, "cursor is not one this list returned")
      .refine(isCursor, "cursor is not one this list returned")
      .optional(),
  });
}

const camelToSnake = (field: string) => (/^[a-z][A-Za-z0-9]*$/.test(field) ? field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : field);

const uniqueFields: Record<string, string> = {
  customers_account_number_key: "account_number",
  customers_external_ref_key: "external_ref",
  invoices_external_ref_key: "external_ref",
  invoices_number_key: "number",
  payments_external_ref_key: "external_ref",
};

/** The constraint a unique violation names (postgres.js and PGlite name it differently), however deep drizzle wrapped it. */
function uniqueViolation(error: unknown): string | null {
  for (let e = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const { code, constraint_name, constraint } = e as { code?: string; constraint_name?: string; constraint?: string };
    if (code === "23505") return constraint_name ?? constraint ?? "";
  }
  return null;
}

function errorResponse(error: unknown, fieldNames: Record<string, string>): Response {
  if (error instanceof Response) return error;
  if (error instanceof DomainError) {
    const field = error.field ? (fieldNames[error.field] ?? camelToSnake(error.field)) : null;
    const fields = field ? { [field]: error.message } : undefined;
    // Something the body names (a customer_id, an invoice to allocate to) that is not there makes a bad body, not a missing endpoint.
    if (error.code === "not_found" && field) return apiError(422, "invalid", error.message, { fields });
    return apiError(error.status, error.code, error.message, { fields });
  }
  const constraint = uniqueViolation(error);
  if (constraint !== null) {
    const field = uniqueFields[constraint];
    // A race the domain's own check could not see: the database's unique index caught it.
    return field ? apiError(409, "conflict", `That ${field} is already used`, { fields: { [field]: `That ${field} is already used` } }) : apiError(409, "conflict", "That conflicts with a record already stored");
  }
  console.error(error);
  return apiError(500, "internal", "Something went wrong on our side; try again (a POST with the same Idempotency-Key is safe to repeat)");
}

type Handler = (args: { request: Request; params: Params; key: ApiKey; actor: Actor }) => Promise<Response>;

/**
 * A loader or action of the API: authenticates, runs the handler, and turns every failure into
 * the one error shape. `fieldNames` renames domain error fields where the API calls them otherwise.
 */
export function apiRoute(handler: Handler, { fieldNames = {} }: { fieldNames?: Record<string, string> } = {}) {
  return async ({ request, params }: Pick<LoaderFunctionArgs, "request" | "params">): Promise<Response> => {
    try {
      const key = await authenticate(request);
      return await handler({ request, params, key, actor: apiActor(key) });
    } catch (error) {
      return errorResponse(error, fieldNames);
    }
  };
}

/** The action of a read-only endpoint. */
export const methodNotAllowed = (allow: string) =>
  apiRoute(async () => {
    throw methodNotAllowedResponse(allow);
  });
