"""Accounts and publishing in the window (when the composition root brings ``services``): the
Accounts panel in its dock below the Policy panel (built just after the window's first paint: the
window shows the dock's place at once), the publish bar's wiring, the outbox sender started a
few seconds after start, the notice about publishes cut short by a crash, and the linked servers'
limits for the composer's counters."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow

from desktop.ui.accounts.panel import AccountsPanel
from desktop.ui.common.browser import BrowserBridge
from desktop.ui.common.notice import NoticeBar
from desktop.ui.common.tasks import TaskRunner
from desktop.ui.composer.limits import CounterLimits

if TYPE_CHECKING:
    from desktop.core.accounts import AccountRecord
    from desktop.core.policy import Policy
    from desktop.core.services import Services
    from desktop.ui.composer.composer import Composer
    from desktop.ui.drafts.controller import DraftsController
    from desktop.ui.publishing.bar import PublishBar
    from desktop.ui.publishing.outbox import OutboxSender

NO_ACCOUNTS = "No linked accounts yet: link one in the Accounts panel to publish."
OUTBOX_FIRST_TRY_MS = 4000  # the outbox is first tried this long after start (the policy has loaded by then)


class AccountsFeature(QObject):
    def __init__(self, window: QMainWindow, services: Services, runner: TaskRunner, browser: BrowserBridge,
                 bar: PublishBar, composer: Composer, drafts: DraftsController, notice: NoticeBar,
                 limits: CounterLimits, policy_now: Callable[[], Policy | None], dock: QDockWidget) -> None:
        super().__init__(window)
        self.window, self.services, self.runner = window, services, runner
        self.bar, self.composer, self.drafts, self.notice = bar, composer, drafts, notice
        self.limits, self.policy_now = limits, policy_now
        self.outbox: OutboxSender | None = None
        self.panel = AccountsPanel(services, runner, browser, window)
        self.dock = dock
        placeholder = dock.widget()
        dock.setWidget(self.panel)
        if placeholder is not None:
            placeholder.deleteLater()
        self.panel.accounts_changed.connect(self._accounts_changed)
        self.panel.message.connect(lambda text: window.statusBar().showMessage(text, 6000))
        bar.message.connect(lambda text: window.statusBar().showMessage(text, 6000))
        bar.relink_requested.connect(self.panel.relink_account)
        bar.interrupted_found.connect(self._interrupted_found)
        # after the drafts: the editor comes first; the accounts service is built on the db lane then
        if drafts.has_loaded:
            self.panel.refresh()
        else:
            drafts.loaded.connect(self._first_load)

    def start_outbox_after(self, delay_ms: int | None, policy_loaded: Callable[[], bool]) -> None:
        first = OUTBOX_FIRST_TRY_MS if delay_ms is None else delay_ms
        if first >= 0:
            # the window is the timer's context: closed before the first try, the timer never fires
            QTimer.singleShot(first, self.window, lambda: self.start_outbox(policy_loaded))

    def start_outbox(self, policy_loaded: Callable[[], bool]) -> None:
        """Send the outbox now, every few minutes, and when the network comes back (desktop.ui.publishing.outbox)."""
        if self.outbox is not None:
            return
        from desktop.ui.publishing.outbox import OutboxSender

        self.outbox = OutboxSender(self.services, self.runner, self.policy_now, policy_loaded, self.window)
        self.outbox.status.connect(self.bar.outbox_status)
        self.outbox.start()

    def link_account(self) -> None:
        self.dock.show()
        self.dock.raise_()
        self.panel.apply_link_rules()
        if self.panel.link_refusal is not None:
            self.window.statusBar().showMessage(self.panel.link_refusal, 6000)
            return
        self.panel.link_button.showMenu()

    def _first_load(self) -> None:
        self.drafts.loaded.disconnect(self._first_load)
        self.panel.refresh()

    def _accounts_changed(self, records: list[AccountRecord]) -> None:
        # with linking off, "link one in the Accounts panel" under the post would send people to a
        # button that cannot be pressed: the bar says why instead
        refusal = self.panel.link_refusal
        self.bar.no_accounts.setText(f"No linked accounts. {refusal}" if refusal is not None else NO_ACCOUNTS)
        self.bar.set_accounts(records)
        if self.limits.follow_accounts(records):
            self.composer.limits_changed()

    def _interrupted_found(self, found: list) -> None:
        """Chorus was closed while sending: say so, and lead to the post (its rows have Check and Retry)."""
        count = len(found)
        drafts = list(dict.fromkeys(item.status.draft_id for item in found))
        text = (f"Chorus was closed while sending {'a post' if count == 1 else f'{count} posts'}: "
                f"{'it' if count == 1 else 'they'} may or may not have arrived. "
                "Check or Retry under the post (Retry looks first, so it never posts twice).")
        current = self.composer.draft
        others = [d for d in drafts if current is None or d != current.id]
        if others:
            self.notice.show_message(text, "Show", lambda: self.drafts.open_by_id(others[0]))
        else:
            self.notice.show_message(text)
