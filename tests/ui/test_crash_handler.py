"""An error nobody caught: logged without secrets, the draft kept, the person told, details copyable."""

from __future__ import annotations

import logging
import sys
import threading

from PySide6.QtGui import QGuiApplication

from desktop.core.errors import ChorusError
from desktop.core.logs import RedactingFormatter, register_secret
from desktop.ui.shell.crash import CrashDialog, CrashHandler

SECRET = "sk-live-4f9a8b7c6d5e4f3a2b1c"


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(RedactingFormatter("%(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def raised(exc: BaseException):
    try:
        raise exc
    except BaseException as caught:  # noqa: BLE001
        return type(caught), caught, caught.__traceback__


def test_an_uncaught_error_keeps_the_draft_logs_redacted_and_shows_copyable_details(make_window, qtbot):
    window = make_window()
    register_secret(SECRET)
    window.composer.editor.setPlainText("A draft that must survive")
    recorder = Recorder()
    logging.getLogger("chorus.crash").addHandler(recorder)
    kept: list[str] = []

    def keep_draft() -> None:
        kept.append(window.composer.text())
        window.autosaver.flush()

    handler = CrashHandler(keep_draft, window)
    try:
        handler.handle(*raised(RuntimeError(f"token {SECRET} rejected")))
        assert kept == ["A draft that must survive"]  # at once, not at the next autosave
        qtbot.waitUntil(lambda: handler.dialog is not None and handler.dialog.isVisible(), timeout=5000)
        qtbot.waitUntil(lambda: window.store.get(window.composer.draft.id).body == "A draft that must survive",
                        timeout=5000)
        dialog = handler.dialog
        assert isinstance(dialog, CrashDialog)
        assert "Your draft is saved" in dialog.message.text() and SECRET not in dialog.message.text()
        details = dialog.details.toPlainText()
        assert "RuntimeError" in details and "test_crash_handler.py" in details and SECRET not in details
        dialog.copy_button.click()
        assert QGuiApplication.clipboard().text() == details
        assert any("RuntimeError" in line for line in recorder.lines)
        assert all(SECRET not in line for line in recorder.lines)
        # a second error while the dialog is open is counted in it, not a second dialog
        handler.handle(*raised(ChorusError("Second problem.", "Try again.")))
        qtbot.waitUntil(lambda: dialog.count == 2, timeout=5000)
        assert "2 times" in dialog.message.text() and "Second problem" in dialog.details.toPlainText()
        dialog.reject()
    finally:
        logging.getLogger("chorus.crash").removeHandler(recorder)


def test_install_sets_and_restores_both_hooks(make_window):
    window = make_window()
    before, before_thread = sys.excepthook, threading.excepthook
    handler = CrashHandler(window.autosaver.flush, window)
    handler.install()
    try:
        assert sys.excepthook == handler.handle and threading.excepthook == handler._thread_hook
    finally:
        handler.uninstall()
    assert sys.excepthook is before and threading.excepthook is before_thread
