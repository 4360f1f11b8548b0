// React's view of the client and of one session: live values through useSyncExternalStore.
import { useEffect, useMemo, useSyncExternalStore } from "react";

import type { Status, TetherClient } from "../protocol/client";
import { SessionFeed } from "./feed";
import { type SessionView, canInterrupt, isStreaming } from "./session";

/** The connection's status, re-rendering on every change. */
export function useStatus(client: TetherClient): Status {
  return useSyncExternalStore(
    (changed) => client.onStatus(() => changed()),
    () => client.status,
  );
}

export type Chat = {
  view: SessionView | null;
  problem: string | null;
  isStreaming: boolean;
  /** Whether an interrupt would stop something now. */
  canInterrupt: boolean;
  send(text: string): Promise<unknown>;
};

/** One session, loaded and followed while the component shows it. */
export function useChat(client: TetherClient, sessionId: string): Chat {
  const feed = useMemo(() => new SessionFeed(client, sessionId), [client, sessionId]);
  useEffect(() => {
    feed.start();
    return () => feed.close();
  }, [feed]);
  const view = useSyncExternalStore(feed.onChange, () => feed.current);
  const problem = useSyncExternalStore(feed.onChange, () => feed.problem?.message ?? null);
  return {
    view,
    problem,
    isStreaming: view !== null && isStreaming(view),
    canInterrupt: view !== null && canInterrupt(view),
    send: (text) => feed.send(text),
  };
}
