import { data } from "@remix-run/node";
import type { z } from "zod";
import { DomainError } from "./errors";
import { fieldErrors, type FieldErrors } from "./validation";

export type ActionFailure = { ok: false; errors: FieldErrors; message: string | null };

/** A form's failure as the page shows it: 400 for bad fields, the domain error's own status otherwise. */
export function invalid(errors: FieldErrors, status = 400) {
  return data({ ok: false as const, errors, message: errors.form ?? null }, { status });
}

export function fromZod(error: z.ZodError) {
  return invalid(fieldErrors(error));
}

/**
 * Runs a domain call; a DomainError becomes a 4xx answer naming its field (a not-found becomes
 * a 404 page), anything else is thrown on to the error boundary.
 */
export async function runDomain<T>(call: () => Promise<T>) {
  try {
    return { ok: true as const, value: await call() };
  } catch (error) {
    if (error instanceof DomainError) {
      if (error.code === "not_found" && !error.field) throw data({ message: error.message }, { status: 404 });
      return {
        ok: false as const,
        response: data({ ok: false as const, errors: error.field ? { [error.field]: error.message } : {}, message: error.message }, { status: error.status }),
      };
    }
    throw error;
  }
}

export const newFormKey = () => crypto.randomUUID();
