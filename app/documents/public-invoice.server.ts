import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { refuse } from "./download.server";
import { invoiceDocumentByToken } from "./documents.server";

// Tokens are generateToken()'s base32; anything else cannot be one and is not looked up.
const paramsSchema = z.object({ token: z.string().regex(/^[a-z0-9]{16,64}$/) });

const NOT_FOUND = "This invoice link is not valid. Check the link in the email you received, or ask the sender for a new one.";

/**
 * The invoice behind a public link. A malformed token, an unknown one and a draft all get the
 * same 404, so the answer says nothing about which invoices exist.
 */
export async function requirePublicInvoice(params: LoaderFunctionArgs["params"]) {
  const parsed = paramsSchema.safeParse(params);
  if (!parsed.success) refuse(404, NOT_FOUND);
  const doc = (await invoiceDocumentByToken(parsed.data.token)) ?? refuse(404, NOT_FOUND);
  return { doc, token: parsed.data.token };
}
