// Always visible: whether this device is connected to the engine.
import type { Status } from "../protocol/client";

const LABELS: Record<Status, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  offline: "Offline",
  revoked: "Unpaired",
};

export function ConnectionIndicator({ status, queued }: { status: Status; queued: number }) {
  const waiting = queued > 0 ? ` · ${queued} to send` : "";
  return (
    <span className={`connection connection-${status}`} role="status" aria-live="polite">
      <span className="connection-dot" aria-hidden="true" />
      {LABELS[status]}
      {waiting}
    </span>
  );
}
