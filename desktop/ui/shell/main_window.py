"""The main window: a shell that assembles the feature panels and routes commands.

It lays out the drafts list (:mod:`desktop.ui.drafts`), the composer (:mod:`desktop.ui.composer`)
with the publish bar under it when accounts are available (:mod:`desktop.ui.publishing`), the
Policy panel (:mod:`desktop.ui.policy`) and the Accounts panel (:mod:`desktop.ui.accounts`) docked on
the right, two notice bars and the status bar; the menus and shortcuts are
:mod:`desktop.ui.shell.actions`. The work is the features': drafts through
:class:`~desktop.ui.drafts.controller.DraftsController`, the policy in force through
:class:`~desktop.ui.policy.loading.PolicyLoader`, accounts and publishing through
:class:`~desktop.ui.accounts.feature.AccountsFeature`. All database and network work runs on the
TaskRunner's lanes, so the GUI thread never waits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QHelpEvent, QPainter, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QSplitter,
    QTabBar,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from desktop import APP_NAME
from desktop.core.drafts import Draft, DraftStore
from desktop.core.settings import Settings
from desktop.ui.common.notice import NoticeBar
from desktop.ui.common.tasks import TaskRunner
from desktop.ui.composer.composer import Composer
from desktop.ui.composer.limits import CounterLimits
from desktop.ui.drafts.autosave import Autosaver
from desktop.ui.drafts.controller import DraftsController
from desktop.ui.drafts.panel import DraftsPanel
from desktop.ui.policy.findings_panel import FindingsPanel
from desktop.ui.policy.live_check import Checker
from desktop.ui.policy.loading import PolicyLoader
from desktop.ui.shell.actions import build_actions

if TYPE_CHECKING:
    from desktop.core.demo import DemoSession
    from desktop.core.policy import Policy
    from desktop.core.policy.active import ActivePolicy
    from desktop.core.services import Services
    from desktop.ui.accounts.feature import AccountsFeature
    from desktop.ui.accounts.panel import AccountsPanel
    from desktop.ui.demo.feature import DemoFeature
    from desktop.ui.publishing.bar import PublishBar
    from desktop.ui.publishing.history import PublishHistoryDialog
    from desktop.ui.publishing.scheduled import ScheduleFeature
    from desktop.ui.training.feature import TrainingFeature

log = logging.getLogger(__name__)

STATUS_MIN_WIDTH = 120  # what the policy's status text keeps of its width in a narrow window
DRAFTS_MIN_WIDTH = 120  # the drafts list's narrowest (two elided lines per draft stay readable)
DRAFTS_WIDTH = 250  # the drafts list's width at start
DRAFTS_SHARE = 0.22  # in a small window the drafts list takes at most this share of its width
PANEL_MIN_WIDTH = 180  # the docked panels' narrowest: the window works at 640 pixels wide
PANEL_WIDTH = 340  # the docked panels' width at start, and what they grow back to (see _restore_panels)
PANEL_SHARE = 0.36  # in a small window the panels take at most this share of its width


class StatusLabel(QLabel):
    """The status bar's policy text, one line shortened with "…" when the window is too narrow for it.

    A plain QLabel asks for its whole text's width, so a long policy name made the window refuse to
    be narrower than the status bar (a window wider than a small laptop's screen). This one asks for
    its text's width when there is room and gives way down to :data:`STATUS_MIN_WIDTH`; ``text()``
    stays the whole text (screen readers read it), only the painting is shortened, and the tooltip
    then starts with the whole text, before the details the policy loader puts there."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), STATUS_MIN_WIDTH), hint.height())

    def shown_text(self) -> str:
        """What is painted: the text, shortened with "…" to the label's width."""
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width())

    def is_elided(self) -> bool:
        return bool(self.text()) and self.shown_text() != self.text()

    def tooltip_text(self) -> str:
        """The tooltip shown: the whole text first when it is shortened, then the details."""
        details = self.toolTip()
        if not self.is_elided():
            return details
        return f"{self.text()}\n\n{details}" if details else self.text()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        self.style().drawItemText(painter, self.contentsRect(), int(self.alignment()), self.palette(),
                                  self.isEnabled(), self.shown_text(), QPalette.ColorRole.WindowText)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_text()
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)


class MainWindow(QMainWindow):
    drafts_loaded = Signal()  # the list shows the database's drafts (after start or a search)
    draft_opened = Signal(str)  # draft id now in the composer
    policy_changed = Signal()  # a policy load finished (see active_policy)
    # the commands and the View menu, made by desktop.ui.shell.actions.build_actions
    act_new: QAction
    act_duplicate: QAction
    act_delete: QAction
    act_restore: QAction
    act_search: QAction
    act_editor: QAction
    act_publish: QAction
    act_history: QAction
    act_link: QAction
    act_settings: QAction
    act_shortcuts: QAction
    act_about: QAction
    act_quit: QAction
    menu_view: QMenu

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
        services: Services | None = None,
        open_url: Callable[[str], object] | None = None,
        outbox_first_try_ms: int | None = None,
        demo: DemoSession | None = None,
    ) -> None:
        """*checker* is a fixed ``check(text)`` (tests, benchmarks) with *policy_version* keying the author's
        acknowledgements; without it, :meth:`load_policy` brings the configured policy. *policy_cache* is
        where the last good policy is kept (None: no fallback).

        *services* (desktop.core.services, built by the composition root) brings accounts and
        publishing: the Accounts panel, the publish bar under the composer and the outbox sender;
        without it the window is an editor only. *open_url* opens web pages (sign-in pages, posts;
        default: the desktop's browser; tests drive their own "browser"). *outbox_first_try_ms*:
        when the outbox is first tried (None: a few seconds after start; negative: never). *demo*: this
        window is a demo (desktop.ui.demo: banner, Sandbox feed, Reset demo)."""
        super().__init__()
        self.settings, self.store, self.runner, self.services = settings, store, runner, services
        self._networks_override = tuple(networks) if networks else None
        self.limits = CounterLimits(settings)
        self.setWindowTitle(APP_NAME)
        self.setObjectName("MainWindow")
        self.resize(1100, 700)

        self.notice = NoticeBar(self)
        self.policy_notice = NoticeBar(self)
        self.policy_notice.setAccessibleName("Policy notice")
        self.drafts = DraftsPanel(self)
        self.composer = Composer(runner, self.counter_networks(), self.limits.options, self,
                                 checker=checker, policy_version=policy_version, acknowledgements=store)
        self.composer.set_font_size(settings.get("editor.font_size"))
        self.autosaver = Autosaver(runner, store.save_body, self)
        self.publish_bar: PublishBar | None = None
        self.accounts: AccountsFeature | None = None
        self._pending_accounts: tuple[Services, int | None] | None = None  # built after the first paint
        self.accounts_panel: AccountsPanel | None = None
        self.history_dialog: PublishHistoryDialog | None = None
        editor_side: QWidget = self.composer
        from desktop.ui.common.browser import BrowserBridge

        self.browser = BrowserBridge(open_url, self)  # sign-in pages, posts, "This is wrong…" reports
        if services is not None:
            from desktop.ui.publishing.bar import PublishBar

            self.publish_bar = PublishBar(services, runner, self.composer, store, self.browser, self.policy_now, self,
                                          before_publish=self.autosaver.flush)
            # a post just published is one of the author's own: the authenticity check compares with it
            self.publish_bar.published.connect(lambda _draft_id: self.composer.policy.refresh_references())
            from desktop.ui.composer.thread import ThreadOffer

            self.thread_offer = ThreadOffer.install(self.composer, runner, self.limits.options, self.publish_bar)
            editor_side = QWidget(self)
            editor_layout = QVBoxLayout(editor_side)
            editor_layout.setContentsMargins(0, 0, 0, 0)
            editor_layout.setSpacing(0)
            editor_layout.addWidget(self.composer, 1)
            editor_layout.addWidget(self.publish_bar)
        self._lay_out(editor_side)
        self.status_label = QLabel(self)
        self.policy_label = StatusLabel(self)
        self.policy_label.setAccessibleName("Policy in use")
        self.statusBar().addPermanentWidget(self.policy_label)
        self.statusBar().addPermanentWidget(self.status_label)

        self.drafts_controller = DraftsController(
            self, store, runner, self.drafts, self.composer, self.autosaver, self.notice, self.status_label,
            targets_for=self.publish_bar.targets_for if self.publish_bar is not None else None)
        self.drafts_controller.loaded.connect(self.drafts_loaded)
        self.drafts_controller.opened.connect(self.draft_opened)
        self.policy = PolicyLoader(settings, store, runner, self.composer, self.policy_notice, self.policy_label,
                                   policy_cache, self.drafts_controller.failed, self,
                                   remote=services.remote_policy if services is not None else None)
        self.policy.changed.connect(self.policy_changed)
        actions = build_actions(self, self, self.drafts.view)
        self.act_new, self.act_duplicate, self.act_delete = actions.new, actions.duplicate, actions.delete
        self.act_restore, self.act_search, self.act_editor = actions.restore, actions.search, actions.editor
        self.act_publish, self.act_history, self.act_link = actions.publish, actions.history, actions.link
        self.act_settings, self.act_shortcuts = actions.settings, actions.shortcuts
        self.act_about, self.act_quit, self.menu_view = actions.about, actions.quit, actions.menu_view
        self.act_diagnostics = actions.diagnostics
        self.act_start_demo = actions.start_demo
        self.act_start_demo.setVisible(demo is None and bool(settings.get("demo.available")))
        self.edit_actions = actions.edit  # Edit → Undo … Select All, for the focused text field
        self.drafts_controller.can_restore.connect(self.act_restore.setEnabled)
        self.findings_panel = FindingsPanel(self.composer, self, open_url=self.browser.open_url)
        self.policy_dock = self.add_panel("Policy", self.findings_panel)
        self.resizeDocks([self.policy_dock], [PANEL_WIDTH], Qt.Orientation.Horizontal)
        self._panel_width = PANEL_WIDTH  # the width the person gave the right-hand panels (see _restore_panels)
        self._last_window_width = 0
        self._balanced_width = PANEL_WIDTH  # the panel width _restore_panels asked for last
        self._build_tips()
        if services is not None:
            self._build_accounts(services, outbox_first_try_ms)
        self._build_preview()
        self._build_ideas()
        # issue 14: publish later (File → Publish later…, Scheduled posts…; the tray when closed with posts waiting)
        self.schedule: ScheduleFeature | None = None
        if services is not None:
            from desktop.ui.publishing.scheduled import ScheduleFeature

            self.schedule = ScheduleFeature(self, services, runner, settings, self.policy_now,
                                            lambda: self.active_policy is not None)
            self.schedule.start_after(outbox_first_try_ms)
        # issue 13: the policy's summary to acknowledge before publishing, Help → Company policy, the quiz
        self.training: TrainingFeature | None = None
        if services is not None and services.policy_gate is not None:
            from desktop.ui.training.feature import TrainingFeature

            self.training = TrainingFeature(self, services.policy_gate, runner)
        # issue 15: Help → Audit trail… (the records, whether the chain is intact, export)
        from desktop.ui.audit.feature import AuditFeature

        self.audit = AuditFeature(self, store, runner)
        self.demo: DemoFeature | None = None
        if demo is not None:
            from desktop.ui.demo.feature import DemoFeature

            self.demo = DemoFeature(self, demo)
        if checker is not None:
            self.policy_label.setText(f"Policy: {policy_version}" if policy_version else "")
            if policy_version:
                self.policy.drop_other_acknowledgements(policy_version)
        self.composer.policy.problem.connect(lambda message: self.notice.show_message(message))
        messages = list(notices) + [str(p) for p in settings.problems]
        if messages:
            self.notice.show_message("\n".join(messages))
        self._add_tour_and_presentation()
        QTimer.singleShot(0, self.drafts_controller.first_load)

    def _add_tour_and_presentation(self) -> None:
        """Help → Take the tour (the tour finds the window's parts by these names) and View → Presentation mode."""
        from desktop.ui.shell.presentation import PresentationMode
        from desktop.ui.tour.feature import TourFeature

        self.drafts.setObjectName("drafts-panel")
        self.composer.setObjectName("composer")
        if self.publish_bar is not None:
            self.publish_bar.setObjectName("publish-bar")
        self.tour = TourFeature(self, self.settings, lambda: self.runner.run(
            self.settings.save, on_failure=lambda exc: self.notice.show_message(f"Could not save your settings: {exc}"),
            owner=self, lane="db"), self.findChild(QMenu, "menu-help"))
        self.presentation = PresentationMode(self, self.composer.editor, self.composer.policy.underlines, self.menu_view)

    def offer_tour(self) -> bool:
        """On the first start (``tour.show_at_start``): show the guided tour, leaving the keyboard where it is,
        and no tip of the day this time: one thing at a time (the policy summary, then the tour)."""
        if self.settings.get("tour.show_at_start"):
            self.tips.skip_tip_of_the_day()
        return self.tour.offer_at_start()

    def _lay_out(self, editor_side: QWidget) -> None:
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.drafts)
        splitter.addWidget(editor_side)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        self.drafts.setMinimumWidth(DRAFTS_MIN_WIDTH)  # titles stay readable beside the panels at 640 pixels
        splitter.setSizes([DRAFTS_WIDTH, 800])
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter
        self._drafts_width = DRAFTS_WIDTH  # the width the person gave the drafts list (see _restore_panels)
        splitter.splitterMoved.connect(lambda _pos, _index: setattr(self, "_drafts_width", splitter.sizes()[0]))
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.policy_notice)
        layout.addWidget(self.notice)
        layout.addWidget(splitter, 1)
        self.setCentralWidget(central)

    def _build_tips(self) -> None:
        """The Tips panel (tabbed with the Policy panel) and the tip of the day (desktop.ui.tips); the tip
        files are read on a worker once the event loop runs."""
        from desktop.ui.tips.feature import TipsFeature

        history = Path(self.store.path).parent / "tips-shown.json" if getattr(self.store, "path", None) else None
        central = self.centralWidget()
        assert central is not None  # laid out before the panels
        self.tips = TipsFeature(self.settings, self.runner, self.composer, self.counter_networks, history,
                                central, self, open_url=self.browser.open_url)
        self.tips_dock = self.tips.dock = self.add_panel("Tips", self.tips.panel)
        self.tabifyDockWidget(self.policy_dock, self.tips_dock)
        self.policy_dock.raise_()
        self.policy_changed.connect(self.tips.policy_changed)
        QTimer.singleShot(0, self.tips.load)

    def _build_preview(self) -> None:
        """The Preview panel (desktop.ui.preview), tabbed with the Policy and Tips panels."""
        from desktop.ui.preview.feature import PreviewFeature

        self.preview = PreviewFeature(self, self)
        self.preview_dock = self.add_panel("Preview", self.preview.panel)
        self.tabifyDockWidget(self.policy_dock, self.preview_dock)
        self.policy_dock.raise_()

    def _build_ideas(self) -> None:
        """Issue 15: the Ideas panel (desktop.ui.ideas), tabbed with the Policy panel, and the reference pane
        beside the editor; feeds are downloaded through the services' fetcher (none: files and folders only)."""
        from desktop.ui.ideas.feature import IdeasFeature

        fetcher = self.services.feed_fetcher if self.services is not None else None
        self.ideas = IdeasFeature(self.settings, self.runner, self.store, self.drafts_controller, fetcher, self,
                                  open_url=self.browser.open_url)
        self.ideas_dock = self.add_panel("Ideas", self.ideas.panel)
        self.tabifyDockWidget(self.policy_dock, self.ideas_dock)
        self.policy_dock.raise_()
        self.ideas.reference.host = self._place_beside_editor
        # (the live check compares a draft with the suggested copy of the ideas it was written from:
        # desktop.core.references); Publish waits until Write about this's prompt is replaced
        from desktop.core.ideas import prompt_left

        if self.publish_bar is not None:
            self.publish_bar.text_checks.append(prompt_left)
        QTimer.singleShot(0, self.ideas.start)

    def _place_beside_editor(self, pane: QWidget) -> None:
        """Put *pane* beside the editor, in a splitter of their own (the drafts | editor sizes stay as they
        are); done when it is first shown, so a window that never shows one keeps its layout as it was."""
        editor_side = self.splitter.widget(1)
        assert editor_side is not None  # laid out in __init__
        beside = QSplitter(Qt.Orientation.Horizontal, self)
        beside.setChildrenCollapsible(False)
        self.splitter.replaceWidget(1, beside)
        beside.addWidget(editor_side)
        beside.addWidget(pane)
        beside.setStretchFactor(0, 1)
        beside.setStretchFactor(1, 0)

    def _build_accounts(self, services: Services, outbox_first_try_ms: int | None) -> None:
        """The publish bar's wiring now; the Accounts panel's place now and its content just after the
        first paint (its widgets are not on the way to the first window)."""
        bar = self.publish_bar
        assert bar is not None
        self.accounts_dock = self.add_panel("Accounts", QWidget(self))
        self.splitDockWidget(self.policy_dock, self.accounts_dock, Qt.Orientation.Vertical)
        self.resizeDocks([self.policy_dock, self.accounts_dock], [420, 220], Qt.Orientation.Vertical)
        bar.history_requested.connect(self.show_history)
        bar.message.connect(self.show_status_message)  # from the start: Ctrl+Return before the panel is built
        bar.state_changed.connect(self._publish_state_changed)
        self.policy_changed.connect(bar.update_state)
        self.draft_opened.connect(lambda _id: bar.draft_opened(self.composer.draft))
        for act in (self.act_publish, self.act_history, self.act_link):
            act.setVisible(True)
        self._publish_state_changed(False, bar.why_not() or "")
        self._pending_accounts = (services, outbox_first_try_ms)

    def _build_accounts_panel(self) -> None:
        pending, self._pending_accounts = self._pending_accounts, None
        if pending is None or self.publish_bar is None:
            return
        from desktop.ui.accounts.feature import AccountsFeature

        services, outbox_first_try_ms = pending
        self.accounts = AccountsFeature(self, services, self.runner, self.browser, self.publish_bar, self.composer,
                                        self.drafts_controller, self.notice, self.limits, self.policy_now,
                                        self.accounts_dock)
        self.accounts_panel = self.accounts.panel
        self.accounts.start_outbox_after(outbox_first_try_ms, lambda: self.active_policy is not None)

    # -- what the features ask of the shell ----------------------------------------------------------
    def add_panel(self, title: str, widget: QWidget, area=Qt.DockWidgetArea.RightDockWidgetArea) -> QDockWidget:
        """Dock a feature panel (findings, tips, accounts) beside the composer."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"panel-{title.lower().replace(' ', '-')}")
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        dock.setMinimumWidth(PANEL_MIN_WIDTH)
        dock.installEventFilter(self)
        self.addDockWidget(area, dock)
        self.menu_view.addAction(dock.toggleViewAction())
        return dock

    @property
    def active_policy(self) -> ActivePolicy | None:
        return self.policy.active

    @property
    def outbox(self):
        return self.accounts.outbox if self.accounts is not None else None

    def policy_now(self) -> Policy | None:
        """The policy in force (for publishing; any thread may ask)."""
        return self.policy.policy_now()

    def load_policy(self) -> None:
        """(Re)load the policy the settings name, off the GUI thread (desktop.ui.policy.loading)."""
        self.policy.load()

    def publish_refusal(self) -> str | None:
        """Why the open post may not be published now, or None (see :meth:`Composer.publish_refusal`)."""
        return self.composer.publish_refusal()

    def counter_networks(self) -> tuple[str, ...]:
        return self._networks_override or tuple(self.settings.get("composer.networks"))

    def count_options(self) -> dict[str, dict[str, int]]:
        return self.limits.options()

    # -- commands ------------------------------------------------------------------------------------
    def new_draft(self) -> None:
        self.drafts_controller.new_draft()

    def duplicate_draft(self) -> None:
        self.drafts_controller.duplicate_draft()

    def delete_draft(self) -> None:
        self.drafts_controller.delete_draft()

    def undo_delete(self) -> None:
        self.drafts_controller.undo_delete()

    def open_draft(self, draft: Draft) -> None:
        self.drafts_controller.open_draft(draft)

    def reload_drafts(self, search: str | None = None) -> None:
        self.drafts_controller.reload(search)

    def start_outbox(self, services: Services | None = None) -> None:
        if self.accounts is not None:
            self.accounts.start_outbox(lambda: self.active_policy is not None)

    def publish(self) -> None:
        """Publish (the button, File → Publish, Ctrl+Return); a refusal is said in the status bar."""
        if self.publish_bar is not None:
            self.publish_bar.publish()

    def _publish_state_changed(self, can: bool, reason: str) -> None:
        # the action stays enabled so that Ctrl+Return always answers: it publishes, or says in the
        # status bar why it cannot (a disabled action's shortcut does nothing, silently)
        self.act_publish.setStatusTip(reason or "Publish the post to the chosen accounts")
        self.act_publish.setToolTip(f"{reason} (Ctrl+Return)" if reason else "Publish the post to the chosen accounts "
                                    "(Ctrl+Return)")

    def show_status_message(self, text: str, timeout_ms: int = 8000) -> None:
        self.statusBar().showMessage(text, timeout_ms)

    def show_history(self) -> None:
        draft = self.composer.draft
        if self.services is None or draft is None:
            return
        from desktop.ui.publishing.history import PublishHistoryDialog

        self.history_dialog = PublishHistoryDialog(self.services, self.runner, self.browser, draft, self)
        self.history_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.history_dialog.open()

    def link_account(self) -> None:
        if self.accounts is not None:
            self.accounts.link_account()

    def focus_search(self) -> None:
        self.drafts.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.drafts.search.selectAll()

    def focus_editor(self) -> None:
        self.composer.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_settings(self) -> None:
        from desktop.ui.shell.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.applied.connect(self.apply_settings)
        dialog.open()

    def show_diagnostics(self) -> None:
        from desktop.ui.shell.diagnostics import DiagnosticsDialog

        if self.services is None or self.services.diagnose is None:
            return
        dialog = DiagnosticsDialog(self.services.diagnose, self.runner, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.diagnostics_dialog = dialog
        dialog.open()

    def start_demo(self) -> None:
        """Help → Start a demo: Chorus in demo mode, in a process of its own."""
        from desktop.ui.demo.launch import start_demo

        if start_demo():
            self.statusBar().showMessage("Starting a demo in a new window…", 6000)
        else:
            self.notice.show_message("Chorus could not start the demo. Start it from a terminal with: chorus --demo")

    def apply_settings(self) -> None:
        from desktop.ui.common.theme import apply_theme

        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, self.settings.get("appearance.theme"))
        self.composer.set_font_size(self.settings.get("editor.font_size"))
        self.composer.set_networks(self.counter_networks())
        self.tips.networks_changed()
        self.tips.settings_changed()
        self.ideas.settings_changed()
        self.policy.reload_if_changed()
        logging.getLogger().setLevel(self.settings.get("logging.level").upper())
        self.runner.run(self.settings.save, on_failure=lambda exc: self.notice.show_message(
            f"Could not save your settings: {exc}"), owner=self, lane="db")

    # -- events --------------------------------------------------------------------------------------
    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        policy = getattr(self, "policy", None)  # a palette change can come while the window is being built
        if policy is not None and event.type() in (event.Type.PaletteChange, event.Type.ApplicationPaletteChange):
            policy.show_label()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(watched, QDockWidget) and hasattr(self, "policy_dock") \
                and watched is self._right_panel() \
                and self.width() == getattr(self, "_last_window_width", -1) \
                and abs(watched.width() - getattr(self, "_balanced_width", -100)) > 2:  # not the width _restore_panels asked for
            self._panel_width = max(watched.width(), PANEL_MIN_WIDTH)  # the person dragged the panel's edge
        return super().eventFilter(watched, event)

    def _right_panel(self) -> QDockWidget | None:
        """The panel shown on the right (Policy, or the one tabbed over it), if any."""
        docks = [self.policy_dock] + [d for d in self.findChildren(QDockWidget) if d is not self.policy_dock]
        for dock in docks:  # a tab behind another is "visible" but has nothing on screen
            if dock.isVisible() and not dock.isFloating() and not dock.visibleRegion().isEmpty() \
                    and self.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea:
                return dock
        return None

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._last_window_width = event.size().width()
        QTimer.singleShot(0, self._restore_panels)

    def _restore_panels(self) -> None:
        """After the window's size changed: the right-hand panels get back the width the person gave them
        (Qt gives every extra pixel of a growing window to the editor, so a panel squeezed once stayed
        squeezed), but no more than :data:`PANEL_SHARE` of a small window, so the editor keeps its room."""
        self._unelide_panel_tabs()
        sizes = self.splitter.sizes()
        drafts = max(DRAFTS_MIN_WIDTH, min(self._drafts_width, int(self.width() * DRAFTS_SHARE)))
        if len(sizes) == 2 and abs(sizes[0] - drafts) > 2:
            self.splitter.setSizes([drafts, sum(sizes) - drafts])
        dock = self._right_panel()
        central = self.centralWidget()
        if dock is None or central is None:
            return
        # the width the person chose, but at most PANEL_SHARE of a small window (the editor keeps the rest)
        target = max(PANEL_MIN_WIDTH, min(self._panel_width, int(self.width() * PANEL_SHARE)))
        spare = central.width() - central.minimumSizeHint().width()
        width = min(target, dock.width() + max(spare, 0))
        if abs(width - dock.width()) > 2:
            self._balanced_width = width  # this resize is ours, not the person's drag (see eventFilter)
            self.resizeDocks([dock], [width], Qt.Orientation.Horizontal)

    def _unelide_panel_tabs(self) -> None:
        """The tabs of tabbed panels keep their whole titles ("Policy", not "P…"); scroll arrows show
        when they do not fit."""
        for bar in self.findChildren(QTabBar):
            if bar.parent() is self and bar.elideMode() != Qt.TextElideMode.ElideNone:
                bar.setElideMode(Qt.TextElideMode.ElideNone)
                bar.setUsesScrollButtons(True)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._unelide_panel_tabs)
        if self._pending_accounts is not None:
            QTimer.singleShot(0, self._build_accounts_panel)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.autosaver.flush()
        if self.schedule is not None and not self.schedule.close_requested(event):
            return  # kept running in the tray, or asking whether to
        if self.outbox is not None:
            self.outbox.timer.stop()
        super().closeEvent(event)
