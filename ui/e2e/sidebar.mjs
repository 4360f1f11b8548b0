// The desktop layout in a real browser against the real engine (run by
// crates/tether-cli/tests/sidebar_browser.rs, which adds two projects and starts `tether
// serve` with the real claude and the fake API): four sessions across the two projects, made
// and answered from the sidebar; switching by click and by keyboard (timed); unread and
// waiting-for-approval markers from a second page; the filter; the sidebar hidden, shown and
// resized, and remembered over a reload; the project and settings screens at their URLs, back
// and forward, a reload on a deep link and a project that is not there; the same at phone
// size, one pane at a time; axe on every screen, light and dark.
// Env: TETHER_URL, PAIR_CODE, PROJECT_A, PROJECT_B, ANSWERS (JSON: the four answers), LATE
// (the answer to a second page's prompt), ASKED (the tool the model asks for), APPROVED
// (its answer after approval), SCREENSHOTS, METRICS. Exits 0 when every step passed.
import { writeFileSync } from "node:fs";

import { checkA11y } from "./axe.mjs";
import { DESKTOP, PHONE, camera, context, launch, page as open } from "./browser.mjs";

const env = process.env;
const url = env.TETHER_URL;
const answers = JSON.parse(env.ANSWERS);
const shoot = camera(env.SCREENSHOTS);
const errors = [];
const checked = [];
const browser = await launch();
try {
  const pages = await context(browser);
  const page = await open(pages, errors);
  page.on("dialog", (dialog) => void dialog.accept());
  await page.goto(`${url}/#pair=${env.PAIR_CODE}`);
  await page.getByLabel("This device’s name").fill("E2E desktop");
  await page.getByRole("button", { name: "Pair" }).click();
  await page.getByRole("status").filter({ hasText: "Connected" }).waitFor();
  const sidebar = page.getByRole("complementary", { name: "Projects and sessions" });
  await sidebar.getByRole("heading", { name: env.PROJECT_A }).waitFor();
  await sidebar.getByRole("heading", { name: env.PROJECT_B }).waitFor();
  await page.getByRole("heading", { name: "Choose a session" }).waitFor();
  checked.push(await checkA11y(page, "welcome (desktop)"));

  // Four sessions, two in each project, each started from the sidebar and answered.
  const made = [];
  for (const [index, project] of [env.PROJECT_A, env.PROJECT_A, env.PROJECT_B, env.PROJECT_B].entries()) {
    const shown = page.url();
    await sidebar.getByRole("button", { name: `New session in ${project}` }).click();
    // The new session's own address, not the one shown before it (which matches too).
    await page.waitForURL((address) => address.href !== shown && /#\/session\/[0-9a-f]+$/.test(address.href));
    await page.getByLabel("Message").fill(`prompt ${index}`);
    await page.getByLabel("Message").press("Enter");
    await page.getByText(answers[index]).waitFor();
    await page.locator(".chat-header .badge", { hasText: "idle" }).waitFor();
    made.push(page.url().split("/").pop());
  }
  await page.getByRole("button", { name: "Rename" }).click();
  await page.getByLabel("Session name").fill("Beta two");
  await page.getByLabel("Session name").press("Enter");
  await sidebar.getByRole("link", { name: /Beta two/ }).waitFor();
  for (const project of [env.PROJECT_A, env.PROJECT_B]) {
    const count = await sidebar.getByRole("region", { name: project }).getByRole("link", { name: /idle/ }).count();
    if (count !== 2) throw new Error(`${project} lists ${count} sessions, not 2`);
  }
  checked.push(await checkA11y(page, "chat (desktop)"));
  await shoot(page, "sidebar-desktop");

  // Switching from the sidebar, timed from the click to the other answer drawn.
  const link = (id) => sidebar.locator(`a[data-session="${id}"]`);
  const switches = [];
  for (let round = 0; round < 6; round++) {
    const [from, to] = round % 2 === 0 ? [3, 0] : [0, 3];
    await page.getByText(answers[from]).waitFor();
    const href = await link(made[to]).getAttribute("href");
    switches.push(
      await page.evaluate(
        ([href, text]) =>
          new Promise((resolve, reject) => {
            const start = performance.now();
            document.querySelector(`a[href="${href}"]`).click();
            let frames = 0;
            const look = () => {
              if (document.querySelector(".transcript")?.textContent.includes(text)) resolve(performance.now() - start);
              else if (++frames > 600) reject(new Error(`never showed ${text}`));
              else requestAnimationFrame(look);
            };
            requestAnimationFrame(look);
          }),
        [href, answers[to]],
      ),
    );
  }
  const current = await link(made[3]).getAttribute("aria-current");
  if (current !== "page") throw new Error(`the shown session is not marked current in the sidebar (${current})`);

  // The keyboard: next and previous session (not while typing: the arrows are the text's
  // then), the filter, the sidebar hidden and shown.
  await page.getByRole("region", { name: "Conversation" }).focus();
  await page.keyboard.press("Alt+ArrowDown");
  await page.waitForURL((address) => !address.href.endsWith(made[3]));
  const next = page.url();
  await page.keyboard.press("Alt+ArrowUp");
  await page.waitForURL(new RegExp(`${made[3]}$`));
  if (next === page.url()) throw new Error("Alt+ArrowDown did not move");
  await page.keyboard.press("Alt+k");
  await page.keyboard.type("beta two");
  if ((await sidebar.getByRole("link", { name: /idle/ }).count()) !== 1) throw new Error("the filter left more than “Beta two”");
  await page.keyboard.type("-none");
  await sidebar.getByText("No session matches").waitFor();
  await sidebar.getByRole("button", { name: "Clear the filter" }).click();
  await sidebar.getByRole("link", { name: /Beta two/ }).waitFor();
  await page.getByLabel("Message").focus();
  await page.keyboard.press("Alt+b");
  await sidebar.waitFor({ state: "detached" });
  await shoot(page, "sidebar-hidden-desktop");
  await page.keyboard.press("Alt+b");
  await sidebar.waitFor();
  const edge = page.getByRole("separator", { name: "Sidebar width" });
  const before = Number(await edge.getAttribute("aria-valuenow"));
  await edge.focus();
  for (let step = 0; step < 3; step++) await page.keyboard.press("ArrowRight");
  const after = Number(await edge.getAttribute("aria-valuenow"));
  if (after !== before + 48) throw new Error(`the sidebar went from ${before} to ${after} px`);
  await page.reload();
  await page.getByText(answers[3]).waitFor();
  if (Number(await edge.getAttribute("aria-valuenow")) !== after) throw new Error("the width was not remembered");

  // A second page: a prompt to session 0 marks it unread here; a tool waiting in session 1
  // marks that one as waiting, and it is answered from here.
  const other = await open(pages, errors);
  await other.goto(`${url}/#/session/${made[0]}`);
  await other.getByText(answers[0]).waitFor();
  await other.getByLabel("Message").fill("one more");
  await other.getByLabel("Message").press("Enter");
  await other.getByText(env.LATE).waitFor();
  await link(made[0]).getByText("new activity").waitFor();
  await other.goto(`${url}/#/session/${made[1]}`);
  await other.getByText(answers[1]).waitFor();
  await other.getByLabel("Message").fill("run it");
  await other.getByLabel("Message").press("Enter");
  await link(made[1]).getByText("waits for your approval").waitFor().catch(async (error) => {
    await shoot(page, "FAIL-page");
    await shoot(other, "FAIL-other");
    throw error;
  });
  await shoot(page, "sidebar-markers-desktop");
  await other.close();
  await link(made[1]).click();
  await page.getByRole("alertdialog", { name: `Allow ${env.ASKED}?` }).getByRole("button", { name: "Allow once" }).click();
  await page.getByText(env.APPROVED).waitFor();
  await link(made[0]).click();
  await page.getByText(env.LATE).waitFor();
  await link(made[0]).getByText("new activity").waitFor({ state: "detached" });

  // A new session from the keyboard, in the shown session's project; archived from its header.
  await page.keyboard.press("Alt+n");
  await page.waitForURL((address) => !made.some((id) => address.href.endsWith(id)));
  await page.getByRole("button", { name: "Archive this session" }).click();
  await sidebar.getByRole("region", { name: env.PROJECT_A }).getByText("1 archived").waitFor();

  // The project's screen at its URL; back, forward, a reload there, and one not there.
  await sidebar.getByRole("link", { name: env.PROJECT_B, exact: true }).click();
  await page.waitForURL(/#\/project\/[0-9a-f]+$/);
  const projectUrl = page.url();
  await page.getByRole("heading", { level: 1, name: env.PROJECT_B }).waitFor();
  checked.push(await checkA11y(page, "project (desktop)"));
  await shoot(page, "project-desktop");
  await page.goBack();
  await page.getByRole("button", { name: "Archive this session" }).waitFor({ state: "detached" });
  await page.goForward();
  await page.getByRole("heading", { level: 1, name: env.PROJECT_B }).waitFor();
  await page.reload();
  await page.getByRole("heading", { level: 1, name: env.PROJECT_B }).waitFor();
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
  checked.push(await checkA11y(page, "settings (desktop)"));
  await page.getByRole("link", { name: "Devices" }).click();
  await page.getByRole("heading", { level: 1, name: "Devices" }).waitFor();
  checked.push(await checkA11y(page, "devices (desktop)"));
  await page.goBack();
  await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
  await page.goBack();
  if (page.url() !== projectUrl) throw new Error(`back from settings: ${page.url()}`);
  await page.goto(`${url}/#/project/0123456789abcdef`);
  await page.getByRole("alert", { name: "Not found" }).getByText("No project here").waitFor();
  checked.push(await checkA11y(page, "a project not found"));

  // Dark, as the system asks.
  await page.emulateMedia({ colorScheme: "dark" });
  await link(made[3]).click();
  await page.getByText(answers[3]).waitFor();
  checked.push(await checkA11y(page, "chat (desktop, dark)"));
  await shoot(page, "chat-dark-desktop");
  await page.emulateMedia({ colorScheme: "light" });

  // A phone: one pane at a time, the same sessions, and the app's Back returns to the list.
  await page.setViewportSize(PHONE);
  await sidebar.waitFor({ state: "detached" });
  await page.getByRole("link", { name: "Tether" }).click();
  const list = page.getByRole("navigation", { name: "Sessions" });
  await list.getByRole("heading", { name: env.PROJECT_A }).waitFor();
  checked.push(await checkA11y(page, "sessions (phone)"));
  await shoot(page, "sessions-list-phone");
  await list.locator(`a[data-session="${made[2]}"]`).click();
  await page.getByText(answers[2]).waitFor();
  checked.push(await checkA11y(page, "chat (phone)"));
  await shoot(page, "chat-sidebar-flow-phone");
  await page.getByRole("button", { name: "Back to sessions" }).click();
  await list.getByRole("heading", { name: env.PROJECT_B }).waitFor();
  if (!page.url().endsWith("#/")) throw new Error(`Back from the chat: ${page.url()}`);
  await page.setViewportSize(DESKTOP);

  if (errors.length > 0) throw new Error(`console errors: ${errors.join("; ")}`);
  const sorted = [...switches].sort((a, b) => a - b);
  writeFileSync(env.METRICS, JSON.stringify({ switch_ms: switches, switch_median_ms: sorted[Math.floor(sorted.length / 2)], switch_max_ms: sorted.at(-1), axe_checked: checked }, null, 2));
  console.log(`switches ${switches.map((ms) => ms.toFixed(1)).join(", ")} ms; axe clean on ${checked.length} screens`);
} finally {
  await browser.close();
}
