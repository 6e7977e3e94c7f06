#!/usr/bin/env bash
# Install everything Chorus needs on a fresh Debian/Ubuntu machine, then launch it or test it.
#   bash packaging/dev/quickstart.sh          # install, then start Chorus
#   bash packaging/dev/quickstart.sh test     # install with test tools, then run the whole test suite
#   bash packaging/dev/quickstart.sh --wait-for-apt-lock-only   # only wait until apt/dpkg are free
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
  # tests/packaging/test_deb.py builds and installs the .deb: PyInstaller reads binaries with objdump
  # (binutils), and dpkg -i needs every library the package Depends on
  APT_PACKAGES+=(binutils libwayland-client0 libwayland-cursor0 libwayland-egl1 libxcb-util1 libx11-xcb1)
  command -v node >/dev/null || APT_PACKAGES+=(nodejs libnode-dev)
  command -v npm >/dev/null || APT_PACKAGES+=(npm)
fi

python_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; }
PY="${PYTHON:-python3}"
if ! python_ok "$PY"; then
  echo "Chorus needs Python 3.11 or newer; '$PY' is $("$PY" --version 2>&1 || echo missing)." >&2
  exit 2
fi

# apt-get fails at once ("Could not get lock /var/lib/dpkg/lock-frontend") while another package manager
# runs, e.g. unattended-upgrades a few minutes after a fresh machine boots. apt and dpkg take POSIX (fcntl)
# locks on these files: lock-frontend, lock and archives/lock for installs, lists/lock for `apt-get update`.
APT_LOCKS=(/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock)
APT_LOCK_TIMEOUT="${CHORUS_APT_LOCK_TIMEOUT:-900}"  # seconds

# Prints "PID NAME PATH" for a process holding one of APT_LOCKS, nothing when all are free. It reads
# /proc/locks (readable by every user, so no sudo) instead of trying the locks: it never takes one.
apt_lock_holder() {
  "$PY" - "${APT_LOCKS[@]}" <<'PY'
import os
import sys

wanted = {}
for path in sys.argv[1:]:
    try:
        st = os.stat(path)
    except OSError:
        continue
    wanted[(os.major(st.st_dev), os.minor(st.st_dev), st.st_ino)] = path
with open("/proc/locks") as locks:
    for line in locks:  # "1: POSIX  ADVISORY  WRITE 1234 fe:00:402117 0 EOF"; "1: -> POSIX ..." is a waiter
        fields = line.split()
        if len(fields) < 6 or fields[1] == "->":
            continue
        major, minor, inode = fields[5].split(":")
        path = wanted.get((int(major, 16), int(minor, 16), int(inode)))
        if path:
            pid = fields[4]
            try:
                with open(f"/proc/{pid}/comm") as comm:
                    name = comm.read().strip()
            except OSError:
                name = "unknown"
            print(pid, name, path, sep="\t")
            break
PY
}

# Waits (up to APT_LOCK_TIMEOUT seconds) until no other process holds apt's locks, saying so.
wait_for_apt_lock() {
  local holder waited=0
  while holder="$(apt_lock_holder)" && [ -n "$holder" ]; do
    IFS=$'\t' read -r pid name path <<<"$holder"
    if [ "$waited" -eq 0 ]; then
      echo "Waiting for another package manager (apt, unattended-upgrades) to finish… ($name, process $pid, holds $path)"
    elif [ $((waited % 30)) -eq 0 ]; then
      echo "Still waiting for $name (process $pid) to release $path: ${waited} s so far"
    fi
    if [ "$waited" -ge "$APT_LOCK_TIMEOUT" ]; then
      echo "Gave up after ${waited} s: $name (process $pid) still holds $path. Let it finish (or stop it), then run this script again." >&2
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  if [ "$waited" -gt 0 ]; then echo "The other package manager has finished; going on."; fi
}

if [ "$mode" = --wait-for-apt-lock-only ]; then
  wait_for_apt_lock
  exit
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
  wait_for_apt_lock
  # DPkg::Lock::Timeout: apt itself waits too, should another package manager start in between
  $SUDO apt-get -o DPkg::Lock::Timeout="$APT_LOCK_TIMEOUT" update -qq
  wait_for_apt_lock
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout="$APT_LOCK_TIMEOUT" install -y -qq \
    --no-install-recommends "${missing[@]}"
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
