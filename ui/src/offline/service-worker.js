// The app shell's service worker: the files of one build, kept under that build's name, so the
// app starts offline and is never half old, half new. A new build waits until every window of
// the old one is closed, or until the page asks (after "Update ready"). Nothing else is ever
// cached: the API, events and tokens always go to the engine. The build fills in the version
// and the file list.
const VERSION = "__VERSION__";
const SHELL = __SHELL__;
const CACHE = `tether-shell-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener("activate", (event) => {
  const old = (name) => name.startsWith("tether-shell-") && name !== CACHE;
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter(old).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "take-update") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (!SHELL.includes(path)) return;
  event.respondWith(
    caches
      .open(CACHE)
      .then((cache) => cache.match(path))
      .then((cached) => cached ?? fetch(request)),
  );
});

// A push from the engine: the kind, the project and the session, never the prompt, the answer
// or a command. One notification per session, the latest replacing the one before; an
// approval's offers Allow once and Deny, answered with the credential it carried.
self.addEventListener("push", (event) => {
  const data = readPush(event.data);
  const title = typeof data.title === "string" ? data.title : "Tether";
  const answerable = data.approval && typeof data.approval.credential === "string";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof data.body === "string" ? data.body : "",
      tag: `session-${data.session_id}`,
      renotify: true,
      icon: "/icon-192.png",
      actions: answerable ? [{ action: "allow", title: "Allow once" }, { action: "deny", title: "Deny" }] : [],
      data: { session_id: data.session_id, kind: data.kind, credential: answerable ? data.approval.credential : null },
    }),
  );
});

/** A push's JSON, or nothing when it is not JSON (a generic notification is shown then). */
function readPush(data) {
  try {
    const parsed = data ? data.json() : {};
    return parsed !== null && typeof parsed === "object" ? parsed : {};
  } catch {
    return {};
  }
}

// A tap opens that session: in a window of the app already open, else in a new one; Allow
// or Deny answers the approval.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const data = event.notification.data ?? {};
  const answer = (event.action === "allow" || event.action === "deny") && data.credential;
  event.waitUntil(answer ? self.answer(data.credential, event.action, data.session_id) : self.openSession(data.session_id));
});

/** Answers an approval with its credential; says so when it no longer can. */
self.answer = async (credential, decision, sessionId) => {
  const response = await fetch("/api/push/answer", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ credential, decision }),
  }).catch(() => null);
  if (response?.ok) return true;
  await self.registration.showNotification("Tether", {
    body: "That answer is no longer valid: open the session to answer.",
    tag: `session-${sessionId}`,
    data: { session_id: sessionId },
  });
  return false;
};

self.openSession = async (sessionId) => {
  if (typeof sessionId !== "string") return;
  const open = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const window = open[0];
  if (window) {
    window.postMessage({ open: sessionId });
    // Allowed from a tap; anything else may not take the focus.
    await window.focus().catch(() => undefined);
    return;
  }
  await self.clients.openWindow(`/#/session/${encodeURIComponent(sessionId)}`);
};
