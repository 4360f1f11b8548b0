#!/usr/bin/env bash
# Lint, then run every test (including #[ignore]d ones) under a private keyring.
# Extra arguments go to `cargo nextest run` (e.g. a test filter).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -n "${CI:-}" ]]; then
  export CARGO_TERM_COLOR=never
  # A fresh clone builds once: incremental caches would only take disk (gigabytes of it).
  export CARGO_INCREMENTAL=0
fi
# Tests find the hash-pinned Python tools (kosoku) installed by scripts/setup.sh.
export PATH="$PWD/.venv/bin:$PATH"
# The real-CLI tests (crates/tether-fake-anthropic) run the pinned CLI that scripts/setup.sh installs.
export TETHER_CLAUDE="$PWD/tools/claude/node_modules/.bin/claude"
[[ -x $TETHER_CLAUDE ]] || { echo "test.sh: $TETHER_CLAUDE is missing: run scripts/setup.sh (make setup)" >&2; exit 1; }

echo "==> ui: typecheck, unit tests and build (the desktop app embeds it, the engine serves it)"
(cd ui && npm run --silent typecheck && npm test --silent && npm run --silent build)
echo "==> cargo fmt --all --check"
cargo fmt --all --check
echo "==> cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
# The crowd chaos test (20 million deliveries) runs optimized, on its own, after the rest
# (and not when arguments pick tests).
crowd='binary(ws) & test(/^chaos::/)'
echo "==> cargo nextest run --workspace --run-ignored all --no-fail-fast"
if [[ $# -gt 0 ]]; then
  exec scripts/with-keyring.sh cargo nextest run --workspace --run-ignored all --no-fail-fast "$@"
fi
scripts/with-keyring.sh cargo nextest run --workspace --run-ignored all --no-fail-fast -E "not ($crowd)"
echo "==> chaos, optimized: a crowd of followers through reconnect storms"
exec scripts/with-keyring.sh cargo nextest run --release -p tether-server --test ws --run-ignored only --no-capture -E "$crowd"
