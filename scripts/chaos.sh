#!/usr/bin/env bash
# The slower chaos run: a larger crowd through reconnect storms (optimized), then more rounds of
# `kill -9` and restart of the real binary with more clients. Scale with the TETHER_CHAOS_*
# variables below.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export TETHER_CLAUDE="$PWD/tools/claude/node_modules/.bin/claude"
[[ -x $TETHER_CLAUDE ]] || { echo "chaos.sh: $TETHER_CLAUDE is missing: run scripts/setup.sh (make setup)" >&2; exit 1; }
# 400 followers at 1,000 events a second (the rate goes in steps of 500): 400,000 deliveries a
# second, for about four minutes.
export TETHER_CHAOS_FOLLOWERS="${TETHER_CHAOS_FOLLOWERS:-400}"
export TETHER_CHAOS_EVENTS="${TETHER_CHAOS_EVENTS:-250000}"
export TETHER_CHAOS_RATE="${TETHER_CHAOS_RATE:-1000}"
export TETHER_CHAOS_ROUNDS="${TETHER_CHAOS_ROUNDS:-12}"
export TETHER_CHAOS_CLIENTS="${TETHER_CHAOS_CLIENTS:-16}"

echo "==> $TETHER_CHAOS_FOLLOWERS followers × $TETHER_CHAOS_EVENTS events through reconnect storms"
scripts/with-keyring.sh cargo nextest run --release -p tether-server --test ws --run-ignored only --no-capture -E 'binary(ws) & test(/^chaos::/)'
echo "==> $TETHER_CHAOS_ROUNDS rounds of kill -9 and restart, $TETHER_CHAOS_CLIENTS clients"
scripts/with-keyring.sh cargo nextest run -p tether-cli --test chaos --no-capture
