// A phone meets Claude Code's history (run by crates/tether-cli/tests/terminal.rs, which has
// the real claude write a session in a terminal first): pairing, the first run listing the
// folder that session ran in, adding it as a project with one click, opening the session and
// reading it, and carrying it on with a message, all at phone size.
// Env: TETHER_URL, PAIR_CODE, FOLDER (its name), TITLE (the session's first prompt), EARLIER
// (an answer in it), CONTINUED (the answer to the message sent), SCREENSHOTS. Exits 0 when
// every step passed.
import { PHONE, camera, context, launch, page as open } from "./browser.mjs";

const env = process.env;
const shoot = camera(env.SCREENSHOTS);
const errors = [];
const browser = await launch();
try {
  const pages = await context(browser);
  const page = await open(pages, errors);
  await page.setViewportSize(PHONE);
  await page.goto(`${env.TETHER_URL}/#pair=${env.PAIR_CODE}`);
  await page.getByLabel("This device’s name").fill("E2E phone");
  await page.getByRole("button", { name: "Pair" }).click();
  await page.getByRole("status").filter({ hasText: "Connected" }).waitFor();

  // The first run: the folder from the terminal, most recent first, with its session.
  await page.getByRole("heading", { name: "Pick up where you left off" }).waitFor();
  const history = page.getByRole("region", { name: "Claude Code history" });
  await history.locator(".folder-name", { hasText: env.FOLDER }).waitFor();
  await history.getByText("1 session").waitFor();
  await shoot(page, "history-phone");

  // One click makes it a project; it stays open to pick a session from.
  await history.getByRole("button", { name: /^Add .* as a project$/ }).click();
  await page.getByRole("heading", { name: env.FOLDER, exact: true }).waitFor();
  await page.getByRole("heading", { name: "Claude Code history" }).waitFor();

  // The session reads as any other, and the next message carries it on here.
  await history.getByRole("button", { name: new RegExp(env.TITLE) }).click();
  await page.getByText(env.EARLIER).waitFor();
  await page.getByText(/Your next message continues it here/).waitFor();
  await shoot(page, "terminal-phone");
  await page.getByLabel("Message").fill("carry on from the phone");
  await page.getByRole("button", { name: "Send" }).click();
  await page.getByText(env.CONTINUED).waitFor();
  await page.locator(".chat-header .badge", { hasText: "idle" }).waitFor();
  await page.getByText(/Carried on from a Claude Code session/).waitFor();
  await shoot(page, "continued-phone");
  if (errors.length > 0) throw new Error(`console errors: ${errors.join("\n")}`);
  console.log("terminal history: every step passed");
} finally {
  await browser.close();
}
