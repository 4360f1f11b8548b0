#!/usr/bin/env bash
# Builds the installers: a .deb and an .rpm, each with its updater signature, and latest.json,
# the release feed the app reads. Publish everything in the output folder at one address, with
# latest.json at TETHER_UPDATE_ENDPOINT.
#
#   TAURI_SIGNING_PRIVATE_KEY   the release key (its text, or the path to its file); required
#   TAURI_SIGNING_PRIVATE_KEY_PASSWORD   its password, if it has one
#   TETHER_UPDATE_ENDPOINT      where latest.json will be published (https://…/latest.json);
#                               required; built into the app, the packages go beside it
#   TETHER_UPDATE_PUBKEY        the public key the built app accepts updates signed with, for
#                               builds signed with another key than Tether's (optional)
#   TETHER_RELEASE_NOTES        a file with what is new in this release (optional)
#   TETHER_BUNDLE_VERSION       the version to build, instead of tauri.conf.json's (optional)
#   TETHER_BUNDLE_OUT           the output folder (default target/bundle); must be empty or
#                               hold only an earlier bundle
#   TETHER_BUNDLE_PROFILE       release (default) or debug (faster; http:// endpoints allowed)
#
# The built chat UI (ui/dist) must exist: `make bundle` builds it first.
set -euo pipefail

fail() { echo "bundle: $*" >&2; exit 1; }
# Paths given relative to where this was started from, made absolute before moving to the root.
absolute() { [[ -z "$1" || "$1" == /* ]] && echo "$1" || echo "$PWD/$1"; }

out=$(absolute "${TETHER_BUNDLE_OUT:-}")
notes=$(absolute "${TETHER_RELEASE_NOTES:-}")
key=${TAURI_SIGNING_PRIVATE_KEY:-}
[[ -n "$key" && -f "$key" ]] && key=$(absolute "$key")
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${out:-$PWD/target/bundle}

profile=${TETHER_BUNDLE_PROFILE:-release}
endpoint=${TETHER_UPDATE_ENDPOINT:-}
[[ -n "$key" ]] || fail "set TAURI_SIGNING_PRIVATE_KEY to the release signing key.
To try the packaging with a throwaway key instead:
    ui/node_modules/.bin/tauri signer generate --ci -p '' -w /tmp/throwaway.key
    TAURI_SIGNING_PRIVATE_KEY=/tmp/throwaway.key TETHER_UPDATE_PUBKEY=\$(cat /tmp/throwaway.key.pub) \\
    TETHER_UPDATE_ENDPOINT=https://example.org/tether/latest.json make bundle"
[[ -n "$endpoint" ]] || fail "set TETHER_UPDATE_ENDPOINT to where latest.json will be published (https://…/latest.json)."
case "$profile" in
  release) [[ "$endpoint" == https://* ]] || fail "TETHER_UPDATE_ENDPOINT must be https:// for a release build." ;;
  debug) ;;
  *) fail "TETHER_BUNDLE_PROFILE is release or debug, not $profile" ;;
esac
[[ -z "$notes" || -f "$notes" ]] || fail "TETHER_RELEASE_NOTES names no file: $notes"
[[ -f ui/dist/index.html ]] || fail "ui/dist is missing: build the UI first (cd ui && npm run build)."
built=$(realpath -m "${CARGO_TARGET_DIR:-target}/$profile/bundle")
case "$(realpath -m "$out")/" in
  "$built"/*) fail "TETHER_BUNDLE_OUT must be outside $built, where the packages are built." ;;
esac
if [[ -d "$out" ]]; then
  others=$(find "$out" -mindepth 1 -maxdepth 1 ! -name '*.deb' ! -name '*.rpm' ! -name '*.sig' ! -name latest.json)
  [[ -z "$others" ]] || fail "$out holds other files than a bundle; name an empty folder in TETHER_BUNDLE_OUT."
fi
export TAURI_SIGNING_PRIVATE_KEY=$key
export TAURI_SIGNING_PRIVATE_KEY_PASSWORD=${TAURI_SIGNING_PRIVATE_KEY_PASSWORD-}

overrides=$(node -e '
  const [endpoint, pubkey, version] = process.argv.slice(1);
  const updater = { endpoints: [endpoint] };
  if (pubkey) updater.pubkey = pubkey;
  const config = { plugins: { updater } };
  if (version) config.version = version;
  console.log(JSON.stringify(config));
' "$endpoint" "${TETHER_UPDATE_PUBKEY:-}" "${TETHER_BUNDLE_VERSION:-}")
args=(build --ci --bundles deb,rpm --config "$overrides")
[[ "$profile" == debug ]] && args+=(--debug)
ui/node_modules/.bin/tauri "${args[@]}"

version=${TETHER_BUNDLE_VERSION:-$(node -p 'require("./tauri.conf.json").version')}
mkdir -p "$out"
find "$out" -mindepth 1 -maxdepth 1 -delete
shopt -s nullglob
packages=("$built"/deb/*_"${version}"_*.deb "$built"/rpm/*-"${version}"-*.rpm)
[[ ${#packages[@]} -eq 2 ]] || fail "want one .deb and one .rpm for $version in $built, found: ${packages[*]}"
for file in "${packages[@]}"; do
  [[ -f "$file.sig" ]] || fail "$file has no updater signature"
  cp "$file" "$file.sig" "$out/"
done
node scripts/latest-json.mjs "$out" "$version" "$endpoint" "$notes"
echo "bundle: Tether $version in $out:" >&2
ls -1 "$out" >&2
