// After `vite build`: a gzip copy beside every text file of dist/ worth compressing, which the
// engine sends to browsers that accept gzip (a phone on a slow network loads a third).
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const TEXT = /\.(js|mjs|css|html|svg|json|webmanifest)$/;
/** Smaller files gain too little to be worth a second copy. */
const SMALLEST = 1024;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

let before = 0;
let after = 0;
for (const path of files(fileURLToPath(new URL("../dist", import.meta.url)))) {
  if (!TEXT.test(path)) continue;
  const bytes = readFileSync(path);
  if (bytes.length < SMALLEST) continue;
  const compressed = gzipSync(bytes, { level: 9 });
  writeFileSync(`${path}.gz`, compressed);
  before += bytes.length;
  after += compressed.length;
}
console.log(`gzip copies: ${(before / 1024).toFixed(1)} kB → ${(after / 1024).toFixed(1)} kB`);
