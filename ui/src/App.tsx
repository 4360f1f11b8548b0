// The app: in the desktop window, straight to the sessions; in a browser, installed as an app
// shell where the origin allows it, pair this device first. Then its sessions and chats, each
// screen at its own URL: beside a sidebar of projects and sessions where the window is wide,
// one pane at a time where it is not; the connection always shown, and since when the desktop
// is unreachable when it is.
import { PanelLeftClose, PanelLeftOpen, Search, Settings, Smartphone } from "lucide-react";
import { type CSSProperties, type ReactNode, Suspense, lazy, useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { Router } from "wouter";
import { useHashLocation } from "wouter/use-hash-location";

import { ConnectionIndicator } from "./components/ConnectionIndicator";
import { ShellNotice } from "./components/ShellNotice";
import { Unreachable } from "./components/Unreachable";
import { UpdateBanner } from "./components/UpdateBanner";
import { useStatus } from "./chat/hooks";
import type { Target } from "./chat/target";
import { useSessions } from "./chat/useSessions";
import { AppLink } from "./layout/AppLink";
import { Resizer } from "./layout/Resizer";
import { SessionNav } from "./layout/SessionNav";
import { usePanel } from "./layout/usePanel";
import { useDocumentTitle } from "./layout/useDocumentTitle";
import { useSessionShortcuts } from "./layout/useSessionShortcuts";
import { useWide } from "./layout/useWide";
import { browserHost, browserPrompts, forgetToken, saveToken, savedToken } from "./host/browser";
import { desktopHost, inDesktopApp, onDesktopCommand, openLinksOutside, tellWhenPainted } from "./host/desktop";
import type { Connect } from "./host/transport";
import { installShell, onSessionAsked, takeUpdate, useShell } from "./offline/shell";
import { type PromptStore, TetherClient } from "./protocol/client";
import { ChatScreen } from "./screens/ChatScreen";
import { DevicesScreen } from "./screens/DevicesScreen";
import { PairScreen } from "./screens/PairScreen";
import { ProjectScreen } from "./screens/ProjectScreen";
import { SessionsScreen } from "./screens/SessionsScreen";
import { SettingsScreen } from "./screens/SettingsScreen";
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

/** Search loads when first opened, not with the first page. */
const SearchScreen = lazy(() => import("./screens/SearchScreen").then((module) => ({ default: module.SearchScreen })));

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
  const wide = useWide();
  const panel = usePanel();
  const listed = useSessions(client, status);
  const filter = useRef<HTMLInputElement | null>(null);
  // A notification's tap opens its session, told by the worker (a link it opened is a route).
  useEffect(() => (local ? undefined : onSessionAsked((id) => go(chatPath({ kind: "session", id })))), [local, go]);
  // "Pair a device…" from the tray: pairing starts on the Devices screen, once.
  const [pairAsked, setPairAsked] = useState(false);
  useEffect(() => (local ? openLinksOutside() : undefined), [local]);
  useEffect(() => (local ? tellWhenPainted() : undefined), [local]);
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

  const open = useCallback((target: Target) => go(chatPath(target)), [go]);
  const start = useCallback(
    (projectId: string) =>
      void listed.act(async () => {
        const session = await client.request("sessions.create", { project_id: projectId });
        open({ kind: "session", id: session.id });
      }),
    [client, listed, open],
  );
  useDocumentTitle(screen, listed);
  const current = screen.kind === "chat" ? screen.target.id : screen.kind === "project" ? screen.id : null;
  const shortcuts = useSessionShortcuts({ listed, current, wide, open, start, toggle: panel.toggle, filter });
  const showSidebar = wide && !panel.collapsed;
  const offline = status !== "connected";

  return (
    <div className={`app ${wide ? "wide" : "narrow"}`}>
      <button className="skip" onClick={() => document.querySelector<HTMLElement>(".pane main")?.focus()}>
        Skip to the main content
      </button>
      <header className="top">
        {wide && (
          <button
            className="icon"
            onClick={panel.toggle}
            aria-label={panel.collapsed ? "Show the sidebar" : "Hide the sidebar"}
            aria-expanded={!panel.collapsed}
            aria-controls="sidebar"
            title="Alt+B"
          >
            {panel.collapsed ? <PanelLeftOpen size={20} aria-hidden="true" /> : <PanelLeftClose size={20} aria-hidden="true" />}
          </button>
        )}
        <nav aria-label="Screens">
          <AppLink className="brand" href="/" aria-current={screen.kind === "sessions" ? "page" : undefined}>
            Tether
          </AppLink>
          <AppLink href="/search" aria-current={screen.kind === "search" ? "page" : undefined}>
            <Search size={18} aria-hidden="true" /> Search
          </AppLink>
          <AppLink href="/devices" aria-current={screen.kind === "devices" ? "page" : undefined}>
            <Smartphone size={18} aria-hidden="true" /> Devices
          </AppLink>
          <AppLink href="/settings" aria-current={screen.kind === "settings" ? "page" : undefined}>
            <Settings size={18} aria-hidden="true" /> Settings
          </AppLink>
        </nav>
        <ConnectionIndicator status={online || status === "revoked" ? status : "offline"} queued={queued} />
      </header>
      {notice}
      {problem && status !== "connected" && <p className="error banner" role="alert">{problem}</p>}
      {!local && client.unreachableSince !== null && status !== "connecting" && (
        <Unreachable since={client.unreachableSince} offline={!online} waiting={queued > 0 ? client.waiting : []} />
      )}
      {local && <UpdateBanner />}
      <div className="body" style={{ "--sidebar": `${panel.width}px` } as CSSProperties}>
        {showSidebar && (
          <aside id="sidebar" className="sidebar" aria-label="Projects and sessions">
            <SessionNav listed={listed} current={current} offline={offline} local={local} start={start} filterRef={filter} />
          </aside>
        )}
        {showSidebar && <Resizer width={panel.width} resize={panel.resize} />}
        <div className="pane">
          {screen.kind === "devices" ? (
            <DevicesScreen client={client} status={status} local={local} pairAsked={pairAsked} pairingStarted={() => setPairAsked(false)} />
          ) : screen.kind === "settings" ? (
            <SettingsScreen client={client} status={status} local={local} />
          ) : screen.kind === "project" ? (
            <ProjectScreen client={client} status={status} listed={listed} projectId={screen.id} view={screen} start={start} back={() => back("/")} />
          ) : screen.kind === "search" ? (
            <Suspense fallback={<p className="hint loading" role="status">Loading…</p>}>
              <SearchScreen client={client} status={status} listed={listed} />
            </Suspense>
          ) : screen.kind === "sessions" ? (
            <SessionsScreen client={client} status={status} local={local} listed={listed} wide={wide} start={start} open={open} />
          ) : (
            <ChatScreen
              key={`${screen.target.kind}:${screen.target.id}`}
              client={client}
              sessionId={screen.target.id}
              focus={screen.focus}
              changes={screen.changes}
              projectPath={listed.projects.find((project) => project.id === listed.sessions.find((session) => session.id === screen.target.id)?.project_id)?.path}
              terminal={screen.target.kind === "terminal"}
              back={() => back("/")}
              showBack={!wide}
              open={open}
              globalShortcuts={shortcuts}
            />
          )}
        </div>
      </div>
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
