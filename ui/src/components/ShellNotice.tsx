// What the installed app shell needs from the user: taking a new build when one is ready, or,
// where this address cannot install the app, why and what to use instead.
import type { Shell } from "../offline/shell";

type Props = { shell: Shell; update(): void };

export function ShellNotice({ shell, update }: Props) {
  if (shell.kind === "installed" && shell.updateReady) {
    return (
      <p className="banner update-ready" role="status">
        A new version of Tether is ready.{" "}
        <button className="primary" onClick={update}>
          Reload
        </button>
      </p>
    );
  }
  if (shell.kind === "untrusted" && location.protocol === "https:") {
    return (
      <details className="banner hint" role="note" aria-label="Install">
        <summary>Here Tether cannot install, start offline or show notifications.</summary>
        This address uses the computer’s own certificate, which this browser does not trust.
        Everything else works here. For those, open Tether at its public URL (Tailscale Serve,
        Cloudflare Tunnel or your own proxy): see “Reaching Tether from anywhere” in Tether’s README.
      </details>
    );
  }
  return null;
}
