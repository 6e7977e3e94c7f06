"""Chorus names the missing system package when Qt's xcb plugin cannot load, instead of "Aborted".

The real case is made for real: in a private mount namespace (``unshare --mount``, as root like CI)
a read-only overlay with whiteouts hides libxcb-cursor and libxcb-icccm from the system library
folder, for the processes started there only. A bare QApplication aborts in it, as on a machine
without those packages; Chorus says which packages to install and exits 2.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.ui.shell.qt_check import (
    SONAME_PACKAGES,
    MissingLibraries,
    check_xcb,
    missing_libraries,
    xcb_plugin,
    xcb_usage,
)
from tests.conftest import REPO

HIDDEN = ("libxcb-cursor.so.0", "libxcb-icccm.so.4")


def _plugin() -> Path:
    plugin = xcb_plugin()
    assert plugin is not None and plugin.name == "libqxcb.so", "PySide6's xcb plugin was not found"
    return plugin


def test_the_real_plugin_finds_all_its_libraries_here() -> None:
    assert missing_libraries(_plugin()) == []
    assert check_xcb({"DISPLAY": ":0"}, platform="linux") is None


def test_the_package_table_agrees_with_dpkg() -> None:
    """Each soname's package, as the package database of this (Debian) machine says."""
    wrong = {}
    for soname, package in SONAME_PACKAGES.items():
        found = subprocess.run(["dpkg", "-S", f"*/{soname}"], capture_output=True, text=True, timeout=60)
        owner = found.stdout.splitlines()[0].split(":")[0] if found.returncode == 0 else "(not installed)"
        if owner != package:
            wrong[soname] = (package, owner)
    assert wrong == {}


@pytest.mark.parametrize(("env", "platform", "usage"), [
    ({}, "linux", "required"),
    ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}, "linux", "required"),
    ({"QT_QPA_PLATFORM": "xcb"}, "linux", "required"),
    ({"QT_QPA_PLATFORM": "xcb:nograb"}, "linux", "required"),
    ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", "fallback"),
    ({"XDG_SESSION_TYPE": "wayland"}, "linux", "fallback"),
    ({"QT_QPA_PLATFORM": "wayland;xcb"}, "linux", "fallback"),
    ({"QT_QPA_PLATFORM": "offscreen"}, "linux", None),
    ({"QT_QPA_PLATFORM": "wayland"}, "linux", None),
    ({}, "win32", None),
    ({}, "darwin", None),
])
def test_when_qt_needs_the_xcb_plugin(env: dict[str, str], platform: str, usage: str | None) -> None:
    assert xcb_usage(env, platform) == usage


def test_the_message_names_packages_and_how_to_find_unknown_ones() -> None:
    missing = MissingLibraries(Path("/x/libqxcb.so"), ("libxcb-cursor.so.0", "libxcb-icccm.so.4",
                                                       "libnew-in-qt7.so.1"), required=True)
    text = missing.message()
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4\n" in text
    assert "apt-file search libnew-in-qt7.so.1" in text
    assert text.endswith("then start Chorus again.")
    fallback = MissingLibraries(Path("/x/libqxcb.so"), ("libxcb-cursor.so.0",), required=False).message()
    assert "sudo apt install libxcb-cursor0" in fallback and "Chorus starts anyway" in fallback


def _without(tmp_path: Path, sonames: tuple[str, ...]) -> list[str]:
    """A command prefix running its command where *sonames* are not installed (see the module docstring)."""
    assert os.geteuid() == 0, "hiding system libraries needs a private mount namespace: run as root (CI does)"
    assert shutil.which("unshare"), "unshare (util-linux) is missing"
    ldd = subprocess.run(["ldd", str(_plugin())], capture_output=True, text=True, check=True, timeout=60).stdout
    whiteouts = tmp_path / "whiteouts"
    whiteouts.mkdir()
    folders = set()
    for soname in sonames:
        match = re.search(rf"^\s*{re.escape(soname)} => (\S+)", ldd, re.MULTILINE)
        assert match, f"{soname} is not among the plugin's libraries:\n{ldd}"
        folder = Path(os.path.realpath(match.group(1))).parent
        folders.add(folder)
        for name in os.listdir(folder):
            if name.startswith(soname.split(".so")[0] + ".so"):  # the soname link and the file it names
                os.mknod(whiteouts / name, 0o600 | 0o020000, os.makedev(0, 0))  # an overlayfs whiteout
    [folder] = folders
    return ["unshare", "--mount", "--", "sh", "-c", 'mount -t overlay chorus-test -o "lowerdir=$1:$2" "$2" '
            '&& shift 2 && exec "$@"', "sh", str(whiteouts), str(folder)]


def test_without_libxcb_cursor_chorus_names_the_packages_instead_of_aborting(tmp_path: Path) -> None:
    hide = _without(tmp_path, HIDDEN)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "WAYLAND_", "XDG_SESSION"))}
    env.update(QT_QPA_PLATFORM="xcb", DISPLAY=":0")

    # What a user without those packages saw: Qt aborts (SIGABRT).
    bare = subprocess.run([*hide, sys.executable, "-c", "from PySide6.QtWidgets import QApplication; "
                           "QApplication([])"], capture_output=True, text=True, timeout=120, env=env)
    assert bare.returncode == -6, bare.stderr
    assert "xcb-cursor0 or libxcb-cursor0 is needed" in bare.stderr

    profile = tmp_path / "profile"
    chorus = subprocess.run([*hide, sys.executable, "-m", "desktop", "--profile", str(profile)], cwd=REPO,
                            capture_output=True, text=True, timeout=120, env=env)
    assert chorus.returncode == 2, chorus.stderr
    assert "the system lacks libxcb-cursor.so.0, libxcb-icccm.so.4." in chorus.stderr
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4" in chorus.stderr
    assert "Aborted" not in chorus.stderr
    assert not profile.exists()  # it stopped before touching anything
