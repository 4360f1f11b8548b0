// @vitest-environment jsdom
// Loads and changes in place, in the orders a busy link answers them: a load answered after a
// change shows with the change made again on top (so a project added meanwhile shows, and so
// does the session's event), and an answer older than a load already shown is dropped.
import { act, cleanup, renderHook } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";

import type { TetherClient } from "../protocol/client";
import { useFetched } from "./useFetched";

type Listed = { projects: string[]; sessions: string[] };

const EMPTY: Listed = { projects: [], sessions: [] };
/** The hook never calls the client itself: `fetch` does. */
const client = {} as TetherClient;

/** A fetch whose answers the test gives, one per call, in the order it chooses. */
function scriptedFetch() {
  const answers: ((listed: Listed) => void)[] = [];
  const fetch = vi.fn(() => new Promise<Listed>((resolve) => answers.push(resolve)));
  const answer = (call: number, listed: Listed) =>
    act(async () => {
      const give = answers[call];
      if (!give) throw new Error(`fetch was not called ${call + 1} times`);
      give(listed);
    });
  return { fetch, answer };
}

/** A session's event, as the list changes for it in place. */
const started = (session: string) => (listed: Listed) => ({ ...listed, sessions: [...listed.sessions, session] });

afterEach(cleanup);

it("shows a load answered after a change in place with the change made again on top", async () => {
  const { fetch, answer } = scriptedFetch();
  const { result } = renderHook(() => useFetched(client, "connected", EMPTY, fetch));
  expect(fetch).toHaveBeenCalledTimes(1);

  // A session's event arrives while the first load (which holds the new project) is out.
  act(() => result.current.patch(started("s1")));
  expect(result.current.data).toEqual({ projects: [], sessions: ["s1"] });
  await answer(0, { projects: ["p1"], sessions: [] });
  expect(result.current.data).toEqual({ projects: ["p1"], sessions: ["s1"] });

  // With no load out, a change is made once and not kept for later.
  act(() => result.current.patch(started("s2")));
  await act(async () => void result.current.reload());
  await answer(1, { projects: ["p1"], sessions: ["s1", "s2"] });
  expect(result.current.data).toEqual({ projects: ["p1"], sessions: ["s1", "s2"] });
  expect(fetch).toHaveBeenCalledTimes(2);
});

it("drops an answer older than a load already shown", async () => {
  const { fetch, answer } = scriptedFetch();
  const { result } = renderHook(() => useFetched(client, "connected", EMPTY, fetch));
  act(() => result.current.patch(started("s1")));
  await act(async () => void result.current.reload());

  // The newer load answers first, with the change in it; the older one's answer is stale.
  await answer(1, { projects: ["p1"], sessions: ["s1"] });
  await answer(0, { projects: [], sessions: [] });
  expect(result.current.data).toEqual({ projects: ["p1"], sessions: ["s1"] });
  expect(fetch).toHaveBeenCalledTimes(2);
});

it("keeps a change for an older load still out when a newer load fails", async () => {
  const answers: { resolve: (listed: Listed) => void; reject: (error: unknown) => void }[] = [];
  const fetch = vi.fn(() => new Promise<Listed>((resolve, reject) => answers.push({ resolve, reject })));
  const { result } = renderHook(() => useFetched(client, "connected", EMPTY, fetch));
  act(() => result.current.patch(started("s1")));
  await act(async () => void result.current.reload());

  await act(async () => answers[1]?.reject({ message: "the engine is busy" }));
  // The first load was computed before the session started: shown, the change is made again.
  await act(async () => answers[0]?.resolve({ projects: ["p1"], sessions: [] }));
  expect(result.current.data).toEqual({ projects: ["p1"], sessions: ["s1"] });
});
