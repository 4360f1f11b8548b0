// @vitest-environment jsdom
// Loads and changes in place, in the order a busy link answers them: a load overtaken by a
// change is asked again, so what only the load carried (a project just added) is shown.
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
  return { fetch, answer: (call: number, listed: Listed) => act(async () => answers[call]?.(listed)) };
}

afterEach(cleanup);

it("asks again for a load that a change in place overtook, and shows its answer", async () => {
  const { fetch, answer } = scriptedFetch();
  const { result } = renderHook(() => useFetched(client, "connected", EMPTY, fetch));
  expect(fetch).toHaveBeenCalledTimes(1);

  // A session's event arrives while the first load (which holds the new project) is out.
  act(() => result.current.patch((listed) => ({ ...listed, sessions: ["s1"] })));
  await answer(0, { projects: ["p1"], sessions: [] });
  // That answer is older than the change: not shown, but asked again.
  expect(result.current.data).toEqual({ projects: [], sessions: ["s1"] });
  expect(fetch).toHaveBeenCalledTimes(2);

  await answer(1, { projects: ["p1"], sessions: ["s1"] });
  expect(result.current.data).toEqual({ projects: ["p1"], sessions: ["s1"] });
  expect(fetch).toHaveBeenCalledTimes(2);
});

it("does not ask again when a newer load is already out", async () => {
  const { fetch, answer } = scriptedFetch();
  const { result } = renderHook(() => useFetched(client, "connected", EMPTY, fetch));
  act(() => result.current.patch((listed) => ({ ...listed, sessions: ["s1"] })));
  await act(async () => void result.current.reload());
  expect(fetch).toHaveBeenCalledTimes(2);

  await answer(0, { projects: [], sessions: [] });
  expect(fetch).toHaveBeenCalledTimes(2);
  await answer(1, { projects: ["p1"], sessions: ["s1"] });
  expect(result.current.data).toEqual({ projects: ["p1"], sessions: ["s1"] });
});
