"""Background work for the UI: widgets never create threads, they hand work to the TaskRunner.

Five lanes, each a ``concurrent.futures`` executor:
- ``db``: one worker; every local database and settings write goes through it, in order;
- ``io``: a small pool for network calls (linking, publishing, avatars; several at once);
- ``keyring``: one worker for work that is about the OS keyring only (unlinking: delete the
  credential, then the account), so a keyring waiting on its unlock prompt holds up nothing else
  (every keyring call itself is made on one thread, see ``SerialSecretStore``);
- ``compute``: one worker for CPU work on large texts (counters);
- ``policy``: one worker for the policy engine (loading a policy, checking a long post), so a slow
  check of a huge paste never holds up the counters, and checks run one at a time, in order.

A result comes back on the GUI thread through a queued Qt signal; the callback is dropped when its
owner widget has been deleted meanwhile, and for work cancelled before it started
(``Future.cancel()`` on the returned future: a check made stale by newer typing). :meth:`shutdown`
waits for queued database writes so the last edits reach the disk before the app exits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)


class TaskRunner(QObject):
    _finished = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lanes = {
            "db": ThreadPoolExecutor(1, thread_name_prefix="chorus-db"),
            "io": ThreadPoolExecutor(6, thread_name_prefix="chorus-io"),
            "keyring": ThreadPoolExecutor(1, thread_name_prefix="chorus-keyring-lane"),
            "compute": ThreadPoolExecutor(1, thread_name_prefix="chorus-compute"),
            "policy": ThreadPoolExecutor(1, thread_name_prefix="chorus-policy"),
        }
        self._closed = False
        self._finished.connect(self._deliver)

    def run(
        self,
        fn: Callable[[], Any],
        *,
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        owner: QObject | None = None,
        lane: str = "io",
    ) -> Future:
        """Run *fn* on *lane*; call *on_success(result)* or *on_failure(exc)* on the GUI thread."""
        if self._closed:
            # the app is closing: late timers may still ask for work; nothing will run it
            log.debug("task dropped after shutdown: %r", fn)
            future: Future = Future()
            future.cancel()
            return future
        future = self._lanes[lane].submit(fn)

        def done(fut: Future) -> None:
            try:
                self._finished.emit((fut, on_success, on_failure, owner))
            except RuntimeError:  # the runner itself is gone (app exiting)
                pass

        future.add_done_callback(done)
        return future

    @Slot(object)
    def _deliver(self, payload: tuple) -> None:
        future, on_success, on_failure, owner = payload
        if future.cancelled() or (owner is not None and not shiboken6.isValid(owner)):
            return
        exc = future.exception()
        if exc is None:
            if on_success is not None:
                on_success(future.result())
        elif on_failure is not None:
            on_failure(exc)
        else:
            log.error("background task failed", exc_info=exc)

    def shutdown(self) -> None:
        """Finish the queued database writes, drop queued network, keyring, compute and policy work."""
        if self._closed:
            return
        self._closed = True
        for lane in ("io", "keyring", "compute", "policy"):
            self._lanes[lane].shutdown(wait=False, cancel_futures=True)
        self._lanes["db"].shutdown(wait=True)
