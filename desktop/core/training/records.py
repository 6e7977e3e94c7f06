"""The local record of training: policy acknowledgements and checks of understanding, word for word.

One table, ``training_records`` (drafts database, migration 6), one row per event, never updated:

======================  =========================================================================
``kind``                ``acknowledgement`` or ``quiz``
``policy_id``           the policy's id, ``policy_version`` its version, ``policy_name`` its name
``category``            a quiz about one category; "" for the whole policy (and acknowledgements)
``passed``              quizzes: 1 passed, 0 not; NULL for acknowledgements
``wording``             the exact text the person read and acknowledged, or every question with the
                        answer given and the right one (:meth:`QuizResult.wording`)
``details``             the same as JSON (``summary``/``statement``, or the graded questions)
``recorded_at``         seconds since the epoch (UTC)
======================  =========================================================================

The audit trail exports :meth:`TrainingRecords.records` (each :meth:`TrainingRecord.as_json`) as it is.
Writes go through the drafts store's one connection and lock (:meth:`DraftStore.transaction`).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop.core.audit import chain as audit_chain
from desktop.core.audit import events as audit_events
from desktop.core.training.summary import ACKNOWLEDGEMENT_STATEMENT, PolicySummary

if TYPE_CHECKING:
    from desktop.core.drafts.store import DraftStore
    from desktop.core.training.quiz import QuizResult

ACKNOWLEDGEMENT, QUIZ = "acknowledgement", "quiz"
_COLUMNS = "id, kind, policy_id, policy_version, policy_name, category, passed, wording, details, recorded_at"


@dataclass(frozen=True)
class TrainingRecord:
    id: int
    kind: str
    policy_id: str
    policy_version: str
    policy_name: str
    category: str
    passed: bool | None
    wording: str
    details: dict[str, Any]
    recorded_at: float

    def when(self) -> str:
        """The local date and time, as a person reads it."""
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.recorded_at))

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "policy_id": self.policy_id, "policy_version": self.policy_version,
                "policy_name": self.policy_name, "category": self.category, "passed": self.passed,
                "wording": self.wording, "details": self.details,
                "recorded_at": dt.datetime.fromtimestamp(self.recorded_at, dt.UTC).isoformat()}


def acknowledgement_wording(summary: PolicySummary) -> str:
    """What a person acknowledges: the summary as shown, then the statement they agreed to."""
    return f"{summary.as_text()}\nAcknowledged: {ACKNOWLEDGEMENT_STATEMENT}\n"


class TrainingRecords:
    """Reads and writes ``training_records`` in the profile's drafts database (any thread; the UI calls
    it on the ``db`` lane)."""

    def __init__(self, store: DraftStore, clock: Callable[[], float] | None = None) -> None:
        self.store = store
        self.clock = clock or store.clock

    def acknowledge(self, summary: PolicySummary) -> TrainingRecord:
        """Record that the person acknowledged *summary* (its policy id and version), word for word."""
        details = {"summary": summary.as_text(), "statement": ACKNOWLEDGEMENT_STATEMENT}
        return self._insert(ACKNOWLEDGEMENT, summary.policy_id, summary.version, summary.name, "", None,
                            acknowledgement_wording(summary), details)

    def record_quiz(self, result: QuizResult) -> TrainingRecord:
        quiz = result.quiz
        return self._insert(QUIZ, quiz.policy_id, quiz.policy_version, quiz.policy_name, quiz.category,
                            result.passed, result.wording(), result.as_json())

    def acknowledgement(self, policy_id: str, version: str) -> TrainingRecord | None:
        """The latest acknowledgement of this policy id and version (None: not acknowledged yet)."""
        rows = self._select("WHERE kind = ? AND policy_id = ? AND policy_version = ? ORDER BY recorded_at DESC, id DESC "
                            "LIMIT 1", (ACKNOWLEDGEMENT, policy_id, version))
        return rows[0] if rows else None

    def latest_acknowledgement(self) -> TrainingRecord | None:
        """The latest acknowledgement of any policy (what Help → Company policy shows when the policy
        in force has not been acknowledged yet)."""
        rows = self._select("WHERE kind = ? ORDER BY recorded_at DESC, id DESC LIMIT 1", (ACKNOWLEDGEMENT,))
        return rows[0] if rows else None

    def quiz_passed(self, policy_id: str, version: str) -> bool:
        """Whether a check of the whole policy was passed under this id and version."""
        return bool(self._select("WHERE kind = ? AND policy_id = ? AND policy_version = ? AND category = '' "
                                 "AND passed = 1 LIMIT 1", (QUIZ, policy_id, version)))

    def records(self, policy_id: str | None = None) -> list[TrainingRecord]:
        """Every record (of one policy id), oldest first: what the audit trail exports."""
        if policy_id is None:
            return self._select("ORDER BY recorded_at, id", ())
        return self._select("WHERE policy_id = ? ORDER BY recorded_at, id", (policy_id,))

    def offer_category(self, policy_id: str, category: str) -> bool:
        """Note that the category's quiz was offered; True the first time for this policy id and category."""
        with self.store.transaction() as db:
            cursor = db.execute("INSERT OR IGNORE INTO training_categories_offered (policy_id, category, offered_at) "
                                "VALUES (?, ?, ?)", (policy_id, category, self.clock()))
        return cursor.rowcount == 1

    def categories_offered(self, policy_id: str) -> set[str]:
        with self.store.reading() as db:
            rows = db.execute("SELECT category FROM training_categories_offered WHERE policy_id = ?",
                              (policy_id,)).fetchall()
        return {row[0] for row in rows}

    # -- internals -----------------------------------------------------------------------------------
    def _insert(self, kind: str, policy_id: str, version: str, name: str, category: str, passed: bool | None,
                wording: str, details: dict[str, Any]) -> TrainingRecord:
        now = self.clock()
        encoded = json.dumps(details, ensure_ascii=False, sort_keys=True)
        with self.store.transaction() as db:
            cursor = db.execute(
                "INSERT INTO training_records (kind, policy_id, policy_version, policy_name, category, passed, wording, "
                "details, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (kind, policy_id, version, name, category, None if passed is None else int(passed), wording,
                 encoded, now))
            row_id = int(cursor.lastrowid or 0)
            # the audit trail, in the same transaction: a policy acknowledged, or a quiz result
            if kind == QUIZ:
                audit_kind, record = audit_events.quiz_result(
                    policy_id=policy_id, policy_version=version, policy_name=name, category=category,
                    right=int(details.get("right", 0)), total=int(details.get("total", 0)), passed=bool(passed),
                    training_record_id=row_id, wording=wording)
            else:
                audit_kind, record = audit_events.policy_acknowledged(
                    policy_id=policy_id, policy_version=version, policy_name=name, training_record_id=row_id,
                    wording=wording)
            audit_chain.append(db, audit_kind, record, now)
        return TrainingRecord(row_id, kind, policy_id, version, name, category, passed, wording, details, now)

    def _select(self, where: str, params: tuple[Any, ...]) -> list[TrainingRecord]:
        with self.store.reading() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM training_records {where}", params).fetchall()
        return [_record(row) for row in rows]


def _record(row: tuple[Any, ...]) -> TrainingRecord:
    try:
        details = json.loads(row[8])
    except ValueError:
        details = {}
    passed = None if row[6] is None else bool(row[6])
    return TrainingRecord(row[0], row[1], row[2], row[3], row[4], row[5], passed, row[7],
                          details if isinstance(details, dict) else {}, row[9])
