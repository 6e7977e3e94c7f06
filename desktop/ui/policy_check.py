"""Live policy checking in the composer: debounce, run the checker, underline, explain, acknowledge.

Flow: the editor's text changes → a 150 ms single-shot timer (restarted by every keystroke) → the
checker runs on the current text, on the GUI thread when the text is short, on the TaskRunner's
``compute`` lane otherwise (and for the session's first check, so a checker's one-off set-up never
freezes typing) → the code-point spans are converted once with :class:`~desktop.ui.spans.Utf16Offsets`
→ ``ExtraSelection`` underlines (block over warn over info) and :attr:`LivePolicyCheck.findings_changed`.
Every text change bumps a generation counter; a result computed for an older generation is dropped.

The checker must be a pure function of its argument: it may run on the compute worker while a
short text is checked on the GUI thread.

Acknowledgements (see :mod:`desktop.core.drafts.acknowledgements`) are loaded per draft and saved
through the ``db`` lane; a finding that has one stops counting: no underline, no tooltip, greyed in
the panel, and it does not make :attr:`LivePolicyCheck.needs_acknowledgement` true.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QEvent, QObject, QRect, QTimer, Signal
from PySide6.QtGui import QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip

from desktop.core.drafts.acknowledgements import Acknowledgement, match, occurrences
from desktop.ui.spans import Utf16Offsets
from desktop.ui.tasks import TaskRunner
from desktop.ui.theme import status_color

if TYPE_CHECKING:
    from desktop.core.policy.model import Finding

log = logging.getLogger(__name__)

CHECK_DELAY_MS = 150
INLINE_CHECK_LIMIT = 10_000  # characters; longer texts are checked on the compute lane
SEVERITY_LABELS = {"block": "Block", "warn": "Warning", "info": "Info"}
BLOCK_NOTE = ("This cannot be overridden: your company's policy does not allow publishing it, so there is no "
              "acknowledgement for it. Change or remove the text to publish.")

Checker = Callable[[str], "list[Finding]"]


class AcknowledgementStore(Protocol):
    """What the live check needs from the drafts database (``DraftStore`` has it)."""

    def acknowledgements(self, draft_id: str, policy_version: str) -> list[Acknowledgement]: ...
    def save_acknowledgement(self, ack: Acknowledgement) -> Acknowledgement: ...
    def delete_acknowledgement(self, ack: Acknowledgement) -> None: ...


class LiveFinding:
    """A finding as the editor shows it: where it is now, and whether the author acknowledged it."""

    __slots__ = ("finding", "occurrence", "cursor", "acknowledgement")

    def __init__(self, finding: "Finding", occurrence: int, cursor: QTextCursor,
                 acknowledgement: Acknowledgement | None = None) -> None:
        self.finding = finding
        self.occurrence = occurrence
        self.cursor = cursor  # spans the finding; Qt moves it along with edits made after the check
        self.acknowledgement = acknowledgement

    @property
    def severity(self) -> str:
        return str(getattr(self.finding.severity, "value", self.finding.severity))

    @property
    def rank(self) -> int:
        return {"block": 3, "warn": 2, "info": 1}.get(self.severity, 0)

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.finding.rule_id, self.finding.text, self.occurrence)

    @property
    def status(self) -> str:
        """'open', 'acknowledged' (a warn, with a reason) or 'dismissed' (an info)."""
        return self.acknowledgement.kind if self.acknowledgement is not None else "open"

    @property
    def counts(self) -> bool:
        """Still stands: not acknowledged or dismissed."""
        return self.acknowledgement is None

    @property
    def qt_span(self) -> tuple[int, int]:
        return self.cursor.selectionStart(), self.cursor.selectionEnd()

    def __repr__(self) -> str:
        f = self.finding
        return f"<LiveFinding {self.severity} {f.rule_id} {f.text!r} @{f.start}:{f.end} {self.status}>"


class LivePolicyCheck(QObject):
    findings_changed = Signal(list)  # list[LiveFinding]: after every check and acknowledgement change
    problem = Signal(str)  # a message for the user (check failed, acknowledgement not saved)

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
        self._checker = checker
        self._policy_version = policy_version
        self._store = store
        self._draft_id: str | None = None
        self._generation = 0
        self._applied_generation = -1  # the generation the shown findings belong to
        self._warm = False  # a first check has run (off the GUI thread)
        self._checked_text = ""
        self._offsets = Utf16Offsets("")
        self._items: list[LiveFinding] = []
        self._acks: list[Acknowledgement] = []
        self._acks_loading = False
        self._error: str | None = None
        self.dropped_results = 0  # results that arrived for an older text (diagnostics, tests)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check_now)
        editor.installEventFilter(self)  # palette changes
        editor.viewport().installEventFilter(self)  # tooltips

    # -- state for the panel and for publishing --------------------------------------------------
    @property
    def enabled(self) -> bool:
        return self._checker is not None

    @property
    def policy_version(self) -> str:
        return self._policy_version

    @property
    def findings(self) -> list[LiveFinding]:
        """The current findings, block first, then warn, then info, each in text order."""
        return list(self._items)

    @property
    def blocked(self) -> bool:
        """A block finding stands (block findings cannot be acknowledged)."""
        return any(item.severity == "block" for item in self._items)

    @property
    def needs_acknowledgement(self) -> bool:
        """A warn finding stands without an acknowledgement."""
        return any(item.severity == "warn" and item.counts for item in self._items)

    @property
    def state(self) -> str:
        """'off' (no checker), 'pending' (the findings are not yet for the current text), 'failed' or 'ok'."""
        if self._checker is None:
            return "off"
        if self._draft_id is None:
            return "ok"
        if self._applied_generation != self._generation or self._acks_loading:
            return "pending"
        return "failed" if self._error is not None else "ok"

    @property
    def error(self) -> str | None:
        return self._error

    # -- what the composer tells us --------------------------------------------------------------
    def set_checker(self, checker: Checker | None, policy_version: str = "") -> None:
        """Use another checker or policy (a policy update); acknowledgements are reloaded for its version."""
        self._checker = checker
        self._warm = False
        version_changed = policy_version != self._policy_version
        self._policy_version = policy_version
        if version_changed and self._draft_id is not None:
            self._acks = []
            self._load_acknowledgements(self._draft_id)
        self._generation += 1
        self._timer.stop()
        if checker is None:
            self._show([], self._generation, "", Utf16Offsets(""))
        else:
            self.check_now()

    def draft_opened(self, draft_id: str | None) -> None:
        self._timer.stop()
        self._generation += 1
        self._draft_id = draft_id
        self._acks = []
        self._items = []
        self._error = None
        self._paint()
        if draft_id is not None:
            self._load_acknowledgements(draft_id)
        self.check_now()

    def text_edited(self) -> None:
        self._generation += 1
        if self._checker is not None:
            self._timer.start()

    # -- checking --------------------------------------------------------------------------------
    def check_now(self) -> None:
        self._timer.stop()
        generation = self._generation
        checker = self._checker
        if checker is None or self._draft_id is None:
            self._show([], generation, "", Utf16Offsets(""))
            return
        text = self._editor.toPlainText()
        if self._warm and len(text) <= INLINE_CHECK_LIMIT:
            try:
                findings = list(checker(text))
            except Exception as exc:  # a broken rule must not take the editor down
                self._failed(generation, exc)
                return
            self._show(findings, generation, text, Utf16Offsets(text))
            return

        def work() -> tuple[list, Utf16Offsets]:
            return list(checker(text)), Utf16Offsets(text)

        def done(result: tuple[list, Utf16Offsets]) -> None:
            self._warm = True
            self._show(result[0], generation, text, result[1])

        self._runner.run(work, on_success=done, on_failure=lambda exc: self._failed(generation, exc),
                         owner=self, lane="compute")

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            self.dropped_results += 1
            return
        log.error("the policy check failed", exc_info=exc)
        first = self._error is None
        self._error = f"The policy check failed: {exc}"
        self._applied_generation = generation
        self._items = []
        self._paint()
        self.findings_changed.emit(self.findings)
        if first:  # once, not on every keystroke while it keeps failing
            self.problem.emit(self._error)

    def _show(self, findings: Sequence["Finding"], generation: int, text: str, offsets: Utf16Offsets) -> None:
        if generation != self._generation:
            self.dropped_results += 1  # an older text; the check of the current one is on its way
            return
        self._error = None
        self._applied_generation = generation
        self._checked_text = text
        self._offsets = offsets
        document = self._editor.document()
        items = []
        for finding, occurrence in zip(findings, occurrences(findings)):
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

    # -- underlines and tooltips -----------------------------------------------------------------
    def _paint(self) -> None:
        palette = self._editor.palette()
        formats: dict[str, QTextCharFormat] = {}
        for severity in ("info", "warn", "block"):
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
            fmt.setUnderlineColor(status_color(palette, severity))
            formats[severity] = fmt
        selections = []
        # drawn in list order, later on top: info, then warn, then block
        for item in sorted(self._items, key=lambda i: i.rank):
            if not item.counts or item.cursor.selectionStart() == item.cursor.selectionEnd():
                continue
            selection = QTextEdit.ExtraSelection()
            selection.cursor = item.cursor
            selection.format = formats.get(item.severity, formats["info"])
            selections.append(selection)
        self._editor.setExtraSelections(selections)

    def items_at(self, position: int) -> list[LiveFinding]:
        """The counting findings covering the character at Qt *position*, most severe first."""
        return [item for item in self._items
                if item.counts and item.cursor.selectionStart() <= position < item.cursor.selectionEnd()]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self._editor and kind in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._paint()
        elif kind == QEvent.Type.ToolTip and watched is self._editor.viewport():
            return self._show_tooltip(event)
        return super().eventFilter(watched, event)

    def tooltip_at(self, pos) -> tuple[str, QRect] | None:
        """The tooltip (rich text) for viewport point *pos*, and the area it belongs to."""
        cursor = self._editor.cursorForPosition(pos)
        caret = self._editor.cursorRect(cursor)
        if not caret.top() <= pos.y() <= caret.bottom():
            return None
        position = cursor.position()
        # cursorForPosition gives the nearest boundary: left of it, the point is over the previous character
        char = position - 1 if pos.x() < caret.left() and position > 0 else position
        items = self.items_at(char)
        if not items:
            return None
        parts = []
        for item in items:
            f = item.finding
            part = f"<p><b>{SEVERITY_LABELS.get(item.severity, item.severity)}:</b> {html.escape(f.message)}</p>"
            if f.explanation:
                part += f"<p>{html.escape(f.explanation)}</p>"
            if f.tip:
                part += f"<p><i>Tip:</i> {html.escape(f.tip)}</p>"
            parts.append(part)
        return "<hr>".join(parts), QRect(pos.x() - 4, caret.top(), 8, caret.height())

    def _show_tooltip(self, event: Any) -> bool:
        found = self.tooltip_at(event.pos())
        if found is None:
            QToolTip.hideText()
            event.ignore()
            return True
        text, rect = found
        QToolTip.showText(event.globalPos(), text, self._editor.viewport(), rect)
        return True

    # -- actions from the panel ------------------------------------------------------------------
    def select(self, item: LiveFinding) -> None:
        """Select the finding's text in the editor (the cursor has followed any edits since)."""
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
        prefix = _common_prefix(old, new)
        suffix = _common_suffix(old, new, min(len(old), len(new)) - prefix)
        qt_start, qt_end = self._offsets.span(prefix, len(old) - suffix)
        cursor = QTextCursor(self._editor.document())
        cursor.setPosition(qt_start)
        cursor.setPosition(qt_end, QTextCursor.MoveMode.KeepAnchor)
        cursor.beginEditBlock()
        cursor.insertText(new[prefix:len(new) - suffix])
        cursor.endEditBlock()
        self._editor.setTextCursor(cursor)
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
        self._store_call(lambda store: (store.delete_acknowledgement(ack), ack)[1], self._withdrawn,
                         "withdraw the acknowledgement")

    # -- acknowledgements ------------------------------------------------------------------------
    def _store_call(self, call: Callable[[AcknowledgementStore], Any], done: Callable[[Any], None], what: str) -> None:
        store = self._store
        if store is None:  # no database (tests of the editor alone): keep it for this session only
            done(call(_MemoryStore(self._acks)))
            return
        self._runner.run(lambda: call(store), on_success=done,
                         on_failure=lambda exc: self.problem.emit(f"Could not {what}: {exc}"),
                         owner=self, lane="db")

    def _load_acknowledgements(self, draft_id: str) -> None:
        store, version = self._store, self._policy_version
        if store is None or self._checker is None:
            return
        self._acks_loading = True

        def loaded(acks: list[Acknowledgement]) -> None:
            if draft_id != self._draft_id or version != self._policy_version:
                return
            self._acks_loading = False
            self._acks = list(acks)
            self._refresh_acknowledgements()

        def failed(exc: BaseException) -> None:
            if draft_id == self._draft_id:
                self._acks_loading = False
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
        for item, ack in zip(self._items, match([i.finding for i in self._items], self._acks)):
            item.acknowledgement = ack

    def _refresh_acknowledgements(self) -> None:
        self._match_acknowledgements()
        self._paint()
        self.findings_changed.emit(self.findings)


class _MemoryStore:
    """Acknowledgements kept for the session when the editor runs without a database."""

    def __init__(self, acks: list[Acknowledgement]) -> None:
        self._acks = acks

    def save_acknowledgement(self, ack: Acknowledgement) -> Acknowledgement:
        ack.validate()
        return ack

    def delete_acknowledgement(self, ack: Acknowledgement) -> None:
        pass

    def acknowledgements(self, draft_id: str, policy_version: str) -> list[Acknowledgement]:
        return [a for a in self._acks if a.draft_id == draft_id and a.policy_version == policy_version]


def _common_prefix(a: str, b: str) -> int:
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:  # binary search on slice comparisons: C speed, also for a long post
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    lo, hi = 0, max(limit, 0)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid:] == b[len(b) - mid:]:
            lo = mid
        else:
            hi = mid - 1
    return lo
