// The account's projects, sessions and machines, most recently active first, kept current by
// the account's events (a session's own event carries it as it now is, and is shown as is):
// what the sidebar, the sessions screen and a project's screen show.
import { useChannel } from "./useChannel";
import { useFetched } from "./useFetched";
import type { Machine, Project, SessionInfo } from "../gen/protocol";
import { accountEvent } from "../protocol/events";
import type { Status, TetherClient } from "../protocol/client";

export type Listed = {
  projects: Project[];
  sessions: SessionInfo[];
  /** The computers running `tether agent` for this one, online or not. */
  machines: Machine[];
  /** Loaded at least once since the page opened. */
  loaded: boolean;
};

export type Sessions = Listed & {
  problem: string | null;
  /** Runs an action on the account, then lists again; its failure becomes `problem`. */
  act(action: () => Promise<unknown>): Promise<void>;
};

const EMPTY: Listed = { projects: [], sessions: [], machines: [], loaded: false };

async function fetchAll(client: TetherClient): Promise<Listed> {
  const [projects, sessions, machines] = await Promise.all([
    client.request("projects.list"),
    client.request("sessions.list"),
    client.request("machines.list"),
  ]);
  return { projects, sessions: sessions.sort((a, b) => b.last_active_at - a.last_active_at), machines, loaded: true };
}

export function useSessions(client: TetherClient, status: Status): Sessions {
  const { data, problem, act, reload, patch } = useFetched(client, status, EMPTY, fetchAll);
  useChannel(client, "user:owner", (frame) => {
    if (frame === null) return void reload();
    const event = accountEvent(frame);
    switch (event.event) {
      // The event carries the session as it now is: shown as is, with no list to wait for.
      case "session.created":
      case "session.updated":
      case "session.ended":
        return patch((listed) => withSession(listed, event.data.session));
      case "session.deleted":
        return patch((listed) => ({ ...listed, sessions: listed.sessions.filter((session) => session.id !== event.data.session_id) }));
      case "project.added":
      case "project.removed":
        return void reload();
      case "machine.updated":
        return patch((listed) => ({
          ...listed,
          machines: [...listed.machines.filter((machine) => machine.id !== event.data.id), event.data],
        }));
      default:
        return;
    }
  });
  return { ...data, problem, act };
}

/** `listed` with `session` as it now is, most recently active first. */
function withSession(listed: Listed, session: SessionInfo): Listed {
  const others = listed.sessions.filter((known) => known.id !== session.id);
  return { ...listed, sessions: [session, ...others].sort((a, b) => b.last_active_at - a.last_active_at) };
}

/** A session's name as lists show it. */
export function sessionName(session: SessionInfo): string {
  return session.title ?? "Untitled session";
}
