"""Training in the main window: the policy summary to acknowledge, Help → Company policy, the check of
understanding, and its offer the first time a finding of a category is met.

- Whenever a policy loads (first start, a new id or version), the record is read on the ``db`` lane;
  if the policy is not acknowledged yet a bar above the editor says so (Read the policy…) and its
  summary opens once per session, without taking the focus from the editor: drafting goes on.
- Publishing is refused by the publishing service itself until then
  (:class:`desktop.core.training.gate.PolicyGate`); this feature only shows and asks.
- The check of understanding is offered after the acknowledgement (required before publishing when
  IT sets ``training.quiz_required``), and for one category the first time the person meets a
  finding of it. Quizzes are built on the ``compute`` lane (they run the policy on its examples),
  records written on the ``db`` lane.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction

from desktop.core.training import GateStatus, PolicyGate, build_quiz, summarise
from desktop.core.training.quiz import CATEGORY_QUESTIONS, PER_CATEGORY
from desktop.core.training.summary import category_title
from desktop.ui.common.menus import add_to_help_menu
from desktop.ui.common.notice import NoticeBar
from desktop.ui.common.tasks import TaskRunner

if TYPE_CHECKING:
    from desktop.core.policy import Policy
    from desktop.core.training import Quiz, QuizResult, TrainingRecord
    from desktop.ui.training.quiz_dialog import QuizDialog
    from desktop.ui.training.summary_dialog import PolicySummaryDialog

log = logging.getLogger(__name__)


class TrainingFeature(QObject):
    status_changed = Signal(object)  # GateStatus of the policy in force, after every reading of the record
    quiz_shown = Signal(object)  # QuizDialog
    recorded = Signal(object)  # TrainingRecord just written

    def __init__(self, window: Any, gate: PolicyGate, runner: TaskRunner, *,
                 seed: Callable[[], int] | None = None) -> None:
        """*window* is the main window (its ``policy_now``, ``policy_changed``, ``composer``); *seed* draws
        each quiz's seed (default: random; tests pass a fixed one)."""
        super().__init__(window)
        self.window, self.gate, self.runner = window, gate, runner
        self.records = gate.records
        self.seed = seed or (lambda: random.SystemRandom().randrange(2**31))
        self.status: GateStatus | None = None
        self.latest: TrainingRecord | None = None
        self.summary_dialog: PolicySummaryDialog | None = None
        self.quiz_dialog: QuizDialog | None = None
        self._asked: set[tuple[str, str]] = set()  # policies whose summary opened by itself this session
        self._offered: set[str] = set()  # categories whose check was offered (for the policy in force)
        self._policy: Policy | None = None

        self.bar = NoticeBar(window)
        self.bar.setObjectName("training-notice")
        self.bar.setAccessibleName("Company policy notice")
        central = window.centralWidget()
        if central is not None and central.layout() is not None:
            central.layout().insertWidget(0, self.bar)
        self.action = QAction("Company &policy…", window)
        self.action.setObjectName("show-company-policy")
        self.action.setStatusTip("The company policy's summary, your acknowledgement and the check of understanding")
        self.action.triggered.connect(lambda: self.show_policy())
        add_to_help_menu(window, self.action)
        window.policy_changed.connect(self.refresh)
        window.composer.findings_changed.connect(self._findings_changed)
        if window.policy_now() is not None:
            QTimer.singleShot(0, self.refresh)

    # -- the record --------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read where the person stands with the policy in force (on the ``db`` lane)."""
        policy = self.window.policy_now()
        if policy is None:
            return
        gate, records = self.gate, self.records

        def read() -> tuple[Policy, GateStatus, TrainingRecord | None, set[str]]:
            return (policy, gate.status(policy), records.latest_acknowledgement(),
                    records.categories_offered(policy.info.id))

        self.runner.run(read, on_success=self._read, on_failure=self._failed, owner=self, lane="db")

    def _read(self, result: tuple[Policy, GateStatus, TrainingRecord | None, set[str]]) -> None:
        policy, status, latest, offered = result
        if policy is not self.window.policy_now():
            self.refresh()  # another policy loaded meanwhile
            return
        self._policy, self.status, self.latest, self._offered = policy, status, latest, set(offered)
        dialog = self.summary_dialog
        if dialog is not None and (dialog.summary.policy_id, dialog.summary.version) != (status.policy_id,
                                                                                         status.version):
            dialog.set_summary(summarise(policy))
        if dialog is not None:
            dialog.set_status(status, latest)
        self._show_bar(status)
        key = (status.policy_id, status.version)
        if not status.acknowledged and key not in self._asked:
            self._asked.add(key)
            self.show_policy(activate=False)
        self.status_changed.emit(status)

    def _show_bar(self, status: GateStatus) -> None:
        if not status.acknowledged:
            new = self.latest is not None and self.latest.policy_id == status.policy_id
            self.bar.show_message(
                f"{'The company policy has a new version' if new else 'Please read the company policy'}: "
                f"{status.name}, version {status.version}. Publishing waits until you acknowledge it; "
                "writing drafts works as usual.", "Read the policy…", lambda: self.show_policy())
        elif status.quiz_required and not status.quiz_passed:
            self.bar.show_message("Your organisation asks you to pass a short check of understanding of the "
                                  "company policy before publishing.", "Check my understanding…",
                                  lambda: self.start_quiz())
        elif self.bar.isVisible() and self.bar.property("gate"):
            self.bar.hide()
        self.bar.setProperty("gate", not status.open)

    def _failed(self, exc: BaseException) -> None:
        log.error("training record: %s", exc)
        self.bar.show_message(f"Could not read or write your policy acknowledgement record: {exc}. Publishing "
                              "waits until it can be read; try Help → Company policy… again.")

    # -- the summary and the acknowledgement ---------------------------------------------------------
    def show_policy(self, activate: bool = True) -> None:
        """Help → Company policy: the summary, the record, Acknowledge and the check of understanding.
        *activate* False: shown without taking the focus from the editor (when it opens by itself)."""
        policy = self._policy or self.window.policy_now()
        if policy is None:
            self.bar.show_message("The company policy is still loading: its summary will be here in a moment.")
            return
        if self.summary_dialog is None:
            from desktop.ui.training.summary_dialog import PolicySummaryDialog

            dialog = PolicySummaryDialog(summarise(policy), self.window)
            dialog.acknowledge_requested.connect(self.acknowledge)
            dialog.quiz_requested.connect(lambda: self.start_quiz())
            dialog.finished.connect(self._summary_closed)
            self.summary_dialog = dialog
            dialog.set_status(self.status, self.latest)
        dialog = self.summary_dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, not activate)
        dialog.show()
        if activate:
            dialog.raise_()
            dialog.activateWindow()

    def _summary_closed(self, _result: int) -> None:
        dialog, self.summary_dialog = self.summary_dialog, None
        if dialog is not None:
            dialog.deleteLater()

    def acknowledge(self) -> None:
        """Record the acknowledgement of the summary shown, word for word (``db`` lane)."""
        dialog = self.summary_dialog
        policy = self._policy
        if dialog is None or policy is None:
            return
        summary, gate, records = dialog.summary, self.gate, self.records

        def write() -> tuple[TrainingRecord, GateStatus, TrainingRecord | None]:
            record = records.acknowledge(summary)
            return record, gate.status(policy), records.latest_acknowledgement()

        def done(result: tuple[TrainingRecord, GateStatus, TrainingRecord | None]) -> None:
            record, status, latest = result
            self.status, self.latest = status, latest
            if self.summary_dialog is not None:
                self.summary_dialog.acknowledged(status, latest)
            self._show_bar(status)
            if status.open:
                self.bar.show_message(
                    f"Thank you: your acknowledgement of version {status.version} is recorded (Help → Company "
                    "policy). A short check of understanding is there too, built from the policy's own examples.",
                    "Check my understanding…", lambda: self.start_quiz())
                self.bar.setProperty("gate", False)
            self.recorded.emit(record)
            self.status_changed.emit(status)

        self.runner.run(write, on_success=done, on_failure=self._failed, owner=self, lane="db")

    # -- the check of understanding --------------------------------------------------------------------
    def start_quiz(self, category: str = "") -> None:
        """Build a check (of one *category*, or of the whole policy) on the ``compute`` lane, then show it."""
        policy = self._policy or self.window.policy_now()
        if policy is None:
            return
        seed = self.seed()

        def build() -> Quiz:
            if category:
                return build_quiz(policy, seed, per_category=CATEGORY_QUESTIONS, categories=[category])
            return build_quiz(policy, seed, per_category=PER_CATEGORY)

        self.runner.run(build, on_success=self._show_quiz, on_failure=self._failed, owner=self, lane="compute")

    def _show_quiz(self, quiz: Quiz) -> None:
        if not quiz.questions:
            self.bar.show_message("The policy has no examples for this topic to build a check from.")
            return
        from desktop.ui.training.quiz_dialog import QuizDialog

        if self.quiz_dialog is not None:
            self.quiz_dialog.close()
        parent = self.summary_dialog if self.summary_dialog is not None and self.summary_dialog.isVisible() \
            else self.window
        dialog = QuizDialog(quiz, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.completed.connect(self._record_quiz)
        dialog.destroyed.connect(lambda: setattr(self, "quiz_dialog", None))
        self.quiz_dialog = dialog
        dialog.open()
        self.quiz_shown.emit(dialog)

    def _record_quiz(self, result: QuizResult) -> None:
        policy, gate, records = self._policy, self.gate, self.records

        def write() -> tuple[TrainingRecord, GateStatus | None]:
            record = records.record_quiz(result)
            return record, gate.status(policy) if policy is not None else None

        def done(written: tuple[TrainingRecord, GateStatus | None]) -> None:
            record, status = written
            if status is not None:
                self.status = status
                if self.summary_dialog is not None:
                    self.summary_dialog.set_status(status, self.latest)
                if status.open and self.bar.property("gate"):
                    self.bar.hide()
                    self.bar.setProperty("gate", False)
                self.status_changed.emit(status)
            self.recorded.emit(record)

        self.runner.run(write, on_success=done, on_failure=self._failed, owner=self, lane="db")

    def _findings_changed(self, findings: list[Any]) -> None:
        """Offer a category's check the first time the person meets a finding of it (once per policy id)."""
        status, policy = self.status, self._policy
        if status is None or policy is None or not status.acknowledged or self.quiz_dialog is not None:
            return
        categories = {item.finding.category for item in findings
                      if item.severity in ("block", "warn") and getattr(item.finding, "mode", "enforce") == "enforce"
                      and not getattr(item.finding, "incomplete", False)}
        new = sorted(categories - self._offered)
        if not new:
            return
        category = new[0]
        self._offered.add(category)
        records, policy_id = self.records, policy.info.id

        def offered(first: bool) -> None:
            if first:
                self.bar.show_message(
                    f"This is the first time you met a finding about {category_title(category).lower()}. A short "
                    "check of understanding shows what the policy asks, with its own examples.",
                    "Check my understanding…", lambda: self.start_quiz(category))
                self.bar.setProperty("gate", False)

        self.runner.run(lambda: records.offer_category(policy_id, category), on_success=offered,
                        on_failure=self._failed, owner=self, lane="db")
