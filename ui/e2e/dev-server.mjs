// The Vite dev server's proxy alone, on a free port of 127.0.0.1 (Vite itself never binds port
// 0): prints `listening http://127.0.0.1:PORT`, then serves until stdin closes. Used by
// crates/tether-cli/tests/dev_server.rs with TETHER_ENGINE pointing at a running engine.
import { fileURLToPath } from "node:url";

import { createServer } from "vite";

const server = await createServer({ configFile: fileURLToPath(new URL("../vite.config.ts", import.meta.url)), clearScreen: false, logLevel: "warn" });
server.httpServer.listen(0, "127.0.0.1", () => console.log(`listening http://127.0.0.1:${server.httpServer.address().port}`));
process.stdin.resume();
process.stdin.on("end", () => void server.close().then(() => process.exit(0)));
