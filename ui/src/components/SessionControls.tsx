// The session's model and permission mode, changed in place: the running `claude` takes the
// change (or refuses it, and the old value stays and the reason shows).
import { useState } from "react";

import type { SessionInfo } from "../gen/protocol";
import type { TetherClient } from "../protocol/client";

/** The aliases the CLI understands, besides full model names. */
const MODELS = ["sonnet", "opus", "haiku"];

export const PERMISSION_MODES: [string, string][] = [
  ["default", "Ask before acting"],
  ["acceptEdits", "Accept edits"],
  ["plan", "Plan only"],
  ["bypassPermissions", "Bypass permissions"],
];

const BYPASS_WARNING = "Bypass permissions? Claude will run every tool, commands and edits included, without asking.";

type Props = { client: TetherClient; session: SessionInfo; disabled: boolean };

export function SessionControls({ client, session, disabled }: Props) {
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function change(request: () => Promise<unknown>) {
    setBusy(true);
    setProblem(null);
    try {
      await request();
    } catch (error) {
      setProblem((error as { message: string }).message);
    } finally {
      setBusy(false);
    }
  }

  const models = session.model && !MODELS.includes(session.model) ? [session.model, ...MODELS] : MODELS;
  return (
    <div className="session-controls">
      <label>
        <span className="visually-hidden">Model</span>
        <select
          aria-label="Model"
          value={session.model ?? ""}
          disabled={disabled || busy}
          onChange={(event) => void change(() => client.request("sessions.set_model", { session_id: session.id, model: event.target.value }))}
        >
          {session.model === null && <option value="">Default model</option>}
          {models.map((model) => (
            <option key={model} value={model}>{model}</option>
          ))}
        </select>
      </label>
      <label>
        <span className="visually-hidden">Permission mode</span>
        <select
          aria-label="Permission mode"
          value={session.permission_mode}
          disabled={disabled || busy}
          onChange={(event) => {
            const mode = event.target.value;
            if (mode === "bypassPermissions" && !confirm(BYPASS_WARNING)) return;
            void change(() => client.request("sessions.set_permission_mode", { session_id: session.id, mode }));
          }}
        >
          {PERMISSION_MODES.map(([mode, label]) => (
            <option key={mode} value={mode}>{label}</option>
          ))}
        </select>
      </label>
      {problem && <p className="error" role="alert">{problem}</p>}
    </div>
  );
}
