import { createSession, sessionCookie } from "~/auth/session.server";

export const context = { ip: "203.0.113.50", cspNonce: "test" };

export async function cookieFor(subject: { audience: "staff"; staffUserId: string } | { audience: "portal"; portalUserId: string }) {
  const { token } = await createSession(subject);
  const header = await sessionCookie(subject.audience, token);
  return header.split(";")[0]!;
}

export function get(path: string, cookie?: string) {
  return new Request(`http://localhost:3000${path}`, { headers: cookie ? { Cookie: cookie } : {} });
}

export function post(path: string, fields: Record<string, string>, cookie?: string) {
  return new Request(`http://localhost:3000${path}`, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...(cookie ? { Cookie: cookie } : {}) },
  });
}

type Thrown = { status: number; location: string | null; data: unknown };

/** What a route threw or returned, as the browser would see it: a status, a redirect target, data. */
export async function outcome(run: () => Promise<unknown>): Promise<Thrown> {
  let value: unknown;
  try {
    value = await run();
  } catch (thrown) {
    value = thrown;
  }
  if (value instanceof Response) {
    return { status: value.status, location: value.headers.get("Location"), data: null };
  }
  if (value && typeof value === "object" && (value as { type?: string }).type === "DataWithResponseInit") {
    const { data, init } = value as { data: unknown; init?: { status?: number } };
    return { status: init?.status ?? 200, location: null, data };
  }
  return { status: 200, location: null, data: value };
}
