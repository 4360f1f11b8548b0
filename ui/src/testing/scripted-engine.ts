// A scripted engine for unit tests, and the fault injector: it drops connections, replays
// with overlap and loses answers. It speaks the protocol over the same seam the real hosts do.
import type { ClientFrame, RpcError, ServerFrame } from "../gen/protocol";
import type { Connect, ConnectionEvents } from "../host/transport";

export type Request = Extract<ClientFrame, { type: "request" }>;

type Entry = { event: string; data: unknown };

/** What a scripted method answers: a result, or a thrown `RpcError`. */
export type Answer = (params: unknown) => unknown;

/** The channel events go to unless told otherwise. */
const SESSION = "session:s1";

/** An engine in memory: channels with offsets, message ids per client id, methods answered
 * by script, and levers to break the connection. */
export class ScriptedEngine {
  epoch = "e1";
  readonly logs = new Map<string, Entry[]>();
  sent: ClientFrame[] = [];
  connects = 0;
  /** Replays this many already-seen events again after a `since`, as a sloppy server might. */
  overlap = 0;
  /** Takes the next prompt, then drops the connection before answering. */
  loseNextAnswer = false;
  /** Refuses prompts longer than this by closing the connection, as the engine does (1009). */
  maxPrompt = Infinity;
  prompts = new Map<string, string>();
  /** Answers by method; methods not listed answer `{ok: true}`. */
  readonly answers = new Map<string, Answer>();
  private peer: ConnectionEvents | null = null;
  private readonly subscribed = new Set<string>();

  readonly connect: Connect = (events) => {
    this.connects += 1;
    this.peer = events;
    this.subscribed.clear();
    queueMicrotask(() => this.deliver({ type: "welcome", protocol: 1, server: { version: "test" }, connection: { id: this.connects, device: "phone", user: "owner" } }));
    return {
      send: (frame) => this.receive(frame),
      close: () => this.drop(1000),
    };
  };

  /** The events of `session:s1` so far. */
  get log(): Entry[] {
    return this.channel(SESSION);
  }

  /** Answers `sessions.get` with what `snapshot` returns. */
  set snapshot(snapshot: () => unknown) {
    this.answers.set("sessions.get", snapshot);
  }

  /** Publishes a text delta on `session:s1`; a connected subscriber gets it live. */
  publish(text: string): void {
    this.emit("part.delta", { text });
  }

  /** Publishes any event on a channel (`session:s1` unless told). */
  emit(event: string, data: unknown, channel = SESSION): void {
    const log = this.channel(channel);
    log.push({ event, data });
    if (this.subscribed.has(channel)) this.deliver(this.frame(channel, log.length));
  }

  /** The connection drops (1006 unless told otherwise). */
  drop(code = 1006): void {
    const peer = this.peer;
    this.peer = null;
    this.subscribed.clear();
    peer?.closed({ code, reason: "" });
  }

  /** The requests made of `method`, in order. */
  requests(method: string): Request[] {
    return this.sent.filter((frame): frame is Request => frame.type === "request" && frame.method === method);
  }

  /** The position a snapshot taken now reaches on `channel`. */
  position(channel = SESSION): { epoch: string; offset: number } {
    return { epoch: this.epoch, offset: this.channel(channel).length };
  }

  private channel(name: string): Entry[] {
    let log = this.logs.get(name);
    if (log === undefined) {
      log = [];
      this.logs.set(name, log);
    }
    return log;
  }

  private receive(frame: ClientFrame): void {
    this.sent.push(frame);
    if (frame.type === "subscribe") this.subscribe(frame);
    if (frame.type === "request") this.answer(frame);
  }

  private subscribe(frame: Extract<ClientFrame, { type: "subscribe" }>): void {
    const states = frame.channels.map((channel) => {
      const since = frame.since?.[channel];
      const recovered = since !== undefined && since.epoch === this.epoch;
      return { channel, epoch: this.epoch, offset: this.channel(channel).length, since, recovered };
    });
    this.deliver({
      type: "subscribed",
      channels: states.map(({ channel, epoch, offset, since, recovered }) => ({ channel, epoch, offset, ...(since ? { recovered } : {}) })),
    });
    for (const { channel, since, recovered } of states) {
      if (since && recovered) {
        const from = Math.max(0, since.offset - this.overlap);
        for (let offset = from + 1; offset <= this.channel(channel).length; offset++) this.deliver(this.frame(channel, offset));
      }
      this.subscribed.add(channel);
    }
  }

  private answer(request: Request): void {
    const scripted = this.answers.get(request.method);
    if (scripted) {
      try {
        this.deliver({ type: "response", id: request.id, result: scripted(request.params) });
      } catch (error) {
        this.deliver({ type: "response", id: request.id, error: error as RpcError });
      }
      return;
    }
    if (request.method !== "messages.send") {
      this.deliver({ type: "response", id: request.id, result: { ok: true } });
      return;
    }
    const { client_id: clientId, text } = request.params as { client_id: string; text: string };
    if (text.length > this.maxPrompt) {
      this.drop(1009);
      return;
    }
    const known = this.prompts.get(clientId);
    const messageId = known ?? `m${this.prompts.size + 1}`;
    this.prompts.set(clientId, messageId);
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      this.drop();
      return;
    }
    this.deliver({ type: "response", id: request.id, result: { message_id: messageId } });
  }

  private frame(channel: string, offset: number): ServerFrame {
    const entry = this.channel(channel)[offset - 1]!;
    return { type: "event", channel, offset, event: entry.event, data: entry.data };
  }

  private deliver(frame: ServerFrame): void {
    this.peer?.frame(frame);
  }
}
