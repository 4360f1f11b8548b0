// The app: pair this device, then its sessions and chats, with the connection always shown.
import { useEffect, useMemo, useState, useSyncExternalStore } from "react";

import { ConnectionIndicator } from "./components/ConnectionIndicator";
import { useStatus } from "./chat/hooks";
import { browserHost, forgetToken, saveToken, savedToken } from "./host/browser";
import { TetherClient } from "./protocol/client";
import { ChatScreen } from "./screens/ChatScreen";
import { DevicesScreen } from "./screens/DevicesScreen";
import { PairScreen } from "./screens/PairScreen";
import { SessionList } from "./screens/SessionList";

export function App() {
  const [token, setToken] = useState(savedToken);
  const [notice, setNotice] = useState<string | undefined>();
  if (token === null) {
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
      token={token}
      unpaired={() => {
        forgetToken();
        setNotice("This device was unpaired. Pair it again to continue.");
        setToken(null);
      }}
    />
  );
}

function Connected({ token, unpaired }: { token: string; unpaired(): void }) {
  const client = useMemo(() => new TetherClient(browserHost(token)), [token]);
  useEffect(() => {
    client.start();
    return () => client.stop();
  }, [client]);
  const status = useStatus(client);
  const queued = useSyncExternalStore(
    (changed) => client.onQueue(changed),
    () => client.queued,
  );
  const [screen, setScreen] = useState<"sessions" | "devices">("sessions");
  const [sessionId, setSessionId] = useState<string | null>(null);
  useEffect(() => {
    if (status === "revoked") unpaired();
  }, [status, unpaired]);

  return (
    <div className="app">
      <header className="top">
        <nav aria-label="Screens">
          <button className="link" aria-current={screen === "sessions"} onClick={() => { setScreen("sessions"); setSessionId(null); }}>
            Tether
          </button>
          <button className="link" aria-current={screen === "devices"} onClick={() => setScreen("devices")}>
            Devices
          </button>
        </nav>
        <ConnectionIndicator status={status} queued={queued} />
      </header>
      {screen === "devices" ? (
        <DevicesScreen client={client} status={status} />
      ) : sessionId === null ? (
        <SessionList client={client} status={status} open={setSessionId} />
      ) : (
        <ChatScreen client={client} sessionId={sessionId} back={() => setSessionId(null)} />
      )}
    </div>
  );
}
