import json

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox, QLabel, QSpinBox

from desktop.core.networks import NETWORKS
from desktop.core.settings import SPECS
from desktop.ui.common.theme import status_color
from desktop.ui.shell.settings_dialog import LOCKED_NOTE, SettingsDialog


def open_dialog(window, qtbot):
    window.act_settings.trigger()
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_dialog_has_one_control_per_declared_setting(make_window, qtbot):
    window = make_window()
    dialog = open_dialog(window, qtbot)
    assert set(dialog.editors) == {spec.key for spec in SPECS}
    for spec in SPECS:
        editor = dialog.editors[spec.key]
        assert editor.accessibleName() == spec.label and editor.toolTip() == spec.help
        assert editor.isEnabled() != spec.secret  # a secret only IT sets (managed settings): never edited here
    dialog.reject()


def test_changing_settings_applies_and_saves_them(make_window, qtbot, profile):
    window = make_window()
    dialog = open_dialog(window, qtbot)
    font: QSpinBox = dialog.editors["editor.font_size"]
    font.setValue(20)
    theme: QComboBox = dialog.editors["appearance.theme"]
    theme.setCurrentIndex(theme.findData("dark"))
    dialog.editors["composer.networks"].boxes["x"].setChecked(False)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert window.composer.editor.font().pointSize() == 20
    assert set(window.composer.counter_labels) == set(NETWORKS) - {"x"}
    assert QApplication.palette().color(QPalette.ColorRole.Base).lightnessF() < 0.5
    settings_file = profile / "config" / "settings.json"
    qtbot.waitUntil(settings_file.exists, timeout=5000)
    values = json.loads(settings_file.read_text())["values"]
    assert values["editor.font_size"] == 20 and values["appearance.theme"] == "dark"
    assert values["composer.networks"] == [n for n in NETWORKS if n != "x"]
    assert "mastodon.max_characters" not in values  # untouched settings keep following the default


def test_managed_settings_are_locked_and_labelled(make_window, qtbot):
    window = make_window(managed={"composer.networks": ["linkedin"], "editor.font_size": 14})
    assert set(window.composer.counter_labels) == {"linkedin"}
    dialog = open_dialog(window, qtbot)
    assert not dialog.editors["composer.networks"].isEnabled()
    assert not dialog.editors["editor.font_size"].isEnabled()
    assert dialog.editors["appearance.theme"].isEnabled()
    notes = [label.accessibleName() for label in dialog.findChildren(QLabel) if LOCKED_NOTE in label.text()]
    assert sorted(notes) == [f"Editor font size: {LOCKED_NOTE}", f"Length counters: {LOCKED_NOTE}"]
    dialog.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).click()
    dialog.accept()
    assert window.settings.get("editor.font_size") == 14


def test_status_colours_differ_between_light_and_dark_and_contrast_with_base(qapp):
    from desktop.ui.common.theme import _dark_palette

    light = qapp.style().standardPalette()
    dark = _dark_palette()
    for status in ("over", "block", "warn", "info"):
        on_light, on_dark = status_color(light, status), status_color(dark, status)
        assert on_light != on_dark
        assert abs(on_light.lightnessF() - light.color(QPalette.ColorRole.Base).lightnessF()) > 0.4
        assert abs(on_dark.lightnessF() - dark.color(QPalette.ColorRole.Base).lightnessF()) > 0.4
