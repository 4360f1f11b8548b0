#!/usr/bin/env bash
# Runs the engine headless (`tether serve`). Tokens live in the OS keyring (Secret Service);
# on a machine with no session D-Bus, a private keyring is started for this run only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo build -q -p tether-cli --bin tether
if [[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]]; then
  exec target/debug/tether serve "$@"
fi
echo "serve: no session D-Bus here, so no OS keyring: starting a private one for this run." >&2
echo "serve: tokens made with 'tether token create' while it runs (through its control socket)" >&2
echo "serve: work until it stops. For a lasting headless server, run it in a session with a" >&2
echo "serve: Secret Service (see README)." >&2
exec scripts/with-keyring.sh target/debug/tether serve "$@"
