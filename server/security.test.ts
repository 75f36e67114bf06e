import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodyLimit, originCheck } from "./security";

let base = "";
let changes = 0;
let close: () => void;

beforeAll(async () => {
  const app = express();
  app.use(bodyLimit({ maxBytes: 1024, exempt: () => false }));
  app.use(originCheck({ appOrigin: undefined, exempt: (path) => path.startsWith("/webhooks/") }));
  app.post("/change", (_req, res) => {
    changes++;
    res.send("changed");
  });
  app.post("/webhooks/stripe", (_req, res) => res.send("webhook"));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());

const form = (headers: Record<string, string>, body = "a=1") =>
  fetch(`${base}/change`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", ...headers }, body });

describe("CSRF origin check", () => {
  it("lets a same-origin form post through", async () => {
    const before = changes;
    const res = await form({ origin: base });
    expect(res.status).toBe(200);
    expect(changes).toBe(before + 1);
  });

  it("refuses a post without Origin or Referer, with a message, and changes nothing", async () => {
    const before = changes;
    const res = await form({});
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("This request has no Origin header");
    expect(changes).toBe(before);
  });

  it("refuses another site's origin and a null origin", async () => {
    const before = changes;
    const cross = await form({ origin: "https://evil.example" });
    expect(cross.status).toBe(403);
    expect(await cross.text()).toContain("came from https://evil.example");
    expect((await form({ origin: "null" })).status).toBe(403);
    expect(changes).toBe(before);
  });

  it("falls back to the Referer when Origin is missing", async () => {
    expect((await form({ referer: `${base}/staff/customers` })).status).toBe(200);
  });

  it("exempts webhooks, which prove themselves with a signature", async () => {
    expect((await fetch(`${base}/webhooks/stripe`, { method: "POST", body: "{}" })).status).toBe(200);
  });

  it("answers JSON clients in JSON", async () => {
    const res = await fetch(`${base}/change`, { method: "POST", headers: { accept: "application/json" }, body: "x" });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: expect.stringContaining("no Origin header") });
  });
});

describe("body limit", () => {
  it("refuses an oversized body before reading it, with the limit in the message", async () => {
    const before = changes;
    const res = await form({ origin: base }, "a=" + "x".repeat(2000));
    expect(res.status).toBe(413);
    expect(await res.text()).toContain("the limit is 1,024 bytes");
    expect(changes).toBe(before);
  });
});
