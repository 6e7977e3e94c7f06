"""Before Qt starts on Linux: can its X11 (xcb) platform plugin load? If not, say which package is missing.

When a system library of ``libqxcb.so`` is missing (most often ``libxcb-cursor0``, needed since Qt 6.5),
``QApplication`` aborts the process: the terminal shows only "Aborted", and Qt's own explanation goes
to Chorus's log file. This check runs first and needs no Qt: ``ldd`` (glibc's, on every Debian and
Ubuntu system) resolves the plugin's libraries in a separate process, so nothing is loaded into this
one, and each library reported "not found" is named with the Debian/Ubuntu package that provides it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

# Shared libraries that PySide6's libqxcb.so and libQt6XcbQpa.so.6 load (ldd, PySide6 6.11), with the
# Debian/Ubuntu package that ships each (dpkg -S on Debian 12; tests/packaging/test_qt_check.py checks
# the table against dpkg). Ubuntu 24.04 renamed a few with a t64 suffix (libglib2.0-0t64), which
# still provide the old names, so `apt install` accepts the names below.
SONAME_PACKAGES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libpng16.so.16": "libpng16-16",
    "libexpat.so.1": "libexpat1",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
}

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$", re.MULTILINE)
LDD_TIMEOUT_S = 20


@dataclass(frozen=True)
class MissingLibraries:
    """The plugin's libraries the system lacks, and whether Qt is sure to need the plugin."""

    plugin: Path
    sonames: tuple[str, ...]
    required: bool  # xcb is the platform Qt will use; otherwise only its fallback (a Wayland session)

    @property
    def packages(self) -> list[str]:
        return sorted({SONAME_PACKAGES[name] for name in self.sonames if name in SONAME_PACKAGES})

    @property
    def unknown(self) -> list[str]:
        return [name for name in self.sonames if name not in SONAME_PACKAGES]

    def message(self) -> str:
        lines = [f"Qt cannot load its X11 platform plugin ({self.plugin}): the system lacks "
                 f"{', '.join(self.sonames)}."]
        if self.packages:
            lines.append(f"Install {'it' if len(self.packages) == 1 else 'them'} with:  "
                         f"sudo apt install {' '.join(self.packages)}")
        for name in self.unknown:
            lines.append(f"Find the package that provides {name} with:  apt-file search {name}")
        lines.append("then start Chorus again." if self.required else
                     "Chorus starts anyway (Qt may use Wayland), but it cannot fall back to X11 until then.")
        return "\n".join(lines)


def xcb_plugin() -> Path | None:
    """PySide6's ``libqxcb.so`` (in a PyInstaller bundle too), found without importing PySide6."""
    spec = find_spec("PySide6")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        plugin = Path(folder) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if plugin.is_file():
            return plugin
    return None


def missing_libraries(library: Path) -> list[str]:
    """The shared libraries *library* needs, directly or through another, that cannot be found.

    An empty list when all load; raises OSError when ``ldd`` is absent or fails for another reason.
    """
    ldd = shutil.which("ldd")
    if ldd is None:
        raise FileNotFoundError("ldd is not installed")
    result = subprocess.run([ldd, str(library)], capture_output=True, text=True, timeout=LDD_TIMEOUT_S,
                            env={**os.environ, "LC_ALL": "C"})
    missing = list(dict.fromkeys(_NOT_FOUND.findall(result.stdout)))
    if result.returncode != 0 and not missing:
        raise OSError(f"ldd {library} failed: {result.stderr.strip() or result.returncode}")
    return missing


def xcb_usage(env: Mapping[str, str], platform: str = sys.platform) -> str | None:
    """``"required"`` when Qt will start on xcb, ``"fallback"`` when only after another platform fails
    (a Wayland session, or a list such as ``wayland;xcb``), None when Qt will not use xcb."""
    if not platform.startswith("linux"):
        return None
    chosen = env.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        names = [name.split(":")[0].strip() for name in chosen.split(";")]
        if names[0] == "xcb":
            return "required"
        return "fallback" if "xcb" in names else None
    if env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE") == "wayland":
        return "fallback"
    return "required"


def check_xcb(env: Mapping[str, str] | None = None, plugin: Path | None = None,
              platform: str = sys.platform) -> MissingLibraries | None:
    """What keeps Qt's xcb plugin from loading, or None when nothing does (or it cannot be told).

    Without ``ldd`` or the plugin there is nothing to say: Qt then starts, or fails, as before.
    """
    usage = xcb_usage(os.environ if env is None else env, platform)
    if usage is None:
        return None
    plugin = plugin or xcb_plugin()
    if plugin is None:
        return None
    try:
        missing = missing_libraries(plugin)
    except (OSError, subprocess.SubprocessError):
        return None
    return MissingLibraries(plugin, tuple(missing), usage == "required") if missing else None

