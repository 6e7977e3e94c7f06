"""Linking an account: one dialog per network, each opened non-blocking (``open()``).

Every sign-in step runs on a TaskRunner lane (network, keyring, waiting for the browser); the
dialog shows what it waits for and can always be cancelled. The browser is opened on the GUI
thread: the adapters call ``open_browser(url)`` from their worker, and :class:`BrowserBridge`
hands the URL to the GUI thread (a queued signal) and waits for the answer there.

- :class:`BlueskyDialog`: handle or e-mail and an *app password* (with a link to Bluesky's app
  password page); a custom PDS URL under "Advanced".
- :class:`MastodonDialog`: the user's server; "Continue in browser" (loopback redirect) with
  "Waiting for you to approve in the browser…" and Cancel; "Paste a code instead" (the
  out-of-band code) for machines where the browser cannot come back to Chorus.
- :class:`LinkedInDialog`: explains first when IT has not set LinkedIn up, else the browser flow.

Errors are shown in the dialog in the reason's own words (a locked keyring with what to do;
the server's refusal); nothing is linked then.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.accounts.linking import describe_error
from desktop.core.networks import DISPLAY_NAMES as NETWORK_NAMES
from desktop.ui.badges import network_badge
from desktop.ui.browser import BrowserBridge
from desktop.ui.tasks import TaskRunner
from desktop.ui.theme import status_color

if TYPE_CHECKING:
    from desktop.core.accounts import AccountRecord
    from desktop.core.services import Services

log = logging.getLogger(__name__)

BLUESKY_APP_PASSWORDS_URL = "https://bsky.app/settings/app-passwords"


def _muted(label: QLabel) -> QLabel:
    label.setWordWrap(True)
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, label.palette().color(QPalette.ColorRole.PlaceholderText))
    label.setPalette(palette)
    return label


class LinkDialog(QDialog):
    """What the three dialogs share: a title with the network's badge, an error line, a busy line,
    and work on the runner whose results are dropped once the dialog is gone."""

    linked = Signal(object)  # AccountRecord, after the account was stored
    network = ""

    def __init__(self, services: "Services", runner: TaskRunner, browser: BrowserBridge,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.browser = browser
        self._cancel: threading.Event | None = None
        self._busy = False
        name = NETWORK_NAMES.get(self.network, self.network)
        self.setWindowTitle(f"Link a {name} account")
        self.setObjectName(f"link-{self.network}")
        self.setMinimumWidth(460)
        title_row = QHBoxLayout()
        self.badge = QLabel(self)
        self.badge.setPixmap(network_badge(self.network, 32, self.palette()))
        self.title = QLabel(f"<b>Link your {name} account</b>", self)
        title_row.addWidget(self.badge)
        title_row.addWidget(self.title, 1)
        self.error = QLabel(self)
        self.error.setTextFormat(Qt.TextFormat.PlainText)  # servers' words, never markup
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Problem")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.busy_label = QLabel(self)
        self.busy_label.setTextFormat(Qt.TextFormat.PlainText)
        self.busy_label.setWordWrap(True)
        self.busy_label.setAccessibleName("Progress")
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setMaximumHeight(6)
        self.busy_bar.setAccessibleName("Working")
        self.busy = QWidget(self)
        busy_layout = QVBoxLayout(self.busy)
        busy_layout.setContentsMargins(0, 4, 0, 4)
        busy_layout.addWidget(self.busy_label)
        busy_layout.addWidget(self.busy_bar)
        self.again = QLabel("Don't see it? <a href='#again'>Open the page again</a>", self.busy)
        self.again.setAccessibleName("Open the sign-in page again")
        self.again.hide()
        busy_layout.addWidget(self.again)
        self.busy.hide()
        self.body = QVBoxLayout()
        self.buttons = QDialogButtonBox(self)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.clicked.connect(self._cancel_clicked)
        layout = QVBoxLayout(self)
        layout.addLayout(title_row)
        layout.addLayout(self.body)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    # -- state -------------------------------------------------------------------------------------
    @property
    def is_busy(self) -> bool:
        return self._busy

    def show_error(self, text: str) -> None:
        palette = self.error.palette()
        palette.setColor(QPalette.ColorRole.WindowText, status_color(self.palette(), "block"))
        self.error.setPalette(palette)
        self.error.setText(text)
        self.error.setAccessibleDescription(text)
        self.error.setVisible(bool(text))

    def set_busy(self, text: str | None) -> None:
        self._busy = text is not None
        self.busy.setVisible(self._busy)
        self.busy_label.setText(text or "")
        if self._busy:
            self.show_error("")
        self.busy_changed(self._busy)

    def busy_changed(self, busy: bool) -> None:
        """Subclasses enable and disable their fields."""

    def run(self, work: Callable[[], Any], done: Callable[[Any], None], busy_text: str, lane: str = "io") -> None:
        """Run a sign-in step off the GUI thread; *done* with its result, or the error shown here."""
        self.set_busy(busy_text)
        cancel = self._cancel

        def succeeded(result: Any) -> None:
            self.set_busy(None)
            done(result)

        def failed(exc: BaseException) -> None:
            self.set_busy(None)
            if cancel is not None and cancel.is_set():
                self.show_error("")  # the person cancelled: nothing to report
                return
            log.info("linking %s failed: %s", self.network, type(exc).__name__)
            self.show_error(describe_error(exc))

        self.runner.run(work, on_success=succeeded, on_failure=failed, owner=self, lane=lane)

    def new_cancel(self) -> threading.Event:
        self._cancel = threading.Event()
        return self._cancel

    def finish(self, record: "AccountRecord") -> None:
        self.linked.emit(record)
        self.accept()

    # -- cancelling --------------------------------------------------------------------------------
    def _cancel_clicked(self) -> None:
        if self._busy and self._cancel is not None and not self._cancel.is_set():
            self._cancel.set()  # stop waiting for the browser; the form comes back
            self.busy_label.setText("Cancelling…")
            return
        self.reject()

    def done(self, result: int) -> None:  # noqa: A003 - QDialog.done; closing always stops a wait
        if self._cancel is not None:
            self._cancel.set()
        super().done(result)


class BlueskyDialog(LinkDialog):
    network = "bluesky"

    def __init__(self, services: "Services", runner: TaskRunner, browser: BrowserBridge,
                 parent: QWidget | None = None, *, identifier: str = "") -> None:
        super().__init__(services, runner, browser, parent)
        form = QFormLayout()
        self.identifier = QLineEdit(identifier, self)
        self.identifier.setPlaceholderText("alice.bsky.social or you@example.com")
        self.identifier.setAccessibleName("Handle or e-mail")
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("xxxx-xxxx-xxxx-xxxx")
        self.password.setAccessibleName("App password")
        form.addRow("&Handle or e-mail:", self.identifier)
        form.addRow("&App password:", self.password)
        self.help = QLabel(
            "Use an <b>app password</b>, not your account's password: create one in Bluesky under "
            "Settings → Privacy and security → App passwords, name it “Chorus”, and paste it here. "
            f"You can revoke it there at any time. <a href='{BLUESKY_APP_PASSWORDS_URL}'>Open Bluesky's app "
            "passwords</a>", self)
        self.help.setWordWrap(True)
        self.help.setTextFormat(Qt.TextFormat.RichText)
        self.help.linkActivated.connect(self.browser.open_url)
        self.help.setAccessibleName("About app passwords")
        self.advanced_toggle = QToolButton(self)
        self.advanced_toggle.setText("Advanced")
        self.advanced_toggle.setCheckable(True)
        self.advanced_toggle.setAutoRaise(True)
        self.advanced_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced = QWidget(self)
        advanced_form = QFormLayout(self.advanced)
        advanced_form.setContentsMargins(18, 0, 0, 0)
        self.service_url = QLineEdit(self.advanced)
        self.service_url.setPlaceholderText("https://pds.example.com")
        self.service_url.setAccessibleName("Custom server (PDS) address")
        advanced_form.addRow("&Server (PDS):", self.service_url)
        advanced_form.addRow("", _muted(QLabel("Only for accounts on a self-hosted server. Leave it empty for "
                                               "bsky.social and most accounts.", self.advanced)))
        self.advanced.hide()
        self.advanced_toggle.toggled.connect(self._toggle_advanced)
        self.body.addLayout(form)
        self.body.addWidget(self.help)
        self.body.addWidget(self.advanced_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        self.body.addWidget(self.advanced)
        self.link_button = self.buttons.addButton("&Link account", QDialogButtonBox.ButtonRole.AcceptRole)
        self.link_button.setDefault(True)
        self.link_button.clicked.connect(self.link)
        for field in (self.identifier, self.password):
            field.textChanged.connect(self._update)
        self._update()

    def _toggle_advanced(self, shown: bool) -> None:
        self.advanced.setVisible(shown)
        self.advanced_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.adjustSize()

    def _update(self) -> None:
        ready = bool(self.identifier.text().strip() and self.password.text().strip()) and not self.is_busy
        self.link_button.setEnabled(ready)

    def busy_changed(self, busy: bool) -> None:
        for widget in (self.identifier, self.password, self.service_url, self.advanced_toggle):
            widget.setEnabled(not busy)
        self._update()

    def link(self) -> None:
        if not self.link_button.isEnabled():
            return
        identifier, password = self.identifier.text().strip(), self.password.text().strip()
        service_url = self.service_url.text().strip() if self.advanced.isVisible() or self.service_url.text() else ""
        linking = self.services.linking
        self.new_cancel()
        self.run(lambda: linking.link_bluesky(identifier, password, service_url or None), self.finish,
                 "Signing in to Bluesky…")


class _BrowserFlowDialog(LinkDialog):
    """The browser sign-in shared by Mastodon and LinkedIn: a form page, a waiting page, and for
    Mastodon a paste-the-code page."""

    waiting_text = "Waiting for you to approve in the browser…"

    def __init__(self, services: "Services", runner: TaskRunner, browser: BrowserBridge,
                 parent: QWidget | None = None) -> None:
        super().__init__(services, runner, browser, parent)
        self.pages = QStackedWidget(self)
        self.body.addWidget(self.pages)
        self.continue_button = self.buttons.addButton("Continue in &browser", QDialogButtonBox.ButtonRole.AcceptRole)
        self.continue_button.setDefault(True)
        self.continue_button.clicked.connect(self.start)
        self.last_url = ""
        self.browser.opened.connect(self._remember_url)
        self.again.linkActivated.connect(self._open_again)

    def _remember_url(self, url: str) -> None:
        if self.is_busy and self.busy_label.text() == self.waiting_text:
            self.last_url = url
            self.again.show()

    def _open_again(self, _link: str) -> None:
        if self.last_url:
            self.browser.open_url(self.last_url)

    def busy_changed(self, busy: bool) -> None:
        if not busy:
            self.again.hide()

    def start(self) -> None:  # pragma: no cover - each network's own
        raise NotImplementedError

    def waiting_done(self, record: "AccountRecord") -> None:
        self.finish(record)


class MastodonDialog(_BrowserFlowDialog):
    network = "mastodon"

    def __init__(self, services: "Services", runner: TaskRunner, browser: BrowserBridge,
                 parent: QWidget | None = None, *, instance: str = "") -> None:
        super().__init__(services, runner, browser, parent)
        self._pending: Any = None
        # page 0: the server
        form_page = QWidget(self)
        form = QFormLayout(form_page)
        form.setContentsMargins(0, 0, 0, 0)
        self.instance = QLineEdit(instance, form_page)
        self.instance.setPlaceholderText("mastodon.social or you@mastodon.social")
        self.instance.setAccessibleName("Your Mastodon server")
        form.addRow("Your &server:", self.instance)
        explain = QLabel("Chorus opens your browser on your server's sign-in page. Approve Chorus there; your "
                         "password never passes through Chorus.", form_page)
        explain.setWordWrap(True)
        form.addRow(_muted(explain))
        self.pages.addWidget(form_page)
        # page 1: the code
        code_page = QWidget(self)
        code_form = QFormLayout(code_page)
        code_form.setContentsMargins(0, 0, 0, 0)
        code_help = QLabel("Approve Chorus in the browser window that just opened. Your server then shows a code: "
                           "copy it and paste it here.", code_page)
        code_help.setWordWrap(True)
        code_form.addRow(code_help)
        self.code = QLineEdit(code_page)
        self.code.setAccessibleName("Authorization code")
        self.code.setPlaceholderText("Paste the code")
        code_form.addRow("&Code:", self.code)
        self.reopen = QLabel("<a href='#reopen'>Open the page again</a>", code_page)
        self.reopen.linkActivated.connect(self._reopen)
        code_form.addRow("", self.reopen)
        self.pages.addWidget(code_page)

        self.code_mode_button = QPushButton("&Paste a code instead", self)
        self.code_mode_button.setFlat(True)
        self.code_mode_button.setToolTip("For computers where the browser cannot come back to Chorus: your server "
                                         "shows a code to copy instead")
        self.buttons.addButton(self.code_mode_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.code_mode_button.clicked.connect(self.start_code)
        self.code_button = self.buttons.addButton("&Link account", QDialogButtonBox.ButtonRole.AcceptRole)
        self.code_button.clicked.connect(self.complete_code)
        self.code_button.hide()
        self.instance.textChanged.connect(self._update)
        self.code.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        on_code_page = self.pages.currentIndex() == 1
        has_server = bool(self.instance.text().strip())
        self.continue_button.setVisible(not on_code_page)
        self.code_mode_button.setVisible(not on_code_page)
        self.code_button.setVisible(on_code_page)
        self.continue_button.setEnabled(has_server and not self.is_busy)
        self.code_mode_button.setEnabled(has_server and not self.is_busy)
        self.code_button.setEnabled(bool(self.code.text().strip()) and not self.is_busy)
        self.code_button.setDefault(on_code_page)
        self.continue_button.setDefault(not on_code_page)

    def busy_changed(self, busy: bool) -> None:
        super().busy_changed(busy)
        self.instance.setEnabled(not busy)
        self.code.setEnabled(not busy)
        self._update()

    def start(self) -> None:
        """Continue in the browser: register if needed, open the page, wait for the redirect."""
        if not self.continue_button.isEnabled():
            return
        instance, linking, browser = self.instance.text().strip(), self.services.linking, self.browser
        cancel = self.new_cancel()
        self.run(lambda: linking.link_mastodon(instance, browser.open_from_worker, cancel=cancel),
                 self.finish, self.waiting_text)

    def start_code(self) -> None:
        """Paste a code instead: the server shows the code after approval (urn:ietf:wg:oauth:2.0:oob)."""
        if not self.code_mode_button.isEnabled():
            return
        instance, linking = self.instance.text().strip(), self.services.linking
        self.new_cancel()

        def started(pending: Any) -> None:
            self._pending = pending
            self.pages.setCurrentIndex(1)
            self._update()
            self.code.setFocus()
            if not self.browser.open_url(pending.url):
                self.show_error("Chorus could not open your browser. Copy this address into it:\n" + pending.url)

        self.run(lambda: linking.begin_mastodon_code(instance), started, "Contacting your server…")

    def _reopen(self, _link: str) -> None:
        if self._pending is not None:
            self.browser.open_url(self._pending.url)

    def complete_code(self) -> None:
        if self._pending is None or not self.code_button.isEnabled():
            return
        pending, code, linking = self._pending, self.code.text().strip(), self.services.linking
        self.run(lambda: linking.complete_mastodon_code(pending, code), self.finish, "Linking your account…")


class LinkedInDialog(_BrowserFlowDialog):
    network = "linkedin"

    def __init__(self, services: "Services", runner: TaskRunner, browser: BrowserBridge,
                 parent: QWidget | None = None) -> None:
        super().__init__(services, runner, browser, parent)
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.explain = QLabel("Chorus opens LinkedIn in your browser. Sign in there and allow Chorus to post for "
                              "you. LinkedIn's permission lasts 60 days; Chorus reminds you to link the account "
                              "again before it ends.", page)
        self.explain.setWordWrap(True)
        layout.addWidget(self.explain)
        self.not_configured = QLabel(page)
        self.not_configured.setTextFormat(Qt.TextFormat.PlainText)
        self.not_configured.setWordWrap(True)
        self.not_configured.setAccessibleName("LinkedIn is not set up")
        self.not_configured.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.not_configured.hide()
        layout.addWidget(self.not_configured)
        self.pages.addWidget(page)
        self._ready: bool | None = None
        self.continue_button.setEnabled(False)
        linking = services.linking
        self.run(linking.linkedin_problem, self._checked, "Checking how LinkedIn is set up…", lane="keyring")

    def _checked(self, problem: str | None) -> None:
        self._ready = problem is None
        if problem is not None:
            self.explain.setText("<b>LinkedIn is not set up for Chorus on this computer yet.</b> Your IT team sets "
                                 "up your organisation's LinkedIn app once, for everyone. Please send them this:")
            self.explain.setTextFormat(Qt.TextFormat.RichText)
            self.not_configured.setText(problem)
            self.not_configured.show()
        self.busy_changed(False)

    def busy_changed(self, busy: bool) -> None:
        super().busy_changed(busy)
        self.continue_button.setEnabled(bool(self._ready) and not busy)

    def start(self) -> None:
        if not self.continue_button.isEnabled():
            return
        linking, browser = self.services.linking, self.browser
        cancel = self.new_cancel()
        self.run(lambda: linking.link_linkedin(browser.open_from_worker, cancel=cancel), self.finish,
                 self.waiting_text)


DIALOGS: dict[str, type[LinkDialog]] = {"bluesky": BlueskyDialog, "mastodon": MastodonDialog,
                                       "linkedin": LinkedInDialog}
