"""Which policy is in force in the window: loaded off the GUI thread, handed to the composer, named
in the status bar, its problems in a notice bar of its own.

:meth:`PolicyLoader.load` loads the policy the ``policy.source`` setting names on the ``policy``
lane (:func:`desktop.core.policy.active.load_active_policy`: the configured policy, else the last
good copy kept in the profile, else none). The composer keeps checking with the current policy until
the new one is ready; a load made stale by another one is dropped.

A policy URL (``https://…``) is downloaded first on the ``io`` lane (a slow server never holds up
checking posts on the ``policy`` lane), then validated there; a timer on the GUI thread asks the
server again every ``policy.refresh_hours``, and another keeps the status bar's "updated 5 min ago"
current. The status bar names the policy, its version, where it comes from and how fresh it is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel

from desktop.core.drafts import DraftStore
from desktop.core.settings import Settings
from desktop.ui.common.notice import NoticeBar
from desktop.ui.common.tasks import TaskRunner
from desktop.ui.common.theme import status_color

if TYPE_CHECKING:
    from desktop.core.policy import Policy
    from desktop.core.policy.active import ActivePolicy
    from desktop.core.policy.remote import Refresh, RemotePolicy
    from desktop.ui.composer.composer import Composer

log = logging.getLogger(__name__)

LABEL_TICK_MS = 60_000  # the freshness in the status bar ("updated 5 min ago") is rewritten every minute


class PolicyLoader(QObject):
    changed = Signal()  # a load finished (see active)

    def __init__(self, settings: Settings, store: DraftStore, runner: TaskRunner, composer: Composer,
                 notice: NoticeBar, label: QLabel, cache: Path | None, db_failed: Callable[[BaseException], None],
                 parent: QObject | None = None, remote: RemotePolicy | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.store = store
        self.runner = runner
        self.composer = composer
        self.notice = notice
        self.label = label
        self.cache = cache
        self.db_failed = db_failed
        self.remote = remote
        self.active: ActivePolicy | None = None
        self.loaded_source: str | None = None
        self._request = 0
        self.refresh_timer = QTimer(self)  # asks a policy server again every policy.refresh_hours
        self.refresh_timer.timeout.connect(self.refresh)
        self._schedule()
        self.label_timer = QTimer(self)
        self.label_timer.setInterval(LABEL_TICK_MS)
        self.label_timer.timeout.connect(self.show_label)

    def policy_now(self) -> Policy | None:
        """The policy in force (for publishing; any thread may ask)."""
        active = self.active
        return active.policy if active is not None else None

    def load(self, *, quietly: bool = False) -> None:
        """(Re)load the policy the settings name, off the GUI thread. *quietly*: a scheduled refresh;
        the composer keeps its state until a new policy arrives."""
        source = self.settings.get("policy.source")
        cache = self.cache
        remote = self.remote
        self._request += 1
        request = self._request
        self.loaded_source = source
        if not quietly:
            self.composer.policy_loading()
        if self.active is None:
            self.label.setText("Policy: loading…")

        def validate(refreshed: Refresh | None) -> None:
            def work() -> ActivePolicy:
                from desktop.core.policy.active import load_active_policy  # the engine's import, off the GUI thread

                return load_active_policy(source, cache, remote=remote, refreshed=refreshed)

            self.runner.run(work, on_success=lambda active: self._loaded(request, active),
                            on_failure=lambda exc: self._failed(request, source, exc), owner=self, lane="policy")

        from desktop.core.policy.remote import is_policy_url, refresh

        if remote is not None and is_policy_url(source):
            def download() -> Refresh:
                return refresh(source.strip(), remote)

            self.runner.run(download, on_success=lambda refreshed: validate(refreshed) if request == self._request
                            else None, on_failure=lambda exc: self._failed(request, source, exc), owner=self,
                            lane="io")
        else:
            validate(None)

    def refresh(self) -> None:
        """The timer's turn: ask the policy server again (a built-in or file policy is left alone)."""
        from desktop.core.policy.remote import is_policy_url

        if self.loaded_source is not None and is_policy_url(self.settings.get("policy.source")):
            self.load(quietly=True)

    def _schedule(self) -> None:
        hours = self.settings.get("policy.refresh_hours")
        interval = int(hours * 3_600_000)
        if self.refresh_timer.interval() != interval or not self.refresh_timer.isActive():
            self.refresh_timer.start(interval)

    def reload_if_changed(self) -> None:
        """After the settings changed: load again when they name another policy (or the proxy and
        certificates a policy URL is downloaded with changed); follow a new refresh interval."""
        self._schedule()
        if self.loaded_source is not None and self.settings.get("policy.source") != self.loaded_source:
            self.load()
        elif self._network != self._network_now() and self.active is not None and self.active.origin == "url":
            self.load(quietly=True)
        self._network = self._network_now()

    _network: tuple[object, ...] = ()

    def _network_now(self) -> tuple[object, ...]:
        return (self.settings.get("network.proxy"), self.settings.get("network.ca_certificates"))

    def _loaded(self, request: int, active: ActivePolicy) -> None:
        if request != self._request:
            return  # the setting changed again meanwhile
        self.active = active
        self._network = self._network_now()
        if active.policy is not None:
            self.composer.set_policy(active.policy)
            # acknowledgements made under another policy version never apply again
            self.drop_other_acknowledgements(active.policy.version_key)
        else:
            self.composer.set_policy(None, active.off_reason)
        if active.notice:
            self.notice.show_message(active.notice)
        else:
            self.notice.hide()
        self.show_label()
        self.changed.emit()

    def _failed(self, request: int, source: str, exc: BaseException) -> None:
        # load_active_policy reports policy problems itself; this is an unexpected failure
        log.error("loading the policy failed", exc_info=exc)
        if request != self._request:
            return
        from desktop.core.policy import PolicyProblem
        from desktop.core.policy.active import ActivePolicy
        from desktop.core.policy.remote import is_policy_url

        self._loaded(request, ActivePolicy(source, None, (PolicyProblem(source, None, None, str(exc)),),
                                           origin="url" if is_policy_url(source) else ""))

    def show_label(self) -> None:
        """Name the policy in force in the status bar: name, version, source (built-in, file, URL host)
        and freshness; coloured when there is none or only a kept copy. The tooltip has the details."""
        active = self.active
        if active is None:
            return
        if not self.label_timer.isActive():
            self.label_timer.start()
        palette = self.label.window().palette()  # the window's: the label's own may carry the last colour
        colour: QColor | None
        if active.policy is None:
            text, colour = "Policy: none · publishing refused", status_color(palette, "block")
            tip = active.notice or ""
        else:
            text, tip = policy_label_texts(active, self.settings.get("policy.refresh_hours"))
            colour = status_color(palette, "warn") if active.fallback else None
        self.label.setText(text)
        self.label.setToolTip(tip)
        self.label.setAccessibleDescription(tip)
        label_palette = self.label.palette()
        label_palette.setColor(QPalette.ColorRole.WindowText,
                               colour if colour is not None else palette.color(QPalette.ColorRole.WindowText))
        self.label.setPalette(label_palette)

    def drop_other_acknowledgements(self, version_key: str) -> None:
        store = self.store
        self.runner.run(lambda: store.drop_acknowledgements_of_other_policies(version_key),
                        on_failure=self.db_failed, owner=self, lane="db")


def policy_label_texts(active: ActivePolicy, refresh_hours: int) -> tuple[str, str]:
    """The status bar's text and tooltip for a policy in use."""
    from desktop.core.hosts import shown_url

    assert active.policy is not None
    info = active.policy.info
    parts = [f"Policy: {info.name} {info.version}", active.source_label]
    freshness = active.freshness()
    if freshness:
        parts.append(freshness)
    elif active.fallback:
        parts.append("last good copy")
    tip = [f"{info.name}, version {info.version}", f"Owner: {info.owner} ({info.contact})"]
    if active.origin == "url":
        tip.append(f"Source: {shown_url(active.configured)}")
        if active.fetched_at is not None:
            tip.append(f"Last confirmed by the server: {active.fetched_at:%d %b %Y %H:%M:%S}")
        if active.etag:
            tip.append(f"Version tag (ETag): {active.etag}")
        every = "hour" if refresh_hours == 1 else f"{refresh_hours} hours"
        tip.append(f"Checked again every {every} (policy.refresh_hours).")
    elif active.origin == "file":
        tip.append(f"File: {info.source}")
    else:
        tip.append(f"Built into Chorus ({info.source})")
    if active.fallback:
        problem = active.problems[0] if active.problems else None
        what = "could not be updated" if active.origin == "url" and active.fetched_at else "cannot be used"
        tip.append("")
        tip.append(f"The configured policy {what}" + (f": {problem.message}" if problem else "") + " (see the notice).")
    return " · ".join(parts), "\n".join(tip)
