"""The real app, started as its own process on a real X server (Xvfb, platform xcb)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import chorus_command
from tests.integration.xtools import app_env, grab_screen, run_x, stop, wait_for_window, window_name

pytestmark = pytest.mark.xvfb


def start_app(xserver, profile: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(chorus_command("--profile", str(profile), *args), env=app_env(xserver.env()),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stored_drafts(profile: Path) -> list[str]:
    db = sqlite3.connect(profile / "data" / "drafts.db")
    try:
        return [row[0] for row in db.execute(
            "SELECT body FROM drafts WHERE deleted_at IS NULL ORDER BY updated_at DESC")]
    finally:
        db.close()


def test_app_window_appears_on_xvfb_and_is_not_blank(xserver, profile, tmp_path):
    process = start_app(xserver, profile)
    try:
        # the title names the open draft once the drafts are loaded: a new profile starts with an empty one
        window = wait_for_window(xserver.env(), r"^Untitled draft — Chorus$", process)
        time.sleep(1.0)  # let the first paint finish
        shot = grab_screen(xserver.env(), tmp_path / "screen.png")
        assert (shot["width"], shot["height"]) == (1280, 800)
        # A blank or black screen has 1-2 colours; a painted window with text has many.
        assert shot["distinct_colours"] > 20, shot
        geometry = run_x(xserver.env(), "xdotool", "getwindowgeometry", window)
        assert "Geometry:" in geometry
    finally:
        stop(process)
    assert process.returncode == 0 or process.returncode == -signal.SIGTERM
    log = (profile / "logs" / "chorus.log").read_text()
    assert "Chorus 0.1.0 starting" in log


def test_kill_9_while_typing_loses_at_most_the_last_second(xserver, profile):
    env = xserver.env()
    process = start_app(xserver, profile)
    chunks = [f"chunk{n:02d} typed quickly " for n in range(12)]
    finished_at: list[float] = []
    try:
        window = wait_for_window(env, r"Untitled draft — Chorus$", process)
        run_x(env, "xdotool", "windowfocus", "--sync", window)
        run_x(env, "xdotool", "mousemove", "--window", window, "600", "300")
        for chunk in chunks:
            run_x(env, "xdotool", "type", "--delay", "15", chunk)
            finished_at.append(time.monotonic())
        killed_at = time.monotonic()
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        stop(process)
    assert process.returncode == -signal.SIGKILL
    typed = "".join(chunks)
    [saved] = stored_drafts(profile)
    assert typed.startswith(saved), (saved, typed)  # nothing garbled, only a tail may be missing
    must_have = "".join(chunk for chunk, at in zip(chunks, finished_at, strict=False) if at <= killed_at - 1.0)
    assert len(must_have) >= len(chunks[0]) * 4, "typing was too slow to test the one-second bound"
    assert saved.startswith(must_have), f"lost more than the last second: saved {len(saved)} of {len(typed)}"

    # The next start shows that draft.
    again = start_app(xserver, profile)
    try:
        window = wait_for_window(env, r"^chunk00 typed quickly.* — Chorus$", again)
        assert window_name(env, window).startswith("chunk00 typed quickly")
    finally:
        stop(again)
