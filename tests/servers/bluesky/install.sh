#!/usr/bin/env bash
# Install the pinned reference Bluesky PDS (package-lock.json) for the integration tests.
# Called by packaging/dev/quickstart.sh test; safe to run again (skips when nothing changed).
# Needs Node.js >= 18.7 with npm, make, g++ and python3: better-sqlite3 is compiled from source
# against the system's Node headers, because its prebuilt binary would come from outside the
# package registries. Takes about two minutes the first time, nothing afterwards.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "The Bluesky test server needs Node.js and npm (apt-get install nodejs npm)." >&2
  exit 1
fi
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 18 || (a === 18 && b >= 7) ? 0 : 1)'; then
  echo "The Bluesky test server (@atproto/pds 0.4) needs Node.js >= 18.7; this is $(node --version)." >&2
  exit 1
fi

# node-gyp must use the installed headers: its default is to download them from nodejs.org.
for dir in /usr /usr/local; do
  if [ -f "$dir/include/node/node_version.h" ] && [ -f "$dir/include/node/common.gypi" ]; then
    export npm_config_nodedir="$dir"
    break
  fi
done

stamp="node_modules/.chorus-installed"
want="$(sha256sum package-lock.json | cut -d' ' -f1) node-$(node --version)"
addon="node_modules/better-sqlite3/build/Release/better_sqlite3.node"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$addon" ]; then
  exit 0
fi

echo "Installing the Bluesky test PDS (npm ci in tests/servers/bluesky; compiles better-sqlite3, about 2 min)"
log="$(mktemp)"
started=$SECONDS
if ! npm ci --no-audit --no-fund --foreground-scripts >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "npm ci failed in tests/servers/bluesky (full log: $log)" >&2
  exit 1
fi
if [ ! -f "$addon" ]; then
  tail -n 40 "$log" >&2
  echo "better-sqlite3 was not built (full log: $log)" >&2
  exit 1
fi
rm -f "$log"
echo "$want" >"$stamp"
echo "Bluesky test PDS installed in $((SECONDS - started)) s"
