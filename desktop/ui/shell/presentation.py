"""Presentation mode, for a trainer in front of a projector: View → Presentation mode (Ctrl+Shift+P).

While it is on:

- the whole window's text is :data:`SCALE` times larger: the application font (menus, panels, lists,
  buttons, tooltips, dialogs; and the fonts a platform theme set for particular kinds of widget) and the
  composer's own font, which is set explicitly and so does not follow the application's;
- findings are drawn in the underlines' high-contrast style (a solid line and a stronger tint: a thin
  wave and a faint tint wash out on a projector);
- every keyboard shortcut the trainer presses is shown for a moment at the bottom of the window
  (:class:`KeyOverlay`), with the command's name when it is a menu command, so the room can follow.

Turning it off puts back exactly the fonts that were in force before.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPen,
    QShortcutEvent,
)
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QMenu, QPlainTextEdit, QWidget

from desktop.ui.policy.underlines import Underlines

SCALE = 1.5  # the fonts' size in presentation mode, times their usual size
SHORTCUT = "Ctrl+Shift+P"
OVERLAY_MS = 1200  # how long a pressed shortcut stays on screen
OVERLAY_BOTTOM = 48  # pixels between the overlay and the window's bottom edge (above the status bar)
# kinds of widget a platform theme may give a font of their own (QApplication.font(class name))
THEMED_FONT_CLASSES = ("QMenu", "QMenuBar", "QTipLabel", "QToolButton", "QMessageBox", "QHeaderView",
                       "QDockWidgetTitle", "QLabel", "QAbstractItemView", "QLineEdit", "QPushButton", "QStatusBar",
                       "QComboMenuItem", "QMdiSubWindowTitleBar")
_MODIFIER_KEYS = frozenset(key.value for key in (Qt.Key.Key_Control, Qt.Key.Key_Shift, Qt.Key.Key_Alt, Qt.Key.Key_Meta,
                                                 Qt.Key.Key_AltGr, Qt.Key.Key_Super_L, Qt.Key.Key_Super_R,
                                                 Qt.Key.Key_unknown))
_SHOWN_MODIFIERS = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                    | Qt.KeyboardModifier.MetaModifier)


def scaled(font: QFont, factor: float) -> QFont:
    """*font*, *factor* times larger, in points, or in pixels for a font sized in pixels."""
    bigger = QFont(font)
    if font.pointSizeF() > 0:
        bigger.setPointSizeF(font.pointSizeF() * factor)
    elif font.pixelSize() > 0:
        bigger.setPixelSize(round(font.pixelSize() * factor))
    return bigger


class KeyOverlay(QWidget):
    """The shortcut just pressed, e.g. "Ctrl+Return  Publish", near the bottom of the window for a moment."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("key-overlay")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.keys = ""
        self.what = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(OVERLAY_MS)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def text(self) -> str:
        """What is shown, as one line (tests, screen readers)."""
        return f"{self.keys}  {self.what}".strip()

    def show_keys(self, keys: str, what: str = "") -> None:
        self.keys, self.what = keys, what
        self.setAccessibleName(self.text())
        self._place()
        self.show()
        self.raise_()
        self.update()
        self._timer.start()

    def _fonts(self) -> tuple[QFont, QFont]:
        keys = scaled(self.font(), 1.6)
        keys.setBold(True)
        return keys, scaled(self.font(), 1.2)

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        keys_font, what_font = self._fonts()
        width = QFontMetrics(keys_font).horizontalAdvance(self.keys) + 48
        if self.what:
            width += QFontMetrics(what_font).horizontalAdvance(self.what) + 20
        height = QFontMetrics(keys_font).height() + 24
        width = min(width, parent.width() - 20)
        self.setGeometry((parent.width() - width) // 2, parent.height() - height - OVERLAY_BOTTOM, width, height)

    def reposition(self) -> None:
        if self.isVisible():
            self._place()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # the same in light and dark windows: light text on a near-black card, as on-screen key displays are
        painter.setPen(QPen(QColor(255, 255, 255, 110), 1.5))  # an edge that shows on a dark window too
        painter.setBrush(QColor(20, 20, 24, 225))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 12, 12)
        keys_font, what_font = self._fonts()
        inner = self.rect().adjusted(24, 0, -24, 0)
        painter.setPen(QColor(255, 255, 255))
        painter.setFont(keys_font)
        painter.drawText(inner, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), self.keys)
        if self.what:
            offset = QFontMetrics(keys_font).horizontalAdvance(self.keys) + 20
            painter.setFont(what_font)
            painter.setPen(QColor(215, 215, 222))
            painter.drawText(inner.adjusted(offset, 0, 0, 0),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), self.what)


def _class_font(class_name: str) -> QFont:
    return QApplication.font(class_name)  # type: ignore[call-overload]  # PySide6 wants str; its stub says bytes


def _set_class_font(font: QFont, class_name: str) -> None:
    QApplication.setFont(font, class_name)  # type: ignore[arg-type]  # as above


def _command_name(action: QAction) -> str:
    return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


class PresentationMode(QObject):
    """The checkable action and what it turns on and off in *window* (see the module's docstring)."""

    def __init__(self, window: QMainWindow, editor: QPlainTextEdit, underlines: Underlines,
                 view_menu: QMenu | None = None) -> None:
        super().__init__(window)
        self.window, self.editor, self.underlines = window, editor, underlines
        self.overlay = KeyOverlay(window)
        self.action = QAction("&Presentation mode", window)
        self.action.setObjectName("presentation-mode")
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setToolTip(f"Larger text, high-contrast findings and the keys you press shown on screen ({SHORTCUT})")
        self.action.setStatusTip("For projectors: larger text, high-contrast findings, the keys you press shown on screen")
        self.action.toggled.connect(self.set_enabled)
        window.addAction(self.action)
        if view_menu is not None:
            first = view_menu.actions()[0] if view_menu.actions() else None
            if first is None:
                view_menu.addAction(self.action)
            else:
                view_menu.insertAction(first, self.action)
                view_menu.insertSeparator(first)
        self._saved: tuple[QFont, dict[str, QFont], QFont] | None = None
        self._dock_fonts: list[tuple[QDockWidget, QFont | None]] = []  # each panel's own font, or None
        self._last_key: tuple[int, int, int] | None = None  # a key event seen again while it propagates
        window.installEventFilter(self)  # its resizes move the overlay

    @property
    def enabled(self) -> bool:
        return self._saved is not None

    def set_enabled(self, on: bool) -> None:
        app = QApplication.instance()
        if not isinstance(app, QApplication) or on == self.enabled:
            return
        if on:
            base = QFont(app.font())
            themed = {name: QFont(_class_font(name)) for name in THEMED_FONT_CLASSES if _class_font(name) != base}
            self._saved = (base, themed, QFont(self.editor.font()))
            QApplication.setFont(scaled(base, SCALE))  # clears the per-class fonts: set again, scaled, below
            for name, font in themed.items():
                _set_class_font(scaled(font, SCALE), name)
            self.editor.setFont(scaled(self.editor.font(), SCALE))
            self._enlarge_dock_titles(base)
            self.underlines.set_high_contrast(True)
            app.installEventFilter(self)
            self.overlay.show_keys(SHORTCUT, "Presentation mode on")
        else:
            assert self._saved is not None
            base, themed, editor_font = self._saved
            self._saved = None
            app.removeEventFilter(self)
            QApplication.setFont(base)
            for name, font in themed.items():
                _set_class_font(font, name)
            self.editor.setFont(editor_font)
            for dock, own in self._dock_fonts:
                if shiboken6.isValid(dock):
                    dock.setFont(own if own is not None else QFont())  # QFont(): inherit again, as before
            self._dock_fonts = []
            self.underlines.set_high_contrast(False)
            self.overlay.hide()
        if self.action.isChecked() != on:
            self.action.setChecked(on)

    def _enlarge_dock_titles(self, base: QFont) -> None:
        """A panel paints its title in the font Qt gave its kind of widget when it was made, unless the panel
        has a font of its own that differs from that one: give each panel its larger font, with a rendering
        hint that changes nothing on screen but makes it differ."""
        self._dock_fonts = []
        for dock in self.window.findChildren(QDockWidget):
            own = QFont(dock.font()) if dock.testAttribute(Qt.WidgetAttribute.WA_SetFont) else None
            self._dock_fonts.append((dock, own))
            bigger = scaled(own if own is not None else base, SCALE)
            bigger.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
            dock.setFont(bigger)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.window and kind == QEvent.Type.Resize:
            self.overlay.reposition()
        elif kind == QEvent.Type.Shortcut and isinstance(event, QShortcutEvent) and self.enabled:
            # a menu command's (or another shortcut's) keys were pressed
            what = _command_name(watched) if isinstance(watched, QAction) else ""
            if watched is not self.action:
                self.overlay.show_keys(event.key().toString(QKeySequence.SequenceFormat.NativeText), what)
        elif kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and self.enabled:
            self._key_pressed(event)
        return False

    def _key_pressed(self, event: QKeyEvent) -> None:
        """Keys with Ctrl, Alt or Meta (Ctrl+Z, Ctrl+C in the editor) and the function keys: what a trainer
        presses that the room cannot see. Plain typing is not shown."""
        key = int(event.key())  # an int, not a Qt.Key, in PySide6
        if event.isAutoRepeat() or key in _MODIFIER_KEYS:
            return
        function_key = Qt.Key.Key_F1.value <= key <= Qt.Key.Key_F35.value
        if not (event.modifiers() & _SHOWN_MODIFIERS) and not function_key:
            return
        seen = (event.timestamp(), key, int(event.modifiers().value))
        if seen == self._last_key:  # the same press, passed on to the parent of a widget that ignored it
            return
        self._last_key = seen
        self.overlay.show_keys(QKeySequence(event.keyCombination()).toString(QKeySequence.SequenceFormat.NativeText))
