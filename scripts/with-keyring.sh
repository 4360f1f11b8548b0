#!/usr/bin/env bash
# Usage: scripts/with-keyring.sh CMD [ARGS...]
#
# Runs CMD inside a private session D-Bus with its own unlocked gnome-keyring
# Secret Service (org.freedesktop.secrets), isolated from the user's real
# keyring and from other concurrent runs:
#   - keyrings live in a fresh temporary XDG_DATA_HOME, removed on exit;
#   - the daemon's sockets live in a fresh temporary XDG_RUNTIME_DIR (0700);
#   - the bus (DBUS_SESSION_BUS_ADDRESS) exists only for CMD and its children.
# The exit status of CMD is preserved. Needs dbus-run-session (dbus-daemon) and
# gnome-keyring-daemon: scripts/setup.sh installs them.
set -euo pipefail

if (($# == 0)); then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi
for tool in dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || {
    echo "$0: $tool not found (run scripts/setup.sh)" >&2
    exit 127
  }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tether-keyring.XXXXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 0700 "$tmp"
mkdir -m 0700 "$tmp/data" "$tmp/runtime" "$tmp/config"

export XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/runtime" XDG_CONFIG_HOME="$tmp/config"
# Drop anything pointing at the caller's real bus or keyring.
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL GNOME_KEYRING_PID

# The keyring is throwaway, so its password only has to unlock it once.
TETHER_KEYRING_PW=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
export TETHER_KEYRING_PW

status=0
# Inner script (POSIX sh): start the daemon, wait until it owns
# org.freedesktop.secrets on the private bus, run CMD, then stop the daemon
# explicitly (left alone it can outlive a very short CMD).
# shellcheck disable=SC2016 # expanded by the inner sh
dbus-run-session -- sh -c '
  printf "%s" "$TETHER_KEYRING_PW" |
    gnome-keyring-daemon --daemonize --unlock --components=secrets >/dev/null || {
      echo "with-keyring: gnome-keyring-daemon failed to start" >&2
      exit 1
    }
  unset TETHER_KEYRING_PW
  pid= i=0
  while [ -z "$pid" ] && [ "$i" -lt 100 ]; do
    pid=$(dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus \
      /org/freedesktop/DBus org.freedesktop.DBus.GetConnectionUnixProcessID \
      string:org.freedesktop.secrets 2>/dev/null | awk "{print \$NF}")
    [ -n "$pid" ] || { i=$((i + 1)); sleep 0.05; }
  done
  if [ -z "$pid" ]; then
    echo "with-keyring: the Secret Service did not appear on the session bus" >&2
    exit 1
  fi
  trap "kill $pid 2>/dev/null" EXIT
  trap "exit 129" HUP
  trap "exit 130" INT
  trap "exit 143" TERM
  "$@"
' with-keyring "$@" || status=$?
exit "$status"
