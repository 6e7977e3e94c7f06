"""What every screenshot script shares: a private Xvfb, and running a script's child on it.

A screenshot script seeds a profile with ``seed(folder, theme)``, and its ``child(folder, target)``
(run with ``--child FOLDER TARGET`` inside the virtual display) builds the real window, grabs it to
*target* and prints one JSON line; :func:`shoot_with_child` ties the two together.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "packaging" / "screenshots"


def start_xvfb(screen: str = "1280x800") -> tuple[subprocess.Popen, str]:
    """A private X server (*screen* pixels, 1280x800 by default) and its display name, chosen by Xvfb itself."""
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{screen}x24", "-nolisten", "tcp"],
                            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        return xvfb, ":" + pipe.readline().strip()


def display_env(display: str) -> dict[str, str]:
    """This environment, pointed at *display* with Qt's X11 platform (no offscreen leftovers)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
    return env


def shoot_with_child(script: str, name: str, theme: str, seed: Callable[[Path, str], None], timeout: float = 120,
                     screen: str = "1280x800") -> dict:
    """Seed a profile, run *script* ``--child`` on a private Xvfb (*screen* pixels) to write screenshot *name*."""
    with tempfile.TemporaryDirectory(prefix="chorus-shot-") as tmp:
        seed(Path(tmp), theme)
        xvfb, display = start_xvfb(screen)
        try:
            out = subprocess.run([sys.executable, script, "--child", tmp, str(SCREENSHOTS / name)],
                                 env=display_env(display), capture_output=True, text=True, timeout=timeout)
        finally:
            xvfb.terminate()
            xvfb.wait(timeout=10)
        if out.returncode != 0:
            raise SystemExit(f"screenshot child failed ({out.returncode}):\n{out.stderr[-3000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])
