"""Autosave: every edit reaches the database within a second, without the user doing anything.

The first edit after a save starts a short timer (not restarted by further typing, so a fast
typist is saved every ``delay_ms`` too); when it fires, the latest text of each edited draft is
written on the database lane. A failed write keeps the text pending and tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.core.drafts import Draft
from desktop.core.errors import StorageError
from desktop.ui.common.tasks import TaskRunner

log = logging.getLogger(__name__)

SAVE_DELAY_MS = 300
RETRY_DELAY_MS = 2000


class Autosaver(QObject):
    saved = Signal(object)  # Draft, as stored
    failed = Signal(str)  # a message for the user

    def __init__(self, runner: TaskRunner, save: Callable[[str, str], Draft], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._save = save
        self._pending: dict[str, str] = {}
        self._in_flight = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)

    def edited(self, draft_id: str, text: str) -> None:
        self._pending[draft_id] = text
        if not self._timer.isActive():
            self._timer.start(SAVE_DELAY_MS)

    def forget(self, draft_id: str) -> None:
        """Drop unsaved text of a draft that is being deleted."""
        self._pending.pop(draft_id, None)

    @property
    def busy(self) -> bool:
        return bool(self._pending) or self._in_flight > 0

    def flush(self) -> None:
        self._timer.stop()
        pending, self._pending = self._pending, {}
        for draft_id, text in pending.items():
            self._in_flight += 1
            self._runner.run(
                partial(self._save, draft_id, text),
                on_success=self._on_saved,
                on_failure=partial(self._on_failed, draft_id, text),  # called with the exception
                owner=self,
                lane="db",
            )

    def _on_saved(self, draft: Draft) -> None:
        self._in_flight -= 1
        self.saved.emit(draft)

    def _on_failed(self, draft_id: str, text: str, exc: BaseException) -> None:
        self._in_flight -= 1
        if isinstance(exc, StorageError) and "no longer exists" in str(exc):
            return  # deleted meanwhile: nothing to keep
        log.error("saving draft %s failed", draft_id, exc_info=exc)
        self._pending.setdefault(draft_id, text)
        if not self._timer.isActive():
            self._timer.start(RETRY_DELAY_MS)
        self.failed.emit(f"Could not save your draft ({exc}). Your text is safe in the editor; retrying…")
