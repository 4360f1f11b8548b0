// The protocol client against a scripted engine that drops connections, replays with
// overlap and loses answers, under fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { type Request, ScriptedEngine } from "../testing/scripted-engine";
import { reconnectDelay } from "./backoff";
import { type ChannelEvent, TetherClient, type WaitingPrompt } from "./client";

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

  it("tells every listener of a channel, and leaves it only when the last one goes", async () => {
    const seen: string[] = [];
    const stop = client.subscribe("session:s1", { event: (event) => seen.push((event.data as { text: string }).text), reset: () => undefined });
    engine.publish("both ");
    expect(seen).toEqual(["both "]);
    expect(text).toBe("both ");
    stop();
    engine.publish("first");
    expect(seen).toEqual(["both "]);
    expect(text).toBe("both first");
    expect(engine.sent.filter((frame) => frame.type === "unsubscribe")).toHaveLength(0);
    // One joining later loads the state first (a reset), then hears what follows.
    let joined = 0;
    client.subscribe("session:s1", { event: () => undefined, reset: () => (joined += 1) });
    expect(joined).toBe(1);
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
    const counts: number[] = [];
    client.onQueue(() => counts.push(client.queued));
    const first = client.sendMessage("s1", "one");
    const second = client.sendMessage("s1", "two");
    expect(client.queued).toBe(2);
    await vi.advanceTimersByTimeAsync(15_000);
    await expect(first).resolves.toEqual({ message_id: "m1" });
    await expect(second).resolves.toEqual({ message_id: "m2" });
    expect(client.queued).toBe(0);
    expect(counts).toEqual([1, 2, 1, 0]);
    const sends = engine.sent.filter((frame) => frame.type === "request" && frame.method === "messages.send");
    expect(sends).toHaveLength(2);
  });

  it("keeps prompts typed offline across a restart of the app, and sends them once when back", async () => {
    let kept: WaitingPrompt[] = [];
    const store = {
      load: () => kept,
      add: (prompt: WaitingPrompt) => (kept = [...kept, prompt]),
      remove: (clientId: string) => (kept = kept.filter((prompt) => prompt.clientId !== clientId)),
      lastReached: () => reachedAt,
      reached: (at: number) => (reachedAt = at),
    };
    let reachedAt: number | null = 1_000;
    const before = Date.now();
    const closing = new TetherClient(engine.connect, { prompts: store });
    void closing.sendMessage("s1", "written on the train");
    expect(kept.map((prompt) => prompt.text)).toEqual(["written on the train"]);

    const restarted = new TetherClient(engine.connect, { prompts: store });
    restarted.start();
    expect(restarted.waiting).toEqual(kept);
    expect(restarted.unreachableSince).toBe(1_000);
    await settle();
    expect(restarted.status).toBe("connected");
    expect(restarted.unreachableSince).toBeNull();
    expect(kept).toEqual([]);
    const sends = engine.requests("messages.send");
    expect(sends.map((frame) => (frame.params as { text: string }).text)).toEqual(["written on the train"]);
    restarted.stop();
    expect(reachedAt).toBeGreaterThanOrEqual(before);
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

  it("refuses a prompt too large for the engine instead of sending it on every reconnect", async () => {
    engine.maxPrompt = 10;
    const big = client.sendMessage("s1", "far too long for it");
    await expect(big).rejects.toMatchObject({ code: "invalid_params" });
    expect(client.queued).toBe(0);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(client.status).toBe("connected");
    await expect(client.sendMessage("s1", "short")).resolves.toEqual({ message_id: "m1" });
    expect(engine.requests("messages.send")).toHaveLength(2);
  });

  it("says why a connection failed, until connected again", async () => {
    engine.drop(1011);
    expect(client.problem).toBeNull();
    client.stop();
    const failing = new TetherClient((events) => {
      queueMicrotask(() => events.closed({ code: 1011, reason: "Tether's engine is not running: keyring locked" }));
      return { send: () => undefined, close: () => undefined };
    });
    failing.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(failing.status).toBe("reconnecting");
    expect(failing.problem).toBe("Tether's engine is not running: keyring locked");
    failing.stop();
  });

  it("fails requests clearly when offline", async () => {
    engine.drop();
    await expect(client.request("sessions.list")).rejects.toMatchObject({ code: "unavailable" });
    await vi.advanceTimersByTimeAsync(15_000);
    await expect(client.request("sessions.list")).resolves.toEqual({ ok: true });
  });
});
