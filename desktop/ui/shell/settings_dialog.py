"""The Settings dialog, generated from the setting declarations in ``desktop.core.settings``.

Each declaration becomes one control of the matching kind; settings your organisation manages are
shown disabled with a note saying so. Opened with ``open()`` (non-blocking); ``applied`` fires after
the values are stored in memory (the window then saves them off the GUI thread).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
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
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.core.networks import DISPLAY_NAMES, NETWORKS
from desktop.core.setting_spec import Kind, SettingSpec
from desktop.core.settings import Settings

LOCKED_NOTE = "Set by your organisation"


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
        layout = QVBoxLayout(self)
        groups: dict[str, QFormLayout] = {}
        for spec in settings.specs.values():
            if spec.group not in groups:
                box = QGroupBox(spec.group, self)
                groups[spec.group] = QFormLayout(box)
                layout.addWidget(box)
            editor = self._editor_for(spec)
            editor.setToolTip(spec.help)
            editor.setAccessibleName(spec.label)
            editor.setAccessibleDescription(spec.help)
            self.editors[spec.key] = editor
            self._show(spec, settings.get(spec.key))
            field: QWidget = editor
            if settings.is_locked(spec.key):
                editor.setEnabled(False)
                field = QWidget(self)
                row = QHBoxLayout(field)
                row.setContentsMargins(0, 0, 0, 0)
                row.addWidget(editor, 1)
                note = QLabel(f"🔒 {LOCKED_NOTE}", field)
                note.setAccessibleName(f"{spec.label}: {LOCKED_NOTE}")
                row.addWidget(note)
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
        layout.addWidget(buttons)
        self.buttons = buttons

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
        return QLineEdit(self)

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
        return editor.text()

    def restore_defaults(self) -> None:
        for key, spec in self.settings.specs.items():
            if not self.settings.is_locked(key):
                self._show(spec, spec.default)

    def accept(self) -> None:
        for key, spec in self.settings.specs.items():
            if self.settings.is_locked(key):
                continue
            value = self.value_of(key)
            if spec.coerce(value) == spec.default and self.settings.source(key) == "default":
                continue  # untouched: keep following the built-in default
            self.settings.set(key, value)
        super().accept()
        self.applied.emit()
