"""The findings panel: what the policy check found in the current draft, and what to do about it.

A list (severity badge, message, the matched text) above the selected finding's explanation and
training tip. Selecting a finding selects its text in the editor (Enter also moves the focus
there); *Fix* applies the finding's quick fix as one undoable edit. A ``warn`` finding can be
acknowledged with a written reason (:class:`AcknowledgeDialog`, opened with ``open()``), an
``info`` finding dismissed; both stay listed, greyed, and can be restored. A ``block`` finding
offers no override, and the panel says why. When there is no policy (still loading, or none
valid), the panel says so, and that publishing is refused. Colours come from the palette only.

A finding of a rule in ``advise`` mode is badged *Advisory* and says that it does not stop publishing
(and what it will do once enforced); ``shadow`` rules are never listed (the checker never returns
them). *This is wrong…* (also in the editor's menu) opens :class:`ReportDialog`: the false-positive
report exactly as it will be sent to the policy's ``report`` address or URL (else its contact's
e-mail address), editable, the matched words included only if the author leaves them in; *Send*
hands the ``mailto:`` or URL to ``open_url`` (the window's browser bridge) and notes the report locally.

The list is rebuilt only when the findings change (a new finding, one gone, a status change);
otherwise the rows keep their place, selection and scroll position while the author types.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.publishing.verdict import count_words
from desktop.ui.common.flow import FlowLayout
from desktop.ui.common.theme import status_color
from desktop.ui.common.two_lines import TwoLineDelegate
from desktop.ui.composer.composer import Composer
from desktop.ui.policy.dialogs import AcknowledgeDialog, ReportDialog, quoted
from desktop.ui.policy.live_finding import BLOCK_NOTE, SEVERITY_LABELS, LiveFinding, advisory_note
from desktop.ui.policy.underlines import learn_more

if TYPE_CHECKING:  # the policy engine is loaded after the first window is shown, not by this module
    pass

ItemRole = Qt.ItemDataRole.UserRole + 1
EMPTY_TEXT = "No policy problems found"
STATUS_WORDS = {"acknowledged": "Acknowledged", "dismissed": "Dismissed"}


INCOMPLETE_DETAIL = "Whole post: this rule was not fully checked"
INCOMPLETE_BLOCK_NOTE = ("Chorus could not finish this block rule in time, so publishing is refused. Shorten or "
                         "simplify the post, or ask the policy's owner to simplify the rule.")
INCOMPLETE_WARN_NOTE = ("Chorus could not finish this rule in time. Read the post against it yourself, then "
                        "acknowledge the warning with a reason to publish.")


def describe(item: LiveFinding) -> str:
    """One line for screen readers and tooltips."""
    words = f"{item.label}: {item.finding.message}"
    if getattr(item.finding, "incomplete", False):
        words += f" ({INCOMPLETE_DETAIL})"
    elif item.finding.text:
        words += f" ({quoted(item.finding.text)})"
    if not item.counts:
        words += f". {STATUS_WORDS.get(item.status, item.status)}"
    return words


class FindingDelegate(TwoLineDelegate):
    """Two lines per finding: a severity badge and the message, then the matched text and status."""

    ROLE = ItemRole

    def paint_row(self, painter: QPainter, option: QStyleOptionViewItem, item: LiveFinding, first: QRect,
                  second: QRect, main, secondary, selected: bool) -> None:
        palette = option.palette
        if not item.counts and not selected:
            main = secondary
        metrics = QFontMetrics(option.font)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)

        badge_font = QFont(option.font)
        badge_font.setBold(True)
        badge_font.setPointSizeF(max(option.font.pointSizeF() * 0.85, 6.0))
        badge_metrics = QFontMetrics(badge_font)
        label = item.label
        badge = QRectF(first.left(), first.top() + 1, badge_metrics.horizontalAdvance(label) + 12, first.height() - 2)
        colour = status_color(palette, item.severity) if item.severity in SEVERITY_LABELS else secondary
        if item.counts:  # filled badge; its text in the Base colour has the same contrast as status text on Base
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(badge, 4, 4)
            painter.setPen(palette.color(QPalette.ColorRole.Base))
        else:  # acknowledged or dismissed: an outline only
            painter.setPen(QPen(secondary, 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(badge.adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
        painter.setFont(badge_font)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, label)

        painter.setFont(option.font)
        painter.setPen(main)
        text_rect = QRect(int(badge.right()) + 8, first.top(), first.right() - int(badge.right()) - 8, first.height())
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         metrics.elidedText(item.finding.message, Qt.TextElideMode.ElideRight, text_rect.width()))

        if getattr(item.finding, "incomplete", False):
            detail = INCOMPLETE_DETAIL  # about the whole post: there is no passage to quote
        else:
            detail = quoted(item.finding.text, 200) if item.finding.text else ""
        if not item.counts:
            detail = f"{detail} · {STATUS_WORDS.get(item.status, item.status)}" if detail else STATUS_WORDS[item.status]
        painter.setPen(secondary)
        painter.drawText(second, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         metrics.elidedText(detail, Qt.TextElideMode.ElideRight, second.width()))


class FindingsPanel(QWidget):
    """Docked beside the composer; shows :attr:`Composer.findings` and acts on them.

    *open_url* opens the false-positive report (a mailto: or https URL): the window's browser bridge;
    None: the desktop's browser."""

    def __init__(self, composer: Composer, parent: QWidget | None = None,
                 open_url: Callable[[str], object] | None = None) -> None:
        super().__init__(parent)
        self.composer = composer
        self.policy = composer.policy
        self.open_url = open_url
        self.setAccessibleName("Policy findings panel")
        self.dialog: AcknowledgeDialog | None = None
        self.report_dialog: ReportDialog | None = None
        self._refreshing = False

        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setAccessibleName("Policy check summary")
        self.summary_text = ""  # the summary as plain text (also its accessible description)

        self.empty = QLabel(EMPTY_TEXT, self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setAccessibleName(EMPTY_TEXT)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Policy findings")
        self.list.setItemDelegate(FindingDelegate(self.list))
        self.list.setUniformItemSizes(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # rows are elided
        self.list.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.list)

        self.message = self._label("Finding", bold=True)
        self.explanation = self._label("Explanation")
        self.tip = self._label("Training tip")
        self.note = self._label("What you can do")
        self.learn_more = QLabel(self)  # "Learn more: <tip title>", a link to the tip in the Tips panel
        self.learn_more.setTextFormat(Qt.TextFormat.RichText)
        self.learn_more.setWordWrap(True)
        self.learn_more.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                                | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.learn_more.linkActivated.connect(lambda link: self.policy.tip_requested.emit(link.removeprefix("tip:")))
        self.learn_more.hide()
        self.fix_button = self._button("Fix", "Apply the quick fix")
        self.ack_button = self._button("Acknowledge…", "Acknowledge the warning with a reason")
        self.dismiss_button = self._button("Dismiss", "Dismiss the hint")
        self.restore_button = self._button("Restore", "Make the finding count again")
        self.report_button = self._button("This is wrong…", "Report this finding as wrong to the policy's owner")
        # the actions sit under the scrolled explanation, never inside it: always visible, and wrapping
        # onto a second line in a narrow panel instead of widening it
        self.action_row = QWidget(self)
        self.action_row.setAccessibleName("Finding actions")
        buttons = FlowLayout(self.action_row, spacing=6)
        buttons.setContentsMargins(2, 4, 2, 0)
        for button in (self.fix_button, self.ack_button, self.dismiss_button, self.restore_button, self.report_button):
            buttons.addWidget(button)

        details = QWidget(self)
        details_layout = QVBoxLayout(details)
        details_layout.setContentsMargins(2, 2, 2, 2)
        for label in (self.message, self.explanation, self.tip, self.learn_more, self.note):
            details_layout.addWidget(label)
        details_layout.addStretch(1)
        self.details_area = QScrollArea(self)
        self.details_area.setWidget(details)
        self.details_area.setWidgetResizable(True)
        self.details_area.setFrameShape(QFrame.Shape.NoFrame)
        self.details_area.setAccessibleName("Finding details")
        self.details_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.summary)
        layout.addWidget(self.stack, 2)
        layout.addWidget(self.details_area, 3)
        layout.addWidget(self.action_row)

        self.list.currentRowChanged.connect(self._on_current_changed)
        self.list.itemClicked.connect(lambda _item: self._select_in_editor(focus=False))
        self.list.itemActivated.connect(lambda _item: self._select_in_editor(focus=True))
        self.fix_button.clicked.connect(self.apply_fix)
        self.ack_button.clicked.connect(self.acknowledge)
        self.dismiss_button.clicked.connect(self.dismiss)
        self.restore_button.clicked.connect(self.restore)
        self.report_button.clicked.connect(self.report_wrong)
        composer.findings_changed.connect(self.show_findings)
        composer.editor.cursorPositionChanged.connect(self._follow_editor_cursor)
        self.policy.show_requested.connect(self.show_finding)
        self.policy.acknowledge_requested.connect(self._acknowledge_from_editor)
        self.policy.report_requested.connect(self._report_from_editor)
        self._shown: list[tuple] = []
        self._details_shown: tuple | None = None
        self.show_findings(self.policy.findings)

    def _label(self, name: str, bold: bool = False) -> QLabel:
        label = QLabel(self)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setAccessibleName(name)
        if bold:
            font = label.font()
            font.setBold(True)
            label.setFont(font)
        return label

    def _button(self, text: str, name: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(name)
        button.setToolTip(name)
        return button

    # -- showing ---------------------------------------------------------------------------------
    def current(self) -> LiveFinding | None:
        row = self.list.currentRow()
        item = self.list.item(row) if row >= 0 else None
        return item.data(ItemRole) if item is not None else None

    def row_of(self, item: LiveFinding) -> int:
        for row in range(self.list.count()):
            if self.list.item(row).data(ItemRole) is item:
                return row
        return -1

    def show_findings(self, findings: list[LiveFinding]) -> None:
        shown = [(f.key, f.severity, f.status, f.finding.message) for f in findings]
        if shown == self._shown and self.list.count() == len(findings):
            # the same findings for a newer text: swap in the new objects, keep the rows as they are
            for row, finding in enumerate(findings):
                self.list.item(row).setData(ItemRole, finding)
        else:
            previous = self.current()
            keep = (previous.key, previous.severity) if previous is not None else None
            scroll = self.list.verticalScrollBar().value()
            self._refreshing = True
            try:
                self.list.clear()
                for finding in findings:
                    list_item = QListWidgetItem()
                    list_item.setData(ItemRole, finding)
                    list_item.setData(Qt.ItemDataRole.AccessibleTextRole, describe(finding))
                    list_item.setToolTip(describe(finding))
                    self.list.addItem(list_item)
                if findings:
                    keys = [(f.key, f.severity) for f in findings]
                    self.list.setCurrentRow(keys.index(keep) if keep in keys else 0)
                self.list.verticalScrollBar().setValue(scroll)
            finally:
                self._refreshing = False
            self._shown = shown
        self.stack.setCurrentWidget(self.list if findings else self.empty)
        self._show_summary(findings)
        self._show_details()

    def _show_summary(self, findings: list[LiveFinding]) -> None:
        state = self.policy.state
        if state in ("off", "loading", "failed"):
            if state == "loading":
                self.empty.setText("Loading the policy…")
                self._set_summary("", "")
            else:
                self.empty.setText("Policy checking is off." if state == "off" else "The policy check failed.")
                self._set_summary("", self.policy.publish_refusal() or "", severity="block")
            return
        policy = self.composer.checking_policy
        self.empty.setText(f"✓ {EMPTY_TEXT}\n\nChecked against {policy.info.name} {policy.info.version}"
                           if policy is not None else EMPTY_TEXT)
        standing = [f for f in findings if f.counts]
        parts = []
        for severity in ("block", "warn", "info"):
            n = sum(1 for f in standing if f.severity == severity)
            if n:
                parts.append(count_words(n, severity))
        settled = len(findings) - len(standing)
        if settled:
            parts.append(f"{settled} acknowledged or dismissed")
        if any(f.severity == "block" for f in standing):
            lead, severity = "Publishing is blocked.", "block"
        elif any(f.severity == "warn" for f in standing):
            lead, severity = "Publishing needs an acknowledgement.", "warn"
        else:
            lead, severity = "Nothing stops publishing.", "ok"
        if findings:
            self._set_summary(lead, " · ".join(parts), severity)
        else:
            self._set_summary("", "")

    def _set_summary(self, lead: str, rest: str, severity: str = "ok") -> None:
        """*lead* in bold, in the colour of *severity*, then *rest*."""
        self.summary_text = f"{lead} {rest}".strip()
        parts = []
        if lead:
            colour = status_color(self.palette(), severity).name()
            parts.append(f"<b style='color:{colour}'>{html.escape(lead)}</b>")
        if rest:
            parts.append(html.escape(rest))
        self.summary.setText(" ".join(parts))
        self.summary.setAccessibleDescription(self.summary_text)
        self.summary.setVisible(bool(self.summary_text))

    def _show_details(self) -> None:
        item = self.current()
        self.details_area.setVisible(item is not None)
        self.action_row.setVisible(item is not None)
        shown = (item.key, item.severity) if item is not None else None
        if shown != self._details_shown:  # another finding starts at its heading, not at the last one's scroll
            self._details_shown = shown
            self.details_area.verticalScrollBar().setValue(0)
        if item is None:
            return
        show: dict[QPushButton, bool] = {}  # set once at the end: hiding them all first made the panel jump
        finding = item.finding
        self.message.setText(finding.message)
        self.explanation.setText(finding.explanation)
        self.explanation.setVisible(bool(finding.explanation))
        self.tip.setText(f"Tip: {finding.tip}" if finding.tip else "")
        self.tip.setVisible(bool(finding.tip))
        lesson = learn_more(self.policy, finding)
        if lesson is not None:
            self.learn_more.setText(f"<a href='tip:{html.escape(lesson.id)}'>Learn more: {html.escape(lesson.title)}</a>")
            self.learn_more.setAccessibleName(f"Learn more: {lesson.title}")
        self.learn_more.setVisible(lesson is not None)
        if item.status == "acknowledged" and item.acknowledgement is not None:
            note = f"You acknowledged this warning: “{item.acknowledgement.reason}”"
        elif item.status == "dismissed":
            note = "You dismissed this hint."
        elif getattr(finding, "incomplete", False):
            note = INCOMPLETE_BLOCK_NOTE if item.severity == "block" else INCOMPLETE_WARN_NOTE
        elif item.severity == "block":
            note = BLOCK_NOTE
        elif item.severity == "warn":
            note = "To publish, change the text or acknowledge the warning with a reason."
        else:
            note = advisory_note(finding)
        self.note.setText(note)
        self.note.setVisible(bool(note))
        fix = finding.quick_fix
        if fix is not None:
            self.fix_button.setText(f"Fix: {fix.label}")
            self.fix_button.setAccessibleName(f"Apply the quick fix: {fix.label}")
            self.fix_button.setEnabled(self.policy.can_fix(item))
        show[self.fix_button] = fix is not None
        show[self.ack_button] = item.severity == "warn" and item.counts
        show[self.dismiss_button] = item.severity == "info" and item.counts
        show[self.restore_button] = not item.counts
        show[self.report_button] = self.policy.can_report(item)
        for button, visible in show.items():
            if button.isHidden() == visible:
                button.setVisible(visible)

    # -- acting ----------------------------------------------------------------------------------
    def _on_current_changed(self, _row: int) -> None:
        if self._refreshing:
            return  # a refresh after a check keeps the selection; it must not move the editor's cursor
        self._show_details()
        self._select_in_editor(focus=False)

    def _select_in_editor(self, focus: bool) -> None:
        item = self.current()
        if item is None:
            return
        self._refreshing = True  # the editor's cursor moves onto this finding: no need to follow it back
        try:
            self.policy.select(item)
        finally:
            self._refreshing = False
        if focus:
            self.composer.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _follow_editor_cursor(self) -> None:
        """When the caret moves into a finding's text, show that finding (without moving the caret)."""
        if self._refreshing:
            return
        position = self.composer.editor.textCursor().position()
        # the narrowest finding at the caret; not the length findings, which cover the end of a long post
        under = [item for item in (self.policy.items_at(position) or self.policy.items_at(position - 1))
                 if item.finding.network is None]
        if not under:
            return
        row = self.row_of(min(under, key=lambda item: item.qt_span[1] - item.qt_span[0]))
        if row >= 0 and row != self.list.currentRow():
            self._refreshing = True
            try:
                self.list.setCurrentRow(row)
            finally:
                self._refreshing = False
            self._show_details()

    def show_finding(self, item: LiveFinding) -> None:
        """Make *item* the current finding and bring the panel forward (from the editor's menu)."""
        row = self.row_of(item)
        if row < 0:
            return
        self.list.setCurrentRow(row)
        self._show_details()
        dock = self.parentWidget()
        if isinstance(dock, QDockWidget):
            dock.show()
            dock.raise_()
        self.list.setFocus(Qt.FocusReason.OtherFocusReason)

    def _acknowledge_from_editor(self, item: LiveFinding) -> None:
        self.show_finding(item)
        if self.current() is item:
            self.acknowledge()

    def apply_fix(self) -> None:
        item = self.current()
        if item is not None:
            self.policy.apply_quick_fix(item)

    def acknowledge(self) -> None:
        item = self.current()
        if item is None or item.severity != "warn" or not item.counts:
            return
        dialog = AcknowledgeDialog(item, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.reason_given.connect(lambda reason: self.policy.acknowledge(item, reason))
        dialog.destroyed.connect(self._dialog_gone)
        self.dialog = dialog
        # window-modal (open(), not exec()): the text cannot change under the finding being acknowledged
        dialog.open()

    def _dialog_gone(self) -> None:
        self.dialog = None

    def _report_from_editor(self, item: LiveFinding) -> None:
        self.show_finding(item)
        if self.current() is item:
            self.report_wrong()

    def report_wrong(self) -> None:
        """"This is wrong…": show the report to be sent for the current finding (window-modal)."""
        item = self.current()
        policy = self.policy.checking_policy
        if item is None or policy is None or not self.policy.can_report(item):
            return
        dialog = ReportDialog(policy.info, item, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        rule_id = item.finding.rule_id
        dialog.send.connect(lambda url, words: self._send_report(rule_id, url, words))
        dialog.destroyed.connect(self._report_dialog_gone)
        self.report_dialog = dialog
        dialog.open()

    def _report_dialog_gone(self) -> None:
        self.report_dialog = None

    def _send_report(self, rule_id: str, url: str, words: str | None) -> None:
        if self.open_url is not None:
            opened = self.open_url(url)
        else:
            from desktop.ui.common.browser import open_in_system_browser

            opened = open_in_system_browser(url)
        if opened is False:
            self.policy.problem.emit("Could not open your e-mail program or browser for the report. "
                                     f"Send it yourself to: {url.split('?', 1)[0].removeprefix('mailto:')}")
            return
        self.policy.record_false_positive(rule_id, words)

    def dismiss(self) -> None:
        item = self.current()
        if item is not None and item.severity == "info" and item.counts:
            self.policy.acknowledge(item)

    def restore(self) -> None:
        item = self.current()
        if item is not None and not item.counts:
            self.policy.withdraw(item)

    def changeEvent(self, event) -> None:  # badges are painted from the palette at paint time
        super().changeEvent(event)
        if event.type() in (event.Type.PaletteChange, event.Type.ApplicationPaletteChange):
            self.list.viewport().update()
            if hasattr(self, "policy"):
                self._show_summary(self.policy.findings)
