// Projects and their sessions, most recently active first: status, model, cost and when each
// was last active; start a new one, archive one, and look back at archived ones. Below them,
// Claude Code's own history (the first thing shown before there is any project). Kept current
// by the account's events.
import { useFetched } from "../chat/useFetched";
import { AboutTether } from "../components/AboutTether";
import { AddProject } from "../components/AddProject";
import { useChannel } from "../chat/useChannel";
import { ago } from "../chat/time";
import type { Project, SessionInfo } from "../gen/protocol";
import type { Status, TetherClient } from "../protocol/client";
import type { Target } from "../chat/target";
import { ClaudeHistory } from "../components/ClaudeHistory";

/** `local`: this is the desktop window, which may add any folder as a project. */
type Props = { client: TetherClient; status: Status; local: boolean; open(target: Target): void };

type Listed = { projects: Project[]; sessions: SessionInfo[] };

async function fetchAll(client: TetherClient): Promise<Listed> {
  const [projects, sessions] = await Promise.all([
    client.request("projects.list"),
    client.request("sessions.list"),
  ]);
  return { projects, sessions: sessions.sort((a, b) => b.last_active_at - a.last_active_at) };
}

export function SessionList({ client, status, local, open }: Props) {
  const { data, problem, act, reload } = useFetched(client, status, { projects: [], sessions: [] }, fetchAll);
  const { projects, sessions } = data;
  useChannel(client, "user:owner", (event) => {
    if (event === null || /^(session|project)\./.test(event.event)) void reload();
  });

  const start = (projectId: string) =>
    act(async () => {
      const session = await client.request("sessions.create", { project_id: projectId });
      open({ kind: "session", id: session.id });
    });
  const addProject = (path: string) => act(() => client.request("projects.add", { path }));
  const archive = (session: SessionInfo) => {
    if (!confirm("Archive this session? Its claude process stops; the conversation stays readable.")) return;
    void act(() => client.request("sessions.archive", { session_id: session.id }));
  };
  const offline = status !== "connected";

  return (
    <main className="sessions">
      {problem && <p className="error" role="alert">{problem}</p>}
      {local && <AddProject disabled={offline} add={addProject} />}
      {projects.length === 0 && status === "connected" && !local && (
        <p className="hint">No projects yet: add one on your computer (in the Tether app, or with <code>tether project add FOLDER</code>), or, where the desktop allows it (<code>projects.device_roots</code>), from Claude Code's history below.</p>
      )}
      {projects.map((project) => {
        const mine = sessions.filter((session) => session.project_id === project.id);
        const archived = mine.filter((session) => session.status === "ended");
        return (
          <section key={project.id} aria-label={project.name}>
            <header className="project">
              <h2 title={project.path}>{project.name}</h2>
              <button className="primary" onClick={() => void start(project.id)} disabled={offline}>New session</button>
            </header>
            <ul>
              {mine
                .filter((session) => session.status !== "ended")
                .map((session) => (
                  <li key={session.id} className="session-row">
                    <SessionButton session={session} open={open} />
                    <button className="archive" onClick={() => archive(session)} disabled={offline} aria-label={`Archive the ${session.model ?? "default model"} session active ${ago(session.last_active_at)}`}>
                      Archive
                    </button>
                  </li>
                ))}
            </ul>
            {archived.length > 0 && (
              <details className="archived">
                <summary>{archived.length} archived</summary>
                <ul>
                  {archived.map((session) => (
                    <li key={session.id}>
                      <SessionButton session={session} open={open} />
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </section>
        );
      })}
      <ClaudeHistory client={client} status={status} first={projects.length === 0 && !offline} open={open} add={addProject} />
      {local && <AboutTether />}
    </main>
  );
}

function SessionButton({ session, open }: { session: SessionInfo; open(target: Target): void }) {
  return (
    <button className="session" onClick={() => open({ kind: "session", id: session.id })}>
      <span className={`badge badge-${session.status}`}>{session.status.replace("_", " ")}</span>
      {session.title && <span className="session-title">{session.title}</span>}
      <span className="session-model">{session.model ?? "default model"}</span>
      <span className="session-cost">${session.total_cost_usd.toFixed(4)}</span>
      <time dateTime={new Date(session.last_active_at * 1000).toISOString()}>{ago(session.last_active_at)}</time>
    </button>
  );
}
