// Writes latest.json, the release feed the app's updater reads: the version, what is new, the
// date, and for each package kind the address of the package and its signature.
// Usage: node scripts/latest-json.mjs FOLDER VERSION BASE_URL [NOTES_FILE]
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { arch } from "node:os";
import { join } from "node:path";

const [folder, version, baseUrl, notesFile] = process.argv.slice(2);
if (!folder || !version || !baseUrl) {
  console.error("usage: latest-json.mjs FOLDER VERSION BASE_URL [NOTES_FILE]");
  process.exit(2);
}
const cpu = { x64: "x86_64", arm64: "aarch64" }[arch()] ?? arch();
const platforms = {};
for (const file of readdirSync(folder)) {
  const kind = file.endsWith(".deb") ? "deb" : file.endsWith(".rpm") ? "rpm" : null;
  if (kind === null) continue;
  platforms[`linux-${cpu}-${kind}`] = {
    url: `${baseUrl}/${encodeURIComponent(file)}`,
    signature: readFileSync(join(folder, `${file}.sig`), "utf8").trim(),
  };
}
if (Object.keys(platforms).length === 0) {
  console.error(`latest-json: no .deb or .rpm in ${folder}`);
  process.exit(1);
}
const notes = notesFile ? readFileSync(notesFile, "utf8").trim() : `Tether ${version}`;
const feed = { version, notes, pub_date: new Date().toISOString(), platforms };
writeFileSync(join(folder, "latest.json"), `${JSON.stringify(feed, null, 2)}\n`);
