#!/usr/bin/env bash
# Builds the installers: a .deb and an .rpm, each with its updater signature, and latest.json,
# the release feed the app reads. Publish everything in the output folder at one address, with
# latest.json at TETHER_UPDATE_ENDPOINT.
#
#   TAURI_SIGNING_PRIVATE_KEY   the release key (its text, or the path to its file); required
#   TAURI_SIGNING_PRIVATE_KEY_PASSWORD   its password, if it has one
#   TETHER_UPDATE_ENDPOINT      where latest.json will be published (https://…/latest.json);
#                               required; built into the app, the packages go beside it
#   TETHER_RELEASE_NOTES        a file with what is new in this release (optional)
#   TETHER_BUNDLE_VERSION       the version to build, instead of tauri.conf.json's (optional)
#   TETHER_BUNDLE_OUT           the output folder (default target/bundle)
#   TETHER_BUNDLE_PROFILE       release (default) or debug (faster; http:// endpoints allowed)
#
# The built chat UI (ui/dist) must exist: `make bundle` builds it first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fail() { echo "bundle: $*" >&2; exit 1; }

profile=${TETHER_BUNDLE_PROFILE:-release}
out=${TETHER_BUNDLE_OUT:-target/bundle}
endpoint=${TETHER_UPDATE_ENDPOINT:-}
[[ -n "${TAURI_SIGNING_PRIVATE_KEY:-}" ]] || fail "set TAURI_SIGNING_PRIVATE_KEY to the release signing key.
To try the packaging with a throwaway key instead:
    ui/node_modules/.bin/tauri signer generate --ci -p '' -w /tmp/throwaway.key
    TAURI_SIGNING_PRIVATE_KEY=/tmp/throwaway.key TAURI_SIGNING_PRIVATE_KEY_PASSWORD='' make bundle ...
(apps built from it accept updates signed with that key only if tether.toml names its public
key under [updates] pubkey)."
[[ -n "$endpoint" ]] || fail "set TETHER_UPDATE_ENDPOINT to where latest.json will be published (https://…/latest.json)."
case "$profile" in
  release) [[ "$endpoint" == https://* ]] || fail "TETHER_UPDATE_ENDPOINT must be https:// for a release build." ;;
  debug) ;;
  *) fail "TETHER_BUNDLE_PROFILE is release or debug, not $profile" ;;
esac
[[ -f ui/dist/index.html ]] || fail "ui/dist is missing: build the UI first (cd ui && npm run build)."
export TAURI_SIGNING_PRIVATE_KEY_PASSWORD=${TAURI_SIGNING_PRIVATE_KEY_PASSWORD-}

overrides=$(node -e '
  const [endpoint, version] = process.argv.slice(1);
  const config = { plugins: { updater: { endpoints: [endpoint] } } };
  if (version) config.version = version;
  console.log(JSON.stringify(config));
' "$endpoint" "${TETHER_BUNDLE_VERSION:-}")
args=(build --ci --bundles deb,rpm --config "$overrides")
[[ "$profile" == debug ]] && args+=(--debug)
ui/node_modules/.bin/tauri "${args[@]}"

built=${CARGO_TARGET_DIR:-target}/$profile/bundle
version=${TETHER_BUNDLE_VERSION:-$(node -p 'require("./tauri.conf.json").version')}
rm -rf "$out"
mkdir -p "$out"
for file in "$built"/deb/*_"${version}"_*.deb "$built"/rpm/*-"${version}"-*.rpm; do
  [[ -f "$file" && -f "$file.sig" ]] || fail "no signed package for $version in $built"
  cp "$file" "$file.sig" "$out/"
done
node scripts/latest-json.mjs "$out" "$version" "${endpoint%/*}" "${TETHER_RELEASE_NOTES:-}"
echo "bundle: Tether $version in $out:" >&2
ls -1 "$out" >&2
