// React's view of the client and of one session: live values through useSyncExternalStore.
import { useCallback, useEffect, useMemo, useSyncExternalStore } from "react";

import type { ImageUpload, TerminalSession } from "../gen/protocol";
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
  /** The engine has no such session (a wrong or old link). */
  missing: boolean;
  isStreaming: boolean;
  /** Whether an interrupt would stop something now. */
  canInterrupt: boolean;
  send(text: string, images: ImageUpload[]): Promise<unknown>;
  /** For a terminal session: what the list says of it. */
  transcript: TerminalSession | null;
  /** Loads the page before, when there is one. */
  loadEarlier: (() => Promise<void>) | null;
  /** An earlier page is on its way. */
  loadingEarlier: boolean;
};

/** One session, loaded and followed while the component shows it; `terminal` for one of
 * Claude Code's own transcripts. */
export function useChat(client: TetherClient, sessionId: string, terminal = false): Chat {
  const feed = useMemo(() => new SessionFeed(client, sessionId, terminal), [client, sessionId, terminal]);
  useEffect(() => {
    feed.start();
    return () => feed.close();
  }, [feed]);
  const view = useSyncExternalStore(feed.onChange, () => feed.current);
  const send = useCallback((text: string, images: ImageUpload[]) => feed.send(text, images), [feed]);
  const problem = useSyncExternalStore(feed.onChange, () => feed.problem?.message ?? null);
  const missing = useSyncExternalStore(feed.onChange, () => feed.problem?.code === "not_found");
  return {
    view,
    problem,
    missing,
    isStreaming: view !== null && isStreaming(view),
    canInterrupt: view !== null && canInterrupt(view),
    send,
    transcript: feed.transcript,
    loadEarlier: feed.hasEarlier ? () => feed.loadEarlier() : null,
    loadingEarlier: feed.loadingEarlier,
  };
}
