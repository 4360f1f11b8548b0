// A project's git state, read-only: branch, where it stands against its upstream, the working
// tree's changes (staged and not), and the diff of the file chosen. Not a repository, or git
// missing, is said plainly.
import { GitBranch } from "lucide-react";
import { useEffect, useState } from "react";

import type { GitChange, GitDiff, GitStatus } from "../gen/protocol";
import type { TetherClient } from "../protocol/client";
import { CodeView } from "./CodeView";

const CODES: Record<string, string> = { M: "modified", A: "added", D: "deleted", R: "renamed", C: "copied", U: "conflicted", T: "type changed", "?": "untracked" };

type Props = { client: TetherClient; projectId: string };

export function GitView({ client, projectId }: Props) {
  const [status, setStatus] = useState<GitStatus | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [diff, setDiff] = useState<{ change: GitChange; staged: boolean; diff: GitDiff | null; problem?: string } | null>(null);
  const [loads, setLoads] = useState(0);
  useEffect(() => {
    let current = true;
    client.request("git.status", { project_id: projectId }).then(
      (found) => current && (setStatus(found), setProblem(null)),
      (error: { message: string }) => current && setProblem(error.message),
    );
    return () => {
      current = false;
    };
  }, [client, projectId, loads]);

  const show = (change: GitChange, staged: boolean) => {
    setDiff({ change, staged, diff: null });
    client.request("git.diff", { project_id: projectId, path: change.path, staged }).then(
      (found) => setDiff((shown) => (shown?.change === change ? { change, staged, diff: found } : shown)),
      (error: { message: string }) => setDiff((shown) => (shown?.change === change ? { change, staged, diff: null, problem: error.message } : shown)),
    );
  };

  if (problem) return <p className="error" role="alert">Git: {problem}</p>;
  if (!status) return <p className="hint loading" role="status">Reading git…</p>;
  if (status.state === "not_repository") return <p className="hint empty">This folder is not in a git repository.</p>;
  return (
    <section className="git" aria-label="Git">
      <p className="git-branch">
        <GitBranch size={18} aria-hidden="true" /> <strong>{status.branch ?? `detached at ${status.head ?? "no commit"}`}</strong>
        {status.upstream && (
          <span className="hint">
            {" "}
            against {status.upstream}: {status.ahead} ahead, {status.behind} behind
          </span>
        )}
        <button className="link" onClick={() => setLoads((count) => count + 1)}>Refresh</button>
      </p>
      {status.changes.length === 0 ? (
        <p className="hint">The working tree is clean.</p>
      ) : (
        <ul className="git-changes" aria-label="Changed files">
          {status.changes.map((change) => (
            <li key={`${change.path}:${change.staged}${change.unstaged}`}>
              <span className="git-path">{change.from ? `${change.from} → ${change.path}` : change.path}</span>
              {change.staged !== "." && change.staged !== "?" && (
                <button className="link" onClick={() => show(change, true)}>Staged: {CODES[change.staged] ?? change.staged}</button>
              )}
              {change.unstaged !== "." && (
                <button className="link" onClick={() => show(change, false)}>{change.unstaged === "?" ? "Untracked" : `Not staged: ${CODES[change.unstaged] ?? change.unstaged}`}</button>
              )}
            </li>
          ))}
        </ul>
      )}
      {status.truncated && <p className="hint">More files changed than are listed here.</p>}
      {diff && (
        <article className="git-diff">
          <h2>
            {diff.change.path} {diff.staged ? "(staged)" : ""}
          </h2>
          {diff.problem ? (
            <p className="error" role="alert">The diff could not be read: {diff.problem}</p>
          ) : !diff.diff ? (
            <p className="hint" role="status">Reading the diff…</p>
          ) : diff.diff.diff ? (
            <CodeView id={`git:${projectId}:${diff.change.path}:${diff.staged}`} text={diff.diff.diff} language="diff" label={`Diff of ${diff.change.path}`} />
          ) : (
            <p className="hint">No difference.</p>
          )}
          {diff.diff?.truncated && <p className="hint">The diff is cut short: it is larger than is shown here.</p>}
        </article>
      )}
    </section>
  );
}
