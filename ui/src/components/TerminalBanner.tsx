// What a terminal session is, above its conversation: followed live while a terminal writes
// it (read-only, its approvals answered there, forkable), or continued by the next message.
import { useState } from "react";

import type { TerminalSession } from "../gen/protocol";

type Props = { live: boolean; transcript: TerminalSession | null; fork(): Promise<void> };

export function TerminalBanner({ live, transcript, fork }: Props) {
  const [problem, setProblem] = useState<string | null>(null);
  const [forking, setForking] = useState(false);
  const forkOnce = () => {
    setForking(true);
    setProblem(null);
    fork()
      .catch((error: { message: string }) => setProblem(error.message))
      .finally(() => setForking(false));
  };
  const where = transcript?.folder ? ` in ${transcript.folder}` : "";
  return (
    <section className={`terminal-banner${live ? " terminal-live" : ""}`} aria-label="Terminal session">
      {live ? (
        <p>
          <strong>Running in a terminal{where}.</strong> You are following it live, read-only; its approvals
          are answered in the terminal. To write here without two places writing into one conversation, fork it.
        </p>
      ) : (
        <p>
          A Claude Code session from your terminal{where}. Your next message continues it here, with everything
          Tether sessions have.
        </p>
      )}
      {transcript && transcript.skipped_lines > 0 && (
        <p className="hint">{transcript.skipped_lines} lines of its transcript could not be read: {transcript.problem}</p>
      )}
      <button onClick={forkOnce} disabled={forking}>
        Fork into a new session
      </button>
      {problem && <p className="error" role="alert">{problem}</p>}
    </section>
  );
}
