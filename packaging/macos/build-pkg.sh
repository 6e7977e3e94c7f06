#!/usr/bin/env bash
# Build a signed, notarized macOS installer package: dist/Chorus-<version>.pkg
#
# UNVERIFIED: written from Apple's and PyInstaller's documentation, not run here (this needs a Mac
# with Xcode's command-line tools and the company's Developer ID certificates).
#
#   APP_IDENTITY="Developer ID Application: Example Corp (TEAMID)" \
#   INSTALLER_IDENTITY="Developer ID Installer: Example Corp (TEAMID)" \
#   NOTARY_PROFILE=chorus-notary \
#   bash packaging/macos/build-pkg.sh
#
# NOTARY_PROFILE names credentials stored once with
#   xcrun notarytool store-credentials chorus-notary --apple-id … --team-id TEAMID
# Without the three variables it builds an unsigned package (for a local try only: Gatekeeper
# refuses it on other Macs).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="${PYTHON:-.venv/bin/python}"
IDENTIFIER="${BUNDLE_ID:-org.chorus.Chorus}"  # must match the spec's bundle_identifier and the managed preferences' domain

version=$("$PY" -c 'import desktop; print(desktop.__version__)')
"$PY" -c 'import PyInstaller' 2>/dev/null || "$PY" -m pip install -q 'pyinstaller>=6.22'

# 1. dist/Chorus.app (the spec builds the .app bundle on macOS)
"$PY" -m PyInstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller packaging/pyinstaller/chorus.spec
app=dist/Chorus.app
[ -d "$app" ] || { echo "build-pkg: PyInstaller did not produce $app" >&2; exit 2; }

# 2. sign the app with the hardened runtime (notarization requires it), innermost code first
if [ -n "${APP_IDENTITY:-}" ]; then
    codesign --force --deep --options runtime --timestamp \
        --entitlements packaging/macos/entitlements.plist -s "$APP_IDENTITY" "$app"
    codesign --verify --strict --verbose=2 "$app"
fi

# 3. the component package (installs into /Applications), then the product archive
payload=build/macos/payload
rm -rf build/macos && mkdir -p "$payload"
ditto "$app" "$payload/Chorus.app"
pkgbuild --root "$payload" --identifier "$IDENTIFIER" --version "$version" \
    --install-location /Applications build/macos/component.pkg
pkg="dist/Chorus-$version.pkg"
if [ -n "${INSTALLER_IDENTITY:-}" ]; then
    productbuild --package build/macos/component.pkg --sign "$INSTALLER_IDENTITY" "$pkg"
else
    productbuild --package build/macos/component.pkg "$pkg"
fi

# 4. notarize and staple, so Gatekeeper accepts it offline
if [ -n "${NOTARY_PROFILE:-}" ]; then
    xcrun notarytool submit "$pkg" --keychain-profile "$NOTARY_PROFILE" --wait
    xcrun stapler staple "$pkg"
fi
echo "build-pkg: wrote $pkg"
