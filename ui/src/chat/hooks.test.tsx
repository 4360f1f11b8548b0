// @vitest-environment jsdom
// The hooks and screens over a scripted engine, in a DOM: a chat that streams, loses its
// socket and resumes without a duplicate, reloads when events were lost, queues a prompt typed
// offline, shows an approval and answers it; and pairing a new device from the devices screen.
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { SessionSnapshot } from "../gen/protocol";
import { TetherClient } from "../protocol/client";
import { ChatScreen } from "../screens/ChatScreen";
import { DevicesScreen } from "../screens/DevicesScreen";
import { SettingsScreen } from "../screens/SettingsScreen";
import { stubBrowser } from "../testing/dom";
import { ScriptedEngine } from "../testing/scripted-engine";
import { useChat } from "./hooks";

/** Long enough for any reconnect delay. */
const RECONNECT = 15_000;

let engine: ScriptedEngine;
let client: TetherClient;

/** A running session whose answer `a1` has one text part `p1`, holding `text`. */
function snapshot(text: string, status = "running"): SessionSnapshot {
  return {
    session: {
      id: "s1",
      project_id: "p1",
      status: status as SessionSnapshot["session"]["status"],
      model: "sonnet",
      permission_mode: "default",
      claude_session_id: null,
      created_at: 0,
      last_active_at: 0,
      total_cost_usd: 0,
      usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      last_error: null,
      origin: null,
      title: null,
      machine: null,
    },
    messages: [{ id: "a1", role: "assistant", parts: [{ kind: "text", id: "p1", text }] }],
    approvals: [],
    todos: [],
    agents: [],
    position: engine.position(),
  };
}

/** Publishes an event and lets React render it. */
function emit(event: string, data: unknown, channel?: string): void {
  act(() => engine.emit(event, data, channel));
}

const delta = (text: string) => emit("part.delta", { message_id: "a1", part_id: "p1", text });

async function settle(ms = 0): Promise<void> {
  await act(() => vi.advanceTimersByTimeAsync(ms));
}

beforeEach(async () => {
  vi.useFakeTimers();
  stubBrowser();
  engine = new ScriptedEngine();
  client = new TetherClient(engine.connect, { random: () => 0.5 });
  client.start();
  await vi.advanceTimersByTimeAsync(0);
});

afterEach(() => {
  cleanup();
  client.stop();
  vi.useRealTimers();
});

function Answer() {
  const chat = useChat(client, "s1");
  const part = chat.view?.messages[0]?.parts[0];
  return (
    <p data-testid="answer" data-streaming={chat.isStreaming}>
      {part?.kind === "text" ? part.text : ""}
    </p>
  );
}

describe("useChat", () => {
  it("streams, survives a drop mid-answer with an overlapping replay, and ends as if it never left", async () => {
    engine.snapshot = () => snapshot("The ");
    render(<Answer />);
    await settle();
    const answer = screen.getByTestId("answer");
    expect(answer.textContent).toBe("The ");
    ["answer ", "streams "].forEach(delta);
    expect(answer.textContent).toBe("The answer streams ");

    act(() => engine.drop());
    ["in ", "while "].forEach(delta);
    engine.overlap = 3;
    await settle(RECONNECT);
    ["offline."].forEach(delta);
    emit("session.updated", { session: { ...snapshot("").session, status: "idle" } });

    expect(answer.textContent).toBe("The answer streams in while offline.");
    expect(answer.dataset.streaming).toBe("false");
    expect(engine.requests("sessions.get")).toHaveLength(1);
  });

  it("reloads through RPC when the engine cannot replay what was missed", async () => {
    engine.snapshot = () => snapshot("old");
    render(<Answer />);
    await settle();
    act(() => engine.drop());
    engine.epoch = "e2";
    engine.snapshot = () => snapshot("new and whole");
    await settle(RECONNECT);
    expect(screen.getByTestId("answer").textContent).toBe("new and whole");
    expect(engine.requests("sessions.get")).toHaveLength(2);
    delta("!");
    expect(screen.getByTestId("answer").textContent).toBe("new and whole!");
  });
});

/** The reader scrolls the conversation to its top. */
function scrollToTop(): void {
  const conversation = screen.getByRole("region", { name: "Conversation" });
  conversation.scrollTop = 0;
  fireEvent.scroll(conversation);
}

describe("ChatScreen", () => {
  it("opens a long session on its last page and reads the one before when scrolled to the top", async () => {
    engine.snapshot = () => ({ ...snapshot("the latest", "idle"), before: 3 });
    engine.answers.set("sessions.read", () => ({
      messages: [{ id: "u1", role: "user", parts: [{ kind: "text", id: "u1:0", text: "an earlier prompt" }] }],
      before: null,
    }));
    render(<ChatScreen client={client} sessionId="s1" back={() => undefined} showBack={false} globalShortcuts={[]} open={() => undefined} />);
    await settle();
    expect(engine.requests("sessions.get")[0]!.params).toEqual({ session_id: "s1", parts: 400 });
    expect(engine.requests("sessions.read")).toHaveLength(0);
    scrollToTop();
    await settle();
    expect(engine.requests("sessions.read")[0]!.params).toEqual({ session_id: "s1", before: 3, parts: 400 });
    const texts = [...document.querySelectorAll(".message")].map((message) => message.textContent);
    expect(texts[0]).toBe("an earlier prompt");
    expect(texts.some((text) => text?.includes("the latest"))).toBe(true);
    scrollToTop();
    await settle();
    expect(engine.requests("sessions.read")).toHaveLength(1);
  });

  it("follows the latest while the content's height moves the view, until the reader scrolls up", async () => {
    engine.snapshot = () => snapshot("the latest", "idle");
    render(<ChatScreen client={client} sessionId="s1" back={() => undefined} showBack={false} globalShortcuts={[]} open={() => undefined} />);
    await settle();
    const conversation = screen.getByRole("region", { name: "Conversation" });
    const moveTo = (top: number, height: number) => {
      Object.defineProperty(conversation, "scrollHeight", { configurable: true, get: () => height });
      conversation.scrollTop = top;
      fireEvent.scroll(conversation);
    };
    const following = () => screen.queryByRole("button", { name: "Jump to latest" }) === null;
    moveTo(4_200, 5_000);
    // Rows measured above: the content's height changed and the view moved up with it.
    moveTo(3_000, 6_000);
    await settle();
    expect(following()).toBe(true);
    // The reader scrolls up with the wheel in the same frame as a line of the answer arrives.
    fireEvent.wheel(conversation, { deltaY: -200 });
    moveTo(2_000, 6_040);
    await settle();
    expect(following()).toBe(false);
  });

  it("sends a prompt typed offline once, when back", async () => {
    engine.snapshot = () => snapshot("", "idle");
    render(<ChatScreen client={client} sessionId="s1" back={() => undefined} showBack globalShortcuts={[]} open={() => undefined} />);
    await settle();
    act(() => engine.drop());
    const box = screen.getByLabelText("Message");
    fireEvent.change(box, { target: { value: "typed on the train" } });
    fireEvent.keyDown(box, { key: "Enter" });
    expect(engine.requests("messages.send")).toHaveLength(0);
    expect(client.queued).toBe(1);
    await settle(RECONNECT);
    const sends = engine.requests("messages.send");
    expect(sends).toHaveLength(1);
    expect(sends[0]!.params).toMatchObject({ session_id: "s1", text: "typed on the train" });
    expect(client.queued).toBe(0);
  });

  it("renames the session from its header: Enter saves, a blank name takes it away", async () => {
    engine.snapshot = () => snapshot("", "idle");
    engine.answers.set("sessions.rename", () => ({ session: { ...snapshot("", "idle").session, title: "Garden" } }));
    render(<ChatScreen client={client} sessionId="s1" back={() => undefined} showBack globalShortcuts={[]} open={() => undefined} />);
    await settle();
    expect(screen.getByText("Untitled session")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Rename" }));
    const name = screen.getByLabelText("Session name");
    fireEvent.change(name, { target: { value: "  Garden " } });
    fireEvent.keyDown(name, { key: "Enter" });
    await settle();
    expect(engine.requests("sessions.rename")[0]!.params).toEqual({ session_id: "s1", title: "Garden" });
    expect(screen.queryByLabelText("Session name")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Rename" }));
    fireEvent.change(screen.getByLabelText("Session name"), { target: { value: "   " } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await settle();
    expect(engine.requests("sessions.rename")[1]!.params).toEqual({ session_id: "s1", title: null });
  });

  it("gives back a prompt the engine refuses, with the reason", async () => {
    engine.snapshot = () => snapshot("", "idle");
    engine.maxPrompt = 5;
    render(<ChatScreen client={client} sessionId="s1" back={() => undefined} showBack globalShortcuts={[]} open={() => undefined} />);
    await settle();
    const box = screen.getByLabelText("Message") as HTMLTextAreaElement;
    fireEvent.change(box, { target: { value: "far too long" } });
    fireEvent.keyDown(box, { key: "Enter" });
    await settle(RECONNECT);
    expect(box.value).toBe("far too long");
    expect(screen.getByRole("alert").textContent).toContain("Not sent: the message is larger than the engine accepts");
    expect(engine.requests("messages.send")).toHaveLength(1);
  });

  it("never sends on the Enter that confirms an input method's conversion", async () => {
    engine.snapshot = () => snapshot("", "idle");
    render(<ChatScreen client={client} sessionId="s1" back={() => undefined} showBack globalShortcuts={[]} open={() => undefined} />);
    await settle();
    const box = screen.getByLabelText("Message");
    fireEvent.change(box, { target: { value: "にほんご" } });
    fireEvent.keyDown(box, { key: "Enter", keyCode: 229 });
    fireEvent.keyDown(box, { key: "Enter", isComposing: true });
    await settle();
    expect(engine.requests("messages.send")).toHaveLength(0);
  });

  it("offers to interrupt a stalled turn", async () => {
    engine.snapshot = () => snapshot("", "stalled");
    render(<ChatScreen client={client} sessionId="s1" back={() => undefined} showBack globalShortcuts={[]} open={() => undefined} />);
    await settle();
    fireEvent.click(screen.getByRole("button", { name: "Interrupt" }));
    await settle();
    expect(engine.requests("messages.cancel")).toHaveLength(1);
  });

  it("shows an approval with its diff, answers it, and interrupts with Esc", async () => {
    engine.snapshot = () => snapshot("");
    render(<ChatScreen client={client} sessionId="s1" back={() => undefined} showBack globalShortcuts={[]} open={() => undefined} />);
    await settle();
    emit("tool.approval_required", {
      approval: {
        request_id: "r1",
        tool_use_id: "t1",
        tool_name: "Edit",
        input: { file_path: "/p/a.ts", old_string: "let a = 1;", new_string: "let a = 2;" },
        description: null,
        suggestions: [{ type: "addRules" }],
      },
    });
    const card = screen.getByRole("alertdialog", { name: "Allow Edit?" });
    expect(card.querySelector(".diff-removed.diff-line")?.textContent).toBe("- let a = 1;");
    expect(card.querySelector(".diff-added.diff-line")?.textContent).toBe("+ let a = 2;");
    engine.answers.set("tools.approve", () => ({ refused_rules: [{ rule: {}, why: "Edit(~/.bashrc) reaches outside the project" }] }));
    fireEvent.click(screen.getByRole("button", { name: "Always allow" }));
    await settle();
    expect(engine.requests("tools.approve")[0]!.params).toEqual({ session_id: "s1", request_id: "r1", always: true });
    expect(screen.getByRole("alert").textContent).toContain("“Always allow” left out what this device may not allow: Edit(~/.bashrc) reaches outside the project.");
    emit("tool.approval_resolved", { request_id: "r1", decision: "allow_always", by: "phone" });
    expect(screen.queryByRole("alertdialog")).toBeNull();

    fireEvent.keyDown(window, { key: "Escape" });
    await settle();
    expect(engine.requests("messages.cancel")).toHaveLength(1);
  });
});

describe("DevicesScreen", () => {
  beforeEach(() => {
    engine.answers.set("devices.list", () => []);
    engine.answers.set("pairing.waiting", () => []);
  });

  it("pairs a new device: the code and QR, then the device's request approved by name", async () => {
    engine.answers.set("pairing.start", () => ({ code: "7KQF-3M9D", expires_at: Date.now() / 1000 + 120, link: "http://x/#pair=7KQF-3M9D", fingerprint: null, qr_svg: "<svg/>" }));
    render(<DevicesScreen client={client} status="connected" />);
    await settle();
    fireEvent.click(screen.getByRole("button", { name: "Pair a new device" }));
    await settle();
    expect(screen.getByText("7KQF-3M9D")).toBeTruthy();
    expect(screen.getByRole("img").getAttribute("src")).toMatch(/^data:image\/svg\+xml/);
    expect(screen.getByText(/for 2:00 more/)).toBeTruthy();
    await settle(1000);
    expect(screen.getByText(/for 1:59 more/)).toBeTruthy();

    emit("pairing.requested", { id: "q1", name: "Pixel 9", address: "192.168.1.31" }, "user:owner");
    const ask = screen.getByRole("alertdialog", { name: "Pair Pixel 9?" });
    expect(ask.textContent).toContain("“Pixel 9” asks to pair from 192.168.1.31");
    expect(ask.querySelector(".address")?.textContent).toBe("192.168.1.31");
    fireEvent.click(screen.getByRole("button", { name: "Approve" }));
    await settle();
    expect(engine.requests("pairing.approve")[0]!.params).toEqual({ request_id: "q1" });
    emit("pairing.resolved", { id: "q1", outcome: "approved", device: { name: "Pixel 9" } }, "user:owner");
    expect(screen.getByText("Paired “Pixel 9”.")).toBeTruthy();
    expect(screen.queryByText("7KQF-3M9D")).toBeNull();
  });

  it("shows LAN access with its certificate, which the desktop can replace; the settings choose its notifications", async () => {
    const lan = { enabled: true, url: "https://192.168.1.20:7411/", fingerprint: "SHA256:AB:CD", expires_at: Date.UTC(2027, 11, 1) / 1000 };
    engine.answers.set("lan.status", () => lan);
    engine.answers.set("push.desktop", () => ({ kinds: ["approval"] }));
    engine.answers.set("lan.rotate_certificate", () => ({ ...lan, fingerprint: "SHA256:EF:01" }));
    render(<DevicesScreen client={client} status="connected" local />);
    await settle();
    expect(screen.getByLabelText("LAN access").textContent).toContain("SHA256:AB:CD");
    fireEvent.click(screen.getByRole("button", { name: "Replace certificate" }));
    await settle();
    expect(engine.requests("lan.rotate_certificate")).toHaveLength(1);
    cleanup();
    render(<SettingsScreen client={client} status="connected" local />);
    await settle();
    fireEvent.click(screen.getByLabelText("An answer is finished"));
    await settle();
    expect(engine.requests("push.desktop_set")[0]!.params).toEqual({ kinds: ["approval", "finished"] });
  });

  it("says which address tried wrong codes, and which burned the code", async () => {
    engine.answers.set("pairing.start", () => ({ code: "7KQF-3M9D", expires_at: Date.now() / 1000 + 120, link: "http://x/#pair=7KQF-3M9D", fingerprint: null, qr_svg: "<svg/>" }));
    render(<DevicesScreen client={client} status="connected" />);
    await settle();
    fireEvent.click(screen.getByRole("button", { name: "Pair a new device" }));
    await settle();
    emit("pairing.wrong_code", { address: "192.168.1.66", tries: 1, tries_left: 4 }, "user:owner");
    expect(screen.getByText("A wrong code was tried from 192.168.1.66 (4 more tries allowed from there).")).toBeTruthy();
    emit("pairing.burned", { address: "192.168.1.67" }, "user:owner");
    expect(screen.getByText(/the last from 192\.168\.1\.67\): that code no longer works/)).toBeTruthy();
    expect(screen.queryByText("7KQF-3M9D")).toBeNull();
  });

  it("says where to pair from when this device may not", async () => {
    engine.answers.set("pairing.start", () => {
      throw { code: "forbidden", message: "pairing.start is only allowed from the desktop app" };
    });
    render(<DevicesScreen client={client} status="connected" />);
    await settle();
    fireEvent.click(screen.getByRole("button", { name: "Pair a new device" }));
    await settle();
    expect(screen.getByRole("alert").textContent).toContain("paired from the computer running Tether");
    emit("pairing.requested", { id: "q1", name: "Pixel 9", address: null }, "user:owner");
    expect(screen.queryByRole("alertdialog")).toBeNull();
  });
});

describe("ChatScreen for a terminal session", () => {
  const transcript = {
    id: "s1",
    folder: "/home/u/webapp",
    title: "fix the build",
    first_at: 0,
    last_at: 0,
    messages: 2,
    git_branch: null,
    model: null,
    total_cost_usd: 0,
    bytes: 10,
    skipped_lines: 0,
    problem: null,
    live: false,
    tether_session_id: null,
  };
  const opened = (status: string) => ({ transcript, snapshot: snapshot("latest", status), before: 42 });

  it("loads earlier pages in front when scrolled to the top, and continues in Tether with the next message", async () => {
    engine.answers.set("terminal.open", () => opened("idle"));
    engine.answers.set("terminal.read", () => ({
      messages: [{ id: "u0", role: "user", parts: [{ kind: "text", id: "u0:0", text: "earlier prompt" }] }],
      before: null,
    }));
    engine.answers.set("terminal.continue", () => ({ ...snapshot("").session, id: "t9" }));
    const open = vi.fn();
    render(<ChatScreen client={client} sessionId="s1" terminal back={() => undefined} showBack globalShortcuts={[]} open={open} />);
    await settle();
    expect(screen.getByText(/Your next message continues it here/)).toBeTruthy();
    scrollToTop();
    await settle();
    const texts = [...document.querySelectorAll(".message")].map((message) => message.querySelector(".text, .markdown")?.textContent);
    expect(texts).toEqual(["earlier prompt", "latest"]);
    expect(engine.requests("terminal.read")[0]!.params).toEqual({ id: "s1", before: 42, turns: 100 });
    scrollToTop();
    await settle();
    expect(engine.requests("terminal.read")).toHaveLength(1);

    const box = screen.getByLabelText("Message");
    fireEvent.change(box, { target: { value: "carry on" } });
    fireEvent.keyDown(box, { key: "Enter" });
    await settle();
    expect(engine.requests("terminal.continue")[0]!.params).toEqual({ id: "s1" });
    expect(engine.requests("messages.send")[0]!.params).toMatchObject({ session_id: "t9", text: "carry on" });
    expect(open).toHaveBeenCalledWith({ kind: "session", id: "t9" });
  });

  it("is read-only while a terminal writes it, and forks on request", async () => {
    engine.answers.set("terminal.open", () => opened("running"));
    engine.answers.set("terminal.continue", () => ({ ...snapshot("").session, id: "f1" }));
    const open = vi.fn();
    render(<ChatScreen client={client} sessionId="s1" terminal back={() => undefined} showBack globalShortcuts={[]} open={open} />);
    await settle();
    expect(screen.getByText(/Running in a terminal in \/home\/u\/webapp/)).toBeTruthy();
    expect((screen.getByLabelText("Message") as HTMLTextAreaElement).disabled).toBe(true);
    expect(screen.queryByRole("button", { name: "Interrupt" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Fork into a new session" }));
    await settle();
    expect(engine.requests("terminal.continue")[0]!.params).toEqual({ id: "s1", fork: true });
    expect(open).toHaveBeenCalledWith({ kind: "session", id: "f1" });
  });
});
