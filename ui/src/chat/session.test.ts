// A session view kept by events ends where a fresh snapshot would, across drops and resets.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { Message, SessionInfo } from "../gen/protocol";
import { TetherClient } from "../protocol/client";
import { sessionEvent } from "../protocol/events";
import { ScriptedEngine } from "../testing/scripted-engine";
import { SessionFeed } from "./feed";
import { type SessionView, apply, isStreaming } from "./session";

const info = (status: SessionInfo["status"]): SessionInfo =>
  ({ id: "s1", project_id: "p1", status, model: null, permission_mode: "default", claude_session_id: null, created_at: 0, total_cost_usd: 0, usage: { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 }, last_error: null }) as unknown as SessionInfo;

/** The engine's own idea of the session: every event it published, applied in order. */
function truth(engine: ScriptedEngine): SessionView {
  let view: SessionView = { session: info("idle"), messages: [], approvals: [], todos: [] };
  engine.log.forEach((entry, index) => {
    view = apply(view, sessionEvent({ type: "event", channel: "session:s1", offset: index + 1, event: entry.event, data: entry.data }));
  });
  return view;
}

/** One assistant turn: a message, a text part streamed word by word, then settled. */
function turn(engine: ScriptedEngine, id: string, words: string[], between?: () => void): void {
  const message: Message = { id, role: "assistant", parts: [] };
  engine.emit("session.updated", { session: info("running") });
  engine.emit("message.created", { message });
  engine.emit("part.created", { message_id: id, part: { kind: "text", id: `${id}.0`, text: "" } });
  words.forEach((word, index) => {
    engine.emit("part.delta", { message_id: id, part_id: `${id}.0`, text: word });
    if (index === 1) between?.();
  });
  engine.emit("part.updated", { message_id: id, part: { kind: "text", id: `${id}.0`, text: words.join("") } });
  engine.emit("session.updated", { session: info("idle") });
}

describe("SessionFeed", () => {
  let engine: ScriptedEngine;
  let client: TetherClient;
  let feed: SessionFeed;

  beforeEach(async () => {
    vi.useFakeTimers();
    engine = new ScriptedEngine();
    engine.snapshot = () => ({ ...truth(engine), agents: [], position: engine.position() });
    turn(engine, "a1", ["Before ", "we ", "met."]);
    client = new TetherClient(engine.connect, { random: () => 0.5 });
    client.start();
    feed = new SessionFeed(client, "s1");
    feed.start();
    await vi.advanceTimersByTimeAsync(0);
  });

  afterEach(() => {
    feed.close();
    client.stop();
    vi.useRealTimers();
  });

  it("starts from the snapshot and follows the stream", () => {
    expect(feed.current?.messages[0]?.parts[0]).toMatchObject({ text: "Before we met." });
    const seen: boolean[] = [];
    feed.onChange(() => seen.push(isStreaming(feed.current!)));
    turn(engine, "a2", ["Streaming ", "live ", "now."]);
    expect(feed.current).toEqual(truth(engine));
    expect(seen[0]).toBe(true);
    expect(seen.at(-1)).toBe(false);
  });

  it("ends exactly where a never-disconnected client would after a drop mid-answer", async () => {
    turn(engine, "a2", ["One ", "two ", "three ", "four."], () => {
      engine.drop();
      engine.overlap = 3;
    });
    expect(feed.current).not.toEqual(truth(engine));
    await vi.advanceTimersByTimeAsync(15_000);
    expect(feed.current).toEqual(truth(engine));
    const text = feed.current?.messages[1]?.parts[0];
    expect(text).toMatchObject({ text: "One two three four." });
  });

  it("reloads when the engine lost what was missed", async () => {
    engine.drop();
    engine.epoch = "e2";
    turn(engine, "a2", ["After ", "a ", "crash."]);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(feed.current).toEqual(truth(engine));
    turn(engine, "a3", ["And ", "on."]);
    expect(feed.current).toEqual(truth(engine));
  });
});
