import { data } from "@remix-run/node";

/** Throws a 404 unless `condition` holds: a wrong id is simply not there. */
export function invariantResponse(condition: unknown, message = "Not found", status = 404): asserts condition {
  if (!condition) throw data({ message }, { status });
}

export function forbidden(message = "You do not have permission to do that."): never {
  throw data({ message }, { status: 403 });
}

/** The client's address as Express saw it (honouring TRUST_PROXY), passed through the load context. */
export function clientIp(context: unknown): string {
  const ip = (context as { ip?: string } | undefined)?.ip;
  return ip ?? "unknown";
}
