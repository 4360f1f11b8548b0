// The keyboard across sessions, on every screen: the next or previous session in the
// sidebar's order, a new session in the current project, the sidebar hidden or shown, and
// the sessions' filter focused.
import { type RefObject, useMemo } from "react";

import { type Shortcut, useShortcuts } from "../chat/shortcuts";
import type { Target } from "../chat/target";
import type { Sessions } from "../chat/useSessions";
import { groups } from "./SessionNav";

type Options = {
  listed: Sessions;
  /** The session or project shown. */
  current: string | null;
  wide: boolean;
  open(target: Target): void;
  start(projectId: string): void;
  toggle(): void;
  filter: RefObject<HTMLInputElement | null>;
};

/** Registers the shortcuts; returns them for the help list. */
export function useSessionShortcuts({ listed, current, wide, open, start, toggle, filter }: Options): Shortcut[] {
  const shortcuts = useMemo(() => {
    const ordered = groups(listed.projects, listed.sessions, "").flatMap((group) => group.open);
    const at = ordered.findIndex((session) => session.id === current);
    const step = (by: number) => () => {
      if (ordered.length === 0) return;
      const next = at === -1 ? (by > 0 ? 0 : ordered.length - 1) : (at + by + ordered.length) % ordered.length;
      open({ kind: "session", id: ordered[next]!.id });
    };
    const project =
      listed.sessions.find((session) => session.id === current)?.project_id ??
      listed.projects.find((candidate) => candidate.id === current)?.id ??
      ordered[0]?.project_id ??
      listed.projects[0]?.id;
    const list: Shortcut[] = [
      { key: "ArrowDown", alt: true, label: "Next session", run: step(1) },
      { key: "ArrowUp", alt: true, label: "Previous session", run: step(-1) },
      { key: "n", alt: true, label: "New session in this project", run: () => project && start(project) },
      { key: "k", alt: true, label: "Filter the sessions", run: () => filter.current?.focus() },
    ];
    if (wide) list.push({ key: "b", alt: true, label: "Hide or show the sidebar", run: toggle });
    return list;
  }, [listed.projects, listed.sessions, current, wide, open, start, toggle, filter]);
  useShortcuts(shortcuts);
  return shortcuts;
}
