"""The Settings dialog, generated from the setting declarations in ``desktop.core.settings``.

Each declaration becomes one control of the matching kind. A setting your organisation made
mandatory is shown disabled with "Managed by your organisation" and, in its tooltip, where the value
comes from (a file, a registry key, a profile); a recommended value is shown as the value in force,
which the user may change (Restore Defaults goes back to it). Secret settings are never shown: only
whether IT set one. Opened with ``open()`` (non-blocking); ``applied`` fires after
the values are stored in memory (the window then saves them off the GUI thread).

A locked value stays as legible as an editable one (the Fusion palette greys disabled text to a
contrast too low to read a proxy address or a policy URL), and its tooltip carries the whole value,
which a disabled field cannot scroll to. The groups scroll inside a dialog no taller than the
screen: twenty settings do not fit a 768-pixel laptop screen.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.core.networks import DISPLAY_NAMES, NETWORKS
from desktop.core.setting_spec import Kind, SettingSpec
from desktop.core.settings import Settings

LOCKED_NOTE = "Managed by your organisation"
RECOMMENDED_NOTE = "Recommended by your organisation"
SECRET_SET = "••••••••"  # what a secret IT set shows instead of its value
SCREEN_SHARE = 0.9  # the most of the screen's free height (and width) the dialog takes at first


def keep_text_legible(editor: QWidget) -> None:
    """Draw *editor*'s (disabled) text in the colours of enabled text: a locked value must be read."""
    palette = editor.palette()
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, palette.color(QPalette.ColorGroup.Active, role))
    editor.setPalette(palette)


class _NetworksEditor(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes = {n: QCheckBox(DISPLAY_NAMES[n], self) for n in NETWORKS}
        for box in self.boxes.values():
            layout.addWidget(box)
        layout.addStretch(1)

    def value(self) -> tuple[str, ...]:
        return tuple(n for n, box in self.boxes.items() if box.isChecked())

    def set_value(self, value: tuple[str, ...]) -> None:
        for n, box in self.boxes.items():
            box.setChecked(n in value)


class SettingsDialog(QDialog):
    applied = Signal()

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings
        self.editors: dict[str, QWidget] = {}
        self.notes: dict[str, QLabel] = {}  # key -> "Managed by …" / "Recommended by …", with the origin as tooltip
        self.content = QWidget(self)
        content_layout = QVBoxLayout(self.content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        groups: dict[str, QFormLayout] = {}
        for spec in settings.specs.values():
            if spec.group not in groups:
                box = QGroupBox(spec.group, self.content)
                groups[spec.group] = QFormLayout(box)
                content_layout.addWidget(box)
            editor = self._editor_for(spec)
            editor.setToolTip(spec.help)
            editor.setAccessibleName(spec.label)
            editor.setAccessibleDescription(spec.help)
            self.editors[spec.key] = editor
            self._show(spec, settings.get(spec.key))
            field: QWidget = editor
            level = settings.source(spec.key)
            if spec.secret:
                editor.setEnabled(False)
            if level in ("mandatory", "recommended"):
                origin = settings.origin(spec.key)
                locked = level == "mandatory"
                editor.setEnabled(not locked)
                if locked:
                    keep_text_legible(editor)
                text = LOCKED_NOTE if locked else RECOMMENDED_NOTE
                where = f"Set in {origin}" if locked else f"Recommended in {origin}; you may change it"
                field = QWidget(self)
                row = QHBoxLayout(field)
                row.setContentsMargins(0, 0, 0, 0)
                row.addWidget(editor, 1)
                note = QLabel(f"🔒 {text}" if locked else text, field)
                note.setObjectName(f"note-{spec.key}")
                note.setToolTip(where)
                note.setAccessibleName(f"{spec.label}: {text}")
                note.setAccessibleDescription(where)
                row.addWidget(note)
                value = "" if spec.secret or not isinstance(editor, QLineEdit) else f"Value: {editor.text()}\n"
                editor.setToolTip(f"{value}{text}. {where}.\n\n{spec.help}")
                self.notes[spec.key] = note
            label = QLabel(spec.label + ":", self)
            label.setToolTip(spec.help)
            label.setBuddy(editor)
            groups[spec.group].addRow(label, field)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults,
            self,
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(self.restore_defaults)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(self.content)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(buttons)
        self._layout = layout
        self.buttons = buttons
        self.resize(self._fitting_size())

    def _fitting_size(self) -> QSize:
        """All the settings when the screen has room, else as much as :data:`SCREEN_SHARE` of it (they scroll)."""
        margins = self._layout.contentsMargins()
        spacing = self._layout.spacing()
        scrollbar = self.scroll_area.verticalScrollBar().sizeHint().width()
        content = self.content.sizeHint()
        width = content.width() + scrollbar + margins.left() + margins.right()
        height = content.height() + self.buttons.sizeHint().height() + spacing + margins.top() + margins.bottom()
        parent = self.parentWidget()
        screen = parent.screen() if parent is not None else QGuiApplication.primaryScreen()
        free = screen.availableGeometry()
        return QSize(min(width, int(free.width() * SCREEN_SHARE)), min(height, int(free.height() * SCREEN_SHARE)))

    def _editor_for(self, spec: SettingSpec) -> QWidget:
        if spec.kind is Kind.BOOL:
            return QCheckBox(self)
        if spec.kind is Kind.INT:
            spin = QSpinBox(self)
            spin.setRange(spec.minimum if spec.minimum is not None else -(2**31),
                          spec.maximum if spec.maximum is not None else 2**31 - 1)
            return spin
        if spec.kind is Kind.CHOICE:
            combo = QComboBox(self)
            for value, label in spec.choices:
                combo.addItem(label, value)
            return combo
        if spec.kind is Kind.NETWORKS:
            return _NetworksEditor(self)
        line = QLineEdit(self)
        if spec.kind is Kind.TEXTS:
            line.setPlaceholderText("separate entries with commas")
        if spec.secret:
            line.setPlaceholderText("only your organisation (IT) can set this")
        return line

    def _show(self, spec: SettingSpec, value: Any) -> None:
        editor = self.editors[spec.key]
        if isinstance(editor, QCheckBox):
            editor.setChecked(bool(value))
        elif isinstance(editor, QSpinBox):
            editor.setValue(int(value))
        elif isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(value)))
        elif isinstance(editor, _NetworksEditor):
            editor.set_value(tuple(value))
        elif isinstance(editor, QLineEdit):
            if spec.secret:
                editor.setText(SECRET_SET if value else "")  # never the secret itself
            elif spec.kind is Kind.TEXTS:
                editor.setText(", ".join(value))
            else:
                editor.setText(str(value))

    def value_of(self, key: str) -> Any:
        editor = self.editors[key]
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QSpinBox):
            return editor.value()
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, _NetworksEditor):
            return list(editor.value())
        assert isinstance(editor, QLineEdit)
        if self.settings.specs[key].kind is Kind.TEXTS:
            return [part.strip() for part in editor.text().split(",") if part.strip()]
        return editor.text()

    def restore_defaults(self) -> None:
        for key, spec in self.settings.specs.items():
            if not self.settings.is_locked(key) and not spec.secret:
                self._show(spec, self.settings.fallback(key))  # IT's recommended value, else the built-in default

    def accept(self) -> None:
        for key, spec in self.settings.specs.items():
            if self.settings.is_locked(key) or spec.secret:
                continue
            value = self.value_of(key)
            if spec.coerce(value) == self.settings.fallback(key) and self.settings.source(key) in ("default",
                                                                                                  "recommended"):
                continue  # untouched: keep following the built-in default (or IT's recommendation)
            self.settings.set(key, value)
        super().accept()
        self.applied.emit()
