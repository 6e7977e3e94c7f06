"""The guided tour: walks :data:`~desktop.ui.tour.steps.STEPS` over the main window, one part at a time.

Each step's target is looked up by ``objectName`` when it is shown, and again whenever anything it
sits in moves, is resized, floated, hidden or closed: the highlight and the callout follow it (the
highlight lives in the target's own window, so a floating panel is framed where it floats), and a step
whose target is gone or hidden is skipped in the direction the person was going. Nothing here is modal:
the window keeps working, and typing goes where it went before unless the person moves to the callout.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QWidget

from desktop.ui.tour.callout import GAP, POINTER, Callout, Highlight
from desktop.ui.tour.steps import STEPS, TourStep

log = logging.getLogger(__name__)

# what, happening to the target or anything it sits in, can move it, hide it or change its window
_WATCHED_EVENTS = frozenset({
    QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide, QEvent.Type.Close,
    QEvent.Type.ParentChange, QEvent.Type.WindowStateChange, QEvent.Type.LayoutRequest,
})


def _alive(widget: QWidget | None) -> bool:
    return widget is not None and shiboken6.isValid(widget)


def _on_screen(widget: QWidget) -> bool:
    return widget.isVisible() and widget.width() > 0 and widget.height() > 0


class GuidedTour(QObject):
    """The tour over *window*; :meth:`start` shows it, :attr:`finished` says how it ended ("done" or "skipped")."""

    step_shown = Signal(str)  # the key of the step now shown
    finished = Signal(str)  # "done" (Done on the last step) or "skipped" (Skip tour, Esc, or nothing left to show)

    def __init__(self, window: QMainWindow, steps: Sequence[TourStep] = STEPS) -> None:
        super().__init__(window)
        self.window = window
        self.steps = tuple(steps)
        self.index = -1  # the step shown; -1 while the tour is not running
        self.target: QWidget | None = None
        self._direction = 1
        self._watched: list[QWidget] = []
        self.callout = Callout(window)
        self.callout.hide()
        self.highlight = Highlight(window)
        self.highlight.hide()
        self.callout.next_requested.connect(self.next)
        self.callout.back_requested.connect(self.back)
        self.callout.skip_requested.connect(self.skip)
        self._follow = QTimer(self)  # coalesces a burst of moves and resizes into one placement
        self._follow.setSingleShot(True)
        self._follow.setInterval(0)
        self._follow.timeout.connect(self._refresh)
        self.callout.installEventFilter(self)  # its own text growing (presentation mode) re-places it
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    # -- state ---------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.index >= 0

    @property
    def step(self) -> TourStep | None:
        return self.steps[self.index] if self.running else None

    def available(self) -> list[int]:
        """The indexes of the steps that can be shown now: no target needed, or one of theirs on screen."""
        return [i for i, step in enumerate(self.steps) if not step.targets or self.find_target(step) is not None]

    def find_target(self, step: TourStep) -> QWidget | None:
        """The first of *step*'s targets that is on screen now, looked up by objectName in the window."""
        for name in step.targets:
            for widget in self.window.findChildren(QWidget, name):
                if _on_screen(widget):
                    return widget
        return None

    # -- moving through the steps --------------------------------------------------------------------
    def start(self, take_keyboard: bool = True) -> None:
        """Show the first step. *take_keyboard*: move the focus to the callout (when the person asked for
        the tour); on the first start it is left where it is, so typing goes on."""
        self._direction = 1
        if self.running:
            self._end("skipped")
        if not self._go(0, 1):
            self._end("skipped")
            return
        if take_keyboard:
            self.focus()

    def focus(self) -> None:
        """Give the keyboard to the callout (Shift+F1, Help → Take the tour while it runs)."""
        if self.running:
            self.callout.raise_()
            self.callout.take_keyboard()

    def next(self) -> None:
        if not self.running:
            return
        if not self._go(self.index + 1, 1):
            self._end("done")

    def back(self) -> None:
        if self.running:
            self._go(self.index - 1, -1)

    def skip(self) -> None:
        if self.running:
            self._end("skipped")

    def _go(self, start: int, direction: int) -> bool:
        """Show the first step from *start* on, in *direction*, that can be shown now (no target needed, or
        one on screen); False if there is none (the step shown stays)."""
        had_keyboard = self.callout.has_keyboard()
        index = start
        while 0 <= index < len(self.steps):
            step = self.steps[index]
            target = self.find_target(step) if step.targets else None
            if not step.targets or target is not None:
                if isinstance(target, QDockWidget) and not target.isFloating():
                    # a panel tabbed behind another (Tips behind Policy): bring its tab forward first
                    target.raise_()
                self._direction = direction
                self.index = index
                self._show(step, target)
                if had_keyboard:
                    self.callout.take_keyboard()
                return True
            log.debug("tour: step %s skipped, none of %s is on screen", step.key, step.targets)
            index += direction
        return False

    def _show(self, step: TourStep, target: QWidget | None) -> None:
        self._set_target(target)
        shown = self.available()
        number = shown.index(self.index) + 1 if self.index in shown else 1
        self.callout.show_step(step.title, step.text, number, len(shown),
                               first=not shown or self.index <= shown[0], last=not shown or self.index >= shown[-1])
        self.callout.show()
        self._place()
        self.step_shown.emit(step.key)

    def _end(self, how: str) -> None:
        had_keyboard = self.callout.has_keyboard()
        self.index = -1
        self._set_target(None)
        self.callout.hide()
        self.highlight.hide()
        if had_keyboard:
            self.window.activateWindow()
            focus_target = getattr(self.window, "composer", None)
            editor = getattr(focus_target, "editor", None)
            if isinstance(editor, QWidget):
                editor.setFocus()
        self.finished.emit(how)

    # -- following the target ------------------------------------------------------------------------
    def _set_target(self, target: QWidget | None) -> None:
        self.target = target
        self._watch(target)

    def _watch(self, target: QWidget | None) -> None:
        """Watch *target* and everything up to its window (a dock, the splitter, a floating dock's frame),
        and the main window while the tour runs (its size places the callout)."""
        for old in self._watched:
            if _alive(old):
                old.removeEventFilter(self)
        self._watched = []
        widget: QWidget | None = target
        while widget is not None and _alive(widget):
            self._watched.append(widget)
            if widget.isWindow():
                break
            widget = widget.parentWidget()
        if self.running and self.window not in self._watched:
            self._watched.append(self.window)
        for watched in self._watched:
            watched.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.running:
            return False
        if watched is self.callout:
            if event.type() in (QEvent.Type.FontChange, QEvent.Type.LayoutRequest):
                self._follow.start()
        elif event.type() in _WATCHED_EVENTS:
            self._follow.start()
        return False

    def _refresh(self) -> None:
        """After a move, resize, float, hide or close: follow the target, or find the step another one."""
        if not self.running:
            return
        step = self.steps[self.index]
        if not step.targets:
            self._place()
            return
        target = self.target if _alive(self.target) and self.target is not None and _on_screen(self.target) else None
        if target is None:
            target = self.find_target(step)  # re-targeted: another of the step's names, or the panel made anew
        if target is None:
            log.debug("tour: the target of step %s is gone", step.key)
            self._set_target(None)
            going = self._direction
            if not self._go(self.index + going, going) and not self._go(self.index - going, -going):
                self._end("skipped")
            return
        if target is not self.target or target.window() is not self.highlight.window():
            self._set_target(target)
        self._place()

    def target_rect(self) -> QRect:
        """Where the target is, in its own window's coordinates (an empty rect without a target)."""
        target = self.target
        if not _alive(target) or target is None:
            return QRect()
        top_left = target.mapTo(target.window(), QPoint(0, 0))
        return QRect(top_left, target.size())

    def _place(self) -> None:
        target = self.target
        window = self.window
        if target is None or not _alive(target):
            self.highlight.hide()
            self.callout.adjustSize()
            size = self.callout.size()
            self.callout.point(None)
            self.callout.move((window.width() - size.width()) // 2, (window.height() - size.height()) // 3)
            self.callout.raise_()
            return
        host = target.window()
        if self.highlight.parentWidget() is not host:
            self.highlight.setParent(host)  # a floating panel is its own window: frame it there
        self.highlight.frame(self.target_rect())
        self.highlight.show()
        # the callout stays in the main window, beside the target as seen from there
        rect = QRect(window.mapFromGlobal(target.mapToGlobal(QPoint(0, 0))), target.size())
        self.callout.adjustSize()
        self.callout.move(self._callout_position(rect))
        self.callout.raise_()

    def _callout_position(self, rect: QRect) -> QPoint:
        """Beside *rect* (right, left, below, above: the first side with room in the window), its pointer
        facing it; else inside its lower right corner, without a pointer. Always inside the window."""
        size = self.callout.size()
        area = self.window.rect()

        def clamp(value: int, low: int, high: int) -> int:
            return min(max(value, low), high)

        y_beside = clamp(rect.top() - POINTER, area.top(), area.bottom() - size.height())
        x_over = clamp(rect.center().x() - size.width() // 2, area.left(), area.right() - size.width())
        candidates = (
            ("left", QPoint(rect.right() + GAP, y_beside)),
            ("right", QPoint(rect.left() - GAP - size.width(), y_beside)),
            ("top", QPoint(x_over, rect.bottom() + GAP)),
            ("bottom", QPoint(x_over, rect.top() - GAP - size.height())),
        )
        for side, point in candidates:
            if area.contains(QRect(point, size)):
                visible = rect.intersected(area)  # a tall panel: point at the part in the window
                middle = (visible.center() if not visible.isEmpty() else rect.center()) - point
                self.callout.point(side, middle.y() if side in ("left", "right") else middle.x())
                return point
        self.callout.point(None)
        inside = QPoint(rect.right() - size.width() - 2 * POINTER, rect.bottom() - size.height() - 2 * POINTER)
        return QPoint(clamp(inside.x(), area.left(), area.right() - size.width()),
                      clamp(inside.y(), area.top(), area.bottom() - size.height()))

    def _focus_changed(self, _old: QWidget | None, _new: QWidget | None) -> None:
        if self.running and _alive(self.callout):
            self.callout.update_hint()
