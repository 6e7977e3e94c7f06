"""What happened to each target of a publish: one row per account, and a summary line.

Rows show sending (a busy bar), posted (a link to the post, opened in the browser), failed (the
server's reason, with **Retry** when trying again may help and **Re-link** when the credential no
longer works), may have been posted (the network cannot tell: a link to look, then **It's there**
or **Send as new**), waiting in the outbox, or refused. Imported at the first publish of a session.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.common.badges import network_badge
from desktop.ui.common.theme import link_color, set_text_colour, status_color

if TYPE_CHECKING:
    from desktop.core.publishing.service import TargetStatus
    from desktop.ui.publishing.run import PublishRun


def short_url(url: str, limit: int = 48) -> str:
    """``https://mastodon.social/@alice/1123`` → ``mastodon.social/@alice/1123`` (shortened when long)."""
    parts = urlsplit(url)
    text = (parts.netloc + parts.path).rstrip("/") or url
    return text if len(text) <= limit else text[: limit - 1] + "…"


class StatusRow(QWidget):
    """One target: badge, handle, what happened, and its actions."""

    retry_requested = Signal(str)
    relink_requested = Signal(str)
    link_clicked = Signal(str)
    confirm_requested = Signal(str)  # unconfirmed: the person found the post
    send_new_requested = Signal(str)  # unconfirmed: the person found nothing; send it as a new post
    check_requested = Signal(str)  # interrupted (Chorus was closed while sending): look whether it arrived

    def __init__(self, account_id: str, network: str, handle: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.account_id = account_id
        self.network = network
        self.state = ""
        self.setObjectName(f"status-{account_id}")
        self.badge = QLabel(self)
        self.full_handle = handle
        self.handle = QLabel(handle, self)
        self.handle.setAccessibleName(handle)
        self.handle.setTextFormat(Qt.TextFormat.PlainText)
        self.handle.setMinimumWidth(60)
        self.handle.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.spinner = QProgressBar(self)
        self.spinner.setRange(0, 0)
        self.spinner.setTextVisible(False)
        self.spinner.setFixedSize(48, 6)
        self.spinner.setAccessibleName("Sending")
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setAccessibleName("Status")
        self.text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.text.linkActivated.connect(self.link_clicked)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.retry_button = QPushButton("Retry", self)
        self.retry_button.setAccessibleName(f"Retry {handle}")
        self.retry_button.clicked.connect(lambda: self.retry_requested.emit(self.account_id))
        self.relink_button = QPushButton("Re-link", self)
        self.relink_button.setAccessibleName(f"Re-link {handle}")
        self.relink_button.clicked.connect(lambda: self.relink_requested.emit(self.account_id))
        self.confirm_button = QPushButton("It's there", self)
        self.confirm_button.setAccessibleName(f"The post is on {handle}")
        self.confirm_button.setToolTip("You found the post: Chorus records it as posted and never sends it again")
        self.confirm_button.clicked.connect(lambda: self.confirm_requested.emit(self.account_id))
        self.send_new_button = QPushButton("Send as new", self)
        self.send_new_button.setAccessibleName(f"Send to {handle} as a new post")
        self.send_new_button.setToolTip("You looked and the post is not there: send it now")
        self.send_new_button.clicked.connect(lambda: self.send_new_requested.emit(self.account_id))
        self.check_button = QPushButton("Check", self)
        self.check_button.setAccessibleName(f"Check whether the post arrived on {handle}")
        self.check_button.setToolTip("Look whether the post arrived, without sending it again")
        self.check_button.clicked.connect(lambda: self.check_requested.emit(self.account_id))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.setSpacing(8)
        layout.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.handle, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.spinner, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.relink_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.check_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.confirm_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.send_new_button, 0, Qt.AlignmentFlag.AlignTop)
        self._status: TargetStatus | None = None
        self.show_status(None)

    def show_status(self, status: TargetStatus | None, *, can_retry: bool = True) -> None:
        """*status* None: the publish-time policy check is under way. *can_retry*: the post's text is
        known (a publish from this session), so Retry can send exactly it again."""
        self._status = status
        self._can_retry = can_retry
        state = "sending" if status is None else status.state
        self.state = state
        palette = self.palette()
        self.spinner.setVisible(state == "sending")
        for button in (self.retry_button, self.relink_button, self.confirm_button, self.send_new_button,
                       self.check_button):
            button.setVisible(False)
        rich = state == "sent"
        if status is None or state == "sending":
            text, colour = ("Checking…" if status is None else "Sending…"), None
        elif state == "sent":
            url = status.post_url
            link = (f" <a href='{html.escape(url, quote=True)}' style='color:{link_color(palette).name()}'>"
                    f"{html.escape(short_url(url))}</a>" if url else "")
            text, colour = f"✓ Posted{link}", status_color(palette, "ok")
        elif state == "unconfirmed":
            rich = True
            look = (f" <a href='{html.escape(status.check_url, quote=True)}' style='color:{link_color(palette).name()}'>Look on "
                    f"{html.escape(short_url(status.check_url, 30))}</a>" if status.check_url else "")
            text = f"? May have been posted. {html.escape(status.reason)}{look}"
            colour = status_color(palette, "warn")
            self.confirm_button.setVisible(can_retry)
            self.send_new_button.setVisible(can_retry)
        elif state == "interrupted":
            text = f"⚠ Chorus was closed while sending: {status.reason}"
            colour = status_color(palette, "warn")
            self.check_button.setVisible(can_retry)
            self.retry_button.setVisible(status.retryable and can_retry)
            self.retry_button.setToolTip("Chorus looks whether it arrived first, and sends it only if not")
        elif state == "queued":
            text, colour = "⏳ Waits in the outbox: Chorus sends it when the network is back.", status_color(palette, "warn")
        elif state == "refused":
            text, colour = f"Not sent: {status.reason}", status_color(palette, "block")
        else:
            text, colour = f"✕ {status.reason or 'Failed.'}", status_color(palette, "block")
            self.retry_button.setVisible(status.retryable and can_retry)
            self.relink_button.setVisible(status.needs_relink)
        self.text.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
        self.text.setText(text)
        self.text.setAccessibleDescription(text if status is None else f"Posted: {status.post_url}" if state == "sent"
                                           else f"May have been posted. {status.reason}" if state == "unconfirmed"
                                           else text)
        set_text_colour(self.text, colour if colour is not None else palette.color(QPalette.ColorRole.PlaceholderText))
        self.badge.setPixmap(network_badge(self.network, 18, palette))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (event.Type.PaletteChange, event.Type.ApplicationPaletteChange) \
                and hasattr(self, "_can_retry"):
            self.show_status(self._status, can_retry=self._can_retry)


class PublishStatusView(QFrame):
    """The statuses of the open draft's last publish, one row per target, with a summary line."""

    retry_requested = Signal(str)
    relink_requested = Signal(str)
    link_clicked = Signal(str)
    confirm_requested = Signal(str)
    send_new_requested = Signal(str)
    check_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("publish-status")
        self.setAccessibleName("Publish status")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setAccessibleName("Publish summary")
        self.summary.setWordWrap(True)
        font = self.summary.font()
        font.setBold(True)
        self.summary.setFont(font)
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setAccessibleName("Hide publish status")
        self.close_button.clicked.connect(self.hide)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.rows_layout = QVBoxLayout()
        self.rows_layout.setSpacing(2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 8)
        layout.addLayout(top)
        layout.addLayout(self.rows_layout)
        self.rows: dict[str, StatusRow] = {}
        self.run: PublishRun | None = None
        self.hide()

    def show_run(self, run: PublishRun | None) -> None:
        """Show *run* (None: nothing to show, hidden)."""
        if run is not self.run:
            for row in self.rows.values():
                self.rows_layout.removeWidget(row)
                row.deleteLater()
            self.rows = {}
            self.run = run
        if run is None:
            self.hide()
            return
        for account_id in run.order:
            if account_id not in self.rows:
                network, handle = run.handles.get(account_id, ("", account_id))
                row = StatusRow(account_id, network, handle, self)
                row.retry_requested.connect(self.retry_requested)
                row.relink_requested.connect(self.relink_requested)
                row.link_clicked.connect(self.link_clicked)
                row.confirm_requested.connect(self.confirm_requested)
                row.send_new_requested.connect(self.send_new_requested)
                row.check_requested.connect(self.check_requested)
                self.rows[account_id] = row
                self.rows_layout.addWidget(row)
            status = run.statuses.get(account_id)
            self.rows[account_id].show_status(status, can_retry=bool(run.text))
        self._align_handles()
        self._summarise(run)
        self.show()

    def _align_handles(self) -> None:
        """The statuses start in one column: every handle gets the widest handle's width (at most
        a third of the view), long ones shortened with "…" (the whole handle in the tooltip)."""
        if not self.rows:
            return
        metrics = self.fontMetrics()
        limit = max(self.width() // 3, 120)
        width = min(max(metrics.horizontalAdvance(row.full_handle) for row in self.rows.values()) + 4, limit)
        for row in self.rows.values():
            row.handle.setFixedWidth(width)
            shown = metrics.elidedText(row.full_handle, Qt.TextElideMode.ElideMiddle, width - 2)
            row.handle.setText(shown)
            row.handle.setToolTip(row.full_handle if shown != row.full_handle else "")

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._align_handles()

    def _summarise(self, run: PublishRun) -> None:
        palette = self.palette()
        if run.refusal or run.error:
            text = f"Not published. {run.refusal or run.error}"
            colour = status_color(palette, "block")
            for row in self.rows.values():
                row.hide()
        else:
            states = [row.state for row in self.rows.values()]
            total = len(states)
            sent = states.count("sent")
            failed = states.count("failed") + states.count("refused")
            queued = states.count("queued")
            unsure = states.count("unconfirmed")
            interrupted = states.count("interrupted")
            if states.count("sending"):
                text, colour = f"Publishing to {total} account{'s' if total != 1 else ''}…", None
            elif sent == total:
                text, colour = (f"Posted to {'both accounts' if total == 2 else f'all {total} accounts'}"
                                if total > 1 else "Posted"), status_color(palette, "ok")
            else:
                parts = [f"{sent} posted"] if sent else []
                if failed:
                    parts.append(f"{failed} failed")
                if unsure:
                    parts.append(f"{unsure} to check")
                if queued:
                    parts.append(f"{queued} waiting in the outbox")
                if interrupted:
                    parts.append(f"{interrupted} interrupted when Chorus was closed: check or retry")
                text = ", ".join(parts)
                text = text[:1].upper() + text[1:]  # only the first letter: "Chorus" keeps its capital
                colour = status_color(palette, "block" if failed else "warn")
            for row in self.rows.values():
                row.show()
        self.summary.setText(text)
        set_text_colour(self.summary, colour if colour is not None else palette.color(QPalette.ColorRole.WindowText))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        run = getattr(self, "run", None)
        if event.type() in (event.Type.PaletteChange, event.Type.ApplicationPaletteChange) and run is not None:
            self._summarise(run)
