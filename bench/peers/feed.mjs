// The peers' side of `make bench`, shared by the Node `ws` server and the Bun server: read
// stream-json lines, then on `go COUNT DELAY_NS INTERVAL_NS` (stdin) wrap line after line with
// an offset and broadcast it, the nth at DELAY + n * INTERVAL from the command; print `done`.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { randomBytes } from "node:crypto";

/** The most events published before yielding to the event loop. */
const TURN = 1000;

export function setup() {
  const lines = readFileSync(process.argv[2], "utf8").split("\n").filter(Boolean);
  const token = randomBytes(32).toString("base64url");
  return { lines, token };
}

export function welcome() {
  return JSON.stringify({ type: "welcome" });
}

/** Announces readiness, then serves `go` commands from stdin with `broadcast(text)`. */
export function serve(port, token, lines, broadcast) {
  console.log(`ready ${port} ${token}`);
  let offset = 0;
  const commands = createInterface({ input: process.stdin });
  commands.on("line", async (command) => {
    const [verb, count, delay, interval] = command.split(" ");
    if (verb !== "go") return;
    const end = offset + Number(count);
    const start = process.hrtime.bigint() + BigInt(delay);
    const step = BigInt(interval);
    const first = offset;
    while (offset < end) {
      const now = process.hrtime.bigint();
      let turn = 0;
      while (offset < end && turn < TURN && start + BigInt(offset - first) * step <= now) {
        const line = lines[offset % lines.length];
        offset += 1;
        turn += 1;
        broadcast(JSON.stringify({
          type: "event", channel: "session:bench", event: "cli.line", offset, data: JSON.parse(line),
        }));
      }
      await new Promise((resolve) => (turn === TURN ? setImmediate(resolve) : setTimeout(resolve, 1)));
    }
    console.log("done");
  });
  commands.on("close", () => process.exit(0));
}
