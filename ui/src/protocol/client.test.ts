// The protocol client against a scripted engine (the fault injector: it drops connections,
// replays with overlap, loses responses), under fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { ClientFrame, ServerFrame } from "../gen/protocol";
import type { Connect, ConnectionEvents } from "../host/transport";
import { reconnectDelay } from "./backoff";
import { type ChannelEvent, TetherClient } from "./client";

type Request = Extract<ClientFrame, { type: "request" }>;

/** An engine in memory: channels with offsets, message ids per client id, and levers to
 * break the connection. */
class ScriptedEngine {
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

  /** Publishes an event on `session:s1`; a connected subscriber gets it live. */
  publish(text: string): void {
    this.log.push({ event: "part.delta", data: { text } });
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

  private frame(offset: number): ServerFrame {
    const entry = this.log[offset - 1]!;
    return { type: "event", channel: "session:s1", offset, event: entry.event, data: entry.data };
  }

  private deliver(frame: ServerFrame): void {
    this.peer?.frame(frame);
  }
}

/** Lets queued microtasks (the scripted welcome) run. */
async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

describe("TetherClient", () => {
  let engine: ScriptedEngine;
  let client: TetherClient;
  let text: string;
  let offsets: number[];
  let resets: number;

  beforeEach(async () => {
    vi.useFakeTimers();
    engine = new ScriptedEngine();
    client = new TetherClient(engine.connect, { random: () => 0.5 });
    text = "";
    offsets = [];
    resets = 0;
    client.subscribe("session:s1", {
      event: (event: ChannelEvent) => {
        offsets.push(event.offset);
        text += (event.data as { text: string }).text;
      },
      reset: () => {
        resets += 1;
        text = engine.log.map((entry) => (entry.data as { text: string }).text).join("");
      },
    });
    client.start();
    await settle();
  });

  afterEach(() => {
    client.stop();
    vi.useRealTimers();
  });

  it("resumes after a drop mid-stream and ends as if it never left", async () => {
    const words = ["The ", "answer ", "streams ", "in ", "and ", "keeps ", "going ", "to ", "the ", "end."];
    words.slice(0, 4).forEach((word) => engine.publish(word));
    engine.drop();
    expect(client.status).toBe("reconnecting");
    words.slice(4, 7).forEach((word) => engine.publish(word));
    engine.overlap = 2;
    await vi.advanceTimersByTimeAsync(reconnectDelay(0, { firstMs: 500, maxMs: 15_000 }, () => 0.5));
    expect(client.status).toBe("connected");
    words.slice(7).forEach((word) => engine.publish(word));

    expect(text).toBe(words.join(""));
    expect(offsets).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(resets).toBe(1);
    const resume = engine.sent.filter((frame) => frame.type === "subscribe").at(-1);
    expect(resume).toMatchObject({ since: { "session:s1": { epoch: "e1", offset: 4 } } });
  });

  it("reloads when the engine cannot replay what was missed", async () => {
    engine.publish("old ");
    engine.drop();
    engine.epoch = "e2";
    engine.publish("new");
    await vi.advanceTimersByTimeAsync(15_000);
    expect(resets).toBe(2);
    expect(text).toBe("old new");
    engine.publish("!");
    expect(text).toBe("old new!");
  });

  it("queues prompts typed offline and sends each once when back", async () => {
    engine.drop();
    const first = client.sendMessage("s1", "one");
    const second = client.sendMessage("s1", "two");
    expect(client.queued).toBe(2);
    await vi.advanceTimersByTimeAsync(15_000);
    await expect(first).resolves.toEqual({ message_id: "m1" });
    await expect(second).resolves.toEqual({ message_id: "m2" });
    expect(client.queued).toBe(0);
    const sends = engine.sent.filter((frame) => frame.type === "request" && frame.method === "messages.send");
    expect(sends).toHaveLength(2);
  });

  it("resends a prompt whose answer was lost with the same id, so it is sent once", async () => {
    engine.loseNextAnswer = true;
    const prompt = client.sendMessage("s1", "only once");
    expect(client.status).toBe("reconnecting");
    await vi.advanceTimersByTimeAsync(15_000);
    await expect(prompt).resolves.toEqual({ message_id: "m1" });
    const tries = engine.sent.filter(
      (frame): frame is Request => frame.type === "request" && frame.method === "messages.send",
    );
    const ids = tries.map((frame) => (frame.params as { client_id: string }).client_id);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
    expect(engine.prompts.size).toBe(1);
  });

  it("backs off with jitter up to a cap, and stops for good when revoked", async () => {
    const delays = [0, 1, 2, 3, 10].map((attempt) => reconnectDelay(attempt, { firstMs: 500, maxMs: 15_000 }, () => 0.5));
    expect(delays).toEqual([375, 750, 1500, 3000, 11_250]);
    expect(reconnectDelay(3, { firstMs: 500, maxMs: 15_000 }, () => 0)).toBe(2000);
    expect(reconnectDelay(3, { firstMs: 500, maxMs: 15_000 }, () => 0.999)).toBeLessThanOrEqual(4000);

    const before = engine.connects;
    engine.drop();
    await vi.advanceTimersByTimeAsync(374);
    expect(engine.connects).toBe(before);
    await vi.advanceTimersByTimeAsync(1);
    expect(engine.connects).toBe(before + 1);

    engine.drop(4001);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.status).toBe("revoked");
    expect(engine.connects).toBe(before + 1);
  });

  it("fails requests clearly when offline", async () => {
    engine.drop();
    await expect(client.request("sessions.list")).rejects.toMatchObject({ code: "unavailable" });
    await vi.advanceTimersByTimeAsync(15_000);
    await expect(client.request("sessions.list")).resolves.toEqual({ ok: true });
  });
});
