// A phone reaching Tether from anywhere (run by crates/tether-cli/tests/remote_browser.rs,
// which puts a real Caddy with its own CA in front of `tether serve`, sets it as the public URL
// and trusts the CA in this browser's NSS database):
//  - the first load through the proxy, throttled like a phone;
//  - pairing from the QR link (the public URL), the app installable, its service worker active;
//  - a chat through the proxy;
//  - the network cut: "Offline", a prompt typed then waits, and the app reloaded offline starts
//    from its shell with that prompt still waiting;
//  - the network back: the prompt is sent once and its answer arrives;
//  - a push delivered to the service worker (DevTools): a notification naming the project and
//    nothing of the prompt, and its tap opening the session;
//  - a real approval's push: the engine pushes to the push-service stand-in, which decrypts it
//    and the test hands it here on standard input to deliver; Allow once in the notification
//    answers the approval with the engine-minted credential, once and not twice;
//  - a new build of the app: "A new version of Tether is ready", and Reload takes it whole.
// Env: PAIR_LINK, HOST_RULE (a --host-resolver-rules value), PROJECT, ANSWER, QUEUED,
// QUEUED_ANSWER, PUSH_SUBSCRIPTION (push.subscribe's params, at the stand-in), APPROVE_PROMPT,
// APPROVED_ANSWER, UI_DIR (the engine's ui_dir), SCREENSHOTS, METRICS. Exits 0 when every step
// passed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

import { PHONE, TIMEOUT, camera, launch, page as open, profile } from "./browser.mjs";
import { measureLoad } from "./load.mjs";

const env = process.env;
const shoot = camera(env.SCREENSHOTS);
const errors = [];
const origin = new URL(env.PAIR_LINK).origin;
const resolve = [`--host-resolver-rules=${env.HOST_RULE}`];
const browser = await launch(resolve);
const pages = await profile(mkdtempSync(join(tmpdir(), "tether-profile-")), resolve, { viewport: PHONE });
try {
  const firstLoad = await measureLoad(browser, origin, true);

  const page = await open(pages, errors);
  await page.goto(env.PAIR_LINK);
  await page.getByLabel("This device’s name").fill("Phone away from home");
  await page.getByRole("button", { name: "Pair" }).click();
  await page.getByRole("status").filter({ hasText: "Connected" }).waitFor();

  // Installed: an active service worker, and nothing Chromium would refuse to install.
  const worker = await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state);
  if (worker !== "activated") throw new Error(`the service worker is ${worker}`);
  const devtools = await pages.newCDPSession(page);
  const { installabilityErrors } = await devtools.send("Page.getInstallabilityErrors");
  if (installabilityErrors.length > 0) throw new Error(`not installable: ${JSON.stringify(installabilityErrors)}`);
  if ((await page.getByRole("note", { name: "Install" }).count()) > 0) throw new Error("the untrusted-origin note shows on a trusted origin");

  // A chat through the proxy.
  await page.getByRole("heading", { name: env.PROJECT }).waitFor();
  await page.getByRole("button", { name: "New session" }).click();
  await page.getByLabel("Message").fill("Say hello");
  await page.getByLabel("Message").press("Enter");
  await page.getByText(env.ANSWER).waitFor();
  await page.locator(".chat-header .badge", { hasText: "idle" }).waitFor();

  // A push, as the engine sends it (decrypted by the browser): a notification for the
  // session, with nothing of the prompt; tapping it opens that session.
  const token = await page.evaluate(() => localStorage.getItem("tether.token"));
  const sessions = await page.evaluate(async (token) => (await fetch("/api/sessions", { headers: { authorization: `Bearer ${token}` } })).json(), token);
  const sessionId = sessions.result[0].id;
  await pages.grantPermissions(["notifications"], { origin });
  const shown = await notifications(page, devtools);
  // DevTools reports the registrations as it is enabled: the listener comes first.
  const registered = new Promise((resolve) => {
    devtools.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
      const mine = registrations.find((registration) => registration.scopeURL === `${origin}/` && !registration.isDeleted);
      if (mine) resolve(mine.registrationId);
    });
  });
  await devtools.send("ServiceWorker.enable");
  const registrationId = await within(registered, "the service worker's registration");
  const payload = { kind: "approval", session_id: sessionId, project: env.PROJECT, title: "Claude is waiting for you", body: `A tool needs your approval in ${env.PROJECT}.` };
  // A push for a worker that is still installing can be lost: it is sent once one is active.
  await page.evaluate(async () => void (await navigator.serviceWorker.ready));
  const push = (data) => () => devtools.send("ServiceWorker.deliverPushMessage", { origin, registrationId, data: JSON.stringify(data) });
  const tag = `session-${sessionId}`;
  const note = await shown(push(payload), (note) => note.tag === tag);
  if (note.title !== payload.title || note.body !== payload.body) throw new Error(`the notification: ${JSON.stringify(note)}`);
  if (JSON.stringify(note).includes("Say hello")) throw new Error("a notification showed the prompt");
  await page.getByRole("button", { name: "Back to sessions" }).click();
  const running = pages.serviceWorkers()[0] ?? (await pages.waitForEvent("serviceworker"));
  await running.evaluate((id) => self.openSession(id), sessionId);
  // An approval's push offers Allow and Deny; a credential the engine did not mint is refused,
  // and the notification says so.
  const asking = { ...payload, approval: { request_id: "r1", credential: "tether_answer_not-minted" } };
  const offer = await shown(push(asking), (note) => note.tag === tag);
  if (offer.data?.credential !== "tether_answer_not-minted") throw new Error(`the approval's notification: ${JSON.stringify(offer)}`);
  // An answer that must be refused; its notification then says so.
  const refused = (fault, answer) => async () => {
    if (await answer()) throw new Error(fault);
  };
  const noLongerValid = (wantedTag) => (note) => note.tag === wantedTag && note.body.startsWith("That answer is no longer valid");
  await shown(
    refused("a credential the engine never minted answered", () => running.evaluate(() => self.answer("tether_answer_not-minted", "allow", "s"))),
    noLongerValid("session-s"),
  );
  await page.getByText(env.ANSWER).waitFor();

  // A real approval, answered from its notification with the credential the engine minted.
  const subscribed = await page.evaluate(
    async ([token, subscription]) =>
      (await fetch("/api/rpc/push.subscribe", { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: subscription })).status,
    [token, env.PUSH_SUBSCRIPTION],
  );
  if (subscribed !== 200) throw new Error(`push.subscribe answered ${subscribed}`);
  await page.getByLabel("Message").fill(env.APPROVE_PROMPT);
  await page.getByLabel("Message").press("Enter");
  await page.getByRole("button", { name: "Allow once" }).waitFor();
  const pushed = JSON.parse(await nextLine());
  if (pushed.kind !== "approval" || pushed.session_id !== sessionId || !pushed.approval?.credential) throw new Error(`the push: ${JSON.stringify(pushed)}`);
  const approval = await shown(push(pushed), (note) => note.tag === tag);
  if (approval.data?.credential !== pushed.approval.credential) throw new Error(`the approval's notification: ${JSON.stringify(approval)}`);
  if (JSON.stringify(approval).includes(env.APPROVE_PROMPT)) throw new Error("the approval's notification showed the prompt");
  const allow = ([credential, session]) => self.answer(credential, "allow", session);
  if (!(await running.evaluate(allow, [approval.data.credential, sessionId]))) throw new Error("Allow once from the notification was refused");
  await page.getByText(env.APPROVED_ANSWER).waitFor();
  await shoot(page, "approved-from-a-notification-phone");
  await shown(
    refused("a credential answered twice", () => running.evaluate(allow, [approval.data.credential, sessionId])),
    noLongerValid(tag),
  );
  await page.getByRole("button", { name: "Back to sessions" }).click();
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("region", { name: "Notifications" }).getByRole("button", { name: "Turn on" }).waitFor();
  await page.getByRole("link", { name: "Tether" }).click();
  await page.getByRole("navigation", { name: "Sessions" }).locator(".session-link").first().click();
  await page.getByText(env.ANSWER).waitFor();

  // The network cut: the prompt typed now waits, and is still waiting after a restart.
  await pages.setOffline(true);
  await page.evaluate(() => window.__sockets.forEach((socket) => socket.close()));
  await page.getByRole("status").filter({ hasText: "Offline" }).waitFor();
  await page.getByLabel("Message").fill(env.QUEUED);
  await page.getByLabel("Message").press("Enter");
  const waiting = page.getByRole("list", { name: "Waiting to send" });
  await waiting.getByText(env.QUEUED).waitFor();
  await shoot(page, "offline-phone");
  const reloaded = Date.now();
  await page.reload();
  await waiting.getByText(env.QUEUED).waitFor();
  const offlineStart = await page.evaluate(() => {
    const navigation = performance.getEntriesByType("navigation")[0];
    return { dom_content_loaded_ms: Math.round(navigation.domContentLoadedEventEnd), from_cache: navigation.transferSize === 0 };
  });
  offlineStart.shell_shown_ms = Date.now() - reloaded;
  await shoot(page, "started-offline-phone");
  await page.getByRole("status").filter({ hasText: "Offline" }).waitFor();
  await page.getByRole("alert", { name: "Unreachable" }).getByText("Offline").waitFor();

  // Back: the waiting prompt goes once, and its answer comes.
  await pages.setOffline(false);
  await page.getByRole("status").filter({ hasText: "Connected" }).waitFor();
  await waiting.waitFor({ state: "detached" });
  // The reload kept the chat it was on (its route), so the answer shows there.
  if (!page.url().endsWith(`#/session/${sessionId}`)) throw new Error(`reloaded at ${page.url()}`);
  await page.getByText(env.QUEUED_ANSWER).waitFor();
  await page.getByText(env.ANSWER).waitFor();
  await shoot(page, "back-online-phone");

  // A new build: offered, then taken whole on Reload.
  const before = await page.evaluate(() => caches.keys());
  const script = `${env.UI_DIR}/sw.js`;
  writeFileSync(script, readFileSync(script, "utf8").replace(/const VERSION = "[0-9a-f]+";/, 'const VERSION = "0123456789abcdef";'));
  rmSync(`${script}.gz`, { force: true });
  await page.reload();
  await page.getByText("A new version of Tether is ready").waitFor();
  await shoot(page, "update-ready-phone");
  await Promise.all([page.waitForEvent("load"), page.getByRole("button", { name: "Reload" }).click()]);
  await page.getByRole("status").filter({ hasText: "Connected" }).waitFor();
  const after = await page.evaluate(() => caches.keys());
  if (JSON.stringify(after) !== JSON.stringify(["tether-shell-0123456789abcdef"])) {
    throw new Error(`the new build was not taken whole: ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
  }

  const serviceWorker = await page.evaluate(async () => (await fetch("/sw.js", { headers: { "accept-encoding": "gzip" } })).text());
  writeFileSync(env.METRICS, JSON.stringify({ first_load_through_proxy_phone: firstLoad, offline_start: offlineStart, service_worker_bytes: serviceWorker.length }, null, 2));
  // Tries to reach the engine while the network was cut fail, as they should.
  const unexpected = errors.filter((error) => !error.includes("net::ERR_INTERNET_DISCONNECTED") && !error.includes("403"));
  if (unexpected.length > 0) throw new Error(`console errors: ${unexpected.join("\n")}`);
  console.log("remote: every step passed");
} finally {
  await pages.close();
  await browser.close();
}

/** The next line of standard input (the test writes there what the push service took). */
function nextLine() {
  const lines = createInterface({ input: process.stdin });
  return new Promise((resolve, reject) => {
    lines.once("line", (line) => {
      resolve(line);
      lines.close();
    });
    lines.once("close", () => reject(new Error("standard input ended")));
  });
}

/** Watches, through DevTools, the notifications the service worker shows. Returns
 * `shown(act, wanted)`: it does `act`, waits for a notification to be displayed that `wanted`
 * accepts, and returns it as the worker lists it ({title, body, tag, data}). `wanted` sees what
 * DevTools reports ({title, body, tag}), never `data`. One `shown` runs at a time.
 * Chromium drops a notification for good when `getNotifications()` runs while it is being
 * shown, so the list is read only once the notification is displayed, never polled. */
async function notifications(page, devtools) {
  const displayed = [];
  let waiting = null;
  const settle = () => {
    const found = waiting && displayed.slice(waiting.from).find(waiting.wanted);
    if (found) {
      waiting.resolve(found);
      waiting = null;
    }
  };
  devtools.on("BackgroundService.backgroundServiceEventReceived", ({ backgroundServiceEvent: event }) => {
    if (event.eventName !== "Notification displayed") return;
    const field = (key) => event.eventMetadata.find((entry) => entry.key === key)?.value ?? "";
    displayed.push({ title: field("Title"), body: field("Body"), tag: event.instanceId });
    settle();
  });
  await devtools.send("BackgroundService.startObserving", { service: "notifications" });
  await devtools.send("BackgroundService.setRecording", { service: "notifications", shouldRecord: true });
  return async (act, wanted) => {
    const from = displayed.length;
    // Set before acting: DevTools may report the notification before `act` returns.
    const seen = new Promise((resolve) => (waiting = { from, wanted, resolve }));
    await within(act(), "the step that shows a notification");
    const found = await within(seen, "a notification").catch((error) => {
      throw new Error(`${error.message}; displayed meanwhile: ${JSON.stringify(displayed.slice(from))}`);
    });
    const listed = await page.evaluate(async () =>
      (await (await navigator.serviceWorker.ready).getNotifications()).map((note) => ({ title: note.title, body: note.body, tag: note.tag, data: note.data })),
    );
    const note = listed.find((note) => note.tag === found.tag && wanted(note));
    if (!note) throw new Error(`a notification was shown but is not listed: ${JSON.stringify({ found, listed })}`);
    return note;
  };
}

/** `promise`, or an error that names `what` once TIMEOUT has passed. */
async function within(promise, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${TIMEOUT} ms`)), TIMEOUT);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
