// Vite: the chat UI's build, its dev server (which hands /api and /ws to a running engine,
// method and body unchanged), and its unit tests.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

const engine = process.env.TETHER_ENGINE ?? "http://127.0.0.1:7410";

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      "/api": { target: engine, changeOrigin: true },
      "/ws": { target: engine, ws: true, changeOrigin: true },
    },
  },
  build: { outDir: "dist", sourcemap: false },
  test: { globals: true, include: ["src/**/*.test.{ts,tsx}"] },
});
