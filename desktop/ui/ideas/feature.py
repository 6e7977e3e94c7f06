"""IdeasFeature: the Ideas panel's wiring in the main window.

- Shows what is kept at once (the cached feed items and the folders, read on the ``io`` lane), then
  refreshes the feeds on the ``io`` lane (never on the GUI thread), at start and every
  ``ideas.refresh_minutes``; a feed that fails keeps its items and gets a status line.
- Selecting an idea marks it read; Dismiss hides it for good (both written on the ``db`` lane).
- "Write about this" makes a new draft (:func:`desktop.core.ideas.draft_text`: a prompt for the
  author's own angle and the link, never the suggested copy), records which idea it came from, opens
  it, and shows the suggested copy beside the editor (:class:`ReferencePane`). Opening any draft
  written from an idea shows its reference again.
- Add feed… / Add folder… add to ``ideas.feeds`` / ``ideas.folders`` (unless IT locked them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QWidget

from desktop.core.ideas import DraftIdea, FeedFetcher, Idea, IdeasService, IdeaStore, IdeasView, draft_text
from desktop.core.ideas.service import PROMPT
from desktop.ui.ideas.panel import IdeasPanel
from desktop.ui.ideas.reference import ReferencePane

if TYPE_CHECKING:
    from desktop.core.drafts import Draft, DraftStore
    from desktop.core.settings import Settings
    from desktop.ui.common.tasks import TaskRunner
    from desktop.ui.drafts.controller import DraftsController

log = logging.getLogger(__name__)
FEEDS, FOLDERS, INTERVAL = "ideas.feeds", "ideas.folders", "ideas.refresh_minutes"


class IdeasFeature(QObject):
    shown = Signal()  # the panel shows a new list (after a load or a refresh)
    refreshed = Signal()  # a refresh of the feeds finished
    draft_written = Signal(str)  # the id of the draft "Write about this" opened

    def __init__(self, settings: Settings, runner: TaskRunner, store: DraftStore, drafts: DraftsController,
                 fetcher: FeedFetcher | None, parent: QWidget, open_url: Callable[[str], object] | None = None) -> None:
        super().__init__(parent)
        self.settings, self.runner, self.drafts = settings, runner, drafts
        self.service = IdeasService(IdeaStore(store), fetcher)
        self.open_url = open_url
        self.panel = IdeasPanel(parent)
        self.reference = ReferencePane(parent)
        self.view = IdeasView()
        self._refreshing = False
        self._refresh_again = False  # refresh asked for while one was running
        self._configured = self._sources()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)
        self.panel.refresh_requested.connect(self.refresh)
        self.panel.add_feed_requested.connect(self.add_feed)
        self.panel.add_folder_requested.connect(self.add_folder)
        self.panel.write_requested.connect(self.write_about)
        self.panel.dismiss_requested.connect(self.dismiss)
        self.panel.open_requested.connect(self._open)
        self.panel.seen.connect(self._mark_read)
        drafts.opened.connect(self._draft_opened)
        self._apply_settings()

    # -- settings ----------------------------------------------------------------------------------
    def _sources(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return tuple(self.settings.get(FEEDS) or ()), tuple(self.settings.get(FOLDERS) or ())

    def _apply_settings(self) -> None:
        self.panel.set_locked(self.settings.is_locked(FEEDS), self.settings.is_locked(FOLDERS))
        self.timer.start(int(self.settings.get(INTERVAL)) * 60_000)

    def settings_changed(self) -> None:
        """After the settings dialog: refresh when the feeds or folders changed."""
        self._apply_settings()
        sources = self._sources()
        if sources != self._configured:
            self._configured = sources
            self.refresh()

    # -- loading and refreshing -------------------------------------------------------------------
    def start(self) -> None:
        """Show the kept ideas now, then ask the feeds for new ones."""
        self.load(then_refresh=True)

    def load(self, then_refresh: bool = False) -> None:
        feeds, folders = self._sources()
        service = self.service
        # the io lane: a notes folder may be on a slow network share, and the db lane carries the autosaves
        self.runner.run(lambda: service.collect(feeds, folders), lane="io", owner=self.panel,
                        on_success=lambda view: self._show(view, then_refresh),
                        on_failure=lambda exc: log.error("ideas could not be read: %s", exc))

    def refresh(self) -> None:
        if self._refreshing:  # once this one is back, again: the feeds may have changed meanwhile
            self._refresh_again = True
            return
        self._refresh_again = False
        self._refreshing = True
        self.panel.set_busy(True)
        feeds, folders = self._sources()
        service = self.service

        def work() -> IdeasView:
            service.refresh_all(feeds)
            return service.collect(feeds, folders)

        self.runner.run(work, lane="io", owner=self.panel, on_success=self._refreshed, on_failure=self._refresh_failed)

    def _refreshed(self, view: IdeasView) -> None:
        self._refreshing = False
        if self._refresh_again:  # a feed added or removed while this refresh ran: its view is already old
            self.refresh()
            return
        self.panel.set_busy(False)
        self._show(view)
        self.refreshed.emit()

    def _refresh_failed(self, exc: BaseException) -> None:
        self._refreshing = False
        log.error("ideas could not be refreshed: %s", exc)
        if self._refresh_again:
            self.refresh()
            return
        self.panel.set_busy(False)
        self.refreshed.emit()

    def _show(self, view: IdeasView, then_refresh: bool = False) -> None:
        self.view = view
        self.panel.set_view(view)
        self.shown.emit()
        if then_refresh and self._sources()[0]:
            self.refresh()

    # -- the selected idea ------------------------------------------------------------------------
    def _mark_read(self, idea: Idea) -> None:
        self.panel.mark_read_shown(idea.key)
        store = self.service.store
        self.runner.run(lambda: store.mark_read([idea.key]), lane="db", owner=self.panel,
                        on_failure=lambda exc: log.warning("idea not marked read: %s", exc))

    def dismiss(self, idea: Idea) -> None:
        self.panel.set_view(IdeasView([i for i in self.view.ideas if i.key != idea.key], self.view.statuses))
        self.view = IdeasView(self.panel.ideas, self.view.statuses)
        store = self.service.store
        self.runner.run(lambda: store.dismiss(idea.key), lane="db", owner=self.panel,
                        on_failure=lambda exc: log.warning("idea not dismissed: %s", exc))

    def _open(self, idea: Idea) -> None:
        if idea.link and self.open_url is not None:
            self.open_url(idea.link)

    def write_about(self, idea: Idea) -> None:
        """A new draft with the prompt and the link; the idea recorded against it; its reference shown."""
        self.drafts.autosaver.flush()
        drafts_store, store = self.drafts.store, self.service.store

        def work() -> tuple[Draft, list[DraftIdea]]:
            draft = drafts_store.create(draft_text(idea))
            store.record_draft(draft.id, idea)
            store.mark_read([idea.key])
            return draft, store.draft_ideas(draft.id)

        def created(result: tuple[Draft, list[DraftIdea]]) -> None:
            draft, ideas = result
            self.panel.mark_read_shown(idea.key)
            if self.drafts.panel.search.text():
                self.drafts.panel.search.clear()
            self.drafts.panel.model.upsert(draft)
            self.drafts.open_draft(draft)
            self.drafts._update_status()  # "N drafts" in the status bar, as New draft does
            self.reference.show_for(draft.id, ideas)
            editor = self.drafts.composer.editor
            cursor = editor.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.Start)
            cursor.movePosition(QTextCursor.MoveOperation.Right, n=len(PROMPT))  # right after the prompt
            editor.setTextCursor(cursor)
            editor.setFocus(Qt.FocusReason.OtherFocusReason)
            self.draft_written.emit(draft.id)

        self.runner.run(work, lane="db", owner=self.panel, on_success=created, on_failure=self.drafts.failed)

    def _draft_opened(self, draft_id: str) -> None:
        if self.reference.draft_id == draft_id and self.reference.isVisible():
            return
        store = self.service.store
        self.runner.run(lambda: store.draft_ideas(draft_id), lane="db", owner=self.reference,
                        on_success=lambda ideas: self._reference_loaded(draft_id, ideas),
                        on_failure=lambda exc: log.warning("the draft's ideas could not be read: %s", exc))

    def _reference_loaded(self, draft_id: str, ideas: list[DraftIdea]) -> None:
        current = self.drafts.composer.draft
        if current is not None and current.id == draft_id:
            self.reference.show_for(draft_id, ideas)

    # -- adding sources -----------------------------------------------------------------------------
    def add_feed(self, address: str | None = None) -> None:
        if self.settings.is_locked(FEEDS):
            return
        if address is None:
            address, ok = QInputDialog.getText(
                self.panel, "Add feed", "Address of an RSS, Atom or JSON Feed (https://, http:// on the intranet), "
                "or the path of a feed file:", QLineEdit.EchoMode.Normal, "")
            if not ok:
                return
        self._add(FEEDS, address.strip())

    def add_folder(self, folder: str | None = None) -> None:
        if self.settings.is_locked(FOLDERS):
            return
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self.panel, "Add a folder of notes or changelogs")
            if not folder:
                return
        self._add(FOLDERS, folder.strip())

    def _add(self, key: str, value: str) -> None:
        if not value:
            return
        current = list(self.settings.get(key) or ())
        if value not in current:
            self.settings.set(key, [*current, value])
            self.runner.run(self.settings.save, lane="db", owner=self.panel,
                            on_failure=lambda exc: log.warning("settings not saved: %s", exc))
        self._configured = self._sources()
        if key == FEEDS:
            self.refresh()
        else:
            self.load()
