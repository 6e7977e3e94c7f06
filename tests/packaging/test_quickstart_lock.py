"""quickstart.sh waits, with a message, while another package manager holds apt's locks.

The locks are the real ones under /var/lib (CI runs as root), held the way apt and dpkg hold them:
POSIX ``fcntl`` locks (a ``flock(1)`` lock on the same file does not stop apt). Each test holds a lock
for a few seconds only.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

SCRIPT = REPO / "packaging" / "dev" / "quickstart.sh"
FRONTEND = Path("/var/lib/dpkg/lock-frontend")
DPKG = Path("/var/lib/dpkg/lock")
WAITING = "Waiting for another package manager (apt, unattended-upgrades) to finish…"

HOLDER = """
import fcntl, sys
lock = open(sys.argv[1], "a")
fcntl.lockf(lock, fcntl.LOCK_EX)  # waits if a real apt run holds it right now
print("locked", flush=True)
sys.stdin.readline()  # hold until the test says so
"""


class Lines:
    """A process's output, line by line, read on a thread so that the test can wait with a deadline."""

    def __init__(self, stream) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def join(self) -> None:
        """After the process has ended: its pipe is at its end, so the reader stops."""
        self._thread.join(timeout=30)
        assert not self._thread.is_alive()

    def _pump(self, stream) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r} within {timeout} s; got {self.seen}")


class Held:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process

    @property
    def pid(self) -> int:
        return self.process.pid

    def release(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        assert self.process.wait(timeout=30) == 0


def _hold(path: Path) -> Iterator[Held]:
    assert os.geteuid() == 0, "these tests hold apt's real locks: run them as root (CI does)"
    assert path.exists(), f"{path} is missing: is this a Debian/Ubuntu machine with apt?"
    with subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "locked"
            yield Held(process)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)


@pytest.fixture
def frontend_held() -> Iterator[Held]:
    yield from _hold(FRONTEND)


@pytest.fixture
def dpkg_held() -> Iterator[Held]:
    yield from _hold(DPKG)


def _start(**env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(["bash", str(SCRIPT), "--wait-for-apt-lock-only"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **env})


def test_the_held_lock_is_the_one_apt_takes(frontend_held: Held) -> None:
    """Without this the other tests could pass on a lock apt ignores (apt-get installs nothing here)."""
    apt = subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=0", "install", "-y", "-qq", "--no-download"],
                         capture_output=True, text=True, timeout=60, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    assert apt.returncode != 0
    assert f"Could not get lock {FRONTEND}. It is held by process {frontend_held.pid}" in apt.stderr


def test_quickstart_waits_for_the_lock_then_goes_on(frontend_held: Held) -> None:
    with _start() as script:
        assert script.stdout is not None
        out = Lines(script.stdout)
        try:
            line = out.wait_for(WAITING)
            assert f"process {frontend_held.pid}, holds {FRONTEND}" in line
            # The lock is still held, so the script cannot have gone on: it is waiting.
            assert script.poll() is None
            frontend_held.release()
            out.wait_for("The other package manager has finished; going on.")
            assert script.wait(timeout=60) == 0
        finally:
            if script.poll() is None:
                script.kill()
                script.wait(timeout=30)
            out.join()


def test_quickstart_gives_up_after_its_timeout_naming_the_holder(dpkg_held: Held) -> None:
    name = Path(f"/proc/{dpkg_held.pid}/comm").read_text().strip()
    with _start(CHORUS_APT_LOCK_TIMEOUT="2") as script:
        stdout, stderr = script.communicate(timeout=120)
    assert script.returncode == 1, stdout + stderr
    assert WAITING in stdout
    assert f"still holds {DPKG}" in stderr and f"{name} (process {dpkg_held.pid})" in stderr
    assert "run this script again" in stderr


def test_quickstart_does_not_wait_when_apt_is_free() -> None:
    with _start() as script:
        stdout, stderr = script.communicate(timeout=120)
    assert script.returncode == 0, stderr
    assert WAITING not in stdout and stdout == ""
