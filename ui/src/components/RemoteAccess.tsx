// Reaching Tether from anywhere, on the desktop: Tailscale Serve with one switch, or the public
// URL of your own proxy (Cloudflare Tunnel, Caddy). Pairing links then carry it, and phones
// that use it can install the app, start offline and get notifications.
import { useEffect, useState } from "react";

import type { RemoteStatus } from "../gen/protocol";

type Props = {
  remote: RemoteStatus;
  disabled: boolean;
  /** Sets the public URL, or turns it off with `null`. */
  set(url: string | null): void;
  tailscale(enabled: boolean): void;
};

const BY = { settings: "the settings file", desktop: "you", tailscale: "Tailscale Serve" } as const;

export function RemoteAccess({ remote, disabled, set, tailscale }: Props) {
  const [url, setUrl] = useState(remote.public_url ?? "");
  useEffect(() => setUrl(remote.public_url ?? ""), [remote.public_url]);
  const viaTailscale = remote.source === "tailscale";
  return (
    <section className="remote device" aria-label="Reach from anywhere">
      <div>
        <strong>Reach from anywhere</strong>
        <span className={`badge ${remote.public_url ? "badge-online" : ""}`}>{remote.public_url ? "on" : "off"}</span>
        <div className="hint">
          {remote.public_url && remote.source ? (
            <>
              Phones reach this computer at <code>{remote.public_url}</code> (set by {BY[remote.source]}), and can
              install the app there.
            </>
          ) : (
            "Only this computer and the LAN reach Tether. Tailscale Serve (recommended) or your own HTTPS proxy lets your phones reach it from anywhere, with no port opened to the Internet."
          )}
        </div>
        <form
          className="remote-url"
          onSubmit={(event) => {
            event.preventDefault();
            set(url.trim() === "" ? null : url.trim());
          }}
        >
          <label>
            Public URL
            <input value={url} placeholder="https://desk.example.ts.net" onChange={(event) => setUrl(event.target.value)} disabled={disabled} />
          </label>
          <button type="submit" disabled={disabled || url.trim() === (remote.public_url ?? "").replace(/\/$/, "")}>
            Save
          </button>
        </form>
      </div>
      <div className="actions">
        <button onClick={() => tailscale(!viaTailscale)} disabled={disabled}>
          {viaTailscale ? "Stop Tailscale Serve" : "Use Tailscale Serve"}
        </button>
        {remote.public_url && !viaTailscale && (
          <button onClick={() => set(null)} disabled={disabled}>
            Turn off
          </button>
        )}
      </div>
    </section>
  );
}
