#!/usr/bin/env bash
# Fuzzes the parsers that read untrusted text, each for a bounded time: the protocol decoder
# (`decode`: what clients send), the stream-json parser (`stream_json`: what claude prints) and
# the transcript reader (`transcript`: what `~/.claude/projects` holds).
#   FUZZ_SECONDS   how long each target runs (default 60)
#   FUZZ_TARGETS   which targets (default: decode stream_json transcript)
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP lets the stable toolchain take them.
# Findings land in fuzz/artifacts/<target>/, the growing corpus in fuzz/corpus/<target>/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-decode stream_json transcript}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
for target in $targets; do
  mkdir -p "fuzz/corpus/$target"
  cp -n fuzz/seeds/"$target"/* "fuzz/corpus/$target/" 2>/dev/null || true
  echo "==> fuzzing $target for ${seconds}s"
  cargo fuzz run "$target" "fuzz/corpus/$target" -- -max_total_time="$seconds" -max_len=65536
done
