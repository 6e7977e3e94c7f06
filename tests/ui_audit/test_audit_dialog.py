"""Help → Audit trail… in the real main window (pytest-qt): the records, the verification line (intact, and
where a tampered chain breaks), and Export CSV/JSON writing real files off the GUI thread."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from pathlib import Path

from PySide6.QtWidgets import QMenu

from desktop.core.drafts import DraftStore
from desktop.core.paths import AppPaths
from desktop.ui.audit.dialog import COLUMNS, AuditDialog
from tests.ui.conftest import make_window  # noqa: F401 - the real main window over a profile (a fixture)

V8_DATABASE = Path(__file__).resolve().parents[1] / "data" / "drafts-v8.db"


def profile_store(profile: Path) -> DraftStore:
    """The profile's drafts database: the real v8 file upgraded (6 migrated records: acknowledgements, a quiz,
    three posts)."""
    paths = AppPaths.for_profile(profile)
    paths.ensure()
    shutil.copy(V8_DATABASE, paths.drafts_db)
    return DraftStore.open(paths.drafts_db)


def open_dialog(qtbot, window) -> AuditDialog:  # type: ignore[no-untyped-def]
    [help_menu] = [a.menu() for a in window.menuBar().actions()
                   if isinstance(a.menu(), QMenu) and a.text().replace("&", "") == "Help"]
    [action] = [a for a in help_menu.actions() if a.objectName() == "show-audit-trail"]
    assert action.text() == "&Audit trail…"
    action.trigger()
    dialog = window.audit.dialog
    assert isinstance(dialog, AuditDialog)
    qtbot.waitUntil(lambda: dialog.verification is not None, timeout=5000)
    return dialog


def test_the_dialog_lists_the_records_newest_first_and_says_the_chain_is_intact(qtbot, make_window, profile):  # noqa: F811
    window = make_window(store=profile_store(profile))
    dialog = open_dialog(qtbot, window)
    table = dialog.table
    assert [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())] == list(COLUMNS)
    assert table.rowCount() == 6
    rows = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    assert [row[1] for row in rows] == ["Published", "Published", "Published", "Warning acknowledged",
                                        "Policy check", "Policy acknowledged"]
    assert rows[0][2] == "@alice@social.example · Mastodon" and rows[0][4] == "https://social.example/@alice/112"
    assert "part" not in rows[0][3] and "text not known" in rows[0][3]
    assert rows[2][2] == "@alice.example.com · Bluesky" and "acknowledged: disclosure" in rows[2][3]
    assert "“I work at Acme and say so in my profile”" in rows[3][3]
    assert "right, passed" in rows[4][3] and "policy acme-example 2025.06.1" in rows[4][3]
    assert dialog.verify_label.text().startswith("✓ The audit trail is intact: 6 records")


def test_verify_again_shows_where_a_tampered_chain_breaks(qtbot, make_window, profile):  # noqa: F811
    store = profile_store(profile)
    window = make_window(store=store)
    dialog = open_dialog(qtbot, window)
    with sqlite3.connect(store.path) as db:  # someone edits the file behind the app's back
        db.execute("UPDATE audit_log SET record = replace(record, 'profile', 'pocket') WHERE seq = 3")
    dialog.verification = None
    dialog.verify_button.click()
    qtbot.waitUntil(lambda: dialog.verification is not None, timeout=5000)
    assert dialog.verify_label.text().startswith("✗ The audit trail is broken: record 3 (warning_acknowledged")
    assert "was edited" in dialog.verify_label.text()


def test_export_csv_and_json_write_the_chosen_files(qtbot, make_window, profile, tmp_path):  # noqa: F811
    window = make_window(store=profile_store(profile))
    dialog = open_dialog(qtbot, window)
    asked: list[tuple[str, str]] = []

    def choose(parent, title, suggested, file_filter):  # type: ignore[no-untyped-def]
        asked.append((title, file_filter))
        return str(tmp_path / Path(suggested).name)

    dialog.choose_file = choose
    with qtbot.waitSignal(dialog.exported, timeout=5000) as written:
        dialog.csv_button.click()
    rows = list(csv.DictReader(io.StringIO(Path(written.args[0]).read_bytes().decode("utf-8-sig"))))
    assert [row["seq"] for row in rows] == ["1", "2", "3", "4", "5", "6"]
    with qtbot.waitSignal(dialog.exported, timeout=5000) as written:
        dialog.json_button.click()
    document = json.loads(Path(written.args[0]).read_text("utf-8"))
    assert len(document["records"]) == 6 and document["verification"]["intact"] is True
    assert asked == [("Export the audit trail as CSV", "CSV (*.csv)"), ("Export the audit trail as JSON", "JSON (*.json)")]
    assert "Exported to" in dialog.status.text() and "Nothing was sent anywhere" in dialog.status.text()
    dialog.choose_file = lambda *args: ""  # cancelled: nothing happens
    dialog.csv_button.click()
    assert "Exported to" in dialog.status.text()


def test_a_fresh_profile_shows_an_empty_intact_trail(qtbot, make_window):  # noqa: F811
    window = make_window()
    dialog = open_dialog(qtbot, window)
    assert dialog.table.rowCount() == 0
    assert dialog.verify_label.text() == "✓ The audit trail is empty (nothing recorded yet) and intact."
