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
    case "project":
      return `${listed.projects.find((project) => project.id === screen.id)?.name ?? "Project"} · Tether`;
    case "chat": {
      if (screen.target.kind === "terminal") return "Claude Code session · Tether";
      const session = listed.sessions.find((candidate) => candidate.id === screen.target.id);
      return `${session ? sessionName(session) : "Session"} · Tether`;
    }
  }
}

export function useDocumentTitle(screen: Screen, listed: Sessions): void {
  const title = titleOf(screen, listed);
  useEffect(() => {
    document.title = title;
  }, [title]);
}
