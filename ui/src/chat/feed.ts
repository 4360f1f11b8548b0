// One session kept current: a snapshot through RPC, then its channel's events on top, from
// the snapshot's position, so nothing is applied twice or missed; reloaded when the engine
// says events were lost, and loaded again once the client is back online. Only the last page
// of a long session is loaded (of a terminal session too: one of Claude Code's own
// transcripts), and earlier pages on request. React reads it through `useSyncExternalStore`.
import type { ImageUpload, Position, RpcError, SessionSnapshot, TerminalSession } from "../gen/protocol";
import type { TetherClient } from "../protocol/client";
import { sessionEvent } from "../protocol/events";
import { type SessionView, apply, fromSnapshot } from "./session";

/** Parts of a session loaded at first, and with each earlier page; for a terminal session,
 * turns with each earlier page. */
const PAGE_PARTS = 400;
const PAGE_TURNS = 100;

export class SessionFeed {
  private view: SessionView | null = null;
  private error: RpcError | null = null;
  private readonly listeners = new Set<() => void>();
  private unsubscribe: (() => void) | null = null;
  private stopWatching: (() => void) | null = null;
  private closed = false;
  private generation = 0;
  private transcriptInfo: TerminalSession | null = null;
  private earlier: number | null = null;
  private paging = false;

  /** `terminal`: `sessionId` is the id of one of Claude Code's transcripts. */
  constructor(
    private readonly client: TetherClient,
    readonly sessionId: string,
    readonly terminal = false,
  ) {}

  /** For a terminal session: what the list says of it, as of the last load. */
  get transcript(): TerminalSession | null {
    return this.transcriptInfo;
  }

  /** Whether there is history before what is shown. */
  get hasEarlier(): boolean {
    return this.earlier !== null;
  }

  /** Puts the page before what is shown in front of it (once at a time; a reload meanwhile
   * drops the page, since the view it belonged to is gone). */
  async loadEarlier(): Promise<void> {
    if (this.earlier === null || this.view === null || this.paging) return;
    const generation = this.generation;
    this.paging = true;
    this.changed();
    try {
      const page = this.terminal
        ? await this.client.request("terminal.read", { id: this.sessionId, before: this.earlier, turns: PAGE_TURNS })
        : await this.client.request("sessions.read", { session_id: this.sessionId, before: this.earlier, parts: PAGE_PARTS });
      if (this.view === null || generation !== this.generation) return;
      const shown = new Set(this.view.messages.map((message) => message.id));
      const older = page.messages.filter((message) => !shown.has(message.id));
      this.view = { ...this.view, messages: [...older, ...this.view.messages] };
      this.earlier = page.before;
    } finally {
      this.paging = false;
      this.changed();
    }
  }

  /** Whether an earlier page is being loaded. */
  get loadingEarlier(): boolean {
    return this.paging;
  }

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
  send(text: string, images: ImageUpload[] = []): Promise<{ message_id: string }> {
    return this.client.sendMessage(this.sessionId, text, images);
  }

  private async load(): Promise<void> {
    const generation = ++this.generation;
    this.unsubscribe?.();
    this.unsubscribe = null;
    let snapshot: SessionSnapshot;
    let terminal: { transcript: TerminalSession; before: number | null } | null = null;
    try {
      if (this.terminal) {
        const opened = await this.client.request("terminal.open", { id: this.sessionId });
        snapshot = opened.snapshot;
        terminal = { transcript: opened.transcript, before: opened.before };
      } else {
        snapshot = await this.client.request("sessions.get", { session_id: this.sessionId, parts: PAGE_PARTS });
      }
    } catch (error) {
      const rpc = error as RpcError;
      // Offline: the status watcher loads again once connected.
      if (rpc.code !== "unavailable") this.fail(rpc);
      return;
    }
    if (this.closed || generation !== this.generation) return;
    if (terminal) this.transcriptInfo = terminal.transcript;
    this.earlier = terminal ? terminal.before : (snapshot.before ?? null);
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
