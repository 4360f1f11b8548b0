// Pair a new device: the QR code to scan (or the code to type), how long it lasts, and each
// device that presents it, to approve or deny by name and address.
import { useEffect, useState } from "react";

import type { Pairing } from "../chat/usePairing";

export function PairDevicePanel({ pairing, offline }: { pairing: Pairing; offline: boolean }) {
  const { offer } = pairing;
  const left = useSecondsLeft(offer?.expires_at ?? null);
  const expired = offer !== null && left === 0;
  return (
    <section className="pair-panel" aria-label="Pair a new device">
      {offer === null || expired ? (
        <button className="primary" onClick={() => void pairing.start()} disabled={offline}>
          {expired ? "The code expired: get a new one" : "Pair a new device"}
        </button>
      ) : (
        <div className="offer">
          {offer.qr_svg && (
            <img className="qr" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(offer.qr_svg)}`} alt="QR code that opens Tether with the pairing code" />
          )}
          <p>
            Scan it with the phone’s camera, or open Tether there and type <strong className="code">{offer.code}</strong>
          </p>
          {offer.fingerprint ? (
            <p className="hint fingerprint">
              If the phone’s browser warns about the certificate, its SHA-256 fingerprint there must read{" "}
              <code>{offer.fingerprint}</code>
            </p>
          ) : (
            <p className="hint">LAN access is off: this code only works in a browser on this computer.</p>
          )}
          <p className="hint">
            Works once, for {Math.floor(left / 60)}:{String(left % 60).padStart(2, "0")} more.{" "}
            <button className="link" onClick={pairing.stop}>Cancel</button>
          </p>
        </div>
      )}
      {pairing.waiting.map((request) => (
        <div key={request.id} className="approval pair-request" role="alertdialog" aria-label={`Pair ${request.name}?`}>
          <p className="pair-request-who">
            <strong className="device-name">“{request.name}”</strong> asks to {request.machine ? "join as a machine" : "pair"}{" "}
            from <strong className="address">{request.address ?? "this computer"}</strong>
          </p>
          <p className="hint">
            {request.machine
              ? "Only approve a computer you just ran tether agent pair on, at that address. Once added, it runs sessions here in the folders it offers; it cannot see or drive anything else."
              : "Only approve a device you are holding, at that address. Once paired, it can run Claude Code in your projects and approve what Claude does there."}
          </p>
          <div className="actions">
            <button className="primary" onClick={() => void pairing.answer(request, true)}>Approve</button>
            <button className="deny" onClick={() => void pairing.answer(request, false)}>Deny</button>
          </div>
        </div>
      ))}
      {pairing.outcome && <p role="status">{pairing.outcome}</p>}
      {pairing.problem && <p className="hint" role="alert">{pairing.problem}</p>}
    </section>
  );
}

/** Seconds until `deadline` (seconds since the epoch), never below zero. */
const remaining = (deadline: number | null) => (deadline === null ? 0 : Math.max(0, Math.round(deadline - Date.now() / 1000)));

/** The seconds left until `deadline`, read at each render and re-rendered each second. */
function useSecondsLeft(deadline: number | null): number {
  const [, tick] = useState(0);
  useEffect(() => {
    if (deadline === null) return;
    const timer = setInterval(() => tick((count) => count + 1), 1000);
    return () => clearInterval(timer);
  }, [deadline]);
  return remaining(deadline);
}
