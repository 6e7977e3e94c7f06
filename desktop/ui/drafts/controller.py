"""What the window does with drafts: load the list, open one in the composer, create, duplicate,
delete with undo, search, and follow the autosave. Every database call goes through the TaskRunner's
``db`` lane, so the GUI thread never waits on the disk.

The main window builds one :class:`DraftsController` over its drafts panel, composer and autosaver
and routes its commands (New, Duplicate, Delete, Restore, search) to it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal

from desktop import APP_NAME
from desktop.core.drafts import Draft, DraftStore
from desktop.ui.common.notice import NoticeBar
from desktop.ui.common.tasks import TaskRunner

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel, QMainWindow

    from desktop.ui.composer.composer import Composer
    from desktop.ui.drafts.autosave import Autosaver
    from desktop.ui.drafts.panel import DraftsPanel

log = logging.getLogger(__name__)


class DraftsController(QObject):
    loaded = Signal()  # the list shows the database's drafts (after start or a search)
    opened = Signal(str)  # draft id now in the composer
    can_restore = Signal(bool)  # whether there is a deleted draft to bring back

    def __init__(self, window: QMainWindow, store: DraftStore, runner: TaskRunner, panel: DraftsPanel,
                 composer: Composer, autosaver: Autosaver, notice: NoticeBar, status_label: QLabel,
                 targets_for: Callable[[Draft], Sequence[str]] | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.store = store
        self.runner = runner
        self.panel = panel
        self.composer = composer
        self.autosaver = autosaver
        self.notice = notice
        self.status_label = status_label
        self.targets_for = targets_for  # the targets a duplicate takes (the publish bar's choice)
        self._last_deleted: Draft | None = None
        self.has_loaded = False  # the first list came from the database
        panel.draft_selected.connect(self.open_draft)
        panel.search_changed.connect(self.reload)
        composer.edited.connect(self._edited)
        autosaver.saved.connect(self._saved)
        autosaver.failed.connect(lambda message: notice.show_message(message))

    # -- the list ----------------------------------------------------------------------------------
    def first_load(self) -> None:
        def loaded(drafts: list[Draft]) -> None:
            self.panel.model.set_drafts(drafts)
            if drafts:
                self.open_draft(drafts[0])
            else:
                self.new_draft()
            self._update_status()
            self.has_loaded = True
            self.loaded.emit()

        store = self.store
        self.runner.run(lambda: store.list(), on_success=loaded, on_failure=self.failed, owner=self, lane="db")

    def reload(self, search: str | None = None) -> None:
        search = self.panel.search.text() if search is None else search
        self.autosaver.flush()

        def loaded(drafts: list[Draft]) -> None:
            self.panel.model.set_drafts(drafts)
            current = self.composer.draft
            self.panel.select(current.id if current else "")
            self._update_status()
            self.loaded.emit()

        store = self.store
        self.runner.run(lambda: store.list(search), on_success=loaded, on_failure=self.failed, owner=self, lane="db")

    def open_draft(self, draft: Draft) -> None:
        current = self.composer.draft
        if current is not None and current.id == draft.id:
            return
        self.autosaver.flush()
        # the list's copy may be a little older than the editor's last text: it was updated on save
        self.composer.set_draft(draft)
        self.panel.select(draft.id)
        self._update_title(draft)
        self.opened.emit(draft.id)

    def open_by_id(self, draft_id: str) -> None:
        draft = next((d for d in self.panel.model.drafts() if d.id == draft_id), None)
        if draft is not None:
            self.open_draft(draft)

    # -- commands ----------------------------------------------------------------------------------
    def new_draft(self) -> None:
        self.autosaver.flush()

        def created(draft: Draft) -> None:
            if self.panel.search.text():
                self.panel.search.clear()  # a new draft is empty: show it in the full list
            self.panel.model.upsert(draft)
            self.open_draft(draft)
            self.composer.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self._update_status()

        store = self.store
        self.runner.run(lambda: store.create(), on_success=created, on_failure=self.failed, owner=self, lane="db")

    def duplicate_draft(self) -> None:
        current = self.composer.draft
        if current is None:
            return
        text = self.composer.text()
        self.autosaver.flush()

        def created(draft: Draft) -> None:
            self.panel.model.upsert(draft)
            self.open_draft(draft)
            self.window.statusBar().showMessage("Draft duplicated", 4000)
            self._update_status()

        targets = tuple(self.targets_for(current)) if self.targets_for is not None else current.targets
        store = self.store
        source = current.id
        self.runner.run(lambda: store.duplicate(source, text, targets), on_success=created, on_failure=self.failed,
                        owner=self, lane="db")

    def delete_draft(self) -> None:
        current = self.composer.draft
        if current is None:
            return
        text = self.composer.text()
        self.autosaver.flush()
        row = self.panel.model.row_of(current.id)
        self.panel.model.remove(current.id)
        deleted = Draft(current.id, text, current.created_at, current.updated_at, current.targets)
        self._last_deleted = deleted
        self.can_restore.emit(True)
        store = self.store
        self.runner.run(lambda: store.delete(deleted.id), on_failure=self.failed, owner=self, lane="db")
        remaining = self.panel.model.drafts()
        self.composer.set_draft(None)
        if remaining:
            self.open_draft(remaining[min(max(row, 0), len(remaining) - 1)])
        else:
            self.new_draft()
        self.notice.show_message(f"Deleted “{deleted.title}”.", "Undo", self.undo_delete)
        self._update_status()

    def undo_delete(self) -> None:
        deleted, self._last_deleted = self._last_deleted, None
        self.can_restore.emit(False)
        if deleted is None:
            return
        self.notice.hide()

        def restored(draft: Draft | None) -> None:
            if draft is None:
                return
            self.panel.model.upsert(draft)
            self.open_draft(draft)
            self.window.statusBar().showMessage("Draft restored", 4000)
            self._update_status()

        store = self.store
        self.runner.run(lambda: store.undelete(deleted.id), on_success=restored, on_failure=self.failed,
                        owner=self, lane="db")

    # -- saving ------------------------------------------------------------------------------------
    def _edited(self, draft_id: str, text: str) -> None:
        self.autosaver.edited(draft_id, text)
        self.status_label.setText("Editing…")

    def _saved(self, draft: Draft) -> None:
        current = self.composer.draft
        if current is not None and current.id == draft.id:
            self._update_title(draft)
        model = self.panel.model
        if model.row_of(draft.id) <= 0:
            model.update_in_place(draft)
        else:
            model.upsert(draft)  # edited: it is now the newest
            current = self.composer.draft
            if current is not None:
                self.panel.select(current.id)
        if not self.autosaver.busy:
            self.status_label.setText("All changes saved")

    def failed(self, exc: BaseException) -> None:
        log.error("drafts database operation failed", exc_info=exc)
        self.notice.show_message(f"The drafts database reported a problem: {exc}")

    def _update_title(self, draft: Draft | None) -> None:
        self.window.setWindowTitle(f"{draft.title} — {APP_NAME}" if draft else APP_NAME)

    def _update_status(self) -> None:
        n = self.panel.model.rowCount()
        searching = bool(self.panel.search.text())
        self.window.statusBar().showMessage(f"{n} draft{'s' if n != 1 else ''}{' found' if searching else ''}")
