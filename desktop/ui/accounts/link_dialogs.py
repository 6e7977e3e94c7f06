"""Linking an account: one dialog per link flow (``desktop.core.networks.LinkFlow``), shaped by the
network's registry entry (``Network.link``), each opened non-blocking (``open()``).

Every sign-in step runs on a TaskRunner lane (network, keyring, waiting for the browser); the
dialog shows what it waits for and can always be cancelled. The browser is opened on the GUI
thread: the adapters call ``open_browser(url)`` from their worker, and :class:`BrowserBridge`
hands the URL to the GUI thread (a queued signal) and waits for the answer there.

- :class:`AppPasswordDialog`: handle or e-mail and an *app password* (with a link to the network's
  app password page); the person's own server under "Advanced" where the network allows one.
- :class:`BrowserDialog`: the person's server where the network is federated; "Continue in
  browser" (loopback redirect) with "Waiting for you to approve in the browser…" and Cancel; "Paste
  a code instead" where the network offers a code, for machines where the browser cannot come back
  to Chorus; and, where IT must set the network up first, what to send them.

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

from desktop.core import networks
from desktop.core.accounts.linking import describe_error
from desktop.core.networks import LinkFlow, Network
from desktop.ui.common.badges import network_badge
from desktop.ui.common.browser import BrowserBridge
from desktop.ui.common.tasks import TaskRunner
from desktop.ui.common.theme import status_color

if TYPE_CHECKING:
    from desktop.core.accounts import AccountRecord
    from desktop.core.services import Services

log = logging.getLogger(__name__)

def _muted(label: QLabel) -> QLabel:
    label.setWordWrap(True)
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, label.palette().color(QPalette.ColorRole.PlaceholderText))
    label.setPalette(palette)
    return label


class LinkDialog(QDialog):
    """What the flows' dialogs share: a title with the network's badge, an error line, a busy line,
    and work on the runner whose results are dropped once the dialog is gone."""

    linked = Signal(object)  # AccountRecord, after the account was stored

    def __init__(self, network: Network, services: Services, runner: TaskRunner, browser: BrowserBridge,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        assert network.link is not None, f"{network.id} accounts cannot be linked"
        self.entry = network
        self.spec = network.link
        self.network = network.id
        self.services = services
        self.runner = runner
        self.browser = browser
        self._cancel: threading.Event | None = None
        self._busy = False
        name = network.display_name
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

    def refused(self, server: str | None) -> bool:
        """Say so, and return True, when the organisation does not allow this link (checked again in
        the core before anything is contacted)."""
        refusal = self.services.link_rules().refusal(self.network, server)
        if refusal is not None:
            self.show_error(refusal)
        return refusal is not None

    def new_cancel(self) -> threading.Event:
        self._cancel = threading.Event()
        return self._cancel

    def finish(self, record: AccountRecord) -> None:
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


class AppPasswordDialog(LinkDialog):
    """LinkFlow.APP_PASSWORD: a handle or e-mail and an app password; the person's own server under
    "Advanced" where the network allows one."""

    def __init__(self, network: Network, services: Services, runner: TaskRunner, browser: BrowserBridge,
                 parent: QWidget | None = None, *, identifier: str = "") -> None:
        super().__init__(network, services, runner, browser, parent)
        spec, name = self.spec, network.display_name
        form = QFormLayout()
        self.identifier = QLineEdit(identifier, self)
        self.identifier.setPlaceholderText(spec.identifier_hint)
        self.identifier.setAccessibleName("Handle or e-mail")
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(spec.secret_hint)
        self.password.setAccessibleName("App password")
        form.addRow("&Handle or e-mail:", self.identifier)
        form.addRow("&App password:", self.password)
        where = f"create one in {name} {spec.secret_place}" if spec.secret_place else f"create one in {name}"
        link = f" <a href='{spec.help_url}'>Open {name}'s app passwords</a>" if spec.help_url else ""
        self.help = QLabel(
            f"Use an <b>app password</b>, not your account's password: {where}, name it “Chorus”, and paste it "
            f"here. You can revoke it there at any time.{link}", self)
        self.help.setWordWrap(True)
        self.help.setTextFormat(Qt.TextFormat.RichText)
        self.help.linkActivated.connect(self.browser.open_url)
        self.help.setAccessibleName("About app passwords")
        self.body.addLayout(form)
        self.body.addWidget(self.help)
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
        self.service_url.setPlaceholderText(spec.server_hint)
        self.service_url.setAccessibleName(f"Custom server ({spec.server_label}) address" if spec.server_label
                                           else "Custom server address")
        label = f"&Server ({spec.server_label}):" if spec.server_label else "&Server:"
        advanced_form.addRow(label, self.service_url)
        if spec.server_note:
            advanced_form.addRow("", _muted(QLabel(spec.server_note, self.advanced)))
        self.advanced.hide()
        self.advanced_toggle.toggled.connect(self._toggle_advanced)
        if spec.server == "optional":
            self.body.addWidget(self.advanced_toggle, 0, Qt.AlignmentFlag.AlignLeft)
            self.body.addWidget(self.advanced)
        else:
            self.advanced_toggle.hide()
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
        linking, network = self.services.linking, self.network
        if self.refused(service_url or None):
            return
        self.new_cancel()
        self.run(lambda: linking.link_with_password(network, identifier, password, service_url or None), self.finish,
                 f"Signing in to {self.entry.display_name}…")


class BrowserDialog(LinkDialog):
    """LinkFlow.BROWSER: a form page (the person's server where the network is federated), a waiting
    page, a paste-the-code page where the network offers codes, and what to send IT where the network
    must be set up first."""

    waiting_text = "Waiting for you to approve in the browser…"

    def __init__(self, network: Network, services: Services, runner: TaskRunner, browser: BrowserBridge,
                 parent: QWidget | None = None, *, server: str = "") -> None:
        super().__init__(network, services, runner, browser, parent)
        spec = self.spec
        self._pending: Any = None
        self._ready: bool | None = None if spec.needs_setup else True
        self.pages = QStackedWidget(self)
        self.body.addWidget(self.pages)
        self.continue_button = self.buttons.addButton("Continue in &browser", QDialogButtonBox.ButtonRole.AcceptRole)
        self.continue_button.setDefault(True)
        self.continue_button.clicked.connect(self.start)
        self.last_url = ""
        self.browser.opened.connect(self._remember_url)
        self.again.linkActivated.connect(self._open_again)
        # page 0: the server, and what happens next
        form_page = QWidget(self)
        form = QFormLayout(form_page)
        form.setContentsMargins(0, 0, 0, 0)
        self.server = QLineEdit(server, form_page)
        self.server.setPlaceholderText(spec.server_hint)
        self.server.setAccessibleName(f"Your {network.display_name} server")
        if spec.server == "required":
            form.addRow("Your &server:", self.server)
        else:
            self.server.hide()
        self.explain = QLabel(spec.browser_note, form_page)
        self.explain.setWordWrap(True)
        form.addRow(_muted(self.explain) if spec.server == "required" else self.explain)
        self.not_configured = QLabel(form_page)
        self.not_configured.setTextFormat(Qt.TextFormat.PlainText)
        self.not_configured.setWordWrap(True)
        self.not_configured.setAccessibleName(f"{network.display_name} is not set up")
        self.not_configured.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.not_configured.hide()
        form.addRow(self.not_configured)
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
        self.server.textChanged.connect(self._update)
        self.code.textChanged.connect(self._update)
        self._update()
        if spec.needs_setup:
            linking, network_id = services.linking, self.network
            self.run(lambda: linking.problem(network_id), self._checked,
                     f"Checking how {network.display_name} is set up…", lane="keyring")

    def _checked(self, problem: str | None) -> None:
        self._ready = problem is None
        if problem is not None:
            name = self.entry.display_name
            self.explain.setText(f"<b>{name} is not set up for Chorus on this computer yet.</b> Your IT team sets "
                                 f"up your organisation's {name} app once, for everyone. Please send them this:")
            self.explain.setTextFormat(Qt.TextFormat.RichText)
            self.not_configured.setText(problem)
            self.not_configured.show()
        self.busy_changed(False)

    def _remember_url(self, url: str) -> None:
        if self.is_busy and self.busy_label.text() == self.waiting_text:
            self.last_url = url
            self.again.show()

    def _open_again(self, _link: str) -> None:
        if self.last_url:
            self.browser.open_url(self.last_url)

    def _server_text(self) -> str | None:
        return self.server.text().strip() if self.spec.server == "required" else None

    def _update(self) -> None:
        on_code_page = self.pages.currentIndex() == 1
        can_start = bool(self._ready) and not self.is_busy and (
            self.spec.server != "required" or bool(self.server.text().strip()))
        self.continue_button.setVisible(not on_code_page)
        self.code_mode_button.setVisible(self.spec.pasted_code and not on_code_page)
        self.code_button.setVisible(on_code_page)
        self.continue_button.setEnabled(can_start)
        self.code_mode_button.setEnabled(can_start)
        self.code_button.setEnabled(bool(self.code.text().strip()) and not self.is_busy)
        self.code_button.setDefault(on_code_page)
        self.continue_button.setDefault(not on_code_page)

    def busy_changed(self, busy: bool) -> None:
        if not busy:
            self.again.hide()
        self.server.setEnabled(not busy)
        self.code.setEnabled(not busy)
        self._update()

    def start(self) -> None:
        """Continue in the browser: the adapter prepares (an app on the server), opens the page and
        waits for the redirect."""
        if not self.continue_button.isEnabled():
            return
        server, linking, browser, network = self._server_text(), self.services.linking, self.browser, self.network
        if self.refused(server):
            return
        cancel = self.new_cancel()
        self.run(lambda: linking.link_with_browser(network, server, browser.open_from_worker, cancel=cancel),
                 self.finish, self.waiting_text)

    def start_code(self) -> None:
        """Paste a code instead: the server shows the code after approval (urn:ietf:wg:oauth:2.0:oob)."""
        if not self.code_mode_button.isEnabled():
            return
        server, linking, network = self._server_text(), self.services.linking, self.network
        if self.refused(server):
            return
        self.new_cancel()

        def started(pending: Any) -> None:
            self._pending = pending
            self.pages.setCurrentIndex(1)
            self._update()
            self.code.setFocus()
            if not self.browser.open_url(pending.url):
                self.show_error("Chorus could not open your browser. Copy this address into it:\n" + pending.url)

        self.run(lambda: linking.begin_code(network, server), started, "Contacting your server…")

    def _reopen(self, _link: str) -> None:
        if self._pending is not None:
            self.browser.open_url(self._pending.url)

    def complete_code(self) -> None:
        if self._pending is None or not self.code_button.isEnabled():
            return
        pending, code, linking, network = self._pending, self.code.text().strip(), self.services.linking, self.network
        self.run(lambda: linking.complete_code(network, pending, code), self.finish, "Linking your account…")


def link_dialog(network_id: str, services: Services, runner: TaskRunner, browser: BrowserBridge,
                parent: QWidget | None = None, relink: AccountRecord | None = None) -> LinkDialog:
    """The dialog of the network's link flow; for *relink*, filled in with what the account had."""
    network = networks.get(network_id)
    assert network.link is not None, f"{network_id} accounts cannot be linked"
    if network.link.flow is LinkFlow.APP_PASSWORD:
        identifier = relink.account.handle.removeprefix("@") if relink is not None else ""
        return AppPasswordDialog(network, services, runner, browser, parent, identifier=identifier)
    server = ""
    if relink is not None and network.link.server == "required":
        handle = relink.account.handle
        server = handle if handle.count("@") == 2 else relink.account.server  # @user@host names the server
    return BrowserDialog(network, services, runner, browser, parent, server=server)
