// The desktop app's update, at the top of the window: a newer release and what is new in it,
// the download's progress, then "Install and restart" once its signature is checked. Nothing
// installs without the user's click; "Later" hides the offer until the next check.
import { useState } from "react";

import { useUpdates } from "../chat/useUpdates";
import type { UpdateStatus } from "../host/updates";
import { updates } from "../host/updates";

export function UpdateBanner() {
  const status = useUpdates();
  const [hidden, setHidden] = useState<UpdateStatus | null>(null);
  // A refused click, shown only while the status it was made in stands.
  const [refusal, setRefusal] = useState<{ in: UpdateStatus; text: string } | null>(null);
  // The status a step was asked in: its buttons wait for the answer, and the status that answers
  // (an event, which can come before the call returns) has its own buttons ready at once.
  const [pending, setPending] = useState<UpdateStatus | null>(null);
  if (status === null || status === hidden || !worthShowing(status)) return null;
  const act = (word: () => Promise<void>) => {
    setPending(status);
    setRefusal(null);
    word()
      .catch((error: unknown) => setRefusal({ in: status, text: String(error) }))
      .finally(() => setPending((asked) => (asked === status ? null : asked)));
  };
  const later = (
    <button className="link" onClick={() => setHidden(status)}>
      {status.state === "available" || status.state === "ready" ? "Later" : "Dismiss"}
    </button>
  );
  return (
    <section className="update banner" aria-label="Update" role="status">
      {status.state === "available" && (
        <>
          <p>
            <strong>Tether {status.version} is available</strong> (you have {status.current}
            {status.date ? `; released ${new Date(status.date).toLocaleDateString()}` : ""}).
          </p>
          {status.notes && (
            <details open>
              <summary>What's new</summary>
              <p className="notes">{status.notes}</p>
            </details>
          )}
          <div className="actions">
            <button className="primary" disabled={pending === status} onClick={() => act(updates.download)}>Download</button>
            {later}
          </div>
        </>
      )}
      {status.state === "downloading" && (
        <>
          <p>Downloading Tether {status.version}…</p>
          <progress max={status.total ?? undefined} value={status.total === null ? undefined : status.received} />
        </>
      )}
      {status.state === "ready" && (
        <>
          <p>
            <strong>Tether {status.version} is downloaded</strong> and its signature checked. Installing asks for an
            administrator's password, then Tether restarts: your sessions come back, and a turn still under way is
            stopped (send a message to go on).
          </p>
          <div className="actions">
            <button className="primary" disabled={pending === status} onClick={() => act(updates.install)}>Install and restart</button>
            {later}
          </div>
        </>
      )}
      {status.state === "installing" && <p>Installing Tether {status.version}… (the system asks for a password)</p>}
      {status.state === "checking" && <p>Looking for updates…</p>}
      {status.state === "up_to_date" && (
        <p>
          Tether {status.current} is the latest version. {later}
        </p>
      )}
      {status.state === "unavailable" && (
        <p>
          {status.reason} {later}
        </p>
      )}
      {status.state === "failed" && (
        <>
          <p className="error">{status.message}</p>
          <div className="actions">
            <button disabled={pending === status} onClick={() => act(updates.check)}>Try again</button>
            {later}
          </div>
        </>
      )}
      {refusal?.in === status && <p className="error">{refusal.text}</p>}
    </section>
  );
}

/** An offer and its steps always show; after the quiet check at start, nothing else does. */
function worthShowing(status: UpdateStatus): boolean {
  if (status.state === "idle") return false;
  return status.asked || ["available", "downloading", "ready", "installing"].includes(status.state);
}
