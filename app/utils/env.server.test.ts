import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env.server";

describe("environment", () => {
  it("starts with nothing set: port 3000, PGlite, demo processor, kept emails", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ PORT: 3000, PGLITE_DIR: ".data/pglite", SEED_ON_EMPTY: true, RUN_WORKER: true, TRUST_PROXY: 0 });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.STRIPE_SECRET_KEY).toBeUndefined();
    expect(env.RESEND_API_KEY).toBeUndefined();
  });

  it("names every bad variable and what is wrong with it", () => {
    let error: unknown;
    try {
      parseEnv({ PORT: "eighty", DATABASE_URL: "mysql://localhost/db", APP_URL: "not a url", RUN_WORKER: "maybe" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvError);
    const message = (error as Error).message;
    expect(message).toContain("PORT: must be a port number");
    expect(message).toContain("DATABASE_URL: must be a postgres:// or postgresql:// URL");
    expect(message).toContain("APP_URL: must be a URL");
    expect(message).toContain("RUN_WORKER: must be true or false");
  });

  it("wants all three Stripe variables or none", () => {
    expect(() => parseEnv({ STRIPE_SECRET_KEY: "sk_test_x" })).toThrowError(/STRIPE_PUBLISHABLE_KEY: is required when STRIPE_SECRET_KEY is set/);
    expect(() => parseEnv({ STRIPE_SECRET_KEY: "sk_test_x", STRIPE_PUBLISHABLE_KEY: "pk_test_x" })).toThrowError(/STRIPE_WEBHOOK_SECRET/);
    expect(parseEnv({ STRIPE_SECRET_KEY: "sk", STRIPE_PUBLISHABLE_KEY: "pk", STRIPE_WEBHOOK_SECRET: "whsec" }).STRIPE_SECRET_KEY).toBe("sk");
  });

  it("seeds demo data by default on the embedded database only", () => {
    expect(parseEnv({}).SEED_ON_EMPTY).toBe(true);
    expect(parseEnv({ DATABASE_URL: "postgres://u@h/d" }).SEED_ON_EMPTY).toBe(false);
    expect(parseEnv({ DATABASE_URL: "postgres://u@h/d", SEED_ON_EMPTY: "true" }).SEED_ON_EMPTY).toBe(true);
  });

  it("trusts a counted number of proxies, not any", () => {
    expect(parseEnv({}).TRUST_PROXY).toBe(0);
    expect(parseEnv({ TRUST_PROXY: "1" }).TRUST_PROXY).toBe(1);
    expect(() => parseEnv({ TRUST_PROXY: "true" })).toThrowError(/TRUST_PROXY: must be the number of proxies/);
  });

  it("treats an empty DATABASE_URL as unset", () => {
    expect(parseEnv({ DATABASE_URL: "" }).DATABASE_URL).toBeUndefined();
    expect(parseEnv({ DATABASE_URL: "postgres://u@h:5432/d" }).DATABASE_URL).toBe("postgres://u@h:5432/d");
  });
});
