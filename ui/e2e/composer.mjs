// The composer and the project in a real browser against the real engine (run by
// crates/tether-cli/tests/composer_browser.rs, which makes a git repository with a project
// command, starts `tether serve` with the real claude and the fake API, and checks what the
// fake was sent): images pasted and picked (a large one scaled down, a false one refused), a
// slash command from the menu (a built-in and the project's own), an `@` mention, an approved
// edit in the session's changes and the file viewer, git status and a diff, and search that
// opens the message found; then the same composer at phone size, with the camera's button.
// Env: TETHER_URL, PAIR_CODE, PROJECT, ANSWERS (JSON: the five text answers in order), SCREENSHOTS,
// METRICS. Exits 0 when every step passed.
import { writeFileSync } from "node:fs";

import { checkA11y } from "./axe.mjs";
import { PHONE, camera, context, launch, page as open } from "./browser.mjs";

const env = process.env;
const answers = JSON.parse(env.ANSWERS);
const shoot = camera(env.SCREENSHOTS);
const errors = [];
const checked = [];
const measured = {};
const browser = await launch();

/** An image of `width` × `height` drawn in the page, as base64: a PNG of flat colour, or a
 * JPEG like a photo (a gradient with grain), as a camera makes it. */
const picture = (page, width, height, type = "image/png") =>
  page.evaluate(
    async ([width, height, type]) => {
      const canvas = new OffscreenCanvas(width, height);
      const context = canvas.getContext("2d");
      const gradient = context.createLinearGradient(0, 0, width, height);
      gradient.addColorStop(0, "#a34a25");
      gradient.addColorStop(1, "#2563eb");
      context.fillStyle = gradient;
      context.fillRect(0, 0, width, height);
      for (let dot = 0; dot < 20_000; dot++) {
        context.fillStyle = `hsl(${dot % 360} 60% 50% / 0.5)`;
        context.fillRect((dot * 7919) % width, (dot * 104729) % height, 6, 6);
      }
      const bytes = new Uint8Array(await (await canvas.convertToBlob({ type, quality: 0.92 })).arrayBuffer());
      let text = "";
      for (const byte of bytes) text += String.fromCharCode(byte);
      return btoa(text);
    },
    [width, height, type],
  );

/** Milliseconds from giving the picker a file to its thumbnail shown. */
async function timedAttach(page, name, buffer, mimeType) {
  const started = Date.now();
  await page.locator("input[aria-label='Image files']").setInputFiles({ name, mimeType, buffer });
  await page.getByRole("list", { name: "Images to send" }).getByRole("img", { name }).waitFor();
  return Date.now() - started;
}

try {
  const pages = await context(browser);
  const page = await open(pages, errors);
  page.on("dialog", (dialog) => void dialog.accept());
  await page.goto(`${env.TETHER_URL}/#pair=${env.PAIR_CODE}`);
  await page.getByLabel("This device’s name").fill("E2E composer");
  await page.getByRole("button", { name: "Pair" }).click();
  await page.getByRole("status").filter({ hasText: "Connected" }).waitFor();
  const sidebar = page.getByRole("complementary", { name: "Projects and sessions" });
  await sidebar.getByRole("button", { name: `New session in ${env.PROJECT}` }).click();
  await page.waitForURL(/#\/session\/[0-9a-f]+$/);
  const box = page.getByLabel("Message");
  const strip = page.getByRole("list", { name: "Images to send" });

  // Images: one pasted, a large one picked (it is scaled to the API's size), a false one refused.
  await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(120, 80);
    const context = canvas.getContext("2d");
    context.fillStyle = "#a34a25";
    context.fillRect(0, 0, 120, 80);
    const blob = await canvas.convertToBlob({ type: "image/png" });
    const transfer = new DataTransfer();
    transfer.items.add(new File([blob], "pasted.png", { type: "image/png" }));
    const textarea = document.querySelector("textarea[aria-label='Message']");
    textarea.focus();
    textarea.dispatchEvent(new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true }));
  });
  await strip.getByRole("img", { name: "pasted.png" }).waitFor();
  const photo = Buffer.from(await picture(page, 4000, 3000, "image/jpeg"), "base64");
  measured.photo_bytes = photo.length;
  measured.prepare_12mp_desktop_ms = await timedAttach(page, "photo.jpg", photo, "image/jpeg");
  const title = await strip.getByRole("img", { name: "photo.jpg" }).getAttribute("title");
  if (!/1265×949|1264×948|1265×948/.test(title)) throw new Error(`the photo was not scaled to the API's size: ${title}`);
  await page.locator("input[aria-label='Image files']").setInputFiles({ name: "notes.png", mimeType: "image/png", buffer: Buffer.from("just text") });
  await page.getByRole("alert").filter({ hasText: "“notes.png” is not a PNG, JPEG, GIF or WebP image" }).waitFor();
  await shoot(page, "composer-images-desktop");
  checked.push(await checkA11y(page, "composer with images (desktop)"));
  await box.fill("What is in these pictures?");
  await box.press("Enter");
  await page.getByText(answers[0]).waitFor();
  if ((await strip.count()) !== 0) throw new Error("the images stayed in the composer after sending");
  await page.getByRole("img", { name: "An attached image" }).first().waitFor();
  await page.locator(".chat-header .badge", { hasText: "idle" }).waitFor();

  // A slash command from the menu: the project's own, then a built-in.
  await box.fill("/");
  const commands = page.getByRole("listbox", { name: "Commands" });
  await commands.getByRole("option", { name: /\/review/ }).waitFor();
  await page.getByText(/more: type to narrow/).waitFor();
  checked.push(await checkA11y(page, "command menu (desktop)"));
  await shoot(page, "composer-commands-desktop");
  await box.pressSequentially("rev");
  await commands.getByRole("option", { name: /\/review focus.*this project/ }).waitFor();
  await box.press("Enter");
  if ((await box.inputValue()) !== "/review ") throw new Error(`the menu wrote ${await box.inputValue()}`);
  await box.pressSequentially("the parser");
  await box.press("Enter");
  await page.getByText(answers[1]).waitFor();
  await page.locator(".chat-header .badge", { hasText: "idle" }).waitFor();
  await box.fill("/usa");
  await commands.getByRole("option", { name: /\/usage/ }).waitFor();
  await box.press("Tab");
  await box.press("Enter");
  await page.getByText("Estimated cost").waitFor();

  // An @ mention of a project file.
  await box.fill("Look at @srvm");
  const files = page.getByRole("listbox", { name: "Files" });
  await files.getByRole("option", { name: /src\/server\/main\.rs/ }).waitFor();
  await box.press("Enter");
  if ((await box.inputValue()) !== "Look at @src/server/main.rs ") throw new Error(`the mention wrote ${await box.inputValue()}`);
  await box.press("Enter");
  await page.getByText(answers[2]).waitFor();
  await page.locator(".chat-header .badge", { hasText: "idle" }).waitFor();
  // The mention in the sent message opens the file; Back returns to the chat.
  await page.getByRole("region", { name: "Conversation" }).getByRole("link", { name: "@src/server/main.rs" }).click();
  await page.getByRole("region", { name: "Contents of src/server/main.rs" }).waitFor();
  await page.goBack();
  await page.getByText(answers[2]).waitFor();

  // An edit, approved, then the session's changes and the file as it is now.
  await box.fill("Make main say hello");
  await box.press("Enter");
  await page.getByRole("alertdialog", { name: "Allow Edit?" }).getByRole("button", { name: "Allow once" }).click();
  await page.getByText(answers[3]).waitFor();
  await page.getByRole("link", { name: "Files changed" }).click();
  const changes = page.getByRole("region", { name: "Files changed in this session" });
  await changes.getByRole("heading", { name: /src\/server\/main\.rs/ }).waitFor();
  await changes.getByText('println!("hello");').first().waitFor();
  checked.push(await checkA11y(page, "changes (desktop)"));
  await shoot(page, "changes-desktop");
  await changes.getByRole("link", { name: "Open the file" }).click();
  await page.waitForURL(/\/files\/src\/server\/main\.rs$/);
  const shown = page.getByRole("region", { name: "Contents of src/server/main.rs" });
  // Highlighted: `fn` drawn as a keyword (the plain text shows while the highlighter loads).
  await shown.locator(".hljs-keyword", { hasText: "fn" }).waitFor();
  await shown.getByText("hello").waitFor();
  checked.push(await checkA11y(page, "file (desktop)"));
  await shoot(page, "file-desktop");

  // Git: the edit is an unstaged change; its diff.
  await page.getByRole("navigation", { name: "Project views" }).getByRole("link", { name: "Git" }).click();
  await page.getByText("main", { exact: true }).first().waitFor();
  const changed = page.getByRole("list", { name: "Changed files" });
  await changed.getByRole("button", { name: "Not staged: modified" }).click();
  await page.getByRole("region", { name: "Diff of src/server/main.rs" }).getByText('+    println!("hello");').waitFor();
  checked.push(await checkA11y(page, "git (desktop)"));
  await shoot(page, "git-desktop");

  // Search: a word from an answer, then the message it is in.
  await page.getByRole("navigation", { name: "Screens" }).getByRole("link", { name: "Search" }).click();
  await page.getByLabel("Search every session").fill("parser revie");
  const hit = page.getByRole("link", { name: new RegExp(answers[1].slice(0, 12)) });
  await hit.first().waitFor();
  checked.push(await checkA11y(page, "search (desktop)"));
  await hit.first().click();
  await page.waitForURL(/\/message\/[^/]+$/);
  await page.locator(".row.focused", { hasText: answers[1] }).waitFor();
  await shoot(page, "search-jump-desktop");

  // At phone size with touch: the camera's button, a picked image, the menu by tap.
  const phone = await context(browser, { viewport: PHONE, isMobile: true, hasTouch: true });
  const small = await open(phone, errors);
  await small.goto(env.TETHER_URL);
  await small.evaluate((token) => localStorage.setItem("tether.token", token), await page.evaluate(() => localStorage.getItem("tether.token")));
  await small.goto(page.url().replace(/\/message\/.*$/, ""));
  await small.reload();
  await small.getByRole("button", { name: "Take a photo" }).waitFor();
  const phoneBox = small.getByLabel("Message");
  await phoneBox.fill("/rev");
  await small.getByRole("option", { name: /\/review/ }).tap();
  if ((await phoneBox.inputValue()) !== "/review ") throw new Error(`the tapped command wrote ${await phoneBox.inputValue()}`);
  await phoneBox.fill("");
  // A 12-megapixel photo prepared on a phone's CPU (Chromium slowed fourfold), then removed.
  const cpu = await phone.newCDPSession(small);
  await cpu.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  measured.prepare_12mp_phone_ms = await timedAttach(small, "phone-photo.jpg", photo, "image/jpeg");
  await cpu.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  await small.getByRole("button", { name: "Remove phone-photo.jpg" }).tap();
  await timedAttach(small, "small.png", Buffer.from(await picture(small, 64, 64), "base64"), "image/png");
  await small.getByRole("button", { name: "Send" }).tap();
  await small.getByText(answers[4]).waitFor();
  checked.push(await checkA11y(small, "composer (phone)"));
  await shoot(small, "composer-phone");

  if (errors.length > 0) throw new Error(`console errors: ${errors.join("\n")}`);
  writeFileSync(env.METRICS, JSON.stringify({ ...measured, axe_checked: checked }, null, 2));
  console.log(JSON.stringify(measured));
} finally {
  await browser.close();
}
