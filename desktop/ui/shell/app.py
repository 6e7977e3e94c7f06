"""QApplication set-up and the event loop. Everything Qt-specific about starting lives here."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop import APP_ID, APP_NAME, __version__
from desktop.core.drafts import DraftStore
from desktop.core.settings import Settings
from desktop.ui.common.assets import asset_path
from desktop.ui.common.tasks import TaskRunner
from desktop.ui.common.theme import apply_theme
from desktop.ui.shell.main_window import MainWindow

if TYPE_CHECKING:
    from desktop.core.demo import DemoSession
    from desktop.core.services import Services
    from desktop.ui.shell.crash import CrashHandler
    from desktop.ui.shell.single_instance import ProfileGuard

qt_log = logging.getLogger("qt")

POLICY_LOAD_DELAY_MS = 50  # after the first window is on screen

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message(msg_type: QtMsgType, context, message: str) -> None:
    qt_log.log(_QT_LEVELS.get(msg_type, logging.WARNING), "%s", message)


def make_application(argv: Sequence[str]) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        qInstallMessageHandler(_qt_message)
        app = QApplication([sys.argv[0], *argv])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(QIcon(str(asset_path("icons", "chorus.svg"))))
    return app


def show_fatal(message: str) -> None:
    """A start-up error the user must see (the app cannot continue)."""
    make_application([])
    QMessageBox.critical(None, APP_NAME, message)


def create_window(
    settings: Settings, store: DraftStore, networks: Sequence[str] | None, notices: Sequence[str], qt_argv: Sequence[str] = (),
    policy_cache: Path | None = None, services: Services | None = None, **window_options,
) -> tuple[QApplication, MainWindow, TaskRunner]:
    """The application and its main window; the policy starts loading on the policy lane as soon as
    the event loop runs.

    *policy_cache* is where the last good policy is kept (``AppPaths.last_good_policy``); *services*
    brings accounts and publishing (``desktop.bootstrap.build_services``); *window_options* go to
    the MainWindow (``open_url``, ``outbox_first_try_ms``).
    """
    app = make_application(qt_argv)
    apply_theme(app, settings.get("appearance.theme"))
    runner = TaskRunner(app)
    window = MainWindow(settings, store, runner, networks=networks, notices=notices, policy_cache=policy_cache,
                        services=services, **window_options)
    # The policy engine (its import, the policy's compilation and self-test) starts once the event
    # loop runs, so the first window is built and shown without competing with it for the GIL.
    QTimer.singleShot(POLICY_LOAD_DELAY_MS, window.load_policy)
    app.aboutToQuit.connect(runner.shutdown)
    return app, window, runner


def run(settings: Settings, store: DraftStore, networks: Sequence[str] | None, notices: Sequence[str],
        qt_argv: Sequence[str] = (), policy_cache: Path | None = None, services: Services | None = None,
        guard: ProfileGuard | None = None, demo: DemoSession | None = None) -> int:
    """Show the window and run until quit. *guard* owns the profile (desktop.ui.shell.single_instance): once
    the window is up, a second start on the same profile brings this window forward. *demo*: demo mode
    (desktop.ui.demo)."""
    app, window, runner = create_window(settings, store, networks, notices, qt_argv, policy_cache, services,
                                        **({"demo": demo} if demo is not None else {}))
    window.show()
    crashes: list[CrashHandler] = []

    def after_first_paint() -> None:
        # nothing here is on the way to the first window: uncaught errors can only reach the hook
        # from the event loop, which starts now
        from desktop.ui.shell.crash import install_excepthook

        crashes.append(install_excepthook(window.autosaver.flush, window))  # logged, draft kept, told
        window.offer_tour()  # the guided tour, on the first start only
        if guard is not None:
            from desktop.ui.shell.single_instance import bring_forward

            guard.listen(lambda: bring_forward(window))

    QTimer.singleShot(0, after_first_paint)
    try:
        code = app.exec()
    finally:
        for handler in crashes:
            handler.uninstall()
    runner.shutdown()  # waits for the last draft writes
    return code
