// Debian's chromium through playwright-core, with what every e2e step needs: pages that
// record console errors, a lever on each page's WebSockets (to drop them at will), and
// screenshots under one folder.
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

export const TIMEOUT = 30_000;
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
// The browser gets no session bus. On the tests' shared bus, Chromium would hand its
// notifications to whichever daemon holds the name at that moment: the tray test's dunst,
// whose monitor then sees another test's calls, or a dunst started without a display, which
// fails. Without a bus it shows them itself, the same way in every run. ("disabled:" is no
// transport, so libdbus fails at once and never starts a bus of its own.)
const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: "disabled:" };

/** Chromium, with `extra` flags (such as a host-resolver rule). */
export async function launch(extra = []) {
  return chromium.launch({ executablePath, env, args: [...FLAGS, ...extra] });
}

/** A browser context whose pages keep their WebSockets in `window.__sockets`; `options`
 * adds to Playwright's context options. */
export async function context(browser, options = {}) {
  return withSockets(await browser.newContext({ viewport: DESKTOP, ...options }));
}

/** Like `context`, in a browser profile of its own at `dir` (not incognito, so apps install). */
export async function profile(dir, extra = [], options = {}) {
  const made = await chromium.launchPersistentContext(dir, { executablePath, env, args: [...FLAGS, ...extra], viewport: DESKTOP, ...options });
  return withSockets(made);
}

async function withSockets(made) {
  await made.addInitScript(() => {
    const Native = window.WebSocket;
    window.__sockets = [];
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        window.__sockets.push(this);
      }
    };
  });
  return made;
}

/** A new page of `context` whose console errors and uncaught exceptions land in `errors`. */
export async function page(context, errors) {
  const made = await context.newPage();
  made.setDefaultTimeout(TIMEOUT);
  made.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  made.on("pageerror", (error) => errors.push(String(error)));
  return made;
}

/** Saves screenshots as `<folder>/<name>.png`. */
export function camera(folder) {
  mkdirSync(folder, { recursive: true });
  return (page, name) => page.screenshot({ path: `${folder}/${name}.png` });
}
