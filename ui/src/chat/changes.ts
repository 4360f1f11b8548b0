// What a session changed: the files its applied edits touched (Edit, MultiEdit and Write calls
// whose result came back without an error), each with its edits in order, from the
// transcript alone. Paths inside the project are shown relative to it.
import type { Message } from "../gen/protocol";
import { type FileEdit, editsOf } from "./tools";

export type ChangedFile = {
  /** As shown: relative to the project when inside it. */
  path: string;
  /** Relative to the project, to open it there; `null` when outside. */
  inProject: string | null;
  edits: FileEdit[];
};

export function changesOf(messages: Message[], projectPath: string): ChangedFile[] {
  const files = new Map<string, ChangedFile>();
  for (const message of messages) {
    for (const part of message.parts) {
      if (part.kind !== "tool_use" || !part.result || part.result.is_error) continue;
      for (const edit of editsOf(part.name, part.input) ?? []) {
        if (!edit.path) continue;
        const inProject = relativeTo(projectPath, edit.path);
        const shown = inProject ?? edit.path;
        const file = files.get(shown) ?? { path: shown, inProject, edits: [] };
        file.edits.push({ ...edit, path: shown });
        files.set(shown, file);
      }
    }
  }
  return [...files.values()];
}

function relativeTo(folder: string, path: string): string | null {
  // The project's folder unknown: no absolute path can be said to be in it.
  if (!folder) return path.startsWith("/") ? null : path;
  const root = folder.endsWith("/") ? folder : `${folder}/`;
  if (path.startsWith(root)) return path.slice(root.length);
  return path.startsWith("/") ? null : path;
}
