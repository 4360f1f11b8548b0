// The desktop app's version, and a way to look for a newer one (what the tray's "Check for
// updates…" does); the answer shows in the update banner.
import { useUpdates } from "../chat/useUpdates";
import { updates } from "../host/updates";

export function AboutTether() {
  const status = useUpdates();
  if (status === null) return null;
  const busy = ["checking", "downloading", "installing"].includes(status.state);
  return (
    <footer className="about">
      Tether {status.current} ·{" "}
      <button className="link" disabled={busy} onClick={() => void updates.check()}>
        Check for updates
      </button>
    </footer>
  );
}
