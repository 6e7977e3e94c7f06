#!/usr/bin/env bash
# Build the Linux package from a PyInstaller one-folder build:
#
#   bash packaging/linux/build-deb.sh
#
# writes dist/chorus/ (the bundle) and dist/chorus_<version>_<arch>.deb (scratch files in build/).
# The .deb installs the bundle in /opt/chorus, the command /usr/bin/chorus, the menu entry, the
# icon (hicolor theme), empty /etc/xdg/chorus/{managed,recommended} folders for IT, and a sample
# managed-settings file in /usr/share/doc/chorus/examples/.
#
# PYTHON: the interpreter whose environment has Chorus's dependencies (default .venv/bin/python, as
# made by packaging/dev/quickstart.sh); PyInstaller is installed into it when missing.
# DIST_DIR, BUILD_DIR: other folders for the results and the scratch files (default dist, build).
# Needs dpkg-deb (package dpkg) and objdump (package binutils, used by PyInstaller).
set -euo pipefail
cd "$(dirname "$0")/../.."
here=packaging/linux
PY="${PYTHON:-.venv/bin/python}"
dist="${DIST_DIR:-dist}"
build="${BUILD_DIR:-build}"

fail() { echo "build-deb: $*" >&2; exit 2; }
command -v "$PY" >/dev/null 2>&1 || fail "no Python at '$PY': run 'bash packaging/dev/quickstart.sh install' first, or set PYTHON=/path/to/python"
command -v dpkg-deb >/dev/null 2>&1 || fail "dpkg-deb is missing (Debian/Ubuntu package: dpkg)"
command -v objdump >/dev/null 2>&1 || fail "objdump is missing; PyInstaller needs it (Debian/Ubuntu package: binutils)"

upstream=$("$PY" -c 'import desktop; print(desktop.__version__)')
# Debian sorts "~" before anything: 1.2.0rc1 becomes 1.2.0~rc1, older than 1.2.0 as it should be.
version=$(printf '%s' "$upstream" | sed -E 's/(a|b|rc|\.dev)([0-9]*)$/~\1\2/')
arch=$(dpkg --print-architecture)

if ! "$PY" -c 'import PyInstaller' >/dev/null 2>&1; then
    echo "build-deb: installing PyInstaller into the environment of $PY"
    "$PY" -m pip install -q 'pyinstaller>=6.22'
fi

echo "build-deb: freezing Chorus $upstream (PyInstaller, one folder)"
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$dist" --workpath "$build/pyinstaller" packaging/pyinstaller/chorus.spec
[ -x "$dist/chorus/chorus" ] || fail "PyInstaller did not produce $dist/chorus/chorus"
"$dist/chorus/chorus" --version >/dev/null || fail "the frozen app does not start ($dist/chorus/chorus --version failed)"

root="$build/deb/root"
rm -rf "$build/deb"
mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
    "$root/usr/share/icons/hicolor/scalable/apps" "$root/usr/share/icons/hicolor/256x256/apps" \
    "$root/usr/share/doc/chorus/examples" "$root/usr/share/lintian/overrides" \
    "$root/etc/xdg/chorus/managed" "$root/etc/xdg/chorus/recommended"
cp -a "$dist/chorus" "$root/opt/chorus"
ln -s /opt/chorus/chorus "$root/usr/bin/chorus"  # the bootloader finds _internal/ through the link
install -m 0644 "$here/chorus.desktop" "$root/usr/share/applications/chorus.desktop"
install -m 0644 resources/icons/chorus.svg "$root/usr/share/icons/hicolor/scalable/apps/chorus.svg"
# A 256 px PNG too, for menus and docks that do not draw SVG icons.
QT_QPA_PLATFORM=offscreen "$PY" - resources/icons/chorus.svg "$root/usr/share/icons/hicolor/256x256/apps/chorus.png" <<'PYEOF'
import sys
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
app = QGuiApplication(sys.argv[:1])
renderer = QSvgRenderer(sys.argv[1])
if not renderer.isValid():
    sys.exit(f"cannot read the icon {sys.argv[1]}")
image = QImage(256, 256, QImage.Format.Format_ARGB32)
image.fill(0)
painter = QPainter(image)
renderer.render(painter)
painter.end()
if not image.save(sys.argv[2], "PNG"):
    sys.exit(f"cannot write {sys.argv[2]}")
PYEOF
install -m 0644 "$here/managed-settings.json" "$root/usr/share/doc/chorus/examples/managed-settings.json"
install -m 0644 "$here/copyright" "$root/usr/share/doc/chorus/copyright"
install -m 0644 "$here/lintian-overrides" "$root/usr/share/lintian/overrides/chorus"
install -m 0755 "$here/postinst" "$here/postrm" "$root/DEBIAN/"
chmod -R u+rwX,go+rX,go-w "$root"

installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: chorus
Version: $version
Architecture: $arch
Maintainer: ${DEB_MAINTAINER:-Chorus maintainers <chorus@example.com>}
Installed-Size: $installed_size
Section: net
Priority: optional
Depends: libc6, libegl1, libgl1, libfontconfig1, libfreetype6, libxkbcommon0, libxkbcommon-x11-0, libxcb1, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-image0, libxcb-util1, libxcb-randr0, libxcb-render-util0, libxcb-shape0, libxcb-xkb1, libx11-xcb1, libdbus-1-3, libglib2.0-0t64 | libglib2.0-0, libwayland-client0, libwayland-cursor0, libwayland-egl1
Recommends: gnome-keyring
Homepage: https://example.com/chorus
Description: write, check and publish social-media posts
 Chorus checks each post against your company's social-media policy as you
 type, and publishes it to your own Bluesky, Mastodon, LinkedIn and X
 accounts. Credentials are kept in the desktop keyring (GNOME Keyring or
 KWallet), never in a file.
 .
 IT departments can lock settings in /etc/xdg/chorus/managed/*.json; see
 /usr/share/doc/chorus/examples/managed-settings.json.
CONTROL
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) \
    > "$root/DEBIAN/md5sums"

deb="$dist/chorus_${version}_${arch}.deb"
dpkg-deb --build --root-owner-group -Zxz "$root" "$deb" >/dev/null
echo "build-deb: wrote $deb ($(du -m "$deb" | cut -f1) MiB; bundle $(du -sm "$dist/chorus" | cut -f1) MiB)"
