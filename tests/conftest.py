"""Test set-up: Qt offscreen by default, isolated profiles, and real X servers where a test asks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

# Before anything imports Qt: widgets render offscreen unless a test starts a real X server.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.pop("QT_STYLE_OVERRIDE", None)

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _no_network_settings_between_tests() -> Iterator[None]:
    """The composition root installs the settings every HTTP session reads (network.proxy,
    network.ca_certificates) process-wide; a test that builds the app's services must not leave its
    proxy to the next test's requests."""
    yield
    http = sys.modules.get("desktop.adapters.http")
    if http is not None:
        http.use_settings(None)


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    """An empty Chorus profile folder (what ``--profile DIR`` points at)."""
    folder = tmp_path / "profile"
    folder.mkdir()
    return folder


class XServer:
    def __init__(self, display: str, process: subprocess.Popen) -> None:
        self.display = display
        self.process = process

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
        env.update(DISPLAY=self.display, QT_QPA_PLATFORM="xcb", **extra)
        return env


@pytest.fixture
def xserver() -> Iterator[XServer]:
    """A private Xvfb server for this test. Missing Xvfb is a failure, never a skip."""
    binary = shutil.which("Xvfb")
    assert binary, "Xvfb is not installed: run `bash .ci/run` (or apt-get install xvfb)"
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen(
        [binary, "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    assert number, "Xvfb did not start"
    try:
        yield XServer(f":{number}", process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def chorus_command(*args: str) -> list[str]:
    """How tests start the real app as a separate process."""
    return [sys.executable, str(REPO / "main.py"), *args]
