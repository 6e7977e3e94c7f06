"""Publishing from the composer: choose accounts, publish, see each target's status, retry.

- :class:`TargetPicker`: the linked accounts as a checkable list; the choice is kept per draft
  (``Draft.targets``, written on the ``db`` lane).
- :class:`PublishBar`: the picker, **History…** and **Publish** (``Ctrl+Return``). Publish is
  enabled only when the composer has no reason to refuse (:meth:`Composer.publish_refusal`) and an
  account is chosen; its tooltip says why not. While the live check of the latest keystrokes is
  still running the button keeps its last state, and a click waits for that check.
- Publishing itself: on the ``io`` lane the publishing service checks the text against the policy
  again (:meth:`PublishService.refusal`, a block finding refuses it all), then sends to every
  target in parallel. Each target's status comes back through a queued signal
  (:class:`PublishStatusView`): sending, posted (a link that opens the browser), failed (the
  server's reason; **Retry** sends to that account only, and Chorus looks for the earlier
  attempt first, so a retry never posts twice; **Re-link** when the credential no longer works),
  may have been posted (the network cannot tell: **It's there** / **Send as new**),
  or waiting in the outbox when offline (rows: :mod:`desktop.ui.publishing.status`). The acknowledged
  findings go with it, into the history.

The history of a draft is :mod:`desktop.ui.publishing.history`; the outbox sender
:mod:`desktop.ui.publishing.outbox` (both imported when first needed).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.core.networks import DISPLAY_NAMES as NETWORK_NAMES
from desktop.core.publishing.thread import publish_thread
from desktop.ui.common.badges import network_badge
from desktop.ui.common.tasks import TaskRunner
from desktop.ui.common.theme import set_text_colour
from desktop.ui.publishing.run import PublishRun, StatusBridge

if TYPE_CHECKING:
    from desktop.core.accounts import AccountRecord
    from desktop.core.drafts import Draft, DraftStore
    from desktop.core.publishing.service import TargetStatus
    from desktop.core.services import PolicyNow, Services
    from desktop.ui.common.browser import BrowserBridge
    from desktop.ui.composer.composer import Composer
    from desktop.ui.publishing.status import PublishStatusView

log = logging.getLogger(__name__)

AccountIdRole = Qt.ItemDataRole.UserRole + 1


# ---------------------------------------------------------------------------------------------
# Choosing the accounts
# ---------------------------------------------------------------------------------------------
class TargetPicker(QListWidget):
    """The linked accounts, each checkable; they flow left to right and wrap."""

    targets_changed = Signal(list)  # account ids, in list order

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Publish to")
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setSpacing(2)
        self.setUniformItemSizes(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setIconSize(QSize(16, 16))
        self.viewport().setAutoFillBackground(False)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._records: list[AccountRecord] = []
        self._quiet = False
        self.itemChanged.connect(self._changed)
        self.itemActivated.connect(self._toggle)

    def set_accounts(self, records: list[AccountRecord], checked: list[str]) -> None:
        self._quiet = True
        try:
            self._records = list(records)
            self.clear()
            for record in records:
                account = record.account
                item = QListWidgetItem(account.handle)
                item.setData(AccountIdRole, account.id)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if account.id in checked else Qt.CheckState.Unchecked)
                network = NETWORK_NAMES.get(account.network, account.network)
                item.setToolTip(f"{account.display_name or account.handle} on {network}")
                item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{account.handle} on {network}")
                self.addItem(item)
            self._paint_icons()
        finally:
            self._quiet = False
        self._fit_height()

    def set_checked(self, checked: list[str]) -> None:
        self._quiet = True
        try:
            for row in range(self.count()):
                item = self.item(row)
                item.setCheckState(Qt.CheckState.Checked if item.data(AccountIdRole) in checked
                                   else Qt.CheckState.Unchecked)
        finally:
            self._quiet = False

    def checked_ids(self) -> list[str]:
        return [self.item(row).data(AccountIdRole) for row in range(self.count())
                if self.item(row).checkState() == Qt.CheckState.Checked]

    def account_ids(self) -> list[str]:
        return [self.item(row).data(AccountIdRole) for row in range(self.count())]

    def item_for(self, account_id: str) -> QListWidgetItem | None:
        for row in range(self.count()):
            if self.item(row).data(AccountIdRole) == account_id:
                return self.item(row)
        return None

    def _toggle(self, item: QListWidgetItem) -> None:
        item.setCheckState(Qt.CheckState.Unchecked if item.checkState() == Qt.CheckState.Checked
                           else Qt.CheckState.Checked)

    def _changed(self, _item: QListWidgetItem) -> None:
        if not self._quiet:
            self.targets_changed.emit(self.checked_ids())

    def _paint_icons(self) -> None:
        for row, record in enumerate(self._records):
            if row < self.count():
                self.item(row).setIcon(QIcon(network_badge(record.account.network, 16, self.palette())))

    def _fit_height(self) -> None:
        if not self.count():
            self.setFixedHeight(0)
            return
        self.doItemsLayout()
        bottom = max(self.visualItemRect(self.item(row)).bottom() for row in range(self.count()))
        row_height = self.sizeHintForRow(0) + 2 * self.spacing()
        self.setFixedHeight(max(min(bottom + self.spacing() + 2, row_height * 3), row_height + 2))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self._fit_height)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (event.Type.PaletteChange, event.Type.ApplicationPaletteChange) and hasattr(self, "_records"):
            self._paint_icons()


# ---------------------------------------------------------------------------------------------
# The bar under the composer
# ---------------------------------------------------------------------------------------------
class PublishBar(QWidget):
    """Target picker, History… and Publish, plus the status of the open draft's last publish.

    *policy* gives the policy in force (for the check at publish time); *before_publish* runs on
    the GUI thread first (the window flushes the autosave).
    """

    published = Signal(str)  # draft id: a publish finished (whatever each target's outcome)
    state_changed = Signal(bool, str)  # can publish, and why not
    message = Signal(str)  # a short status-bar message
    relink_requested = Signal(str)  # account id
    history_requested = Signal()
    interrupted_found = Signal(list)  # [Interrupted]: publishes left half-done when Chorus last stopped

    def __init__(self, services: Services, runner: TaskRunner, composer: Composer, store: DraftStore,
                 browser: BrowserBridge, policy: PolicyNow, parent: QWidget | None = None, *,
                 before_publish: Callable[[], None] = lambda: None) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.composer = composer
        self.thread_offer: Any = None  # desktop.ui.composer.thread.ThreadOffer, when threads are offered
        self.store = store
        self.browser = browser
        self.policy = policy
        self.before_publish = before_publish
        self.records: list[AccountRecord] = []
        self.accounts_loaded = False
        self.runs: dict[str, PublishRun] = {}
        self._targets: dict[str, list[str]] = {}  # draft id -> chosen account ids (newer than Draft.targets)
        self._settled_refusal: str | None = "Publishing waits until the policy has loaded."
        # what else must hold before the text can go (a feature's own reason, e.g. the Ideas prompt left in
        # the draft): each gets the text and returns why not, or None
        self.text_checks: list[Callable[[str], str | None]] = []
        self._publish_when_checked = False
        self._looked_for_interrupted = False
        self.bridge = StatusBridge(self)
        self.bridge.status.connect(self._on_status)

        self._status_view: PublishStatusView | None = None  # built at the first publish
        self.to_label = QLabel("Publish to:", self)
        self.picker = TargetPicker(self)
        self.picker.targets_changed.connect(self._targets_changed)
        self.no_accounts = QLabel(self)
        self.no_accounts.setText("No linked accounts yet: link one in the Accounts panel to publish.")
        self.no_accounts.setWordWrap(True)  # on two lines in a narrow window, never widening it
        self.no_accounts.setAccessibleName("No accounts to publish to")
        self.history_button = QPushButton("&History…", self)
        self.history_button.setToolTip("Where and when this draft was published")
        self.history_button.clicked.connect(self.history_requested)
        self.publish_button = QPushButton("&Publish", self)
        self.publish_button.setObjectName("publish-button")
        self.publish_button.setAccessibleName("Publish")
        self.publish_button.clicked.connect(self.publish)
        font = self.publish_button.font()
        font.setBold(True)
        self.publish_button.setFont(font)
        # the accounts on the left, the buttons on the right; in a narrow window the buttons go under the
        # accounts (see resizeEvent) rather than make the window wider or squeeze the buttons' text
        self._choose = QHBoxLayout()
        self._choose.addWidget(self.to_label, 0, Qt.AlignmentFlag.AlignVCenter)
        self._choose.addWidget(self.picker, 1)
        self._choose.addWidget(self.no_accounts, 1)
        self._buttons = QHBoxLayout()
        self._buttons.addStretch(1)
        self._buttons.addWidget(self.history_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self._buttons.addWidget(self.publish_button, 0, Qt.AlignmentFlag.AlignVCenter)
        row = self._row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        row.setContentsMargins(2, 0, 0, 0)
        row.addLayout(self._choose, 1)
        row.addLayout(self._buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(row)
        self._layout = layout
        self.no_accounts.hide()
        composer.findings_changed.connect(self.update_state)
        composer.findings_changed.connect(lambda *_: self._publish_if_waiting())
        composer.policy.checked.connect(self._checked)
        composer.edited.connect(lambda *_: self.update_state())
        self.update_state()

    # -- size --------------------------------------------------------------------------------------
    def _one_row_width(self) -> int:
        """The width the accounts and the buttons need side by side."""
        return (self._choose.minimumSize().width() + self._row.spacing() + self._buttons.sizeHint().width()
                + self._row.contentsMargins().left())

    def minimumSizeHint(self) -> QSize:
        """As narrow as the wider of the two parts: below :meth:`_one_row_width` they are stacked."""
        hint = super().minimumSizeHint()
        stacked = max(self._choose.minimumSize().width(), self._buttons.sizeHint().width()) \
            + self._row.contentsMargins().left()
        status = self._status_view.minimumSizeHint().width() if self._status_view is not None else 0
        return QSize(max(stacked, status), hint.height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        direction = (QBoxLayout.Direction.LeftToRight if event.size().width() >= self._one_row_width()
                     else QBoxLayout.Direction.TopToBottom)
        if self._row.direction() != direction:
            self._row.setDirection(direction)

    @property
    def status_view(self) -> PublishStatusView:
        """The statuses of the open draft's last publish, above the bar (built when first needed)."""
        if self._status_view is None:
            from desktop.ui.publishing.status import PublishStatusView

            view = self._status_view = PublishStatusView(self)
            view.retry_requested.connect(self.retry)
            view.relink_requested.connect(self.relink_requested)
            view.link_clicked.connect(self.browser.open_url)
            view.confirm_requested.connect(self.confirm_posted)
            view.send_new_requested.connect(self.send_as_new)
            view.check_requested.connect(self.check)
            self._layout.insertWidget(0, view)
        return self._status_view

    # -- accounts and targets --------------------------------------------------------------------
    def set_accounts(self, records: list[AccountRecord]) -> None:
        self.records = list(records)
        self.accounts_loaded = True
        # length findings for networks with no linked account become advisory (X, which cannot be linked)
        self.composer.set_committed_networks({record.account.network for record in self.records})
        self.picker.set_accounts(self.records, self.targets_for(self.composer.draft))
        self.picker.setVisible(bool(records))
        self.no_accounts.setVisible(not records)
        self._muted(self.no_accounts)
        self.update_state()
        if not self._looked_for_interrupted:
            self._looked_for_interrupted = True
            self.load_interrupted()

    # -- publishes interrupted when Chorus last stopped ------------------------------------------
    def load_interrupted(self) -> None:
        """Read the publishes left ``pending`` (Chorus was closed or crashed while sending, db lane)
        and show each under its draft with Check and Retry."""
        services, policy = self.services, self.policy
        self.runner.run(lambda: services.publisher(policy).interrupted(), on_success=self.show_interrupted,
                        on_failure=lambda exc: log.warning("could not read interrupted publishes: %s", exc),
                        owner=self, lane="db")

    def show_interrupted(self, found: list) -> None:
        for item in found:
            status = item.status
            run = self.runs.get(status.draft_id)
            if run is None:
                run = self.runs[status.draft_id] = PublishRun(status.draft_id, item.text, list(item.acknowledged), [])
            elif not run.text:
                run.text = item.text
            if status.account_id in run.sending:
                continue
            if status.account_id not in run.order:
                run.order.append(status.account_id)
            run.handles.setdefault(status.account_id, (status.network, status.handle))
            run.statuses[status.account_id] = status
            self._show_if_current(run)
        if found:
            self.interrupted_found.emit(list(found))

    def targets_for(self, draft: Draft | None) -> list[str]:
        """The accounts chosen for *draft* (only linked ones). A draft never set up gets the only
        account when there is just one."""
        if draft is None:
            return []
        linked = [r.account.id for r in self.records]
        chosen = self._targets.get(draft.id)
        if chosen is None:
            chosen = list(draft.targets)
            if not chosen and len(linked) == 1:
                chosen = linked
        return [a for a in linked if a in chosen]

    def draft_opened(self, draft: Draft | None) -> None:
        self.picker.set_checked(self.targets_for(draft))
        run = self.runs.get(draft.id) if draft else None
        if run is not None or self._status_view is not None:
            self.status_view.show_run(run)
        self.update_state()

    def _targets_changed(self, ids: list[str]) -> None:
        draft = self.composer.draft
        if draft is None:
            return
        self._targets[draft.id] = list(ids)
        store, draft_id = self.store, draft.id
        self.runner.run(lambda: store.set_targets(draft_id, ids), owner=self, lane="db",
                        on_failure=lambda exc: self.message.emit(f"Could not remember the chosen accounts: {exc}"))
        self.update_state()

    def chosen(self) -> list[str]:
        return self.picker.checked_ids()

    # -- may it be published? --------------------------------------------------------------------
    def _checked(self, _generation: int) -> None:
        self.update_state()
        self._publish_if_waiting()

    def _publish_if_waiting(self) -> None:
        """Publish asked for while the check was pending: go once the findings are for this text and
        this draft's acknowledgements are read (they arrive with findings_changed, not checked).
        Asking again while pending would check again from inside the check's own signal, without end."""
        if self._publish_when_checked and self.composer.policy.state != "pending":
            self._publish_when_checked = False
            self.publish()

    def why_not(self) -> str | None:
        """Why Publish is disabled now (None: it is enabled)."""
        draft = self.composer.draft
        if draft is None:
            return "There is no post to publish."
        if not self.accounts_loaded:
            return "Reading your linked accounts…"
        if not self.records:
            return "Link an account in the Accounts panel to publish."
        run = self.runs.get(draft.id)
        if run is not None and run.sending:
            return "Publishing… wait for the statuses below."
        text = self.composer.text()
        if not text.strip():
            return "Write something to publish."
        reason = self.text_refusal(text)
        if reason:
            return reason
        if not self.chosen():
            return "Choose at least one account to publish to."
        posted = self._already_posted(run)
        if posted:
            return (f"Already posted to {', '.join(posted)}. To publish again, change the post or choose "
                    "another account.")
        refusal = (self.thread_offer or self.composer).publish_refusal()
        if self.composer.policy.state == "pending":
            return self._settled_refusal  # the check of the latest keystrokes is under way
        self._settled_refusal = refusal
        return refusal

    def text_refusal(self, text: str) -> str | None:
        """Why *text* may not go out yet by the features' own checks (:attr:`text_checks`), or None; asked
        by Publish and by Publish later alike."""
        for text_check in self.text_checks:
            reason = text_check(text)
            if reason:
                return reason
        return None

    def _already_posted(self, run: PublishRun | None) -> list[str]:
        """The chosen accounts' handles when every one of them has this very text posted (else [])."""
        chosen = self.chosen()
        if run is None or not chosen or run.text != self.composer.text():
            return []
        statuses = [run.statuses.get(account_id) for account_id in chosen]
        if all(status is not None and status.state == "sent" for status in statuses):
            return [self._handle(account_id) for account_id in chosen]
        return []

    def update_state(self, *_args: object) -> None:
        reason = self.why_not()
        can = reason is None
        self.publish_button.setEnabled(can)
        chosen = self.chosen()
        tip = (f"Publish this post to {', '.join(self._handle(a) for a in chosen)} (Ctrl+Return)" if can
               else reason or "")
        self.publish_button.setToolTip(tip)
        self.publish_button.setAccessibleDescription(tip)
        self.state_changed.emit(can, reason or "")

    def _handle(self, account_id: str) -> str:
        record = next((r for r in self.records if r.account.id == account_id), None)
        return record.account.handle if record else account_id

    # -- publishing ------------------------------------------------------------------------------
    def publish(self) -> None:
        """Publish the open draft to the chosen accounts (what Publish and Ctrl+Return do)."""
        draft = self.composer.draft
        if draft is not None and self.composer.policy.state == "pending" and self.records and self.chosen():
            if not self._publish_when_checked:  # publish as soon as the latest text is checked
                self._publish_when_checked = True
                self.composer.policy.check_now()  # may answer at once (checked → _publish_if_waiting)
            return
        reason = self.why_not()
        if reason is not None or draft is None:
            if reason:
                self.message.emit(reason)
            return
        self.before_publish()
        ids = self.chosen()
        acknowledged = [item.acknowledgement for item in self.composer.findings if item.acknowledgement is not None]
        run = PublishRun(draft.id, self.composer.text(), acknowledged, list(ids))
        for record in self.records:
            run.handles[record.account.id] = (record.account.network, record.account.handle)
        self.runs[draft.id] = run
        self._send(run, ids)

    def retry(self, account_id: str) -> None:
        """Send the run's post again to this account only (the service looks for the earlier attempt first)."""
        draft = self.composer.draft
        run = self.runs.get(draft.id) if draft is not None else None
        if run is None or account_id in run.sending:
            return
        self._send(run, [account_id])

    def check(self, account_id: str) -> None:
        """After Chorus was closed mid-send: look whether the post arrived, without sending it."""
        self._follow_up(account_id, lambda publisher, run: publisher.check_interrupted(run.draft_id, account_id,
                                                                                         run.text))

    def confirm_posted(self, account_id: str) -> None:
        """After "may have been posted": the person found the post; record it as posted."""
        self._follow_up(account_id, lambda publisher, run: publisher.confirm_posted(run.draft_id, account_id, run.text))

    def send_as_new(self, account_id: str) -> None:
        """After "may have been posted": the person found nothing; send the post as a new one."""
        bridge = self.bridge
        self._follow_up(account_id, lambda publisher, run: publisher.send_as_new(
            run.draft_id, run.text, account_id, on_update=bridge.emit_from_worker))

    def _follow_up(self, account_id: str, call: Callable[[Any, PublishRun], Any]) -> None:
        draft = self.composer.draft
        run = self.runs.get(draft.id) if draft is not None else None
        if run is None or not run.text or account_id in run.sending:
            return
        services, policy = self.services, self.policy
        run.sending.add(account_id)
        run.statuses.pop(account_id, None)
        self._show_if_current(run)
        self.update_state()
        self.runner.run(lambda: [call(services.publisher(policy), run)],
                        on_success=lambda result: self._finished(run, [account_id], result),
                        on_failure=lambda exc: self._failed(run, [account_id], exc), owner=self, lane="io")

    def _send(self, run: PublishRun, ids: list[str]) -> None:
        services, policy, bridge = self.services, self.policy, self.bridge
        run.refusal = run.error = ""
        run.sending.update(ids)
        for account_id in ids:
            run.statuses.pop(account_id, None)
        self._show_if_current(run)
        self.update_state()
        text, acknowledged, draft_id = run.text, list(run.acknowledged), run.draft_id
        # the open draft's images with their alt texts (another draft's: its own, from the database)
        draft = self.composer.draft
        images = tuple(self.composer.images()) if draft is not None and draft.id == draft_id else ()
        numbered = self.thread_offer.numbered_for(draft_id) if self.thread_offer is not None else None

        def work() -> Any:
            publisher = services.publisher(policy)
            if numbered is not None:  # a thread: every part checked by the service, sent as replies
                return publish_thread(publisher, draft_id, text, ids, numbered=numbered, acknowledged=acknowledged,
                                      on_update=bridge.emit_from_worker, images=images)
            refusal = publisher.refusal(text, ids, images=images, draft_id=draft_id)  # the policy again, at publish time
            if refusal is not None:
                return refusal
            return publisher.publish(draft_id, text, ids, acknowledged=acknowledged,
                                     on_update=bridge.emit_from_worker, images=images)

        self.runner.run(work, on_success=lambda result: self._finished(run, ids, result),
                        on_failure=lambda exc: self._failed(run, ids, exc), owner=self, lane="io")

    def _on_status(self, status: TargetStatus) -> None:
        run = self.runs.get(status.draft_id)
        if run is None:  # the outbox sent a draft published in an earlier session
            run = self.runs[status.draft_id] = PublishRun(status.draft_id, "", [], [])
        if status.account_id not in run.order:
            run.order.append(status.account_id)
        run.handles.setdefault(status.account_id, (status.network, status.handle))
        run.statuses[status.account_id] = status
        self._show_if_current(run)

    def _finished(self, run: PublishRun, ids: list[str], result: Any) -> None:
        run.sending.difference_update(ids)
        if not isinstance(result, list):  # refused by the policy at publish time
            run.refusal = getattr(result, "reason", str(result))
            self.message.emit("Not published: the policy refused it")
        else:
            for status in result:  # the final word, also for targets whose updates were dropped
                run.statuses[status.account_id] = status
            sent = [s for s in result if s.state == "sent"]
            if len(sent) == len(result):
                self.message.emit(f"Posted to {', '.join(s.handle for s in sent)}")
            else:
                self.message.emit(f"Published to {len(sent)} of {len(result)} accounts")
        self._show_if_current(run)
        self.update_state()
        self.published.emit(run.draft_id)

    def _failed(self, run: PublishRun, ids: list[str], exc: BaseException) -> None:
        log.error("publishing failed", exc_info=exc)
        run.sending.difference_update(ids)
        from desktop.core.accounts.linking import describe_error

        run.error = describe_error(exc)
        self._show_if_current(run)
        self.update_state()

    def _show_if_current(self, run: PublishRun) -> None:
        draft = self.composer.draft
        if draft is not None and draft.id == run.draft_id:
            self.status_view.show_run(run)

    def outbox_status(self, status: TargetStatus) -> None:
        """A status from the outbox sender."""
        self._on_status(status)
        if status.state == "sent":
            self.message.emit(f"Sent from the outbox to {status.handle}")

    def _muted(self, label: QLabel) -> None:
        set_text_colour(label, self.palette().color(QPalette.ColorRole.PlaceholderText))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (event.Type.PaletteChange, event.Type.ApplicationPaletteChange) and hasattr(self, "no_accounts"):
            self._muted(self.no_accounts)
