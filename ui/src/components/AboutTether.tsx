// The desktop app's version, and a way to look for a newer one (what the tray's "Check for
// updates…" does); the answer shows in the update banner.
import { useUpdates } from "../chat/useUpdates";
import { isBusy, updates } from "../host/updates";

export function AboutTether() {
  const status = useUpdates();
  if (status === null) return null;
  return (
    <footer className="about">
      Tether {status.current} ·{" "}
      <button className="link" disabled={isBusy(status)} onClick={() => void updates.check()}>
        Check for updates
      </button>
    </footer>
  );
}
