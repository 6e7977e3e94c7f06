#!/usr/bin/env bash
# Install everything Chorus needs on a fresh Debian/Ubuntu machine, then launch it or test it.
#   bash packaging/dev/quickstart.sh          # install, then start Chorus
#   bash packaging/dev/quickstart.sh test     # install with test tools, then run the whole test suite
# Uses sudo for apt when not run as root. The Python packages go into .venv in the checkout.
set -euo pipefail
cd "$(dirname "$0")/../.."
mode="${1:-run}"

APT_PACKAGES=(
  # Qt 6 on X11 (xcb) and its fonts
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1
  libdbus-1-3 fonts-dejavu-core fonts-noto-color-emoji
  # the OS keyring (Secret Service) used for account tokens. The tests need them too:
  # tests/integration/test_keyring.py starts dbus-daemon (package dbus) and gnome-keyring-daemon
  # on a private bus, and fails, not skips, when either is missing.
  dbus gnome-keyring
)
if [ "$mode" = test ]; then
  # a virtual X server for the tests that start the real app, and CJK glyphs for the counter tests' screenshots
  APT_PACKAGES+=(xvfb xauth xdotool dbus-x11 fonts-noto-cjk)
  # the reference Bluesky PDS the integration tests run (tests/servers/bluesky): Node.js >= 18.7 with
  # npm, and a C++ toolchain because better-sqlite3 is compiled from source there. Debian's own
  # nodejs (18.20 on bookworm) is new enough; an installed Node.js (e.g. 20 from NodeSource) is kept.
  APT_PACKAGES+=(make g++)
  command -v node >/dev/null || APT_PACKAGES+=(nodejs libnode-dev)
  command -v npm >/dev/null || APT_PACKAGES+=(npm)
fi

python_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; }
PY="${PYTHON:-python3}"
if ! python_ok "$PY"; then
  echo "Chorus needs Python 3.11 or newer; '$PY' is $("$PY" --version 2>&1 || echo missing)." >&2
  exit 2
fi
if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then
  APT_PACKAGES+=("python3-venv")
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "Installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
if [ "$mode" = test ]; then
  .venv/bin/python -m pip install -q -e '.[test]'
  bash tests/servers/bluesky/install.sh
else
  .venv/bin/python -m pip install -q -e .
fi

case "$mode" in
  run) exec .venv/bin/chorus "${@:2}" ;;
  test) exec .venv/bin/python -m pytest "${@:2}" ;;
  install) echo "Installed. Start Chorus with .venv/bin/chorus" ;;
  *) echo "usage: quickstart.sh [run|test|install]" >&2; exit 2 ;;
esac
