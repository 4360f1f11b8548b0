// Pair this device: the code from the QR link (or typed), a name, then the desktop's answer.
import { type FormEvent, useState } from "react";

import { pair, pairingCode } from "../host/browser";

export function PairScreen({ onPaired, notice }: { onPaired(token: string): void; notice?: string }) {
  const [code, setCode] = useState(pairingCode(location.hash) ?? "");
  const [name, setName] = useState(guessName());
  const [state, setState] = useState<"idle" | "waiting" | "failed">("idle");
  const [message, setMessage] = useState(notice ?? "");

  async function submit(event: FormEvent) {
    event.preventDefault();
    setState("waiting");
    setMessage("Approve this device on your computer.");
    try {
      const token = await pair(code.trim(), name.trim());
      history.replaceState(null, "", location.pathname);
      onPaired(token);
    } catch (error) {
      setState("failed");
      setMessage((error as Error).message);
    }
  }

  return (
    <main className="pair">
      <h1>Pair with Tether</h1>
      <p>Run <code>tether pair</code> on your computer (or choose “Pair a device”), then enter the code it shows.</p>
      {location.protocol === "https:" && (
        <p className="hint">
          If your browser warned about this page’s certificate, open the certificate in the browser’s address bar
          before you pair: its SHA-256 fingerprint must read as the one Tether shows on your computer.
        </p>
      )}
      <form onSubmit={submit}>
        <label>
          Pairing code
          <input value={code} onChange={(e) => setCode(e.target.value)} autoComplete="one-time-code" autoCapitalize="characters" inputMode="text" required maxLength={12} placeholder="7KQF-3M9D" />
        </label>
        <label>
          This device’s name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} />
        </label>
        <button type="submit" className="primary" disabled={state === "waiting"}>
          {state === "waiting" ? "Waiting for approval…" : "Pair"}
        </button>
      </form>
      {message && <p className={state === "failed" ? "error" : "hint"} role="alert">{message}</p>}
    </main>
  );
}

/** A name the user will recognise in the device list. */
function guessName(): string {
  const agent = navigator.userAgent;
  if (/iPhone/.test(agent)) return "iPhone";
  if (/iPad/.test(agent)) return "iPad";
  if (/Android/.test(agent)) return "Android phone";
  return "Browser";
}
