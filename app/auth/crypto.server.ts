import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from "@oslojs/encoding";
import { hash, verify } from "@node-rs/argon2";

/** 160 random bits, base32: the secret half of a session cookie or a sign-in link. */
export function generateToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/** What the database stores in place of a token; knowing it does not give back the token. */
export function hashToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

// OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane).
const argon2Options = { memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

/** An object, not bare functions, so tests can observe whether a password was checked at all. */
export const passwords = {
  hash: (password: string) => hash(password, argon2Options),
  verify: (passwordHash: string, password: string) => verify(passwordHash, password),
};

// Verifying against this when an account does not exist keeps the answer's timing the same.
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= passwords.hash("decoy-password-for-unknown-accounts");
  return decoyHash;
}
