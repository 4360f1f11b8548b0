#!/usr/bin/env bash
# make bench: builds Tether optimized, installs the peers (npm ws and bun, pinned in
# bench/peers), runs the browser tests optimized for the chat UI's figures, then measures
# everything side by side and writes bench/results/latest.{md,json}.
# Extra arguments go to `tether-bench run` (e.g. --subscribers 1,10 --idle 2000).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "==> peers: npm ci in bench/peers"
(cd bench/peers && npm ci --no-audit --no-fund --silent)
echo "==> the chat UI, and cargo build --release (tether, tether-bench, the desktop app)"
(cd ui && npm run --silent build)
cargo build --release --quiet -p tether-cli -p tether-bench -p tether-desktop
echo "==> the chat UI in a browser, against the optimized engine (its figures go to test-output/)"
export PATH="$PWD/.venv/bin:$PATH" TETHER_CLAUDE="$PWD/tools/claude/node_modules/.bin/claude"
scripts/with-keyring.sh cargo nextest run --release -p tether-cli --test-threads 1 \
  -E 'binary(browser) | binary(sidebar_browser) | binary(long_session_browser) | binary(composer_browser)'
# One at a time (two browsers at once would measure each other), and their figures kept
# apart, so tests run meanwhile cannot replace them.
ui_figures=$(mktemp -d)
trap 'rm -rf "$ui_figures"' EXIT
cp test-output/ui-load.json test-output/ui-long.json test-output/ui-switch.json test-output/ui-composer.json "$ui_figures/"
echo "==> measuring (about twenty minutes, ten of them the desktop app left idle)"
scripts/with-keyring.sh target/release/tether-bench run --ui "$ui_figures" "$@"
