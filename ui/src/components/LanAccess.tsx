// LAN access, on the desktop: off by default; on, phones on the network reach the engine over
// TLS at the address shown, and check its certificate's fingerprint.
import type { LanStatus } from "../gen/protocol";

type Props = { lan: LanStatus; toggle(): void; disabled: boolean };

export function LanAccess({ lan, toggle, disabled }: Props) {
  return (
    <section className="lan device" aria-label="LAN access">
      <div>
        <strong>LAN access</strong>
        <span className={`badge ${lan.enabled ? "badge-online" : ""}`}>{lan.enabled ? "on" : "off"}</span>
        <div className="hint">
          {lan.enabled ? (
            <>
              Phones reach this computer at <code>{lan.url}</code>, certificate <code>{lan.fingerprint}</code>
            </>
          ) : (
            "Phones on your network cannot reach this computer: turn it on to pair one."
          )}
        </div>
      </div>
      <button onClick={toggle} disabled={disabled}>
        {lan.enabled ? "Turn off" : "Turn on"}
      </button>
    </section>
  );
}
