// End to end in a real browser (Debian's chromium, driven by playwright-core): pair with the
// code, start a session, watch the answer stream in at desktop and phone sizes, then open the
// same session on a second page and answer a tool approval there, then drop the socket in
// the middle of an answer and see it finish with every word once. Run by
// crates/tether-cli/tests/browser.rs, which starts the engine, the fake API and `tether pair`.
// Env: TETHER_URL (http://127.0.0.1:PORT), PAIR_CODE, PROJECT, ANSWER (the first text the fake
// streams), AFTER_TOOL (the text after the tool ran), SLOW (an answer that streams slowly),
// SCREENSHOTS (a folder). Exits 0 when every step passed.
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

const { TETHER_URL: url, PAIR_CODE: code, PROJECT: project, ANSWER: answer, SCREENSHOTS: shots } = process.env;
const TIMEOUT = 30_000;

mkdirSync(shots, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const errors = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // The test's lever on the connection: every WebSocket the pages open, to drop at will.
  await context.addInitScript(() => {
    const Native = window.WebSocket;
    window.__sockets = [];
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        window.__sockets.push(this);
      }
    };
  });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  page.on("pageerror", (error) => errors.push(String(error)));

  await page.goto(`${url}/#pair=${code}`);
  const manifest = await page.evaluate(async () => (await fetch("/manifest.webmanifest")).json());
  if (manifest.display !== "standalone") throw new Error("the app is not installable");
  await page.getByLabel("This device’s name").fill("E2E browser");
  await page.screenshot({ path: `${shots}/pair-desktop.png` });
  await page.getByRole("button", { name: "Pair" }).click();
  await page.getByRole("status").filter({ hasText: "Connected" }).waitFor();

  await page.getByRole("heading", { name: project }).waitFor();
  await page.screenshot({ path: `${shots}/sessions-desktop.png` });
  await page.getByRole("button", { name: "New session" }).click();

  await page.getByLabel("Message").fill("Say hello");
  await page.getByLabel("Message").press("Enter");
  await page.getByText(answer).waitFor();
  await page.locator(".markdown strong", { hasText: "Hello" }).waitFor();
  await page.getByText("idle").waitFor();
  await page.screenshot({ path: `${shots}/chat-desktop.png` });

  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${shots}/chat-phone.png` });
  await page.getByRole("button", { name: "Back to sessions" }).click();
  await page.getByRole("heading", { name: project }).waitFor();
  await page.screenshot({ path: `${shots}/sessions-phone.png` });

  // The same session on two pages at once: a tool approval shows on both, one answers it,
  // and both see the turn finish.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole("button", { name: /idle/ }).click();
  const second = await context.newPage();
  second.setDefaultTimeout(TIMEOUT);
  second.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  await second.goto(url);
  await second.getByRole("button", { name: /idle/ }).click();
  await second.getByText(answer).waitFor();
  await page.getByLabel("Message").fill("Run the command");
  await page.getByLabel("Message").press("Enter");
  for (const tab of [page, second]) await tab.getByRole("alertdialog", { name: "Allow Bash?" }).waitFor();
  await second.screenshot({ path: `${shots}/approval-desktop.png` });
  await second.getByRole("button", { name: "Allow once" }).click();
  for (const tab of [page, second]) {
    await tab.getByText(process.env.AFTER_TOOL).waitFor();
    await tab.getByRole("alertdialog").waitFor({ state: "detached" });
  }
  await page.screenshot({ path: `${shots}/after-approval-desktop.png` });

  // The socket drops mid-answer; the page reconnects, resumes and shows every word once.
  const slow = process.env.SLOW;
  await page.getByLabel("Message").fill("Count slowly");
  await page.getByLabel("Message").press("Enter");
  await page.getByText("one two three", { exact: false }).waitFor();
  const before = await page.locator(".message-assistant").last().textContent();
  await page.evaluate(() => window.__sockets.forEach((socket) => socket.close()));
  if (before === slow) throw new Error("the answer had finished before the socket dropped");
  await page.getByRole("status").filter({ hasText: "Connected" }).waitFor();
  await page.getByText(slow, { exact: true }).waitFor();
  const answers = await page.locator(".message-assistant").allTextContents();
  if (answers.at(-1) !== slow) throw new Error(`after the drop the answer reads ${JSON.stringify(answers.at(-1))}`);
  const socketsOpened = await page.evaluate(() => window.__sockets.length);
  if (socketsOpened < 2) throw new Error("the socket was never dropped and reopened");
  await page.screenshot({ path: `${shots}/after-drop-desktop.png` });

  // The devices screen lists this browser, online, from the loopback address.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole("button", { name: "Devices" }).click();
  const device = page.locator(".device", { hasText: "E2E browser" });
  await device.getByText("online", { exact: true }).waitFor();
  await device.getByText("from 127.0.0.1").waitFor();
  await page.screenshot({ path: `${shots}/devices-phone.png` });

  if (errors.length > 0) throw new Error(`console errors: ${errors.join("; ")}`);
  console.log("ok");
} finally {
  await browser.close();
}
