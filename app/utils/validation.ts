import { z } from "zod";

/** Field errors by name, as forms show them next to their inputs. */
export type FieldErrors = Partial<Record<string, string>>;

export const emailSchema = z
  .string({ message: "Email is required" })
  .trim()
  .min(1, "Email is required")
  .max(254, "Email must be at most 254 characters")
  .pipe(z.email({ message: "Enter an email address like name@example.com" }))
  .transform((email) => email.toLowerCase());

export const passwordSchema = z
  .string({ message: "Password is required" })
  .min(1, "Password is required")
  .max(200, "Password must be at most 200 characters");

export const newPasswordSchema = z
  .string({ message: "Password is required" })
  .min(12, "Password must be at least 12 characters")
  .max(200, "Password must be at most 200 characters");

/** A same-site path to go back to after sign-in; anything else falls back to `fallback`. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback: string): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  return to;
}

export function parseForm<T extends z.ZodType>(
  schema: T,
  formData: FormData,
): { ok: true; data: z.infer<T> } | { ok: false; errors: FieldErrors } {
  const result = schema.safeParse(Object.fromEntries(formData));
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, errors: fieldErrors(result.error) };
}

export function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "form");
    errors[field] ??= issue.message;
  }
  return errors;
}
