"""Help → Start a demo: a second Chorus, in demo mode, in its own process (this window and its
profile stay as they are)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QProcess

import desktop


def demo_command(bundle: str | None = None) -> tuple[str, list[str], str]:
    """The program, its arguments and the working folder that start ``chorus --demo [bundle]``:
    the frozen app itself, or this Python running the ``desktop`` package from where it is."""
    extra = [bundle] if bundle else []
    if getattr(sys, "frozen", False):
        return sys.executable, ["--demo", *extra], str(Path(sys.executable).parent)
    source = Path(desktop.__file__).resolve().parents[1]
    return sys.executable, ["-m", "desktop", "--demo", *extra], str(source)


def start_demo(bundle: str | None = None) -> bool:
    """Start the demo process, detached (it outlives this window); False when it could not start."""
    program, arguments, folder = demo_command(bundle)
    started, _pid = QProcess.startDetached(program, arguments, folder)
    return bool(started)
