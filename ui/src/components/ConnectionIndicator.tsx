// Always visible: whether this device is connected to the engine.
import type { Status } from "../protocol/client";

const LABELS: Record<Status, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  // Not reached on the last try; the next is on its way (the banner says since when).
  reconnecting: "Offline",
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
