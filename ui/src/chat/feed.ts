// One session kept current: a snapshot through RPC, then its channel's events on top, from
// the snapshot's position, so nothing is applied twice or missed; reloaded when the engine
// says events were lost, and loaded again once the client is back online. React reads it
// through `useSyncExternalStore`.
import type { Position, RpcError, SessionSnapshot } from "../gen/protocol";
import type { TetherClient } from "../protocol/client";
import { sessionEvent } from "../protocol/events";
import { type SessionView, apply, fromSnapshot } from "./session";

export class SessionFeed {
  private view: SessionView | null = null;
  private error: RpcError | null = null;
  private readonly listeners = new Set<() => void>();
  private unsubscribe: (() => void) | null = null;
  private stopWatching: (() => void) | null = null;
  private closed = false;
  private generation = 0;

  constructor(
    private readonly client: TetherClient,
    readonly sessionId: string,
  ) {}

  /** The session as it stands, once loaded. */
  get current(): SessionView | null {
    return this.view;
  }

  /** Why it could not be loaded, when it could not (other than being offline). */
  get problem(): RpcError | null {
    return this.error;
  }

  /** Calls `listener` after every change; returns how to stop. */
  readonly onChange = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Loads the session and follows it until `close`. */
  start(): void {
    this.closed = false;
    this.stopWatching = this.client.onStatus((status) => {
      if (status === "connected" && this.view === null) void this.load();
    });
    void this.load();
  }

  /** Stops following; `start` may follow again (React runs effects twice in development). */
  close(): void {
    this.closed = true;
    this.generation += 1;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.stopWatching?.();
    this.stopWatching = null;
  }

  /** Sends a prompt (queued while offline, sent once). */
  send(text: string): Promise<{ message_id: string }> {
    return this.client.sendMessage(this.sessionId, text);
  }

  private async load(): Promise<void> {
    const generation = ++this.generation;
    this.unsubscribe?.();
    this.unsubscribe = null;
    let snapshot: SessionSnapshot;
    try {
      snapshot = await this.client.request("sessions.get", { session_id: this.sessionId });
    } catch (error) {
      const rpc = error as RpcError;
      // Offline: the status watcher loads again once connected.
      if (rpc.code !== "unavailable") this.fail(rpc);
      return;
    }
    if (this.closed || generation !== this.generation) return;
    this.view = fromSnapshot(snapshot);
    this.error = null;
    this.changed();
    this.follow(snapshot.position);
  }

  private follow(position: Position | null): void {
    // Without a position the channel has no events yet: the first reset only says where it starts.
    let starting = position === null;
    this.unsubscribe = this.client.subscribe(
      `session:${this.sessionId}`,
      {
        event: (event) => {
          if (this.view === null) return;
          this.view = apply(this.view, sessionEvent(event));
          this.changed();
        },
        reset: () => {
          if (starting) {
            starting = false;
            return;
          }
          void this.load();
        },
      },
      position ?? undefined,
    );
  }

  private fail(error: RpcError): void {
    this.error = error;
    this.changed();
  }

  private changed(): void {
    this.listeners.forEach((listener) => listener());
  }
}
