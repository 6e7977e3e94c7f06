"""The Accounts panel: the linked accounts, their health, linking and unlinking.

One row per account: avatar (downloaded off the GUI thread and cached; the account's initial
until then) with the network's badge, name, handle and network, and its health: *Linked*,
*expires soon* (with **Re-link**), or *needs re-linking* (with **Re-link**, and the server's
reason). **Unlink** asks first, then deletes the credential from the keyring and the account
from Chorus; when the keyring refuses (locked), the panel says so and offers to remove the
account from Chorus anyway. **Link account…** opens the network's dialog
(:mod:`desktop.ui.accounts.link_dialogs`); it offers only the networks the organisation allows
(``Services.link_rules``), and is off, saying so, when the organisation has turned linking off.

Reading the list is database work (``db`` lane); unlinking is keyring work (``keyring`` lane);
avatars come over the network (``io`` lane). The list is read again after every change and
every half hour (so "expires in 3 days" stays true).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.networks import DISPLAY_NAMES as NETWORK_NAMES
from desktop.ui.common.badges import avatar_pixmap, network_badge
from desktop.ui.common.browser import BrowserBridge
from desktop.ui.common.notice import NoticeBar
from desktop.ui.common.tasks import TaskRunner
from desktop.ui.common.theme import status_color

if TYPE_CHECKING:
    from desktop.core.accounts import AccountHealth, AccountRecord
    from desktop.core.services import Services
    from desktop.ui.accounts.link_dialogs import LinkDialog

log = logging.getLogger(__name__)

AVATAR_SIZE = 40
HEALTH_REFRESH_MS = 30 * 60 * 1000
HEALTH_WORDS = {"valid": "ok", "expiring": "warn", "needs_relink": "block"}


class ElidedLabel(QLabel):
    """One line of plain text, shortened with "…" to the width it gets (the whole text in its tooltip)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setAccessibleName(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(self.width(), 40))
        self.setText(shown)
        self.setToolTip(self._full if shown != self._full else "")

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()


def _colour_label(label: QLabel, colour) -> None:
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, colour)
    label.setPalette(palette)


class AccountRow(QFrame):
    """One linked account. Emits the panel's requests; owns no work."""

    relink_requested = Signal(object)  # AccountRecord
    unlink_requested = Signal(object)  # AccountRecord

    def __init__(self, record: AccountRecord, health: AccountHealth, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record = record
        self.health = health
        self.image: QImage | None = None
        account = record.account
        self.setObjectName(f"account-{account.id}")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.avatar = QLabel(self)
        self.avatar.setFixedSize(AVATAR_SIZE, AVATAR_SIZE)
        self.avatar.setAccessibleName(f"{NETWORK_NAMES.get(account.network, account.network)} account")
        self.name = ElidedLabel(self)
        font = self.name.font()
        font.setBold(True)
        self.name.setFont(font)
        self.handle = ElidedLabel(self)
        self.state = QLabel(self)
        self.state.setWordWrap(True)
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        self.state.setAccessibleName("Health")
        self.relink_button = QPushButton("Re-link", self)
        self.relink_button.setAccessibleName(f"Re-link {account.handle}")
        self.relink_button.clicked.connect(lambda: self.relink_requested.emit(self.record))
        self.unlink_button = QToolButton(self)
        self.unlink_button.setText("Unlink")
        self.unlink_button.setAutoRaise(True)
        self.unlink_button.setAccessibleName(f"Unlink {account.handle}")
        self.unlink_button.setToolTip(f"Remove {account.handle} from Chorus and its credential from your keyring")
        self.unlink_button.clicked.connect(lambda: self.unlink_requested.emit(self.record))
        texts = QVBoxLayout()
        texts.setSpacing(1)
        texts.addWidget(self.name)
        texts.addWidget(self.handle)
        texts.addWidget(self.state)
        buttons = QVBoxLayout()
        buttons.setSpacing(2)
        buttons.addWidget(self.unlink_button, 0, Qt.AlignmentFlag.AlignRight)
        buttons.addWidget(self.relink_button, 0, Qt.AlignmentFlag.AlignRight)
        buttons.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 4, 6)
        layout.setSpacing(10)
        layout.addWidget(self.avatar, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(texts, 1)
        layout.addLayout(buttons)
        self.show_record(record, health)

    @property
    def account_id(self) -> str:
        return self.record.account.id

    def show_record(self, record: AccountRecord, health: AccountHealth) -> None:
        self.record, self.health = record, health
        account = record.account
        network = NETWORK_NAMES.get(account.network, account.network)
        name = account.display_name or account.handle
        self.name.set_full_text(name)
        self.handle.set_full_text(account.handle if name != account.handle else network)
        state = health.state.value
        words = {"valid": "✓ Linked", "expiring": f"⚠ {health.message}", "needs_relink": f"✕ {health.message}"}
        self.state.setText(words.get(state, health.message))
        self.relink_button.setVisible(state != "valid")
        self.relink_button.setToolTip("Sign in again to keep publishing to this account")
        description = f"{name}, {account.handle} on {network}. {health.message}"
        self.setAccessibleName(account.handle)
        self.setAccessibleDescription(description)
        self.setToolTip(f"{account.handle} on {network} ({account.server})")
        self.repaint_colours()

    def set_image(self, image: QImage | None) -> None:
        self.image = image
        self.repaint_colours()

    def repaint_colours(self) -> None:
        palette = self.palette()
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        _colour_label(self.handle, muted)
        _colour_label(self.state, status_color(palette, HEALTH_WORDS.get(self.health.state.value, "info")))
        account = self.record.account
        self.avatar.setPixmap(avatar_pixmap(account.network, account.display_name or account.handle, AVATAR_SIZE,
                                            palette, self.image))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (event.Type.PaletteChange, event.Type.ApplicationPaletteChange) and hasattr(self, "state"):
            self.repaint_colours()


class AccountsPanel(QWidget):
    """See the module docstring. Emits :attr:`accounts_changed` after each reading of the list."""

    accounts_changed = Signal(list)  # list[AccountRecord]
    linked = Signal(object)  # AccountRecord
    unlinked = Signal(str)  # account id
    message = Signal(str)  # a short status-bar message
    dialog_opened = Signal(object)  # LinkDialog, just opened (tests, screenshots)
    profiles_refreshed = Signal(int)  # how many accounts changed (refresh_profiles finished)

    def __init__(self, services: Services, runner: TaskRunner, browser: BrowserBridge,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.browser = browser
        self.records: list[AccountRecord] = []
        self.refreshing = 0  # refresh_profiles under way
        self.rows: dict[str, AccountRow] = {}
        self._images: dict[str, QImage | None] = {}  # avatar URL -> image (None: none to be had)
        self._fetching: set[str] = set()
        self._request = 0
        self.loaded = False
        self.dialog: LinkDialog | None = None

        self.link_button = QPushButton("&Link account…", self)
        self.link_button.setAccessibleName("Link account")
        self.link_menu = QMenu(self)
        self.link_button.setMenu(self.link_menu)
        self.notice = NoticeBar(self)
        self.notice.setAccessibleName("Accounts notice")
        self.notice.label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty = QLabel(self)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.empty.setAccessibleName("No accounts")
        self.list = QWidget(self)
        self.list_layout = QVBoxLayout(self.list)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.list_layout.setSpacing(0)
        self.list_layout.addStretch(1)
        # the rows, or the explanation when there are none, scroll: in a low window the explanation
        # (why linking is off, what to do) is never cut off mid-sentence
        content = QWidget(self)
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addWidget(self.empty)
        content_layout.addWidget(self.list, 1)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = QHBoxLayout()
        header.addWidget(self.link_button)
        header.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(header)
        layout.addWidget(self.notice)
        layout.addWidget(self.scroll_area, 1)
        self.empty.hide()
        self.link_refusal: str | None = None  # why nothing may be linked now (the organisation's settings)
        self.apply_link_rules()
        self.link_menu.aboutToShow.connect(self.apply_link_rules)
        self._timer = QTimer(self)
        self._timer.setInterval(HEALTH_REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()

    def apply_link_rules(self) -> None:
        """Offer only the networks the organisation allows; turn Link account… off, saying why, when none."""
        rules = self.services.link_rules()
        offered = rules.offered(self.services.linkable)
        self.link_menu.clear()
        for network in offered:
            action = self.link_menu.addAction(f"{NETWORK_NAMES[network]}…")
            action.setData(network)
            action.triggered.connect(lambda _checked=False, n=network: self.open_link_dialog(n))
        if offered:
            self.link_refusal = None
        elif self.services.linkable:
            self.link_refusal = rules.network_refusal(self.services.linkable[0]) if not rules.allowed else (
                "Your organisation does not allow linking accounts of any network in Chorus.")
        else:
            self.link_refusal = "This version of Chorus cannot link accounts."
        self.link_button.setEnabled(self.link_refusal is None)
        self.link_button.setToolTip(self.link_refusal or "Link an account to publish to it from Chorus")
        if self.link_refusal is not None:
            self.empty.setText(f"No accounts linked.\n\n{self.link_refusal} Chorus still checks your posts "
                               "against the policy.")
        else:
            names = [NETWORK_NAMES[network] for network in offered]
            which = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else "".join(names)
            self.empty.setText(f"No accounts linked yet.\n\nLink your {which} account to publish "
                               "from Chorus. Your sign-in stays in your computer's keyring.")

    # -- reading the list --------------------------------------------------------------------------
    def refresh(self) -> None:
        self.apply_link_rules()
        services = self.services
        self._request += 1
        request = self._request

        def work() -> list[tuple[AccountRecord, AccountHealth]]:
            accounts = services.accounts  # built here on first use, off the GUI thread
            return [(record, accounts.health(record)) for record in accounts.accounts()]

        self.runner.run(work, on_success=lambda rows: self._show(request, rows),
                        on_failure=self._load_failed, owner=self, lane="db")

    def _load_failed(self, exc: BaseException) -> None:
        log.error("reading the linked accounts failed", exc_info=exc)
        self.notice.show_message(f"Chorus could not read your linked accounts: {exc}")

    def _show(self, request: int, rows: list[tuple[AccountRecord, AccountHealth]]) -> None:
        if request != self._request:
            return
        self.records = [record for record, _health in rows]
        keep = {record.account.id for record in self.records}
        for account_id in list(self.rows):
            if account_id not in keep:
                gone = self.rows.pop(account_id)
                self.list_layout.removeWidget(gone)
                gone.deleteLater()
        for position, (record, health) in enumerate(rows):
            row = self.rows.get(record.account.id)
            if row is None:
                row = AccountRow(record, health, self.list)
                row.relink_requested.connect(self.relink)
                row.unlink_requested.connect(self.confirm_unlink)
                self.rows[record.account.id] = row
            else:
                row.show_record(record, health)
                self.list_layout.removeWidget(row)
            self.list_layout.insertWidget(position, row)
            self._load_avatar(row)
        self.empty.setVisible(not rows)
        self.list.setVisible(bool(rows))
        first = not self.loaded
        self.loaded = True
        self.accounts_changed.emit(list(self.records))
        if first and self.records:  # at start: profiles and server limits may have changed since
            self.refresh_profiles([record.account.id for record in self.records])

    def refresh_profiles(self, account_ids: list[str]) -> None:
        """Read these accounts' profiles (avatar, name) and Mastodon server limits again, off the GUI
        thread (``io`` lane); the list is read again when anything changed."""
        services = self.services
        if services is None or not account_ids:
            return
        self.refreshing += 1

        def work() -> int:
            linking = services.linking  # built here on first use, off the GUI thread
            return sum(1 for account_id in account_ids if linking.refresh(account_id) is not None)

        def done(changed: int) -> None:
            self.refreshing -= 1
            if changed:
                self.refresh()
            self.profiles_refreshed.emit(changed)

        def failed(exc: BaseException) -> None:
            self.refreshing -= 1
            log.warning("refreshing account profiles failed: %s", exc)
            self.profiles_refreshed.emit(0)

        self.runner.run(work, on_success=done, on_failure=failed, owner=self, lane="io")

    def _load_avatar(self, row: AccountRow) -> None:
        url = row.record.account.avatar_url
        if not url:
            return
        if url in self._images:
            row.set_image(self._images[url])
            return
        if url in self._fetching:
            return
        self._fetching.add(url)
        fetch = self.services.fetch_image

        def loaded(data: bytes | None) -> None:
            self._fetching.discard(url)
            image = QImage.fromData(QByteArray(data)) if data else None
            self._images[url] = image if image is not None and not image.isNull() else None
            for each in self.rows.values():
                if each.record.account.avatar_url == url:
                    each.set_image(self._images[url])

        self.runner.run(lambda: fetch(url), on_success=loaded, on_failure=lambda exc: self._fetching.discard(url),
                        owner=self, lane="io")

    def avatar_image(self, url: str) -> QImage | None:
        """The avatar downloaded from *url*, if it has been (the Preview panel shows it too)."""
        return self._images.get(url)

    def record(self, account_id: str) -> AccountRecord | None:
        return next((r for r in self.records if r.account.id == account_id), None)

    # -- linking -----------------------------------------------------------------------------------
    def open_link_dialog(self, network: str, relink: AccountRecord | None = None) -> LinkDialog:
        """The network's link dialog (its flow's), opened non-blocking; a finished link refreshes the list."""
        from desktop.ui.accounts.link_dialogs import link_dialog

        if self.dialog is not None and shiboken6.isValid(self.dialog) and self.dialog.isVisible():
            self.dialog.reject()  # one link at a time
        dialog = link_dialog(network, self.services, self.runner, self.browser, self.window(), relink)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.linked.connect(self._linked)
        self.dialog = dialog
        dialog.open()
        self.dialog_opened.emit(dialog)
        return dialog

    def relink(self, record: AccountRecord) -> None:
        self.open_link_dialog(record.account.network, record)

    def relink_account(self, account_id: str) -> None:
        record = self.record(account_id)
        if record is not None:
            self.relink(record)

    def _linked(self, record: AccountRecord) -> None:
        self.notice.hide()
        self.message.emit(f"Linked {record.account.handle} ({NETWORK_NAMES.get(record.account.network, '')})")
        self.linked.emit(record)
        self.refresh()
        self.refresh_profiles([record.account.id])

    # -- unlinking ---------------------------------------------------------------------------------
    def confirm_unlink(self, record: AccountRecord) -> QMessageBox:
        account = record.account
        box = QMessageBox(QMessageBox.Icon.Question, "Unlink account",
                          f"Unlink {account.handle} from Chorus?", parent=self.window())
        box.setInformativeText("Chorus deletes its sign-in for this account from your keyring. Posts already "
                               "published stay where they are; you can link the account again at any time.")
        unlink = box.addButton("Unlink", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setObjectName("confirm-unlink")

        def answered(button) -> None:
            if button is unlink:
                self.unlink(record.account.id)

        box.buttonClicked.connect(answered)
        box.open()
        return box

    def unlink(self, account_id: str, *, force: bool = False) -> None:
        linking = self.services.linking
        record = self.record(account_id)
        handle = record.account.handle if record else account_id
        row = self.rows.get(account_id)
        if row is not None:
            row.setEnabled(False)

        def done(_none: object) -> None:
            self.notice.hide()
            self.message.emit(f"Unlinked {handle}")
            self.unlinked.emit(account_id)
            self.refresh()

        def failed(exc: BaseException) -> None:
            if row is not None and account_id in self.rows:
                row.setEnabled(True)
            from desktop.core.accounts.linking import describe_error
            from desktop.core.ports import SecretStoreError

            text = f"{handle} was not unlinked. {describe_error(exc)}"
            if isinstance(exc, SecretStoreError) and not force:
                self.notice.show_message(text, "Remove from Chorus anyway", lambda: self.unlink(account_id, force=True))
            else:
                self.notice.show_message(text)

        self.runner.run(lambda: linking.unlink(account_id, force=force), on_success=done, on_failure=failed,
                        owner=self, lane="keyring")

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (event.Type.PaletteChange, event.Type.ApplicationPaletteChange) and hasattr(self, "link_menu"):
            for action in self.link_menu.actions():
                action.setIcon(network_badge(action.data(), 16, self.palette()))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        for action in self.link_menu.actions():
            if action.icon().isNull():
                action.setIcon(network_badge(action.data(), 16, self.palette()))
