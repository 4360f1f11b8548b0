// End to end in a real browser against the real engine (run by
// crates/tether-cli/tests/browser.rs, which starts `tether serve` with the real claude CLI,
// the fake API with its script, and `tether pair --yes`):
//  - how fast the first page appears, on the desktop and throttled like a phone;
//  - pairing with the code from the QR link; a session started; a todo list and an answer
//    streaming in; the same session on a second page, where a tool approval shows at once
//    and is answered; a file write approved from its diff at phone size;
//  - the socket dropped mid-answer and the answer finishing with every word once;
//  - an answer interrupted with Esc; the permission mode and model changed; the shortcuts;
//  - a session renamed, and listed by its name; an answer copied, as markdown;
//  - every screen at its URL: back and forward between them, a reload on a chat's link, and a
//    link to a session that is not there;
//  - archiving from the chat's header; the devices screen, where this browser is online and
//    may not pair others.
// Env: TETHER_URL, PAIR_CODE, PROJECT, the script's texts (ANSWER, TODO, AFTER_TOOL, WRITTEN,
// SLOW, HELD), SCREENSHOTS (a folder) and METRICS (a JSON file to write). Exits 0 when every
// step passed.
import { writeFileSync } from "node:fs";

import { DESKTOP, PHONE, camera, context, launch, page as open } from "./browser.mjs";
import { measureLoad } from "./load.mjs";

const env = process.env;
const { TETHER_URL: url, PROJECT: project } = env;
const shoot = camera(env.SCREENSHOTS);
const errors = [];
const browser = await launch();
try {
  const load = { desktop: await measureLoad(browser, url, false), phone: await measureLoad(browser, url, true) };
  writeFileSync(env.METRICS, JSON.stringify(load, null, 2));
  console.log(`load ${JSON.stringify(load)}`);

  const pages = await context(browser);
  const page = await open(pages, errors);
  page.on("dialog", (dialog) => void dialog.accept());

  // Pairing from the QR link: the code is filled in already.
  await page.goto(`${url}/#pair=${env.PAIR_CODE}`);
  const manifest = await page.evaluate(async () => (await fetch("/manifest.webmanifest")).json());
  if (manifest.display !== "standalone") throw new Error("the app is not installable");
  await page.getByLabel("This device’s name").fill("E2E browser");
  await page.setViewportSize(PHONE);
  await shoot(page, "pair-phone");
  await page.setViewportSize(DESKTOP);
  await shoot(page, "pair-desktop");
  await page.getByRole("button", { name: "Pair" }).click();
  await page.getByRole("status").filter({ hasText: "Connected" }).waitFor();

  await page.getByRole("heading", { name: project }).waitFor();
  await shoot(page, "sessions-desktop");
  await page.getByRole("button", { name: "New session" }).click();

  // A todo list, then markdown streaming in.
  await page.getByLabel("Message").fill("Say hello");
  await page.getByLabel("Message").press("Enter");
  await page.getByText(env.ANSWER).waitFor();
  await page.locator(".markdown strong", { hasText: "Hello" }).waitFor();
  await page.locator(".todos", { hasText: "0 of 2 done" }).getByText(env.TODO).waitFor();
  await page.locator(".chat-header .badge", { hasText: "idle" }).waitFor();
  await shoot(page, "chat-desktop");
  await page.setViewportSize(PHONE);
  await shoot(page, "chat-phone");
  // Named from its header, and listed by its name.
  await page.getByRole("button", { name: "Rename" }).click();
  await page.getByLabel("Session name").fill("Greeting");
  await page.getByLabel("Session name").press("Enter");
  await page.locator(".chat-header .title", { hasText: "Greeting" }).waitFor();
  await page.getByRole("button", { name: "Back to sessions" }).click();
  await page.getByRole("heading", { name: project }).waitFor();
  await page.locator(".session-title", { hasText: "Greeting" }).waitFor();
  await shoot(page, "sessions-phone");

  // Copy: the answer, from its message.
  await pages.grantPermissions(["clipboard-read", "clipboard-write"], { origin: url });
  await page.goForward();
  await page.getByText(env.ANSWER).waitFor();
  await page.getByRole("button", { name: "Copy answer" }).last().click();
  await page.getByRole("button", { name: "Copy answer" }).last().getByText("Copied").waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  // As written: its markdown, not the page's rendering of it.
  if (!copied.includes("**") || !copied.replaceAll("**", "").includes(env.ANSWER)) throw new Error(`copied: ${copied}`);
  await page.goBack();
  await page.getByRole("heading", { name: project }).waitFor();

  // Every screen is a URL: the browser's forward and back move between them (as Android's
  // back gesture does), and a reload on a chat's link lands in that chat.
  await page.goForward();
  await page.getByText(env.ANSWER).waitFor();
  const chatUrl = page.url();
  if (!/#\/session\/[0-9a-f]+$/.test(chatUrl)) throw new Error(`the chat's URL: ${chatUrl}`);
  await page.goBack();
  await page.getByRole("heading", { name: project }).waitFor();
  await page.getByRole("link", { name: "Devices" }).click();
  if (!page.url().endsWith("#/devices")) throw new Error(`the devices' URL: ${page.url()}`);
  await page.goBack();
  await page.getByRole("heading", { name: project }).waitFor();
  await page.goto(chatUrl);
  await page.reload();
  await page.getByText(env.ANSWER).waitFor();
  // Back from a chat reached by its link stays in the app.
  await page.getByRole("button", { name: "Back to sessions" }).click();
  await page.getByRole("heading", { name: project }).waitFor();
  // A link to a session that is not there says so, with the way back.
  await page.goto(`${url}/#/session/0123456789abcdef`);
  const missing = page.getByRole("alert", { name: "Not found" });
  await missing.getByText("No session here").waitFor();
  await shoot(page, "not-found-phone");
  await missing.getByRole("button", { name: "Back to sessions" }).click();
  await page.getByRole("heading", { name: project }).waitFor();

  // The same session on two pages: the approval shows on both, the second answers it.
  await page.setViewportSize(DESKTOP);
  await page.getByRole("link", { name: /idle/ }).click();
  const second = await open(pages, errors);
  await second.goto(url);
  await second.getByRole("link", { name: /idle/ }).click();
  await second.getByText(env.ANSWER).waitFor();
  await page.getByLabel("Message").fill("Run the command");
  await page.getByLabel("Message").press("Enter");
  for (const tab of [page, second]) await tab.getByRole("alertdialog", { name: "Allow Bash?" }).waitFor();
  await shoot(second, "approval-desktop");
  await second.getByRole("button", { name: "Allow once" }).click();
  for (const tab of [page, second]) {
    await tab.getByText(env.AFTER_TOOL).waitFor();
    await tab.getByRole("alertdialog").waitFor({ state: "detached" });
  }
  await second.close();

  // A file write, approved at phone size from its diff; then its card shows it done.
  await page.setViewportSize(PHONE);
  await page.getByLabel("Message").fill("Write the notes");
  await page.getByLabel("Message").press("Enter");
  const write = page.getByRole("alertdialog", { name: "Allow Write?" });
  await write.locator(".diff-line.diff-added", { hasText: "# Notes" }).waitFor();
  await write.getByText("writes the whole file (2 lines)").waitFor();
  await write.scrollIntoViewIfNeeded();
  await shoot(page, "approval-phone");
  await write.getByRole("button", { name: "Allow once" }).click();
  await page.getByText(env.WRITTEN).waitFor();
  await page.locator(".tool.tool-done", { hasText: "notes.md" }).waitFor();
  await page.setViewportSize(DESKTOP);
  await shoot(page, "after-approval-desktop");

  // The socket drops mid-answer; the page reconnects, resumes and shows every word once.
  await page.getByLabel("Message").fill("Count slowly");
  await page.getByLabel("Message").press("Enter");
  await page.getByText("one two three", { exact: false }).waitFor();
  // An answer's words (not its Copy button).
  const answerWords = ".message-assistant > :is(.markdown, .text)";
  const before = await page.locator(answerWords).last().textContent();
  await page.evaluate(() => window.__sockets.forEach((socket) => socket.close()));
  if (before === env.SLOW) throw new Error("the answer had finished before the socket dropped");
  await page.getByRole("status").filter({ hasText: "Connected" }).waitFor();
  await page.getByText(env.SLOW, { exact: true }).waitFor();
  const answers = await page.locator(answerWords).allTextContents();
  if (answers.at(-1) !== env.SLOW) throw new Error(`after the drop the answer reads ${JSON.stringify(answers.at(-1))}`);
  if ((await page.evaluate(() => window.__sockets.length)) < 2) throw new Error("the socket was never dropped and reopened");
  await shoot(page, "after-drop-desktop");

  // An answer that would never end, interrupted from the keyboard.
  await page.getByLabel("Message").fill("Wait for me");
  await page.getByLabel("Message").press("Enter");
  await page.getByText(env.HELD).waitFor();
  await page.getByRole("button", { name: "Interrupt" }).waitFor();
  await page.keyboard.press("Escape");
  await page.locator(".chat-header .badge", { hasText: "interrupted" }).waitFor();
  await page.getByRole("button", { name: "Interrupt" }).waitFor({ state: "detached" });

  // The permission mode and the model, changed in place.
  await page.getByLabel("Permission mode").selectOption("plan");
  await waitForValue(page, "Permission mode", "plan");
  await page.getByLabel("Model").selectOption("opus");
  await waitForValue(page, "Model", "opus");

  // The shortcuts help, opened with "?" and closed with Esc.
  await page.locator("body").click({ position: { x: 5, y: 400 } });
  await page.keyboard.press("?");
  await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
  await shoot(page, "shortcuts-desktop");
  await page.keyboard.press("Escape");
  await page.getByRole("dialog").waitFor({ state: "detached" });

  // Archived from its header: gone from the open sessions, listed under "archived".
  await page.getByRole("button", { name: "Archive this session" }).click();
  await page.getByText("1 archived").waitFor();
  await page.getByRole("button", { name: "Archive this session" }).waitFor({ state: "detached" });
  if ((await page.getByRole("link", { name: /idle|interrupted/ }).count()) !== 0) throw new Error("the archived session is still listed as open");

  // The devices screen lists this browser, online, from the loopback address; pairing
  // another device starts on the desktop only.
  await page.setViewportSize(PHONE);
  await page.getByRole("link", { name: "Devices" }).click();
  const device = page.locator(".device", { hasText: "E2E browser" });
  await device.getByText("online", { exact: true }).waitFor();
  await device.getByText("from 127.0.0.1", { exact: false }).waitFor();
  await page.getByRole("button", { name: "Pair a new device" }).click();
  await page.getByText("paired from the computer running Tether", { exact: false }).waitFor();
  await shoot(page, "devices-phone");

  if (errors.length > 0) throw new Error(`console errors: ${errors.join("; ")}`);
  console.log("ok");
} finally {
  await browser.close();
}

/** Waits until the select labelled `label` shows `value` (the engine confirmed the change). */
async function waitForValue(page, label, value) {
  await page.waitForFunction(
    ([label, value]) => document.querySelector(`select[aria-label="${label}"]`)?.value === value,
    [label, value],
  );
}
