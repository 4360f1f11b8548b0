// The WebSocket host, for phones and tablets in a browser: the token travels as a
// subprotocol (browsers cannot set headers on a WebSocket), never in the URL.
import type { ServerFrame } from "../gen/protocol";
import type { Connect } from "./transport";

/** Connects to `url` (e.g. wss://192.168.1.20:7411/ws) with a device token. */
export function webSocketHost(url: string, token: string): Connect {
  return (events) => {
    const socket = new WebSocket(url, ["tether.v1", `tether.token.${token}`]);
    let ended = false;
    const end = (code: number, reason: string) => {
      if (!ended) {
        ended = true;
        events.closed({ code, reason });
      }
    };
    socket.onmessage = (message) => {
      if (typeof message.data !== "string") return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(message.data) as ServerFrame;
      } catch {
        return;
      }
      events.frame(frame);
    };
    socket.onclose = (closed) => end(closed.code, closed.reason);
    socket.onerror = () => end(1006, "the connection failed");
    return {
      send: (frame) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
      },
      close: () => socket.close(1000, "normal"),
    };
  };
}
