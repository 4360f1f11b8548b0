// Which sessions moved since this device last showed them: the last activity seen of each,
// kept in this browser (bounded), and told to every list that shows a marker.
import { useSyncExternalStore } from "react";

import type { SessionInfo } from "../gen/protocol";

const KEY = "tether.seen";
/** Sessions remembered; those last active longest ago are forgotten first. */
const MOST = 500;

type Seen = Record<string, number>;

function read(): Seen {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? "{}");
    if (!parsed || typeof parsed !== "object") return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, number] => Number.isFinite(entry[1])));
  } catch {
    // Storage refused (or not ours): the markers start afresh.
    return {};
  }
}

let seen: Seen = read();
/** When this browser first showed sessions: activity before it is not news to it. */
const since = (() => {
  const now = Math.floor(Date.now() / 1000);
  try {
    const saved = Number(localStorage.getItem(`${KEY}.since`));
    if (Number.isFinite(saved) && saved > 0) return saved;
    localStorage.setItem(`${KEY}.since`, String(now));
  } catch {
    // Storage refused: nothing before this page counts as news.
  }
  return now;
})();
const listeners = new Set<() => void>();

/** Notes that `session` was shown as it stands now. */
export function markSeen(session: SessionInfo): void {
  if ((seen[session.id] ?? -1) >= session.last_active_at) return;
  const entries = Object.entries({ ...seen, [session.id]: session.last_active_at });
  entries.sort((a, b) => b[1] - a[1]);
  seen = Object.fromEntries(entries.slice(0, MOST));
  try {
    localStorage.setItem(KEY, JSON.stringify(seen));
  } catch {
    // Storage full or refused: the markers last for this page only.
  }
  listeners.forEach((listener) => listener());
}

/** Whether `session` moved since it was last shown here (one never shown: since this browser
 * first showed sessions, so a new device does not start with everything unread). */
export function isUnread(session: SessionInfo, seenNow: Seen = seen): boolean {
  return session.last_active_at > (seenNow[session.id] ?? since);
}

/** The seen sessions, re-rendering when one is marked. */
export function useSeen(): Seen {
  return useSyncExternalStore(
    (changed) => {
      listeners.add(changed);
      return () => listeners.delete(changed);
    },
    () => seen,
  );
}
