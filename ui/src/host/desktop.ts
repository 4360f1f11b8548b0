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
  // A link that could not open ends here, with the reason; an open one ends only by the
  // channel's `closed`, which always comes.
  const link = invoke<number>("engine_connect", { onDelivery: deliveries });
  link.catch((error: unknown) => end(1011, String(error)));
  const disconnect = () => void link.then((id) => invoke("engine_disconnect", { link: id })).catch(() => undefined);
  // Each send waits for the one before it, so frames reach the engine in the order sent. One
  // that fails (the engine is gone or overwhelmed) ends the link, and its `closed` follows.
  let queue: Promise<unknown> = link;
  const send = (frame: ClientFrame) => {
    queue = queue
      .then(() => link)
      .then((id) => invoke("engine_send", { link: id, frame: JSON.stringify(frame) }))
      .catch(disconnect);
  };
  return { send, close: disconnect };
};

/** What the tray asks of the window. */
export type DesktopCommand = { kind: "pair" } | { kind: "open_session"; session_id: string };

/** Calls `handler` with each command from the tray; returns how to stop. */
export function onDesktopCommand(handler: (command: DesktopCommand) => void): () => void {
  const stop = listen<DesktopCommand>("tether://command", (event) => handler(event.payload));
  return () => void stop.then((unlisten) => unlisten());
}

/**
 * Sends clicks on web and mail links to the system's browser or mail app (the window itself
 * never navigates away from the chat); returns how to stop.
 */
export function openLinksOutside(): () => void {
  const clicked = (event: MouseEvent) => {
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!(link instanceof HTMLAnchorElement) || !/^(https?|mailto):/i.test(link.href)) return;
    event.preventDefault();
    invoke("open_link", { url: link.href }).catch((error: unknown) => console.warn(String(error)));
  };
  document.addEventListener("click", clicked);
  return () => document.removeEventListener("click", clicked);
}

/**
 * Tells the app, once, when the window has painted its first frame (the frame after the one
 * this runs before), and how long after the page began to load, so it can log how long the
 * window took to appear; returns how to stop.
 */
export function tellWhenPainted(): () => void {
  let frame = requestAnimationFrame(() => {
    frame = requestAnimationFrame(() => {
      invoke("window_painted", { pageMs: performance.now() }).catch(() => undefined);
    });
  });
  return () => cancelAnimationFrame(frame);
}

/** The desktop's own folder picker; `null` when the person cancels. */
export function pickFolder(): Promise<string | null> {
  return invoke<string | null>("pick_folder");
}

/** Whether Tether starts at login (in the tray). */
export function startAtLogin(): Promise<boolean> {
  return invoke<boolean>("start_at_login");
}

/** Makes Tether start at login, or not; resolves to where it now stands. */
export function setStartAtLogin(enabled: boolean): Promise<boolean> {
  return invoke<boolean>("set_start_at_login", { enabled });
}
