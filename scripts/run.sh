#!/usr/bin/env bash
# Run the desktop app (needs a graphical session).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  cat >&2 <<'MSG'
run: no graphical session ($DISPLAY and $WAYLAND_DISPLAY are both empty).
The Tether desktop window needs a display. To run the engine headless instead:
    make serve
or
    cargo run -p tether-cli --bin tether -- serve
(To try the window without a real display: xvfb-run -a cargo run --bin tether-desktop)
MSG
  exit 1
fi
# The window shows the chat UI, which the app embeds when it is built.
(cd ui && npm run --silent build)
exec cargo run --bin tether-desktop "$@"
