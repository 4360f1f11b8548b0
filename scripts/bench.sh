#!/usr/bin/env bash
# make bench: builds Tether optimized, installs the peers (npm ws and bun, pinned in
# bench/peers), then measures everything side by side and writes bench/results/latest.{md,json}.
# Extra arguments go to `tether-bench run` (e.g. --subscribers 1,10 --idle 2000).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "==> peers: npm ci in bench/peers"
(cd bench/peers && npm ci --no-audit --no-fund --silent)
echo "==> cargo build --release (tether, tether-bench)"
cargo build --release --quiet -p tether-cli -p tether-bench
echo "==> measuring (about ten minutes)"
exec scripts/with-keyring.sh target/release/tether-bench run "$@"
