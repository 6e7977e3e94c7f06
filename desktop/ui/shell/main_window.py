"""The main window: a thin shell around the drafts list and the composer.

Features live in their own modules; panels added by later features (policy findings, tips,
accounts) dock on the right through :meth:`MainWindow.add_panel`. All database work goes through
the TaskRunner's ``db`` lane, so the GUI thread never waits on the disk.

The policy: :meth:`MainWindow.load_policy` loads the one the ``policy.source`` setting names on
the ``policy`` lane (:func:`desktop.core.policy.active.load_active_policy`: the configured policy,
else the last good copy kept in the profile, else none) and hands it to the composer. Problems go
to a notice bar of their own (so other notices do not hide them); the policy in use is named in
the status bar. :meth:`MainWindow.publish_refusal` says why publishing must be refused, if it must.

Accounts and publishing (when the composition root passes ``services``): the Accounts panel docks
below the Policy panel (:mod:`desktop.ui.accounts.panel`), the publish bar sits under the composer
(:mod:`desktop.ui.publishing.bar`: targets, Publish ``Ctrl+Return``, each target's status), the
outbox is sent a few seconds after start and then on its own (:mod:`desktop.ui.publishing.outbox`). The
linked Mastodon accounts' smallest ``max_characters`` drives the composer's Mastodon counter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop import APP_NAME, __version__
from desktop.core import networks as registry
from desktop.core.drafts import Draft, DraftStore
from desktop.core.settings import Settings
from desktop.ui.drafts.autosave import Autosaver
from desktop.ui.composer.composer import Composer
from desktop.ui.drafts.panel import DraftsPanel
from desktop.ui.policy.findings_panel import FindingsPanel
from desktop.ui.common.notice import NoticeBar
from desktop.ui.policy.live_check import Checker
from desktop.ui.common.tasks import TaskRunner
from desktop.ui.common.theme import status_color

if TYPE_CHECKING:
    from desktop.core.accounts import AccountRecord
    from desktop.core.policy import Policy
    from desktop.core.policy.active import ActivePolicy
    from desktop.core.services import Services

log = logging.getLogger(__name__)

OUTBOX_FIRST_TRY_MS = 4000  # the outbox is first tried this long after start (the policy has loaded by then)


class MainWindow(QMainWindow):
    drafts_loaded = Signal()  # the list shows the database's drafts (after start or a search)
    draft_opened = Signal(str)  # draft id now in the composer
    policy_changed = Signal()  # a policy load finished (see active_policy)

    def __init__(
        self,
        settings: Settings,
        store: DraftStore,
        runner: TaskRunner,
        networks: Sequence[str] | None = None,
        notices: Sequence[str] = (),
        checker: Checker | None = None,
        policy_version: str = "",
        policy_cache: Path | None = None,
        services: "Services | None" = None,
        open_url: Callable[[str], object] | None = None,
        outbox_first_try_ms: int | None = None,
    ) -> None:
        """*checker* is a fixed ``check(text)`` (tests, benchmarks) with *policy_version* keying the author's
        acknowledgements; without it, :meth:`load_policy` brings the configured policy. *policy_cache* is
        where the last good policy is kept (None: no fallback).

        *services* (desktop.core.services, built by the composition root) brings accounts and
        publishing: the Accounts panel, the publish bar under the composer and the outbox sender;
        without it the window is an editor only. *open_url* opens web pages (sign-in pages, posts;
        default: the desktop's browser; tests drive their own "browser"). *outbox_first_try_ms*:
        when the outbox is first tried (None: a few seconds after start; negative: never)."""
        super().__init__()
        self.settings = settings
        self.store = store
        self.runner = runner
        self.policy_cache = policy_cache
        self.active_policy: "ActivePolicy | None" = None
        self._policy_request = 0
        self._loaded_source: str | None = None
        self._networks_override = tuple(networks) if networks else None
        self._last_deleted: Draft | None = None
        self.services = services
        self._instance_limits: dict[str, dict] = {}  # from linked accounts' servers, per network (smallest wins)
        self.setWindowTitle(APP_NAME)
        self.setObjectName("MainWindow")
        self.resize(1100, 700)

        self.notice = NoticeBar(self)
        self.policy_notice = NoticeBar(self)
        self.policy_notice.setAccessibleName("Policy notice")
        self.drafts = DraftsPanel(self)
        self.composer = Composer(runner, self.counter_networks(), self.count_options, self,
                                 checker=checker, policy_version=policy_version, acknowledgements=store)
        self.composer.set_font_size(settings.get("editor.font_size"))
        self.autosaver = Autosaver(runner, store.save_body, self)

        self.publish_bar = None
        self.accounts_panel = None
        self.outbox = None
        editor_side: QWidget = self.composer
        if services is not None:
            from desktop.ui.common.browser import BrowserBridge
            from desktop.ui.publishing.bar import PublishBar

            self.browser = BrowserBridge(open_url, self)
            self.publish_bar = PublishBar(services, runner, self.composer, store, self.browser, self.policy_now, self,
                                          before_publish=self.autosaver.flush)
            editor_side = QWidget(self)
            editor_layout = QVBoxLayout(editor_side)
            editor_layout.setContentsMargins(0, 0, 0, 0)
            editor_layout.setSpacing(0)
            editor_layout.addWidget(self.composer, 1)
            editor_layout.addWidget(self.publish_bar)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.drafts)
        splitter.addWidget(editor_side)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        self.drafts.setMinimumWidth(200)  # titles stay readable beside the Policy panel
        splitter.setSizes([250, 800])
        splitter.setChildrenCollapsible(False)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.policy_notice)
        layout.addWidget(self.notice)
        layout.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self._build_actions()
        self.status_label = QLabel(self)
        self.policy_label = QLabel(self)
        self.policy_label.setAccessibleName("Policy in use")
        self.statusBar().addPermanentWidget(self.policy_label)
        self.statusBar().addPermanentWidget(self.status_label)
        self.findings_panel = FindingsPanel(self.composer, self)
        self.policy_dock = self.add_panel("Policy", self.findings_panel)
        self.resizeDocks([self.policy_dock], [340], Qt.Orientation.Horizontal)
        if services is not None:
            self._build_accounts(services, outbox_first_try_ms)
        if checker is not None:
            self.policy_label.setText(f"Policy: {policy_version}" if policy_version else "")
            if policy_version:
                self._drop_other_acknowledgements(policy_version)
        self.composer.policy.problem.connect(lambda message: self.notice.show_message(message))

        self.drafts.draft_selected.connect(self.open_draft)
        self.drafts.search_changed.connect(self.reload_drafts)
        self.composer.edited.connect(self._on_edited)
        self.autosaver.saved.connect(self._on_saved)
        self.autosaver.failed.connect(lambda message: self.notice.show_message(message))

        messages = list(notices) + [str(p) for p in settings.problems]
        if messages:
            self.notice.show_message("\n".join(messages))
        QTimer.singleShot(0, self._first_load)

    # -- accounts and publishing ------------------------------------------------------------------
    def _build_accounts(self, services: "Services", outbox_first_try_ms: int | None) -> None:
        """The Accounts panel (docked below the Policy panel), the publish bar's wiring, the outbox."""
        from desktop.ui.accounts.panel import AccountsPanel

        panel = self.accounts_panel = AccountsPanel(services, self.runner, self.browser, self)
        self.accounts_dock = self.add_panel("Accounts", panel)
        self.splitDockWidget(self.policy_dock, self.accounts_dock, Qt.Orientation.Vertical)
        self.resizeDocks([self.policy_dock, self.accounts_dock], [420, 220], Qt.Orientation.Vertical)
        bar = self.publish_bar
        assert bar is not None
        panel.accounts_changed.connect(self._accounts_changed)
        panel.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        bar.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        bar.relink_requested.connect(panel.relink_account)
        bar.history_requested.connect(self.show_history)
        bar.interrupted_found.connect(self._interrupted_found)
        bar.state_changed.connect(self._publish_state_changed)
        self.draft_opened.connect(lambda _id: bar.draft_opened(self.composer.draft))
        self.policy_changed.connect(bar.update_state)
        first = OUTBOX_FIRST_TRY_MS if outbox_first_try_ms is None else outbox_first_try_ms
        if first >= 0:
            QTimer.singleShot(first, lambda: self.start_outbox(services))
        self.act_publish.setVisible(True)
        self.act_history.setVisible(True)
        self.act_link.setVisible(True)
        self._publish_state_changed(False, bar.why_not() or "")
        # after the drafts: the editor comes first; the accounts service is built on the db lane then
        self.drafts_loaded.connect(self._first_accounts_load)

    def _first_accounts_load(self) -> None:
        self.drafts_loaded.disconnect(self._first_accounts_load)
        if self.accounts_panel is not None:
            self.accounts_panel.refresh()

    def start_outbox(self, services: "Services") -> None:
        """Send the outbox now, every few minutes, and when the network comes back (desktop.ui.publishing.outbox)."""
        if self.outbox is not None or self.publish_bar is None:
            return
        from desktop.ui.publishing.outbox import OutboxSender

        self.outbox = OutboxSender(services, self.runner, self.policy_now, lambda: self.active_policy is not None,
                                   self)
        self.outbox.status.connect(self.publish_bar.outbox_status)
        self.outbox.start()

    def policy_now(self) -> "Policy | None":
        """The policy in force (for publishing; any thread may ask)."""
        active = self.active_policy
        return active.policy if active is not None else None

    def _accounts_changed(self, records: "list[AccountRecord]") -> None:
        if self.publish_bar is not None:
            self.publish_bar.set_accounts(records)
        # where servers set their own limits, the smallest among the linked accounts feeds the counter
        chosen: dict[str, dict] = {}
        for network in registry.REGISTRY:
            if not network.capabilities.instance_limits:
                continue
            limits = [r.account.limits for r in records if r.account.network == network.id
                      and isinstance(r.account.limits.get(network.limit_key), int)]
            if limits:
                chosen[network.id] = dict(min(limits, key=lambda lim: lim[network.limit_key]))
        if chosen != self._instance_limits:
            self._instance_limits = chosen
            self.composer.limits_changed()

    def _interrupted_found(self, found: list) -> None:
        """Chorus was closed while sending: say so, and lead to the post (its rows have Check and Retry)."""
        count = len(found)
        drafts = list(dict.fromkeys(item.status.draft_id for item in found))
        text = (f"Chorus was closed while sending {'a post' if count == 1 else f'{count} posts'}: "
                f"{'it' if count == 1 else 'they'} may or may not have arrived. "
                "Check or Retry under the post (Retry looks first, so it never posts twice).")
        current = self.composer.draft
        others = [d for d in drafts if current is None or d != current.id]
        if others:
            def show() -> None:
                draft = next((d for d in self.drafts.model.drafts() if d.id == others[0]), None)
                if draft is not None:
                    self.open_draft(draft)

            self.notice.show_message(text, "Show", show)
        else:
            self.notice.show_message(text)

    def _publish_state_changed(self, can: bool, reason: str) -> None:
        self.act_publish.setEnabled(can)
        self.act_publish.setStatusTip(reason or "Publish the post to the chosen accounts")

    def publish(self) -> None:
        if self.publish_bar is not None:
            self.publish_bar.publish()

    def show_history(self) -> None:
        draft = self.composer.draft
        if self.services is None or draft is None:
            return
        from desktop.ui.publishing.history import PublishHistoryDialog

        self.history_dialog = PublishHistoryDialog(self.services, self.runner, self.browser, draft, self)
        self.history_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.history_dialog.open()

    def link_account(self) -> None:
        if self.accounts_panel is not None:
            self.accounts_dock.show()
            self.accounts_dock.raise_()
            self.accounts_panel.link_button.showMenu()

    # -- shell -----------------------------------------------------------------------------------
    def add_panel(self, title: str, widget: QWidget, area=Qt.DockWidgetArea.RightDockWidgetArea) -> QDockWidget:
        """Dock a feature panel (findings, tips, accounts) beside the composer."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"panel-{title.lower().replace(' ', '-')}")
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, dock)
        self.menu_view.addAction(dock.toggleViewAction())
        return dock

    # -- policy --------------------------------------------------------------------------------
    def load_policy(self) -> None:
        """(Re)load the policy the settings name, off the GUI thread; the composer keeps checking with the
        current one until the new one is ready."""
        source = self.settings.get("policy.source")
        cache = self.policy_cache
        self._policy_request += 1
        request = self._policy_request
        self._loaded_source = source
        self.composer.policy_loading()
        if self.active_policy is None:
            self.policy_label.setText("Policy: loading…")
        def work() -> "ActivePolicy":
            from desktop.core.policy.active import load_active_policy  # the engine's import, off the GUI thread too

            return load_active_policy(source, cache)

        self.runner.run(work, on_success=lambda active: self._policy_loaded(request, active),
                        on_failure=lambda exc: self._policy_failed(request, source, exc),
                        owner=self, lane="policy")

    def _policy_loaded(self, request: int, active: "ActivePolicy") -> None:
        if request != self._policy_request:
            return  # the setting changed again meanwhile
        self.active_policy = active
        if active.policy is not None:
            self.composer.set_policy(active.policy)
            # acknowledgements made under another policy version never apply again
            self._drop_other_acknowledgements(active.policy.version_key)
        else:
            self.composer.set_policy(None, active.off_reason)
        notice = active.notice
        if notice:
            self.policy_notice.show_message(notice)
        else:
            self.policy_notice.hide()
        self._show_policy_label()
        self.policy_changed.emit()

    def _policy_failed(self, request: int, source: str, exc: BaseException) -> None:
        # load_active_policy reports policy problems itself; this is an unexpected failure
        log.error("loading the policy failed", exc_info=exc)
        if request != self._policy_request:
            return
        from desktop.core.policy.active import ActivePolicy
        from desktop.core.policy import PolicyProblem

        self._policy_loaded(request, ActivePolicy(source, None, (PolicyProblem(source, None, None, str(exc)),)))

    def _show_policy_label(self) -> None:
        active = self.active_policy
        if active is None:
            return
        palette = self.palette()
        if active.policy is None:
            text, colour = "Policy: none · publishing refused", status_color(palette, "block")
            tip = active.notice or ""
        else:
            info = active.policy.info
            text = f"Policy: {info.name} {info.version}"
            colour = None
            if active.fallback:
                text += " (last good copy)"
                colour = status_color(palette, "warn")
            tip = f"{info.name}, version {info.version}\nOwner: {info.owner} ({info.contact})\nFile: {info.source}"
            if active.fallback:
                tip += f"\n\nThe configured policy “{active.configured}” cannot be used; see the notice."
        self.policy_label.setText(text)
        self.policy_label.setToolTip(tip)
        self.policy_label.setAccessibleDescription(tip)
        label_palette = self.policy_label.palette()
        label_palette.setColor(QPalette.ColorRole.WindowText,
                               colour if colour is not None else palette.color(QPalette.ColorRole.WindowText))
        self.policy_label.setPalette(label_palette)

    def _drop_other_acknowledgements(self, version_key: str) -> None:
        store = self.store
        self.runner.run(lambda: store.drop_acknowledgements_of_other_policies(version_key),
                        on_failure=self._db_failed, owner=self, lane="db")

    def publish_refusal(self) -> str | None:
        """Why the open post may not be published now, or None (see :meth:`Composer.publish_refusal`)."""
        return self.composer.publish_refusal()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (event.Type.PaletteChange, event.Type.ApplicationPaletteChange):
            self._show_policy_label()

    def counter_networks(self) -> tuple[str, ...]:
        return self._networks_override or tuple(self.settings.get("composer.networks"))

    def count_options(self) -> dict[str, dict[str, int]]:
        """The counters' limits per network: a linked account's server limits, else the person's setting."""
        options: dict[str, dict[str, int]] = {}
        for network in registry.REGISTRY:
            limits = dict(self._instance_limits.get(network.id, {}))
            if network.limit_setting and not isinstance(limits.get(network.limit_key), int):
                limits[network.limit_key] = self.settings.get(network.limit_setting)
            if limits:
                options[network.id] = {k: v for k, v in limits.items() if isinstance(v, int)}
        return options

    def _action(self, text: str, shortcut, slot, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{tip or text} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
                          if shortcut else tip or text)
        action.setStatusTip(tip or text)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.act_new = self._action("&New draft", QKeySequence.StandardKey.New, self.new_draft, "Start a new draft")
        self.act_duplicate = self._action("D&uplicate draft", "Ctrl+D", self.duplicate_draft,
                                          "Copy the current draft into a new one")
        self.act_delete = self._action("&Delete draft", "Ctrl+Shift+Delete", self.delete_draft,
                                       "Delete the current draft (you can undo)")
        self.act_restore = self._action("&Restore deleted draft", "Ctrl+Shift+T", self.undo_delete,
                                        "Bring back the draft you deleted last")
        self.act_restore.setEnabled(False)
        self.act_search = self._action("&Search drafts", QKeySequence.StandardKey.Find, self.focus_search,
                                       "Find a draft by its text")
        self.act_editor = self._action("&Go to editor", "Ctrl+E", self.focus_editor, "Move the cursor to the post text")
        self.act_publish = self._action("&Publish", "Ctrl+Return", self.publish,
                                        "Publish the post to the chosen accounts")
        self.act_history = self._action("Publish &history…", "Ctrl+Shift+H", self.show_history,
                                        "Where and when this draft was published")
        self.act_link = self._action("&Link account…", None, self.link_account,
                                     "Link a Bluesky, Mastodon or LinkedIn account")
        for act in (self.act_publish, self.act_history, self.act_link):
            act.setVisible(False)  # shown when accounts and publishing are available
        self.act_settings = self._action("Se&ttings…", "Ctrl+,", self.show_settings, "Change Chorus's settings")
        self.act_shortcuts = self._action("&Keyboard shortcuts", "F1", self.show_shortcuts,
                                          "List every keyboard shortcut")
        self.act_about = self._action("&About Chorus", None, self.show_about)
        self.act_quit = self._action("&Quit", "Ctrl+Q", self.close, "Quit Chorus")
        # Del removes the selected draft while the list has the focus.
        delete_in_list = QAction(self.drafts.view)
        delete_in_list.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete_in_list.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete_in_list.triggered.connect(self.delete_draft)
        self.drafts.view.addAction(delete_in_list)

        bar = self.menuBar()
        menu_file = bar.addMenu("&File")
        for act in (self.act_new, self.act_duplicate, self.act_delete, self.act_restore):
            menu_file.addAction(act)
        menu_file.addSeparator()
        for act in (self.act_publish, self.act_history, self.act_link):
            menu_file.addAction(act)
        menu_file.addSeparator()
        menu_file.addAction(self.act_settings)
        menu_file.addSeparator()
        menu_file.addAction(self.act_quit)
        menu_edit = bar.addMenu("&Edit")
        menu_edit.addAction(self.act_search)
        menu_edit.addAction(self.act_editor)
        self.menu_view = bar.addMenu("&View")
        menu_help = bar.addMenu("&Help")
        menu_help.addAction(self.act_shortcuts)
        menu_help.addAction(self.act_about)

        toolbar = QToolBar("Drafts", self)
        toolbar.setObjectName("drafts-toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for act in (self.act_new, self.act_duplicate, self.act_delete):
            toolbar.addAction(act)
        self.addToolBar(toolbar)
        self.menu_view.addAction(toolbar.toggleViewAction())

    # -- drafts --------------------------------------------------------------------------------
    def _first_load(self) -> None:
        def loaded(drafts: list[Draft]) -> None:
            self.drafts.model.set_drafts(drafts)
            if drafts:
                self.open_draft(drafts[0])
            else:
                self.new_draft()
            self._update_status()
            self.drafts_loaded.emit()

        self.runner.run(lambda: self.store.list(), on_success=loaded, on_failure=self._db_failed, owner=self, lane="db")

    def reload_drafts(self, search: str | None = None) -> None:
        search = self.drafts.search.text() if search is None else search
        self.autosaver.flush()

        def loaded(drafts: list[Draft]) -> None:
            self.drafts.model.set_drafts(drafts)
            current = self.composer.draft
            self.drafts.select(current.id if current else "")
            self._update_status()
            self.drafts_loaded.emit()

        self.runner.run(lambda: self.store.list(search), on_success=loaded, on_failure=self._db_failed,
                        owner=self, lane="db")

    def open_draft(self, draft: Draft) -> None:
        current = self.composer.draft
        if current is not None and current.id == draft.id:
            return
        self.autosaver.flush()
        # the list's copy may be a little older than the editor's last text: it was updated on save
        self.composer.set_draft(draft)
        self.drafts.select(draft.id)
        self._update_title(draft)
        self.draft_opened.emit(draft.id)

    def _update_title(self, draft: Draft | None) -> None:
        self.setWindowTitle(f"{draft.title} — {APP_NAME}" if draft else APP_NAME)

    def new_draft(self) -> None:
        self.autosaver.flush()

        def created(draft: Draft) -> None:
            if self.drafts.search.text():
                self.drafts.search.clear()  # a new draft is empty: show it in the full list
            self.drafts.model.upsert(draft)
            self.open_draft(draft)
            self.focus_editor()
            self._update_status()

        self.runner.run(lambda: self.store.create(), on_success=created, on_failure=self._db_failed,
                        owner=self, lane="db")

    def duplicate_draft(self) -> None:
        current = self.composer.draft
        if current is None:
            return
        text = self.composer.text()
        self.autosaver.flush()

        def created(draft: Draft) -> None:
            self.drafts.model.upsert(draft)
            self.open_draft(draft)
            self.statusBar().showMessage("Draft duplicated", 4000)
            self._update_status()

        targets = self.publish_bar.targets_for(current) if self.publish_bar is not None else current.targets
        self.runner.run(lambda: self.store.create(text, targets), on_success=created,
                        on_failure=self._db_failed, owner=self, lane="db")

    def delete_draft(self) -> None:
        current = self.composer.draft
        if current is None:
            return
        text = self.composer.text()
        self.autosaver.flush()
        row = self.drafts.model.row_of(current.id)
        self.drafts.model.remove(current.id)
        deleted = Draft(current.id, text, current.created_at, current.updated_at, current.targets)
        self._last_deleted = deleted
        self.act_restore.setEnabled(True)
        self.runner.run(lambda: self.store.delete(deleted.id), on_failure=self._db_failed, owner=self, lane="db")
        remaining = self.drafts.model.drafts()
        if remaining:
            self.composer.set_draft(None)
            self.open_draft(remaining[min(max(row, 0), len(remaining) - 1)])
        else:
            self.composer.set_draft(None)
            self.new_draft()
        self.notice.show_message(f"Deleted “{deleted.title}”.", "Undo", self.undo_delete)
        self._update_status()

    def undo_delete(self) -> None:
        deleted, self._last_deleted = self._last_deleted, None
        self.act_restore.setEnabled(False)
        if deleted is None:
            return
        self.notice.hide()

        def restored(draft: Draft | None) -> None:
            if draft is None:
                return
            self.drafts.model.upsert(draft)
            self.open_draft(draft)
            self.statusBar().showMessage("Draft restored", 4000)
            self._update_status()

        self.runner.run(lambda: self.store.undelete(deleted.id), on_success=restored, on_failure=self._db_failed,
                        owner=self, lane="db")

    def _on_edited(self, draft_id: str, text: str) -> None:
        self.autosaver.edited(draft_id, text)
        self.status_label.setText("Editing…")

    def _on_saved(self, draft: Draft) -> None:
        current = self.composer.draft
        if current is not None and current.id == draft.id:
            self._update_title(draft)
        if self.drafts.model.row_of(draft.id) == 0 or self.drafts.model.row_of(draft.id) < 0:
            self.drafts.model.update_in_place(draft)
        else:
            self.drafts.model.upsert(draft)  # edited: it is now the newest
            current = self.composer.draft
            if current is not None:
                self.drafts.select(current.id)
        if not self.autosaver.busy:
            self.status_label.setText("All changes saved")

    def _db_failed(self, exc: BaseException) -> None:
        log.error("drafts database operation failed", exc_info=exc)
        self.notice.show_message(f"The drafts database reported a problem: {exc}")

    def _update_status(self) -> None:
        n = self.drafts.model.rowCount()
        searching = bool(self.drafts.search.text())
        self.statusBar().showMessage(f"{n} draft{'s' if n != 1 else ''}{' found' if searching else ''}")

    # -- focus -----------------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.drafts.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.drafts.search.selectAll()

    def focus_editor(self) -> None:
        self.composer.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- dialogs ---------------------------------------------------------------------------------
    def show_settings(self) -> None:
        from desktop.ui.shell.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.applied.connect(self.apply_settings)
        dialog.open()

    def apply_settings(self) -> None:
        from desktop.ui.common.theme import apply_theme

        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, self.settings.get("appearance.theme"))
        self.composer.set_font_size(self.settings.get("editor.font_size"))
        self.composer.set_networks(self.counter_networks())
        if self._loaded_source is not None and self.settings.get("policy.source") != self._loaded_source:
            self.load_policy()
        logging.getLogger().setLevel(self.settings.get("logging.level").upper())
        self.runner.run(self.settings.save, on_failure=lambda exc: self.notice.show_message(
            f"Could not save your settings: {exc}"), owner=self, lane="db")

    def show_shortcuts(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("Keyboard shortcuts")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        actions = [a for a in self.actions() if not a.shortcut().isEmpty() and a.isVisible()]
        table = QTableWidget(len(actions), 2, dialog)
        table.setHorizontalHeaderLabels(["Action", "Shortcut"])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, action in enumerate(actions):
            table.setItem(row, 0, QTableWidgetItem(action.text().replace("&", "").rstrip("…")))
            table.setItem(row, 1, QTableWidgetItem(action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(dialog)
        layout.addWidget(table)
        dialog.resize(420, 360)
        dialog.open()

    def show_about(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, f"About {APP_NAME}",
                          f"<b>{APP_NAME} {__version__}</b><p>Write posts, check them against your company's "
                          "social-media policy, and publish them to your own accounts.</p>",
                          QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # -- closing -------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        self.autosaver.flush()
        if self.outbox is not None:
            self.outbox.timer.stop()
        super().closeEvent(event)
