// End to end in a real browser (Debian's chromium, driven by playwright-core): pair with the
// code, start a session, watch the answer stream in, at desktop and phone sizes. Run by
// crates/tether-cli/tests/browser.rs, which starts the engine, the fake API and `tether pair`.
// Env: TETHER_URL (http://127.0.0.1:PORT), PAIR_CODE, PROJECT, ANSWER (text the fake streams),
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
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(TIMEOUT);
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  page.on("pageerror", (error) => errors.push(String(error)));

  await page.goto(`${url}/#pair=${code}`);
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
  await page.getByText("idle").waitFor();
  await page.screenshot({ path: `${shots}/chat-desktop.png` });

  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${shots}/chat-phone.png` });
  await page.getByRole("button", { name: "Back to sessions" }).click();
  await page.getByRole("heading", { name: project }).waitFor();
  await page.screenshot({ path: `${shots}/sessions-phone.png` });

  if (errors.length > 0) throw new Error(`console errors: ${errors.join("; ")}`);
  console.log("ok");
} finally {
  await browser.close();
}
