"""The last line of defence: an error nobody caught is logged (redacted), the draft is kept, and
the person sees what happened with a way to copy the details for support. Chorus keeps running.

    install_excepthook(keep_draft=window.autosaver.flush, parent=window)

``sys.excepthook`` receives the errors Qt's event loop hands back from slots and event handlers;
``threading.excepthook`` those of a raw thread (the TaskRunner's lanes report their own). Both go
to the log; only the GUI thread's show the dialog.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from desktop import APP_NAME, __version__
from desktop.core.errors import describe
from desktop.core.logs import redact

log = logging.getLogger("chorus.crash")


class CrashDialog(QDialog):
    """What went wrong, that the draft is safe, and the details (redacted) with Copy details."""

    def __init__(self, summary: str, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME}: something went wrong")
        self.setObjectName("crash-dialog")
        self.setMinimumWidth(520)
        self.count = 1
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setAccessibleName("What went wrong")
        self.details = QPlainTextEdit(details, self)
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Details for support")
        self.details.setMinimumHeight(160)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = self.buttons.addButton("&Copy details", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        self._reset_copy = QTimer(self)  # a child: never fires after the dialog is gone
        self._reset_copy.setSingleShot(True)
        self._reset_copy.setInterval(1500)
        self._reset_copy.timeout.connect(lambda: self.copy_button.setText("&Copy details"))
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.details, 1)
        layout.addWidget(self.buttons)
        self._summary = summary
        self._show_message()

    def _show_message(self) -> None:
        again = f" (it happened {self.count} times)" if self.count > 1 else ""
        self.message.setText(
            f"Chorus ran into an unexpected problem{again}: {self._summary}\n\n"
            "Your draft is saved, and you can keep working. If it happens again, copy the details below and send "
            "them to your IT team; they contain no passwords or tokens.")

    def again(self, details: str) -> None:
        """Another error while the dialog is open: count it, keep the newest details."""
        self.count += 1
        self.details.setPlainText(details)
        self._show_message()

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())
        self.copy_button.setText("Copied")
        self._reset_copy.start()


class _Relay(QObject):
    """Brings an error from any thread to the GUI thread (a queued signal)."""

    raised = Signal(str, str)


class CrashHandler:
    def __init__(self, keep_draft: Callable[[], object], parent: QWidget | None = None) -> None:
        self.keep_draft = keep_draft
        self.parent = parent
        self.dialog: CrashDialog | None = None
        self.relay = _Relay()
        self.relay.raised.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook

    def install(self) -> None:
        sys.excepthook = self.handle
        threading.excepthook = self._thread_hook

    def uninstall(self) -> None:
        sys.excepthook = self._previous_hook
        threading.excepthook = self._previous_thread_hook

    def handle(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_hook(exc_type, exc, tb)
            return
        details = redact(f"{APP_NAME} {__version__}\n" + "".join(traceback.format_exception(exc_type, exc, tb)))
        log.error("unexpected error: %s", details)
        try:
            self.keep_draft()
        except Exception:  # noqa: BLE001 - the draft writer itself failed; the log says so
            log.exception("could not save the draft after an unexpected error")
        self.relay.raised.emit(redact(describe(exc)), details)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        details = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
        thread = args.thread.name if args.thread is not None else "?"
        log.error("unexpected error in thread %s: %s", thread, redact(details))

    def _show(self, summary: str, details: str) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.again(details)
            return
        self.dialog = CrashDialog(summary, details, self.parent)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.finished.connect(self._closed)
        self.dialog.open()

    def _closed(self) -> None:
        self.dialog = None


def install_excepthook(keep_draft: Callable[[], object], parent: QWidget | None = None) -> CrashHandler:
    handler = CrashHandler(keep_draft, parent)
    handler.install()
    return handler
