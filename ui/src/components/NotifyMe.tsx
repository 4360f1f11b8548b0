// "Notify me on this device": Web Push to this browser when Claude needs you (an approval),
// finishes, or a session fails, as chosen; or why it cannot work here.
import { useCallback, useEffect, useState } from "react";

import type { NotifyKind, PushSubscribeParams } from "../gen/protocol";
import { useShell } from "../offline/shell";
import type { TetherClient } from "../protocol/client";
import { KINDS, toggled } from "./notifyKinds";

type State =
  | { kind: "loading" }
  | { kind: "unavailable"; why: string }
  | { kind: "off" }
  | { kind: "on"; endpoint: string; chosen: NotifyKind[] };

/** Why push cannot work in this browser, if it cannot (`installed`: whether the app's
 * service worker is). */
function whyNot(installed: boolean): string | null {
  if (!installed || !("PushManager" in window)) {
    return "This address cannot show notifications: open Tether at its public URL (see “Reaching Tether from anywhere” in Tether’s README).";
  }
  const apple = /iPhone|iPad/.test(navigator.userAgent);
  if (apple && !matchMedia("(display-mode: standalone)").matches) {
    return "On iPhone and iPad, add Tether to the Home Screen first (Share, then Add to Home Screen), and open it from there.";
  }
  if (Notification.permission === "denied") return "Notifications are blocked for this site in the browser’s settings.";
  return null;
}

export function NotifyMe({ client, connected }: { client: TetherClient; connected: boolean }) {
  const [state, setState] = useState<State>({ kind: "loading" });
  const [problem, setProblem] = useState<string | null>(null);
  const shell = useShell();
  const load = useCallback(async () => {
    if (shell.kind === "none") return;
    const why = whyNot(shell.kind === "installed");
    if (why) return setState({ kind: "unavailable", why });
    const registration = await navigator.serviceWorker.ready;
    const subscription = await registration.pushManager.getSubscription();
    const mine = subscription ? (await client.request("push.list")).find((kept) => kept.endpoint === subscription.endpoint) : undefined;
    setState(mine ? { kind: "on", endpoint: mine.endpoint, chosen: mine.kinds } : { kind: "off" });
  }, [client, shell.kind]);
  useEffect(() => {
    if (connected) load().catch((error: { message?: string }) => setProblem(error.message ?? String(error)));
  }, [connected, load]);

  const subscribe = async (chosen: NotifyKind[]) => {
    if ((await Notification.requestPermission()) !== "granted") return load();
    const { vapid_public_key } = await client.request("push.status");
    const registration = await navigator.serviceWorker.ready;
    const subscription =
      (await registration.pushManager.getSubscription()) ??
      (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: vapid_public_key }));
    const json = subscription.toJSON() as PushSubscribeParams;
    await client.request("push.subscribe", { endpoint: json.endpoint, keys: json.keys, kinds: chosen });
    await load();
  };
  const turnOff = async (endpoint: string) => {
    await client.request("push.unsubscribe", { endpoint });
    await (await (await navigator.serviceWorker.ready).pushManager.getSubscription())?.unsubscribe();
    await load();
  };
  const act = (action: () => Promise<unknown>) =>
    action().then(
      () => setProblem(null),
      (error: { message?: string }) => setProblem(error.message ?? String(error)),
    );

  return (
    <section className="notify device" aria-label="Notifications">
      <div>
        <strong>Notify me on this device</strong>
        {state.kind === "unavailable" && <p className="hint">{state.why}</p>}
        {state.kind === "off" && (
          <button disabled={!connected} onClick={() => void act(() => subscribe(["approval", "failed"]))}>
            Turn on
          </button>
        )}
        {state.kind === "on" && (
          <>
            {KINDS.map(({ kind, label }) => (
              <label key={kind}>
                <input
                  type="checkbox"
                  checked={state.chosen.includes(kind)}
                  disabled={!connected || (state.chosen.length === 1 && state.chosen.includes(kind))}
                  onChange={(event) => {
                    void act(() => subscribe(toggled(state.chosen, kind, event.target.checked)));
                  }}
                />
                {label}
              </label>
            ))}
            <button disabled={!connected} onClick={() => void act(() => client.request("push.test"))}>
              Send a test
            </button>
            <button disabled={!connected} onClick={() => void act(() => turnOff(state.endpoint))}>
              Turn off
            </button>
          </>
        )}
        {problem && <p className="error" role="alert">{problem}</p>}
      </div>
    </section>
  );
}
