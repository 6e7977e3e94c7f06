"""Opening web pages: sign-in pages, Bluesky's app-password page, published posts.

Always on the GUI thread (QDesktopServices). :class:`BrowserBridge` also serves the adapters,
which call ``open_browser(url)`` from a worker while they wait for the sign-in: it hands the URL
to the GUI thread through a queued signal and waits there for the answer. The window's
``open_url`` is injectable: tests play the browser themselves.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QThread, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices

log = logging.getLogger(__name__)

OpenUrl = Callable[[str], object]


def open_in_system_browser(url: str) -> bool:
    """The default way Chorus opens a page: the desktop's browser (GUI thread only)."""
    return QDesktopServices.openUrl(QUrl.fromEncoded(url.encode("utf-8")))


class BrowserBridge(QObject):
    """Opens URLs on the GUI thread, also when asked from a worker (the adapters' ``open_browser``).

    *open_url* is the desktop's browser by default; tests pass their own "browser" here.
    """

    _requested = Signal(str, object)
    opened = Signal(str)  # a URL was handed to the browser (GUI thread)

    def __init__(self, open_url: OpenUrl | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._open_url = open_url or open_in_system_browser
        self._requested.connect(self._open_here, Qt.ConnectionType.QueuedConnection)

    def open_url(self, url: str) -> bool:
        """Open *url* now (GUI thread). False when the browser could not be started."""
        try:
            result = self._open_url(url)
        except Exception:  # noqa: BLE001 - a broken browser must not take the app down
            log.exception("opening the browser failed")
            return False
        self.opened.emit(url)
        return result is not False

    def open_from_worker(self, url: str, timeout_s: float = 30.0) -> bool:
        """``open_browser`` for an adapter running on a worker: the URL goes to the GUI thread."""
        if QThread.currentThread() is self.thread():
            return self.open_url(url)
        done, answer = threading.Event(), {"ok": False}
        try:
            self._requested.emit(url, (done, answer))
        except RuntimeError:  # the bridge is gone: the app is closing
            return False
        if not done.wait(timeout_s):
            return False
        return answer["ok"]

    @Slot(str, object)
    def _open_here(self, url: str, payload: tuple[threading.Event, dict]) -> None:
        done, answer = payload
        try:
            answer["ok"] = self.open_url(url)
        finally:
            done.set()
