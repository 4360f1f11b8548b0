// Every screen has a URL, as a hash route (the engine serves one page, and the desktop window
// needs no routes of its own): back and forward, a reload and a deep link land where they
// should. `#/` the sessions, `#/session/ID` and `#/terminal/ID` a chat, `#/devices` the devices.
import { useCallback } from "react";
import { useLocation, useRoute } from "wouter";
import { navigate } from "wouter/use-hash-location";

import type { Target } from "./chat/target";

export type Screen = { kind: "sessions" } | { kind: "devices" } | { kind: "chat"; target: Target };

/** The route of `target`'s chat. */
export function chatPath(target: Target): string {
  return `/${target.kind}/${encodeURIComponent(target.id)}`;
}

/** A link made before routes (`#session=ID`: notifications, ntfy), as its route, in place. */
export function upgradeOldLink(): void {
  const id = new URLSearchParams(location.hash.replace(/^#/, "")).get("session");
  if (id) navigate(chatPath({ kind: "session", id }), { replace: true });
}

/** The screen the URL names. */
export function useScreen(): Screen {
  const [, session] = useRoute<{ id: string }>("/session/:id");
  const [, terminal] = useRoute<{ id: string }>("/terminal/:id");
  const [devices] = useRoute("/devices");
  if (session) return { kind: "chat", target: { kind: "session", id: session.id } };
  if (terminal) return { kind: "chat", target: { kind: "terminal", id: terminal.id } };
  return devices ? { kind: "devices" } : { kind: "sessions" };
}

/** Marks entries this app pushed, so its own Back returns to them rather than leaving. */
const IN_APP = { tether: true };

/** Going to a screen (a new history entry), and back from one (to the entry before, when this
 * app made it; else to `fallback`, in place). */
export function useGo(): { go(path: string): void; back(fallback: string): void } {
  const [, setLocation] = useLocation();
  const go = useCallback((path: string) => setLocation(path, { state: IN_APP }), [setLocation]);
  const back = useCallback(
    (fallback: string) => {
      if ((history.state as { tether?: boolean } | null)?.tether) history.back();
      else setLocation(fallback, { replace: true });
    },
    [setLocation],
  );
  return { go, back };
}
