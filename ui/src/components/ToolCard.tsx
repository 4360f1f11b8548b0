// A tool call in the conversation: its name and what it acts on, folded; open, its input
// (a diff for edits) and its result, long results cut to a screenful until asked. A folded
// card draws nothing more, so a long chat stays quick.
import { useState } from "react";

import { resultText, toolSummary } from "../chat/tools";
import type { ToolOutcome } from "../gen/protocol";
import { CopyButton } from "./CopyButton";
import { ToolInput } from "./ToolInput";

/** Characters of a result shown before "Show all". */
const PREVIEW = 4_000;

type Props = { name: string; input: unknown; result: ToolOutcome | null };

export function ToolCard({ name, input, result }: Props) {
  const [open, setOpen] = useState(false);
  const summary = toolSummary(name, input);
  const state = result === null ? "running" : result.is_error ? "failed" : "done";
  return (
    <details className={`tool tool-${state}`} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>
        <span className="tool-name">{name}</span>
        {summary && <span className="tool-summary">{summary}</span>}
        <span className="tool-state" aria-hidden="true">{state === "running" ? "…" : state === "failed" ? "✕" : "✓"}</span>
        <span className="visually-hidden">{state}</span>
      </summary>
      {open && <ToolInput name={name} input={input} />}
      {open && result && <ToolResult text={resultText(result.content)} failed={result.is_error} />}
    </details>
  );
}

function ToolResult({ text, failed }: { text: string; failed: boolean }) {
  const [whole, setWhole] = useState(false);
  const cut = !whole && text.length > PREVIEW;
  return (
    <div className={`tool-result ${failed ? "error" : ""}`}>
      <pre>{cut ? `${text.slice(0, PREVIEW)}…` : text}</pre>
      <CopyButton text={text} label="Copy output" />
      {cut && (
        <button className="link" onClick={() => setWhole(true)}>
          Show all {text.length.toLocaleString()} characters
        </button>
      )}
    </div>
  );
}
