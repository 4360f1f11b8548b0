// Registers a folder as a project (the desktop only: the engine allows it to the local client).
import { type FormEvent, useState } from "react";

export function AddProject({ add, disabled }: { add(path: string): Promise<void>; disabled: boolean }) {
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
    </form>
  );
}
