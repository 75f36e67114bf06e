// Remix's options live here; vite.config.ts passes them to the Remix Vite plugin.
// Routes are listed by app/routes.ts (flat routes), as future.v3_routeConfig asks.
/** @type {import('@remix-run/dev').VitePluginConfig} */
export default {
  serverModuleFormat: "esm",
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_singleFetch: true,
    v3_lazyRouteDiscovery: true,
    v3_routeConfig: true,
  },
};
