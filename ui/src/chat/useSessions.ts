// The account's projects and sessions, most recently active first, kept current by the
// account's events: what the sidebar, the sessions screen and a project's screen show.
import { useChannel } from "./useChannel";
import { useFetched } from "./useFetched";
import type { Project, SessionInfo } from "../gen/protocol";
import type { Status, TetherClient } from "../protocol/client";

export type Listed = {
  projects: Project[];
  sessions: SessionInfo[];
  /** Loaded at least once since the page opened. */
  loaded: boolean;
};

export type Sessions = Listed & {
  problem: string | null;
  /** Runs an action on the account, then lists again; its failure becomes `problem`. */
  act(action: () => Promise<unknown>): Promise<void>;
};

const EMPTY: Listed = { projects: [], sessions: [], loaded: false };

async function fetchAll(client: TetherClient): Promise<Listed> {
  const [projects, sessions] = await Promise.all([client.request("projects.list"), client.request("sessions.list")]);
  return { projects, sessions: sessions.sort((a, b) => b.last_active_at - a.last_active_at), loaded: true };
}

export function useSessions(client: TetherClient, status: Status): Sessions {
  const { data, problem, act, reload } = useFetched(client, status, EMPTY, fetchAll);
  useChannel(client, "user:owner", (event) => {
    if (event === null || /^(session|project)\./.test(event.event)) void reload();
  });
  return { ...data, problem, act };
}

/** A session's name as lists show it. */
export function sessionName(session: SessionInfo): string {
  return session.title ?? "Untitled session";
}
