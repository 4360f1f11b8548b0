// One project: its folder, a new session in it, and three views: its sessions (each
// archivable, archived ones apart), its git state, and its files. A project that is not (or
// no longer) there says so, with the way back.
import { Archive, FolderOpen, Plus } from "lucide-react";
import { Suspense, lazy } from "react";

import { isUnread, useSeen } from "../chat/unread";
import { type Sessions, sessionName } from "../chat/useSessions";
import type { SessionInfo } from "../gen/protocol";
import { AppLink } from "../layout/AppLink";
import { SessionRow } from "../layout/SessionRow";
import type { Status, TetherClient } from "../protocol/client";
import { type ProjectTab, filePath, projectPath } from "../routes";

/** The git and files views load when first shown, not with the first page. */
const GitView = lazy(() => import("../components/GitView").then((module) => ({ default: module.GitView })));
const FilesView = lazy(() => import("../components/FilesView").then((module) => ({ default: module.FilesView })));

type Props = {
  client: TetherClient;
  status: Status;
  listed: Sessions;
  projectId: string;
  view: ProjectTab;
  start(projectId: string): void;
  back(): void;
};

export function ProjectScreen({ client, status, listed, projectId, view, start, back }: Props) {
  const seen = useSeen();
  const project = listed.projects.find((candidate) => candidate.id === projectId);
  const offline = status !== "connected";
  if (!project) {
    if (!listed.loaded) return <main className="project-screen" tabIndex={-1}><p className="hint loading" role="status">Loading the project…</p></main>;
    return (
      <main className="project-screen" tabIndex={-1}>
        <section className="missing" role="alert" aria-label="Not found">
          <h2>No project here</h2>
          <p className="hint">It was removed, or the link is wrong or from another computer.</p>
          <button className="primary" onClick={back}>Back to sessions</button>
        </section>
      </main>
    );
  }
  const mine = listed.sessions.filter((session) => session.project_id === project.id);
  const open = mine.filter((session) => session.status !== "ended");
  const archived = mine.filter((session) => session.status === "ended");
  const archive = (session: SessionInfo) => {
    if (!confirm("Archive this session? Its claude process stops; the conversation stays readable.")) return;
    void listed.act(() => client.request("sessions.archive", { session_id: session.id }));
  };
  return (
    <main className="project-screen" tabIndex={-1}>
      <header className="screen-header">
        <FolderOpen size={24} aria-hidden="true" />
        <div>
          <h1>{project.name}</h1>
          <p className="hint path">{project.path}</p>
        </div>
        <button className="primary" onClick={() => start(project.id)} disabled={offline}>
          <Plus size={18} aria-hidden="true" /> New session
        </button>
      </header>
      <nav className="tabs" aria-label="Project views">
        <AppLink href={projectPath(project.id)} aria-current={view.tab === "sessions" ? "page" : undefined}>Sessions</AppLink>
        <AppLink href={`${projectPath(project.id)}/git`} aria-current={view.tab === "git" ? "page" : undefined}>Git</AppLink>
        <AppLink href={filePath(project.id)} aria-current={view.tab === "files" ? "page" : undefined}>Files</AppLink>
      </nav>
      <Suspense fallback={<p className="hint loading" role="status">Loading…</p>}>
        {view.tab === "git" && <GitView client={client} projectId={project.id} />}
        {view.tab === "files" && <FilesView client={client} projectId={project.id} path={view.path} />}
      </Suspense>
      {view.tab === "sessions" && (
        <>
          {listed.problem && <p className="error" role="alert">{listed.problem}</p>}
          {mine.length === 0 && <p className="hint empty">No sessions in this project yet. Start one: Claude works in {project.path}.</p>}
          <ul className="session-cards">
            {open.map((session) => (
              <li key={session.id} className="session-card">
                <SessionRow session={session} current={false} unread={isUnread(session, seen)} />
                <button className="icon" onClick={() => archive(session)} disabled={offline} aria-label={`Archive ${sessionName(session)}`} title="Archive">
                  <Archive size={18} aria-hidden="true" />
                </button>
              </li>
            ))}
          </ul>
          {archived.length > 0 && (
            <details className="archived">
              <summary>{archived.length} archived</summary>
              <ul className="session-cards">
                {archived.map((session) => (
                  <li key={session.id} className="session-card">
                    <SessionRow session={session} current={false} unread={false} />
                  </li>
                ))}
              </ul>
            </details>
          )}
        </>
      )}
    </main>
  );
}
