// A project's files: found by name (the `.gitignore`d left out), and one shown read-only with
// its language highlighted; a folder narrows the list to what is in it. Large and binary files
// say so instead.
import { File, Folder } from "lucide-react";
import { useEffect, useRef, useState } from "react";

import type { FileContent, FileEntry } from "../gen/protocol";
import { AppLink } from "../layout/AppLink";
import type { TetherClient } from "../protocol/client";
import { filePath } from "../routes";
import { CodeView, languageOf } from "./CodeView";

type Props = { client: TetherClient; projectId: string; path: string };

export function FilesView({ client, projectId, path }: Props) {
  return path ? <FileShown client={client} projectId={projectId} path={path} /> : <FileFinder client={client} projectId={projectId} />;
}

function FileFinder({ client, projectId }: Omit<Props, "path">) {
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<{ entries: FileEntry[]; truncated: boolean } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const asked = useRef(0);
  useEffect(() => {
    const mine = ++asked.current;
    // Asked once typing pauses, the newest answer winning.
    const timer = setTimeout(() => {
      client.request("files.search", { project_id: projectId, query, limit: 100 }).then(
        (answer) => mine === asked.current && (setFound(answer), setProblem(null)),
        (error: { message: string }) => mine === asked.current && setProblem(error.message),
      );
    }, 100);
    return () => clearTimeout(timer);
  }, [client, projectId, query]);
  return (
    <section className="files" aria-label="Files">
      <input type="search" className="search-box" value={query} onChange={(event) => setQuery(event.target.value)} placeholder="Find a file by name…" aria-label="Find a file" />
      {problem && <p className="error" role="alert">{problem}</p>}
      {found?.truncated && <p className="hint">This project has more files than are searched; the first 200,000 are.</p>}
      {found && found.entries.length === 0 && <p className="hint">No file matches.</p>}
      <ul className="file-list">
        {found?.entries.map((entry) => (
          <li key={entry.path}>
            {entry.kind === "folder" ? (
              <button className="link" onClick={() => setQuery(`${entry.path}/`)}>
                <Folder size={16} aria-hidden="true" /> {entry.path}/
              </button>
            ) : (
              <AppLink href={filePath(projectId, entry.path)}>
                <File size={16} aria-hidden="true" /> {entry.path}
              </AppLink>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function FileShown({ client, projectId, path }: Props) {
  const [file, setFile] = useState<FileContent | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    setFile(null);
    client.request("files.read", { project_id: projectId, path }).then(
      (read) => current && (setFile(read), setProblem(null)),
      (error: { message: string }) => current && setProblem(error.message),
    );
    return () => {
      current = false;
    };
  }, [client, projectId, path]);
  return (
    <section className="file" aria-label={path}>
      <h2 className="file-path">
        {path} <AppLink href={filePath(projectId)}>All files</AppLink>
      </h2>
      {problem && <p className="error" role="alert">{problem}</p>}
      {!file && !problem && <p className="hint loading" role="status">Reading the file…</p>}
      {file?.body.kind === "binary" && <p className="hint">A binary file ({file.size.toLocaleString()} bytes): not shown.</p>}
      {file?.body.kind === "too_large" && (
        <p className="hint">
          Too large to show here: {file.size.toLocaleString()} bytes, past the {file.body.limit.toLocaleString()} shown.
        </p>
      )}
      {file?.body.kind === "text" && <CodeView id={`file:${projectId}:${path}:${file.size}`} text={file.body.text} language={languageOf(path)} label={`Contents of ${path}`} />}
    </section>
  );
}
