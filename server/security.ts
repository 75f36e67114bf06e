import { randomBytes } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import helmet from "helmet";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

// Stripe.js (issue 4) loads from js.stripe.com, frames from js/hooks.stripe.com, and calls api.stripe.com.
export function securityHeaders({ dev }: { dev: boolean }) {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: [
          "'self'",
          (_req, res) => `'nonce-${(res as Response).locals.cspNonce}'`,
          "https://js.stripe.com",
          ...(dev ? ["'unsafe-inline'"] : []),
        ],
        frameSrc: ["'self'", "https://js.stripe.com", "https://hooks.stripe.com"],
        connectSrc: ["'self'", "https://api.stripe.com", ...(dev ? ["ws:"] : [])],
        imgSrc: ["'self'", "data:", "https://*.stripe.com"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
    // Not "no-referrer": under it browsers send `Origin: null` on form posts, which the CSRF check refuses.
    referrerPolicy: { policy: "same-origin" },
    strictTransportSecurity: dev ? false : { maxAge: 15552000, includeSubDomains: true },
  });
}

export function cspNonce(_req: Request, res: Response, next: NextFunction) {
  res.locals.cspNonce = randomBytes(16).toString("base64");
  next();
}

/** Answers a refused request: a short HTML page for browsers, JSON for API clients. */
export function refuse(req: Request, res: Response, status: number, message: string) {
  res.status(status);
  if (req.accepts(["html", "json"]) === "json") {
    res.json({ error: message });
    return;
  }
  res
    .type("html")
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Request refused</title>` +
        `<meta name="viewport" content="width=device-width, initial-scale=1"></head>` +
        `<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#111827">` +
        `<h1>Request refused</h1><p>${escapeHtml(message)}</p><p>Nothing was changed. <a href="/">Back to Settle</a></p></body></html>`,
    );
}

function escapeHtml(text: string) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * CSRF: a state-changing request must come from our own origin. Browsers send Origin on every
 * cross-site POST; with SameSite=Lax cookies this closes the usual holes (ADR 005).
 * Webhooks are exempt: they carry no cookies and prove themselves with a signature.
 */
export function originCheck({ appOrigin, exempt }: { appOrigin: string | undefined; exempt: (path: string) => boolean }) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method) || exempt(req.path)) return next();
    const expected = appOrigin ?? `${req.protocol}://${req.get("host")}`;
    const origin = req.get("origin") ?? originOf(req.get("referer"));
    if (!origin || origin === "null") {
      return refuse(req, res, 403, "This request has no Origin header, so Settle cannot tell that it came from its own pages. Reload the page and try again.");
    }
    if (origin !== expected) {
      return refuse(req, res, 403, `This request came from ${origin}, not from Settle (${expected}), so it was refused.`);
    }
    next();
  };
}

function originOf(url: string | undefined) {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** Refuses bodies over the limit before anything reads them. */
export function bodyLimit({ maxBytes, exempt }: { maxBytes: number; exempt: (path: string) => boolean }) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method) || exempt(req.path)) return next();
    const length = req.get("content-length");
    if (length === undefined) {
      if (req.get("transfer-encoding")) {
        return refuse(req, res, 411, "Send the request with a Content-Length header.");
      }
      return next();
    }
    if (!/^\d+$/.test(length)) return refuse(req, res, 400, "The Content-Length header is not a number.");
    if (Number(length) > maxBytes) {
      return refuse(req, res, 413, `The request is too large (${Number(length).toLocaleString("en")} bytes); the limit is ${maxBytes.toLocaleString("en")} bytes.`);
    }
    next();
  };
}
