"""Help → Diagnostics in the real main window: the doctor's report gathered off the GUI thread,
shown, and copied for support without the proxy password the settings hold."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication

from desktop.bootstrap import build_services, make_diagnose
from desktop.ui.shell.diagnostics import DiagnosticsDialog

PASSWORD = "Pw-never-copied-77"


def test_help_diagnostics_shows_the_report_and_copies_it_without_secrets(make_window, qtbot, profile):
    values = {"network.proxy": f"http://helpdesk:{PASSWORD}@127.0.0.1:9", "policy.source": "acme-example"}

    def services(settings, store, paths):
        built = build_services(settings, store, paths.cache_dir, policy_download=paths.policy_download)
        built.diagnose = make_diagnose(paths, settings, store, built.remote_policy)
        return built

    window = make_window(values=values, services=services)
    action = window.act_diagnostics
    assert action.isEnabled() and "Diagnostics" in action.text()
    assert action in window.menuBar().actions()[-1].menu().actions()  # under Help
    action.trigger()
    dialog = window.diagnostics_dialog
    assert isinstance(dialog, DiagnosticsDialog)
    assert not dialog.copy_button.isEnabled()  # still checking: nothing to copy yet
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=60_000)
    text = dialog.text.toPlainText()
    assert "Acme" in text and "Policy" in text and "Keyring" in text
    assert "helpdesk:***@127.0.0.1:9" in text and PASSWORD not in text
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert copied == dialog.report.as_text() and PASSWORD not in copied
    assert "copied" in dialog.summary.text()
