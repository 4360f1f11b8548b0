// A scripted engine for unit tests, and the fault injector: it drops connections, replays
// with overlap and loses answers. It speaks the protocol over the same seam the real hosts do.
import type { ClientFrame, ServerFrame } from "../gen/protocol";
import type { Connect, ConnectionEvents } from "../host/transport";

export type Request = Extract<ClientFrame, { type: "request" }>;

/** An engine in memory: channels with offsets, message ids per client id, and levers to
 * break the connection. */
export class ScriptedEngine {
  epoch = "e1";
  log: { event: string; data: unknown }[] = [];
  sent: ClientFrame[] = [];
  connects = 0;
  /** Replays this many already-seen events again after a `since`, as a sloppy server might. */
  overlap = 0;
  /** Takes the next prompt, then drops the connection before answering. */
  loseNextAnswer = false;
  prompts = new Map<string, string>();
  private peer: ConnectionEvents | null = null;
  private subscribed = false;

  readonly connect: Connect = (events) => {
    this.connects += 1;
    this.peer = events;
    this.subscribed = false;
    queueMicrotask(() => this.deliver({ type: "welcome", protocol: 1, server: { version: "test" }, connection: { id: this.connects, device: "phone", user: "owner" } }));
    return {
      send: (frame) => this.receive(frame),
      close: () => this.drop(1000),
    };
  };

  /** Answers `sessions.get`, when set. */
  snapshot: (() => unknown) | null = null;

  /** Publishes a text delta on `session:s1`; a connected subscriber gets it live. */
  publish(text: string): void {
    this.emit("part.delta", { text });
  }

  /** Publishes any event on `session:s1`. */
  emit(event: string, data: unknown): void {
    this.log.push({ event, data });
    if (this.subscribed) this.deliver(this.frame(this.log.length));
  }

  /** The connection drops (1006 unless told otherwise). */
  drop(code = 1006): void {
    const peer = this.peer;
    this.peer = null;
    this.subscribed = false;
    peer?.closed({ code, reason: "" });
  }

  private receive(frame: ClientFrame): void {
    this.sent.push(frame);
    if (frame.type === "subscribe") {
      const since = frame.since?.["session:s1"];
      const recovered = since !== undefined && since.epoch === this.epoch;
      this.deliver({ type: "subscribed", channels: [{ channel: "session:s1", epoch: this.epoch, offset: this.log.length, ...(since ? { recovered } : {}) }] });
      if (recovered) {
        const from = Math.max(0, since.offset - this.overlap);
        for (let offset = from + 1; offset <= this.log.length; offset++) this.deliver(this.frame(offset));
      }
      this.subscribed = true;
    }
    if (frame.type === "request") this.answer(frame);
  }

  private answer(request: Request): void {
    if (request.method === "sessions.get" && this.snapshot) {
      this.deliver({ type: "response", id: request.id, result: this.snapshot() });
      return;
    }
    if (request.method !== "messages.send") {
      this.deliver({ type: "response", id: request.id, result: { ok: true } });
      return;
    }
    const { client_id: clientId } = request.params as { client_id: string };
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

  /** The position a snapshot taken now reaches. */
  position(): { epoch: string; offset: number } {
    return { epoch: this.epoch, offset: this.log.length };
  }

  private frame(offset: number): ServerFrame {
    const entry = this.log[offset - 1]!;
    return { type: "event", channel: "session:s1", offset, event: entry.event, data: entry.data };
  }

  private deliver(frame: ServerFrame): void {
    this.peer?.frame(frame);
  }
}
