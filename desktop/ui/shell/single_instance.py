"""One Chorus per profile: a second start brings the running window forward and exits.

Two instances on one profile would both autosave (last writer wins) and could both send the same
outbox entry. So the composition root asks :class:`ProfileGuard` before the drafts database is
opened, with only QtCore imported (and QtNetwork when there is someone to talk to):

- **QLockFile** ``chorus.lock`` in the profile's data folder decides who owns the profile. It is
  created atomically, and a lock left by a crash (``kill -9``) is recognised as stale by Qt from
  the PID, host and program name it holds, and taken over. Its stale *time* is switched off
  (``setStaleLockTime(0)``): Chorus runs for days, and the default 30 s would let a second start
  break the lock of a live instance.
- **QLocalServer** (a Unix socket in the temp folder; a named pipe on Windows), named after a hash
  of the profile folder and the user, is only the messenger: the owner listens, a second start
  connects and sends ``activate``, the owner raises its window. A socket file left by a crash is
  removed before listening, but only after nobody answered on it.

Why both: a local server alone cannot tell a stale socket from a live owner without a race (two
starts can both find it dead, both remove it and both listen; Windows even lets two servers share
one pipe name), and a lock file alone cannot reach the running window.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCryptographicHash, QLockFile, Qt

if TYPE_CHECKING:  # QtWidgets is not needed to decide who owns the profile
    from PySide6.QtNetwork import QLocalServer
    from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

LOCK_NAME = "chorus.lock"
ACTIVATE = b"activate\n"
ACK = b"ok\n"
HAND_OVER_WAIT_S = 10.0  # how long a second start waits for the owner to listen (it may be starting too)


class ProfileBusy(Exception):
    """Another Chorus holds the profile and could not be reached: the message says what to do."""


def server_name(data_dir: Path) -> str:
    """The local server's name for this profile: short (Unix socket paths are limited to about 100
    bytes, and the name lands in the temp folder) and distinct per folder and user."""
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "")
    # Qt's SHA-256, not hashlib's: hashlib loads OpenSSL (3.5 MiB) on the way to the first window
    key = f"{Path(data_dir).resolve()}\0{user}".encode("utf-8", "surrogatepass")
    digest = bytes(QCryptographicHash.hash(key, QCryptographicHash.Algorithm.Sha256).toHex().data()).decode()
    return f"chorus-{digest[:20]}"


class ProfileGuard:
    """Who owns a profile (see the module docstring). Use :meth:`acquire` before opening any data,
    :meth:`listen` once the window exists, :meth:`release` at quit (also done at exit)."""

    def __init__(self, data_dir: Path, *, hand_over_wait_s: float = HAND_OVER_WAIT_S) -> None:
        self.data_dir = Path(data_dir)
        self.lock_path = self.data_dir / LOCK_NAME
        self.name = server_name(self.data_dir)
        self.hand_over_wait_s = hand_over_wait_s
        self._lock = QLockFile(str(self.lock_path))
        self._lock.setStaleLockTime(0)  # stale only when its process is gone, never by age
        self._owned = False
        self._server: QLocalServer | None = None
        self._clients: list = []

    # -- at start ----------------------------------------------------------------------------------
    def acquire(self) -> bool:
        """True: this process owns the profile (go on starting). False: another Chorus owns it and
        was asked to bring its window forward (exit). Raises ProfileBusy when that Chorus runs but
        cannot be reached. A profile whose folder cannot hold a lock file is left unguarded
        (logged); opening its database will say what is wrong with it."""
        deadline = time.monotonic() + self.hand_over_wait_s
        while True:
            if self._lock.tryLock(0):
                self._owned = True
                import atexit

                atexit.register(self.release)
                return True
            if self._lock.error() != QLockFile.LockError.LockFailedError:  # cannot write the folder
                log.warning("cannot create %s (%s): this profile is not guarded against a second Chorus",
                            self.lock_path, self._lock.error().name)
                return True
            if self._send_activate():
                return False
            if time.monotonic() >= deadline:
                raise ProfileBusy(self._busy_message())
            time.sleep(0.1)  # the owner is still starting (it listens once its window is up)

    def _send_activate(self) -> bool:
        from PySide6.QtNetwork import QLocalSocket

        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(1000):
            return False
        socket.write(ACTIVATE)
        delivered = socket.waitForBytesWritten(2000)
        # The owner answers once its event loop turns; the message is delivered either way.
        if delivered and socket.waitForReadyRead(2000):
            socket.readAll()
        socket.disconnectFromServer()
        return delivered

    def _busy_message(self) -> str:
        info = self._lock.getLockInfo()
        pid, host = (info[0], info[1]) if isinstance(info, tuple) and len(info) >= 2 else (0, "")
        where = f" (process {pid}" + (f" on {host})" if host else ")") if pid else ""
        return (f"Chorus is already open with this profile{where}, but it did not answer. Switch to its "
                f"window, or close it and start Chorus again. (Lock file: {self.lock_path})")

    # -- while running -----------------------------------------------------------------------------
    def listen(self, on_activate: Callable[[], None]) -> bool:
        """Answer later starts on this profile by calling *on_activate* (needs the QApplication).
        False when the local server cannot listen (logged: later starts then say Chorus is busy)."""
        from PySide6.QtNetwork import QLocalServer

        if not self._owned:
            return False
        server = QLocalServer()
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)  # this user only
        if not server.listen(self.name):
            if self._answers():
                log.warning("another program answers on %s: later starts cannot reach this window", self.name)
                return False
            QLocalServer.removeServer(self.name)  # left by a Chorus that crashed: nobody answers on it
            if not server.listen(self.name):
                log.warning("cannot listen on %s (%s): later starts cannot bring this window forward",
                            self.name, server.errorString())
                return False
        server.newConnection.connect(lambda: self._accept(server, on_activate))
        self._server = server
        log.info("listening on %s: a second start on this profile brings this window forward", self.name)
        return True

    def _answers(self) -> bool:
        from PySide6.QtNetwork import QLocalSocket

        probe = QLocalSocket()
        probe.connectToServer(self.name)
        answered = probe.waitForConnected(500)
        probe.abort()
        return answered

    def _accept(self, server, on_activate: Callable[[], None]) -> None:
        while server.hasPendingConnections():
            client = server.nextPendingConnection()
            self._clients.append(client)

            def read(client=client) -> None:
                if not client.canReadLine():
                    return
                message = bytes(client.readLine().data())
                if message == ACTIVATE:
                    log.info("another start on this profile: bringing the window forward")
                    on_activate()
                client.write(ACK)
                client.disconnectFromServer()

            def gone(client=client) -> None:
                if client in self._clients:
                    self._clients.remove(client)
                client.deleteLater()

            client.readyRead.connect(read)
            client.disconnected.connect(gone)
            read()  # the message may be here already

    # -- at quit -----------------------------------------------------------------------------------
    def release(self) -> None:
        """Stop listening and give the profile up (idempotent)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._owned:
            self._owned = False
            self._lock.unlock()


def bring_forward(window: QWidget) -> None:
    """Show *window* on top and give it the focus: restored if minimised (kept maximised if it was).
    The window manager may still decline to move focus (focus-stealing prevention); it then marks
    the window as wanting attention."""
    state = window.windowState()
    if state & Qt.WindowState.WindowMinimized:
        window.setWindowState((state & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive)
    window.show()
    window.raise_()
    window.activateWindow()
