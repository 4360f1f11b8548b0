// Data fetched through RPC while connected: loaded on every (re)connect, reloadable after a
// change, with the last problem in words.
import { useCallback, useEffect, useState } from "react";

import type { Status, TetherClient } from "../protocol/client";

export type Fetched<T> = {
  data: T;
  problem: string | null;
  reload(): Promise<void>;
  /** Runs an action, then reloads; its failure becomes the problem shown. */
  act(action: () => Promise<unknown>): Promise<void>;
};

export function useFetched<T>(client: TetherClient, status: Status, empty: T, fetch: (client: TetherClient) => Promise<T>): Fetched<T> {
  const [data, setData] = useState<T>(empty);
  const [problem, setProblem] = useState<string | null>(null);
  // `fetch` is expected to be stable (a module-level function).
  const reload = useCallback(async () => {
    try {
      setData(await fetch(client));
      setProblem(null);
    } catch (error) {
      setProblem((error as { message: string }).message);
    }
  }, [client, fetch]);

  useEffect(() => {
    if (status === "connected") void reload();
  }, [status, reload]);

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
  return { data, problem, reload, act };
}
