// LAN access, on the desktop: off by default; on, phones on the network reach the engine over
// TLS at the address shown, and check its certificate's fingerprint. The certificate can be
// replaced, after which every device accepts (or pins) the new one.
import type { LanStatus } from "../gen/protocol";

type Props = { lan: LanStatus; toggle(): void; rotate(): void; disabled: boolean };

export function LanAccess({ lan, toggle, rotate, disabled }: Props) {
  return (
    <section className="lan device" aria-label="LAN access">
      <div>
        <strong>LAN access</strong>
        <span className={`badge ${lan.enabled ? "badge-online" : ""}`}>{lan.enabled ? "on" : "off"}</span>
        <div className="hint">
          {lan.enabled ? (
            <>
              Phones reach this computer at <code>{lan.url}</code>, certificate <code>{lan.fingerprint}</code>
              {lan.expires_at !== null && <> (until {new Date(lan.expires_at * 1000).toLocaleDateString()})</>}
            </>
          ) : (
            "Phones on your network cannot reach this computer: turn it on to pair one."
          )}
        </div>
      </div>
      <div className="actions">
        {lan.enabled && (
          <button onClick={rotate} disabled={disabled} title="Make a new certificate: every device accepts or pins it again">
            Replace certificate
          </button>
        )}
        <button onClick={toggle} disabled={disabled}>
          {lan.enabled ? "Turn off" : "Turn on"}
        </button>
      </div>
    </section>
  );
}
