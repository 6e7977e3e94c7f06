"""Which policy is in force in the window: loaded off the GUI thread, handed to the composer, named
in the status bar, its problems in a notice bar of its own.

:meth:`PolicyLoader.load` loads the policy the ``policy.source`` setting names on the ``policy``
lane (:func:`desktop.core.policy.active.load_active_policy`: the configured policy, else the last
good copy kept in the profile, else none). The composer keeps checking with the current policy until
the new one is ready; a load made stale by another one is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel

from desktop.core.drafts import DraftStore
from desktop.core.settings import Settings
from desktop.ui.common.notice import NoticeBar
from desktop.ui.common.tasks import TaskRunner
from desktop.ui.common.theme import status_color

if TYPE_CHECKING:
    from desktop.core.policy import Policy
    from desktop.core.policy.active import ActivePolicy
    from desktop.ui.composer.composer import Composer

log = logging.getLogger(__name__)


class PolicyLoader(QObject):
    changed = Signal()  # a load finished (see active)

    def __init__(self, settings: Settings, store: DraftStore, runner: TaskRunner, composer: Composer,
                 notice: NoticeBar, label: QLabel, cache: Path | None, db_failed: Callable[[BaseException], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.store = store
        self.runner = runner
        self.composer = composer
        self.notice = notice
        self.label = label
        self.cache = cache
        self.db_failed = db_failed
        self.active: ActivePolicy | None = None
        self.loaded_source: str | None = None
        self._request = 0

    def policy_now(self) -> Policy | None:
        """The policy in force (for publishing; any thread may ask)."""
        active = self.active
        return active.policy if active is not None else None

    def load(self) -> None:
        """(Re)load the policy the settings name, off the GUI thread."""
        source = self.settings.get("policy.source")
        cache = self.cache
        self._request += 1
        request = self._request
        self.loaded_source = source
        self.composer.policy_loading()
        if self.active is None:
            self.label.setText("Policy: loading…")

        def work() -> ActivePolicy:
            from desktop.core.policy.active import load_active_policy  # the engine's import, off the GUI thread too

            return load_active_policy(source, cache)

        self.runner.run(work, on_success=lambda active: self._loaded(request, active),
                        on_failure=lambda exc: self._failed(request, source, exc), owner=self, lane="policy")

    def reload_if_changed(self) -> None:
        """After the settings changed: load again when they name another policy."""
        if self.loaded_source is not None and self.settings.get("policy.source") != self.loaded_source:
            self.load()

    def _loaded(self, request: int, active: ActivePolicy) -> None:
        if request != self._request:
            return  # the setting changed again meanwhile
        self.active = active
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

        self._loaded(request, ActivePolicy(source, None, (PolicyProblem(source, None, None, str(exc)),)))

    def show_label(self) -> None:
        """Name the policy in force in the status bar (coloured when there is none or only the last good copy)."""
        active = self.active
        if active is None:
            return
        palette = self.label.window().palette()  # the window's: the label's own may carry the last colour
        if active.policy is None:
            text, colour = "Policy: none · publishing refused", status_color(palette, "block")
            tip = active.notice or ""
        else:
            info = active.policy.info
            text = f"Policy: {info.name} {info.version}"
            colour = None
            if active.fallback:
                text += " (last good copy)"
                colour = status_color(palette, "warn")
            tip = f"{info.name}, version {info.version}\nOwner: {info.owner} ({info.contact})\nFile: {info.source}"
            if active.fallback:
                tip += f"\n\nThe configured policy “{active.configured}” cannot be used; see the notice."
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
