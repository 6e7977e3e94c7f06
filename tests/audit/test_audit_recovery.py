"""The trail through the profile's recovery paths and crude tampering, found by a review: restoring a
moved-aside copy (restore-drafts) merges two copies of one chain; a damaged database from before the
trail is salvaged into a new one; the trail's rows or tables wiped; the next record after a cut-off tail;
CSV cells a spreadsheet would run as formulas. Real SQLite files, the real recovery code, the real CLI."""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3
from pathlib import Path

from desktop.cli import main
from desktop.core.audit import AuditTrail
from desktop.core.audit.chain import REMOVED
from desktop.core.drafts import DraftStore
from desktop.core.drafts.acknowledgements import Acknowledgement
from desktop.core.drafts.migrations import LATEST_VERSION
from desktop.core.drafts.recovery import restore_moved_aside
from desktop.core.drafts.salvage import CORRUPT_INFIX, salvage

V8_DATABASE = Path(__file__).resolve().parents[1] / "data" / "drafts-v8.db"


def sent_in_v8() -> int:
    """How many posts the real schema-8 database has as sent (read from it, not assumed; immutable: reading
    it must not leave -wal/-shm files beside the test data)."""
    with sqlite3.connect(f"{V8_DATABASE.as_uri()}?mode=ro&immutable=1", uri=True) as db:
        return int(db.execute("SELECT COUNT(*) FROM publish_history WHERE status = 'sent'").fetchone()[0])


def acknowledge(store: DraftStore, draft_id: str, rule: str, reason: str = "It is public already, see the blog") -> None:
    store.save_acknowledgement(Acknowledgement(draft_id, rule, "revenue", 0, "acme@1", "acknowledged", reason))


def test_restoring_an_older_copy_merges_the_chain_and_the_next_record_still_goes_in(tmp_path: Path) -> None:
    path = tmp_path / "drafts.db"
    store = DraftStore.open(path)
    draft = store.create("Revenue grew, and we say so")
    acknowledge(store, draft.id, "r1")
    acknowledge(store, draft.id, "r2")
    store.close()
    aside = tmp_path / f"drafts.db{CORRUPT_INFIX}20261201-000000"
    shutil.copy(path, aside)  # the older copy, moved aside
    store = DraftStore.open(path)
    acknowledge(store, draft.id, "r3")
    acknowledge(store, draft.id, "r4")
    store.close()

    restore_moved_aside(path, aside)  # the older copy back; the newer one's rows merged into it
    store = DraftStore.open(path)
    try:
        trail = AuditTrail.of(store)
        verification = trail.verify()
        assert verification.intact and verification.records == 4, verification.summary()
        acknowledge(store, draft.id, "r5")  # before: UNIQUE constraint failed, and the acknowledgement lost
        assert [r.record["rule_id"] for r in trail.records()] == ["r1", "r2", "r3", "r4", "r5"]
        assert trail.verify().intact
    finally:
        store.close()


def test_after_the_newest_records_are_cut_off_the_next_one_takes_a_new_number_and_the_cut_still_shows(
        tmp_path: Path) -> None:
    path = tmp_path / "drafts.db"
    store = DraftStore.open(path)
    draft = store.create("Revenue grew")
    for rule in ("r1", "r2", "r3"):
        acknowledge(store, draft.id, rule)
    store.close()
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM audit_log WHERE seq = 3")
    store = DraftStore.open(path)
    try:
        acknowledge(store, draft.id, "r4")  # recorded: the publish or acknowledgement is never rolled back
        trail = AuditTrail.of(store)
        assert [r.seq for r in trail.records()] == [1, 2, 4]
        broken = trail.verify().broken
        assert broken is not None and broken.kind == REMOVED and broken.seq == 3
    finally:
        store.close()


def test_a_wiped_trail_is_not_reported_intact(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    (profile / "data").mkdir(parents=True)
    shutil.copy(V8_DATABASE, profile / "data" / "drafts.db")
    DraftStore.open(profile / "data" / "drafts.db").close()  # upgraded: its sent posts chained
    database = profile / "data" / "drafts.db"
    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM audit_log")
        db.execute("DELETE FROM audit_head")
    out, err = io.StringIO(), io.StringIO()
    assert main(["audit", "verify", "--profile", str(profile)], stdout=out, stderr=err) == 1
    assert f"no records, but {sent_in_v8()} posts were published" in err.getvalue()
    with sqlite3.connect(database) as db:
        db.execute("DROP TABLE audit_log")
        db.execute("DROP TABLE audit_head")
    err = io.StringIO()
    assert main(["audit", "verify", "--profile", str(profile)], stdout=io.StringIO(), stderr=err) == 1
    assert "tables were removed" in err.getvalue()


def test_a_damaged_database_from_before_the_trail_gets_its_history_chained_when_salvaged(tmp_path: Path) -> None:
    fresh_path = tmp_path / "fresh.db"
    DraftStore.open(fresh_path).close()  # today's schema, an empty trail
    fresh = sqlite3.connect(fresh_path, isolation_level=None)
    try:
        assert fresh.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        damaged = tmp_path / "drafts.db.corrupt-20261201-000000"
        shutil.copy(V8_DATABASE, damaged)  # a copy: salvage opens its file, which must not touch the test data
        counts = salvage(damaged, fresh)  # what recovery does with the old file's readable rows
        assert counts["publish_history"] > 0
    finally:
        fresh.close()
    trail = AuditTrail.open_read_only(fresh_path)
    verification = trail.verify()
    assert verification.intact, verification.summary()
    kinds = [r.kind for r in trail.records()]
    assert kinds.count("publish") == sent_in_v8() > 0 and all(r.record.get("migrated") for r in trail.records())


def test_csv_cells_a_spreadsheet_would_run_are_kept_as_text_and_a_broken_trail_is_said(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    (profile / "data").mkdir(parents=True)
    store = DraftStore.open(profile / "data" / "drafts.db")
    draft = store.create("Revenue")
    acknowledge(store, draft.id, "r1", '=HYPERLINK("http://evil.example","click me")')
    acknowledge(store, draft.id, "r2", "+cmd|' /C calc'!A0 and some more words")
    acknowledge(store, draft.id, "r3", "An ordinary reason, long enough")
    store.close()
    out, err = io.StringIO(), io.StringIO()
    assert main(["audit", "export", "--format", "csv", "--profile", str(profile)], stdout=out, stderr=err) == 0
    reasons = [row["reason"] for row in csv.DictReader(io.StringIO(out.getvalue()))]
    assert reasons == ["'=HYPERLINK(\"http://evil.example\",\"click me\")", "'+cmd|' /C calc'!A0 and some more words",
                       "An ordinary reason, long enough"]
    assert err.getvalue() == ""
    with sqlite3.connect(profile / "data" / "drafts.db") as db:
        db.execute("DELETE FROM audit_log WHERE seq = 2")
    err = io.StringIO()
    assert main(["audit", "export", "--format", "csv", "--profile", str(profile)], stdout=io.StringIO(), stderr=err) == 0
    assert "warning: The audit trail is broken: record 2 was removed" in err.getvalue()
