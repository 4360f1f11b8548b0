// The window's title names the screen (what a screen reader says on arriving, and what the
// browser's history and tabs show).
import { useEffect } from "react";

import { type Sessions, sessionName } from "../chat/useSessions";
import type { Screen } from "../routes";

function titleOf(screen: Screen, listed: Sessions): string {
  switch (screen.kind) {
    case "sessions":
      return "Tether";
    case "devices":
      return "Devices · Tether";
    case "settings":
      return "Settings · Tether";
    case "search":
      return "Search · Tether";
    case "project": {
      const name = listed.projects.find((project) => project.id === screen.id)?.name ?? "Project";
      const tab = screen.tab === "git" ? "Git · " : screen.tab === "files" ? `${screen.path || "Files"} · ` : "";
      return `${tab}${name} · Tether`;
    }
    case "chat": {
      if (screen.target.kind === "terminal") return "Claude Code session · Tether";
      const session = listed.sessions.find((candidate) => candidate.id === screen.target.id);
      return `${screen.changes ? "Changes · " : ""}${session ? sessionName(session) : "Session"} · Tether`;
    }
  }
}

export function useDocumentTitle(screen: Screen, listed: Sessions): void {
  const title = titleOf(screen, listed);
  useEffect(() => {
    document.title = title;
  }, [title]);
}
