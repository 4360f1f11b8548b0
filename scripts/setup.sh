#!/usr/bin/env bash
# Install everything Tether needs to build, lint and test on Debian 12 (bookworm).
#
# Idempotent and fast when everything is already present: it only calls apt-get,
# rustup, cargo install or pip when something is actually missing.
# Meant to run as root (CI does); as another user it uses sudo for apt-get.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

# --- System packages (apt) -------------------------------------------------
# Build and run the Tauri app (webkit2gtk 4.1 stack), plus test extras:
# Xvfb for headless windows, a private session D-Bus + gnome-keyring for the
# Secret Service (scripts/with-keyring.sh), keyutils, imagemagick for screenshots,
# openssh-client (ssh-keygen, ssh-agent) for the SSH-key sign-in tests, chromium for the
# chat UI's end-to-end tests (driven by playwright-core, which never downloads a browser),
# webkit2gtk-driver (WebKitWebDriver) for driving the real window through tauri-driver,
# a window manager (openbox, wmctrl) and a notification daemon (dunst) for the tray test,
# Caddy (a real reverse proxy with its own CA, for the public-URL tests; the tests start their
# own on loopback) and certutil (libnss3-tools) to make headless Chromium trust that CA.
APT_PACKAGES=(
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev
  libssl-dev pkg-config build-essential libsoup-3.0-dev libjavascriptcoregtk-4.1-dev
  libxdo-dev libdbus-1-dev file xvfb xauth dbus-x11
  gnome-keyring libsecret-tools keyutils dbus dbus-daemon imagemagick openssh-client chromium
  webkit2gtk-driver openbox wmctrl dunst caddy libnss3-tools
)

# Python used for the test venv. kosoku needs >= 3.10.
PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null || APT_PACKAGES+=(python3)
# Debian's own python3 needs python3-venv for `python3 -m venv` (ensurepip);
# pyenv's build (the machine default here) already has it.
if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  APT_PACKAGES+=(python3-venv)
fi
# npm installs the pinned Claude Code CLI for the end-to-end tests (any Node >= 18 works:
# the CLI itself is a native binary, Node only runs its install script).
command -v npm >/dev/null || APT_PACKAGES+=(nodejs npm)

missing=()
installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${APT_PACKAGES[@]}" 2>/dev/null || true)
for pkg in "${APT_PACKAGES[@]}"; do
  grep -qx "$pkg installed" <<<"$installed" || missing+=("$pkg")
done

if ((${#missing[@]})); then
  log "installing apt packages: ${missing[*]}"
  SUDO=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "not root and no sudo: install ${missing[*]} by hand"
    SUDO=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -q
  "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# --- Rust tooling ----------------------------------------------------------
if ! command -v cargo >/dev/null; then
  if [[ -x "$HOME/.cargo/bin/cargo" ]]; then
    die "cargo is not on PATH; add \$HOME/.cargo/bin to PATH (e.g. source \$HOME/.cargo/env)"
  fi
  die "cargo not found: this machine needs a Rust toolchain (rustup)"
fi

ensure_component() { # ensure_component <cargo subcommand> <rustup component>
  cargo "$1" --version >/dev/null 2>&1 && return 0
  log "installing rustup component $2"
  rustup component add "$2" ||
    die "'cargo $1' is missing and 'rustup component add $2' failed (no access to the Rust dist server?)"
  cargo "$1" --version >/dev/null 2>&1 || die "'cargo $1' still does not work after installing $2"
}
ensure_component fmt rustfmt
ensure_component clippy clippy

if ! cargo nextest --version >/dev/null 2>&1; then
  log "installing cargo-nextest (takes a few minutes)"
  cargo install cargo-nextest --locked
fi
if ! command -v tauri-driver >/dev/null 2>&1; then
  log "installing tauri-driver (the WebDriver server for the real window's tests)"
  cargo install tauri-driver --locked
fi

# --- Python test tools (.venv, hash-pinned) --------------------------------
REQ=scripts/requirements-test.txt
VENV=.venv
STAMP=$VENV/.requirements-test.sha256
want=$(sha256sum "$REQ" | cut -d' ' -f1)

# A venv whose interpreter vanished (e.g. the base Python was removed) is rebuilt.
if [[ -d $VENV ]] && ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
  log "$VENV is broken; recreating it"
  rm -rf "$VENV"
fi

if [[ ! -x $VENV/bin/kosoku || ! -f $STAMP || "$(cat "$STAMP")" != "$want" ]]; then
  if [[ ! -x $VENV/bin/python ]]; then
    log "creating $VENV with $("$PYTHON" --version 2>&1)"
    "$PYTHON" -m venv "$VENV"
  fi
  log "installing $REQ into $VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    --require-hashes --only-binary=:all: -r "$REQ"
  printf '%s\n' "$want" >"$STAMP"
fi

"$VENV/bin/kosoku" --help >/dev/null || die "$VENV/bin/kosoku does not run; delete $VENV and rerun $0"

# --- The real Claude Code CLI for the end-to-end tests (npm, pinned) ---------
# tools/claude/package.json pins the version and its package-lock.json pins the hashes;
# `npm ci` puts it in tools/claude/node_modules (git-ignored). It is ~380 MB unpacked: the
# linux-x64 optional dependency holds the native `claude` binary, and the wrapper's
# postinstall script hard-links it over bin/claude.exe (so scripts and optional deps must
# not be turned off). On Node 20 npm warns that the CLI wants node >= 22: harmless.
CLAUDE_DIR=tools/claude
CLAUDE_BIN=$CLAUDE_DIR/node_modules/.bin/claude
claude_want=$(sed -n 's/.*"@anthropic-ai\/claude-code": *"\([^"]*\)".*/\1/p' "$CLAUDE_DIR/package.json")
[[ -n $claude_want ]] || die "cannot read the pinned @anthropic-ai/claude-code version from $CLAUDE_DIR/package.json"
claude_version() { "$CLAUDE_BIN" --version 2>/dev/null | awk 'NR == 1 { print $1 }' || true; }

if [[ "$(claude_version)" != "$claude_want" ]]; then
  command -v npm >/dev/null || die "npm not found: it is needed to install the Claude Code CLI"
  log "installing @anthropic-ai/claude-code@$claude_want into $CLAUDE_DIR (downloads ~175 MB)"
  (cd "$CLAUDE_DIR" && npm ci --no-audit --no-fund --loglevel=error \
    --include=optional --ignore-scripts=false)
  have=$(claude_version)
  [[ "$have" == "$claude_want" ]] ||
    die "$CLAUDE_BIN --version says '${have:-nothing}', want $claude_want (did its postinstall script run?)"
fi

# --- The chat UI's packages (npm, locked) ------------------------------------------
# ui/package-lock.json pins their versions and hashes; a stamp of its hash in node_modules
# says when they are current. `npm install --no-save` rather than `npm ci`: the lock records
# only this platform's optional packages (rollup's native part), which `npm ci` refuses.
UI_STAMP=ui/node_modules/.tether-lock.sha256
ui_lock=$(sha256sum ui/package-lock.json | awk '{ print $1 }')
if [[ "$(cat "$UI_STAMP" 2>/dev/null || true)" != "$ui_lock" ]]; then
  command -v npm >/dev/null || die "npm not found: it is needed to build the chat UI"
  log "installing the chat UI's npm packages into ui/node_modules"
  (cd ui && npm install --no-save --no-audit --no-fund --loglevel=error)
  echo "$ui_lock" >"$UI_STAMP"
fi

log "ok"
