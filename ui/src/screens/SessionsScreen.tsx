// The first screen. On a phone: the projects and their sessions, then what to do next. Beside
// the sidebar: a welcome that says what to do next (the first run's steps, or "choose a
// session"). Below both, the desktop adds projects here, and Claude Code's own history is
// offered to pick up.
import { MessageSquarePlus } from "lucide-react";

import { AboutTether } from "../components/AboutTether";
import { AddProject } from "../components/AddProject";
import { ClaudeHistory } from "../components/ClaudeHistory";
import type { Target } from "../chat/target";
import type { Sessions } from "../chat/useSessions";
import { SessionNav } from "../layout/SessionNav";
import type { Status, TetherClient } from "../protocol/client";

type Props = {
  client: TetherClient;
  status: Status;
  local: boolean;
  listed: Sessions;
  /** The sidebar shows the sessions beside this screen. */
  wide: boolean;
  start(projectId: string): void;
  open(target: Target): void;
};

export function SessionsScreen({ client, status, local, listed, wide, start, open }: Props) {
  const offline = status !== "connected";
  const addProject = (path: string) => listed.act(() => client.request("projects.add", { path }));
  const none = listed.loaded && listed.projects.length === 0;
  return (
    <main className="sessions" tabIndex={-1}>
      {!wide && <SessionNav listed={listed} current={null} offline={offline} local={local} start={start} />}
      {wide && (
        <section className="welcome" aria-label="Welcome">
          <MessageSquarePlus size={40} aria-hidden="true" />
          <h1>{none ? "Welcome to Tether" : "Choose a session"}</h1>
          <p className="hint">
            {none
              ? local
                ? "Add a project folder below, then start a session in it. Pair your phone from Devices to follow it anywhere."
                : "Add a project on your computer, or pick up a Claude Code session below."
              : "Pick one from the sidebar, or start a new one with + beside its project (Alt+N)."}
          </p>
        </section>
      )}
      {local && <AddProject disabled={offline} add={addProject} />}
      <ClaudeHistory client={client} status={status} first={none && !offline} open={open} add={addProject} />
      {local && <AboutTether />}
    </main>
  );
}
