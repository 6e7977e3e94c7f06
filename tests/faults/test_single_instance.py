"""Two starts of Chorus on one profile (issue 9, finding 6): the second brings the running window
forward and exits 0, without opening the drafts database; a crashed first instance leaves a stale
lock and socket that the next start takes over.

The real app, as separate processes (tests.conftest.chorus_command): on a real X server (Xvfb) where
the window's focus is what is checked, offscreen elsewhere. Waits are on conditions (a log line, a
process exit, the X focus), with generous deadlines; nothing is timed.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import chorus_command
from tests.integration.xtools import app_env, run_x, stop, wait_for_window

DEADLINE_S = 60.0  # for a start on a busy two-core machine; never a speed target
LISTENING = "a second start on this profile brings this window forward"
ACTIVATED = "another start on this profile: bringing the window forward"

DISTRACTOR = r"""
import sys
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication(sys.argv[:1])
window = QWidget()
window.setWindowTitle("Distractor window")
window.resize(300, 200)
window.show()
app.exec()
"""


def start(profile: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(chorus_command("--profile", str(profile)), env=env or offscreen_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def offscreen_env() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="1")
    env.pop("DISPLAY", None)
    return env


def log_text(profile: Path) -> str:
    log = profile / "logs" / "chorus.log"
    return log.read_text(encoding="utf-8") if log.exists() else ""


def wait_for_log(profile: Path, text: str, count: int, process: subprocess.Popen) -> None:
    """Until the profile's log holds *text* at least *count* times (the app writes it itself)."""
    deadline = time.monotonic() + DEADLINE_S
    while log_text(profile).count(text) < count:
        if process.poll() is not None:
            raise AssertionError(f"Chorus exited with {process.returncode}: {stop(process)}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} not logged {count} time(s) within {DEADLINE_S} s:\n{log_text(profile)}")
        time.sleep(0.05)


def finish(process: subprocess.Popen) -> tuple[int, str]:
    """Wait for a process that should exit by itself; its exit code and stderr."""
    try:
        _out, err = process.communicate(timeout=DEADLINE_S)
    except subprocess.TimeoutExpired as exc:
        err = stop(process)
        raise AssertionError(f"the second Chorus did not exit by itself; it is running a window of its own: {err}") from exc
    return process.returncode, err


def starts_logged(profile: Path) -> int:
    return len(re.findall(r"Chorus \S+ starting", log_text(profile)))


def socket_file(profile: Path) -> Path:
    from PySide6.QtCore import QDir

    from desktop.ui.shell.single_instance import server_name

    return Path(QDir.tempPath()) / server_name((profile / "data").resolve())


@pytest.mark.xvfb
def test_a_second_start_brings_the_running_window_forward_and_exits(xserver, profile):
    env = app_env(xserver.env())
    first = start(profile, env)
    distractor = subprocess.Popen([sys.executable, "-c", DISTRACTOR], env=env)
    try:
        window = wait_for_window(env, r"^Untitled draft — Chorus$", first)
        wait_for_log(profile, LISTENING, 1, first)
        other = wait_for_window(env, r"^Distractor window$", distractor)
        run_x(env, "xdotool", "windowfocus", "--sync", other)
        assert run_x(env, "xdotool", "getwindowfocus") == other
        # X (with no window manager) honours a focus request only when the asking app's last event is
        # newer than the last focus change: the pointer passing over Chorus gives it one, as a
        # person's would; the keyboard focus stays on the other window.
        run_x(env, "xdotool", "mousemove", "--window", window, "600", "300")
        run_x(env, "xdotool", "mousemove", "--window", window, "610", "310")
        assert run_x(env, "xdotool", "getwindowfocus") == other

        second = start(profile, env)
        code, err = finish(second)
        assert code == 0, err
        assert "already open with this profile" in err
        wait_for_log(profile, ACTIVATED, 1, first)
        deadline = time.monotonic() + DEADLINE_S
        while run_x(env, "xdotool", "getwindowfocus") != window:  # the first window has the focus again
            assert time.monotonic() < deadline, "the running window was not activated"
            time.sleep(0.05)
        assert first.poll() is None  # still running
        assert starts_logged(profile) == 1  # the second never got as far as opening the profile's data
    finally:
        stop(distractor)
        stop(first)


def test_starts_at_the_same_moment_leave_exactly_one_running(profile):
    processes = [start(profile) for _ in range(3)]
    try:
        deadline = time.monotonic() + DEADLINE_S
        while sum(p.poll() is not None for p in processes) < 2:
            assert time.monotonic() < deadline, "more than one Chorus kept running on one profile"
            time.sleep(0.05)
        [running] = [p for p in processes if p.poll() is None]
        wait_for_log(profile, LISTENING, 1, running)
        for process in processes:
            if process is not running:
                code, err = finish(process)
                assert code == 0 and "already open with this profile" in err, err
        assert starts_logged(profile) == 1
    finally:
        for process in processes:
            stop(process)


def test_a_killed_instance_leaves_a_stale_lock_that_the_next_start_takes_over(profile):
    first = start(profile)
    try:
        wait_for_log(profile, LISTENING, 1, first)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=DEADLINE_S)
    finally:
        stop(first)
    lock = profile / "data" / "chorus.lock"
    assert lock.exists() and socket_file(profile).exists()  # what a crash leaves behind
    assert lock.read_text().splitlines()[0] == str(first.pid)

    again = start(profile)
    try:
        wait_for_log(profile, LISTENING, 2, again)  # it took the lock over and listens on the same name
        assert lock.read_text().splitlines()[0] == str(again.pid)
        third = start(profile)
        code, err = finish(third)  # and it is the one a later start reaches
        assert code == 0, err
        wait_for_log(profile, ACTIVATED, 1, again)
    finally:
        stop(again)


def test_a_lock_held_for_hours_by_a_running_chorus_is_not_taken(profile):
    """Qt's default would call a lock older than 30 s stale and let a second start break it."""
    first = start(profile)
    try:
        wait_for_log(profile, LISTENING, 1, first)
        lock = profile / "data" / "chorus.lock"
        hours_ago = time.time() - 6 * 3600
        os.utime(lock, (hours_ago, hours_ago))
        second = start(profile)
        code, err = finish(second)
        assert code == 0 and "already open with this profile" in err, err
        wait_for_log(profile, ACTIVATED, 1, first)
        assert starts_logged(profile) == 1
    finally:
        stop(first)
