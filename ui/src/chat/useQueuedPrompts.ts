// Prompts written while Claude works: held on this device, shown in order, editable and
// removable until sent, and sent one at a time as the session becomes ready. They are kept in
// this browser's storage (per session), so a reload keeps them.
import { useCallback, useEffect, useRef, useState } from "react";

import type { ImageUpload, SessionStatus } from "../gen/protocol";

export type QueuedPrompt = { id: string; text: string; images: ImageUpload[] };

/** A session in these states takes a prompt now; in the others, it waits its turn. */
const READY: SessionStatus[] = ["idle", "interrupted", "errored"];

const key = (sessionId: string) => `tether.queued.${sessionId}`;

function load(sessionId: string): QueuedPrompt[] {
  try {
    const kept: unknown = JSON.parse(localStorage.getItem(key(sessionId)) ?? "[]");
    return Array.isArray(kept) ? kept.filter((item: Partial<QueuedPrompt>) => typeof item?.id === "string" && typeof item.text === "string" && Array.isArray(item.images)) : [];
  } catch {
    return [];
  }
}

function keep(sessionId: string, queued: QueuedPrompt[]): void {
  try {
    if (queued.length === 0) localStorage.removeItem(key(sessionId));
    else localStorage.setItem(key(sessionId), JSON.stringify(queued));
  } catch {
    // Storage full (large images): they stay queued on this page only.
  }
}

export type Queue = {
  queued: QueuedPrompt[];
  /** Sends now when the session is ready, else queues; resolves once sent or queued. */
  submit(text: string, images: ImageUpload[]): Promise<unknown>;
  edit(id: string, text: string): void;
  remove(id: string): void;
  problem: string | null;
};

export function useQueuedPrompts(sessionId: string, status: SessionStatus | undefined, send: (text: string, images: ImageUpload[]) => Promise<unknown>): Queue {
  const [queued, setQueued] = useState<QueuedPrompt[]>(() => load(sessionId));
  const [problem, setProblem] = useState<string | null>(null);
  const sending = useRef(false);
  /** The prompt the engine last refused: not tried again until the session's state changes. */
  const refused = useRef<string | null>(null);
  /** Status changes seen, and how many there had been when the last prompt was sent: the
   * next waits for a change after that (the turn it started), never going out with it. */
  const changes = useRef(0);
  const sentAt = useRef(-1);
  useEffect(() => {
    changes.current += 1;
    refused.current = null;
  }, [status]);
  const change = useCallback(
    (update: (queued: QueuedPrompt[]) => QueuedPrompt[]) =>
      setQueued((current) => {
        const next = update(current);
        keep(sessionId, next);
        return next;
      }),
    [sessionId],
  );

  // Offline, a ready session's prompt goes to the client's own outbox, sent on reconnect.
  const ready = status !== undefined && READY.includes(status);
  const first = queued[0];
  useEffect(() => {
    if (!ready || !first || sending.current || refused.current === first.id || changes.current === sentAt.current) return;
    sending.current = true;
    // Counted when it goes, not when the engine answers: a turn that ran and ended before the
    // answer arrived must not leave the next prompt waiting for a change that already came.
    sentAt.current = changes.current;
    send(first.text, first.images).then(
      () => {
        change((current) => current.filter((item) => item.id !== first.id));
        setProblem(null);
      },
      (error: { message: string }) => {
        sentAt.current = -1;
        refused.current = first.id;
        setProblem(`The queued message was not sent: ${error.message}`);
      },
    ).finally(() => (sending.current = false));
  }, [ready, first, send, change]);

  const submit = (text: string, images: ImageUpload[]) => {
    if (ready && queued.length === 0) return send(text, images);
    change((current) => [...current, { id: crypto.randomUUID(), text, images }]);
    return Promise.resolve();
  };
  return {
    queued,
    submit,
    edit: (id, text) => {
      // Edited, a refused prompt may go again.
      if (refused.current === id) refused.current = null;
      change((current) => current.map((item) => (item.id === id ? { ...item, text } : item)));
    },
    remove: (id) => change((current) => current.filter((item) => item.id !== id)),
    problem,
  };
}
