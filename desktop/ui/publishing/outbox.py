"""Sending the outbox: what waited for the network goes out when the network is back.

:class:`OutboxSender` tries at start (a few seconds after the window appears), every few minutes,
and as soon as Qt's network information (``QNetworkInformation``, loaded on first use, when this
system has a backend) reports the network reachable again. Each entry is checked against the
policy in force that day (``PublishService.send_outbox``); its statuses go to the publish bar.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.ui.common.tasks import TaskRunner
from desktop.ui.publishing.run import StatusBridge

if TYPE_CHECKING:
    from desktop.core.services import PolicyNow, Services

log = logging.getLogger(__name__)

OUTBOX_INTERVAL_MS = 5 * 60 * 1000


class OutboxSender(QObject):
    """Sends the outbox at start, every few minutes, and when the network comes back.

    *ready* says whether the policy has been loaded (the outbox is checked against it; sending
    before it loads would refuse everything). Uses ``QNetworkInformation`` (loaded after start,
    when a backend exists on this system) for "the network is back"; without it, the timer.
    """

    status = Signal(object)  # TargetStatus, from the outbox
    sent = Signal(int)  # how many targets the last round handled

    def __init__(self, services: Services, runner: TaskRunner, policy: PolicyNow, ready: Callable[[], bool],
                 parent: QObject | None = None, *, interval_ms: int = OUTBOX_INTERVAL_MS,
                 watch_network: bool = True) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.policy = policy
        self.ready = ready
        self.busy = False
        self.network_watched = False
        self._watch = watch_network
        self.bridge = StatusBridge(self)
        self.bridge.status.connect(self.status)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.send)

    def start(self) -> None:
        """Send now, then every few minutes and whenever the network comes back."""
        self.timer.start()
        if self._watch:
            self._watch_network()
        self.send()

    def _watch_network(self) -> None:
        try:
            from PySide6.QtNetwork import QNetworkInformation

            feature = QNetworkInformation.Feature.Reachability
            if QNetworkInformation.instance() is None and not QNetworkInformation.loadBackendByFeatures(feature):
                log.info("no network information backend: the outbox is tried every few minutes")
                return
            info = QNetworkInformation.instance()
            if info is None or not info.supports(feature):
                return
            info.reachabilityChanged.connect(self._reachability_changed)
            self.network_watched = True
            log.info("watching the network with Qt's %s backend", info.backendName())
        except Exception as exc:  # noqa: BLE001 - optional: the timer still works
            log.info("network information unavailable (%s): the outbox is tried every few minutes", exc)

    def _reachability_changed(self, reachability) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if reachability == QNetworkInformation.Reachability.Online:
            log.info("the network is back: sending the outbox")
            self.send()

    def send(self) -> None:
        if self.busy or not self.ready():
            return
        self.busy = True
        services, policy, bridge = self.services, self.policy, self.bridge

        def work() -> int:
            if not services.publications.outbox(due_at=time.time()):
                return 0
            return len(services.publisher(policy).send_outbox(on_update=bridge.emit_from_worker))

        def done(count: int) -> None:
            self.busy = False
            self.sent.emit(count)

        def failed(exc: BaseException) -> None:
            self.busy = False
            log.warning("sending the outbox failed: %s", exc)

        self.runner.run(work, on_success=done, on_failure=failed, owner=self, lane="io")
