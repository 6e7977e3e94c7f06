"""A real Secret Service for tests: gnome-keyring-daemon on a private D-Bus session bus.

Nothing here touches the developer's own keyring or session: the bus is a private
``dbus-daemon`` with its own config (no service activation, so nothing else is started on it and
no unlock prompt can appear), and the daemon's HOME, XDG folders and runtime folder are a
temporary directory. The login collection is created by ``--unlock`` with a password fed on stdin.

Missing programs are a test failure, not a skip (CI must run these tests); set
``CHORUS_ALLOW_SKIP=1`` to skip locally instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from contextlib import closing
from pathlib import Path

import pytest

PASSWORD = "chorus-test-login-password"

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def missing(reason: str) -> None:
    """Fail (CI) or skip (CHORUS_ALLOW_SKIP=1) when the Secret Service cannot be started."""
    text = f"{reason}. Install the packages with `bash .ci/run` (dbus, gnome-keyring)."
    if os.environ.get("CHORUS_ALLOW_SKIP") == "1":
        pytest.skip(text)
    pytest.fail(text, pytrace=False)


class SecretService:
    """A running gnome-keyring-daemon (secrets component) on a private bus."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="chorus-kr-"))  # short: unix socket paths are limited
        self.home = self.root / "home"
        self.data_home = self.home / ".local" / "share"
        self.runtime = self.root / "run"
        self.bus_log = self.root / "dbus.log"
        self.daemon_log = self.root / "gnome-keyring.log"
        self.address = ""
        self._bus: subprocess.Popen | None = None
        self._daemon: subprocess.Popen | None = None

    @property
    def keyring_files(self) -> Path:
        return self.data_home / "keyrings"

    def env(self) -> dict[str, str]:
        """The environment of a process that should use this Secret Service and nothing else."""
        env = {k: v for k, v in os.environ.items()
               if k not in ("DISPLAY", "WAYLAND_DISPLAY", "GNOME_KEYRING_CONTROL", "PYTHON_KEYRING_BACKEND")}
        env.update(
            HOME=str(self.home),
            XDG_DATA_HOME=str(self.data_home),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            XDG_CACHE_HOME=str(self.home / ".cache"),
            XDG_RUNTIME_DIR=str(self.runtime),
            LANG="C.UTF-8",
        )
        if self.address:
            env["DBUS_SESSION_BUS_ADDRESS"] = self.address
        return env

    def start(self, timeout: float = 15.0) -> SecretService:
        dbus_daemon = shutil.which("dbus-daemon")
        keyring_daemon = shutil.which("gnome-keyring-daemon")
        if not dbus_daemon:
            missing("dbus-daemon is not installed (Debian/Ubuntu package: dbus)")
        if not keyring_daemon:
            missing("gnome-keyring-daemon is not installed (Debian/Ubuntu package: gnome-keyring)")
        self.data_home.mkdir(parents=True)
        self.runtime.mkdir(mode=0o700)
        socket = self.root / "bus"
        config = self.root / "bus.conf"
        config.write_text(BUS_CONFIG.format(socket=socket))
        with open(self.bus_log, "wb") as log:
            self._bus = subprocess.Popen(
                [dbus_daemon, f"--config-file={config}", "--nofork", "--nopidfile", "--print-address=1"],
                stdout=subprocess.PIPE, stderr=log, env=self.env(), text=True,
            )
        assert self._bus.stdout is not None
        self.address = self._bus.stdout.readline().strip()
        if not self.address:
            self.stop()
            pytest.fail(f"dbus-daemon did not start: {self.bus_log.read_text(errors='replace')}", pytrace=False)
        with open(self.daemon_log, "wb") as log:
            self._daemon = subprocess.Popen(
                [keyring_daemon, "--foreground", "--unlock", "--components=secrets"],
                stdin=subprocess.PIPE, stdout=log, stderr=log, env=self.env(),
            )
        assert self._daemon.stdin is not None
        self._daemon.stdin.write(PASSWORD.encode())
        self._daemon.stdin.close()
        self._wait_until_ready(timeout)
        return self

    def _wait_until_ready(self, timeout: float) -> None:
        import secretstorage

        deadline = time.monotonic() + timeout
        while True:
            try:
                with closing(self.connection()) as connection:
                    if secretstorage.check_service_availability(connection):
                        collection = secretstorage.get_default_collection(connection)
                        if not collection.is_locked():
                            return
            except Exception:  # noqa: BLE001 - not up yet
                pass
            if self._daemon is not None and self._daemon.poll() is not None:
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        log = self.daemon_log.read_text(errors="replace") if self.daemon_log.exists() else ""
        self.stop()
        pytest.fail(f"gnome-keyring-daemon did not offer an unlocked login collection:\n{log}", pytrace=False)

    def connection(self):
        """A D-Bus connection to this bus (not through the environment), for secretstorage calls."""
        from jeepney.io.blocking import open_dbus_connection
        from secretstorage.util import add_match_rules

        connection = open_dbus_connection(self.address)
        add_match_rules(connection)
        return connection

    def lock(self) -> None:
        """Lock the default collection through the Secret Service API (as the screen locker would)."""
        import secretstorage

        with closing(self.connection()) as connection:
            collection = secretstorage.get_default_collection(connection)
            collection.lock()
            assert collection.is_locked()

    def stop(self) -> None:
        for process in (self._daemon, self._bus):
            if process is None or process.poll() is not None:
                continue
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._bus is not None and self._bus.stdout is not None:
            self._bus.stdout.close()
        shutil.rmtree(self.root, ignore_errors=True)
