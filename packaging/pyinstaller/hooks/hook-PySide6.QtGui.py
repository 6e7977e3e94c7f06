"""Chorus's own hook for PySide6.QtGui: PyInstaller's, minus the Qt plugins Chorus never loads.

It replaces PyInstaller's hook of the same name (hooks in ``hookspath`` take precedence) and drops
plugins *before* PyInstaller follows their library dependencies, so what they alone need is never
collected. The GTK 3 platform theme alone would pull in GTK, GDK, ATK, cairo and pango from the
build machine (about 15 MB, and a second copy of libraries the desktop already has).

Kept: the xcb platform (X11, and XWayland), wayland, offscreen (headless runs and tests), the input
contexts (compose, ibus), the xdg-desktop-portal theme, and the image formats Chorus can show.
"""

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

# plugin folder -> file names (without "lib" and ".so") left out
UNUSED_PLUGINS = {
    "platforms": {"qeglfs", "qlinuxfb", "qminimalegl", "qvkkhrdisplay", "qvnc", "qminimal"},
    "platformthemes": {"qgtk3"},
    "egldeviceintegrations": None,  # None: the whole folder (they serve the eglfs platform only)
    "generic": None,  # evdev and TUIO input, for eglfs and linuxfb
    "imageformats": {"qpdf", "qicns", "qtga", "qtiff", "qwbmp"},
}


def _wanted(entry):
    source = entry[0].replace("\\", "/")
    parts = source.split("/")
    if len(parts) < 2:
        return True
    folder, name = parts[-2], parts[-1]
    if folder not in UNUSED_PLUGINS or "/plugins/" not in source:
        return True
    unused = UNUSED_PLUGINS[folder]
    stem = name.split(".")[0].removeprefix("lib")
    return unused is not None and stem not in unused


hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [entry for entry in binaries if _wanted(entry)]
