// The installed app shell, from the page's side: the service worker is registered where the
// origin is trusted (a real HTTPS certificate, or this computer), and says when a new build is
// ready. Where it cannot be (the LAN's own certificate, plain HTTP), the app says why.
import { useSyncExternalStore } from "react";

/** Where the app shell stands in this browser. */
export type Shell =
  /** Not asked yet, or not a browser that installs apps (the desktop window). */
  | { kind: "none" }
  /** Installed: the app starts offline. `updateReady`: a new build waits to be taken. */
  | { kind: "installed"; updateReady: boolean }
  /** This origin is not trusted, so nothing can be installed. */
  | { kind: "untrusted" };

let shell: Shell = { kind: "none" };
const listeners = new Set<() => void>();
let waiting: ServiceWorker | null = null;

function set(next: Shell): void {
  shell = next;
  listeners.forEach((listener) => listener());
}

/** Registers the service worker, once per page; in a secure context only. */
export async function installShell(): Promise<void> {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) {
    set({ kind: "untrusted" });
    return;
  }
  let registration: ServiceWorkerRegistration;
  try {
    registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  } catch {
    // Chromium refuses it on a page with a certificate error, even once clicked through.
    set({ kind: "untrusted" });
    return;
  }
  const found = (worker: ServiceWorker | null) => {
    // A waiting worker with one in control is a new build; the first one is just installed.
    if (worker === null || navigator.serviceWorker.controller === null) return;
    waiting = worker;
    set({ kind: "installed", updateReady: true });
  };
  set({ kind: "installed", updateReady: false });
  found(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const installing = registration.installing;
    installing?.addEventListener("statechange", () => {
      if (installing.state === "installed") found(installing);
    });
  });
  // Every window of an old build reloads once a new one takes over (the first build taking
  // control of a page that had none changes nothing on it).
  const hadBuild = navigator.serviceWorker.controller !== null;
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading || !hadBuild) return;
    reloading = true;
    location.reload();
  });
}

/** Takes the waiting build: it takes over, and every window reloads into it. */
export function takeUpdate(): void {
  waiting?.postMessage("take-update");
}

/** Calls `open` whenever a notification's tap asks this window to open a session; returns
 * how to stop. */
export function onSessionAsked(open: (sessionId: string) => void): () => void {
  if (!("serviceWorker" in navigator)) return () => undefined;
  const told = (event: MessageEvent) => {
    const asked: unknown = (event.data as { open?: unknown } | null)?.open;
    if (typeof asked === "string") open(asked);
  };
  navigator.serviceWorker.addEventListener("message", told);
  return () => navigator.serviceWorker.removeEventListener("message", told);
}

/** The app shell's state, kept current. */
export function useShell(): Shell {
  return useSyncExternalStore(
    (changed) => {
      listeners.add(changed);
      return () => listeners.delete(changed);
    },
    () => shell,
  );
}
