// The protocol client: requests and responses, channel subscriptions that resume exactly
// after a reconnect, reconnecting with backoff, and prompts that wait out being offline (kept
// across a restart of the app where a store is given) and are sent once (each carries a
// client id the engine remembers).
import {
  CloseCode,
  type ClientFrame,
  type ImageUpload,
  type Methods,
  type Position,
  type RpcError,
  type ServerFrame,
  type SubscriptionState,
} from "../gen/protocol";
import type { Closed, Connect, Connection } from "../host/transport";
import { type Backoff, DEFAULT_BACKOFF, reconnectDelay } from "./backoff";
import { Cursor } from "./cursor";

/** A method's name. */
export type Method = keyof Methods;
/** What a method takes. */
export type Params<M extends Method> = Methods[M]["params"];
/** What a method answers. */
export type Result<M extends Method> = Methods[M]["result"];

/** What the connection indicator shows. */
export type Status = "connecting" | "connected" | "reconnecting" | "offline" | "revoked";

/** An event as it arrives on a channel. */
export type ChannelEvent = Extract<ServerFrame, { type: "event" }>;

/** What a subscriber is told. */
export interface ChannelHandlers {
  /** The next event, exactly once and in order. */
  event(event: ChannelEvent): void;
  /** Events were missed and cannot be replayed (or this is a first subscribe): reload the
   * state through RPC; events after `position` follow. */
  reset(position: Position): void;
}


/** An error for requests the connection could not carry. */
export function unavailable(message: string): RpcError {
  return { code: "unavailable", message };
}

type Pending = { resolve(result: unknown): void; reject(error: RpcError): void };

/** One channel followed: where it stands, and everyone who listens to it here. */
type Subscription = { cursor: Cursor; listeners: Set<ChannelHandlers> };

/** A prompt waiting to be sent, or sent and waiting for its answer. */
type Queued = WaitingPrompt & {
  inFlight: boolean;
  resolve(result: { message_id: string }): void;
  reject(error: RpcError): void;
};

/** A prompt waiting to be sent, as kept across a restart of the app. */
export type WaitingPrompt = { clientId: string; sessionId: string; text: string; images?: ImageUpload[] };

/** Where waiting prompts are kept (a browser's local storage, shared by its tabs), with when
 * the engine was last reached. */
export interface PromptStore {
  load(): WaitingPrompt[];
  add(prompt: WaitingPrompt): void;
  remove(clientId: string): void;
  /** When the engine was last reached (milliseconds since the epoch), if ever. */
  lastReached(): number | null;
  reached(at: number): void;
}

export type ClientOptions = { backoff?: Backoff; random?: () => number; prompts?: PromptStore };

export class TetherClient {
  private connection: Connection | null = null;
  private current = 0;
  private statusNow: Status = "offline";
  private lastProblem: string | null = null;
  private readonly statusListeners = new Set<(status: Status) => void>();
  private readonly queueListeners = new Set<() => void>();
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly outbox: Queued[] = [];
  private attempt = 0;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;
  private readonly backoff: Backoff;
  private readonly random: () => number;
  private readonly prompts: PromptStore | undefined;
  /** When the engine was last reachable, or when this client started trying. */
  private lostAt: number | null = null;

  constructor(
    private readonly connect: Connect,
    options: ClientOptions = {},
  ) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.random = options.random ?? Math.random;
    this.prompts = options.prompts;
    // Prompts from before a restart go as they would have; nobody awaits them any more, so
    // one the engine refuses (its session gone) is only logged.
    for (const kept of this.prompts?.load() ?? []) {
      const refused = (error: RpcError) => console.warn(`a prompt kept from before was refused: ${error.message}`);
      this.outbox.push({ ...kept, inFlight: false, resolve: () => undefined, reject: refused });
    }
  }

  get status(): Status {
    return this.statusNow;
  }

  /** Why the last connection failed, when the engine or host said (an engine that did not
   * start, say); `null` once connected. */
  get problem(): string | null {
    return this.lastProblem;
  }

  /** Calls `listener` on every status change; returns how to stop. */
  onStatus(listener: (status: Status) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Since when the engine has been unreachable (milliseconds since the epoch); `null` while
   * connected. */
  get unreachableSince(): number | null {
    return this.statusNow === "connected" ? null : this.lostAt;
  }

  /** Connects, and keeps reconnecting until `stop`. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.lostAt = this.prompts?.lastReached() ?? Date.now();
    this.open("connecting");
  }

  /** Disconnects for good; queued prompts stay queued for a later `start`. */
  stop(): void {
    this.stopped = true;
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
    this.connection?.close();
    this.drop(unavailable("the client was stopped"));
    this.setStatus("offline");
  }

  /** Calls a method; fails with `unavailable` when not connected or if the connection drops. */
  request<M extends Method>(method: M, ...params: {} extends Params<M> ? [Params<M>?] : [Params<M>]): Promise<Result<M>> {
    return new Promise<Result<M>>((resolve, reject) => {
      if (this.statusNow !== "connected") {
        reject(unavailable("not connected to the engine"));
        return;
      }
      // The engine answers each method with its declared result type.
      this.call(method, params[0] ?? {}, { resolve: (result) => resolve(result as Result<M>), reject });
    });
  }

  /** Sends a prompt now, or once connected again; never twice, even when a reconnect hides
   * whether the first try arrived. */
  sendMessage(sessionId: string, text: string, images: ImageUpload[] = []): Promise<{ message_id: string }> {
    return new Promise((resolve, reject) => {
      const prompt: WaitingPrompt = { clientId: newClientId(), sessionId, text, ...(images.length > 0 && { images }) };
      this.outbox.push({ ...prompt, inFlight: false, resolve, reject });
      this.prompts?.add(prompt);
      this.queueChanged();
      this.flush();
    });
  }

  /** Prompts not yet confirmed by the engine. */
  get queued(): number {
    return this.outbox.length;
  }

  /** The prompts not yet confirmed by the engine, oldest first. */
  get waiting(): WaitingPrompt[] {
    return this.outbox.map(({ clientId, sessionId, text, images }) => ({ clientId, sessionId, text, ...(images && { images }) }));
  }

  /** Calls `listener` whenever `queued` changes; returns how to stop. */
  onQueue(listener: () => void): () => void {
    this.queueListeners.add(listener);
    return () => this.queueListeners.delete(listener);
  }

  /** Follows `channel` from `since` (an RPC snapshot's position; afresh for every listener),
   * or from now with a `reset` to load the state (each listener is told every event). */
  subscribe(channel: string, handlers: ChannelHandlers, since?: Position): () => void {
    const known = this.subscriptions.get(channel);
    if (known !== undefined && since === undefined) {
      known.listeners.add(handlers);
      if (known.cursor.position !== null) handlers.reset(known.cursor.position);
    } else {
      const cursor = new Cursor();
      cursor.position = since ?? null;
      this.subscriptions.set(channel, { cursor, listeners: new Set([...(known?.listeners ?? []), handlers]) });
      if (this.statusNow === "connected") this.sendSubscribe([channel]);
    }
    return () => {
      const current = this.subscriptions.get(channel);
      if (current === undefined || !current.listeners.delete(handlers) || current.listeners.size > 0) return;
      this.subscriptions.delete(channel);
      if (this.statusNow === "connected") this.send({ type: "unsubscribe", channels: [channel] });
    };
  }

  private open(status: Status): void {
    this.setStatus(status);
    const generation = ++this.current;
    this.connection = this.connect({
      frame: (frame) => {
        if (generation === this.current) this.receive(frame);
      },
      closed: (closed) => {
        if (generation === this.current) this.closed(closed);
      },
    });
  }

  private receive(frame: ServerFrame): void {
    switch (frame.type) {
      case "welcome":
        this.attempt = 0;
        this.lastProblem = null;
        this.setStatus("connected");
        this.sendSubscribe([...this.subscriptions.keys()]);
        this.flush();
        return;
      case "response": {
        const pending = typeof frame.id === "number" ? this.pending.get(frame.id) : undefined;
        if (pending === undefined || typeof frame.id !== "number") return;
        this.pending.delete(frame.id);
        if (frame.error) pending.reject(frame.error);
        else pending.resolve(frame.result);
        return;
      }
      case "subscribed":
        frame.channels.forEach((state) => this.subscribed(state));
        return;
      case "event":
        this.event(frame);
        return;
      default:
        return;
    }
  }

  private subscribed(state: SubscriptionState): void {
    const subscription = this.subscriptions.get(state.channel);
    if (subscription === undefined) return;
    const { cursor } = subscription;
    const resumed = state.recovered === true && cursor.position?.epoch === state.epoch;
    if (resumed) return;
    cursor.position = { epoch: state.epoch, offset: state.offset };
    const position = cursor.position;
    subscription.listeners.forEach((listener) => listener.reset(position));
  }

  private event(frame: ChannelEvent): void {
    const subscription = this.subscriptions.get(frame.channel);
    if (subscription === undefined) return;
    switch (subscription.cursor.accept(frame.offset)) {
      case "apply":
        subscription.listeners.forEach((listener) => listener.event(frame));
        return;
      case "duplicate":
        return;
      case "gap":
        // Never expected (the engine replays in order), but never papered over either.
        this.sendSubscribe([frame.channel]);
        return;
    }
  }

  private closed(closed: Closed): void {
    this.connection = null;
    if (closed.code === CloseCode.internal_error && closed.reason) this.lastProblem = closed.reason;
    // Sent again, a prompt too large for the engine would close every new connection too.
    if (closed.code === CloseCode.message_too_big) this.refuseInFlight();
    this.drop(unavailable(`the connection dropped (${closed.code})`));
    if (this.stopped) return;
    // A revoked device or key: reconnecting would be refused.
    // The address this page came through was turned off: it would be refused there.
    if (closed.code === CloseCode.access_closed) {
      this.stopped = true;
      this.lastProblem =
        "This address was turned off on the desktop. Open Tether at its new address (pair again from its QR code if asked).";
      this.setStatus("offline");
      return;
    }
    if (closed.code === CloseCode.token_revoked) {
      this.stopped = true;
      this.setStatus("revoked");
      return;
    }
    this.setStatus("reconnecting");
    const delay = reconnectDelay(this.attempt++, this.backoff, this.random);
    this.retry = setTimeout(() => {
      this.retry = null;
      if (!this.stopped) this.open("reconnecting");
    }, delay);
  }

  /** Fails every request under way; prompts go back in the queue, to be sent again. */
  private drop(error: RpcError): void {
    this.outbox.forEach((queued) => (queued.inFlight = false));
    const pending = [...this.pending.values()];
    this.pending.clear();
    pending.forEach((request) => request.reject(error));
  }

  private flush(): void {
    if (this.statusNow !== "connected") return;
    for (const queued of [...this.outbox]) {
      if (queued.inFlight) continue;
      queued.inFlight = true;
      const params = { session_id: queued.sessionId, text: queued.text, client_id: queued.clientId, ...(queued.images && { images: queued.images }) };
      this.call("messages.send", params, {
        resolve: (result) => {
          this.forget(queued);
          queued.resolve(result as { message_id: string });
        },
        reject: (error) => {
          // Dropped with the connection: it stays queued and goes again, with the same id.
          if (error.code === "unavailable" && !queued.inFlight) return;
          this.forget(queued);
          queued.reject(error);
        },
      });
    }
  }

  /** Fails the prompts on their way when the connection closed, instead of sending them again. */
  private refuseInFlight(): void {
    const error: RpcError = { code: "invalid_params", message: "the message is larger than the engine accepts" };
    for (const queued of this.outbox.filter((candidate) => candidate.inFlight)) {
      this.forget(queued);
      queued.reject(error);
    }
  }

  private forget(queued: Queued): void {
    const index = this.outbox.indexOf(queued);
    if (index < 0) return;
    this.outbox.splice(index, 1);
    this.prompts?.remove(queued.clientId);
    this.queueChanged();
  }

  private queueChanged(): void {
    this.queueListeners.forEach((listener) => listener());
  }

  private sendSubscribe(channels: string[]): void {
    if (channels.length === 0) return;
    const since: Record<string, Position> = {};
    for (const channel of channels) {
      const position = this.subscriptions.get(channel)?.cursor.position;
      if (position) since[channel] = position;
    }
    const frame: ClientFrame =
      Object.keys(since).length > 0
        ? { type: "subscribe", channels, since }
        : { type: "subscribe", channels };
    this.send(frame);
  }

  private call(method: string, params: unknown, pending: Pending): void {
    const id = ++this.nextId;
    this.pending.set(id, pending);
    this.send({ type: "request", id, method, params });
  }

  private send(frame: ClientFrame): void {
    this.connection?.send(frame);
  }

  private setStatus(status: Status): void {
    if (status === this.statusNow) return;
    if (this.statusNow === "connected") {
      this.lostAt = Date.now();
      this.prompts?.reached(this.lostAt);
    }
    this.statusNow = status;
    this.statusListeners.forEach((listener) => listener(status));
  }
}

/** A random id for a prompt, unique enough to tell a session's recent prompts apart. */
function newClientId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
