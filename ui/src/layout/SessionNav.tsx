// Projects and their sessions, the most recently active first, filtered as the user types:
// the sidebar beside a chat, and the whole sessions screen on a phone. Projects on other
// computers follow this one's, under each machine's name and whether it is online. Every
// state says what it is and what to do next: loading, no project yet, nothing matching.
import { Plus, Search, Server } from "lucide-react";
import { type Ref, useMemo, useState } from "react";

import { isUnread, useSeen } from "../chat/unread";
import { type Sessions, sessionName } from "../chat/useSessions";
import type { Machine, Project, SessionInfo } from "../gen/protocol";
import { projectPath } from "../routes";
import { AppLink } from "./AppLink";
import { SessionRow } from "./SessionRow";

type Props = {
  listed: Sessions;
  /** The session or project shown beside, marked as current. */
  current: string | null;
  offline: boolean;
  /** The desktop window, where projects are added. */
  local: boolean;
  start(projectId: string): void;
  filterRef?: Ref<HTMLInputElement>;
};

export type Group = { project: Project; open: SessionInfo[]; archived: SessionInfo[]; machine: Machine | null };

/** The projects with their sessions, as shown: this computer's first, then each machine's
 * by name; within each, most recently active first; `filter`ed. */
export function groups(projects: Project[], sessions: SessionInfo[], filter: string, machines: Machine[] = []): Group[] {
  const wanted = filter.trim().toLowerCase();
  const shown = projects.flatMap((project) => {
    const mine = sessions.filter((session) => session.project_id === project.id);
    const named = project.name.toLowerCase().includes(wanted);
    const matching = named ? mine : mine.filter((session) => matches(session, wanted));
    if (wanted && !named && matching.length === 0) return [];
    const latest = Math.max(0, ...mine.map((session) => session.last_active_at));
    const machine = machines.find((known) => known.id === project.machine) ?? null;
    const open = matching.filter((s) => s.status !== "ended");
    const archived = matching.filter((s) => s.status === "ended");
    return [{ latest, where: machine?.name ?? "", group: { project, open, archived, machine } }];
  });
  shown.sort(
    (a, b) => a.where.localeCompare(b.where) || b.latest - a.latest || a.group.project.name.localeCompare(b.group.project.name),
  );
  return shown.map(({ group }) => group);
}

function matches(session: SessionInfo, wanted: string): boolean {
  return [sessionName(session), session.model ?? "", session.status.replace("_", " ")].some((text) => text.toLowerCase().includes(wanted));
}

export function SessionNav({ listed, current, offline, local, start, filterRef }: Props) {
  const [filter, setFilter] = useState("");
  const seen = useSeen();
  const shown = useMemo(
    () => groups(listed.projects, listed.sessions, filter, listed.machines),
    [listed.projects, listed.sessions, filter, listed.machines],
  );
  return (
    <nav className="session-nav" aria-label="Sessions">
      <label className="filter">
        <Search size={16} aria-hidden="true" />
        <input
          ref={filterRef}
          type="search"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
          onKeyDown={(event) => {
            if (event.key !== "Escape" || !filter) return;
            // Clears the filter, and nothing else (not the answer under way).
            event.preventDefault();
            setFilter("");
          }}
          placeholder="Filter sessions"
          aria-label="Filter sessions"
          aria-keyshortcuts="Alt+K"
        />
      </label>
      {listed.problem && <p className="error" role="alert">{listed.problem}</p>}
      {!listed.loaded && !listed.problem && (
        <p className="hint loading" role="status">
          {offline ? "Sessions show once connected." : "Loading sessions…"}
        </p>
      )}
      {listed.loaded && listed.projects.length === 0 && (
        <div className="empty">
          <p><strong>No projects yet.</strong></p>
          <p className="hint">
            {local
              ? "Add a project folder to start a session in it, or pick up a Claude Code session from your terminal."
              : "Add a project on your computer (in the Tether app, or with tether project add FOLDER), or pick up a Claude Code session from your terminal."}
          </p>
        </div>
      )}
      {filter && shown.length === 0 && (
        <p className="hint" role="status">
          No session matches “{filter}”.{" "}
          <button className="link" onClick={() => setFilter("")}>Clear the filter</button>
        </p>
      )}
      {shown.map(({ project, open, archived, machine }, index) => (
        <section
          key={project.id}
          className={machine && !machine.online ? "project-group offline" : "project-group"}
          aria-label={machine ? `${project.name} on ${machine.name}${machine.online ? "" : ", offline"}` : project.name}
        >
          {machine && machine.id !== shown[index - 1]?.machine?.id && <MachineHeading machine={machine} />}
          <header className="project">
            <h2>
              <AppLink href={projectPath(project.id)} title={project.path} aria-current={current === project.id ? "page" : undefined}>
                {project.name}
              </AppLink>
            </h2>
            <button className="icon" onClick={() => start(project.id)} disabled={offline} aria-label={`New session in ${project.name}`} title="New session (Alt+N)">
              <Plus size={18} aria-hidden="true" />
            </button>
          </header>
          {open.length === 0 && archived.length === 0 && <p className="hint none">No sessions yet: start one with +.</p>}
          <ul>
            {open.map((session) => (
              <li key={session.id}>
                <SessionRow session={session} current={session.id === current} unread={session.id !== current && isUnread(session, seen)} />
              </li>
            ))}
          </ul>
          {archived.length > 0 && (
            <details className="archived">
              <summary>{archived.length} archived</summary>
              <ul>
                {archived.map((session) => (
                  <li key={session.id}>
                    <SessionRow session={session} current={session.id === current} unread={false} />
                  </li>
                ))}
              </ul>
            </details>
          )}
        </section>
      ))}
    </nav>
  );
}

/** A machine's name over its projects, and whether it is online now. */
function MachineHeading({ machine }: { machine: Machine }) {
  const seen = machine.last_seen ? ` · last seen ${new Date(machine.last_seen * 1000).toLocaleString()}` : "";
  return (
    <p className="machine" title={`${machine.hostname ?? machine.name}${machine.claude_version ? ` · claude ${machine.claude_version}` : ""}`}>
      <Server size={14} aria-hidden="true" /> {machine.name}
      <span className={machine.online ? "badge badge-online" : "badge"}>{machine.online ? "online" : `offline${seen}`}</span>
    </p>
  );
}
