// The seam between the UI and the engine: one connection that carries protocol frames.
// Only ui/src/host/ knows how (a WebSocket on phones, Tauri IPC in the desktop window).
import type { ClientFrame, ServerFrame } from "../gen/protocol";

/** Why a connection ended: a WebSocket close code (1006 when it simply dropped) and reason. */
export type Closed = { code: number; reason: string };

/** What a connection tells its owner. */
export interface ConnectionEvents {
  frame(frame: ServerFrame): void;
  closed(closed: Closed): void;
}

/** One open (or opening) connection. */
export interface Connection {
  send(frame: ClientFrame): void;
  close(): void;
}

/** Opens a connection to the engine; events arrive until `closed`, exactly once. */
export type Connect = (events: ConnectionEvents) => Connection;
