// Vite: the chat UI's build (with its service worker), its dev server, and its unit tests. The dev server hands /api
// and /ws to a running engine (TETHER_ENGINE), method and body unchanged. A request from the
// dev server's own page, reached by a loopback name, is presented with the engine's origin, so
// the engine needs no extra allowed origin; any other page (a rebinding one included) keeps its
// Origin and is refused as usual.
import type { IncomingMessage } from "node:http";

import react from "@vitejs/plugin-react";
import type { ProxyOptions } from "vite";
import { defineConfig } from "vitest/config";

import { serviceWorker } from "./vite/service-worker";

const engine = process.env.TETHER_ENGINE ?? "http://127.0.0.1:7410";

type Outgoing = { setHeader(name: string, value: string): void };

const LOOPBACK = ["localhost", "127.0.0.1", "[::1]"];

/** Gives a request from the dev server's own page, on a loopback name, the engine's origin. */
function ownPageAsEngine(outgoing: Outgoing, incoming: IncomingMessage): void {
  const { origin, host } = incoming.headers;
  if (origin === undefined || host === undefined || origin !== `http://${host}`) return;
  if (LOOPBACK.includes(new URL(origin).hostname)) outgoing.setHeader("origin", new URL(engine).origin);
}

const toEngine = (ws: boolean): ProxyOptions => ({
  target: engine,
  ws,
  changeOrigin: true,
  configure: (proxy) => {
    proxy.on("proxyReq", ownPageAsEngine);
    proxy.on("proxyReqWs", ownPageAsEngine);
  },
});

export default defineConfig({
  plugins: [react(), serviceWorker()],
  server: { proxy: { "/api": toEngine(false), "/ws": toEngine(true) } },
  build: { outDir: "dist", sourcemap: false },
  test: { globals: true, include: ["src/**/*.test.{ts,tsx}"] },
});
