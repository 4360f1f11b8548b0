// Claude Code's own history, found in its transcripts: the folders it worked in, most recent
// first, each with its sessions (loaded when the folder is opened). A folder is added as a
// project with one click; a session opens read-only and carries on here with the next message.
// On the first run it is what the window and the phone open on.
import { useEffect, useState } from "react";

import { useFetched } from "../chat/useFetched";
import { useChannel } from "../chat/useChannel";
import { ago } from "../chat/time";
import type { Target } from "../chat/target";
import type { IndexProgress, TerminalFolder, TerminalSession } from "../gen/protocol";
import type { Status, TetherClient } from "../protocol/client";

type Props = {
  client: TetherClient;
  status: Status;
  /** No project yet: the history is the way in. */
  first: boolean;
  open(target: Target): void;
  add(path: string): Promise<void>;
};

type History = { folders: TerminalFolder[]; progress: IndexProgress };

const EMPTY: History = { folders: [], progress: { files: 0, indexed: 0, done: false } };

const fetchHistory = (client: TetherClient): Promise<History> => client.request("terminal.folders");

/** The most sessions one folder lists. */
const FOLDER_LIMIT = 1000;

/** The last part of a path: what people call the folder. */
const folderName = (path: string) => path.split("/").filter(Boolean).pop() ?? path;

export function ClaudeHistory({ client, status, first, open, add }: Props) {
  const { data, problem, reload } = useFetched(client, status, EMPTY, fetchHistory);
  // Bumped on each change, so open folders list their sessions again.
  const [version, setVersion] = useState(0);
  useChannel(client, "user:owner", (event) => {
    if (event === null || /^(terminal\.|project\.|session\.created)/.test(event.event)) {
      void reload();
      setVersion((version) => version + 1);
    }
  });
  const { folders, progress } = data;
  const offline = status !== "connected";
  // The first run opens the most recent folders; a folder opened or added stays open.
  const [opened, setOpened] = useState<Record<string, boolean>>({});
  const isOpen = (path: string, index: number) => opened[path] ?? (first && index < 3);
  const keep = (path: string, open: boolean) => setOpened((known) => (known[path] === open ? known : { ...known, [path]: open }));
  return (
    <section className="history" aria-label="Claude Code history">
      <h2>{first ? "Pick up where you left off" : "Claude Code history"}</h2>
      {first && (
        <p className="hint">
          These folders have Claude Code sessions, most recent first. Add one as a project to start sessions there, or
          open a session to read it and carry it on from here.
        </p>
      )}
      {problem && <p className="error" role="alert">{problem}</p>}
      {!progress.done && status === "connected" && (
        <p className="hint" role="status">
          Reading Claude Code's history… {progress.indexed} of {progress.files} transcripts
        </p>
      )}
      {progress.done && folders.length === 0 && <p className="hint">No Claude Code sessions on this computer yet.</p>}
      <ul className="folders">
        {folders.map((folder, index) => (
          <li key={folder.path}>
            <details open={isOpen(folder.path, index)} onToggle={(event) => keep(folder.path, event.currentTarget.open)}>
              <summary>
                <span className="folder-name" title={folder.path}>{folderName(folder.path)}</span>
                <span className="folder-count">
                  {folder.sessions} {folder.sessions === 1 ? "session" : "sessions"}
                </span>
                {folder.last_at !== null && <time dateTime={new Date(folder.last_at * 1000).toISOString()}>{ago(folder.last_at)}</time>}
              </summary>
              {folder.missing ? (
                <p className="hint">This folder no longer exists.</p>
              ) : (
                folder.project_id === null && (
                  <button className="primary" disabled={offline} onClick={() => {
                      keep(folder.path, true);
                      void add(folder.path);
                    }} aria-label={`Add ${folder.path} as a project`}>
                    Add as a project
                  </button>
                )
              )}
              {isOpen(folder.path, index) && <FolderSessions client={client} path={folder.path} version={version} open={open} />}
            </details>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The sessions of one folder, most recent first. */
function FolderSessions({ client, path, version, open }: { client: TetherClient; path: string; version: number; open(target: Target): void }) {
  const [sessions, setSessions] = useState<TerminalSession[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    client
      .request("terminal.list", { folder: path, limit: FOLDER_LIMIT })
      .then((list) => current && (setSessions(list.sessions), setProblem(null)))
      .catch((error: { message: string }) => current && setProblem(error.message));
    return () => {
      current = false;
    };
  }, [client, path, version]);
  if (problem) return <p className="error" role="alert">{problem}</p>;
  if (sessions === null) return <p className="hint" role="status">Loading…</p>;
  return (
    <ul>
      {sessions.map((session) => (
        <li key={session.id}>
          <TerminalSessionButton session={session} open={open} />
        </li>
      ))}
    </ul>
  );
}

function TerminalSessionButton({ session, open }: { session: TerminalSession; open(target: Target): void }) {
  const inTether = session.tether_session_id;
  const target: Target = inTether ? { kind: "session", id: inTether } : { kind: "terminal", id: session.id };
  return (
    <button className="session terminal-session" onClick={() => open(target)}>
      <span className="session-title">{session.title ?? "Untitled session"}</span>
      {session.live && <span className="badge badge-running">in a terminal</span>}
      {inTether && <span className="badge badge-idle">in Tether</span>}
      <span className="session-count">{session.messages} messages</span>
      {session.last_at !== null && <time dateTime={new Date(session.last_at * 1000).toISOString()}>{ago(session.last_at)}</time>}
    </button>
  );
}
