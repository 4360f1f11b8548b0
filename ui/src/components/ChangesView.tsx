// What a session changed: each file its applied edits touched, with those edits as diffs and
// a link to the file as it is now. The whole conversation is read for it, not only the page
// the chat shows.
import { FileText } from "lucide-react";
import { useEffect, useState } from "react";

import { type ChangedFile, changesOf } from "../chat/changes";
import type { TetherClient } from "../protocol/client";
import { AppLink } from "../layout/AppLink";
import { filePath } from "../routes";
import { DiffView } from "./DiffView";

type Props = { client: TetherClient; sessionId: string; projectId: string; projectPath: string };

export function ChangesView({ client, sessionId, projectId, projectPath }: Props) {
  const [changed, setChanged] = useState<ChangedFile[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    client.request("sessions.get", { session_id: sessionId }).then(
      (snapshot) => current && setChanged(changesOf(snapshot.messages, projectPath)),
      (error: { message: string }) => current && setProblem(`The changes could not be read: ${error.message}`),
    );
    return () => {
      current = false;
    };
  }, [client, sessionId, projectPath]);
  if (problem) return <p className="error" role="alert">{problem}</p>;
  if (!changed) return <p className="hint loading" role="status">Reading the session’s changes…</p>;
  return (
    <section className="changes" aria-label="Files changed in this session">
      {changed.length === 0 ? (
        <p className="hint empty">Claude has not changed any file in this session yet.</p>
      ) : (
        <p className="hint">
          {changed.length} {changed.length === 1 ? "file" : "files"} changed by Claude’s edits in this session.
        </p>
      )}
      {changed.map((file) => (
        <article key={file.path} className="changed-file">
          <h2>
            <FileText size={18} aria-hidden="true" /> {file.path}
            {file.inProject !== null && (
              <AppLink className="changed-open" href={filePath(projectId, file.inProject)}>
                Open the file
              </AppLink>
            )}
          </h2>
          {file.edits.map((edit, index) => (
            <DiffView key={index} edit={edit} />
          ))}
        </article>
      ))}
    </section>
  );
}
