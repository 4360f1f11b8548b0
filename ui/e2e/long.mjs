// A 10,000-part session in a real browser (run by
// crates/tether-cli/tests/long_session_browser.rs, which writes the transcript): opened on its
// last page (timed to the paint), scrolled to its first part page by page while long tasks are
// counted, a part a terminal adds while the reader is up top (nothing moves; "Jump to latest"
// brings it), and axe; then another with a 5 MB output and a 50,000-line write, both shown cut
// until asked.
// Env: TETHER_URL, PAIR_CODE, ID (the long transcript's), HUGE_ID (the other's), TRANSCRIPT
// (the long one's file, appended to), LAST and FIRST (texts of the last and first parts of
// both), SCREENSHOTS, METRICS. Exits 0 when every step passed.
import { appendFileSync, writeFileSync } from "node:fs";

import { checkA11y } from "./axe.mjs";
import { camera, context, launch, page as open } from "./browser.mjs";

const env = process.env;
const shoot = camera(env.SCREENSHOTS);
const errors = [];
const browser = await launch();
try {
  const pages = await context(browser);
  const page = await open(pages, errors);
  await page.goto(`${env.TETHER_URL}/#pair=${env.PAIR_CODE}`);
  await page.getByLabel("This device’s name").fill("E2E reader");
  await page.getByRole("button", { name: "Pair" }).click();
  await page.getByRole("status").filter({ hasText: "Connected" }).waitFor();
  await page.getByRole("heading", { name: "Pick up where you left off" }).waitFor();
  // The chat's code loads once, as it would have for any earlier chat.
  await page.goto(`${env.TETHER_URL}/#/terminal/unknown`);
  await page.getByRole("alert", { name: "Not found" }).waitFor();

  // Opened: from the route's change to the last part painted.
  const open_ms = await page.evaluate(
    ([id, last]) =>
      new Promise((resolve, reject) => {
        const start = performance.now();
        location.hash = `#/terminal/${id}`;
        let frames = 0;
        const look = () => {
          if (document.querySelector(".transcript")?.textContent.includes(last)) requestAnimationFrame(() => resolve(performance.now() - start));
          else if (++frames > 3000) reject(new Error("the last page never showed"));
          else requestAnimationFrame(look);
        };
        look();
      }),
    [env.ID, env.LAST],
  );
  await shoot(page, "long-session-end-desktop");
  checked(await checkA11y(page, "a long session"));

  // Scrolled to the very first part, page by page, counting long tasks on the way.
  const scroll = await page.evaluate(
    (first) =>
      new Promise((resolve, reject) => {
        const tasks = [];
        const observer = new PerformanceObserver((list) => tasks.push(...list.getEntries().map((entry) => entry.duration)));
        observer.observe({ type: "longtask" });
        const transcript = document.querySelector(".transcript");
        const start = performance.now();
        let frames = 0;
        const step = () => {
          const top = transcript.scrollTop === 0;
          if (top && transcript.textContent.includes(first) && !document.querySelector(".loading-earlier")) {
            observer.disconnect();
            resolve({ scroll_ms: performance.now() - start, frames, long_tasks: tasks.length, longest_task_ms: Math.max(0, ...tasks) });
          } else if (++frames > 5_000) {
            const rows = document.querySelector(".messages").dataset.rows;
            reject(new Error(`the first part never showed: at ${transcript.scrollTop} px of ${transcript.scrollHeight}, ${rows} rows, ${document.querySelector(".loading-earlier") ? "loading" : "not loading"}`));
          }
          else {
            transcript.scrollTop -= 1_500;
            requestAnimationFrame(step);
          }
        };
        requestAnimationFrame(step);
      }),
    env.FIRST,
  ).catch(async (error) => {
    await shoot(page, "long-session-stuck");
    throw error;
  });
  const parts = Number(await page.locator(".messages").getAttribute("data-rows"));
  await shoot(page, "long-session-start-desktop");

  // A terminal adds a part while the reader is at the top: what they read stays put.
  const before = await page.evaluate(() => ({ top: document.querySelector(".transcript").scrollTop, height: document.querySelector(".messages").offsetHeight }));
  appendFileSync(
    env.TRANSCRIPT,
    `${JSON.stringify({ type: "assistant", uuid: "live-1", timestamp: new Date().toISOString(), cwd: "/home/u/long-project", sessionId: env.ID, message: { id: "msg_live", type: "message", role: "assistant", model: "claude-opus-5-5", content: [{ type: "text", text: "Streamed while you read." }], usage: { input_tokens: 1, output_tokens: 1 } } })}\n`,
  );
  await page.waitForFunction((rows) => Number(document.querySelector(".messages").dataset.rows) > rows, parts);
  const after = await page.evaluate(() => document.querySelector(".transcript").scrollTop);
  if (after !== before.top) throw new Error(`the view moved from ${before.top} to ${after} when a part came in`);
  await page.getByRole("button", { name: "Jump to latest" }).click();
  await page.getByText("Streamed while you read.").waitFor();
  await page.getByRole("button", { name: "Jump to latest" }).waitFor({ state: "detached" });
  await shoot(page, "long-session-streamed-desktop");

  // The 5 MB output and the 50,000-line write: cut, with Show all.
  await page.goto(`${env.TETHER_URL}/#/terminal/${env.HUGE_ID}`);
  await page.getByText(env.LAST).waitFor();
  await page.locator(".tool summary", { hasText: "cat big.log" }).click();
  await page.getByRole("button", { name: /^Show all [\d,.  ]+ characters$/ }).waitFor();
  const shownOutput = await page.locator(".tool-result pre").first().textContent();
  if (shownOutput.length > 5_000) throw new Error(`the huge output showed ${shownOutput.length} characters`);
  await page.locator(".tool summary", { hasText: "huge.txt" }).click();
  await page.getByRole("button", { name: /^Show all [\d,.  ]+ lines$/ }).waitFor();
  const diffLines = await page.locator(".diff-line").count();
  if (diffLines > 400) throw new Error(`the huge write drew ${diffLines} lines`);
  await shoot(page, "long-session-cut-desktop");

  if (errors.length > 0) throw new Error(`console errors: ${errors.join("; ")}`);
  const figures = { open_ms, ...scroll, parts: parts + 1 };
  writeFileSync(env.METRICS, JSON.stringify(figures, null, 2));
  console.log(`long session: ${JSON.stringify(figures)}`);
} finally {
  await browser.close();
}

function checked(name) {
  console.log(`axe clean: ${name}`);
}
