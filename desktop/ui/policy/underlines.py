"""How the live policy check shows itself in the editor: underlines, tooltips and the context menu.

:class:`Underlines` belongs to a :class:`~desktop.ui.policy.live_check.LivePolicyCheck` (its
*host*), which decides what the findings are; this module only draws them and offers what can be
done about them:

- wavy ``ExtraSelection`` underlines coloured by severity (block drawn over warn over info; blocks
  and warnings also get a faint tint of their colour), repainted when the palette changes. Per-network
  length findings are shown as a red tint over the text past the limit (the earliest cut when the
  post is too long for several networks), as the networks' own composers do, rather than a wavy line
  under most of a long post;
- a rich-text tooltip over underlined text: what the rule says, why, a tip, and what the author can do;
- the editor's standard context menu headed by the findings' actions: the quick fix, acknowledge or
  dismiss, and "Explain" (shown in the Policy panel).

Only findings that count are drawn or offered: an acknowledged or dismissed one is left alone, and a
finding about the whole post (an empty span) has nothing to underline.
"""

from __future__ import annotations

import html
from typing import Any, Protocol

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtGui import QAction, QColor, QTextCharFormat
from PySide6.QtWidgets import QMenu, QPlainTextEdit, QTextEdit, QToolTip

from desktop.ui.common.theme import is_dark, status_color
from desktop.ui.policy.live_finding import LiveFinding, advisory_note

TINT_ALPHA = {"block": 40, "warn": 34}  # of 255: a faint background under block and warn findings, with the wave
OVERFLOW_TINT_ALPHA = 45  # of 255: the background of the text past a network's length limit
# the high-contrast style (presentation mode, desktop.ui.shell.presentation): a solid line, which grows with
# the font, and a stronger tint under every severity; a thin wave and a faint tint wash out on a projector
HIGH_CONTRAST_ALPHA = {"block": 110, "warn": 95, "info": 70}


class FindingsHost(Protocol):
    """What the underlines need from the check that owns them (``LivePolicyCheck`` has it)."""

    acknowledge_requested: Any  # Signal(LiveFinding): "Acknowledge…" chosen in the menu
    show_requested: Any  # Signal(LiveFinding): "Explain" chosen in the menu
    report_requested: Any  # Signal(LiveFinding): "This is wrong…" chosen in the menu
    tip_requested: Any  # Signal(str): "Learn more: <tip>" chosen in the menu (a tip id)

    @property
    def findings(self) -> list[LiveFinding]: ...
    def can_fix(self, item: LiveFinding) -> bool: ...
    def apply_quick_fix(self, item: LiveFinding) -> bool: ...
    def acknowledge(self, item: LiveFinding, reason: str = "") -> None: ...
    def can_report(self, item: LiveFinding) -> bool: ...


class Underlines(QObject):
    """Draws the host's findings in *editor* and answers the editor's tooltip and context-menu requests."""

    def __init__(self, editor: QPlainTextEdit, host: FindingsHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._editor = editor
        self._host = host
        self.high_contrast = False  # see HIGH_CONTRAST_ALPHA
        editor.installEventFilter(self)  # palette changes
        editor.viewport().installEventFilter(self)  # tooltips
        editor.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        editor.customContextMenuRequested.connect(self._show_context_menu)

    # -- underlines ------------------------------------------------------------------------------
    def set_high_contrast(self, on: bool) -> None:
        """Switch between the usual wavy underlines and the high-contrast style, and repaint."""
        self.high_contrast = on
        self.paint()

    def formats(self) -> dict[str, QTextCharFormat]:
        """The underline format of each severity, from the editor's current palette."""
        palette = self._editor.palette()
        formats: dict[str, QTextCharFormat] = {}
        for severity in ("info", "warn", "block"):
            colour = status_color(palette, severity)
            fmt = QTextCharFormat()
            if self.high_contrast:
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
                fmt.setUnderlineColor(colour)
                tint = QColor(colour)
                tint.setAlpha(HIGH_CONTRAST_ALPHA[severity])
                fmt.setBackground(tint)
                formats[severity] = fmt
                continue
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(colour)
            if severity in TINT_ALPHA:
                # a faint tint too: Qt's wave is thin, and what stops publishing must be seen at a glance
                tint = QColor(colour)
                tint.setAlpha(TINT_ALPHA[severity] + (15 if is_dark(palette) else 0))
                fmt.setBackground(tint)
            formats[severity] = fmt
        return formats

    def overflow_format(self) -> QTextCharFormat:
        """Text past a network's length limit: a tint, as networks' own composers show it, not a wavy line
        under most of a long post."""
        palette = self._editor.palette()
        tint = QColor(status_color(palette, "block"))
        tint.setAlpha(OVERFLOW_TINT_ALPHA + (20 if is_dark(palette) else 0))
        fmt = QTextCharFormat()
        fmt.setBackground(tint)  # translucent: a warning's tint inside it still shows
        return fmt

    def paint(self) -> None:
        """Show the host's current findings as the editor's extra selections."""
        items = self._host.findings
        formats = self.formats()
        selections = []
        # the length findings (one per network the post is too long for) overlap: tint from the earliest cut
        overflow = [item for item in items
                    if item.counts and item.finding.network is not None and item.qt_span[0] < item.qt_span[1]]
        if overflow:
            selection = QTextEdit.ExtraSelection()
            selection.cursor = min(overflow, key=lambda i: i.qt_span[0]).cursor
            selection.format = self.overflow_format()
            selections.append(selection)
        # drawn in list order, later on top: info, then warn, then block
        for item in sorted(items, key=lambda i: i.rank):
            if not item.counts or item.finding.network is not None or item.qt_span[0] == item.qt_span[1]:
                continue
            selection = QTextEdit.ExtraSelection()
            selection.cursor = item.cursor
            selection.format = formats.get(item.severity, formats["info"])
            selections.append(selection)
        self._editor.setExtraSelections(selections)

    # -- what is where ---------------------------------------------------------------------------
    def items_at(self, position: int) -> list[LiveFinding]:
        """The counting findings covering the character at Qt *position*, most severe first."""
        return [item for item in self._host.findings
                if item.counts and item.cursor.selectionStart() <= position < item.cursor.selectionEnd()]

    def items_at_point(self, pos: QPoint) -> tuple[list[LiveFinding], QRect]:
        """The counting findings under viewport point *pos*, and the caret-high strip they are in."""
        cursor = self._editor.cursorForPosition(pos)
        caret = self._editor.cursorRect(cursor)
        if not caret.top() <= pos.y() <= caret.bottom():
            return [], QRect()
        position = cursor.position()
        # cursorForPosition gives the nearest boundary: left of it, the point is over the previous character
        char = position - 1 if pos.x() < caret.left() and position > 0 else position
        return self.items_at(char), QRect(pos.x() - 4, caret.top(), 8, caret.height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self._editor and kind in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.paint()
        elif kind == QEvent.Type.ToolTip and watched is self._editor.viewport():
            return self._show_tooltip(event)
        return super().eventFilter(watched, event)

    # -- tooltips --------------------------------------------------------------------------------
    def tooltip_at(self, pos: QPoint) -> tuple[str, QRect] | None:
        """The tooltip (rich text) for viewport point *pos*, and the area it belongs to."""
        items, rect = self.items_at_point(pos)
        if not items:
            return None
        parts = []
        for item in items:
            f = item.finding
            colour = status_color(self._editor.palette(), item.severity).name()
            part = (f"<p style='margin:0'><b style='color:{colour}'>{item.label}"
                    f":</b> {html.escape(f.message)}</p>")
            if f.explanation:
                part += f"<p style='margin-top:4px'>{html.escape(f.explanation)}</p>"
            if f.tip:
                part += f"<p style='margin-top:4px'><i>Tip:</i> {html.escape(f.tip)}</p>"
            if advisory_note(f):
                part += f"<p style='margin-top:4px'><small>{html.escape(advisory_note(f))}</small></p>"
            tip = learn_more(self._host, f)
            if tip is not None:
                part += (f"<p style='margin-top:4px'>Learn more: <b>{html.escape(tip.title)}</b> "
                         "<small>(Tips panel, or right-click)</small></p>")
            hint = _action_hint(item)
            if hint:
                part += f"<p style='margin-top:4px'><small>{html.escape(hint)}</small></p>"
            parts.append(part)
        return "<hr>".join(parts), rect

    def _show_tooltip(self, event: Any) -> bool:
        found = self.tooltip_at(event.pos())
        if found is None:
            QToolTip.hideText()
            event.ignore()
            return True
        text, rect = found
        QToolTip.showText(event.globalPos(), text, self._editor.viewport(), rect)
        return True

    # -- the editor's context menu ---------------------------------------------------------------
    def context_menu(self, pos: QPoint) -> QMenu:
        """The editor's standard menu, headed by actions for the findings under viewport point *pos*."""
        host = self._host
        menu = self._editor.createStandardContextMenu()
        items, _rect = self.items_at_point(pos)
        first = menu.actions()[0] if menu.actions() else None
        added: list[QAction] = []
        for item in items:
            label = item.label
            fix = item.finding.quick_fix
            if fix is not None:
                action = QAction(f"Fix: {fix.label}", menu)
                action.setEnabled(host.can_fix(item))
                action.triggered.connect(lambda _checked=False, i=item: host.apply_quick_fix(i))
                added.append(action)
            if item.severity == "warn":
                action = QAction("Acknowledge warning…", menu)
                action.triggered.connect(lambda _checked=False, i=item: host.acknowledge_requested.emit(i))
                added.append(action)
            elif item.severity == "info":
                action = QAction("Dismiss hint", menu)
                action.triggered.connect(lambda _checked=False, i=item: host.acknowledge(i))
                added.append(action)
            action = QAction(f"Explain this {label.lower()}", menu)
            action.triggered.connect(lambda _checked=False, i=item: host.show_requested.emit(i))
            added.append(action)
            tip = learn_more(host, item.finding)
            if tip is not None:
                action = QAction(f"Learn more: {tip.title}", menu)
                action.triggered.connect(lambda _checked=False, t=tip.id: host.tip_requested.emit(t))
                added.append(action)
            if host.can_report(item):
                action = QAction("This is wrong…", menu)
                action.triggered.connect(lambda _checked=False, i=item: host.report_requested.emit(i))
                added.append(action)
        if added and first is not None:
            menu.insertActions(first, added)
            menu.insertSeparator(first)
        elif added:  # an empty menu: what inserting before no action does
            menu.addActions(added)
            menu.addSeparator()
        return menu

    def _show_context_menu(self, pos: QPoint) -> None:
        menu = self.context_menu(pos)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self._editor.viewport().mapToGlobal(pos))


def learn_more(host: Any, finding: Any) -> Any:
    """The tip explaining *finding* (with ``id`` and ``title``), when the Tips feature is wired, else None."""
    tip_for = getattr(host, "tip_for", None)
    return tip_for(finding) if tip_for is not None else None


def _action_hint(item: LiveFinding) -> str:
    """What the author can do about *item*, for the end of its tooltip."""
    fix = item.finding.quick_fix
    fix_hint = f"Quick fix: {fix.label} (right-click or the Policy panel)." if fix is not None else ""
    if item.severity == "block":
        return " ".join(filter(None, [fix_hint, "This cannot be overridden."]))
    if item.severity == "warn":
        return " ".join(filter(None, [fix_hint, "You can acknowledge it with a reason (right-click)."]))
    return " ".join(filter(None, [fix_hint, "You can dismiss this hint (right-click)."]))
