// The desktop window's host: the engine runs in the same app, reached through Tauri IPC; the
// tray's requests (pair a device, open a session) arrive as events.
// `engine_connect` opens an in-process link whose frames come back on a channel, in order;
// frames go to it one at a time, in order, through `engine_send`. The window is the trusted
// local client: no token.
import { Channel, invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";

import type { ClientFrame, ServerFrame } from "../gen/protocol";
import type { Connect } from "./transport";

/** What the engine sends the window: a frame, or the end of the link. */
type Delivery = { kind: "frame"; frame: string } | { kind: "closed"; code: number; reason: string };

/** Whether this page runs inside the Tether desktop app. */
export function inDesktopApp(): boolean {
  return "__TAURI_INTERNALS__" in window;
}

export const desktopHost: Connect = (events) => {
  let ended = false;
  const end = (code: number, reason: string) => {
    if (ended) return;
    ended = true;
    events.closed({ code, reason });
  };
  const deliveries = new Channel<Delivery>();
  deliveries.onmessage = (delivery) => {
    if (delivery.kind === "closed") {
      end(delivery.code, delivery.reason);
      return;
    }
    if (!ended) events.frame(JSON.parse(delivery.frame) as ServerFrame);
  };
  // Each call waits for the one before it, so frames reach the engine in the order sent.
  let queue: Promise<unknown> = invoke<number>("engine_connect", { onDelivery: deliveries });
  const link = queue as Promise<number>;
  link.catch((error: unknown) => end(1011, String(error)));
  const after = (call: (id: number) => Promise<unknown>) => {
    queue = queue.then(() => link.then(call)).catch((error: unknown) => end(1011, String(error)));
  };
  return {
    send: (frame: ClientFrame) => after((id) => invoke("engine_send", { link: id, frame: JSON.stringify(frame) })),
    close: () => after((id) => invoke("engine_disconnect", { link: id })),
  };
};

/** What the tray asks of the window. */
export type DesktopCommand = { kind: "pair" } | { kind: "open_session"; session_id: string };

/** Calls `handler` with each command from the tray; returns how to stop. */
export function onDesktopCommand(handler: (command: DesktopCommand) => void): () => void {
  const stop = listen<DesktopCommand>("tether://command", (event) => handler(event.payload));
  return () => void stop.then((unlisten) => unlisten());
}
