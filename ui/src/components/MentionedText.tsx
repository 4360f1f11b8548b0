// A prompt's text with its `@` mentions of files as links to the file viewer, in the project
// the chat's session runs in (given by `MentionProject`). Punctuation after a mention is text.
import { createContext, useContext } from "react";

import { AppLink } from "../layout/AppLink";
import { filePath } from "../routes";

/** The project the mentions are in; none, no links. */
export const MentionProject = createContext<string | null>(null);

/** `@` after a space, then the path: the shortest that only punctuation separates from a space
 * or the end. A folder (ending in `/`) is left as text. */
const MENTION = /(^|\s)@([^\s@]+?)(?=[.,;:!?)\]'"]*(?:\s|$))/g;

export function MentionedText({ text }: { text: string }) {
  const projectId = useContext(MentionProject);
  if (projectId === null || !text.includes("@")) return <>{text}</>;
  const pieces = [];
  let from = 0;
  for (const found of text.matchAll(MENTION)) {
    const start = found.index + found[1]!.length;
    const path = found[2]!;
    if (path.endsWith("/")) continue;
    pieces.push(text.slice(from, start));
    pieces.push(
      <AppLink key={start} href={filePath(projectId, path)}>
        @{path}
      </AppLink>,
    );
    from = start + path.length + 1;
  }
  pieces.push(text.slice(from));
  return <>{pieces}</>;
}
