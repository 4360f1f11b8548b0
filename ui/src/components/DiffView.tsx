// A file edit as a diff: removed lines red, added green, far unchanged lines folded. A write
// of a whole file says so: what it replaces is not known here. A huge diff shows its first
// lines until asked for all.
import { useMemo, useState } from "react";

import { diffLines } from "../chat/diff";
import type { FileEdit } from "../chat/tools";

const MARKS = { same: " ", added: "+", removed: "-" } as const;

/** Lines drawn before "Show all". */
const PREVIEW_LINES = 400;

export function DiffView({ edit }: { edit: FileEdit }) {
  const diff = useMemo(() => diffLines(edit.before, edit.after), [edit.before, edit.after]);
  const added = diff.filter((line) => line.kind === "added").length;
  const removed = diff.filter((line) => line.kind === "removed").length;
  const [whole, setWhole] = useState(false);
  const shown = whole ? diff : diff.slice(0, PREVIEW_LINES);
  return (
    <figure className="diff">
      <figcaption>
        <code>{edit.path}</code>{" "}
        {edit.whole ? (
          <span>writes the whole file ({added} {added === 1 ? "line" : "lines"})</span>
        ) : (
          <>
            <span className="diff-added">+{added}</span> <span className="diff-removed">−{removed}</span>
          </>
        )}
      </figcaption>
      <pre aria-label={`Changes to ${edit.path}`}>
        {shown.map((line, index) =>
          line.kind === "folded" ? (
            <span key={index} className="diff-line diff-folded">
              ⋯ {line.count} unchanged {line.count === 1 ? "line" : "lines"}
            </span>
          ) : (
            <span key={index} className={`diff-line diff-${line.kind}`}>
              {MARKS[line.kind]} {line.text}
            </span>
          ),
        )}
      </pre>
      {shown.length < diff.length && (
        <button className="link" onClick={() => setWhole(true)}>
          Show all {diff.length.toLocaleString()} lines
        </button>
      )}
    </figure>
  );
}
