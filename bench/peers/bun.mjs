// The Bun peer for `make bench`: Bun.serve's own WebSockets (uWebSockets underneath) with its
// topic publish, bearer-token checked at the upgrade.
import { serve, setup, welcome } from "./feed.mjs";

const { lines, token } = setup();
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request, server) {
    if (request.headers.get("authorization") !== `Bearer ${token}`) {
      return new Response("unauthorized", { status: 401 });
    }
    return server.upgrade(request) ? undefined : new Response("upgrade required", { status: 426 });
  },
  websocket: {
    perMessageDeflate: false,
    // Queue without dropping, as the others do (Bun drops past 16 MiB by default).
    backpressureLimit: 1 << 30,
    open(ws) {
      ws.subscribe("bench");
      ws.send(welcome());
    },
    message() {},
  },
});
serve(server.port, token, lines, (text) => server.publish("bench", text));
