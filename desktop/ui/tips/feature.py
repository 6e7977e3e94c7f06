"""TipsFeature: the Tips panel's wiring in the main window.

- Loads the built-in tips and the ``tips.folder`` tips on the ``io`` lane (a network folder may be
  slow), then adds the ``[[tips]]`` of the policy in force whenever the policy changes.
- Re-ranks the panel on every change of the draft's findings (``Composer.findings_changed``, the
  signal the Policy panel listens to) and of the composer's networks.
- Answers the live check's "which tip explains this finding?" (:meth:`tip_for`), so a finding's
  tooltip, context menu and details say "Learn more: <tip title>"; choosing it shows the tip here.
- Shows the tip of the day once the tips are loaded, when ``tips.show_at_start`` is on; which tip
  was shown on which day is kept in ``tips-shown.json`` beside the drafts database (written on the
  ``db`` lane).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDockWidget, QWidget

from desktop.core.tips import FindingKey, Tip, TipHistory, TipLibrary, load_tips, policy_tips, rule_kinds, tips_for
from desktop.ui.tips.panel import TipsPanel
from desktop.ui.tips.tip_of_day import TipOfTheDay

if TYPE_CHECKING:
    from desktop.core.settings import Settings
    from desktop.ui.common.tasks import TaskRunner
    from desktop.ui.composer.composer import Composer
    from desktop.ui.policy.live_finding import LiveFinding

log = logging.getLogger(__name__)


class TipsFeature(QObject):
    loaded = Signal()  # the tips (files and the policy's) are in the panel

    def __init__(self, settings: Settings, runner: TaskRunner, composer: Composer,
                 networks: Callable[[], tuple[str, ...]], history_file: Path | None, card_host: QWidget,
                 parent: QWidget, open_url: Callable[[str], object] | None = None,
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        super().__init__(parent)
        self.settings, self.runner, self.composer = settings, runner, composer
        self._networks = networks
        self._history_file = history_file
        self._today = today
        self.panel = TipsPanel(parent, open_url=open_url)
        self.dock: QDockWidget | None = None
        self.card = TipOfTheDay(card_host, bool(settings.get("tips.show_at_start")),
                                locked=settings.is_locked("tips.show_at_start"), anchor=composer.editor)
        self.files = TipLibrary()  # built-in + folder
        self.library = TipLibrary()  # + the policy's
        self._folder: str | None = None
        self._kinds: dict[str, str] = {}
        self._policy_key: object = None
        self._shown_today = False
        self.history: TipHistory | None = None
        composer.findings_changed.connect(self._findings_changed)
        composer.policy.tip_for = self.tip_for
        composer.policy.tip_requested.connect(self.show_tip)
        self.card.read_requested.connect(self.show_tip)
        self.card.next_requested.connect(self._next_tip)
        self.card.show_at_start_changed.connect(self._set_show_at_start)

    # -- loading -----------------------------------------------------------------------------------
    def load(self) -> None:
        """(Re)read the tip files on the io lane (the built-in ones and the tips folder)."""
        folder = str(self.settings.get("tips.folder") or "")
        self._folder = folder
        history_file = self._history_file

        def work() -> tuple[TipLibrary, TipHistory]:
            return load_tips(folder or None), TipHistory(history_file)

        self.runner.run(work, on_success=self._files_loaded, owner=self.panel, lane="io",
                        on_failure=lambda exc: log.error("tips could not be loaded: %s", exc))

    def settings_changed(self) -> None:
        """After the settings dialog: read the folder again if it changed."""
        if str(self.settings.get("tips.folder") or "") != self._folder:
            self.load()
        self.card.checkbox.blockSignals(True)
        self.card.checkbox.setChecked(bool(self.settings.get("tips.show_at_start")))
        self.card.checkbox.blockSignals(False)

    def _files_loaded(self, result: tuple[TipLibrary, TipHistory]) -> None:
        self.files, self.history = result
        self._policy_key = None
        self.policy_changed()
        self.loaded.emit()
        if not self._shown_today and self.settings.get("tips.show_at_start"):
            self._shown_today = True
            self.show_tip_of_the_day()

    def skip_tip_of_the_day(self) -> None:
        """No tip of the day this session (the guided tour is showing: one thing at a time on a first start)."""
        self._shown_today = True
        self.card.hide()

    def policy_changed(self) -> None:
        """Merge the ``[[tips]]`` of the policy now checking (cheap: a few tables) and refresh the panel."""
        policy = self.composer.checking_policy
        key = (policy.version_key, id(policy)) if policy is not None else None
        if key == self._policy_key and len(self.library):
            return
        self._policy_key = key
        if policy is not None:
            tips, problems = policy_tips(policy.info.tips, policy.info.id)
            self._kinds = rule_kinds(policy.rules)
        else:
            tips, problems = [], []
            self._kinds = {}
        for problem in problems:
            log.warning("tip left out: %s", problem)
        self.library = self.files.merged(tips, problems)
        self.panel.set_tips(list(self.library.tips.values()), self.library.problems)
        self._findings_changed(self.composer.findings)

    # -- findings and networks ---------------------------------------------------------------------
    def finding_key(self, item: LiveFinding) -> FindingKey:
        finding = item.finding
        return FindingKey(finding.rule_id, finding.category, self._kinds.get(finding.rule_id, ""), item.severity)

    def _findings_changed(self, findings: list[LiveFinding]) -> None:
        keys = [self.finding_key(item) for item in findings if item.counts]
        self.panel.set_context(keys, self._networks())

    def networks_changed(self) -> None:
        self._findings_changed(self.composer.findings)

    def tip_for(self, finding: Any) -> Tip | None:
        """The tip that best explains *finding* (a policy Finding), or None."""
        key = FindingKey(finding.rule_id, finding.category, self._kinds.get(finding.rule_id, ""))
        found = tips_for(self.library.tips.values(), key)
        return found[0] if found else None

    # -- showing -----------------------------------------------------------------------------------
    def show_tip(self, tip_id: str) -> None:
        """Show *tip_id* in the Tips panel and bring the panel forward."""
        if not self.panel.show_tip(tip_id):
            return
        if self.dock is not None:
            self.dock.show()
            self.dock.raise_()
        self.panel.list.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_tip_of_the_day(self) -> Tip | None:
        if not len(self.library):
            return None
        history = self.history or TipHistory(None)
        tip = history.pick(self.library.tips.values(), self._today())
        if tip is None:
            return None
        self.card.show_tip(tip)
        self._save_history()
        return tip

    def _next_tip(self, current: str) -> None:
        history = self.history or TipHistory(None)
        tip = history.next_after(self.library.tips.values(), current)
        if tip is not None:
            self.card.show_tip(tip)

    def _save_history(self) -> None:
        history = self.history
        if history is None or history.path is None:
            return
        self.runner.run(history.save, owner=self.panel, lane="db",
                        on_failure=lambda exc: log.warning("tips history not saved: %s", exc))

    def _set_show_at_start(self, on: bool) -> None:
        if self.settings.is_locked("tips.show_at_start"):
            return
        self.settings.set("tips.show_at_start", on)
        self.runner.run(self.settings.save, owner=self.panel, lane="db",
                        on_failure=lambda exc: log.warning("settings not saved: %s", exc))
