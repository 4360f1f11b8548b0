// A tool waiting for the user's word, shown on every device at once: what it will do, then
// allow once, always allow (when the CLI proposes a rule) or deny. The first answer wins.
import { useState } from "react";

import { inputView, toolSummary } from "../chat/tools";
import type { Approval } from "../gen/protocol";
import { ToolInput } from "./ToolInput";

export type Decision = "once" | "always" | "deny";

type Props = { approval: Approval; decide(decision: Decision): Promise<unknown> };

export function ApprovalCard({ approval, decide }: Props) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  // A diff names its file and a command shows itself: the summary would only repeat them.
  const summary = inputView(approval.tool_name, approval.input).kind === "json" ? toolSummary(approval.tool_name, approval.input) : "";

  async function answer(decision: Decision) {
    setBusy(true);
    setProblem(null);
    try {
      await decide(decision);
    } catch (error) {
      setProblem((error as { message: string }).message);
      setBusy(false);
    }
  }

  return (
    <section className="approval" role="alertdialog" aria-label={`Allow ${approval.tool_name}?`}>
      <p>
        Claude wants to use <strong>{approval.tool_name}</strong>
        {summary && <code className="approval-summary">{summary}</code>}
      </p>
      {approval.description && <p className="hint">{approval.description}</p>}
      <ToolInput name={approval.tool_name} input={approval.input} />
      {problem && <p className="error" role="alert">{problem}</p>}
      <div className="actions">
        <button className="primary" disabled={busy} onClick={() => void answer("once")}>Allow once</button>
        {approval.suggestions.length > 0 && (
          <button disabled={busy} onClick={() => void answer("always")}>Always allow</button>
        )}
        <button className="deny" disabled={busy} onClick={() => void answer("deny")}>Deny</button>
      </div>
    </section>
  );
}
