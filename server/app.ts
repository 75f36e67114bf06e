import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import morgan from "morgan";
import type { ViteDevServer } from "vite";
import { sql } from "drizzle-orm";
import type { Connection } from "~db/client";
import type { Env } from "~/utils/env.server";
import { bodyLimit, cspNonce, originCheck, securityHeaders } from "./security";

export type AppLoadContext = { cspNonce: string; ip: string };

// Webhooks prove themselves by signature and the JSON API by its bearer key; neither uses cookies,
// so neither can be the target of a cross-site request forgery.
const noCookieAuth = (path: string) => path.startsWith("/webhooks/") || path.startsWith("/api/");
// File uploads (CSV imports, bank statements) may be larger than a form; they get their own limit.
const isUpload = (path: string) => path.startsWith("/staff/imports") || path.startsWith("/staff/reconciliation/bank");
// Stripe expects a 400 for a body it did not send; the webhook route applies its own, smaller limit.
const isWebhook = (path: string) => path.startsWith("/webhooks/");

export function createApp({
  env,
  connection,
  build,
  vite,
}: {
  env: Env;
  connection: Connection;
  build: ServerBuild | (() => Promise<ServerBuild>);
  vite?: ViteDevServer;
}) {
  const app = express();
  app.disable("x-powered-by");
  if (env.TRUST_PROXY > 0) app.set("trust proxy", env.TRUST_PROXY);

  app.get("/healthz", async (_req, res) => {
    try {
      await connection.db.execute(sql`select 1`);
      res.json({ status: "ok", database: connection.kind });
    } catch (error) {
      res.status(503).json({ status: "error", database: connection.kind, error: String(error) });
    }
  });

  if (env.LOG_REQUESTS) {
    app.use(morgan(env.NODE_ENV === "production" ? "combined" : "dev", { skip: (req) => req.url?.startsWith("/assets/") ?? false }));
  }
  app.use(compression());
  app.use(cspNonce);
  app.use(securityHeaders({ dev: Boolean(vite) }));
  app.use(bodyLimit({ maxBytes: env.UPLOAD_LIMIT_BYTES, exempt: (path) => !isUpload(path) }));
  app.use(bodyLimit({ maxBytes: env.BODY_LIMIT_BYTES, exempt: (path) => isUpload(path) || isWebhook(path) }));
  app.use(originCheck({ appOrigin: env.APP_URL ? new URL(env.APP_URL).origin : undefined, exempt: noCookieAuth }));

  if (vite) {
    app.use(vite.middlewares);
  } else {
    app.use("/assets", express.static("build/client/assets", { immutable: true, maxAge: "1y" }));
    app.use(express.static("build/client", { maxAge: "1h" }));
  }
  app.use(express.static("public", { maxAge: "1h" }));

  app.all(
    "*",
    createRequestHandler({
      build,
      mode: env.NODE_ENV,
      getLoadContext: (req, res): AppLoadContext => ({ cspNonce: res.locals.cspNonce as string, ip: req.ip ?? "unknown" }),
    }),
  );
  return app;
}
