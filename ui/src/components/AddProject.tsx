// Registers a folder as a project (the desktop window: the engine allows any folder to the
// local client), typed or chosen with the system's folder picker.
import { type FormEvent, useState } from "react";

import { inDesktopApp, pickFolder } from "../host/desktop";

export function AddProject({ add, disabled }: { add(path: string): Promise<void>; disabled: boolean }) {
  const [problem, setProblem] = useState<string | null>(null);
  const choose = async () => {
    setProblem(null);
    const folder = await pickFolder().catch((error: unknown) => {
      setProblem(String(error));
      return null;
    });
    if (folder) await add(folder);
  };
  const [path, setPath] = useState("");
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!path.trim()) return;
    await add(path.trim());
    setPath("");
  }
  return (
    <form className="add-project" onSubmit={(event) => void submit(event)}>
      <label>
        <span className="visually-hidden">Project folder</span>
        <input value={path} onChange={(event) => setPath(event.target.value)} placeholder="/home/you/code/project" aria-label="Project folder" spellCheck={false} />
      </label>
      <button type="submit" disabled={disabled || !path.trim()}>Add project</button>
      {inDesktopApp() && (
        <button type="button" disabled={disabled} onClick={() => void choose()}>
          Choose a folder…
        </button>
      )}
      {problem && <p className="error" role="alert">{problem}</p>}
    </form>
  );
}
