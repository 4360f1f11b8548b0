// The app: in the desktop window, straight to the sessions; in a browser, installed as an app
// shell where the origin allows it, pair this device first. Then its sessions and chats, each
// screen at its own URL, with the connection always shown, and since when the desktop is
// unreachable when it is.
import { type ReactNode, useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { Router } from "wouter";
import { useHashLocation } from "wouter/use-hash-location";

import { ConnectionIndicator } from "./components/ConnectionIndicator";
import { ShellNotice } from "./components/ShellNotice";
import { Unreachable } from "./components/Unreachable";
import { UpdateBanner } from "./components/UpdateBanner";
import { useStatus } from "./chat/hooks";
import { browserHost, browserPrompts, forgetToken, saveToken, savedToken } from "./host/browser";
import { desktopHost, inDesktopApp, onDesktopCommand, openLinksOutside } from "./host/desktop";
import type { Connect } from "./host/transport";
import { installShell, onSessionAsked, takeUpdate, useShell } from "./offline/shell";
import { type PromptStore, TetherClient } from "./protocol/client";
import { ChatScreen } from "./screens/ChatScreen";
import { DevicesScreen } from "./screens/DevicesScreen";
import { PairScreen } from "./screens/PairScreen";
import { SessionList } from "./screens/SessionList";
import { chatPath, upgradeOldLink, useGo, useScreen } from "./routes";

upgradeOldLink();

export function App() {
  return (
    <Router hook={useHashLocation}>
      {inDesktopApp() ? <Connected connect={desktopHost} local unpaired={() => undefined} /> : <BrowserApp />}
    </Router>
  );
}

/** A browser holds a device token: paired once, until it is unpaired. */
function BrowserApp() {
  const [token, setToken] = useState(savedToken);
  const connect = useMemo(() => (token === null ? null : browserHost(token)), [token]);
  const [notice, setNotice] = useState<string | undefined>();
  const shell = useShell();
  useEffect(() => {
    if (import.meta.env.PROD) void installShell();
  }, []);
  const shellNotice = <ShellNotice shell={shell} update={takeUpdate} />;
  if (connect === null) {
    return (
      <>
        {shellNotice}
        <PairScreen
          notice={notice}
          onPaired={(token) => {
            saveToken(token);
            setToken(token);
          }}
        />
      </>
    );
  }
  return (
    <Connected
      connect={connect}
      prompts={browserPrompts}
      notice={shellNotice}
      unpaired={() => {
        forgetToken();
        setNotice("This device was unpaired. Pair it again to continue.");
        setToken(null);
      }}
    />
  );
}

type ConnectedProps = {
  connect: Connect;
  /** The desktop window, the engine's trusted local client. */
  local?: boolean;
  /** Where prompts wait while the engine is unreachable, across restarts. */
  prompts?: PromptStore;
  /** Shown above everything (the app shell's notice). */
  notice?: ReactNode;
  unpaired(): void;
};

function Connected({ connect, local = false, prompts, notice, unpaired }: ConnectedProps) {
  const client = useMemo(() => new TetherClient(connect, { prompts }), [connect, prompts]);
  const online = useOnline();
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
  const screen = useScreen();
  const { go, back } = useGo();
  // A notification's tap opens its session, told by the worker (a link it opened is a route).
  useEffect(() => (local ? undefined : onSessionAsked((id) => go(chatPath({ kind: "session", id })))), [local, go]);
  // "Pair a device…" from the tray: pairing starts on the Devices screen, once.
  const [pairAsked, setPairAsked] = useState(false);
  useEffect(() => (local ? openLinksOutside() : undefined), [local]);
  useEffect(() => {
    if (!local) return;
    return onDesktopCommand((command) => {
      if (command.kind === "pair") {
        go("/devices");
        setPairAsked(true);
      } else {
        go(chatPath({ kind: "session", id: command.session_id }));
      }
    });
  }, [local, go]);
  useEffect(() => {
    if (status === "revoked") unpaired();
  }, [status, unpaired]);

  return (
    <div className="app">
      <header className="top">
        <nav aria-label="Screens">
          <button className="link" aria-current={screen.kind !== "devices"} onClick={() => go("/")}>
            Tether
          </button>
          <button className="link" aria-current={screen.kind === "devices"} onClick={() => go("/devices")}>
            Devices
          </button>
        </nav>
        <ConnectionIndicator status={online || status === "revoked" ? status : "offline"} queued={queued} />
      </header>
      {notice}
      {problem && status !== "connected" && <p className="error banner" role="alert">{problem}</p>}
      {!local && client.unreachableSince !== null && status !== "connecting" && (
        <Unreachable since={client.unreachableSince} offline={!online} waiting={queued > 0 ? client.waiting : []} />
      )}
      {local && <UpdateBanner />}
      {screen.kind === "devices" ? (
        <DevicesScreen client={client} status={status} local={local} pairAsked={pairAsked} pairingStarted={() => setPairAsked(false)} />
      ) : screen.kind === "sessions" ? (
        <SessionList client={client} status={status} local={local} open={(target) => go(chatPath(target))} />
      ) : (
        <ChatScreen
          key={`${screen.target.kind}:${screen.target.id}`}
          client={client}
          sessionId={screen.target.id}
          terminal={screen.target.kind === "terminal"}
          back={() => back("/")}
          open={(target) => go(chatPath(target))}
        />
      )}
    </div>
  );
}

/** Whether the browser says it has a network. */
function useOnline(): boolean {
  return useSyncExternalStore(
    (changed) => {
      addEventListener("online", changed);
      addEventListener("offline", changed);
      return () => {
        removeEventListener("online", changed);
        removeEventListener("offline", changed);
      };
    },
    () => navigator.onLine,
  );
}
