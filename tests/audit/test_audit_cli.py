"""``chorus audit verify`` and ``chorus audit export``, run as a user runs them (``python -m desktop`` in a
subprocess) and through ``desktop.cli.main``: a fresh profile, a profile with records, --since, --output,
a tampered trail, and a profile that Chorus has open at the same moment (read-only: nothing changes)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from desktop.cli import main
from desktop.core.audit.export import CSV_FIELDS
from desktop.core.drafts import DraftStore
from desktop.core.drafts.acknowledgements import Acknowledgement

REPO = Path(__file__).resolve().parents[2]
V8_DATABASE = REPO / "tests" / "data" / "drafts-v8.db"


def chorus(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    return subprocess.run([sys.executable, "-m", "desktop", *argv], cwd=REPO, capture_output=True, text=True,
                          timeout=180, env=env)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def profile_with_history(tmp_path: Path) -> Path:
    """A profile whose drafts database is the real v8 file, upgraded by opening it (6 migrated records)."""
    profile = tmp_path / "profile"
    (profile / "data").mkdir(parents=True)
    shutil.copy(V8_DATABASE, profile / "data" / "drafts.db")
    DraftStore.open(profile / "data" / "drafts.db").close()
    return profile


def test_on_a_fresh_profile_export_prints_valid_json_and_verify_exits_0(tmp_path: Path) -> None:
    profile = tmp_path / "fresh"
    exported = chorus("audit", "export", "--format", "json", "--profile", str(profile))
    assert exported.returncode == 0, exported.stderr
    document = json.loads(exported.stdout)
    assert document["records"] == [] and document["format"] == "chorus-audit-trail" and document["version"] == 1
    assert document["verification"]["intact"] is True
    verified = chorus("audit", "verify", "--profile", str(profile))
    assert verified.returncode == 0 and "empty" in verified.stdout and "intact" in verified.stdout
    code, out, _ = run("audit", "export", "--format", "csv", "--profile", str(profile))
    assert code == 0 and out == ",".join(CSV_FIELDS) + "\r\n"
    assert not profile.exists()  # reading a profile never creates one


def test_export_with_records_as_json_and_csv_and_since(tmp_path: Path) -> None:
    profile = profile_with_history(tmp_path)
    exported = chorus("audit", "export", "--format", "json", "--profile", str(profile))
    assert exported.returncode == 0, exported.stderr
    document = json.loads(exported.stdout)
    assert [r["kind"] for r in document["records"]] == ["policy_acknowledged", "quiz_result", "warning_acknowledged",
                                                        "publish", "publish", "publish"]
    assert document["records"][3]["time"] == "2025-11-24T16:04:00Z" and document["records"][3]["seq"] == 4
    assert document["verification"] == {"intact": True, "records": 6, "last_hash": document["records"][-1]["hash"],
                                        "break": None}
    code, out, _ = run("audit", "export", "--format", "csv", "--profile", str(profile))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [row["kind"] for row in rows] == [r["kind"] for r in document["records"]]
    launch = rows[3]
    # a cell a spreadsheet would take for a formula (a handle's leading @) is kept as text
    assert (launch["network"], launch["handle"], launch["migrated"]) == ("bluesky", "'@alice.example.com", "true")
    assert launch["policy_id"] == "acme-example" and json.loads(launch["acknowledged"])[0]["rule_id"] == "disclosure"
    assert launch["hash"] == document["records"][3]["hash"] and launch["other"] == ""
    # --since: a date and time with an offset (local dates are the machine's: not asserted here)
    code, out, _ = run("audit", "export", "--format", "json", "--since", "2025-11-24T16:03:00+00:00",
                       "--profile", str(profile))
    later = json.loads(out)
    assert code == 0 and [r["seq"] for r in later["records"]] == [4, 5, 6]
    assert later["since"] == "2025-11-24T16:03:00Z"
    code, out, _ = run("audit", "export", "--format", "csv", "--since", "2030-01-01", "--profile", str(profile))
    assert code == 0 and out.count("\r\n") == 1  # the header only
    code, _, err = run("audit", "export", "--since", "last tuesday", "--profile", str(profile))
    assert code == 2 and "is not a date" in err


def test_export_to_a_file_writes_exactly_what_stdout_would(tmp_path: Path) -> None:
    profile = profile_with_history(tmp_path)
    target = tmp_path / "out" / "trail.csv"
    target.parent.mkdir()
    exported = chorus("audit", "export", "--format", "csv", "--output", str(target), "--profile", str(profile))
    assert exported.returncode == 0 and exported.stdout == "" and str(target) in exported.stderr
    # the same, after the byte-order mark Excel needs to read UTF-8
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data[3:].decode("utf-8") == run("audit", "export", "--format", "csv", "--profile", str(profile))[1]
    (tmp_path / "a-file").write_text("not a folder")
    code, _, err = run("audit", "export", "--output", str(tmp_path / "a-file" / "x.json"), "--profile", str(profile))
    assert code == 2 and "cannot write" in err


def test_verify_names_where_a_tampered_trail_breaks_and_exits_1(tmp_path: Path) -> None:
    profile = profile_with_history(tmp_path)
    with sqlite3.connect(profile / "data" / "drafts.db") as db:
        db.execute("DELETE FROM audit_log WHERE seq = 4")
    verified = chorus("audit", "verify", "--profile", str(profile))
    assert verified.returncode == 1 and verified.stdout == ""
    assert "broken: record 4 was removed after record 3 (2025-11-24 16:02:00 UTC)" in verified.stderr
    code, out, _ = run("audit", "export", "--format", "json", "--profile", str(profile))
    assert code == 0 and json.loads(out)["verification"]["break"]["seq"] == 4


def test_the_cli_reads_while_chorus_has_the_profile_open_and_changes_nothing(tmp_path: Path) -> None:
    profile = profile_with_history(tmp_path)
    path = profile / "data" / "drafts.db"
    store = DraftStore.open(path)  # the app, with the database open
    try:
        draft = store.create("A draft written while the export runs")
        store.save_acknowledgement(Acknowledgement(draft.id, "r", "draft", 0, "p@1", "acknowledged", "A good reason"))
        # the database and its log (the -shm index holds readers' marks, which every reader moves)
        files = {p.name: p.read_bytes() for p in path.parent.iterdir() if not p.name.endswith("-shm")}
        exported = chorus("audit", "export", "--format", "json", "--profile", str(profile))
        assert exported.returncode == 0, exported.stderr
        assert len(json.loads(exported.stdout)["records"]) == 7  # the app's newest record included
        assert chorus("audit", "verify", "--profile", str(profile)).returncode == 0
        assert {p.name: p.read_bytes() for p in path.parent.iterdir() if not p.name.endswith("-shm")} == files
        store.create("The app goes on writing afterwards")  # not locked out
    finally:
        store.close()


def test_an_older_database_says_to_start_chorus_once(tmp_path: Path) -> None:
    profile = tmp_path / "old"
    (profile / "data").mkdir(parents=True)
    shutil.copy(V8_DATABASE, profile / "data" / "drafts.db")
    code, out, err = run("audit", "export", "--format", "json", "--profile", str(profile))
    assert code == 0 and json.loads(out)["records"] == [] and "start this version of Chorus once" in err
    with sqlite3.connect(profile / "data" / "drafts.db") as db:  # read-only: not migrated by the CLI
        assert db.execute("PRAGMA user_version").fetchone()[0] == 8
