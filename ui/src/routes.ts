// Every screen has a URL, as a hash route (the engine serves one page, and the desktop window
// needs no routes of its own): back and forward, a reload and a deep link land where they
// should. `#/` the sessions; `#/session/ID` and `#/terminal/ID` a chat, with
// `/message/MESSAGE` one message of it shown and `/changes` the files it changed;
// `#/project/ID` a project, `/git` its git state and `/files/PATH` its files; `#/search`
// search across sessions; `#/devices` the devices and `#/settings` the settings.
import { useCallback } from "react";
import { useLocation, useRoute } from "wouter";
import { navigate } from "wouter/use-hash-location";

import type { Target } from "./chat/target";

export type ProjectTab = { tab: "sessions" } | { tab: "git" } | { tab: "files"; path: string };

export type Screen =
  | { kind: "sessions" }
  | { kind: "devices" }
  | { kind: "settings" }
  | { kind: "search" }
  | ({ kind: "project"; id: string } & ProjectTab)
  | { kind: "chat"; target: Target; focus?: string; changes?: true };

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
  const [, chat] = useRoute<{ kind: string; id: string }>("/:kind/:id");
  const [, focused] = useRoute<{ kind: string; id: string; message: string }>("/:kind/:id/message/:message");
  const [, changes] = useRoute<{ id: string }>("/session/:id/changes");
  const [, project] = useRoute<{ id: string }>("/project/:id");
  const [, git] = useRoute<{ id: string }>("/project/:id/git");
  const [, files] = useRoute<{ id: string; "*"?: string }>("/project/:id/files/*?");
  const [devices] = useRoute("/devices");
  const [settings] = useRoute("/settings");
  const [search] = useRoute("/search");
  const target = (found: { kind: string; id: string } | null): Target | null =>
    found && (found.kind === "session" || found.kind === "terminal") ? { kind: found.kind, id: found.id } : null;
  const opened = target(focused) ?? target(chat);
  if (opened) return focused ? { kind: "chat", target: opened, focus: focused.message } : { kind: "chat", target: opened };
  if (changes) return { kind: "chat", target: { kind: "session", id: changes.id }, changes: true };
  if (project) return { kind: "project", id: project.id, tab: "sessions" };
  if (git) return { kind: "project", id: git.id, tab: "git" };
  if (files) return { kind: "project", id: files.id, tab: "files", path: files["*"] ?? "" };
  if (devices) return { kind: "devices" };
  if (search) return { kind: "search" };
  return settings ? { kind: "settings" } : { kind: "sessions" };
}

/** The route of one message of a session. */
export function messagePath(sessionId: string, messageId: string): string {
  return `${chatPath({ kind: "session", id: sessionId })}/message/${encodeURIComponent(messageId)}`;
}

/** The route of a project's file (or of its files, without `path`). */
export function filePath(projectId: string, path = ""): string {
  return `${projectPath(projectId)}/files${path ? `/${path.split("/").map(encodeURIComponent).join("/")}` : ""}`;
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
