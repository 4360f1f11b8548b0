// Writes latest.json, the release feed the app's updater reads: the version, what is new, the
// date, and for each package (by kind and processor) the address it will have beside the feed
// and its signature.
// Usage: node scripts/latest-json.mjs FOLDER VERSION FEED_URL [NOTES_FILE]
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [folder, version, feedUrl, notesFile] = process.argv.slice(2);
if (!folder || !version || !feedUrl) {
  console.error("usage: latest-json.mjs FOLDER VERSION FEED_URL [NOTES_FILE]");
  process.exit(2);
}
const fail = (message) => {
  console.error(`latest-json: ${message}`);
  process.exit(1);
};

// The updater's names for processors, from the packages' own (Tether_1.0.0_amd64.deb,
// Tether-1.0.0-1.x86_64.rpm).
const processors = { amd64: "x86_64", x86_64: "x86_64", arm64: "aarch64", aarch64: "aarch64", i386: "i686", i686: "i686", armhf: "armv7", armv7hl: "armv7" };
const kindAndProcessor = (file) => {
  const deb = /_([a-z0-9]+)\.deb$/.exec(file);
  if (deb) return ["deb", processors[deb[1]]];
  const rpm = /\.([a-z0-9_]+)\.rpm$/.exec(file);
  if (rpm) return ["rpm", processors[rpm[1]]];
  return [null, null];
};

const platforms = {};
for (const file of readdirSync(folder).sort()) {
  const [kind, processor] = kindAndProcessor(file);
  if (kind === null) continue;
  if (!processor) fail(`cannot tell the processor of ${file}`);
  const platform = `linux-${processor}-${kind}`;
  if (platform in platforms) fail(`two packages for ${platform} in ${folder}`);
  platforms[platform] = {
    url: new URL(encodeURIComponent(file), feedUrl).href,
    signature: readFileSync(join(folder, `${file}.sig`), "utf8").trim(),
  };
}
if (Object.keys(platforms).length === 0) fail(`no .deb or .rpm in ${folder}`);
const notes = notesFile ? readFileSync(notesFile, "utf8").trim() : `Tether ${version}`;
const feed = { version, notes, pub_date: new Date().toISOString(), platforms };
writeFileSync(join(folder, "latest.json"), `${JSON.stringify(feed, null, 2)}\n`);
