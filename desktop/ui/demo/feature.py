"""Demo mode in the window: the banner and title that say so, the Sandbox feed panel, and the Demo
menu (Reset demo, the feed, Leave demo). Built by the main window when the composition root started
a demo (``chorus --demo``); the demo's data is desktop.core.demo's."""

from __future__ import annotations

import logging
import time
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from desktop.core.demo import DemoSession, SandboxPost
from desktop.ui.demo.feed_view import SandboxFeedView

log = logging.getLogger(__name__)

TITLE_SUFFIX = " — Demo — nothing is published"
RESET_SHORTCUT = "Ctrl+Shift+R"


class DemoBanner(QLabel):
    """A strip across the top of the window, in the selection colours so it reads in light and dark."""

    def __init__(self, text: str, parent: QMainWindow) -> None:
        super().__init__(parent)
        self.setObjectName("demo-banner")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setAccessibleName("Demo mode")
        self._restyle()
        self.setText(f"<b>{text}.</b> Posts go to the Sandbox feed on this computer; Demo → Reset demo "
                     f"({RESET_SHORTCUT}) brings the sample drafts back.")


    def _restyle(self) -> None:
        # the application's palette: a style sheet changes the widget's own, and would call this again
        palette = QApplication.palette()
        background = palette.color(QPalette.ColorRole.Highlight).name()
        foreground = palette.color(QPalette.ColorRole.HighlightedText).name()
        if (background, foreground) == getattr(self, "_colours", None):
            return
        self._colours = (background, foreground)
        self.setStyleSheet(f"#demo-banner {{ background: {background}; color: {foreground}; padding: 6px 10px; "
                           "border-radius: 4px; }")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._restyle()  # light ↔ dark while the demo runs


class DemoFeature(QObject):
    """Everything demo mode adds to *window*."""

    feed_changed = Signal()  # the feed shows the sandbox file's posts again
    reset_done = Signal(float)  # seconds the reset took (its disk work)

    def __init__(self, window: Any, session: DemoSession) -> None:
        """*window*: the main window (Any, as for the training feature: the shell builds this, so no import
        back up to it; the attributes used are the window's panels, actions and services)."""
        super().__init__(window)
        self.window, self.session = window, session
        self.banner = DemoBanner(session.banner, window)
        central = window.centralWidget()
        layout = central.layout() if central is not None else None
        if layout is not None:
            layout.insertWidget(0, self.banner)
        window.windowTitleChanged.connect(self._keep_title)
        self._keep_title(window.windowTitle())

        self.feed = SandboxFeedView(window)
        self.feed.link_activated.connect(window.browser.open_url)
        self.feed_dock = window.add_panel("Sandbox feed", self.feed)
        accounts_dock = getattr(window, "accounts_dock", None)
        if accounts_dock is not None:
            window.tabifyDockWidget(accounts_dock, self.feed_dock)
            accounts_dock.raise_()
            # the feed shows a few posts at once: it gets as much height as the findings
            window.resizeDocks([window.policy_dock, accounts_dock], [360, 360], Qt.Orientation.Vertical)
        # a post's address in a status row (sandbox://post/N) opens the feed there, not a browser
        self._open_elsewhere = window.browser._open_url
        window.browser._open_url = self._open_url

        menu = window.menuBar().addMenu("De&mo")
        menu.setObjectName("demo-menu")
        self.act_reset = QAction("&Reset demo", window)
        self.act_reset.setShortcut(QKeySequence(RESET_SHORTCUT))
        self.act_reset.setStatusTip("Bring back the sample drafts, accounts, feed and ideas, as when the demo started")
        self.act_reset.triggered.connect(self.reset)
        window.addAction(self.act_reset)
        self.act_feed = self.feed_dock.toggleViewAction()
        self.act_feed.setText("Sandbox &feed")
        self.act_leave = QAction("&Leave demo", window)
        self.act_leave.setStatusTip("Close the demo; its temporary files are deleted")
        self.act_leave.triggered.connect(window.close)
        for action in (self.act_reset, self.act_feed):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.act_leave)
        self.menu = menu

        window.act_link.setVisible(False)  # a demo links no real account: its accounts come from the bundle
        window.act_diagnostics.setVisible(False)  # it would probe the real keyring and network
        if window.publish_bar is not None:
            window.publish_bar.published.connect(self._published)
        self.refresh()

    # -- the feed ------------------------------------------------------------------------------------
    def refresh(self) -> None:
        posts = self.session.posts
        self.window.runner.run(posts.posts, on_success=self._show, on_failure=self._failed, owner=self, lane="db")

    def _show(self, posts: list[SandboxPost]) -> None:
        self.feed.set_posts(posts)
        self.feed_changed.emit()

    def _published(self, _draft_id: str) -> None:
        self.feed_dock.show()
        self.feed_dock.raise_()
        self.refresh()

    def _open_url(self, url: str) -> object:
        if url.startswith("sandbox://post/"):
            self.feed_dock.show()
            self.feed_dock.raise_()
            tail = url.rsplit("/", 1)[-1]
            return self.feed.show_post(int(tail)) if tail.isdigit() else False
        return self._open_elsewhere(url)

    # -- reset ---------------------------------------------------------------------------------------
    def reset(self) -> None:
        """The sample state back: drafts, accounts, feed, ideas (on the db lane, after the last keystrokes
        are saved), then the list, the first draft, the accounts, the feed and the ideas shown again."""
        window, session = self.window, self.session
        window.autosaver.flush()  # queued on the db lane before the reset: nothing is saved after it
        services, store = window.services, window.store
        if services is None:
            return

        def work() -> float:
            started = time.perf_counter()
            session.reset(store, services.accounts)
            return time.perf_counter() - started

        self.act_reset.setEnabled(False)
        window.runner.run(work, on_success=self._reset_done, on_failure=self._failed, owner=self, lane="db")

    def _reset_done(self, seconds: float) -> None:
        self.act_reset.setEnabled(True)
        window = self.window
        window.drafts.search.clear()
        window.drafts_controller.first_load()
        if window.accounts_panel is not None:
            window.accounts_panel.refresh()
        ideas = getattr(window, "ideas", None)
        if ideas is not None:
            ideas.load()  # the bundle's ideas again, unread (the reset read their files into the cache)
        self.refresh()
        window.statusBar().showMessage("The demo is back to its sample drafts, accounts, feed and ideas.", 6000)
        log.info("demo reset in %.3f s", seconds)
        self.reset_done.emit(seconds)

    def _failed(self, exc: BaseException) -> None:
        self.act_reset.setEnabled(True)
        log.error("demo: %s", exc)
        self.window.notice.show_message(f"The demo could not do that: {exc}")

    def _keep_title(self, title: str) -> None:
        if not title.endswith(TITLE_SUFFIX):
            self.window.setWindowTitle(title + TITLE_SUFFIX)
