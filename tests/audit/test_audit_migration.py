"""Migration 9 on a real schema-8 database (tests/data/drafts-v8.db, made by tests/audit/make_drafts_v8.py with
main's code before the audit trail existed): the history is chained once, in time order, marked migrated."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from desktop.core.audit import GENESIS, AuditTrail
from desktop.core.drafts import DraftStore
from desktop.core.drafts.migrations import LATEST_VERSION, MIGRATIONS
from desktop.core.policy import load_policy
from desktop.core.training import TrainingRecords, summarise

V8_DATABASE = Path(__file__).resolve().parents[1] / "data" / "drafts-v8.db"
AUDIT_VERSION = next(number for number, migration in MIGRATIONS if migration.__name__ == "_v9_audit_trail")
BASE = 1_764_000_000.0  # the script's fixed clock: every event is BASE + n minutes
LAUNCH = "Our team shipped the new search today. Proud of everyone! #search"


def upgraded(tmp_path: Path) -> Path:
    path = tmp_path / "drafts.db"
    path.write_bytes(V8_DATABASE.read_bytes())
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == AUDIT_VERSION - 1
        assert raw.execute("SELECT count(*) FROM sqlite_master WHERE name = 'audit_log'").fetchone()[0] == 0
    return path


def test_the_v8_history_becomes_audit_records_once_in_time_order(tmp_path: Path) -> None:
    path = upgraded(tmp_path)
    store = DraftStore.open(path)
    try:
        assert store.schema_version() == LATEST_VERSION
        assert (tmp_path / f"drafts.db.bak-v{AUDIT_VERSION - 1}").exists()
        trail = AuditTrail.of(store)
        found = trail.records()
        assert [(r.kind, r.at - BASE) for r in found] == [
            ("policy_acknowledged", 0.0), ("quiz_result", 30.0), ("warning_acknowledged", 120.0),
            ("publish", 240.0), ("publish", 660.0), ("publish", 720.0)]
        assert all(r.record["migrated"] is True for r in found) and found[0].prev_hash == GENESIS
        policy_ack, quiz, warning, launch, part1, part2 = found
        assert (policy_ack.record["policy_id"], policy_ack.record["policy_version"]) == ("acme-example", "2025.06.1")
        assert quiz.record["passed"] is True and quiz.record["right"] == quiz.record["total"] > 0
        assert warning.record["reason"] == "I work at Acme and say so in my profile"
        assert warning.record["rule_id"] == "disclosure"  # the dismissed info finding is no audit event
        # the failed Mastodon attempt is not in the trail; the sent Bluesky post is, with its text's hash
        # (the draft still holds the text its idempotency key was made from)
        assert (launch.record["network"], launch.record["handle"]) == ("bluesky", "@alice.example.com")
        assert launch.record["post_url"].endswith("/3lbbbbbbbbb22")
        assert launch.record["text_sha256"] == hashlib.sha256(LAUNCH.encode()).hexdigest()
        assert [a["rule_id"] for a in launch.record["acknowledged"]] == ["disclosure"]
        # thread parts: the text of each part is no longer known
        assert [p.record["post_url"][-3:] for p in (part1, part2)] == ["111", "112"]
        assert part1.record["text_sha256"] == "" and part1.record["network"] == "mastodon"
        assert trail.verify().intact
        # the chain goes on from the migrated records
        TrainingRecords(store).acknowledge(summarise(load_policy("acme-example")))
        newest = trail.records()[-1]
        assert newest.seq == 7 and newest.prev_hash == found[-1].hash and "migrated" not in newest.record
    finally:
        store.close()
    again = DraftStore.open(path)  # opening again migrates nothing twice
    try:
        assert len(AuditTrail.of(again).records()) == 7 and AuditTrail.of(again).verify().intact
    finally:
        again.close()
