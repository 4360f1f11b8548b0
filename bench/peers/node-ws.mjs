// The Node peer for `make bench`: the npm `ws` server, bearer-token checked at the upgrade.
import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import { serve, setup, welcome } from "./feed.mjs";

const { lines, token } = setup();
const sockets = new WebSocketServer({ noServer: true, perMessageDeflate: false });
const http = createServer((_, response) => response.writeHead(404).end());
http.on("upgrade", (request, socket, head) => {
  if (request.headers.authorization !== `Bearer ${token}`) {
    socket.end("HTTP/1.1 401 Unauthorized\r\n\r\n");
    return;
  }
  sockets.handleUpgrade(request, socket, head, (ws) => ws.send(welcome()));
});
http.listen(0, "127.0.0.1", () => {
  serve(http.address().port, token, lines, (text) => {
    // Encoded once, as Tether and Bun do, and sent as a text frame to each.
    const data = Buffer.from(text);
    for (const client of sockets.clients) client.send(data, { binary: false });
  });
});
