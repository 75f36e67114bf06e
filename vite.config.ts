import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";
import remixConfig from "./remix.config.js";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig({
  plugins: [remix(remixConfig), tsconfigPaths()],
  // Overridable so that several development servers can run side by side.
  server: { hmr: { port: Number(process.env.HMR_PORT ?? 24679) } },
  cacheDir: process.env.VITE_CACHE_DIR ?? "node_modules/.vite",
  build: { target: "es2022" },
  // The dependency scanner also walks server-only imports; argon2's optional WebAssembly build is
  // never needed in a browser, and trying to bundle it stalls the optimizer (504 on every page).
  optimizeDeps: { exclude: ["@node-rs/argon2"] },
});
