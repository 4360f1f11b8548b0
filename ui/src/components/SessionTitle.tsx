// A session's name in its chat header, and renaming it there: Rename, type, Enter saves
// (an empty name takes it away), Escape leaves it as it was.
import { useState } from "react";

import { composing } from "../chat/shortcuts";

type Props = {
  title: string | null;
  disabled: boolean;
  rename(title: string | null): Promise<unknown>;
};

export function SessionTitle({ title, disabled, rename }: Props) {
  const [editing, setEditing] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  if (editing === null) {
    return (
      <div className="session-name">
        <h1 className={title ? "title" : "title hint"}>{title ?? "Untitled session"}</h1>
        <button className="link" disabled={disabled} onClick={() => setEditing(title ?? "")}>
          Rename
        </button>
      </div>
    );
  }
  const save = () =>
    rename(editing.trim() || null).then(
      () => {
        setEditing(null);
        setProblem(null);
      },
      (error: { message?: string }) => setProblem(error.message ?? String(error)),
    );
  return (
    <div className="session-name">
      <input
        aria-label="Session name"
        value={editing}
        maxLength={120}
        autoFocus
        onChange={(event) => setEditing(event.target.value)}
        onKeyDown={(event) => {
          if (composing(event.nativeEvent)) return;
          if (event.key === "Enter") void save();
          if (event.key === "Escape") {
            // Leaves the name alone, and nothing else (not the answer under way).
            event.preventDefault();
            setEditing(null);
          }
        }}
      />
      <button onClick={() => void save()}>Save</button>
      {problem && <span className="error" role="alert">{problem}</span>}
    </div>
  );
}
