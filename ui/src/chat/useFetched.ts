// Data fetched through RPC while connected: loaded on every (re)connect, reloadable after a
// change (the newest load wins), with the last problem in words. A load answered after an
// event's change in place shows with that change made again on top, so neither is lost.
import { useCallback, useEffect, useRef, useState } from "react";

import type { Status, TetherClient } from "../protocol/client";

export type Fetched<T> = {
  data: T;
  problem: string | null;
  reload(): Promise<void>;
  /** Runs an action, then reloads; its failure becomes the problem shown. */
  act(action: () => Promise<unknown>): Promise<void>;
  /** Changes what is shown in place (from an event that carries the new state); a load asked
   * before it, answered after, shows with it made again on top. */
  patch(change: (data: T) => T): void;
};

/** A change made in place, numbered with the loads in the order they were asked. */
type Change<T> = { number: number; change: (data: T) => T };

export function useFetched<T>(client: TetherClient, status: Status, empty: T, fetch: (client: TetherClient) => Promise<T>): Fetched<T> {
  const [data, setData] = useState<T>(empty);
  const [problem, setProblem] = useState<string | null>(null);
  // Loads may be answered out of order (the desktop's link runs them side by side): an answer
  // older than a load already shown is dropped. The changes made while a load is out are kept
  // (only then: at most those of one load's time) to be made again on its answer.
  const asked = useRef(0);
  const loaded = useRef(0);
  const out = useRef(0);
  const changes = useRef<Change<T>[]>([]);
  // `fetch` is expected to be stable (a module-level function).
  const reload = useCallback(async () => {
    const mine = ++asked.current;
    out.current += 1;
    try {
      const fetched = await fetch(client);
      if (mine < loaded.current) return;
      loaded.current = mine;
      const since = changes.current.filter((made) => made.number > mine);
      setData(since.reduce<T>((shown, made) => made.change(shown), fetched));
      setProblem(null);
    } catch (error) {
      if (mine >= loaded.current) setProblem((error as { message: string }).message);
    } finally {
      out.current -= 1;
      // What is shown now holds every change up to the newest load shown (a failed load shows
      // nothing, so its own number says nothing of what the loads still out need).
      changes.current = out.current === 0 ? [] : changes.current.filter((made) => made.number > loaded.current);
    }
  }, [client, fetch]);

  useEffect(() => {
    if (status === "connected") void reload();
  }, [status, reload]);

  const patch = useCallback((change: (data: T) => T) => {
    const number = ++asked.current;
    if (out.current > 0) changes.current.push({ number, change });
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
