"""Live policy checking in the composer: debounce, run the checker, underline, explain, acknowledge.

Flow: the editor's text changes → a 150 ms single-shot timer (restarted by every keystroke) → the
checker runs on the current text → its code-point spans are converted once with
:class:`~desktop.ui.common.spans.Utf16Offsets` into :class:`~desktop.ui.policy.live_finding.LiveFinding`
cursors → the editor's underlines (:mod:`desktop.ui.policy.underlines`, which also owns the tooltips and
the context menu) and :attr:`LivePolicyCheck.findings_changed`. Every text change bumps a generation
counter; a result computed for an older generation is dropped.

Where the checker runs: on the GUI thread when the last check was fast enough that this one should
fit in half a frame (:data:`INLINE_BUDGET_S`, estimated from the last check's time and text
length), otherwise on the TaskRunner's ``policy`` lane, so a slow policy or a huge paste never
freezes typing. The first check after a policy arrives always runs on the lane (it measures the
policy). Only one check runs at a time: while one is on the lane nothing runs inline, and a queued
lane check made stale by newer typing is cancelled before it starts. The checker must be a pure
function of its argument.

Acknowledgements (see :mod:`desktop.core.drafts.acknowledgements`) are loaded per draft and policy
version and saved through the ``db`` lane; a finding that has one stops counting: no underline,
no tooltip, greyed in the panel, and it does not make :attr:`LivePolicyCheck.needs_acknowledgement`
true. A block finding can never be acknowledged.

A rule that could not finish in time (``Finding.incomplete``: its patterns used up the check's time
budget) is listed like any finding, with its severity (a block rule blocks, any other asks for an
acknowledgement), but has no underline: it is about the whole post, not a passage.

For publishing (a later feature) the state is exposed as :attr:`LivePolicyCheck.blocked` and
:meth:`LivePolicyCheck.publish_refusal`.

Staged rules (``mode = "advise"`` or ``"shadow"``, see :mod:`desktop.core.drafts.policy_usage`): an
advise rule's findings arrive from the checker as advisory hints and are listed like any hint; a
shadow rule is never run by the checker. When the checker is a policy's (``checker.policy``, a
:class:`~desktop.core.policy.targets.TargetedCheck`) with staged rules and the store is the drafts
database, every shown check is counted: the shadow rules run on the ``policy`` lane (for the
primary network), and the counts per rule (never any text) are written through the ``db`` lane,
only when a rule's count for this draft grew. Counting never holds up typing nor shows anything.

References (the ``authenticity`` rule, :mod:`desktop.core.policy.authenticity`): when a draft opens,
when the policy changes and when :meth:`LivePolicyCheck.refresh_references` is called (after a
publish), the texts the post is compared with are read on the ``db`` lane
(:func:`desktop.core.references.draft_references`: the author's own posts of the rule's
``own_posts_days``, the suggested copy of the ideas the draft was written from), and whatever each
callable in :attr:`LivePolicyCheck.reference_providers` adds for the draft.
The checker (a TargetedCheck) is then replaced by one with those references, and the text checked
again. Only when the policy has an authenticity rule; until they arrive the post is checked without.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QMenu, QPlainTextEdit

from desktop.core.drafts.acknowledgements import Acknowledgement, match, occurrences
from desktop.core.drafts.policy_usage import PolicyUsageStore, firings
from desktop.core.drafts.store import DraftStore
from desktop.core.publishing import verdict
from desktop.ui.common.spans import Utf16Offsets
from desktop.ui.common.tasks import TaskRunner
from desktop.ui.policy.live_finding import AcknowledgementStore, LiveFinding, MemoryStore, common_prefix, common_suffix
from desktop.ui.policy.underlines import Underlines

if TYPE_CHECKING:
    from desktop.core.policy.model import Finding, Reference

log = logging.getLogger(__name__)

CHECK_DELAY_MS = 150
INLINE_CHECK_LIMIT = 10_000  # characters; longer texts are always checked on the policy lane
INLINE_BUDGET_S = 0.008  # a check expected to take longer runs on the policy lane
OFF_REASON = "policy checking is off."

Checker = Callable[[str], "list[Finding]"]
# (draft id) -> texts the draft is compared with; called on the db lane
ReferenceProvider = Callable[[str], "Sequence[Reference]"]


class LivePolicyCheck(QObject):
    findings_changed = Signal(list)  # list[LiveFinding]: after every check, acknowledgement or policy change
    checked = Signal(int)  # the generation whose findings (and underlines) are now shown
    problem = Signal(str)  # a message for the user (check failed, acknowledgement not saved)
    show_requested = Signal(object)  # LiveFinding: "show in the Policy panel" from the editor's menu
    acknowledge_requested = Signal(object)  # LiveFinding: "Acknowledge…" from the editor's menu
    report_requested = Signal(object)  # LiveFinding: "This is wrong…" from the editor's menu
    tip_requested = Signal(str)  # a tip id: "Learn more: <tip>" from the editor's menu or the Policy panel

    def __init__(
        self,
        editor: QPlainTextEdit,
        runner: TaskRunner,
        checker: Checker | None = None,
        policy_version: str = "",
        store: AcknowledgementStore | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._editor = editor
        self._runner = runner
        self._base_checker = checker  # as set; _checker is it with the draft's references
        self._checker = checker
        self._policy_version = policy_version
        self._store = store
        # staged rules' counts go to the drafts database (not to a test's in-memory store)
        self._usage = PolicyUsageStore(store) if isinstance(store, DraftStore) else None
        self._usage_counted: dict[tuple[str, str], dict[str, int]] = {}  # (draft, policy version): counts written
        self._usage_last: tuple[str, str, str] | None = None  # (draft, policy version, text) last counted
        self.usage_records = 0  # counts handed to the db lane (diagnostics, tests)
        self._off_reason = OFF_REASON
        self._loading = False
        self._draft_id: str | None = None
        self._generation = 0
        self._applied_generation = -1  # the generation the shown findings belong to
        self._checked_text = ""
        self._offsets = Utf16Offsets("")
        self._items: list[LiveFinding] = []
        self._acks: list[Acknowledgement] = []
        self._acks_requests = 0  # acknowledgement loads started so far
        self._acks_awaited: int | None = None  # the load whose answer is awaited
        self._error: str | None = None
        self._lane_future: Future | None = None  # the check queued or running on the policy lane
        self._last_check_s: float | None = None  # how long the last check took (None: not measured yet)
        self._last_check_length = 0
        self.dropped_results = 0  # results that arrived for an older text (diagnostics, tests)
        self.last_check_ms = 0.0  # the checker's own time for the last applied result
        self.last_started_at = 0.0  # time.perf_counter() when the last check was started (benchmarks)
        self.last_check_inline = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check_now)
        # the tip explaining a finding (desktop.ui.tips sets it): "Learn more: <title>" in tooltips and menus
        self.tip_for: Callable[[Finding], Any] | None = None
        self.underlines = Underlines(editor, self, self)  # underlines, tooltips and the context menu
        # more texts the draft is compared with (the Ideas' suggested copy, plugged in by the window)
        self.reference_providers: list[ReferenceProvider] = []
        self._references: tuple[Reference, ...] = ()
        self._references_request = 0
        self.references_loaded = 0  # reference loads applied (tests, diagnostics)

    # -- state for the panel and for publishing --------------------------------------------------
    @property
    def enabled(self) -> bool:
        return self._checker is not None

    @property
    def policy_version(self) -> str:
        return self._policy_version

    @property
    def checking_policy(self) -> Any:
        """The policy behind the checker (a TargetedCheck's ``policy``; None for a plain checker)."""
        return getattr(self._checker, "policy", None)

    def can_report(self, item: LiveFinding) -> bool:
        """Whether "This is wrong…" applies: a finding of a policy's rule (not one that ran out of time)."""
        return self.checking_policy is not None and not getattr(item.finding, "incomplete", False)

    def record_false_positive(self, rule_id: str, words: str | None) -> None:
        """Note locally that the author reported a finding of *rule_id* as wrong (the matched *words*
        only when they chose to include them); on the db lane, never shown."""
        policy, usage = self.checking_policy, self._usage
        if policy is None or usage is None:
            return
        info = policy.info
        self._runner.run(lambda: usage.record_false_positive(info.id, info.version, rule_id, words),
                         on_failure=lambda exc: self.problem.emit(f"Could not note the report locally: {exc}"),
                         owner=self, lane="db")

    @property
    def off_reason(self) -> str:
        """Why checking is off (meaningful when :attr:`state` is 'off')."""
        return self._off_reason

    @property
    def findings(self) -> list[LiveFinding]:
        """The current findings, block first, then warn, then info, each in text order."""
        return list(self._items)

    @property
    def delay_ms(self) -> int:
        return self._timer.interval()

    @property
    def state(self) -> str:
        """'off' (no policy), 'loading' (a policy is on its way), 'pending' (the findings are not yet for
        the current text), 'failed' (the check raised) or 'ok'."""
        if self._checker is None:
            return "loading" if self._loading else "off"
        if self._draft_id is None:
            return "ok"
        if self._applied_generation != self._generation or self._acks_awaited is not None:
            return "pending"
        return "failed" if self._error is not None else "ok"

    @property
    def error(self) -> str | None:
        return self._error

    @property
    def blocked(self) -> bool:
        """Publishing must be refused and the author cannot acknowledge it away: a block finding stands,
        or there is no valid policy to check with (fail closed), or the check failed."""
        if self.state in ("off", "loading", "failed"):
            return True
        return any(item.severity == "block" for item in self._items)

    @property
    def needs_acknowledgement(self) -> bool:
        """A warn finding stands without an acknowledgement."""
        return any(item.severity == "warn" and item.counts for item in self._items)

    def publish_refusal(self) -> str | None:
        """Why the current text may not be published now, in words for the author; None when it may.

        Publishing (a later feature) calls this and must also re-check the text at publish time.
        """
        state = self.state
        if state == "off":
            return f"Publishing is refused: {self._off_reason}"
        if state == "loading":
            return "Publishing waits until the policy has loaded."
        if self._draft_id is None:
            return "There is no post to publish."
        if state == "pending":
            return "Publishing waits until the policy check of the latest text has finished."
        if state == "failed":
            return f"Publishing is refused: {self._error}"
        blocks = [item.finding for item in self._items if item.severity == "block"]
        warns = [item for item in self._items if item.severity == "warn" and item.counts]
        return verdict.refusal(blocks, len(warns))

    # -- what the composer tells us --------------------------------------------------------------
    def set_loading(self) -> None:
        """A policy is being loaded (shown while no checker is set; an active checker keeps working)."""
        self._loading = True
        if self._checker is None:
            self.findings_changed.emit(self.findings)

    def set_checker(self, checker: Checker | None, policy_version: str = "", off_reason: str | None = None) -> None:
        """Check with another checker or policy (a policy update, other networks); acknowledgements are
        reloaded when the version changes. ``None`` turns checking off, saying *off_reason*."""
        self._loading = False
        self._off_reason = off_reason or OFF_REASON
        self._base_checker = checker
        self._checker = self._with_references(checker)
        self._last_check_s = None  # measure the new checker first, off the GUI thread
        self._cancel_queued()
        version_changed = policy_version != self._policy_version
        self._policy_version = policy_version
        if version_changed:
            self._acks = []
            self._acks_awaited = None
            if self._draft_id is not None:
                self._load_acknowledgements(self._draft_id)
                self.refresh_references()
        self._generation += 1
        self._timer.stop()
        if checker is None:
            self._show([], self._generation, "", Utf16Offsets(""), 0.0)
        else:
            self.check_now()

    def draft_opened(self, draft_id: str | None) -> None:
        self._timer.stop()
        self._cancel_queued()
        self._generation += 1
        self._draft_id = draft_id
        self._acks = []
        self._acks_awaited = None
        self._items = []
        self._error = None
        self._references = ()
        self._checker = self._base_checker
        self._paint()
        if draft_id is not None:
            self._load_acknowledgements(draft_id)
            self.refresh_references()
        self.check_now()

    def text_edited(self) -> None:
        self._generation += 1
        if self._checker is not None:
            self._timer.start()

    # -- checking --------------------------------------------------------------------------------
    def check_now(self) -> None:
        """Check the current text now (the debounce timer calls this)."""
        self._timer.stop()
        self.last_started_at = time.perf_counter()
        generation = self._generation
        checker = self._checker
        if checker is None or self._draft_id is None:
            self._show([], generation, "", Utf16Offsets(""), 0.0)
            return
        text = self._editor.toPlainText()
        if self._inline_ok(text):
            from desktop.core.policy.budget import budget_limit  # loaded with the policy, not at start-up

            started = time.perf_counter()
            try:
                # the author's patterns get half a frame here; if that is not enough, the check runs
                # again on the lane with the full budget (the GUI thread never waits for it)
                with budget_limit(INLINE_BUDGET_S):
                    findings = list(checker(text))
            except Exception as exc:  # noqa: BLE001 - a broken rule must not take the editor down
                self._failed(generation, exc)
                return
            elapsed = time.perf_counter() - started
            self._measured(elapsed, len(text))
            if not any(getattr(f, "incomplete", False) for f in findings):
                self.last_check_inline = True
                self._show(findings, generation, text, Utf16Offsets(text), elapsed)
                return
            self._last_check_s = None  # too slow for the GUI thread now: measure it on the lane again

        def work() -> tuple[list, Utf16Offsets, float]:
            started = time.perf_counter()
            findings = list(checker(text))
            elapsed = time.perf_counter() - started
            return findings, Utf16Offsets(text), elapsed

        def done(result: tuple[list, Utf16Offsets, float]) -> None:
            if checker is self._checker:
                self._measured(result[2], len(text))
            self.last_check_inline = False
            self._show(result[0], generation, text, result[1], result[2])

        self._cancel_queued()
        # (done may run before run() returns; a finished future left in _lane_future is harmless)
        self._lane_future = self._runner.run(work, on_success=done, on_failure=lambda exc: self._failed(generation, exc),
                                             owner=self, lane="policy")

    def _inline_ok(self, text: str) -> bool:
        if self._last_check_s is None or len(text) > INLINE_CHECK_LIMIT:
            return False
        if self._lane_future is not None and not self._lane_future.done():
            return False  # one check at a time
        scale = max(1.0, len(text) / max(self._last_check_length, 200))
        return self._last_check_s * scale <= INLINE_BUDGET_S

    def _measured(self, seconds: float, length: int) -> None:
        self._last_check_s = seconds
        self._last_check_length = length

    def _cancel_queued(self) -> None:
        future = self._lane_future
        if future is not None and future.cancel():  # only succeeds before it started
            self._lane_future = None
            self.dropped_results += 1

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            self.dropped_results += 1
            return
        log.error("the policy check failed", exc_info=exc)
        first = self._error is None
        self._error = f"the policy check failed ({type(exc).__name__}: {exc})."
        self._applied_generation = generation
        self._items = []
        self._paint()
        self.findings_changed.emit(self.findings)
        self.checked.emit(generation)
        if first:  # once, not on every keystroke while it keeps failing
            self.problem.emit(f"The policy check failed: {exc}. Publishing is refused until it works again.")

    def _show(self, findings: Sequence[Finding], generation: int, text: str, offsets: Utf16Offsets,
              elapsed: float) -> None:
        if generation != self._generation:
            self.dropped_results += 1  # an older text; the check of the current one is on its way
            return
        self._error = None
        self._applied_generation = generation
        self._checked_text = text
        self._offsets = offsets
        self.last_check_ms = elapsed * 1000
        document = self._editor.document()
        items = []
        for finding, occurrence in zip(findings, occurrences(findings), strict=True):
            start, end = finding.start, finding.end
            if not 0 <= start <= end <= offsets.length:
                log.warning("finding %s has span %d:%d outside the text (%d code points); shown without underline",
                            finding.rule_id, start, end, offsets.length)
                start = end = min(max(start, 0), offsets.length)
            qt_start, qt_end = offsets.span(start, end)
            cursor = QTextCursor(document)
            cursor.setPosition(qt_start)
            cursor.setPosition(qt_end, QTextCursor.MoveMode.KeepAnchor)
            items.append(LiveFinding(finding, occurrence, cursor))
        items.sort(key=lambda item: (-item.rank, item.finding.start, item.finding.end))
        self._items = items
        self._match_acknowledgements()
        self._paint()
        self.findings_changed.emit(self.findings)
        self.checked.emit(generation)
        self._count_staged(findings, text)

    # -- counting staged rules (advise, shadow) ------------------------------------------------------
    def _count_staged(self, findings: Sequence[Finding], text: str) -> None:
        """Count the staged rules' firings on this check, off the GUI thread (see the module docstring)."""
        checker, usage, draft_id = self._checker, self._usage, self._draft_id
        policy = getattr(checker, "policy", None)
        staged = getattr(policy, "staged_rules", None)
        if usage is None or draft_id is None or policy is None or not staged:
            return
        version = policy.version_key
        if self._usage_last == (draft_id, version, text):
            return
        self._usage_last = (draft_id, version, text)
        modes = {rule.id: rule.mode for rule in staged}
        advised = [f for f in findings if getattr(f, "mode", "enforce") == "advise"]
        shadow = policy.shadow_policy()
        network = getattr(checker, "primary", None)
        key = (draft_id, version)

        def counted(counts: dict[str, int]) -> None:
            before = self._usage_counted.get(key, {})
            if before and all(counts[rule] <= before.get(rule, -1) for rule in counts):
                return  # nothing grew: no write
            self._usage_counted[key] = {rule: max(count, before.get(rule, 0)) for rule, count in counts.items()}
            self.usage_records += 1
            info = policy.info
            self._runner.run(lambda: usage.record(info.id, info.version, f"draft:{draft_id}", counts, modes),
                             on_failure=lambda exc: log.warning("staged policy rules not counted: %s", exc),
                             owner=self, lane="db")

        if shadow is None:
            counted(firings(modes, advised))
            return
        self._runner.run(lambda: firings(modes, advised + shadow.evaluate(text, network).shadow), on_success=counted,
                         on_failure=lambda exc: log.warning("shadow policy rules not checked: %s", exc),
                         owner=self, lane="policy")

    # -- references (the authenticity rule) ---------------------------------------------------------
    @property
    def references(self) -> tuple[Reference, ...]:
        """The texts the open draft is compared with (loaded on the db lane; see the module docstring)."""
        return self._references

    def refresh_references(self) -> None:
        """Read the open draft's references again (after a publish: that post is one of the author's own
        now), on the db lane; the text is checked again when they arrive. Nothing to do when the policy
        has no authenticity rule."""
        draft_id, base = self._draft_id, self._base_checker
        policy = getattr(base, "policy", None)
        if draft_id is None or policy is None or not hasattr(base, "with_references"):
            return
        from desktop.core.policy.authenticity import reads_references  # loaded with the policy

        if not reads_references(policy.rules):
            return
        store = self._store if isinstance(self._store, DraftStore) else None
        providers = list(self.reference_providers)
        self._references_request += 1
        request = self._references_request

        def work() -> list[Reference]:
            from desktop.core.references import draft_references

            found: list[Reference] = draft_references(store, draft_id, policy.rules) if store is not None else []
            for provider in providers:
                found += provider(draft_id)
            return found

        def loaded(found: list[Reference]) -> None:
            if request != self._references_request or draft_id != self._draft_id:
                return  # another draft or policy since
            self._references = tuple(found)
            self.references_loaded += 1
            self._checker = self._with_references(self._base_checker)
            self._last_check_s = None
            self._generation += 1
            if self._checker is not None:
                self.check_now()

        def failed(exc: BaseException) -> None:  # a hint's inputs: the check goes on without them
            log.warning("could not read the texts to compare the draft with: %s", exc)

        self._runner.run(work, on_success=loaded, on_failure=failed, owner=self, lane="db")

    def _with_references(self, checker: Checker | None) -> Checker | None:
        with_references = getattr(checker, "with_references", None)
        if checker is None or with_references is None or not self._references:
            return checker
        return with_references(self._references)

    # -- the editor's underlines, tooltips and menu (drawn by desktop.ui.policy.underlines) --------
    def _paint(self) -> None:
        self.underlines.paint()

    def items_at(self, position: int) -> list[LiveFinding]:
        """The counting findings covering the character at Qt *position*, most severe first."""
        return self.underlines.items_at(position)

    def tooltip_at(self, pos: QPoint) -> tuple[str, QRect] | None:
        """The tooltip (rich text) for viewport point *pos*, and the area it belongs to."""
        return self.underlines.tooltip_at(pos)

    def context_menu(self, pos: QPoint) -> QMenu:
        """The editor's standard menu, headed by actions for the findings under viewport point *pos*."""
        return self.underlines.context_menu(pos)

    # -- actions from the panel and the menu -----------------------------------------------------
    def select(self, item: LiveFinding) -> None:
        """Select the finding's text in the editor (the cursor has followed any edits since)."""
        if getattr(item.finding, "incomplete", False):
            return  # about the whole post (a rule that could not finish): no passage to select
        cursor = QTextCursor(item.cursor)
        self._editor.setTextCursor(cursor)
        self._editor.ensureCursorVisible()

    def can_fix(self, item: LiveFinding) -> bool:
        return (item.finding.quick_fix is not None and item in self._items
                and self.state == "ok" and self._editor.toPlainText() == self._checked_text)

    def apply_quick_fix(self, item: LiveFinding) -> bool:
        """Apply the finding's quick fix as one undoable edit; False when the text changed since the check."""
        fix = item.finding.quick_fix
        if fix is None or not self.can_fix(item):
            return False
        old = self._checked_text
        new = fix.apply(old, item.finding.start, item.finding.end)
        prefix = common_prefix(old, new)
        suffix = common_suffix(old, new, min(len(old), len(new)) - prefix)
        qt_start, qt_end = self._offsets.span(prefix, len(old) - suffix)
        cursor = QTextCursor(self._editor.document())
        cursor.setPosition(qt_start)
        cursor.setPosition(qt_end, QTextCursor.MoveMode.KeepAnchor)
        cursor.beginEditBlock()
        cursor.insertText(new[prefix:len(new) - suffix])
        cursor.endEditBlock()
        self._editor.setTextCursor(cursor)
        self.check_now()  # show the effect at once, not after the typing delay
        return True

    def acknowledge(self, item: LiveFinding, reason: str = "") -> None:
        """Acknowledge a warn finding with *reason*, or dismiss an info finding; saved on the db lane.

        Raises ValueError for a block finding or a reason that is too short (nothing is saved).
        """
        if self._draft_id is None:
            raise ValueError("no draft is open")
        ack = Acknowledgement.for_finding(self._draft_id, item.finding, item.occurrence, self._policy_version, reason)
        self._store_call(lambda store: store.save_acknowledgement(ack), self._acknowledged, "save the acknowledgement")

    def withdraw(self, item: LiveFinding) -> None:
        """Make an acknowledged or dismissed finding count again."""
        ack = item.acknowledgement
        if ack is None:
            return
        def withdraw(store: AcknowledgementStore) -> Acknowledgement:
            store.delete_acknowledgement(ack)
            return ack

        self._store_call(withdraw, self._withdrawn,
                         "withdraw the acknowledgement")

    # -- acknowledgements ------------------------------------------------------------------------
    def _store_call(self, call: Callable[[AcknowledgementStore], Any], done: Callable[[Any], None], what: str) -> None:
        store = self._store
        if store is None:  # no database (tests of the editor alone): keep it for this session only
            done(call(MemoryStore(self._acks)))
            return
        self._runner.run(lambda: call(store), on_success=done,
                         on_failure=lambda exc: self.problem.emit(f"Could not {what}: {exc}"),
                         owner=self, lane="db")

    def _load_acknowledgements(self, draft_id: str) -> None:
        store, version = self._store, self._policy_version
        if store is None:
            return
        self._acks_requests += 1
        request = self._acks_awaited = self._acks_requests

        def loaded(acks: list[Acknowledgement]) -> None:
            if request != self._acks_awaited:
                return  # another draft or policy version since
            self._acks_awaited = None
            self._acks = list(acks)
            self._refresh_acknowledgements()

        def failed(exc: BaseException) -> None:
            if request != self._acks_awaited:
                return
            self._acks_awaited = None
            self.problem.emit(f"Could not read this draft's policy acknowledgements: {exc}")
            self._refresh_acknowledgements()

        self._runner.run(lambda: store.acknowledgements(draft_id, version), on_success=loaded, on_failure=failed,
                         owner=self, lane="db")

    def _acknowledged(self, ack: Acknowledgement) -> None:
        if ack.draft_id != self._draft_id or ack.policy_version != self._policy_version:
            return
        self._acks = [a for a in self._acks if a.key != ack.key] + [ack]
        self._refresh_acknowledgements()

    def _withdrawn(self, ack: Acknowledgement) -> None:
        if ack.draft_id != self._draft_id:
            return
        self._acks = [a for a in self._acks if a.key != ack.key]
        self._refresh_acknowledgements()

    def _match_acknowledgements(self) -> None:
        for item, ack in zip(self._items, match([i.finding for i in self._items], self._acks), strict=True):
            item.acknowledgement = ack

    def _refresh_acknowledgements(self) -> None:
        self._match_acknowledgements()
        self._paint()
        self.findings_changed.emit(self.findings)

