SHELL := bash
.SHELLFLAGS := -euo pipefail -c

.PHONY: setup test run serve bundle fuzz chaos bench lint fmt gen

# Install system packages, Rust tools and the test venv (idempotent, fast when done).
setup:
	scripts/setup.sh

# Lint + all tests (including ignored ones) under a private keyring.
test: setup
	scripts/test.sh

# Desktop app (needs a display).
run: setup
	scripts/run.sh

# Headless engine (a private keyring for the run when there is no session D-Bus).
serve: setup
	scripts/serve.sh

# Signed .deb and .rpm installers and latest.json (needs TAURI_SIGNING_PRIVATE_KEY and
# TETHER_UPDATE_ENDPOINT; see scripts/bundle.sh).
bundle: setup
	cd ui && npm run --silent build
	scripts/bundle.sh

# Fuzz the protocol decoder and the stream-json parser, FUZZ_SECONDS (60) each.
fuzz: setup
	scripts/fuzz.sh

# Larger chaos than make test: a bigger crowd, more kill -9 rounds (see scripts/chaos.sh).
chaos: setup
	scripts/chaos.sh

# Tether side by side with Node ws and Bun: fan-out, memory, catch-up, pipeline, start-up.
# Writes bench/results/latest.md and latest.json (see scripts/bench.sh).
bench: setup
	scripts/bench.sh

lint:
	cd ui && npm run --silent build   # the desktop app embeds the built UI
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

fmt:
	cargo fmt --all

# Regenerate the committed TypeScript types.
gen:
	TETHER_UPDATE_GEN=1 cargo test -p tether-protocol --test gen_types
