import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type ReceivedEmail = { idempotencyKey: string | undefined; authorization: string | undefined; body: Record<string, unknown> };

/**
 * A local stand-in for Resend's API that the real `resend` SDK talks to (via its baseUrl).
 * Like Resend, it answers a repeated Idempotency-Key with the first result instead of sending again.
 */
export async function startFakeResend() {
  const received: ReceivedEmail[] = [];
  const delivered: ReceivedEmail[] = [];
  const byKey = new Map<string, string>();
  let failNext = 0;
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/emails") {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ name: "not_found", message: "no route" }));
        return;
      }
      const email: ReceivedEmail = {
        idempotencyKey: req.headers["idempotency-key"] as string | undefined,
        authorization: req.headers.authorization,
        body: JSON.parse(raw) as Record<string, unknown>,
      };
      received.push(email);
      if (failNext > 0) {
        failNext--;
        res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ name: "internal_server_error", message: "fake outage", statusCode: 500 }));
        return;
      }
      const known = email.idempotencyKey ? byKey.get(email.idempotencyKey) : undefined;
      const id = known ?? `fake-${delivered.length + 1}`;
      if (!known) {
        delivered.push(email);
        if (email.idempotencyKey) byKey.set(email.idempotencyKey, id);
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    /** Every request that reached the API, repeats included. */
    received,
    /** What a recipient would actually get: one per idempotency key. */
    delivered,
    failNextRequests(count: number) {
      failNext = count;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
