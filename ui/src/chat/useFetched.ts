// Data fetched through RPC while connected: loaded on every (re)connect, reloadable after a
// change (the newest load wins), with the last problem in words. A load overtaken by an
// event's change in place is asked again, so what only the load carried is never lost.
import { useCallback, useEffect, useRef, useState } from "react";

import type { Status, TetherClient } from "../protocol/client";

export type Fetched<T> = {
  data: T;
  problem: string | null;
  reload(): Promise<void>;
  /** Runs an action, then reloads; its failure becomes the problem shown. */
  act(action: () => Promise<unknown>): Promise<void>;
  /** Changes what is shown in place (from an event that carries the new state); a load asked
   * before it, answered after, is dropped and asked again. */
  patch(change: (data: T) => T): void;
};

export function useFetched<T>(client: TetherClient, status: Status, empty: T, fetch: (client: TetherClient) => Promise<T>): Fetched<T> {
  const [data, setData] = useState<T>(empty);
  const [problem, setProblem] = useState<string | null>(null);
  // Loads may be answered out of order (the desktop's link runs them side by side): an answer
  // older than one shown is dropped.
  const asked = useRef(0);
  const shown = useRef(0);
  // `fetch` is expected to be stable (a module-level function).
  const reload = useCallback(async () => {
    const mine = ++asked.current;
    try {
      const fetched = await fetch(client);
      if (mine < shown.current) {
        // A change in place came after this load was asked: its answer may be older than
        // what is shown, and is dropped. Unless a newer load is on its way, ask again.
        if (asked.current === shown.current) void reload();
        return;
      }
      shown.current = mine;
      setData(fetched);
      setProblem(null);
    } catch (error) {
      if (mine >= shown.current) setProblem((error as { message: string }).message);
    }
  }, [client, fetch]);

  useEffect(() => {
    if (status === "connected") void reload();
  }, [status, reload]);

  const patch = useCallback((change: (data: T) => T) => {
    shown.current = ++asked.current;
    setData(change);
  }, []);

  const act = useCallback(
    async (action: () => Promise<unknown>) => {
      try {
        await action();
        await reload();
      } catch (error) {
        setProblem((error as { message: string }).message);
      }
    },
    [reload],
  );
  return { data, problem, reload, act, patch };
}
