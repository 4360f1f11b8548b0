// Every screen has a URL, as a hash route (the engine serves one page, and the desktop window
// needs no routes of its own): back and forward, a reload and a deep link land where they
// should. `#/` the sessions, `#/session/ID` and `#/terminal/ID` a chat, `#/project/ID` a
// project, `#/devices` the devices and `#/settings` the settings.
import { useCallback } from "react";
import { useLocation, useRoute } from "wouter";
import { navigate } from "wouter/use-hash-location";

import type { Target } from "./chat/target";

export type Screen =
  | { kind: "sessions" }
  | { kind: "devices" }
  | { kind: "settings" }
  | { kind: "project"; id: string }
  | { kind: "chat"; target: Target };

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
  const [, project] = useRoute<{ id: string }>("/project/:id");
  const [devices] = useRoute("/devices");
  const [settings] = useRoute("/settings");
  if (session) return { kind: "chat", target: { kind: "session", id: session.id } };
  if (terminal) return { kind: "chat", target: { kind: "terminal", id: terminal.id } };
  if (project) return { kind: "project", id: project.id };
  if (devices) return { kind: "devices" };
  return settings ? { kind: "settings" } : { kind: "sessions" };
}

/** The route of a project. */
export function projectPath(id: string): string {
  return `/project/${encodeURIComponent(id)}`;
}

/** Marks entries this app pushed, so its own Back returns to them rather than leaving. */
export const IN_APP = { tether: true };

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
