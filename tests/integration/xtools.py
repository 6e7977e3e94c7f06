"""Helpers for tests that drive the real app on an X server: find windows, type, grab the screen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

GRAB_SCRIPT = r"""
import json, sys
from PySide6.QtGui import QGuiApplication, QColor
app = QGuiApplication(sys.argv[:1])
screen = app.primaryScreen()
image = screen.grabWindow(0).toImage()
image.save(sys.argv[1], "PNG")
colours = set()
step = 7
for y in range(0, image.height(), step):
    for x in range(0, image.width(), step):
        colours.add(image.pixel(x, y))
print(json.dumps({"width": image.width(), "height": image.height(), "distinct_colours": len(colours)}))
"""


def run_x(env: dict[str, str], *args: str, timeout: float = 20) -> str:
    result = subprocess.run(list(args), env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise AssertionError(f"{args[0]} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout.strip()


def wait_for_window(env: dict[str, str], name_regex: str, process: subprocess.Popen, timeout: float = 30) -> str:
    """Return the X window id of the first visible window whose title matches *name_regex*."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the app exited with {process.returncode} before showing its window")
        result = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", name_regex],
                                env=env, capture_output=True, text=True, timeout=10)
        ids = result.stdout.split()
        if ids:
            return ids[0]
        time.sleep(0.1)
    raise AssertionError(f"no window matching {name_regex!r} appeared within {timeout} s")


def window_name(env: dict[str, str], window: str) -> str:
    return run_x(env, "xdotool", "getwindowname", window)


def grab_screen(env: dict[str, str], target: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", GRAB_SCRIPT, str(target)], env=env,
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise AssertionError(f"screen grab failed: {out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def stop(process: subprocess.Popen) -> str:
    """Terminate *process* if it still runs; close its pipes; return what it wrote to stderr."""
    if process.poll() is None:
        process.terminate()
    try:
        _out, err = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        _out, err = process.communicate()
    return err or ""


def app_env(xserver_env: dict[str, str]) -> dict[str, str]:
    env = dict(xserver_env)
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    env.pop("SESSION_MANAGER", None)
    env["LANG"] = os.environ.get("LANG", "C.UTF-8") or "C.UTF-8"
    return env
