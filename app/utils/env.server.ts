import { z } from "zod";

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

const postgresUrl = z
  .string()
  .trim()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), "must be a postgres:// or postgresql:// URL");

const booleanFlag = z
  .enum(["true", "false", "1", "0"], { message: "must be true or false" })
  .transform((value) => value === "true" || value === "1");

export const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce.number({ message: "must be a port number" }).int().min(1).max(65535).default(3000),
    HOST: z.string().default("0.0.0.0"),
    // The public address of the app: used in email links and for the CSRF origin check.
    APP_URL: z.url({ message: "must be a URL such as https://ar.example.com" }).optional(),
    DATABASE_URL: postgresUrl.optional().or(z.literal("").transform(() => undefined)),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    PGLITE_DIR: z.string().default(".data/pglite"),
    // Unset: demo data on the embedded database only, never by surprise on a real server.
    SEED_ON_EMPTY: booleanFlag.optional(),
    RUN_WORKER: booleanFlag.default(true),
    // How many proxies in front of Settle set X-Forwarded-For; trusting more lets clients forge their address.
    TRUST_PROXY: z.coerce
      .number({ message: "must be the number of proxies in front of Settle (0 when none)" })
      .int("must be the number of proxies in front of Settle (0 when none)")
      .min(0, "must be the number of proxies in front of Settle (0 when none)")
      .max(10, "must be at most 10")
      .default(0),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
    UPLOAD_LIMIT_BYTES: z.coerce.number().int().min(1024).default(52_428_800),
    LOG_REQUESTS: booleanFlag.default(true),
    STRIPE_SECRET_KEY: optionalString,
    STRIPE_PUBLISHABLE_KEY: optionalString,
    STRIPE_WEBHOOK_SECRET: optionalString,
    // Another address for Stripe's API (the tests point the real SDK at a local fake).
    STRIPE_API_BASE: z.url({ message: "must be a URL such as http://127.0.0.1:12111" }).optional(),
    RESEND_API_KEY: optionalString,
    RESEND_BASE_URL: z.url().optional(),
    // The signing secret of a Resend webhook pointed at /webhooks/resend; unset, that route answers 404.
    RESEND_WEBHOOK_SECRET: optionalString.refine((value) => value === undefined || /^whsec_[A-Za-z0-9+/=]+$/.test(value), "must be the webhook's signing secret from Resend (whsec_...)"),
    EMAIL_FROM: z.string().default("Settle <billing@settle.localhost>"),
  })
  .superRefine((env, ctx) => {
    const stripe = ["STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"] as const;
    const set = stripe.filter((key) => env[key]);
    if (set.length > 0 && set.length < stripe.length) {
      for (const key of stripe.filter((k) => !env[k])) {
        ctx.addIssue({ code: "custom", path: [key], message: `is required when ${set.join(", ")} is set` });
      }
    }
    if (env.NODE_ENV === "production" && env.APP_URL === undefined && env.TRUST_PROXY > 0) {
      ctx.addIssue({ code: "custom", path: ["APP_URL"], message: "is required behind a proxy" });
    }
  })
  .transform((env) => ({ ...env, SEED_ON_EMPTY: env.SEED_ON_EMPTY ?? env.DATABASE_URL === undefined }));

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {}

/** Parses an environment; throws an EnvError naming every bad or missing variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join(".") || "(environment)"}: ${issue.message}`);
  throw new EnvError(`Invalid environment:\n${lines.join("\n")}`);
}

const globalForEnv = globalThis as { __settleEnv?: Env };

/** The process environment, parsed once. */
export function getEnv(): Env {
  globalForEnv.__settleEnv ??= parseEnv(process.env);
  return globalForEnv.__settleEnv;
}

export function appUrl(env: Env = getEnv()): string {
  return (env.APP_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, "");
}

/** A link for an email: the portal's sign-in, which goes on to `path` once the customer is in. */
export const portalSignInLink = (path: string, base: string = appUrl()) => `${base}/portal/sign-in?redirectTo=${encodeURIComponent(path)}`;

export const isDemoProcessor = (env: Env = getEnv()) => env.STRIPE_SECRET_KEY === undefined;

/** For entry points (server, worker, scripts): a bad environment ends the process with the reason. */
export function getEnvOrExit(): Env {
  try {
    return getEnv();
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(`Settle cannot start. ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}
