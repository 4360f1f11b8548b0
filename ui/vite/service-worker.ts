// A Vite plugin that emits `sw.js`: the service worker in src/offline with this build's file
// list (every file the build writes, and the public folder's) and a version named by their
// contents, so a new build is a new worker and an unchanged one is not.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

import type { Plugin } from "vite";

const SOURCE = fileURLToPath(new URL("../src/offline/service-worker.js", import.meta.url));
const PUBLIC = fileURLToPath(new URL("../public", import.meta.url));

export function serviceWorker(): Plugin {
  return {
    name: "tether-service-worker",
    apply: "build",
    generateBundle(_, bundle) {
      const version = createHash("sha256");
      const shell = ["/"];
      for (const [name, file] of Object.entries(bundle)) {
        version.update(name).update(file.type === "chunk" ? file.code : file.source);
        if (name !== "index.html") shell.push(`/${name}`);
      }
      for (const name of readdirSync(PUBLIC)) {
        version.update(name).update(readFileSync(`${PUBLIC}/${name}`));
        shell.push(`/${name}`);
      }
      const code = readFileSync(SOURCE, "utf8")
        .replace('"__VERSION__"', JSON.stringify(version.digest("hex").slice(0, 16)))
        .replace("__SHELL__", JSON.stringify(shell.sort()));
      this.emitFile({ type: "asset", fileName: "sw.js", source: code });
    },
  };
}
