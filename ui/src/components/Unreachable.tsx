// When this device cannot reach the desktop: since when, and the prompts that wait here to be
// sent once it is back (they survive closing the app).
import type { WaitingPrompt } from "../protocol/client";

type Props = { since: number; offline: boolean; waiting: WaitingPrompt[] };

export function Unreachable({ since, offline, waiting }: Props) {
  const when = new Date(since);
  const today = when.toDateString() === new Date().toDateString();
  const at = today ? when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : when.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  return (
    <section className="unreachable banner" role="alert" aria-label="Unreachable">
      <strong>Offline</strong> since {at}:{" "}
      {offline ? "this device has no network." : "the desktop is unreachable (Tether may be closed there, or the computer asleep)."}{" "}
      Tether keeps trying.
      {waiting.length > 0 ? (
        <>
          {" "}These wait here and are sent when it is back:
          <ul className="waiting" aria-label="Waiting to send">
            {waiting.map((prompt) => (
              <li key={prompt.clientId}>{prompt.text}</li>
            ))}
          </ul>
        </>
      ) : (
        " Messages you send wait here until it is back."
      )}
    </section>
  );
}
