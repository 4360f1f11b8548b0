// @vitest-environment jsdom
// Prompts written while Claude works: queued in order, edited, removed, sent one turn at a time.
import { act, renderHook } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { SessionStatus } from "../gen/protocol";
import { useQueuedPrompts } from "./useQueuedPrompts";

afterEach(() => localStorage.clear());

describe("useQueuedPrompts", () => {
  it("sends at once when ready, queues while Claude works, and sends in order once ready", async () => {
    const send = vi.fn(() => Promise.resolve({ message_id: "m" }));
    const { result, rerender } = renderHook(({ status }: { status: SessionStatus }) => useQueuedPrompts("s1", status, send), { initialProps: { status: "idle" } });
    await act(() => result.current.submit("now", []));
    expect(send).toHaveBeenCalledWith("now", []);

    rerender({ status: "running" });
    await act(() => result.current.submit("first", []));
    await act(() => result.current.submit("second", []));
    expect(send).toHaveBeenCalledTimes(1);
    expect(result.current.queued.map((item) => item.text)).toEqual(["first", "second"]);
    expect(JSON.parse(localStorage.getItem("tether.queued.s1") ?? "[]")).toHaveLength(2);

    const [first] = result.current.queued;
    act(() => result.current.edit(first!.id, "first, edited"));
    rerender({ status: "idle" });
    await act(async () => {});
    expect(send).toHaveBeenLastCalledWith("first, edited", []);
    expect(result.current.queued.map((item) => item.text)).toEqual(["second"]);
    // The second waits for the turn the first started, even while the page still says idle.
    await act(async () => {});
    expect(send).toHaveBeenCalledTimes(2);
    rerender({ status: "running" });
    rerender({ status: "idle" });
    await act(async () => {});
    expect(send).toHaveBeenLastCalledWith("second", []);
    expect(result.current.queued).toEqual([]);

    await act(() => result.current.submit("now again", []));
    expect(send).toHaveBeenCalledTimes(4);
    const removed = vi.fn(() => Promise.resolve({ message_id: "m" }));
    const other = renderHook(({ status }: { status: SessionStatus }) => useQueuedPrompts("s3", status, removed), { initialProps: { status: "running" } });
    await act(() => other.result.current.submit("gone", []));
    act(() => other.result.current.remove(other.result.current.queued[0]!.id));
    other.rerender({ status: "idle" });
    await act(async () => {});
    expect(removed).not.toHaveBeenCalled();
  });

  it("sends the next prompt after a turn that ran and ended before the engine answered the last", async () => {
    let answer: (value: unknown) => void = () => {};
    const send = vi.fn(() => new Promise((resolve) => (answer = resolve)));
    const { result, rerender } = renderHook(({ status }: { status: SessionStatus }) => useQueuedPrompts("s4", status, send), { initialProps: { status: "running" } });
    await act(() => result.current.submit("one", []));
    await act(() => result.current.submit("two", []));
    rerender({ status: "idle" });
    expect(send).toHaveBeenCalledTimes(1);
    // The turn "one" started runs and ends while its answer is still on its way.
    rerender({ status: "running" });
    rerender({ status: "idle" });
    await act(async () => answer({ message_id: "m1" }));
    await act(async () => {});
    expect(send).toHaveBeenLastCalledWith("two", []);
  });

  it("keeps a queued prompt the engine refuses, saying why", async () => {
    const send = vi.fn(() => Promise.reject({ message: "the session has ended" }));
    const { result, rerender } = renderHook(({ status }: { status: SessionStatus }) => useQueuedPrompts("s2", status, send), { initialProps: { status: "running" } });
    await act(() => result.current.submit("later", []));
    rerender({ status: "idle" });
    await act(async () => {});
    expect(result.current.queued.map((item) => item.text)).toEqual(["later"]);
    expect(result.current.problem).toBe("The queued message was not sent: the session has ended");
    rerender({ status: "idle" });
    await act(async () => {});
    expect(send).toHaveBeenCalledTimes(1);
  });
});
