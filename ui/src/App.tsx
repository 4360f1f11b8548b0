// The app: in the desktop window, straight to the sessions; in a browser, pair this device
// first. Then its sessions and chats, with the connection always shown.
import { useEffect, useMemo, useState, useSyncExternalStore } from "react";

import { ConnectionIndicator } from "./components/ConnectionIndicator";
import { UpdateBanner } from "./components/UpdateBanner";
import { useStatus } from "./chat/hooks";
import { browserHost, forgetToken, saveToken, savedToken } from "./host/browser";
import { desktopHost, inDesktopApp, onDesktopCommand, openLinksOutside } from "./host/desktop";
import type { Connect } from "./host/transport";
import { TetherClient } from "./protocol/client";
import { ChatScreen } from "./screens/ChatScreen";
import { DevicesScreen } from "./screens/DevicesScreen";
import { PairScreen } from "./screens/PairScreen";
import { SessionList } from "./screens/SessionList";
import type { Target } from "./chat/target";

export function App() {
  return inDesktopApp() ? <Connected connect={desktopHost} local unpaired={() => undefined} /> : <BrowserApp />;
}

/** A browser holds a device token: paired once, until it is unpaired. */
function BrowserApp() {
  const [token, setToken] = useState(savedToken);
  const connect = useMemo(() => (token === null ? null : browserHost(token)), [token]);
  const [notice, setNotice] = useState<string | undefined>();
  if (connect === null) {
    return (
      <PairScreen
        notice={notice}
        onPaired={(token) => {
          saveToken(token);
          setToken(token);
        }}
      />
    );
  }
  return (
    <Connected
      connect={connect}
      unpaired={() => {
        forgetToken();
        setNotice("This device was unpaired. Pair it again to continue.");
        setToken(null);
      }}
    />
  );
}

/** `local`: the desktop window, the engine's trusted local client. */
function Connected({ connect, local = false, unpaired }: { connect: Connect; local?: boolean; unpaired(): void }) {
  const client = useMemo(() => new TetherClient(connect), [connect]);
  useEffect(() => {
    client.start();
    return () => client.stop();
  }, [client]);
  const status = useStatus(client);
  const queued = useSyncExternalStore(
    (changed) => client.onQueue(changed),
    () => client.queued,
  );
  const problem = useSyncExternalStore(
    (changed) => client.onStatus(changed),
    () => client.problem,
  );
  const [screen, setScreen] = useState<"sessions" | "devices">("sessions");
  const [opened, setOpened] = useState<Target | null>(null);
  // "Pair a device…" from the tray: pairing starts on the Devices screen, once.
  const [pairAsked, setPairAsked] = useState(false);
  useEffect(() => (local ? openLinksOutside() : undefined), [local]);
  useEffect(() => {
    if (!local) return;
    return onDesktopCommand((command) => {
      if (command.kind === "pair") {
        setScreen("devices");
        setPairAsked(true);
      } else {
        setScreen("sessions");
        setOpened({ kind: "session", id: command.session_id });
      }
    });
  }, [local]);
  useEffect(() => {
    if (status === "revoked") unpaired();
  }, [status, unpaired]);

  return (
    <div className="app">
      <header className="top">
        <nav aria-label="Screens">
          <button className="link" aria-current={screen === "sessions"} onClick={() => { setScreen("sessions"); setOpened(null); }}>
            Tether
          </button>
          <button className="link" aria-current={screen === "devices"} onClick={() => setScreen("devices")}>
            Devices
          </button>
        </nav>
        <ConnectionIndicator status={status} queued={queued} />
      </header>
      {problem && status !== "connected" && <p className="error banner" role="alert">{problem}</p>}
      {local && <UpdateBanner />}
      {screen === "devices" ? (
        <DevicesScreen client={client} status={status} local={local} pairAsked={pairAsked} pairingStarted={() => setPairAsked(false)} />
      ) : opened === null ? (
        <SessionList client={client} status={status} local={local} open={setOpened} />
      ) : (
        <ChatScreen
          key={`${opened.kind}:${opened.id}`}
          client={client}
          sessionId={opened.id}
          terminal={opened.kind === "terminal"}
          back={() => setOpened(null)}
          open={setOpened}
        />
      )}
    </div>
  );
}
