// Projects and their sessions: status, model, cost and when each started; start a new one.
import { useFetched } from "../chat/useFetched";
import type { Project, SessionInfo } from "../gen/protocol";
import type { Status, TetherClient } from "../protocol/client";

type Props = { client: TetherClient; status: Status; open(sessionId: string): void };

type Listed = { projects: Project[]; sessions: SessionInfo[] };

async function fetchAll(client: TetherClient): Promise<Listed> {
  const [projects, sessions] = await Promise.all([
    client.request<Project[]>("projects.list"),
    client.request<SessionInfo[]>("sessions.list"),
  ]);
  return { projects, sessions };
}

export function SessionList({ client, status, open }: Props) {
  const { data, problem, act } = useFetched(client, status, { projects: [], sessions: [] }, fetchAll);
  const { projects, sessions } = data;

  const start = (projectId: string) =>
    act(async () => {
      const session = await client.request<SessionInfo>("sessions.create", { project_id: projectId });
      open(session.id);
    });

  return (
    <main className="sessions">
      {problem && <p className="error" role="alert">{problem}</p>}
      {projects.length === 0 && status === "connected" && (
        <p className="hint">No projects yet: add one on your computer with <code>tether project add FOLDER</code>.</p>
      )}
      {projects.map((project) => (
        <section key={project.id} aria-label={project.name}>
          <header className="project">
            <h2>{project.name}</h2>
            <button onClick={() => void start(project.id)} disabled={status !== "connected"}>New session</button>
          </header>
          <ul>
            {sessions
              .filter((session) => session.project_id === project.id && session.status !== "ended")
              .map((session) => (
                <li key={session.id}>
                  <button className="session" onClick={() => open(session.id)}>
                    <span className={`badge badge-${session.status}`}>{session.status.replace("_", " ")}</span>
                    <span>{session.model ?? "default model"}</span>
                    <span>${session.total_cost_usd.toFixed(4)}</span>
                  </button>
                </li>
              ))}
          </ul>
        </section>
      ))}
    </main>
  );
}
