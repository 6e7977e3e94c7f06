"""The hash chain: records appended by the real stores, then the SQLite rows tampered with directly
(as someone with the file would); verify() must find and name each break."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from desktop.core.audit import GENESIS, AuditTrail, chain
from desktop.core.audit.chain import EDITED, REMOVED, REORDERED, canonical, record_hash
from desktop.core.drafts import DraftStore
from desktop.core.drafts.acknowledgements import Acknowledgement
from desktop.core.policy import load_policy
from desktop.core.training import TrainingRecords, summarise


def fill(store: DraftStore, count: int = 5) -> None:
    """*count* real records: warnings acknowledged with a reason on a draft, through the drafts store."""
    draft = store.create("We will double revenue next year, I think")
    for index in range(count):
        store.save_acknowledgement(Acknowledgement(draft.id, f"rule-{index}", "double revenue", 0, "acme@1",
                                                   "acknowledged", f"Reason number {index}: public already"))


def tamper(store: DraftStore, *statements: str) -> AuditTrail:
    """Close the app's store, run *statements* on the file with plain sqlite3, read it back read-only."""
    path = store.path
    store.close()
    with sqlite3.connect(path) as db:
        for statement in statements:
            db.execute(statement)
    return AuditTrail.open_read_only(path)


def test_an_untouched_chain_verifies_and_each_record_links_to_the_one_before(drafts: DraftStore) -> None:
    fill(drafts)
    trail = AuditTrail.of(drafts)
    found = trail.records()
    assert [r.seq for r in found] == [1, 2, 3, 4, 5]
    assert found[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(found, found[1:], strict=False))
    for record in found:  # the documented recipe, recomputed here by hand
        payload = json.dumps({"seq": record.seq, "at_ms": round(record.at * 1000), "kind": record.kind,
                              "record": record.record, "prev_hash": record.prev_hash},
                             sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        assert hashlib.sha256(payload.encode()).hexdigest() == record.hash
    result = trail.verify()
    assert result.intact and result.records == 5 and result.last_hash == found[-1].hash
    assert "intact: 5 records" in result.summary()


def test_a_removed_record_is_found_and_located(drafts: DraftStore) -> None:
    fill(drafts)
    before = AuditTrail.of(drafts).records()
    result = tamper(drafts, "DELETE FROM audit_log WHERE seq = 3").verify()
    assert not result.intact and result.broken is not None
    assert (result.broken.kind, result.broken.seq) == (REMOVED, 3)
    assert result.broken.at == before[1].at  # located after record 2, by its time
    assert "record 3 was removed after record 2" in result.broken.message


def test_removing_a_record_and_renumbering_the_rest_is_found(drafts: DraftStore) -> None:
    fill(drafts)
    result = tamper(drafts, "DELETE FROM audit_log WHERE seq = 2",
                    "UPDATE audit_log SET seq = seq - 1 WHERE seq > 2").verify()
    assert result.broken is not None and result.broken.seq == 2
    # the record now at 2 was hashed as record 3: it reads as moved; either way the break is at 2
    assert result.broken.kind in (REMOVED, REORDERED)


def test_removing_the_newest_records_is_found_through_the_head(drafts: DraftStore) -> None:
    fill(drafts)
    result = tamper(drafts, "DELETE FROM audit_log WHERE seq >= 4").verify()
    assert result.broken is not None and (result.broken.kind, result.broken.seq) == (REMOVED, 4)
    assert "the last 2 records were removed after record 3" in result.broken.message


def test_an_edited_record_is_found_and_located(drafts: DraftStore) -> None:
    fill(drafts)
    path = drafts.path
    result = tamper(drafts, "UPDATE audit_log SET record = replace(record, 'Reason number 1', 'Reason number X') "
                            "WHERE seq = 2").verify()
    assert result.broken is not None and (result.broken.kind, result.broken.seq) == (EDITED, 2)
    assert "record 2 (warning_acknowledged" in result.broken.message and "was edited" in result.broken.message
    with sqlite3.connect(path) as db:  # the time too is part of the hash
        db.execute("UPDATE audit_log SET record = replace(record, 'Reason number X', 'Reason number 1') WHERE seq = 2")
        db.execute("UPDATE audit_log SET at = at - 3600 WHERE seq = 4")
    broken = AuditTrail.open_read_only(path).verify().broken
    assert broken is not None and (broken.kind, broken.seq) == (EDITED, 4)


def test_an_edited_record_with_its_hash_recomputed_breaks_the_next_link(drafts: DraftStore) -> None:
    fill(drafts)
    [second] = [r for r in AuditTrail.of(drafts).records() if r.seq == 2]
    forged = dict(second.record, reason="Something else entirely")
    digest = record_hash(2, second.at, second.kind, forged, second.prev_hash)
    result = tamper(drafts, f"UPDATE audit_log SET record = '{canonical(forged)}', hash = '{digest}' WHERE seq = 2"
                    ).verify()
    assert result.broken is not None and (result.broken.kind, result.broken.seq) == (REMOVED, 3)
    assert "record 2 was replaced" in result.broken.message


def test_reordered_records_are_found_and_located(drafts: DraftStore) -> None:
    fill(drafts)
    # swap records 2 and 4 whole (time, kind, fields, hashes): the rows' positions now lie
    swap = ("UPDATE audit_log SET at = o.at, kind = o.kind, record = o.record, prev_hash = o.prev_hash, hash = o.hash "
            "FROM (SELECT seq, at, kind, record, prev_hash, hash FROM audit_log) AS o "
            "WHERE (audit_log.seq = 2 AND o.seq = 4) OR (audit_log.seq = 4 AND o.seq = 2)")
    result = tamper(drafts, swap).verify()
    assert result.broken is not None and (result.broken.kind, result.broken.seq) == (REORDERED, 2)
    assert "the record now at position 2" in result.broken.message and "written as record 4" in result.broken.message


def test_swapping_only_the_seq_numbers_is_found_as_reordering(drafts: DraftStore) -> None:
    fill(drafts)
    result = tamper(drafts, "UPDATE audit_log SET seq = 100 WHERE seq = 3", "UPDATE audit_log SET seq = 3 WHERE seq = 4",
                    "UPDATE audit_log SET seq = 4 WHERE seq = 100").verify()
    assert result.broken is not None and (result.broken.kind, result.broken.seq) == (REORDERED, 3)


def test_the_next_record_after_tampering_still_shows_the_break(drafts: DraftStore) -> None:
    fill(drafts, 3)
    path = drafts.path
    drafts.close()
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM audit_log WHERE seq = 3")
    store = DraftStore.open(path)
    try:
        TrainingRecords(store).acknowledge(summarise(load_policy("acme-example")))
        result = AuditTrail.of(store).verify()
        assert [r.seq for r in AuditTrail.of(store).records()] == [1, 2, 4]
        assert result.broken is not None and (result.broken.kind, result.broken.seq) == (REMOVED, 3)
    finally:
        store.close()


def test_records_hold_plain_values_and_never_secrets(drafts: DraftStore) -> None:
    with pytest.raises(ValueError, match="no floats"):
        canonical({"score": 0.5})
    with pytest.raises(ValueError, match="never holds secrets"):
        canonical({"nested": [{"access_token": "x"}]})
    with drafts.transaction() as db, pytest.raises(ValueError, match="never holds secrets"):
        chain.append(db, "publish", {"password": "hunter2"}, 1.0)
    with pytest.raises(RuntimeError, match="inside the transaction"):
        with drafts.reading() as db:
            chain.append(db, "publish", {}, 1.0)
    assert AuditTrail.of(drafts).records() == []


def test_a_failed_append_leaves_no_acknowledgement_behind(drafts: DraftStore) -> None:
    draft = drafts.create("text")
    with drafts.transaction() as db:
        db.execute("CREATE TRIGGER refuse BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk said no'); END")
    with pytest.raises(sqlite3.DatabaseError, match="disk said no"):
        drafts.save_acknowledgement(Acknowledgement(draft.id, "r", "text", 0, "acme@1", "acknowledged",
                                                    "A reason long enough"))
    assert drafts.acknowledgements(draft.id, "acme@1") == []


def test_an_absent_database_is_an_empty_intact_trail_and_is_not_created(tmp_path: Path) -> None:
    trail = AuditTrail.open_read_only(tmp_path / "none" / "drafts.db")
    assert trail.records() == [] and trail.verify().intact
    assert not (tmp_path / "none").exists()
